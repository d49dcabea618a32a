"""One benchmark process: `python -m bench.run sqlite|postgresql|pure`.

Every module in this folder with a `run_database(vendor, timed)` function runs in the
database passes (after the demo data is loaded once); every module with `run_pure(timed)`
runs in the pure pass. An area adds its benchmarks by adding a module: `bench/<area>.py`.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import statistics
import sys
import time
from collections.abc import Callable
from types import ModuleType

import django

BENCH_DIR = os.path.dirname(__file__)


def timed(label: str, function: Callable[[], object], *, repeat: int = 5) -> float:
    """The best of `repeat` runs, printed in milliseconds."""
    best = min(_once(function) for _ in range(repeat))
    print(f"  {label}: {best * 1000:.1f} ms (best of {repeat})", flush=True)
    return best


def percentiles(label: str, samples_ms: list[float]) -> None:
    """Print the median and the 95th percentile of a list of timings in milliseconds."""
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(
        f"  {label}: median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms "
        f"({len(ordered)} runs)",
        flush=True,
    )


def _once(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def modules() -> list[ModuleType]:
    """The benchmark modules, or only those named in BENCH_AREAS (comma-separated)."""
    names = sorted(
        m.name for m in pkgutil.iter_modules([BENCH_DIR]) if m.name not in {"run", "__main__"}
    )
    wanted = {a.strip() for a in os.environ.get("BENCH_AREAS", "").split(",") if a.strip()}
    if wanted:
        unknown = wanted - set(names)
        if unknown:
            raise SystemExit(f"unknown benchmark area(s): {', '.join(sorted(unknown))}")
        names = [name for name in names if name in wanted]
    return [importlib.import_module(f"bench.{name}") for name in names]


def database(vendor: str) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    volume = int(os.environ.get("BENCH_CASES", "100000"))
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("demo", cases=volume, verbosity=0, stdout=quiet)
    print(f"  demo data, {volume} cases: {time.perf_counter() - started:.1f} s", flush=True)
    for module in modules():
        if hasattr(module, "run_database"):
            print(f" -- {module.__name__}", flush=True)
            module.run_database(vendor, timed)


def pure() -> None:
    for module in modules():
        if hasattr(module, "run_pure"):
            print(f" -- {module.__name__}", flush=True)
            module.run_pure(timed)


if __name__ == "__main__":
    kind = sys.argv[1]
    django.setup()
    if kind == "pure":
        pure()
    else:
        database(kind)
