#!/usr/bin/env python
"""Kill the nightly run with SIGKILL at random points, re-run, and check nothing is lost or
doubled.

    python scripts/crash_test.py --kills 20 --items 300

Builds three sources: a folder of form submissions and news items (a few bad ones among
them), a local KoboToolbox API stand-in serving family forms in pages (with photos), and a
local news site with an RSS feed of casualty articles. Then it starts `tawthiq nightly` in a
subprocess again and again, killing it at a random moment each time, and finally lets one run
finish. Then it checks the invariants of the path:

* every file, submission and article is stored exactly once in ``raw_items`` and none is left
  unprocessed;
* every item that could be extracted has exactly the candidates a direct extraction finds;
* every candidate is queued exactly once, and no match link is stored twice.

Exits 0 when all hold, 1 with the violations listed otherwise. The tests run it with a small
count; operators can run it with more against a PostgreSQL database (``--database-url``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIRST = ["Mohammad", "Ahmad", "Omar", "Khaled", "Youssef", "Hassan", "Ali", "Mahmoud", "Fatima", "Huda", "Rima", "Salma", "Nour", "Abdulrahman", "Walid"]
FATHER = ["Khaled", "Mustafa", "Ibrahim", "Saleh", "Adel", "Hussein", "Sami", "Jamal", "Fares", "Ziad"]
FAMILY = ["al-Abdullah", "al-Hussein", "al-Hamoud", "Ajaj", "al-Qasim", "al-Saleh", "al-Omar", "al-Sheikh", "Haddad", "al-Khatib", "al-Rifai", "Kassem", "al-Masri", "Barakat", "Dabbous", "al-Ahmad"]
PLACES = [("Idlib", "Sarmin"), ("Idlib", "Ariha"), ("Aleppo", "Atarib"), ("Daraa", "Tafas"), ("Hama", "Kafr Zita"), ("Deir Ez-Zour", "Theyban"), ("Rural Damascus", "Douma")]


def build_inbox(folder: Path, items: int, seed: int) -> None:
    """Write ``items`` files: mostly form submissions, some news texts, a few bad files."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(items):
        gov, town = rng.choice(PLACES)
        name = f"{rng.choice(FIRST)} {rng.choice(FATHER)} {rng.choice(FAMILY)}"
        day = f"2024-0{rng.randint(1, 9)}-{rng.randint(10, 28)}"
        if i % 25 == 7:
            (folder / f"bad-{i:04d}.json").write_text('{"victim_name": "' + name + '", "age": "3', encoding="utf-8")
        elif i % 4 == 3:
            text = (f"Title: Civilian killed in {town}\nPublished: {day}\n\nOn {day}, a man, named as {name}, "
                    f"was shot dead by gunmen we have not yet been able to identify in {town} town in {gov} governorate.\n")
            (folder / f"news-{i:04d}.txt").write_text(text, encoding="utf-8")
        else:
            payload = {"victim_name": name, "sex": "male", "age": str(rng.randint(1, 80)), "date_of_death": day,
                       "death_governorate": gov, "death_locality": town, "cause": "shelling", "perpetrator": "syrian_regime",
                       "submitter_name": "family", "submitter_phone": f"+90 555 {i:07d}"}
            (folder / f"form-{i:04d}.json").write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")


