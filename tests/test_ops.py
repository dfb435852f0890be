"""Operations: failure notices, retrying a failed run, exit statuses, one run per database,
stopping on SIGTERM, backlogs, stale runs, Dask, the crash script."""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from collections.abc import Iterator

import pytest

from tawthiq import ops, pipeline
from tawthiq.flows.nightly import nightly, with_dask

from .test_flows import state_of, summary_of
from .test_pipeline import add_folder, counts, write_inbox


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict]]]:
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()


def test_post_webhook_never_raises(webhook) -> None:
    url, received = webhook
    assert ops.post_webhook({"text": "hello"}, url=url)
    assert received == [{"text": "hello"}]
    assert not ops.post_webhook({"text": "x"}, url="http://127.0.0.1:9/nothing-listens")
    assert not ops.post_webhook({"text": "x"}, url=None)


def test_failed_run_notifies_and_rerun_skips_finished_tasks(prefect_harness, engine, tmp_path, monkeypatch, webhook) -> None:
    url, received = webhook
    monkeypatch.setenv("TAWTHIQ_WEBHOOK_URL", url)
    add_folder(engine, write_inbox(tmp_path / "inbox"))
    real_match = pipeline.match_pending

    def broken(_engine):  # type: ignore[no-untyped-def]
        raise RuntimeError("matching crashed (simulated)")

    monkeypatch.setattr(pipeline, "match_pending", broken)
    state = state_of(nightly(return_state=True))
    assert state.is_failed()
    assert any("matching crashed" in r.get("text", "") for r in received)
    runs = ops.list_runs(5)
    failed = next(r for r in runs if r.state == "Failed")
    assert "matching crashed" in (failed.message or "") or failed.message is not None
    assert counts(engine)["candidates"] == 2 and counts(engine)["queue_open"] == 0

    calls: list[str] = []
    real_pull = pipeline.pull_source

    def recording(e: Any, n: str) -> pipeline.SourceSummary:
        calls.append(n)
        return real_pull(e, n)

    monkeypatch.setattr(pipeline, "pull_source", recording)
    monkeypatch.setattr(pipeline, "match_pending", real_match)
    summary = ops.rerun(failed.id).result()
    assert calls == []  # intake finished in the failed run: cached, not redone
    assert summary["queue"]["queue_open"] == 2
    assert next(r for r in ops.list_runs(5) if r.id == failed.id).state == "Completed"


def test_rerun_refuses_unknown_runs(prefect_harness) -> None:
    from tawthiq.errors import ConfigError

    with pytest.raises(ConfigError, match="not a flow run id"):
        ops.rerun("yesterday")
    with pytest.raises(ConfigError, match="no flow run"):
        ops.rerun("00000000-0000-0000-0000-000000000000")


def test_bad_schedule_settings_are_clear() -> None:
    from tawthiq.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown time zone"):
        ops.nightly_schedule("0 2 * * *", "Mars/Olympus")
    with pytest.raises(ConfigError, match="not a valid cron"):
        ops.nightly_schedule("every night", "UTC")


def test_nightly_on_a_dask_cluster(prefect_harness, engine, tmp_path) -> None:
    from distributed import LocalCluster

    add_folder(engine, write_inbox(tmp_path / "inbox"))
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        summary = with_dask(nightly, cluster.scheduler_address)()
    assert summary["extract"]["extracted"] == 2 and summary["queue"]["queue_open"] == 2


