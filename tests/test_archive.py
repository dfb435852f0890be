"""Claims, decisions, undo and merge on the archive (db/archive.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tawthiq import pipeline
from tawthiq.db import archive, repo
from tawthiq.db.engine import session_scope
from tawthiq.db.models import AuditLog, Decision, ReviewTask, User, Victim, VictimHistory, VictimName, VictimSource, utcnow
from tawthiq.demo import copy_samples
from tawthiq.errors import ReviewError


def load_demo(engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    inbox = tmp_path / "inbox"
    copy_samples(inbox)
    with session_scope(engine) as session:
        repo.add_source(session, "folder", "demo", {"path": str(inbox)})
    for step in (pipeline.pull, pipeline.extract_pending, pipeline.match_pending, pipeline.queue_pending):
        step(engine)


@pytest.fixture
def demo(engine, tmp_path):  # type: ignore[no-untyped-def]
    load_demo(engine, tmp_path)
    with session_scope(engine) as session:
        for name, role in (("amal", "documenter"), ("bassel", "documenter"), ("chadi", "editor")):
            repo.add_user(session, name, "a long password", role)
    return engine


def user(session, name: str) -> User:  # type: ignore[no-untyped-def]
    return session.scalar(select(User).where(User.username == name))


def test_two_documenters_never_claim_the_same_item(demo) -> None:
    with session_scope(demo) as session:
        first = archive.claim_next(session, user(session, "amal"))
    with session_scope(demo) as session:
        second = archive.claim_next(session, user(session, "bassel"))
        assert first.id != second.id
        assert not archive.claim(session, first.id, user(session, "bassel"))
        with pytest.raises(ReviewError, match="being reviewed by amal"):
            archive.decide(session, session.get(ReviewTask, first.id), user(session, "bassel"), "new_victim")


def test_claims_expire(demo) -> None:
    with session_scope(demo) as session:
        task = archive.claim_next(session, user(session, "amal"))
        task.claim_expires_at = utcnow() - dt.timedelta(seconds=1)
    with session_scope(demo) as session:
        assert archive.claim(session, task.id, user(session, "bassel"))


def test_new_victim_same_as_undo_and_history(demo) -> None:
    with session_scope(demo) as session:
        amal = user(session, "amal")
        task = archive.claim_next(session, amal)
        decision = archive.decide(session, task, amal, "new_victim")
        victim_id = decision.victim_id
    with session_scope(demo) as session:
        victim = session.get(Victim, victim_id)
        assert victim.status == "active" and victim.full_name
        assert session.scalar(select(func.count()).select_from(VictimSource).where(VictimSource.victim_id == victim_id)) == 1
        assert session.scalars(select(VictimHistory.action).where(VictimHistory.victim_id == victim_id)).all() == ["created"]
        assert session.scalar(select(AuditLog).where(AuditLog.action == "decision.new_victim"))
        # a second report of someone else, decided as the same person, with the age taken from it
        other = archive.claim_next(session, amal)
        other.candidate.age = 99
        decision2 = archive.decide(session, other, amal, "same_as", victim_id=victim_id, choices={"age": "candidate"})
        assert session.get(Victim, victim_id).age == 99
        assert archive.independent_sources(session, session.get(Victim, victim_id)) >= 1
        with pytest.raises(ReviewError, match="needs the editor role"):
            archive.undo(session, decision2.id, amal)
        chadi = user(session, "chadi")
        archive.undo(session, decision2.id, chadi, "wrong person")
        restored = session.get(Victim, victim_id)
        assert restored.age != 99
        assert session.get(ReviewTask, other.id).state == "open"
        assert session.get(Decision, decision2.id).undone
        names = session.scalars(select(VictimName).where(VictimName.victim_id == victim_id, VictimName.active.is_(True))).all()
        assert all(n.candidate_id != other.candidate_id for n in names)
        with pytest.raises(ReviewError, match="already undone"):
            archive.undo(session, decision2.id, chadi)
        archive.undo(session, decision.id, chadi)
        assert session.get(Victim, victim_id).status == "retracted"  # never deleted
        history = session.scalars(select(VictimHistory.action).where(VictimHistory.victim_id == victim_id).order_by(VictimHistory.id)).all()
        assert history == ["created", "source_added", "undone", "undone"]


def test_not_a_victim_needs_a_reason_and_defer_keeps_it_queued(demo) -> None:
    with session_scope(demo) as session:
        amal = user(session, "amal")
        task = archive.claim_next(session, amal)
        with pytest.raises(ReviewError, match="choose why"):
            archive.decide(session, task, amal, "not_victim")
        archive.decide(session, task, amal, "not_victim", reason="injured")
        assert task.state == "done" and task.candidate.state == "decided"
        deferred = archive.claim_next(session, amal)
        archive.decide(session, deferred, amal, "defer")
        assert deferred.state == "deferred" and deferred.claimed_by_id is None
        with pytest.raises(ReviewError, match="already decided"):
            archive.decide(session, task, amal, "new_victim")


def test_merge_archived_victims(demo) -> None:
    with session_scope(demo) as session:
        amal, chadi = user(session, "amal"), user(session, "chadi")
        ids = []
        for _ in range(2):
            task = archive.claim_next(session, amal)
            ids.append(archive.decide(session, task, amal, "new_victim").victim_id)
        with pytest.raises(ReviewError, match="editor"):
            archive.merge_victims(session, ids[0], ids[1], amal)
        kept = archive.merge_victims(session, ids[0], ids[1], chadi)
        gone = session.get(Victim, ids[1])
        assert gone.status == "merged" and gone.merged_into_id == kept.id
        active_sources = session.scalar(select(func.count()).select_from(VictimSource).where(
            VictimSource.victim_id == kept.id, VictimSource.active.is_(True)))
        assert active_sources == 2


def test_search_by_arabic_or_latin_name(demo) -> None:
    with session_scope(demo) as session:
        amal = user(session, "amal")
        while True:
            task = archive.claim_next(session, amal)
            if task is None:
                break
            archive.decide(session, task, amal, "new_victim")
        by_latin = archive.search_victims(session, "Mustafa Ajaj")
        by_arabic = archive.search_victims(session, "مصطفى عجاج")
        assert by_latin and {v.id for v in by_latin} == {v.id for v in by_arabic}
        assert archive.search_victims(session, "", governorate="Daraa")
        assert all(v.date_of_death.startswith("2024-03") for v in archive.search_victims(session, None, "2024-03-01", "2024-03-31"))


def test_confirmed_matches_feed_the_matcher(demo) -> None:
    """A "same as" decision makes its link's levels a confirmed match for the next match run;
    an undone decision no longer counts."""
    from tawthiq.db.models import MatchLink

    labels = {"given_name": "same given name", "family_name": "family names differ", "date_of_death": "same date of death"}
    with session_scope(demo) as session:
        amal = user(session, "amal")
        first = archive.decide(session, archive.claim_next(session, amal), amal, "new_victim")
        other = archive.claim_next(session, amal)
        session.add(MatchLink(candidate_id=other.candidate_id, victim_id=first.victim_id, score=0.7,
                              method_version="test", explanation=[], levels=labels))
        session.flush()
        same = archive.decide(session, other, amal, "same_as", victim_id=first.victim_id)
        assert pipeline.confirmed_levels(session) == [labels]
        archive.undo(session, same.id, user(session, "chadi"), "not the same person")
        assert pipeline.confirmed_levels(session) == []
