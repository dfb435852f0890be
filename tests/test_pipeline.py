"""The steps of the path over row states: each re-runnable, failures kept per item."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from tawthiq import pipeline
from tawthiq.db import repo
from tawthiq.db.engine import session_scope
from tawthiq.db.models import Candidate, MatchLink, RawItem, ReviewTask

SARMIN = """Title: Two civilians killed in Sarmin
Published: 2024-03-12

On Monday, March 11, 2024, Syrian regime forces fired artillery shells at the market in Sarmin town in the eastern suburbs of Idlib governorate, killing a man, named as Mohammed Khalid al-Abdallah, 34.
"""


def queue_folder(engine, inbox: Path, documenter: str = "amal") -> None:  # type: ignore[no-untyped-def]
    """Read the text files of ``inbox`` as a news folder source, with one documenter account,
    through pull, extraction, matching and the queue: a queue as a nightly leaves it."""
    with session_scope(engine) as session:
        repo.add_source(session, "folder", "news", {"path": str(inbox)})
        repo.add_user(session, documenter, "a long password", "documenter")
    for step in (pipeline.pull, pipeline.extract_pending, pipeline.match_pending, pipeline.queue_pending):
        step(engine)


def write_inbox(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "good.json").write_text(json.dumps({
        "victim_name": "Mohammad Khaled al-Abdullah", "sex": "male", "age": "34",
        "date_of_death": "2024-03-11", "death_governorate": "Idlib", "death_locality": "Sarmin",
        "cause": "shelling", "perpetrator": "syrian_regime",
        "submitter_name": "Ahmad", "submitter_phone": "+90 555 000 0001",
    }), encoding="utf-8")
    (folder / "truncated.json").write_text('{"victim_name": "Omar", "age": "4', encoding="utf-8")
    (folder / "empty.json").write_bytes(b"")
    (folder / "latin1.txt").write_bytes("Title: x\n\nA man named as J\xe9r\xf4me was killed. \x00\x01".encode("latin-1"))
    (folder / "news.txt").write_text(SARMIN, encoding="utf-8")
    return folder


def add_folder(engine, folder: Path, name: str = "inbox") -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        repo.add_source(session, "folder", name, {"path": str(folder)})


def counts(engine) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        data = repo.status_counts(session)
        data["links"] = session.scalar(select(func.count()).select_from(MatchLink))
        return data


def test_whole_path_with_bad_items(engine, tmp_path) -> None:
    add_folder(engine, write_inbox(tmp_path / "inbox"))
    pulled = pipeline.pull(engine)
    assert pulled[0].new == 5 and pulled[0].error is None
    extracted = pipeline.extract_pending(engine)
    assert extracted.extracted == 2 and extracted.failed == 3
    errors = " | ".join(f["error"] for f in extracted.failures)
    assert "inbox/truncated.json: not valid JSON" in errors and "truncated" in errors
    assert "inbox/empty.json: the file is empty" in errors
    assert "inbox/latin1.txt" in errors
    matched = pipeline.match_pending(engine)
    assert matched.candidates == 2 and matched.candidate_links == 1  # form and news: one person
    queued = pipeline.queue_pending(engine)
    assert queued.queued == 2 and queued.incidents_queued == 1  # the news item's incident, to read
    state = counts(engine)
    assert state == {"raw_items": 5, "raw_failed": 3, "candidates": 2, "queue_open": 2, "queue_incidents": 1,
                     "victims": 0, "incidents": 0, "links": 1}
    with session_scope(engine) as session:
        tasks = list(session.scalars(select(ReviewTask)))
        assert all(t.has_match for t in tasks)
        news = session.scalar(select(Candidate).where(Candidate.extractor != "form"))
        assert "named as Mohammed Khalid al-Abdallah" in news.evidence
        item = session.get(RawItem, news.raw_item_id)
        assert item.published_at.date().isoformat() == "2024-03-12" and item.text


def test_every_step_is_idempotent(engine, tmp_path) -> None:
    add_folder(engine, write_inbox(tmp_path / "inbox"))
    for _ in range(2):
        pipeline.pull(engine)
        pipeline.extract_pending(engine)
        pipeline.match_pending(engine)
        pipeline.queue_pending(engine)
    assert counts(engine) == {"raw_items": 5, "raw_failed": 3, "candidates": 2, "queue_open": 2, "queue_incidents": 1,
                     "victims": 0, "incidents": 0, "links": 1}


def test_changed_file_is_a_new_version_that_retires_the_old_candidates(engine, tmp_path) -> None:
    folder = write_inbox(tmp_path / "inbox")
    add_folder(engine, folder)
    for step in (pipeline.pull, pipeline.extract_pending, pipeline.match_pending, pipeline.queue_pending):
        step(engine)
    data = json.loads((folder / "good.json").read_text())
    data["age"] = "35"
    (folder / "good.json").write_text(json.dumps(data))
    for step in (pipeline.pull, pipeline.extract_pending, pipeline.match_pending, pipeline.queue_pending):
        step(engine)
    with session_scope(engine) as session:
        versions = list(session.scalars(select(RawItem).where(RawItem.external_id == "good.json").order_by(RawItem.version)))
        assert [v.version for v in versions] == [1, 2] and versions[1].supersedes_id == versions[0].id
        old = session.scalar(select(Candidate).where(Candidate.raw_item_id == versions[0].id))
        new = session.scalar(select(Candidate).where(Candidate.raw_item_id == versions[1].id))
        assert old.state == "superseded" and old.review_task.state == "superseded"
        assert new.age == 35 and new.state == "queued"
    assert counts(engine)["queue_open"] == 2 and counts(engine)["queue_incidents"] == 1


def test_retry_failed_items_after_the_cause_is_fixed(engine, tmp_path) -> None:
    folder = write_inbox(tmp_path / "inbox")
    add_folder(engine, folder)
    pipeline.pull(engine)
    pipeline.extract_pending(engine)
    with session_scope(engine) as session:
        assert repo.retry_failed_items(session) == 3
    again = pipeline.extract_pending(engine)
    assert again.failed == 3 and again.extracted == 0  # same bytes, same failure, recorded again


def test_missing_folder_fails_the_source_not_the_run(engine, tmp_path) -> None:
    add_folder(engine, tmp_path / "nope", name="gone")
    add_folder(engine, write_inbox(tmp_path / "inbox"))
    results = {s.source: s for s in pipeline.pull(engine)}
    assert "does not exist" in results["gone"].error
    assert results["inbox"].new == 5
    with session_scope(engine) as session:
        assert repo.get_source(session, "gone").status == "failing"


def test_submitter_contact_is_kept_apart(engine, tmp_path) -> None:
    add_folder(engine, write_inbox(tmp_path / "inbox"))
    pipeline.pull(engine)
    pipeline.extract_pending(engine)
    with session_scope(engine) as session:
        cand = session.scalar(select(Candidate).where(Candidate.extractor == "form"))
        stored = json.dumps([cand.evidence, cand.field_evidence, cand.extra], ensure_ascii=False)
        assert "555 000" not in stored and "submitter" not in stored


def test_others_write_while_the_extractor_reads_a_new_item(engine, database_url, tmp_path, monkeypatch) -> None:
    """The extract step reads a new item with no transaction open: another connection, which
    gives up on a lock within 0.2 s, writes while the extractor runs, and the item is read and
    saved once."""
    from typing import Any

    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "news.txt").write_text(SARMIN, encoding="utf-8")
    add_folder(engine, folder)
    pipeline.pull(engine)
    if database_url.startswith("sqlite"):
        other = create_engine(database_url, connect_args={"timeout": 0.2})
    else:
        other = create_engine(database_url, connect_args={"options": "-c lock_timeout=200"})
    session = Session(other, expire_on_commit=False)
    real, read = pipeline.read_item, []

    def slow(item: Any, label: str) -> Any:
        with session.begin():  # a documenter's write, meanwhile
            repo.audit(session, None, "test.write", "raw_item", 0, {"while": label})
        read.append(label)
        return real(item, label)

    monkeypatch.setattr(pipeline, "read_item", slow)
    try:
        summary = pipeline.extract_pending(engine)
    finally:
        session.close()
        other.dispose()
    assert read == ["inbox/news.txt"] and (summary.extracted, summary.failed) == (1, 0)
    with session_scope(engine) as check:
        item = check.scalar(select(RawItem))
        assert item.state == "extracted"
        assert [c.full_name for c in check.scalars(select(Candidate))] == ["Mohammed Khalid al-Abdallah"]


def test_an_item_changed_while_it_is_read_is_read_again_from_what_is_stored(engine, tmp_path, monkeypatch) -> None:
    """If the item is no longer new when its reading would be saved (another run read it), the
    reading made outside the transaction is not saved over it."""
    from typing import Any

    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "news.txt").write_text(SARMIN, encoding="utf-8")
    add_folder(engine, folder)
    pipeline.pull(engine)
    real, calls = pipeline.read_item, []

    def racing(item: Any, label: str) -> Any:
        calls.append(label)
        if len(calls) == 1:  # another run reads and saves the item meanwhile
            monkeypatch.setattr(pipeline, "read_item", real)
            pipeline.extract_pending(engine)
            monkeypatch.setattr(pipeline, "read_item", racing)
        return real(item, label)

    monkeypatch.setattr(pipeline, "read_item", racing)
    summary = pipeline.extract_pending(engine)
    assert summary.extracted == 0
    with session_scope(engine) as check:
        assert check.scalar(select(func.count(Candidate.id))) == 1
