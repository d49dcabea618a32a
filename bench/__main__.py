"""Runs every benchmark on SQLite and on PostgreSQL, each in its own process (Django's
settings are per process), and prints the figures.

    make bench                          # everything
    python -m bench --only sqlite       # one database
    BENCH_CASES=20000 make bench        # a smaller volume
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_ADMIN", "postgres://postgres@127.0.0.1:5432/test"
)
POSTGRES_BENCH_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/loket_bench"
)


def fresh_postgres() -> None:
    import psycopg

    with psycopg.connect(
        POSTGRES_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True
    ) as c:
        c.execute("DROP DATABASE IF EXISTS loket_bench")
        c.execute("CREATE DATABASE loket_bench")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["sqlite", "postgresql", "pure"])
    args = parser.parse_args()
    data = ROOT / "var" / "bench"
    data.mkdir(parents=True, exist_ok=True)
    runs: list[tuple[str, dict[str, str]]] = []
    if args.only in (None, "pure"):
        runs.append(("pure", {}))
    if args.only in (None, "sqlite"):
        sqlite_file = data / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        runs.append(("sqlite", {"DATABASE_URL": f"sqlite:///{sqlite_file}"}))
    if args.only in (None, "postgresql"):
        fresh_postgres()
        runs.append(("postgresql", {"DATABASE_URL": POSTGRES_BENCH_URL}))
    for name, extra in runs:
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


if __name__ == "__main__":
    main()