def start_servers(items: int, seed: int):  # type: ignore[no-untyped-def]
    """A KoboToolbox stand-in with ``items`` family forms and a news site whose RSS feed lists
    ``items`` articles, both served from this process (they outlive the killed runs)."""
    sys.path.insert(0, str(ROOT))
    from tests.formservers import JPEG, KoboServer, family_answers
    from tests.newsserver import NewsServer

    rng = random.Random(seed + 1)
    kobo = KoboServer().start()
    for i in range(items):
        name = f"{rng.choice(FIRST)} {rng.choice(FATHER)} {rng.choice(FAMILY)}"
        kobo.add(family_answers(name), f"2024-{rng.randint(1, 9):02d}-{rng.randint(10, 28)}T{i % 24:02d}:00:00",
                 photo=JPEG if i % 5 == 0 else None)
    news = NewsServer().start()
    entries = []
    for i in range(items):
        gov, town = rng.choice(PLACES)
        name = f"{rng.choice(FIRST)} {rng.choice(FATHER)} {rng.choice(FAMILY)}"
        day = f"2024-0{rng.randint(1, 9)}-{rng.randint(10, 28)}"
        body = (f"<html><head><title>Civilian killed in {town}</title>"
                f'<meta property="article:published_time" content="{day}T08:00:00+00:00"></head>'
                f"<body><article><h1>Civilian killed in {town}</h1><p>On {day}, a man, named as {name}, was shot dead by "
                f"gunmen we have not yet been able to identify in {town} town in {gov} governorate.</p></article></body></html>")
        news.routes[f"/news/{i}/"] = (200, {"Content-Type": "text/html; charset=utf-8"}, body.encode("utf-8"))
        entries.append(f"<item><title>Civilian killed in {town}</title><link>{news.base}/news/{i}/</link>"
                       f"<pubDate>Mon, 01 Jan 2024 08:00:00 GMT</pubDate></item>")
    rss = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Monitor</title>'
           f"<link>{news.base}/</link><description>news</description>{''.join(entries)}</channel></rss>")
    news.routes["/feed/"] = (200, {"Content-Type": "application/rss+xml"}, rss.encode("utf-8"))
    return kobo, news


def run_nightly(env: dict[str, str], cwd: Path, kill_after: float | None) -> tuple[bool, float]:
    """Start `tawthiq nightly`; SIGKILL it after ``kill_after`` seconds (None: let it finish).
    Returns (finished, seconds)."""
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "tawthiq.cli", "nightly"], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        proc.wait(timeout=kill_after if kill_after is not None else 1800)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return False, time.monotonic() - start
    output = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
    if proc.returncode != 0:
        raise SystemExit(f"nightly run failed (exit {proc.returncode}):\n{output}")
    return True, time.monotonic() - start


