"""`tawthiq reextract`: stored items read again when extraction improves, never over a
documenter's work; the old reading kept (superseded), the queue showing the new one only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from tawthiq import pipeline
from tawthiq.cli import cli, main
from tawthiq.db import archive, incidents, repo
from tawthiq.db.engine import create_db_engine, migrate_database, session_scope
from tawthiq.db.models import (
    AuditLog,
    Candidate,
    IncidentReport,
    IncidentTask,
    RawItem,
    ReviewTask,
    User,
)
from tawthiq.extractors import extractor_for

from .test_pipeline import SARMIN, write_inbox

OLD = "1.1.0"
NEWS, NEWS_VERSION = extractor_for("news")

ARIHA = """Title: A woman killed in Ariha
Published: 2024-04-02

On Monday, April 1, 2024, Russian warplanes struck a house in Ariha city in the southern suburbs of Idlib governorate, killing a woman, named as Fatima Ahmad al-Hassan, 41.
"""

WEATHER = """Title: Rain expected in Idlib

Heavy rain is expected in Idlib governorate this week, the weather office said.
"""


def build(engine, folder: Path) -> None:  # type: ignore[no-untyped-def]
    """A night as the nightly flow leaves it: a family form, two news items naming a victim each
    (with their incidents), one news item that reports no death, three items that failed."""
    inbox = write_inbox(folder / "inbox")
    (inbox / "ariha.txt").write_text(ARIHA, encoding="utf-8")
    (inbox / "weather.txt").write_text(WEATHER, encoding="utf-8")
    with session_scope(engine) as session:
        repo.add_source(session, "folder", "inbox", {"path": str(inbox)})
        repo.add_source(session, "folder", "other", {"path": str(folder / "other")})
        repo.add_user(session, "amal", "a long password", "editor")
    (folder / "other").mkdir()
    for step in (pipeline.pull, pipeline.extract_pending, pipeline.match_pending, pipeline.queue_pending):
        step(engine)


@pytest.fixture
def night(engine, database_url, database_snapshots):  # type: ignore[no-untyped-def]
    database_snapshots.restore(database_url, build)
    return engine


def item_id(engine, external_id: str) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return int(session.scalar(select(RawItem.id).where(RawItem.external_id == external_id)))


def read_with_older(engine, external_id: str, *, item_too: bool = True, **changes: Any) -> int:  # type: ignore[no-untyped-def]
    """Make an item's stored reading what an older extractor gave: its candidates and incident
    reports (and, with ``item_too``, the item) say version 1.1.0, and its first candidate has
    ``changes`` (what the older version read differently). Returns the item's id."""
    with session_scope(engine) as session:
        item = session.scalar(select(RawItem).where(RawItem.external_id == external_id))
        if item_too:
            item.extractor_version = OLD
        rows = list(session.scalars(select(Candidate).where(Candidate.raw_item_id == item.id).order_by(Candidate.seq)))
        for row in rows:
            row.extractor_version = OLD
        for field_name, value in changes.items():
            setattr(rows[0], field_name, value)
        for report in session.scalars(select(IncidentReport).where(IncidentReport.raw_item_id == item.id)):
            report.extractor_version = OLD
        return item.id


