"""Claims, decisions, undo and merge on the archive (db/archive.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select

from tawthiq import pipeline
from tawthiq.db import archive, repo
from tawthiq.db.engine import session_scope
from tawthiq.db.models import (
    AuditLog,
    Candidate,
    CandidateHistory,
    Decision,
    MatchLink,
    ReviewTask,
    User,
    Victim,
    VictimHistory,
    VictimName,
    VictimSource,
    utcnow,
)
from tawthiq.demo import copy_samples
from tawthiq.errors import ReviewError


def load_demo(engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    inbox = tmp_path / "inbox"
    copy_samples(inbox)
    with session_scope(engine) as session:
        repo.add_source(session, "folder", "demo", {"path": str(inbox)})
    for step in (pipeline.pull, pipeline.extract_pending, pipeline.match_pending, pipeline.queue_pending):
        step(engine)


def load_demo_and_users(engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    load_demo(engine, tmp_path)
    with session_scope(engine) as session:
        for name, role in (("amal", "documenter"), ("bassel", "documenter"), ("chadi", "editor")):
            repo.add_user(session, name, "a long password", role)


@pytest.fixture
def demo(engine, database_url, database_snapshots):  # type: ignore[no-untyped-def]
    database_snapshots.restore(database_url, load_demo_and_users)  # built once per session
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
            archive.undo(session, decision2.id, user(session, "bassel"))  # someone else's decision
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


# --- undo undoes exactly one decision (each order) ------------------------------------------------


def three_reports(session, who: User) -> list[ReviewTask]:  # type: ignore[no-untyped-def]
    """Three queued reports with distinct ages and places, to tell whose value a field holds."""
    tasks: list[ReviewTask] = []
    for _ in range(3):
        tasks.append(archive.claim_next(session, who, skip={t.id for t in tasks}))
    for task, age, place in zip(tasks, (30, 40, 50), ("Ariha", "Saraqib", "Binnish")):
        task.candidate.age, task.candidate.death_locality, task.candidate.sex = age, place, "male"
    session.flush()
    return tasks


def active_sources(session, victim_id: int) -> set[int]:  # type: ignore[no-untyped-def]
    return set(session.scalars(select(VictimSource.candidate_id).where(VictimSource.victim_id == victim_id,
                                                                        VictimSource.active.is_(True))))


def test_undoing_the_origin_keeps_a_victim_a_later_report_backs(demo) -> None:
    with session_scope(demo) as session:
        amal, chadi = user(session, "amal"), user(session, "chadi")
        a, b, _ = three_reports(session, amal)
        first = archive.decide(session, a, amal, "new_victim")
        second = archive.decide(session, b, amal, "same_as", victim_id=first.victim_id, choices={"death_locality": "candidate"})
        archive.undo(session, first.id, chadi, "report A was of someone else")
        victim = session.get(Victim, first.victim_id)
        # Report B now backs it alone, and is its origin: every field is B's.
        assert victim.status == "active"
        assert (victim.age, victim.death_locality, victim.full_name) == (40, "Saraqib", b.candidate.full_name)
        assert active_sources(session, victim.id) == {b.candidate_id}
        assert session.get(ReviewTask, b.id).state == "done"  # B still reaches the archive
        assert session.get(ReviewTask, a.id).state == "open"  # A goes back to a person
        note = session.scalars(select(VictimHistory.note).where(VictimHistory.victim_id == victim.id)
                               .order_by(VictimHistory.id.desc())).first()
        assert f"decision {second.id} is now its origin" in note
        archive.undo(session, second.id, chadi)
        assert session.get(Victim, first.victim_id).status == "retracted"  # nothing backs it now


def test_undoing_a_same_as_keeps_what_later_decisions_set(demo) -> None:
    with session_scope(demo) as session:
        amal, chadi = user(session, "amal"), user(session, "chadi")
        a, b, c = three_reports(session, amal)
        first = archive.decide(session, a, amal, "new_victim")
        second = archive.decide(session, b, amal, "same_as", victim_id=first.victim_id, choices={"age": "candidate"})
        archive.decide(session, c, amal, "same_as", victim_id=first.victim_id, choices={"death_locality": "candidate"})
        victim = session.get(Victim, first.victim_id)
        assert (victim.age, victim.death_locality) == (40, "Binnish")
        archive.undo(session, second.id, chadi)
        # Only B's choice goes: the age is A's again, the place C chose stays.
        assert (victim.age, victim.death_locality) == (30, "Binnish")
        assert active_sources(session, victim.id) == {a.candidate_id, c.candidate_id}


def test_undoing_the_last_of_three_and_then_the_first(demo) -> None:
    with session_scope(demo) as session:
        amal, chadi = user(session, "amal"), user(session, "chadi")
        a, b, c = three_reports(session, amal)
        first = archive.decide(session, a, amal, "new_victim")
        archive.decide(session, b, amal, "same_as", victim_id=first.victim_id, choices={"age": "candidate"})
        third = archive.decide(session, c, amal, "same_as", victim_id=first.victim_id, choices={"age": "candidate"})
        victim = session.get(Victim, first.victim_id)
        assert victim.age == 50
        archive.undo(session, third.id, chadi)
        assert victim.age == 40
        archive.undo(session, first.id, chadi)
        assert victim.status == "active" and victim.age == 40 and victim.death_locality == "Saraqib"


def test_an_editors_edit_stays_in_force_when_decisions_are_undone(demo) -> None:
    with session_scope(demo) as session:
        amal, chadi = user(session, "amal"), user(session, "chadi")
        a, b, _ = three_reports(session, amal)
        first = archive.decide(session, a, amal, "new_victim")
        victim = session.get(Victim, first.victim_id)
        with pytest.raises(ReviewError, match="editor"):
            archive.edit_victim(session, victim, amal, {"age": "33"}, "the death certificate says 33")
        with pytest.raises(ReviewError, match="say why"):
            archive.edit_victim(session, victim, chadi, {"age": "33"}, "")
        with pytest.raises(ReviewError, match="age: '300' is not an age"):
            archive.edit_victim(session, victim, chadi, {"age": "300", "death_locality": "Idlib"}, "why")
        assert victim.death_locality == "Ariha"  # one bad value refuses the whole edit
        changed = archive.edit_victim(session, victim, chadi, {"age": "33", "death_locality": "Ariha"}, "the death certificate says 33")
        assert changed == {"age": 33}
        second = archive.decide(session, b, amal, "same_as", victim_id=victim.id, choices={"death_locality": "candidate"})
        archive.undo(session, second.id, chadi)
        assert (victim.age, victim.death_locality) == (33, "Ariha")
        row = session.scalars(select(VictimHistory).where(VictimHistory.victim_id == victim.id,
                                                           VictimHistory.action == "edited")).one()
        assert row.user_id == chadi.id and row.note == "the death certificate says 33"
        assert (row.before["age"], row.after["age"]) == (30, 33)


def test_a_new_name_from_an_edit_is_searchable(demo) -> None:
    with session_scope(demo) as session:
        amal, chadi = user(session, "amal"), user(session, "chadi")
        victim = session.get(Victim, archive.decide(session, archive.claim_next(session, amal), amal, "new_victim").victim_id)
        archive.edit_victim(session, victim, chadi, {"name_ar": "زكريا حمدو"}, "the family's spelling")
        assert victim.id in {v.id for v in archive.search_victims(session, "زكريا حمدو")}
        with pytest.raises(ReviewError, match="not in Arabic script"):
            archive.edit_victim(session, victim, chadi, {"name_ar": "Zakaria"}, "why")


def test_undoing_a_merged_report_leaves_the_record_kept(demo) -> None:
    with session_scope(demo) as session:
        amal, chadi = user(session, "amal"), user(session, "chadi")
        a, b, _ = three_reports(session, amal)
        a.candidate.origin_locality = None
        b.candidate.origin_locality = "Kafr Nabl"
        first = archive.decide(session, a, amal, "new_victim")
        other = archive.decide(session, b, amal, "new_victim")
        kept = archive.merge_victims(session, first.victim_id, other.victim_id, chadi)
        assert kept.origin_locality == "Kafr Nabl" and active_sources(session, kept.id) == {a.candidate_id, b.candidate_id}
        archive.undo(session, other.id, chadi, "report B was of his cousin")
        assert kept.status == "active" and active_sources(session, kept.id) == {a.candidate_id}
        assert kept.origin_locality is None  # it came only from B's report


def test_documenters_undo_their_own_decisions_for_a_while(demo) -> None:
    with session_scope(demo) as session:
        amal, bassel = user(session, "amal"), user(session, "bassel")
        mine = archive.decide(session, archive.claim_next(session, amal), amal, "new_victim")
        with pytest.raises(ReviewError, match="documenters may undo their own decisions for 10 minutes"):
            archive.undo(session, mine.id, bassel)
        archive.undo(session, mine.id, amal, "pressed n by mistake")
        assert session.get(Victim, mine.victim_id).status == "retracted"
        late = archive.decide(session, archive.claim_next(session, amal), amal, "not_victim", reason="injured")
        late.created_at = utcnow() - dt.timedelta(minutes=archive.UNDO_MINUTES + 1)
        with pytest.raises(ReviewError, match="needs the editor role"):
            archive.undo(session, late.id, amal)


# --- corrections before deciding -------------------------------------------------------------


def test_a_documenter_corrects_a_staged_field_before_deciding(demo) -> None:
    with session_scope(demo) as session:
        amal, bassel = user(session, "amal"), user(session, "bassel")
        task = session.scalars(select(ReviewTask).where(ReviewTask.state == "open").order_by(ReviewTask.id)).first()
        assert task.claimed_by_id is None
        with pytest.raises(ReviewError, match="date_of_death: '2024-02-30' is not a date"):
            archive.correct_candidate(session, task, amal, {"date_of_death": "2024-02-30"}, "why")
        changed = archive.correct_candidate(session, task, amal, {"date_of_death": "2024-03-01", "age": "41"},
                                            "the post gives Saturday 2 March")
        assert "date_of_death" in changed and task.claimed_by_id == amal.id  # correcting is a first action: it claims
        with pytest.raises(ReviewError, match="being reviewed by amal"):
            archive.correct_candidate(session, task, bassel, {"age": "20"}, "why")
        row = session.scalars(select(CandidateHistory).where(CandidateHistory.candidate_id == task.candidate_id)).one()
        assert row.user_id == amal.id and row.after["date_of_death"] == "2024-03-01" and row.note.startswith("the post")
        victim = session.get(Victim, archive.decide(session, task, amal, "new_victim").victim_id)
        assert (victim.date_of_death, victim.age) == ("2024-03-01", 41)  # the archive takes the corrected value
        with pytest.raises(ReviewError, match="already decided"):
            archive.correct_candidate(session, task, amal, {"age": "20"}, "why")


# --- re-scoring queued reports against victims archived later -----------------------------------------


def ajaj_tasks(session) -> list[ReviewTask]:  # type: ignore[no-untyped-def]
    """The two queued reports of Mustafa Ajaj: the hospital strike's news item and a form."""
    rows = session.scalars(select(ReviewTask).join(Candidate, Candidate.id == ReviewTask.candidate_id)
                           .where(Candidate.full_name.like("Mustafa M%Ajaj")).order_by(ReviewTask.id)).all()
    assert len(rows) == 2, [r.candidate.full_name for r in rows]
    return list(rows)