def check(database_url: str, folder: Path, expected_counts: dict[str, int] | None = None) -> list[str]:
    """The invariants; returns the violations found. ``expected_counts`` is how many items
    each server source holds."""
    from sqlalchemy import func, select

    from tawthiq.db.engine import create_db_engine, session_scope
    from tawthiq.db.models import Candidate, MatchLink, RawItem, ReviewTask, Source
    from tawthiq.errors import ItemError
    from tawthiq.extractors import extract_item, extract_path

    problems: list[str] = []
    engine = create_db_engine(database_url)
    files = sorted(p for p in folder.iterdir() if p.is_file())
    with session_scope(engine) as session:
        sources = {s.id: s.name for s in session.scalars(select(Source))}
        for name, count in (expected_counts or {}).items():
            stored = [i for i in session.scalars(select(RawItem).join(Source).where(Source.name == name))]
            if len(stored) != count:
                problems.append(f"source {name}: {len(stored)} items stored, the server holds {count}")
            if len({i.external_id for i in stored}) != len(stored):
                problems.append(f"source {name}: an item stored twice")
            for item in stored:
                if item.state not in ("extracted", "failed"):
                    problems.append(f"{name} {item.external_id} left in state {item.state}")
                try:
                    expected = len(extract_item(item.kind, item.content, content_type=item.content_type,
                                                published=item.published_at.date() if item.published_at else None).records)
                except ItemError:
                    expected = 0
                got = session.scalar(select(func.count()).select_from(Candidate).where(Candidate.raw_item_id == item.id))
                if got != expected:
                    problems.append(f"{name} {item.external_id}: {got} candidates, expected {expected}")
        items = [i for i in session.scalars(select(RawItem)) if sources[i.source_id] == "crash-inbox"]
        by_id = {}
        for item in items:
            if item.external_id in by_id:
                problems.append(f"{item.external_id} stored twice")
            by_id[item.external_id] = item
        for file in files:
            found = by_id.get(file.name)
            if found is None:
                problems.append(f"{file.name} was never stored")
                continue
            if found.state not in ("extracted", "failed"):
                problems.append(f"{file.name} left in state {found.state}")
            try:
                expected = len(extract_path(file).records)
            except ItemError:
                expected = 0
                if found.state != "failed":
                    problems.append(f"{file.name} should have failed")
            got = session.scalar(select(func.count()).select_from(Candidate).where(Candidate.raw_item_id == found.id))
            if got != expected:
                problems.append(f"{file.name}: {got} candidates, expected {expected}")
        not_queued = session.scalar(select(func.count()).select_from(Candidate).where(Candidate.state != "queued"))
        if not_queued:
            problems.append(f"{not_queued} candidates not queued")
        tasks = session.scalar(select(func.count()).select_from(ReviewTask))
        candidates = session.scalar(select(func.count()).select_from(Candidate))
        if tasks != candidates:
            problems.append(f"{tasks} review tasks for {candidates} candidates")
        pairs = session.execute(select(MatchLink.candidate_id, MatchLink.other_candidate_id, MatchLink.victim_id)).all()
        if len(pairs) != len(set(pairs)):
            problems.append(f"{len(pairs) - len(set(pairs))} match links stored twice")
    engine.dispose()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20, help="how many runs to kill (default 20)")
    parser.add_argument("--items", type=int, default=300, help="how many items in the inbox (default 300)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="tawthiq database (default: a new SQLite file)")
    parser.add_argument("--workdir", type=Path, help="where to put the inbox and database (default: a temporary directory)")
    parser.add_argument("--no-servers", action="store_true", help="only the folder source (no KoboToolbox or feed server)")
    args = parser.parse_args(argv)

    from tawthiq.db.engine import migrate_database
    from tawthiq.db import repo
    from tawthiq.db.engine import create_db_engine, session_scope

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tawthiq-crash-"))
    folder = workdir / "inbox"
    build_inbox(folder, args.items, args.seed)
    url = args.database_url or f"sqlite:///{workdir / 'tawthiq.db'}"
    migrate_database(url)
    engine = create_db_engine(url)
    servers = () if args.no_servers else start_servers(args.items // 3, args.seed)
    with session_scope(engine) as session:
        repo.add_source(session, "folder", "crash-inbox", {"path": str(folder)})
        if servers:
            kobo, news = servers
            repo.add_source(session, "kobo", "crash-kobo", {"url": kobo.base, "asset": kobo.ASSET, "token_env": "CRASH_KOBO_TOKEN",
                                                            "delay": 0, "page_size": 20})
            repo.add_source(session, "feed", "crash-feed", {"url": f"{news.base}/feed/", "delay": 0, "max_items": 10_000})
    engine.dispose()
    env = {**os.environ, "TAWTHIQ_DATABASE_URL": url, "TAWTHIQ_EXTRACT_BATCH": "25", "CRASH_KOBO_TOKEN": "kobo-test-token"}
    rng = random.Random(args.seed)
    # Kill times spread over a run's whole length: Prefect's start-up, intake, extraction,
    # matching and queueing all get hit.
    horizon = 12.0
    kills = 0
    for attempt in range(args.kills * 3):
        if kills >= args.kills:
            break
        delay = rng.uniform(0.5, horizon)
        finished, took = run_nightly(env, workdir, delay)
        if finished:
            horizon = max(2.0, took * 0.95)  # the work got shorter; aim inside what is left
            print(f"run {attempt + 1}: finished before the kill at {delay:.1f}s", flush=True)
        else:
            kills += 1
            print(f"run {attempt + 1}: killed after {delay:.1f}s", flush=True)
    run_nightly(env, workdir, None)
    counts = {"crash-kobo": len(servers[0].submissions), "crash-feed": args.items // 3} if servers else {}
    problems = check(url, folder, counts)
    for server in servers:
        server.stop()
    print(f"{kills} kills, then one full run: " + ("nothing lost, nothing doubled" if not problems else f"{len(problems)} problems"))
    for problem in problems:
        print("  " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
