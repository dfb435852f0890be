"""The nightly flow end to end under Prefect, once per session harness."""

from __future__ import annotations

from typing import Any

import pytest
from prefect.client.orchestration import get_client
from prefect.states import State

from tawthiq.flows.nightly import RunFailed, nightly, summary_markdown
from tawthiq.ops import list_runs

from .test_pipeline import add_folder, counts, write_inbox


def state_of(value: object) -> State[Any]:
    """The final state of a flow called with ``return_state=True`` (Prefect's types allow an
    Awaitable too, for async flows)."""
    assert isinstance(value, State)
    return value


def summary_of(value: object) -> dict[str, Any]:
    """What the nightly flow returns called directly: its summary (Prefect types a flow
    declared ``-> Any`` as returning None)."""
    assert isinstance(value, dict)
    return value


@pytest.fixture
def inbox(engine, tmp_path):  # type: ignore[no-untyped-def]
    add_folder(engine, write_inbox(tmp_path / "inbox"))
    return engine


def test_nightly_flow_end_to_end_and_rerun_changes_nothing(prefect_harness, inbox, database_url) -> None:
    summary = summary_of(nightly())
    assert summary["sources"][0]["new"] == 5
    assert summary["extract"]["extracted"] == 2 and summary["extract"]["failed"] == 3
    assert summary["queue"]["queue_open"] == 2
    first = counts(inbox)
    again = summary_of(nightly())
    assert again["sources"][0]["new"] == 0 and again["sources"][0]["unchanged"] == 5
    assert again["extract"]["items"] == 0
    assert counts(inbox) == first
    markdown = summary_markdown(summary)
    assert "| inbox | 5 | 5 | 0 | 3 |" in markdown and "not valid JSON" in markdown
    runs = list_runs(5)
    assert runs[0].flow == "nightly" and runs[0].state == "Completed"
    assert runs[0].summary and "0 new items" in runs[0].summary


def test_serve_registers_the_nightly_cron(prefect_harness) -> None:
    import anyio

    from tawthiq.ops import nightly_deployment

    deployment = nightly_deployment("0 2 * * *", "Asia/Damascus")
    deployment_id = deployment.apply()

    async def read():  # type: ignore[no-untyped-def]
        async with get_client() as client:
            return await client.read_deployment(deployment_id)

    stored = anyio.run(read)
    assert stored.name == "tawthiq-nightly"
    assert [(s.schedule.cron, s.schedule.timezone) for s in stored.schedules] == [("0 2 * * *", "Asia/Damascus")]


