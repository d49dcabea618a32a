"""One benchmark process: `python -m bench.run sqlite|postgresql|pure`."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

import django


def timed(label: str, function: Callable[[], object], *, repeat: int = 5) -> float:
    """The best of `repeat` runs, printed in milliseconds."""
    best = min(_once(function) for _ in range(repeat))
    print(f"  {label}: {best * 1000:.1f} ms (best of {repeat})", flush=True)
    return best


def _once(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def database(vendor: str) -> None:
    from django.core.management import call_command

    from bench import cases as case_benchmarks

    call_command("migrate", verbosity=0)
    volume = int(os.environ.get("BENCH_CASES", "100000"))
    started = time.perf_counter()
    call_command("demo", cases=volume, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"  demo data, {volume} cases: {time.perf_counter() - started:.1f} s", flush=True)
    case_benchmarks.run(vendor, timed)


def pure() -> None:
    from bench import pure as pure_benchmarks

    pure_benchmarks.run(timed)


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "pure":
        pure()
    else:
        django.setup()
        database(kind)
