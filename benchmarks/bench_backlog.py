#!/usr/bin/env python
"""Backlog benchmark: one partner's CSV of 50,000 rows taken in, extracted, matched and queued
in one `tawthiq nightly`, on SQLite and on PostgreSQL.

    python benchmarks/bench_backlog.py                    # 50,000 rows, SQLite and PostgreSQL
    python benchmarks/bench_backlog.py --rows 10000 --backend sqlite

It runs the real command in a subprocess, the way an operator does (its own Prefect API, its
own database: a SQLite file in a temporary directory, or a new database on the local
PostgreSQL server, dropped afterwards), and prints per backend: the exit status, wall time,
rows per second, the peak memory of the command, and what `tawthiq status` says after it. A
backlog must go through in one night: exit 0, every row a candidate, every candidate queued.
The rows are generated (names from benchmarks/casualty_lists.py), about one in ten a repeat of
another with a spelling variant, so matching has real work to do.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, TypedDict

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def write_csv(path: Path, rows: int, seed: int) -> None:
    from casualty_lists import FAMILY, FEMALE, MALE, PLACES

    rng = random.Random(seed)
    made: list[dict[str, str]] = []
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["id", "victim_name", "sex", "age", "date_of_death", "death_governorate",
                                         "death_locality", "cause"])
        writer.writeheader()
        for n in range(rows):
            if made and rng.random() < 0.1:
                row = dict(rng.choice(made))
                row["victim_name"] = row["victim_name"].replace("al-", "Al ").replace("Mohammad", "Muhammad")
            else:
                sex = rng.choice(("male", "female"))
                given = rng.choice(MALE if sex == "male" else FEMALE)[1]
                governorate, towns = rng.choice(PLACES)
                row = {"victim_name": f"{rng.choice(given)} {rng.choice(rng.choice(MALE)[1])} {rng.choice(rng.choice(FAMILY)[1])}",
                       "sex": sex, "age": str(rng.randint(1, 80)),
                       "date_of_death": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                       "death_governorate": governorate, "death_locality": rng.choice(towns),
                       "cause": rng.choice(("shelling", "airstrike", "gunfire", "torture"))}
                made.append(row)
            writer.writerow({"id": f"r{n}", **row})


class BenchResult(TypedDict):
    backend: str
    rows: int
    exit: int
    seconds: float
    rows_per_s: float
    peak_rss_mb: float
    status: dict[str, Any]  # `tawthiq status --json`
    tail: list[str]  # the command's last lines of output


def run(cmd: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)


def bench(backend: str, rows: int, seed: int, server: str) -> BenchResult:
    tawthiq = str(Path(sys.executable).with_name("tawthiq"))
    with tempfile.TemporaryDirectory(prefix="tawthiq-backlog-") as tmp:
        work = Path(tmp)
        inbox = work / "inbox"
        inbox.mkdir()
        write_csv(inbox / "partner-list.csv", rows, seed)
        env = {**os.environ, "PREFECT_HOME": str(work / "prefect")}
        env.pop("PREFECT_API_URL", None)
        name = None
        if backend == "sqlite":
            env["TAWTHIQ_DATABASE_URL"] = f"sqlite:///{work / 'tawthiq.db'}"
        else:
            from sqlalchemy import create_engine, text
            from sqlalchemy.engine import make_url

            name = f"tawthiq_backlog_{uuid.uuid4().hex[:8]}"
            admin = create_engine(server, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            env["TAWTHIQ_DATABASE_URL"] = make_url(server).set(database=name).render_as_string(hide_password=False)
        try:
            for cmd in (["init"], ["sources", "add", "folder", "backlog", "--path", str(inbox), "--id-column", "id"]):
                done = run([tawthiq, *cmd], env, work)
                if done.returncode:
                    raise SystemExit(f"tawthiq {' '.join(cmd)} failed: {done.stderr or done.stdout}")
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            start = time.perf_counter()
            night = run([tawthiq, "nightly"], env, work)
            seconds = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            status = json.loads(run([tawthiq, "status", "--json"], env, work).stdout or "{}")
        finally:
            if name:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    return {"backend": backend, "rows": rows, "exit": night.returncode, "seconds": round(seconds, 1),
            "rows_per_s": round(rows / seconds, 1), "peak_rss_mb": round(max(peak, before) / 1024, 1),
            "status": status, "tail": (night.stderr or night.stdout).strip().splitlines()[-3:]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--server", default=os.environ.get("TAWTHIQ_TEST_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    ok = True
    for backend in backends:
        result = bench(backend, args.rows, args.seed, args.server)
        status = result["status"]
        print(f"{backend:<10} {result['rows']:>7,} rows  exit {result['exit']}  {result['seconds']:>7.1f} s  "
              f"{result['rows_per_s']:>7.1f} rows/s  peak {result['peak_rss_mb']:>7.1f} MB  "
              f"raw {status.get('raw_items')}  failed {status.get('raw_failed')}  candidates {status.get('candidates')}  "
              f"queued {status.get('queue_open')}", flush=True)
        if result["exit"] != 0:
            ok = False
            print("  " + "\n  ".join(result["tail"]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