def test_failing_sources_are_named_and_a_rerun_after_recovery_takes_what_was_missed(prefect_harness, inbox, database_url) -> None:  # type: ignore[no-untyped-def]
    """Down, 500s, 429s, slow and hostile sources beside a healthy one: the run finishes the
    rest, the summary and `tawthiq runs` name each failure, and once the sources recover a
    re-run takes in exactly what was missed."""
    import socket
    import time as clock

    from click.testing import CliRunner

    from tawthiq.cli import cli
    from tawthiq.db import repo
    from tawthiq.db.engine import session_scope

    from .formservers import KoboServer, family_answers
    from .newsserver import NewsServer

    fast = {"delay": 0, "timeout": 0.5, "retries": 1, "backoff": 0.01}
    kobo = KoboServer().start()
    for n in range(3):
        kobo.add(family_answers(f"Ahmad Khaled {chr(65 + n)}"), f"2024-01-0{n + 1}T10:00:00")
    kobo.faults.add("/api/v2/", (500, {"Content-Type": "text/html"}, b"<h1>Server Error (500)</h1>"), times=2)
    site = NewsServer().start()
    broken = {"throttled": True, "slow": True, "hostile": True}
    article = (b'<html><head><meta property="article:published_time" content="2024-02-01T08:00:00+00:00"></head><body><article>'
               b"<p>On February 1, 2024, a man, named as Omar Said al-Hamoud, was shot dead by gunmen in Sarmin town in Idlib governorate."
               b"</p></article></body></html>")

    def throttled(request):  # type: ignore[no-untyped-def]
        if broken["throttled"]:
            return 429, {"Retry-After": "0", "Content-Type": "text/html"}, b"slow down"
        rss = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>{site.base}/</link><description>d</description>'
               f"<item><title>Killed</title><link>{site.base}/article/</link></item></channel></rss>")
        return 200, {"Content-Type": "application/rss+xml"}, rss.encode()

    def slow(request):  # type: ignore[no-untyped-def]
        if broken["slow"]:
            clock.sleep(1.2)
        return 200, {"Content-Type": "text/html; charset=utf-8"}, article.replace(b"Omar Said", b"Rami Nasser")

    def hostile(request):  # type: ignore[no-untyped-def]
        if broken["hostile"]:
            return 200, {"Content-Type": "text/html"}, b"\x00\x01<html>" + b"\x00" * 5000
        return 200, {"Content-Type": "text/html; charset=utf-8"}, article.replace(b"Omar Said", b"Samer Haddad")

    site.routes.update({"/feed/": throttled, "/article/": (200, {"Content-Type": "text/html; charset=utf-8"}, article),
                        "/slow/": slow, "/hostile/": hostile})
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    import os

    os.environ["FLOW_KOBO_TOKEN"] = KoboServer.TOKEN
    with session_scope(inbox) as session:
        repo.add_source(session, "kobo", "kobo", {"url": kobo.base, "asset": KoboServer.ASSET, "token_env": "FLOW_KOBO_TOKEN", **fast})
        repo.add_source(session, "feed", "down", {"url": f"http://127.0.0.1:{closed_port}/feed/", **fast})
        repo.add_source(session, "feed", "throttled", {"url": f"{site.base}/feed/", **fast})
        repo.add_source(session, "page", "slow", {"urls": [f"{site.base}/slow/"], **fast})
        repo.add_source(session, "page", "hostile", {"urls": [f"{site.base}/hostile/"], **fast})
    try:
        state = state_of(nightly(return_state=True))
        assert state.is_failed() and "4 of 6 sources failed" in state.message  # visible, and a non-zero exit
        failure = state.result(raise_on_failure=False)
        assert isinstance(failure, RunFailed)
        summary = failure.summary
        errors = {s["source"]: s["error"] for s in summary["sources"]}
        assert errors["inbox"] is None and next(s for s in summary["sources"] if s["source"] == "inbox")["new"] == 5
        assert "HTTP 500" in errors["kobo"]
        assert "could not connect" in errors["down"]
        assert "HTTP 429" in errors["throttled"]
        assert "timed out" in errors["slow"]
        hostile_row = next(s for s in summary["sources"] if s["source"] == "hostile")
        assert errors["hostile"] is None and hostile_row["failed"] == 1  # stored, set aside, named
        assert "binary data served as text/html" in summary_markdown(summary)
        assert summary["queue"]["queue_open"] == 2  # the healthy source's items went all the way
        listed = CliRunner().invoke(cli, ["runs", "--limit", "1"]).output
        assert "failing sources:" in listed and "kobo: source 'kobo'" in listed and "down: " in listed
        assert " Failed " in listed

        broken.update(throttled=False, slow=False, hostile=False)
        with session_scope(inbox) as session:
            repo.get_source(session, "down").enabled = False  # an operator retires the dead feed
        again = summary_of(nightly())
        new = {s["source"]: (s["new"], s["error"]) for s in again["sources"]}
        assert new == {"inbox": (0, None), "kobo": (3, None), "throttled": (1, None), "slow": (1, None), "hostile": (1, None)}
        assert again["extract"]["candidates"] == 6
        assert summary_of(nightly())["extract"]["items"] == 0  # and nothing more on a third run
    finally:
        kobo.stop()
        site.stop()
        os.environ.pop("FLOW_KOBO_TOKEN", None)