def snapshot(engine) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Everything reextract could change, to compare before and after."""
    with session_scope(engine) as session:
        def rows(sql: str) -> list[tuple[Any, ...]]:
            return [tuple(row) for row in session.execute(text(sql))]

        return {
            "items": rows("SELECT id, state, error, attempts, extractor, extractor_version, text FROM raw_items ORDER BY id"),
            "candidates": rows("SELECT id, raw_item_id, seq, state, full_name, extractor_version FROM candidates ORDER BY id"),
            "reports": rows("SELECT id, raw_item_id, seq, state, killed, extractor_version FROM incident_reports ORDER BY id"),
            "tasks": rows("SELECT id, candidate_id, state, claimed_by_id FROM review_tasks ORDER BY id"),
            "incident_tasks": rows("SELECT id, report_id, state, claimed_by_id FROM incident_tasks ORDER BY id"),
            "decisions": rows("SELECT id, action, undone FROM decisions ORDER BY id"),
            "links": rows("SELECT count(*) FROM match_links"),
            "audit": rows("SELECT count(*) FROM audit_log"),
        }


def item_snapshot(engine, raw_item_id: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """What is stored of one item's reading and the documenters' work on it."""
    with session_scope(engine) as session:
        def rows(sql: str) -> list[tuple[Any, ...]]:
            return [tuple(row) for row in session.execute(text(sql), {"item": raw_item_id})]

        candidates = "SELECT id FROM candidates WHERE raw_item_id = :item"
        reports = "SELECT id FROM incident_reports WHERE raw_item_id = :item"
        return {
            "item": rows("SELECT state, error, attempts, extractor, extractor_version, text FROM raw_items WHERE id = :item"),
            "candidates": rows("SELECT id, seq, state, full_name, age, extractor_version FROM candidates "
                               "WHERE raw_item_id = :item ORDER BY id"),
            "tasks": rows(f"SELECT id, state, claimed_by_id, claim_expires_at FROM review_tasks WHERE candidate_id IN ({candidates}) "
                          "ORDER BY id"),
            "decisions": rows(f"SELECT id, action, undone FROM decisions WHERE candidate_id IN ({candidates}) ORDER BY id"),
            "reports": rows("SELECT id, seq, state, killed, extractor_version FROM incident_reports WHERE raw_item_id = :item "
                            "ORDER BY id"),
            "incident_tasks": rows(f"SELECT id, state, claimed_by_id FROM incident_tasks WHERE report_id IN ({reports}) ORDER BY id"),
            "incident_decisions": rows(f"SELECT id, action FROM incident_decisions WHERE report_id IN ({reports}) ORDER BY id"),
        }


def open_queue(engine, raw_item_id: int) -> tuple[list[int], list[int]]:  # type: ignore[no-untyped-def]
    """The candidates and incident reports of an item that the queue shows."""
    with session_scope(engine) as session:
        people = list(session.scalars(select(ReviewTask.candidate_id).join(Candidate, Candidate.id == ReviewTask.candidate_id)
                                      .where(Candidate.raw_item_id == raw_item_id, ReviewTask.state.in_(("open", "deferred")))))
        reports = list(session.scalars(select(IncidentTask.report_id).join(IncidentReport, IncidentReport.id == IncidentTask.report_id)
                                       .where(IncidentReport.raw_item_id == raw_item_id,
                                              IncidentTask.state.in_(("open", "deferred")))))
        return people, reports


# --- the pipeline functions ---------------------------------------------------------------


def test_a_stale_item_is_read_again_and_its_old_reading_superseded_not_lost(night) -> None:
    sarmin = read_with_older(night, "news.txt", full_name="Mohammed Khalid", age=None)
    before = repo_counts(night)
    with session_scope(night) as session:
        old_candidate = session.scalar(select(Candidate).where(Candidate.raw_item_id == sarmin))
        old_report = session.scalar(select(IncidentReport).where(IncidentReport.raw_item_id == sarmin))
        old_ids = (old_candidate.id, old_report.id)
    summary = pipeline.reextract(night, by="operator")
    assert (summary.selected, summary.reread, summary.unchanged, summary.kept, summary.failed) == (1, 1, 0, 0, 0)
    assert summary.current == 3  # the form, Ariha and the weather item were read with the current versions
    assert (summary.candidates_superseded, summary.reports_superseded, summary.candidates_new, summary.reports_new) == (1, 1, 1, 1)
    assert summary.items[0]["before"] == f"{NEWS} {OLD}" and summary.items[0]["after"] == f"{NEWS} {NEWS_VERSION}"
    with session_scope(night) as session:
        old_candidate = session.get_one(Candidate, old_ids[0])
        old_report = session.get_one(IncidentReport, old_ids[1])
        # Kept, with the version it was read with, and out of the queue.
        assert old_candidate.state == "superseded" and old_candidate.review_task.state == "superseded"
        assert old_candidate.full_name == "Mohammed Khalid" and old_candidate.extractor_version == OLD
        assert old_report.state == "superseded" and old_report.task.state == "superseded" and old_report.extractor_version == OLD
        new = session.scalar(select(Candidate).where(Candidate.raw_item_id == sarmin, Candidate.id != old_ids[0]))
        assert new.full_name == "Mohammed Khalid al-Abdallah" and new.age == 34 and new.seq == 1
        assert new.extractor_version == NEWS_VERSION and new.state == "queued" and new.review_task.state == "open"
        new_report = session.scalar(select(IncidentReport).where(IncidentReport.raw_item_id == sarmin, IncidentReport.id != old_ids[1]))
        assert new_report.state == "queued" and new_report.seq == 1 and new.incident_report_id == new_report.id
        item = session.get_one(RawItem, sarmin)
        assert item.state == "extracted" and (item.extractor, item.extractor_version) == (NEWS, NEWS_VERSION)
        entry = session.scalar(select(AuditLog).where(AuditLog.action == "raw_item.reextract"))
        assert entry.details["superseded_candidates"] == [old_ids[0]] and entry.details["new_candidates"] == [new.id]
        assert entry.details["by"] == "operator"
        # The new reading meets the form's report of the same person in matching.
        assert new.review_task.has_match
    assert open_queue(night, sarmin) == ([new.id], [new_report.id])
    after = repo_counts(night)
    assert after["queue_open"] == before["queue_open"] and after["queue_incidents"] == before["queue_incidents"]
    assert after["candidates"] == before["candidates"] + 1  # the old one is still there
    # Idempotent: the second run finds nothing to read.
    state = snapshot(night)
    again = pipeline.reextract(night)
    assert (again.selected, again.reread, again.current) == (0, 0, 4)
    assert snapshot(night) == state


def repo_counts(engine) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return repo.status_counts(session)


def test_candidates_of_an_older_version_make_an_item_stale(night) -> None:
    """The item's own record of its reading may say the current version: its rows decide too."""
    ariha = read_with_older(night, "ariha.txt", item_too=False, full_name="Fatima Ahmad")
    summary = pipeline.reextract(night)
    assert summary.reread == 1 and summary.items[0]["id"] == ariha


