"""Operations: failure notices, retrying a failed run, Dask, the crash script."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Iterator

import pytest

from tawthiq import ops, pipeline
from tawthiq.flows.nightly import nightly, with_dask

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
    state = nightly(return_state=True)
    assert state.is_failed()
    assert any("matching crashed" in r.get("text", "") for r in received)
    runs = ops.list_runs(5)
    failed = next(r for r in runs if r.state == "Failed")
    assert "matching crashed" in (failed.message or "") or failed.message is not None
    assert counts(engine)["candidates"] == 2 and counts(engine)["queue_open"] == 0

    calls: list[str] = []
    real_pull = pipeline.pull_source
    monkeypatch.setattr(pipeline, "pull_source", lambda e, n: calls.append(n) or real_pull(e, n))
    monkeypatch.setattr(pipeline, "match_pending", real_match)
    summary = ops.rerun(failed.id)
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
