"""The KoboToolbox connector (sources/kobo.py) through the real pipeline against a local KPI
API v2 stand-in: token auth, paging by ``next``, the ``_submission_time`` watermark over
several runs, idempotent re-pulls, edits superseding, attachments, submitter encryption and
every fault."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tawthiq import pipeline
from tawthiq.db import repo
from tawthiq.db.engine import session_scope
from tawthiq.db.models import Attachment, Candidate, RawItem, Source, SubmitterContact

from .formservers import JPEG, KoboServer, family_answers

FAST = {"delay": 0, "timeout": 2, "retries": 2, "backoff": 0.01}


@pytest.fixture
def kobo(monkeypatch: pytest.MonkeyPatch) -> Iterator[KoboServer]:
    server = KoboServer()
    server.start()
    monkeypatch.setenv("KOBO_TOKEN", KoboServer.TOKEN)
    yield server
    server.stop()


def add_kobo(engine, server: KoboServer, name: str = "kobo", **settings) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        repo.add_source(session, "kobo", name, {"url": server.base, "asset": KoboServer.ASSET, "token_env": "KOBO_TOKEN",
                                                **FAST, **settings})


def items(engine) -> list[RawItem]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        rows = list(session.scalars(select(RawItem).order_by(RawItem.id)))
        session.expunge_all()
        return rows


def test_pages_watermark_and_idempotent_reruns(engine, kobo: KoboServer) -> None:
    for n in range(5):
        kobo.add(family_answers(f"Ahmad Khaled {chr(65 + n)}"), f"2024-01-0{n + 1}T10:00:00")
    add_kobo(engine, kobo, page_size=2)
    first = pipeline.pull_source(engine, "kobo")
    assert (first.fetched, first.new, first.error) == (5, 5, None)
    data_requests = kobo.hits(f"/api/v2/assets/{KoboServer.ASSET}/data/")
    assert len(data_requests) == 3  # 2 + 2 + 1, following next
    assert all(r.headers["authorization"] == f"Token {KoboServer.TOKEN}" for r in data_requests)
    assert "limit=2" in data_requests[0].path and "query" not in data_requests[0].path
    with session_scope(engine) as session:
        cursor = session.scalar(select(Source)).cursor
    assert cursor["watermark"] == "2024-01-05T10:00:00"

    kobo.add(family_answers("Omar Said"), "2024-01-07T08:00:00")
    second = pipeline.pull_source(engine, "kobo")
    assert (second.new, second.unchanged) == (1, 1)  # the boundary submission comes back, recognised
    latest = kobo.hits(f"/api/v2/assets/{KoboServer.ASSET}/data/")[-1].path
    assert "%24gte" in latest and "2024-01-05T10%3A00%3A00" in latest
    third = pipeline.pull_source(engine, "kobo")
    assert third.new == 0
    assert len(items(engine)) == 6


def test_submitter_details_encrypted_and_answers_extracted(engine, kobo: KoboServer) -> None:
    kobo.add(family_answers("محمد أحمد الحسين", **{"group_victim/victim_name_other": "Mohammad Ahmad al-Hussein"}),
             "2024-02-01T09:00:00", photo=JPEG)
    add_kobo(engine, kobo)
    assert pipeline.pull_source(engine, "kobo").new == 1
    [item] = items(engine)
    assert b"+963 944" not in item.content and b"Fatima" not in item.content
    with session_scope(engine) as session:
        contact = session.scalar(select(SubmitterContact))
        assert contact.consent_follow_up is True
        from tawthiq.crypto import decrypt_json

        assert decrypt_json(contact.ciphertext)["group_submitter/submitter_contact"] == "+963 944 000 111"
        [attachment] = session.scalars(select(Attachment)).all()
        assert (attachment.name, attachment.content, len(attachment.content_sha256)) == ("photo_1.jpg", JPEG, 64)
    pipeline.extract_pending(engine)
    with session_scope(engine) as session:
        candidate = session.scalar(select(Candidate))
        assert candidate.name_ar == "محمد أحمد الحسين"
        assert candidate.full_name == "Mohammad Ahmad al-Hussein"
        assert candidate.age == 35  # Arabic-Indic digits
        assert (candidate.death_governorate, candidate.cause, candidate.perpetrator) == ("Idlib", "airstrike", "russian_forces")


def test_edit_supersedes_on_full_sweep(engine, kobo: KoboServer) -> None:
    sub = kobo.add(family_answers("Yamen Darwish"), "2024-03-01T09:00:00")
    legacy = kobo.add(family_answers("Hasan Ali"), "2024-03-02T09:00:00", root_uuid=False)
    add_kobo(engine, kobo)
    pipeline.pull_source(engine, "kobo")
    kobo.edit(sub, **{"group_victim/age": "12"})
    kobo.edit(legacy, **{"group_victim/victim_name": "Hassan Ali Darwish"})
    # KoboToolbox keeps _submission_time on edit, so an incremental pull sees only the edit of
    # the submission at the watermark ...
    assert pipeline.pull_source(engine, "kobo").new == 1
    # ... a full sweep sees the other, and stores only what changed.
    swept = pipeline.pull_source(engine, "kobo", full=True)
    assert (swept.new, swept.unchanged) == (1, 1)
    rows = items(engine)
    assert len(rows) == 4
    by_id = {r.id: r for r in rows}
    edited = [r for r in rows if r.supersedes_id]
    assert len(edited) == 2
    root_edit = next(r for r in edited if r.external_id == rows[0].external_id)
    assert root_edit.version == 2 and by_id[root_edit.supersedes_id].external_id == rows[0].external_id
    legacy_edit = next(r for r in edited if r is not root_edit)
    assert by_id[legacy_edit.supersedes_id].external_id == legacy["_uuid"]
    with session_scope(engine) as session:
        assert session.scalar(select(Source)).cursor["last_full_sweep"]


def test_sweep_runs_when_due(engine, kobo: KoboServer) -> None:
    kobo.add(family_answers("Ali Hasan"), "2024-03-01T09:00:00")
    add_kobo(engine, kobo, sweep_days=0)
    pipeline.pull_source(engine, "kobo")
    pipeline.pull_source(engine, "kobo")
    assert "query" not in kobo.hits(f"/api/v2/assets/{KoboServer.ASSET}/data/")[-1].path


def test_unsorted_server_moves_watermark_only_at_the_end(engine, kobo: KoboServer) -> None:
    kobo.honour_sort = False
    for day in (5, 1, 3):
        kobo.add(family_answers(f"Name {day} Person"), f"2024-04-0{day}T00:00:00")
    add_kobo(engine, kobo, page_size=1)
    cursors: list[dict] = []
    from tawthiq.sources.kobo import KoboConnector

    with session_scope(engine) as session:
        settings = dict(session.scalar(select(Source)).settings)
    for entry in KoboConnector().fetch("kobo", settings, {}):
        if hasattr(entry, "cursor"):
            cursors.append(entry.cursor)
    assert [c["watermark"] for c in cursors] == ["2024-04-05T00:00:00"]


def test_bad_token_marks_source_failing_and_others_go_on(engine, kobo: KoboServer, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("KOBO_TOKEN", "wrong")
    add_kobo(engine, kobo)
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "one.json").write_text(json.dumps({"victim_name": "Ali Hasan"}))
    with session_scope(engine) as session:
        repo.add_source(session, "folder", "files", {"path": str(tmp_path / "forms")})
    results = {s.source: s for s in pipeline.pull(engine)}
    assert "refused the credentials (HTTP 401)" in results["kobo"].error
    assert "wrong" not in results["kobo"].error  # the token is never echoed
    assert results["files"].new == 1 and results["files"].error is None
    with session_scope(engine) as session:
        source = session.scalar(select(Source).where(Source.name == "kobo"))
        assert source.status == "failing" and "HTTP 401" in source.last_error
        assert "wrong" not in json.dumps(source.settings)


def test_missing_token_variable(engine, kobo: KoboServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KOBO_TOKEN")
    add_kobo(engine, kobo)
    assert "environment variable KOBO_TOKEN (its token) is not set" in pipeline.pull_source(engine, "kobo").error


def test_403_names_permissions(engine, kobo: KoboServer) -> None:
    kobo.faults.add("/api/v2/", (403, {"Content-Type": "application/json"}, b'{"detail":"You do not have permission to perform this action."}'))
    add_kobo(engine, kobo, retries=0)
    error = pipeline.pull_source(engine, "kobo").error
    assert "HTTP 403" in error and "permissions" in error


def test_429_with_retry_after_then_500_are_retried(engine, kobo: KoboServer) -> None:
    kobo.add(family_answers("Ali Hasan"), "2024-03-01T09:00:00")
    kobo.faults.add("/api/v2/", (429, {"Retry-After": "1", "Content-Type": "application/json"}, b'{"detail":"Request was throttled."}'))
    kobo.faults.add("/api/v2/", (500, {"Content-Type": "text/html"}, b"<h1>Server Error (500)</h1>"))
    add_kobo(engine, kobo)
    summary = pipeline.pull_source(engine, "kobo")
    assert (summary.new, summary.error) == (1, None)
    hits = kobo.hits(f"/api/v2/assets/{KoboServer.ASSET}/data/")
    assert len(hits) == 3 and hits[1].at - hits[0].at >= 0.9  # waited for Retry-After


def test_500_every_time_keeps_the_cursor_where_it_was(engine, kobo: KoboServer) -> None:
    for n in range(3):
        kobo.add(family_answers(f"Person {chr(65 + n)} Hasan"), f"2024-01-0{n + 1}T10:00:00")
    add_kobo(engine, kobo, page_size=2)
    # the second page fails every attempt: the first page's items are stored, the cursor stays
    # where it was, and the next run stores the rest without doubling the first page
    original = kobo._data

    def flaky(request):  # type: ignore[no-untyped-def]
        if "start=2" in request.path:
            return 502, {"Content-Type": "text/html"}, b"<html>Bad Gateway</html>"
        return original(request)

    kobo.routes[f"/api/v2/assets/{KoboServer.ASSET}/data/"] = flaky
    summary = pipeline.pull_source(engine, "kobo")
    assert summary.new == 2 and "HTTP 502" in summary.error
    with session_scope(engine) as session:
        assert "watermark" not in session.scalar(select(Source)).cursor
    kobo.routes[f"/api/v2/assets/{KoboServer.ASSET}/data/"] = original
    again = pipeline.pull_source(engine, "kobo")
    assert (again.new, again.unchanged, again.error) == (1, 2, None)
    assert len(items(engine)) == 3


def test_malformed_and_truncated_pages(engine, kobo: KoboServer) -> None:
    kobo.add(family_answers("Ali Hasan"), "2024-03-01T09:00:00")
    add_kobo(engine, kobo, retries=0)
    kobo.faults.add("/api/v2/", (200, {"Content-Type": "application/json"}, b'{"count": 1, "results": [{"_id": 1, "_uu'))
    assert "did not return valid JSON" in pipeline.pull_source(engine, "kobo").error
    kobo.faults.add("/api/v2/", (200, {"Content-Type": "text/html"}, b"<html><body>Please log in</body></html>"))
    assert "served as text/html, expected application/json" in pipeline.pull_source(engine, "kobo").error
    kobo.faults.add("/api/v2/", (200, {"Content-Type": "application/json"}, b'{"detail": "Not found."}'))
    assert "not a KoboToolbox data page" in pipeline.pull_source(engine, "kobo").error
    assert pipeline.pull_source(engine, "kobo").new == 1


def test_timeout_is_a_clear_source_error(engine, kobo: KoboServer) -> None:
    add_kobo(engine, kobo, timeout=0.3, retries=1)
    kobo.faults.add("/api/v2/", "slow:1", times=2)
    error = pipeline.pull_source(engine, "kobo").error
    assert "timed out after 2 attempts" in error


def test_bad_submissions_fail_alone(engine, kobo: KoboServer) -> None:
    kobo.add(family_answers(""), "2024-03-01T09:00:00")  # empty name
    kobo.add(family_answers("Ali Hasan", **{"group_victim/age": "about forty", "group_death/date_of_death": "15/12/2023",
                                            "group_death/death_governorate": "Idleb"}), "2024-03-02T09:00:00")
    kobo.add(family_answers("<script>alert(1)</script>Samer Haddad", **{"group_victim/age": ["not", "a", "number"]}),
             "2024-03-03T09:00:00")
    add_kobo(engine, kobo)
    pipeline.pull_source(engine, "kobo")
    summary = pipeline.extract_pending(engine)
    assert (summary.extracted, summary.failed) == (2, 1)
    assert "the victim's name is empty" in summary.failures[0]["error"]
    with session_scope(engine) as session:
        rows = {c.full_name: c for c in session.scalars(select(Candidate))}
    assert rows["Ali Hasan"].date_of_death == "2023-12-15" and rows["Ali Hasan"].age is None
    assert rows["Ali Hasan"].death_governorate == "Idlib"
    assert "Samer Haddad" in rows and rows["Samer Haddad"].age is None


def test_cli_adds_kobo_source_without_storing_the_token(database_url: str) -> None:
    from click.testing import CliRunner

    from tawthiq.cli import cli

    result = CliRunner().invoke(cli, ["sources", "add", "kobo", "k1", "--url", "https://kf.kobotoolbox.org/",
                                      "--asset", "aXecHjmb", "--token-env", "KOBO_TOKEN", "--map", "full_name=name_of_victim"])
    assert result.exit_code == 0, result.output
    listed = CliRunner().invoke(cli, ["sources", "list"]).output
    assert "k1" in listed and "token_env=KOBO_TOKEN" in listed
    missing = CliRunner().invoke(cli, ["sources", "add", "kobo", "k2", "--url", "https://kf.kobotoolbox.org"])
    assert missing.exit_code == 2 and "--asset" in missing.output


def test_enormous_page_is_refused_with_its_size(engine, kobo: KoboServer) -> None:
    kobo.add(family_answers("Ali Hasan", **{"group_death/account": "x" * 200_000}), "2024-03-01T09:00:00")
    add_kobo(engine, kobo, max_bytes=100_000)
    error = pipeline.pull_source(engine, "kobo").error
    assert "over the 100,000-byte limit" in error and "/api/v2/assets/" in error


def test_token_from_a_prefect_secret_block(engine, kobo: KoboServer, prefect_harness) -> None:  # type: ignore[no-untyped-def]
    from prefect.blocks.system import Secret

    # As the docs write it: the block's validator wraps the raw value, which its field type does not say.
    Secret(value=KoboServer.TOKEN).save("kobo-token", overwrite=True)  # type: ignore[arg-type]
    kobo.add(family_answers("Ali Hasan"), "2024-03-01T09:00:00")
    with session_scope(engine) as session:
        repo.add_source(session, "kobo", "kobo", {"url": kobo.base, "asset": KoboServer.ASSET, "token_block": "kobo-token", **FAST})
    assert pipeline.pull_source(engine, "kobo").new == 1