def test_a_report_is_compared_with_a_victim_archived_after_it_was_queued(demo) -> None:
    with session_scope(demo) as session:
        amal = user(session, "amal")
        first, second = ajaj_tasks(session)
        session.execute(delete(MatchLink).where(MatchLink.candidate_id == second.candidate_id))
        victim_id = archive.decide(session, first, amal, "new_victim").victim_id
        assert archive.best_matches(session, second.candidate) == []
        found = archive.rescore_candidate(session, second.candidate)
        assert [v.id for _, v in found] == [victim_id]
        assert [v.id for _, v in archive.best_matches(session, second.candidate)] == [victim_id]
        assert second.has_match and second.candidate.scored_through_victim_id == victim_id
        assert archive.rescore_candidate(session, second.candidate) == []  # once


def test_every_nightly_compares_the_queue_with_newly_archived_victims(demo) -> None:
    with session_scope(demo) as session:
        amal = user(session, "amal")
        first, second = ajaj_tasks(session)
        session.execute(delete(MatchLink).where(MatchLink.candidate_id == second.candidate_id))
        second.has_match, second.best_score = False, None
        victim_id = archive.decide(session, first, amal, "new_victim").victim_id
        second_id = second.id
    summary = pipeline.match_pending(demo)
    assert summary.rescored >= 1 and summary.archive_links >= 1
    with session_scope(demo) as session:
        task = session.get(ReviewTask, second_id)
        assert task.has_match and [v.id for _, v in archive.best_matches(session, task.candidate)] == [victim_id]
    assert pipeline.match_pending(demo).rescored == 0  # nothing new since


