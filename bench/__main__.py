"""Runs every benchmark on SQLite and on PostgreSQL, each in its own process (Django's
settings are per process), and prints the figures.

    make bench                          # everything
    python -m bench --only sqlite       # one database
    BENCH_CASES=20000 make bench        # a smaller volume
    BENCH_AREAS=mail,portal make bench  # only some modules of this folder

Each run gets its own folder under var/bench and its own PostgreSQL database, both removed
at the end, so two runs at once never share (or delete) each other's data.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_ADMIN", "postgres://postgres@127.0.0.1:5432/test"
)


def _postgres(statement: str) -> None:
    import psycopg

    with psycopg.connect(
        POSTGRES_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True
    ) as c:
        c.execute(statement)


def postgres_url(database: str) -> str:
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["sqlite", "postgresql", "pure"])
    args = parser.parse_args()
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="run-", dir=ROOT / "var" / "bench"))
    (data / "static").mkdir()  # STATIC_ROOT under the data folder: whitenoise looks there
    database = f"loket_bench_{os.getpid()}"
    runs: list[tuple[str, dict[str, str]]] = []
    if args.only in (None, "pure"):
        runs.append(("pure", {}))
    if args.only in (None, "sqlite"):
        runs.append(("sqlite", {"DATABASE_URL": f"sqlite:///{data / 'bench.sqlite3'}"}))
    if args.only in (None, "postgresql"):
        runs.append(("postgresql", {"DATABASE_URL": postgres_url(database)}))
    try:
        for name, extra in runs:
            if name == "postgresql":
                _postgres(f"CREATE DATABASE {database}")
            environment = {
                **os.environ,
                **extra,
                "LOKET_DATA_DIR": str(data),
                "DJANGO_SETTINGS_MODULE": "loket.settings",
            }
            print(f"== {name}", flush=True)
            subprocess.run(
                [sys.executable, "-m", "bench.run", name], env=environment, check=True, cwd=ROOT
            )
    finally:
        if any(name == "postgresql" for name, _ in runs):
            _postgres(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