def test_a_new_version_that_reads_the_same_changes_nothing_but_the_version(night, monkeypatch) -> None:
    monkeypatch.setattr("tawthiq.extractors.news.EXTRACTOR_VERSION", "9.0.0")
    before = snapshot(night)
    summary = pipeline.reextract(night)
    # The two news items naming a victim and the one that reports no death; the form is current.
    assert (summary.selected, summary.unchanged, summary.reread, summary.current) == (3, 3, 0, 1)
    after = snapshot(night)
    assert [c[:5] for c in after["candidates"]] == [c[:5] for c in before["candidates"]]  # the same rows, states
    assert after["tasks"] == before["tasks"] and after["incident_tasks"] == before["incident_tasks"]
    assert {c[5] for c in after["candidates"] if c[1] != item_id(night, "good.json")} == {"9.0.0"}
    with session_scope(night) as session:
        weather = session.get_one(RawItem, item_id(night, "weather.txt"))
        assert weather.extractor_version == "9.0.0"  # no row says it: the item does
    assert pipeline.reextract(night).selected == 0
    state = snapshot(night)
    assert pipeline.reextract(night, all_items=True).unchanged == 4  # --all: read again, the same: nothing written
    assert snapshot(night) == state


def amal(session) -> User:  # type: ignore[no-untyped-def]
    return session.scalar(select(User).where(User.username == "amal"))


def task_of(session, raw_item_id: int) -> ReviewTask:  # type: ignore[no-untyped-def]
    return session.scalar(select(ReviewTask).join(Candidate, Candidate.id == ReviewTask.candidate_id)
                          .where(Candidate.raw_item_id == raw_item_id))


def incident_task_of(session, raw_item_id: int) -> IncidentTask:  # type: ignore[no-untyped-def]
    return session.scalar(select(IncidentTask).join(IncidentReport, IncidentReport.id == IncidentTask.report_id)
                          .where(IncidentReport.raw_item_id == raw_item_id))


def _decided(session, raw_item_id: int) -> None:  # type: ignore[no-untyped-def]
    archive.decide(session, task_of(session, raw_item_id), amal(session), "new_victim")


def _claimed(session, raw_item_id: int) -> None:  # type: ignore[no-untyped-def]
    assert archive.claim(session, task_of(session, raw_item_id).id, amal(session))


def _claim_expired(session, raw_item_id: int) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    task = task_of(session, raw_item_id)
    assert archive.claim(session, task.id, amal(session))
    session.refresh(task)
    task.claim_expires_at = task.claim_expires_at - dt.timedelta(hours=1)


def _corrected(session, raw_item_id: int) -> None:  # type: ignore[no-untyped-def]
    task = task_of(session, raw_item_id)
    archive.correct_candidate(session, task, amal(session), {"age": "35"}, "the family says 35")
    archive.release(session, session.get_one(ReviewTask, task.id), amal(session))


def _deferred(session, raw_item_id: int) -> None:  # type: ignore[no-untyped-def]
    archive.decide(session, task_of(session, raw_item_id), amal(session), "defer", note="waiting for a second source")


def _undone(session, raw_item_id: int) -> None:  # type: ignore[no-untyped-def]
    decision = archive.decide(session, task_of(session, raw_item_id), amal(session), "not_victim", reason="injured")
    session.flush()
    archive.undo(session, decision.id, amal(session), note="read it wrong")


def _incident_decided(session, raw_item_id: int) -> None:  # type: ignore[no-untyped-def]
    incidents.decide(session, incident_task_of(session, raw_item_id), amal(session), "not_death", reason="no_death")


def _incident_claimed(session, raw_item_id: int) -> None:  # type: ignore[no-untyped-def]
    assert incidents.claim_task(session, incident_task_of(session, raw_item_id).id, amal(session))


def _victim_added_by_hand(session, raw_item_id: int) -> None:  # type: ignore[no-untyped-def]
    report = incident_task_of(session, raw_item_id).report
    incidents.add_victim_candidate(session, report, amal(session), "Omar al-Abdallah", "Omar al-Abdallah", {})


@pytest.mark.parametrize("work, why", [
    (_decided, "decided"), (_claimed, "claimed"), (_claim_expired, "claimed"), (_corrected, "corrected"),
    (_deferred, "deferred"), (_undone, "decided"), (_incident_decided, "decided"), (_incident_claimed, "claimed"),
    (_victim_added_by_hand, "added by a documenter"),
])
def test_an_item_a_documenter_worked_on_is_kept_as_it_is(night, work, why) -> None:
    sarmin = read_with_older(night, "news.txt", full_name="Mohammed Khalid")
    read_with_older(night, "ariha.txt", full_name="Fatima Ahmad")
    with session_scope(night) as session:
        work(session, sarmin)
    pipeline.match_pending(night)  # as the review app does after a documenter adds a victim
    pipeline.queue_pending(night)
    before = item_snapshot(night, sarmin)
    summary = pipeline.reextract(night)
    assert (summary.reread, summary.kept, summary.failed) == (1, 1, 0)  # Ariha goes on
    kept = next(row for row in summary.items if row["outcome"] == "kept")
    assert kept["id"] == sarmin and kept["detail"].endswith(why), kept["detail"]
    assert item_snapshot(night, sarmin) == before  # nothing of the kept item changed, no decision
    # Counted again on the next run, and still left alone.
    again = pipeline.reextract(night)
    assert (again.kept, again.reread) == (1, 0)