def test_same_as_any_victim_and_a_merged_number_means_the_record_kept(demo) -> None:
    with session_scope(demo) as session:
        amal, chadi = user(session, "amal"), user(session, "chadi")
        a, b, c = three_reports(session, amal)
        one = archive.decide(session, a, amal, "new_victim").victim_id
        two = archive.decide(session, b, amal, "new_victim").victim_id
        archive.merge_victims(session, one, two, chadi)
        decision = archive.decide(session, c, amal, "same_as", victim_id=two)
        assert decision.victim_id == one


def test_a_latin_spelling_read_several_ways_finds_the_arabic_name(demo) -> None:
    """Munther's th may be ذ (منذر) or ث/س: the name key follows the learnt lexicon, and the
    search looks for every reading's key, so "Munther" finds منذر whatever the key chose (and
    Mansour, منصور, keeps its own key)."""
    with session_scope(demo) as session:
        amal, chadi = user(session, "amal"), user(session, "chadi")
        victim = session.get(Victim, archive.decide(session, archive.claim_next(session, amal), amal, "new_victim").victim_id)
        archive.edit_victim(session, victim, chadi, {"name_ar": "منذر فاضل رمضان"}, "the family's spelling")
        for spelling in ("Munther Fadhel Ramadhan", "Monther Fadel Ramadan", "منذر فاضل رمضان"):
            assert victim.id in {v.id for v in archive.search_victims(session, spelling)}, spelling
