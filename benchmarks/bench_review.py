#!/usr/bin/env python
"""Load benchmark of the review app: p50 and p95 of the queue, item and search pages under
concurrent documenters, on PostgreSQL with a big archive and a long queue.

    python benchmarks/bench_review.py                       # 300,000 victims, 10,000 queued, 20 documenters
    python benchmarks/bench_review.py --victims 50000 --queued 2000 --users 10 --seconds 30

    # SQLite: 5 documenters who decide, while a nightly run takes in a 5,000-row list
    python benchmarks/bench_review.py --sqlite --victims 20000 --queued 3000 --users 5 --decide --nightly-rows 5000

It creates its own database on the PostgreSQL server (``--server``, default the local one), or
with ``--sqlite`` a SQLite file in a temporary folder, fills it in bulk (victims with Arabic and
Latin names and their sources, queued candidates with match links to archived victims), starts
``tawthiq review`` in a subprocess, and lets ``--users`` simulated documenters loop over: open
the queue, take the next item (a claim), read it, with ``--decide`` decide it (new victim, same
as its match, not a victim or defer), search the archive by a name. ``--nightly-rows N`` runs a
real ``tawthiq nightly`` at the same time, on a folder source holding an N-row partner list. It
prints the latency figures and every error (a 5xx is a failure), and drops the database.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
PASSWORD = "benchmark password"


def fill(url: str, victims: int, queued: int, users: int, seed: int) -> list[str]:
    """Bulk-load the archive and the queue; returns search terms (names in both scripts)."""
    from sqlalchemy import Table, insert

    from casualty_lists import FAMILY, FEMALE, MALE, PLACES
    from tawthiq.db import repo
    from tawthiq.db.engine import create_db_engine, session_scope
    from tawthiq.db.models import Base, Candidate, MatchLink, RawItem, ReviewTask, Victim, VictimName, VictimSource
    from tawthiq.dedupe import normalize_name

    def table(model: type[Base]) -> Table:
        """The model's Table (``__table__`` is typed as any FromClause, which insert() refuses)."""
        return Base.metadata.tables[model.__tablename__]

    rng = random.Random(seed)
    engine = create_db_engine(url)
    with session_scope(engine) as session:
        source = repo.add_source(session, "folder", "archive-import", {"path": "/nonexistent"})
        source.enabled = False  # what the bulk load came from: nothing for a nightly to pull
        source_id = source.id
        for n in range(users):
            repo.add_user(session, f"doc{n}", PASSWORD, "documenter")

    def person() -> dict:
        female = rng.random() < 0.2
        given_ar, given_lat = rng.choice(FEMALE if female else MALE)
        father_ar, father_lat = rng.choice(MALE)
        family_ar, family_lat = rng.choice(FAMILY)
        gov, towns = rng.choice(PLACES)
        return {"full_name": f"{rng.choice(given_lat)} {rng.choice(father_lat)} {rng.choice(family_lat)}",
                "name_ar": f"{given_ar} {father_ar} {family_ar}",
                "sex": "female" if female else "male", "age": rng.randint(1, 85),
                "date_of_death": f"{rng.randint(2011, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "death_governorate": gov, "death_locality": rng.choice(towns)}

    chunk = 5000
    terms: list[str] = []
    started = time.perf_counter()
    with engine.begin() as conn:
        for start in range(0, victims + queued, chunk):
            size = min(chunk, victims + queued - start)
            people = [person() for _ in range(size)]
            raw_ids = conn.execute(insert(table(RawItem)).returning(table(RawItem).c.id), [
                {"source_id": source_id, "external_id": f"import-{start + k}", "version": 1, "kind": "form",
                 "content": b"{}", "content_sha256": f"{start + k:064d}", "headers": {}, "meta": {}, "state": "extracted",
                 "attempts": 0} for k in range(size)]).scalars().all()
            cand_ids = conn.execute(insert(table(Candidate)).returning(table(Candidate).c.id), [
                {"raw_item_id": raw_ids[k], "seq": 0, **people[k], "is_child": people[k]["age"] < 18, "perpetrator": "unknown",
                 "cause": "shelling", "category": "civilian", "evidence": f"victim_name: {people[k]['name_ar']}", "field_evidence": {},
                 "extra": {}, "confidence": 0.9, "extractor": "form", "extractor_version": "1.0.0",
                 "state": "decided" if start + k < victims else "queued"} for k in range(size)]).scalars().all()
            archived = [k for k in range(size) if start + k < victims]
            if archived:
                victim_ids = conn.execute(insert(table(Victim)).returning(table(Victim).c.id), [
                    {**people[k], "is_child": people[k]["age"] < 18, "perpetrator": "unknown", "cause": "shelling",
                     "category": "civilian", "status": "active"} for k in archived]).scalars().all()
                conn.execute(insert(table(VictimName)), [
                    {"victim_id": v, "name": people[k][field], "script": script, "key": normalize_name(people[k][field]),
                     "candidate_id": cand_ids[k], "active": True}
                    for v, k in zip(victim_ids, archived) for field, script in (("full_name", "latin"), ("name_ar", "arabic"))])
                conn.execute(insert(table(VictimSource)), [
                    {"victim_id": v, "candidate_id": cand_ids[k], "raw_item_id": raw_ids[k], "source_id": source_id, "active": True}
                    for v, k in zip(victim_ids, archived)])
                terms.extend(rng.choice((people[k]["full_name"], people[k]["name_ar"])).rsplit(" ", 1)[0]
                             for k in rng.sample(archived, min(20, len(archived))))
            queue = [k for k in range(size) if start + k >= victims]
            if queue:
                conn.execute(insert(table(ReviewTask)), [
                    {"candidate_id": cand_ids[k], "state": "open", "has_match": k % 2 == 0, "best_score": 0.93 if k % 2 == 0 else None}
                    for k in queue])
                conn.execute(insert(table(MatchLink)), [
                    {"candidate_id": cand_ids[k], "victim_id": rng.randint(1, victims), "score": 0.93, "method_version": "bench",
                     "explanation": ["same given name", "same family name", "dates of death 2 days apart"], "levels": {}}
                    for k in queue if k % 2 == 0])
            print(f"\r  loaded {start + size:,} of {victims + queued:,} records", end="", flush=True)
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    print(f"\n  loaded in {time.perf_counter() - started:.0f} s")
    engine.dispose()
    return terms


def sample_terms(url: str) -> list[str]:
    """Search terms from a loaded database: given and father's names of random victims."""
    from sqlalchemy import text

    from tawthiq.db.engine import create_db_engine

    engine = create_db_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT full_name, name_ar FROM victims TABLESAMPLE SYSTEM (1) LIMIT 400")).all()
    engine.dispose()
    rng = random.Random(5)
    return [rng.choice(row).rsplit(" ", 1)[0] for row in rows if row[0] and row[1]]


def start_nightly(work: Path, env: dict[str, str], rows: int) -> subprocess.Popen[str]:
    """A real ``tawthiq nightly`` in a subprocess, on a folder source holding a partner list of
    ``rows`` rows (benchmarks/bench_backlog.py's), with its own Prefect home."""
    from bench_backlog import write_csv

    tawthiq = str(Path(sys.executable).with_name("tawthiq"))
    inbox = work / "inbox"
    inbox.mkdir(exist_ok=True)
    write_csv(inbox / "partner-list.csv", rows, seed=11)
    night_env = {**env, "PREFECT_HOME": str(work / "prefect")}
    night_env.pop("PREFECT_API_URL", None)
    added = subprocess.run([tawthiq, "sources", "add", "folder", "partner", "--path", str(inbox), "--id-column", "id"],
                           env=night_env, cwd=work, capture_output=True, text=True)
    if added.returncode:
        raise SystemExit(f"tawthiq sources add failed: {added.stderr or added.stdout}")
    return subprocess.Popen([tawthiq, "nightly"], env=night_env, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def documenter(base: str, name: str, terms: list[str], until: float, timings: dict[str, list[float]], errors: list[str],
               think: float = 0.0, decide: bool = False) -> None:
    import httpx

    rng = random.Random(name)
    if think:
        time.sleep(rng.uniform(0, 2 * think))  # documenters do not all log in at the same instant
    with httpx.Client(base_url=base, timeout=30) as client:
        login = client.get("/login")
        found = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        if found is None:
            raise RuntimeError(f"{name}: the login page has no CSRF token")
        token = found.group(1)
        client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": token, "next": "/"})

        def timed(kind: str, method: str, path: str, **kw):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            response = client.request(method, path, **kw)
            timings[kind].append(time.perf_counter() - t)
            if response.status_code >= 400 and not (kind == "decide" and response.status_code == 409):
                # 409 on a decision is the archive refusing (an item someone else took): not an error
                errors.append(f"{kind} {path}: HTTP {response.status_code}")
            if think:
                time.sleep(rng.uniform(0, 2 * think))  # reading the page before the next action
            return response

        while time.perf_counter() < until:
            queue = timed("queue", "GET", "/")
            token = re.search(r'name="csrf_token" value="([^"]+)"', queue.text)
            nxt = client.post("/next", data={"csrf_token": token.group(1) if token else ""})
            if nxt.status_code >= 500:
                errors.append(f"next: HTTP {nxt.status_code}")
            if nxt.status_code == 303 and "/item/" in nxt.headers.get("location", ""):
                item = timed("item", "GET", nxt.headers["location"])
                if decide and item.status_code == 200:
                    found = re.search(r'action="(/item/\d+/decide)"', item.text)
                    csrf = re.search(r'name="csrf_token" value="([^"]+)"', item.text)
                    victim = re.search(r'name="victim_id" value="(\d+)"', item.text)
                    if found and csrf:
                        pick = rng.random()
                        data = {"csrf_token": csrf.group(1), "action": "new_victim"}
                        if pick < 0.3 and victim:
                            data.update(action="same_as", victim_id=victim.group(1))
                        elif pick < 0.4:
                            data.update(action="not_victim", reason="injured")
                        elif pick < 0.5:
                            data.update(action="defer")
                        timed("decide", "POST", found.group(1), data=data)
            timed("search", "GET", "/archive", params={"q": rng.choice(terms)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default=os.environ.get("TAWTHIQ_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--victims", type=int, default=300_000)
    parser.add_argument("--queued", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2, help="review app worker processes (default 2, one per core)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a documenter reads a page before the next request (default 0: back to back)")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of a PostgreSQL database")
    parser.add_argument("--decide", action="store_true", help="documenters decide each item they open")
    parser.add_argument("--nightly-rows", type=int, default=0, metavar="N",
                        help="run a real tawthiq nightly meanwhile, on an N-row partner list (default: none)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", metavar="DATABASE_URL", help="measure a database a --keep run left (no loading)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from tests.conftest import create_pg_database, drop_pg_database
    from tawthiq.db.engine import migrate_database

    name = f"tawthiq_bench_review_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="tawthiq-bench-review-"))
    if args.sqlite:
        url = args.reuse or f"sqlite:///{work / 'tawthiq.db'}"
    else:
        url = args.reuse or create_pg_database(args.server, name)
    process = None
    nightly: subprocess.Popen[str] | None = None
    try:
        migrate_database(url)
        if args.reuse:
            args.keep = True
            terms = sample_terms(url)
            print(f"database {url.rsplit('/', 1)[-1]} reused")
        else:
            print(f"database {name}: {args.victims:,} archived victims, {args.queued:,} queued items")
            terms = fill(url, args.victims, args.queued, args.users, seed=5)
        port = free_port()
        env = {**os.environ, "TAWTHIQ_DATABASE_URL": url, "TAWTHIQ_SECRET_KEY": "bench", "TAWTHIQ_FERNET_KEY": "dGF3dGhpcS10ZXN0LW9ubHktZmVybmV0LWtleS0zMmI="}
        if url.startswith("sqlite"):
            args.workers = 1  # one process writes a SQLite file; `tawthiq review` refuses more
        app_log = (work / "review.log").open("w")
        process = subprocess.Popen([str(Path(sys.executable).parent / "tawthiq"), "review", "--port", str(port), "--workers", str(args.workers)],
                                   env=env, stdout=app_log, stderr=subprocess.STDOUT)
        import httpx

        base = f"http://127.0.0.1:{port}"
        for _ in range(1200):
            if process.poll() is not None:
                raise SystemExit(f"tawthiq review exited: {(work / 'review.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        timings: dict[str, list[float]] = {"queue": [], "item": [], "decide": [], "search": []}
        errors: list[str] = []
        night_started = time.perf_counter()
        if args.nightly_rows:
            nightly = start_nightly(work, env, args.nightly_rows)
        until = time.perf_counter() + args.seconds
        threads = [threading.Thread(target=documenter, args=(base, f"doc{n}", terms, until, timings, errors, args.think, args.decide))
                   for n in range(args.users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        pace = f"reading each page {args.think:g} s on average" if args.think else "requests back to back"
        backend = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
        print(f"{args.users} documenters for {args.seconds:.0f} s ({pace}), {args.workers} app workers, on {backend}, "
              f"{os.cpu_count()} cores:")
        if nightly is not None:
            out, _ = nightly.communicate(timeout=3600)
            tail = " | ".join(out.strip().splitlines()[-2:])
            print(f"  nightly of {args.nightly_rows:,} rows alongside: exit {nightly.returncode} after "
                  f"{time.perf_counter() - night_started:.0f} s ({tail})")
        for kind, values in timings.items():
            if not values:
                print(f"  {kind:<7} no requests")
                continue
            values.sort()
            p50 = statistics.median(values) * 1000
            p95 = values[min(len(values) - 1, int(len(values) * 0.95))] * 1000
            print(f"  {kind:<7} {len(values):>6} requests  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
        server_errors = [e for e in errors if ": HTTP 5" in e]
        print(f"  {len(errors)} errors ({len(server_errors)} server errors, 5xx)" + (f", e.g. {errors[0]}" if errors else ""))
        return 1 if server_errors else 0
    finally:
        if process is not None:
            process.terminate()
            process.wait(10)
        if nightly is not None and nightly.poll() is None:
            nightly.terminate()
        if not args.keep and not args.sqlite:
            drop_pg_database(args.server, name)
        if not args.keep:
            import shutil

            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