def test_an_item_that_now_fails_keeps_its_old_candidates_and_the_others_go_on(night, monkeypatch, tmp_path) -> None:
    from tawthiq.extractors import news

    sarmin = read_with_older(night, "news.txt", full_name="Mohammed Khalid")
    ariha = read_with_older(night, "ariha.txt", full_name="Fatima Ahmad")
    queued_before = open_queue(night, sarmin)
    real = news.extract_text

    def broken(text: str, **kwargs: Any) -> Any:
        if "Sarmin" in text:
            raise RuntimeError("a regression in 9.9")
        return real(text, **kwargs)

    monkeypatch.setattr(news, "extract_text", broken)
    summary = pipeline.reextract(night)
    assert (summary.reread, summary.failed) == (1, 1)
    failed = next(row for row in summary.items if row["outcome"] == "failed")
    assert failed["detail"] == "inbox/news.txt: extractor error: RuntimeError: a regression in 9.9"
    with session_scope(night) as session:
        item = session.get_one(RawItem, sarmin)
        assert item.state == "failed" and item.error == failed["detail"]
        assert sarmin in [i.id for i in repo.failed_items(session, None)]
    assert open_queue(night, sarmin) == queued_before  # the old reading stays in the queue
    # The same message the extract step records for an item it cannot read the same way.
    with session_scope(night) as session:
        repo.store_raw_item(session, repo.get_source(session, "other"), external_id="sarmin-again.txt",
                            content=SARMIN.encode(), kind="news", content_type="text/plain")
    extracted = pipeline.extract_pending(night)
    assert extracted.failures[0]["error"] == "other/sarmin-again.txt: extractor error: RuntimeError: a regression in 9.9"
    assert pipeline.reextract(night).selected == 0  # failed is not extracted: nothing more to do
    # The cause fixed, `failed retry` puts it back in line and the extract step reads it again
    # as reextract does: the old reading superseded, the new one queued, no duplicate seq.
    monkeypatch.setattr(news, "extract_text", real)
    with session_scope(night) as session:
        repo.retry_failed_items(session)
    retried = pipeline.extract_pending(night)
    assert {f["item"] for f in retried.failures} == {"inbox/empty.json", "inbox/latin1.txt", "inbox/truncated.json"}
    pipeline.match_pending(night)
    pipeline.queue_pending(night)
    people, reports = open_queue(night, sarmin)
    assert len(people) == 1 and len(reports) == 1 and people != queued_before[0]
    with session_scope(night) as session:
        states = sorted(session.scalars(select(Candidate.state).where(Candidate.raw_item_id == sarmin)))
        assert states == ["queued", "superseded"]
        assert session.get_one(RawItem, sarmin).extractor_version == NEWS_VERSION
    assert ariha


def test_a_failed_reading_retried_after_a_documenter_worked_on_it_stays_as_it_is(night, monkeypatch) -> None:
    from tawthiq.extractors import news

    sarmin = read_with_older(night, "news.txt", full_name="Mohammed Khalid")
    monkeypatch.setattr(news, "extract_text", lambda text, **kwargs: (_ for _ in ()).throw(RuntimeError("boom")))
    assert pipeline.reextract(night).failed == 1
    with session_scope(night) as session:
        _decided(session, sarmin)  # the old reading is still in the queue, and is decided
    monkeypatch.undo()
    with session_scope(night) as session:
        repo.retry_failed_items(session)
    before = snapshot(night)
    pipeline.extract_pending(night)
    after = snapshot(night)
    assert after["candidates"] == before["candidates"] and after["decisions"] == before["decisions"]
    with session_scope(night) as session:
        item = session.get_one(RawItem, sarmin)
        assert item.state == "extracted" and item.error is None and item.extractor_version == OLD


def test_dry_run_says_what_would_change_and_changes_nothing(night) -> None:
    read_with_older(night, "news.txt", full_name="Mohammed Khalid")
    read_with_older(night, "ariha.txt")
    before = snapshot(night)
    summary = pipeline.reextract(night, dry_run=True)
    assert (summary.reread, summary.unchanged, summary.candidates_new) == (1, 1, 1)
    assert summary.match is None and summary.queue is None
    assert snapshot(night) == before


def test_a_crash_midway_then_a_rerun_reads_each_item_once(night, monkeypatch) -> None:
    first, second = sorted((read_with_older(night, "news.txt", full_name="Mohammed Khalid"),
                            read_with_older(night, "ariha.txt", full_name="Fatima Ahmad")))
    real = repo.audit

    def crash_on_second(session, user_id, action, entity, entity_id, details=None):  # type: ignore[no-untyped-def]
        if action == "raw_item.reextract" and entity_id == second:
            raise KeyboardInterrupt("killed")  # inside the second item's transaction, after the first's commit
        return real(session, user_id, action, entity, entity_id, details)

    monkeypatch.setattr(repo, "audit", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        pipeline.reextract(night)
    monkeypatch.setattr(repo, "audit", real)
    with session_scope(night) as session:  # the first read (not yet matched), the second as it was
        assert sorted(session.scalars(select(Candidate.state).where(Candidate.raw_item_id == first))) == ["new", "superseded"]
        assert list(session.scalars(select(Candidate.state).where(Candidate.raw_item_id == second))) == ["queued"]
    # A crash after the items, before matching: the next run matches and queues what is new.
    monkeypatch.setattr(pipeline, "match_pending", lambda engine: (_ for _ in ()).throw(KeyboardInterrupt("killed")))
    with pytest.raises(KeyboardInterrupt):
        pipeline.reextract(night)
    monkeypatch.undo()
    summary = pipeline.reextract(night)
    assert summary.selected == 0 and summary.queue is not None
    for raw_item_id in (first, second):
        with session_scope(night) as session:
            states = sorted(session.scalars(select(Candidate.state).where(Candidate.raw_item_id == raw_item_id)))
            assert states == ["queued", "superseded"], (raw_item_id, states)
            reports = sorted(session.scalars(select(IncidentReport.state).where(IncidentReport.raw_item_id == raw_item_id)))
            assert reports == ["queued", "superseded"]
        people, incident_reports = open_queue(night, raw_item_id)
        assert len(people) == 1 and len(incident_reports) == 1
    with session_scope(night) as session:
        assert session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "raw_item.reextract")) == 2


