"""The `loket` command: Django's management commands with loket's settings.

``loket serve``, ``loket worker``, ``loket demo``, ``loket createstaff``, ``loket migrate``…
(``loket help`` lists them all.)
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loket.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