def test_crash_script_loses_and_doubles_nothing(prefect_harness, database_url, tmp_path, monkeypatch) -> None:
    """Three SIGKILLs at random points of `tawthiq nightly` over 60 items, then a full run.
    (`python scripts/crash_test.py --kills 20 --items 300` is the full-size version.)"""
    import importlib.util
    from pathlib import Path

    from prefect.settings import PREFECT_API_URL

    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())  # the subprocesses use the harness's API
    script = Path(__file__).resolve().parents[1] / "scripts" / "crash_test.py"
    spec = importlib.util.spec_from_file_location("crash_test", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    assert module.main(["--kills", "3", "--items", "60", "--workdir", str(tmp_path), "--database-url", database_url]) == 0


def test_rerun_pulls_a_failed_source_again_once_its_cause_is_fixed(prefect_harness, engine, tmp_path) -> None:
    """A run whose only source failed ends Failed (not Completed); `rerun` after the fix
    fetches the source again instead of replaying its cached error."""
    folder = write_inbox(tmp_path / "inbox")
    add_folder(engine, folder)
    folder.rename(tmp_path / "away")  # the share is not mounted tonight
    state = state_of(nightly(return_state=True))
    assert state.is_failed() and "1 of 1 sources failed" in state.message and "does not exist" in state.message
    run_id = str(state.state_details.flow_run_id)
    assert next(r for r in ops.list_runs(5) if r.id == run_id).state == "Failed"
    (tmp_path / "away").rename(folder)
    again = ops.rerun(run_id)
    assert again.is_completed()
    summary = again.result()
    assert summary["sources"][0]["new"] == 5 and summary["sources"][0]["error"] is None
    assert summary["queue"]["queue_open"] == 2


def test_a_second_run_on_the_same_database_skips_while_the_first_holds_it(prefect_harness, engine, tmp_path) -> None:
    from tawthiq.db.locks import acquire_run_lock, run_lock_holder

    add_folder(engine, write_inbox(tmp_path / "inbox"))
    lock = acquire_run_lock(engine, "an operator's manual run")
    assert lock is not None
    try:
        assert "an operator's manual run" in (run_lock_holder(engine) or "")
        assert acquire_run_lock(engine, "another") is None
        state = state_of(nightly(return_state=True))
        assert state.is_completed() and state.name == "Skipped"
        assert "an operator's manual run" in state.result()["skipped"]
        assert counts(engine)["raw_items"] == 0  # it did nothing
    finally:
        lock.release()
    assert run_lock_holder(engine) is None
    assert summary_of(nightly())["sources"][0]["new"] == 5


def test_two_nightlies_at_once_do_one_night_of_work(prefect_harness, engine, tmp_path) -> None:
    """Started together (a schedule and an operator): one works, the other skips or finds
    nothing left; links and queue entries are not doubled."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import func, select

    from tawthiq.db.engine import session_scope
    from tawthiq.db.models import MatchLink, ReviewTask

    add_folder(engine, write_inbox(tmp_path / "inbox"))
    with ThreadPoolExecutor(2) as pool:
        states = list(pool.map(lambda _: state_of(nightly(return_state=True)), range(2)))
    assert all(s.is_completed() for s in states)
    worked = [s for s in states if s.name != "Skipped"]
    assert len(worked) >= 1 and sum(s.result()["sources"][0]["new"] for s in worked) == 5
    first = counts(engine)
    assert first["queue_open"] == 2 and first["links"] >= 1
    with session_scope(engine) as session:
        pairs = session.execute(select(MatchLink.candidate_id, MatchLink.other_candidate_id, MatchLink.victim_id,
                                       func.count()).group_by(MatchLink.candidate_id, MatchLink.other_candidate_id,
                                                              MatchLink.victim_id)).all()
        assert all(n == 1 for *_, n in pairs)
        assert session.scalar(select(func.count()).select_from(ReviewTask)) == 2
    nightly()
    assert counts(engine) == first


def test_matching_twice_writes_each_link_once(engine, tmp_path) -> None:
    """Link writing is idempotent: the matching step re-run on candidates it already linked
    (as after a crash between two commits) adds no second link."""
    from sqlalchemy import update

    from tawthiq.db.engine import session_scope
    from tawthiq.db.models import Candidate

    add_folder(engine, write_inbox(tmp_path / "inbox"))
    pipeline.pull(engine)
    pipeline.extract_pending(engine)
    pipeline.match_pending(engine)
    links = counts(engine)["links"]
    assert links >= 1
    with session_scope(engine) as session:
        session.execute(update(Candidate).values(state="new"))
    again = pipeline.match_pending(engine)
    assert again.candidates == 2 and again.possible_duplicates == 0
    assert counts(engine)["links"] == links


def test_runs_shows_this_database_only_and_marks_dead_runs_crashed(prefect_harness, engine, tmp_path, monkeypatch) -> None:
    """A run killed mid-way stays Running in Prefect for ever; `tawthiq runs` marks it Crashed
    once nobody holds the database's run lock, so it can be re-run. Runs of another database
    (all share one Prefect API) are not listed."""
    import datetime as dt

    import anyio
    from prefect import get_client
    from prefect.states import Running

    add_folder(engine, write_inbox(tmp_path / "inbox"))
    mine = state_of(nightly(return_state=True))

    async def create(tag: str) -> str:
        async with get_client() as client:
            created = await client.create_flow_run(nightly, tags=["tawthiq", tag], state=Running())
            return str(created.id)

    other = anyio.run(create, "db:000000000000")
    killed = anyio.run(create, ops.database_tag())
    monkeypatch.setattr(ops, "STALE_AFTER", dt.timedelta(0))
    listed = {r.id: r for r in ops.list_runs(20)}
    assert other not in listed
    assert str(mine.state_details.flow_run_id) in listed
    assert listed[killed].state == "Crashed"
    assert ops.rerun(killed).is_completed()  # a crashed run can be re-run


def test_flow_commands_exit_non_zero_when_a_source_fails_or_another_run_holds_the_database(prefect_harness, engine, tmp_path) -> None:
    from click.testing import CliRunner

    from tawthiq.cli import EXIT_SKIPPED, cli
    from tawthiq.db.locks import acquire_run_lock

    folder = write_inbox(tmp_path / "inbox")
    add_folder(engine, folder)
    folder.rename(tmp_path / "away")
    failed = CliRunner().invoke(cli, ["nightly"])
    assert failed.exit_code == 1, failed.output
    assert "error: 1 of 1 sources failed: source 'inbox': folder" in failed.output
    assert "Traceback" not in failed.output
    pulled = CliRunner().invoke(cli, ["pull"])
    assert pulled.exit_code == 1 and "ERROR: source 'inbox'" in pulled.output
    (tmp_path / "away").rename(folder)
    lock = acquire_run_lock(engine, "the 02:00 nightly")
    try:
        busy = CliRunner().invoke(cli, ["nightly"])
    finally:
        lock.release()  # type: ignore[union-attr]
    assert busy.exit_code == EXIT_SKIPPED and "skipped: another run is working on this database: the 02:00 nightly" in busy.output
    done = CliRunner().invoke(cli, ["nightly"])
    assert done.exit_code == 0 and "waiting for review:   2" in done.output


def test_sigterm_stops_a_pull_stuck_on_a_trickling_host_and_names_the_cause(prefect_harness, database_url, tmp_path) -> None:
    """A host that sends one byte at a time holds nothing up: SIGTERM stops `tawthiq nightly`
    within seconds, exit 143, what was stored stays stored."""
    import signal
    import subprocess
    import sys
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from prefect.settings import PREFECT_API_URL

    from tawthiq.db.engine import get_engine, session_scope
    from tawthiq.db import repo

    hit = threading.Event()

    class Trickle(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/robots.txt":
                self.send_response(404)
                self.end_headers()
                return
            hit.set()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                for _ in range(600):
                    self.wfile.write(b"<")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass

        def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
            pass

    import time

    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    engine = get_engine(database_url)
    add_folder(engine, write_inbox(tmp_path / "inbox"))
    with session_scope(engine) as session:
        repo.add_source(session, "page", "trickle", {"urls": [f"http://127.0.0.1:{server.server_port}/a"], "delay": 0,
                                                     "timeout": 5, "retries": 0})
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "TAWTHIQ_DATABASE_URL": database_url}
    command = subprocess.Popen([sys.executable, "-m", "tawthiq.cli", "nightly"], env=env, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert hit.wait(120), "the command never reached the trickling host"
        time.sleep(1)
        command.send_signal(signal.SIGTERM)
        out, err = command.communicate(timeout=40)
    finally:
        if command.poll() is None:
            command.kill()
        server.shutdown()
    assert command.returncode == 143, out + err
    assert "stopped" in err and "SIGTERM" in err
    with session_scope(engine) as session:
        assert repo.status_counts(session)["raw_items"] == 5  # the folder's items were stored and stay


def test_a_backlog_of_many_batches_never_runs_more_tasks_than_the_pool_can_serve(prefect_harness, engine, tmp_path, monkeypatch) -> None:
    """A partner's list of 600 rows in batches of 10 is 60 extraction tasks: at most
    TASK_WORKERS of them work at once (each holds a connection), and the night completes."""
    import csv

    from tawthiq.flows import nightly as nightly_module

    folder = tmp_path / "inbox"
    folder.mkdir()
    with (folder / "list.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "victim_name", "date_of_death", "death_governorate", "death_locality"])
        for n in range(600):
            writer.writerow([f"r{n}", f"Person {n} al-Test", "2024-03-11", "Idlib", "Sarmin"])
    add_folder(engine, folder)
    monkeypatch.setattr(nightly_module, "EXTRACT_BATCH", 10)
    running = {"now": 0, "peak": 0}
    guard = threading.Lock()
    real = pipeline.extract_pending

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        with guard:
            running["now"] += 1
            running["peak"] = max(running["peak"], running["now"])
        try:
            return real(*args, **kwargs)
        finally:
            with guard:
                running["now"] -= 1

    monkeypatch.setattr(pipeline, "extract_pending", counting)
    summary = summary_of(nightly())
    assert summary["sources"][0]["new"] == 600 and summary["extract"]["extracted"] == 600
    assert summary["queue"]["queued"] == 600
    assert 1 <= running["peak"] <= nightly_module.TASK_WORKERS