def test_source_and_item_choose_what_is_read(night) -> None:
    sarmin = read_with_older(night, "news.txt", full_name="Mohammed Khalid")
    ariha = read_with_older(night, "ariha.txt", full_name="Fatima Ahmad")
    assert pipeline.reextract(night, source="other", dry_run=True).selected == 0
    summary = pipeline.reextract(night, item_ids=[ariha], dry_run=True)
    assert summary.selected == 1 and summary.items[0]["id"] == ariha
    form = item_id(night, "good.json")
    failed = item_id(night, "empty.json")
    summary = pipeline.reextract(night, item_ids=[sarmin, form, failed], dry_run=True)
    assert summary.selected == 1
    assert any(f"raw item {form}: read with form" in note and "--all" in note for note in summary.notes)
    assert any(f"raw item {failed} (inbox/empty.json): failed, not extracted" in note for note in summary.notes)
    assert pipeline.reextract(night, item_ids=[form], all_items=True, dry_run=True).unchanged == 1


# --- the command --------------------------------------------------------------------------


def test_the_command_reads_again_prints_a_summary_and_does_nothing_the_second_time(night) -> None:
    sarmin = read_with_older(night, "news.txt", full_name="Mohammed Khalid")
    runner = CliRunner()
    dry = runner.invoke(cli, ["reextract", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"inbox/news.txt: would read again ({NEWS} {OLD} -> {NEWS} {NEWS_VERSION})" in dry.output
    assert "dry run: nothing was changed" in dry.output
    result = runner.invoke(cli, ["reextract"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines() if line and not line[0].isspace()}
    assert lines["re-read"].split()[1] == "1" and lines["unchanged"].split()[1] == "0"
    assert lines["kept"].split()[1] == "0" and "a documenter has worked on it" in lines["kept"]
    assert lines["failed"].split()[1] == "0"
    assert "waiting for review" in result.output
    assert open_queue(night, sarmin)[0] != []
    status = json.loads(runner.invoke(cli, ["status", "--json"]).output)
    state = snapshot(night)
    again = runner.invoke(cli, ["reextract"])
    assert again.exit_code == 0, again.output
    lines = {line.split()[0]: line for line in again.output.splitlines() if line and not line[0].isspace()}
    assert lines["re-read"].split()[1] == "0" and lines["current"].split()[1] == "4"
    assert snapshot(night) == state
    assert json.loads(runner.invoke(cli, ["status", "--json"]).output) == status


def test_the_command_exits_1_when_an_item_failed_and_counts_the_kept(night, monkeypatch) -> None:
    from tawthiq.extractors import news

    sarmin = read_with_older(night, "news.txt", full_name="Mohammed Khalid")
    read_with_older(night, "ariha.txt", full_name="Fatima Ahmad")
    with session_scope(night) as session:
        _claimed(session, sarmin)
    monkeypatch.setattr(news, "extract_text", lambda text, **kwargs: (_ for _ in ()).throw(RuntimeError("boom")))
    result = CliRunner().invoke(cli, ["reextract", "--source", "inbox"])
    assert result.exit_code == 1, result.output
    assert "keep as it is" in result.output and "a documenter has worked on it (candidate" in result.output
    assert "inbox/ariha.txt: fail: inbox/ariha.txt: extractor error: RuntimeError: boom" in result.output


def test_the_command_refuses_unknown_items_and_sources_in_one_line(night, capsys) -> None:
    for args, message in ((["--item", "99999"], "error: no raw item 99999"), (["--source", "nope"], "error: no source named 'nope'")):
        with pytest.raises(SystemExit) as exit_info:
            main(["reextract", *args])
        assert exit_info.value.code == 1
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err


def test_the_command_waits_for_no_other_run(night) -> None:
    from tawthiq.db.locks import acquire_run_lock

    read_with_older(night, "news.txt", full_name="Mohammed Khalid")
    lock = acquire_run_lock(night, "tawthiq nightly run (test)")
    assert lock is not None
    try:
        before = snapshot(night)
        result = CliRunner().invoke(cli, ["reextract"])
        assert result.exit_code == 75 and "tawthiq nightly run (test)" in result.output
        assert snapshot(night) == before
        assert CliRunner().invoke(cli, ["reextract", "--dry-run"]).exit_code == 0  # reading needs no lock
    finally:
        lock.release()


def test_help_documents_the_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert "  reextract " in result.output
    sub = CliRunner().invoke(cli, ["reextract", "--help"])
    for option in ("--all", "--source", "--item", "--dry-run"):
        assert option in sub.output


# --- the migration ------------------------------------------------------------------------


def test_migration_takes_each_items_reading_from_its_rows(tmp_path) -> None:
    import importlib

    migration = importlib.import_module("tawthiq.db.migrations.versions.0012_raw_item_extractor_version")
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate_database(url, str(migration.down_revision))
    engine = create_db_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sources (id, name, kind, settings, cursor, enabled, status, created_at) "
                          "VALUES (1, 'inbox', 'folder', '{}', '{}', 1, 'ok', '2026-01-01')"))
        for raw in range(1, 6):
            conn.execute(text("INSERT INTO raw_items (id, source_id, external_id, version, kind, content, content_sha256, "
                              "headers, meta, fetched_at, state, attempts) VALUES (:id, 1, :ext, 1, 'news', x'00', :h, '{}', "
                              "'{}', '2026-01-01', 'extracted', 1)"), {"id": raw, "ext": f"r{raw}", "h": f"h{raw}"})
        rows = [(1, 0, "news", "1.1.0"), (1, 1, "news", "1.10.0"),  # the oldest counts (1.10 after 1.9, not before)
                (2, 0, "news", "1.9.0"), (2, 1, "news", "1.10.0"),
                (3, 0, "documenter", "1"),  # a documenter's own candidate is no reading
                (5, 0, "form", "1.0.0")]
        for raw, seq, extractor, version in rows:
            conn.execute(text("INSERT INTO candidates (raw_item_id, seq, perpetrator, cause, category, evidence, field_evidence, "
                              "extra, confidence, extractor, extractor_version, state, created_at) VALUES (:raw, :seq, "
                              "'unknown', 'unknown', 'civilian', '', '{}', '{}', 0.5, :ex, :v, 'queued', '2026-01-01')"),
                         {"raw": raw, "seq": seq, "ex": extractor, "v": version})
        conn.execute(text("INSERT INTO incident_reports (raw_item_id, seq, perpetrator, cause, named_victims, evidence, "
                          "field_evidence, notes, spans, extractor, extractor_version, state, created_at) VALUES "
                          "(4, 0, 'unknown', 'unknown', 0, '', '{}', '[]', '[]', 'news', '1.2.0', 'queued', '2026-01-01')"))
    engine.dispose()
    migrate_database(url)
    engine = create_db_engine(url)
    with engine.connect() as conn:
        found = {row[0]: (row[1], row[2]) for row in conn.execute(text("SELECT id, extractor, extractor_version FROM raw_items"))}
    engine.dispose()
    assert found == {1: ("news", "1.1.0"), 2: ("news", "1.9.0"), 3: (None, None), 4: ("news", "1.2.0"), 5: ("form", "1.0.0")}


def test_a_new_reading_that_no_longer_names_a_victim_leaves_the_item_for_a_documenter(night) -> None:
    """Nothing reported may vanish: if the older reading staged a name the new one does not
    give, the item is kept as it is (its queued candidate stays in the queue) and says so."""
    sarmin = read_with_older(night, "news.txt", full_name="Rami Walid Darwish", name_ar=None)
    summary = pipeline.reextract(night, by="operator")
    assert (summary.reread, summary.kept) == (0, 1)
    assert "no longer names Rami Walid Darwish" in summary.items[0]["detail"]
    with session_scope(night) as session:
        kept = session.scalar(select(Candidate).where(Candidate.raw_item_id == sarmin))
        assert kept.state == "queued" and kept.review_task.state == "open" and kept.full_name == "Rami Walid Darwish"


# --- the extractor runs outside the write transaction --------------------------------------


def impatient_session(database_url: str):  # type: ignore[no-untyped-def]
    """A session of another process's connection that gives up on a lock within 0.2 s (SQLite's
    busy timeout, PostgreSQL's lock_timeout) instead of tawthiq's 30 s: a write through it fails
    at once if a write transaction of reextract holds what it needs."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    if database_url.startswith("sqlite"):
        other = create_engine(database_url, connect_args={"timeout": 0.2})
    else:
        other = create_engine(database_url, connect_args={"options": "-c lock_timeout=200"})
    return other, Session(other, expire_on_commit=False)


def during_reading(monkeypatch, change) -> list[str]:  # type: ignore[no-untyped-def]
    """Make the extractor do ``change(label)`` before it reads each item (as if it took that
    long): returns the labels it read, in order."""
    real = pipeline.read_item
    read: list[str] = []

    def slow(item: RawItem, label: str) -> Any:
        read.append(label)
        change(label)
        return real(item, label)

    monkeypatch.setattr(pipeline, "read_item", slow)
    return read


def test_documenters_write_while_the_extractor_reads(night, database_url, monkeypatch) -> None:
    """No transaction is open while the extractor runs: another connection's decision on
    another item, with a busy timeout of 0.2 s, goes through at once, and the item read is
    read again as before."""
    sarmin = read_with_older(night, "news.txt", full_name="Mohammed Khalid")
    ariha = item_id(night, "ariha.txt")
    other, session = impatient_session(database_url)
    decided: list[str] = []

    def decide_ariha(label: str) -> None:
        with session.begin():
            archive.decide(session, task_of(session, ariha), amal(session), "not_victim", reason="injured")
            repo.audit(session, None, "test.write", "raw_item", ariha, {})
        decided.append(label)

    try:
        read = during_reading(monkeypatch, decide_ariha)
        summary = pipeline.reextract(night)
    finally:
        session.close()
        other.dispose()
    assert read == ["inbox/news.txt"] and decided == read
    assert (summary.reread, summary.kept, summary.failed) == (1, 0, 0)
    with session_scope(night) as check:
        assert task_of(check, ariha).state == "done"
        states = sorted(check.scalars(select(Candidate.state).where(Candidate.raw_item_id == sarmin)))
        assert states == ["queued", "superseded"]


def test_a_documenter_who_claims_the_item_while_it_is_read_keeps_it(night, database_url, monkeypatch) -> None:
    """A claim made while the extractor runs is not held behind it (it goes through within
    0.2 s) and is found when the reading would be applied: the item is kept as it is."""
    sarmin = read_with_older(night, "news.txt", full_name="Mohammed Khalid")
    before = item_snapshot(night, sarmin)
    other, session = impatient_session(database_url)

    def claim(label: str) -> None:
        with session.begin():
            assert archive.claim(session, task_of(session, sarmin).id, amal(session))

    try:
        during_reading(monkeypatch, claim)
        summary = pipeline.reextract(night)
    finally:
        session.close()
        other.dispose()
    assert (summary.reread, summary.kept) == (0, 1)
    assert summary.items[0]["id"] == sarmin and summary.items[0]["detail"].endswith("claimed")
    after = item_snapshot(night, sarmin)
    assert after["candidates"] == before["candidates"] and after["reports"] == before["reports"]
    assert after["item"] == before["item"]
    assert [t[2] for t in after["tasks"]] != [None]  # claimed, by the documenter
    with session_scope(night) as check:
        assert check.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "raw_item.reextract")) == 0


def test_a_decision_made_while_the_item_is_read_stands_and_the_reading_is_not_written(night, monkeypatch) -> None:
    sarmin = read_with_older(night, "news.txt", full_name="Mohammed Khalid")

    def decide(label: str) -> None:
        with session_scope(night) as session:
            _decided(session, sarmin)

    during_reading(monkeypatch, decide)
    summary = pipeline.reextract(night)
    assert (summary.reread, summary.kept) == (0, 1) and summary.items[0]["detail"].endswith("decided")
    with session_scope(night) as session:
        candidates = list(session.scalars(select(Candidate).where(Candidate.raw_item_id == sarmin)))
        assert [(c.state, c.full_name, c.extractor_version) for c in candidates] == [("decided", "Mohammed Khalid", OLD)]
        assert task_of(session, sarmin).state == "done"
        assert session.scalar(select(func.count()).select_from(IncidentReport)
                              .where(IncidentReport.raw_item_id == sarmin)) == 1


def test_a_run_that_lost_the_race_to_another_writes_nothing(night, monkeypatch) -> None:
    """Another run reads the item while this one's extractor runs: the other's reading is
    applied once, and this run, finding the item changed, reads what is stored now (current
    already) and leaves it."""
    sarmin = read_with_older(night, "news.txt", full_name="Mohammed Khalid")
    others: list[Any] = []

    def another_run(label: str) -> None:
        if not others:
            others.append(None)
            others[0] = pipeline.reextract_item(night, sarmin, by="the other run")

    read = during_reading(monkeypatch, another_run)
    summary = pipeline.reextract(night, by="this run")
    assert others[0] is not None and others[0].outcome == "reread"
    assert read == ["inbox/news.txt", "inbox/news.txt"]  # this run's reading, and the other's inside it
    assert (summary.selected, summary.reread, summary.unchanged, summary.kept, summary.failed) == (1, 0, 0, 0, 0)
    with session_scope(night) as session:
        states = sorted(session.scalars(select(Candidate.state).where(Candidate.raw_item_id == sarmin)))
        assert states == ["queued", "superseded"]  # one new reading, not two
        reports = sorted(session.scalars(select(IncidentReport.state).where(IncidentReport.raw_item_id == sarmin)))
        assert reports == ["queued", "superseded"]
        entries = list(session.scalars(select(AuditLog).where(AuditLog.action == "raw_item.reextract")))
        assert [e.details["by"] for e in entries] == ["the other run"]
    assert len(open_queue(night, sarmin)[0]) == 1


def test_an_item_whose_text_changed_while_it_was_read_is_read_again_from_the_new(night, monkeypatch) -> None:
    """Any change the extractor did not read from (here the item's text, as another run's
    reading leaves it) sends the item back to be read from what is stored now."""
    sarmin = read_with_older(night, "news.txt", full_name="Mohammed Khalid")
    changed: list[str] = []

    def change_text(label: str) -> None:
        if not changed:
            changed.append(label)
            with session_scope(night) as session:
                session.get_one(RawItem, sarmin).text = "a text another run left"

    read = during_reading(monkeypatch, change_text)
    summary = pipeline.reextract(night)
    assert read == ["inbox/news.txt", "inbox/news.txt"] and summary.reread == 1
    with session_scope(night) as session:
        entry = session.scalar(select(AuditLog).where(AuditLog.action == "raw_item.reextract"))
        assert entry.details["text_before"] == "a text another run left"  # what it replaced is what was stored


def test_a_dry_run_reads_outside_any_write_and_changes_nothing(night, database_url, monkeypatch) -> None:
    read_with_older(night, "news.txt", full_name="Mohammed Khalid")
    before = snapshot(night)
    other, session = impatient_session(database_url)

    def write(label: str) -> None:
        with session.begin():
            repo.audit(session, None, "test.write", "raw_item", None, {})

    try:
        during_reading(monkeypatch, write)
        summary = pipeline.reextract(night, dry_run=True)
    finally:
        session.close()
        other.dispose()
    assert summary.reread == 1
    after = snapshot(night)
    assert after["audit"][0][0] == before["audit"][0][0] + 1  # the other connection's entry only
    assert {k: v for k, v in after.items() if k != "audit"} == {k: v for k, v in before.items() if k != "audit"}


# --- the text a superseded reading was read from -------------------------------------------


def test_a_superseded_reading_keeps_the_text_it_was_read_from(night) -> None:
    sarmin = read_with_older(night, "news.txt", full_name="Mohammed Khalid")
    with session_scope(night) as session:
        item = session.get_one(RawItem, sarmin)
        current_text = item.text
        old_text = "What the old cleaning left: Mohammed Khalid was killed in Sarmin."
        item.text = old_text  # an older extractor cleaned the page differently
        first_ids = [c.id for c in session.scalars(select(Candidate).where(Candidate.raw_item_id == sarmin))]
    assert pipeline.reextract(night).reread == 1
    with session_scope(night) as session:
        item = session.get_one(RawItem, sarmin)
        assert item.text == current_text  # the item holds the new reading's text
        entry = session.scalar(select(AuditLog).where(AuditLog.action == "raw_item.reextract"))
        assert entry.details["text_changed"] is True and entry.details["text_before"] == old_text
        readings = pipeline.superseded_readings(session, sarmin)
        assert len(readings) == 1
        assert [c.id for c in readings[0].candidates] == first_ids and len(readings[0].reports) == 1
        assert readings[0].text == old_text and readings[0].text_known
        assert readings[0].extractors == [f"{NEWS} {OLD}"] and readings[0].replaced_by == f"{NEWS} {NEWS_VERSION}"
        second_ids = [c.id for c in session.scalars(select(Candidate).where(Candidate.raw_item_id == sarmin,
                                                                             Candidate.state != "superseded"))]
    # Read again with the same text: the entry says the text did not change and keeps none;
    # the reading it replaced was read from the item's text, the first still from the old one.
    with session_scope(night) as session:
        in_force = session.get_one(Candidate, second_ids[0])
        in_force.full_name, in_force.extractor_version = "Mohammed Khalid", OLD
    assert pipeline.reextract(night).reread == 1
    with session_scope(night) as session:
        entries = list(session.scalars(select(AuditLog).where(AuditLog.action == "raw_item.reextract").order_by(AuditLog.id)))
        assert entries[1].details["text_changed"] is False and "text_before" not in entries[1].details
        newest, oldest = pipeline.superseded_readings(session, sarmin)
        assert [c.id for c in newest.candidates] == second_ids and newest.text == current_text
        assert [c.id for c in oldest.candidates] == first_ids and oldest.text == old_text
        # An entry written before the text was kept: the text of the readings up to it is not known.
        entries[1].details = {k: v for k, v in entries[1].details.items() if k != "text_changed"}
    with session_scope(night) as session:
        newest, oldest = pipeline.superseded_readings(session, sarmin)
        assert (newest.text, newest.text_known) == (None, False)
        assert (oldest.text, oldest.text_known) == (old_text, True)  # the entry after it kept it


def test_an_unchanged_reading_keeps_no_text(night, monkeypatch) -> None:
    monkeypatch.setattr("tawthiq.extractors.news.EXTRACTOR_VERSION", "9.0.0")
    assert pipeline.reextract(night).unchanged == 3
    sarmin = item_id(night, "news.txt")
    with session_scope(night) as session:
        entries = list(session.scalars(select(AuditLog).where(AuditLog.action == "raw_item.reextract")))
        assert entries and all("text_before" not in e.details for e in entries)
        assert pipeline.superseded_readings(session, sarmin) == []


def test_a_crash_while_the_extractor_reads_then_a_rerun_reads_each_item_once(night, monkeypatch) -> None:
    """Killed while the extractor runs (no transaction open), nothing of that item is written;
    the next run reads it, and the items read before stay read once."""
    first, second = sorted((read_with_older(night, "news.txt", full_name="Mohammed Khalid"),
                            read_with_older(night, "ariha.txt", full_name="Fatima Ahmad")))
    second_label = "inbox/ariha.txt" if second == item_id(night, "ariha.txt") else "inbox/news.txt"

    def killed(label: str) -> None:
        if label == second_label:
            raise KeyboardInterrupt("killed")

    during_reading(monkeypatch, killed)
    with pytest.raises(KeyboardInterrupt):
        pipeline.reextract(night)
    with session_scope(night) as session:
        assert sorted(session.scalars(select(Candidate.state).where(Candidate.raw_item_id == first))) == ["new", "superseded"]
        assert list(session.scalars(select(Candidate.state).where(Candidate.raw_item_id == second))) == ["queued"]
    monkeypatch.undo()
    summary = pipeline.reextract(night)
    assert (summary.selected, summary.reread) == (1, 1)
    for raw_item_id in (first, second):
        with session_scope(night) as session:
            states = sorted(session.scalars(select(Candidate.state).where(Candidate.raw_item_id == raw_item_id)))
            assert states == ["queued", "superseded"], (raw_item_id, states)
    with session_scope(night) as session:
        assert session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "raw_item.reextract")) == 2
