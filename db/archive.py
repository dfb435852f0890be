"""The verification queue and the archive: claims, decisions, undo, merge, search.

Every function here takes a session and does not commit: the caller (a web request) commits
once, so a decision, the archive write it causes, the victim's history and the audit entry
land together or not at all. Nothing is ever deleted: a retracted victim keeps its row with
status ``retracted``, an undone decision keeps its row with ``undone`` set and is named by
the ``undo`` decision that reverses it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import and_, func, or_, select, union, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from tawthiq.errors import ReviewError

from .models import (
    CAND_DECIDED,
    CAND_QUEUED,
    TASK_DEFERRED,
    TASK_DONE,
    TASK_OPEN,
    AuditLog,
    Candidate,
    Decision,
    MatchLink,
    RawItem,
    ReviewTask,
    Source,
    User,
    Victim,
    VictimHistory,
    VictimName,
    VictimSource,
    utcnow,
)
from .repo import audit

CLAIM_MINUTES = 15
ROLE_RANK = {"documenter": 1, "editor": 2, "admin": 3}
#: Fields a documenter chooses between when a candidate is the same as an archived victim.
CHOOSABLE = ("sex", "age", "is_child", "date_of_death", "death_governorate", "death_locality", "origin_governorate",
             "origin_locality", "perpetrator", "cause", "category")
REJECT_REASONS = ("injured", "combatant", "not_a_death", "insufficient_information", "duplicate")


def has_role(user: User, role: str) -> bool:
    return ROLE_RANK.get(user.role, 0) >= ROLE_RANK[role]


def require(user: User, role: str, action: str) -> None:
    if not has_role(user, role):
        raise ReviewError(f"{action} needs the {role} role; you are a {user.role}")


# --- queue ------------------------------------------------------------------------------


@dataclass
class QueueFilters:
    source: str | None = None
    governorate: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    has_match: bool | None = None
    older_than_days: int | None = None
    include_deferred: bool = True


def queue_query(filters: QueueFilters):  # type: ignore[no-untyped-def]
    """Open (and deferred) tasks matching the filters, oldest first."""
    states = (TASK_OPEN, TASK_DEFERRED) if filters.include_deferred else (TASK_OPEN,)
    query = select(ReviewTask).where(ReviewTask.state.in_(states))
    # Joined only when a filter needs them: unfiltered, the oldest tasks come straight from
    # review_tasks, and a page's candidates are loaded after the LIMIT, not before.
    if filters.source or filters.governorate or filters.date_from or filters.date_to:
        query = query.join(Candidate, Candidate.id == ReviewTask.candidate_id)
    if filters.source:
        query = (query.join(RawItem, RawItem.id == Candidate.raw_item_id).join(Source, Source.id == RawItem.source_id)
                 .where(Source.name == filters.source))
    if filters.governorate:
        query = query.where(Candidate.death_governorate == filters.governorate)
    if filters.date_from:
        query = query.where(Candidate.date_of_death >= filters.date_from)
    if filters.date_to:
        query = query.where(Candidate.date_of_death <= filters.date_to + "\uffff")
    if filters.has_match is not None:
        query = query.where(ReviewTask.has_match == filters.has_match)
    if filters.older_than_days:
        query = query.where(ReviewTask.created_at <= utcnow() - dt.timedelta(days=filters.older_than_days))
    # Deferred items wait behind open ones: they are waiting for corroboration.
    return query.order_by((ReviewTask.state == TASK_DEFERRED).asc(), ReviewTask.created_at.asc(), ReviewTask.id.asc())


def queue_counts(session: Session, user: User) -> dict[str, int]:
    def count(*where: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(ReviewTask).where(*where)) or 0)

    now = utcnow()
    return {
        "open": count(ReviewTask.state == TASK_OPEN),
        "deferred": count(ReviewTask.state == TASK_DEFERRED),
        "with_match": count(ReviewTask.state.in_((TASK_OPEN, TASK_DEFERRED)), ReviewTask.has_match.is_(True)),
        "claimed_by_others": count(ReviewTask.state.in_((TASK_OPEN, TASK_DEFERRED)), ReviewTask.claimed_by_id.is_not(None),
                                   ReviewTask.claimed_by_id != user.id, ReviewTask.claim_expires_at > now),
        "decided_today": int(session.scalar(select(func.count()).select_from(Decision).where(
            Decision.created_at >= now.replace(hour=0, minute=0, second=0, microsecond=0))) or 0),
    }


def claim(session: Session, task_id: int, user: User, model: Any = ReviewTask) -> bool:
    """Claim a task for ``user`` if nobody else holds a live claim on it. Atomic on SQLite
    (the transaction holds the write lock) and PostgreSQL (the UPDATE's row lock). ``model``
    is the queue: ``ReviewTask`` (people) or ``IncidentTask`` (incidents to read)."""
    now = utcnow()
    # An UPDATE's result is a CursorResult (with rowcount); Session.execute is typed for any statement.
    result = cast("CursorResult[Any]", session.execute(
        update(model)
        .where(
            model.id == task_id,
            model.state.in_((TASK_OPEN, TASK_DEFERRED)),
            or_(model.claimed_by_id.is_(None), model.claimed_by_id == user.id, model.claim_expires_at < now),
        )
        .values(claimed_by_id=user.id, claimed_at=now, claim_expires_at=now + dt.timedelta(minutes=CLAIM_MINUTES))
        .execution_options(synchronize_session=False)
    ))
    if result.rowcount == 1:
        session.expire_all()
        return True
    return False


def claim_next(session: Session, user: User, filters: QueueFilters | None = None, skip: set[int] | None = None) -> ReviewTask | None:
    """Claim the oldest unclaimed task matching ``filters`` (or one the user already holds)."""
    filters = filters or QueueFilters()
    now = utcnow()
    query = queue_query(filters).where(
        or_(ReviewTask.claimed_by_id.is_(None), ReviewTask.claimed_by_id == user.id, ReviewTask.claim_expires_at < now)
    )
    if skip:
        query = query.where(ReviewTask.id.not_in(skip))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=ReviewTask)
    for task in session.scalars(query.limit(20)).all():
        if claim(session, task.id, user):
            return session.get(ReviewTask, task.id)
    return None


def release(session: Session, task: Any, user: User) -> None:
    if task.claimed_by_id == user.id:
        task.claimed_by_id = None
        task.claimed_at = None
        task.claim_expires_at = None


def check_claim(task: Any, user: User) -> None:
    """Refuse an action on a task that is decided, or that another documenter holds."""
    if task.state not in (TASK_OPEN, TASK_DEFERRED):
        raise ReviewError(f"item {task.id} was already decided")
    now = utcnow()
    if task.claimed_by_id not in (None, user.id) and task.claim_expires_at and task.claim_expires_at > now:
        other = task.claimed_by.username if task.claimed_by else "another documenter"
        raise ReviewError(f"item {task.id} is being reviewed by {other}; it is theirs until their claim expires")


# --- decisions -------------------------------------------------------------------------------


def _candidate_values(candidate: Candidate) -> dict[str, Any]:
    return {field: getattr(candidate, field) for field in ("full_name", "name_ar", *CHOOSABLE)}


def victim_values(victim: Victim) -> dict[str, Any]:
    return {field: getattr(victim, field) for field in ("full_name", "name_ar", *CHOOSABLE, "died_in_detention", "status")}


def name_key(name: str) -> str:
    """The stored search key of a name: its cross-script key, or the name itself when it has
    none, cut to the column's length. Migrations that recompute keys use it too."""
    from tawthiq.dedupe import normalize_name

    return normalize_name(name)[:500] or name[:500]


def _add_names(session: Session, victim: Victim, candidate: Candidate) -> None:
    existing = {n.name for n in session.scalars(select(VictimName).where(VictimName.victim_id == victim.id))}
    variants = [candidate.full_name, candidate.name_ar, *((candidate.extra or {}).get("name_variants") or [])]
    for name in variants:
        if name and name not in existing:
            script = "arabic" if any("\u0600" <= ch <= "\u06ff" for ch in name) else "latin"
            session.add(VictimName(victim_id=victim.id, name=name, script=script, key=name_key(name),
                                   candidate_id=candidate.id))
            existing.add(name)


def _add_source(session: Session, victim: Victim, candidate: Candidate, decision: Decision) -> None:
    item = candidate.raw_item
    url = (item.meta or {}).get("canonical_url") or item.url
    found = session.scalar(select(VictimSource).where(VictimSource.victim_id == victim.id, VictimSource.candidate_id == candidate.id))
    if found is not None:
        found.active = True
        found.decision_id = decision.id
        return
    session.add(VictimSource(victim_id=victim.id, candidate_id=candidate.id, raw_item_id=item.id, source_id=item.source_id,
                             url=url, evidence=candidate.evidence, decision_id=decision.id))


def close_task(task: Any) -> None:
    """A queue task (a person's or an incident's) decided: closed now, nobody's claim."""
    task.state = TASK_DONE
    task.closed_at = utcnow()
    task.claimed_by_id = None
    task.claim_expires_at = None


def _close(task: ReviewTask, candidate: Candidate) -> None:
    close_task(task)
    candidate.state = CAND_DECIDED


def _history(session: Session, victim: Victim, decision: Decision | None, user: User, action: str,
             before: dict[str, Any], after: dict[str, Any], note: str | None = None) -> None:
    session.add(VictimHistory(victim_id=victim.id, decision_id=decision.id if decision else None, user_id=user.id,
                              action=action, before=_json(before), after=_json(after), note=note))


def _json(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in values.items()}


def decide(session: Session, task: ReviewTask, user: User, action: str, *, victim_id: int | None = None,
           reason: str | None = None, choices: dict[str, str] | None = None, note: str | None = None) -> Decision:
    """Record a documenter's decision on a queued candidate and write what it implies.

    ``action`` is ``new_victim``, ``same_as`` (with ``victim_id`` and ``choices``: field →
    ``"candidate"`` or ``"archive"``), ``not_victim`` (with a ``reason``) or ``defer``.
    """
    check_claim(task, user)
    candidate = task.candidate
    if action not in ("new_victim", "same_as", "not_victim", "defer"):
        raise ReviewError(f"unknown action {action!r}")
    if action == "not_victim" and reason not in REJECT_REASONS:
        raise ReviewError(f"choose why this is not a victim: {', '.join(REJECT_REASONS)}")
    decision = Decision(review_task_id=task.id, candidate_id=candidate.id, user_id=user.id, action=action,
                        reason=(reason or note), field_choices=choices or {})
    session.add(decision)
    session.flush()
    victim: Victim | None
    if action == "new_victim":
        values = _candidate_values(candidate)
        victim = Victim(**values, died_in_detention=(candidate.extra or {}).get("died_in_detention"))
        session.add(victim)
        session.flush()
        decision.victim_id = victim.id
        _add_names(session, victim, candidate)
        _add_source(session, victim, candidate, decision)
        _history(session, victim, decision, user, "created", {}, victim_values(victim), note)
        _close(task, candidate)
        link_victim_to_incident(session, victim, candidate, user)
    elif action == "same_as":
        victim = session.get(Victim, victim_id) if victim_id else None
        if victim is None or victim.status != "active":
            raise ReviewError(f"archived victim {victim_id} does not exist or is not active")
        before = victim_values(victim)
        for field_name, choice in (choices or {}).items():
            if field_name in CHOOSABLE and choice == "candidate":
                value = getattr(candidate, field_name)
                if value is not None:
                    setattr(victim, field_name, value)
        if victim.name_ar is None and candidate.name_ar:
            victim.name_ar = candidate.name_ar
        victim.updated_at = utcnow()
        decision.victim_id = victim.id
        _add_names(session, victim, candidate)
        _add_source(session, victim, candidate, decision)
        _history(session, victim, decision, user, "source_added", before, victim_values(victim), note)
        _close(task, candidate)
        link_victim_to_incident(session, victim, candidate, user)
    elif action == "not_victim":
        _close(task, candidate)
    else:  # defer: waits for corroboration, stays in the queue behind open items
        task.state = TASK_DEFERRED
        release(session, task, user)
        candidate.state = CAND_QUEUED
    audit(session, user.id, f"decision.{action}", "candidate", candidate.id,
          {"task": task.id, "decision": decision.id, "victim": decision.victim_id, "reason": reason})
    return decision


def link_victim_to_incident(session: Session, victim: Victim, candidate: Candidate, user: User) -> None:
    """A named victim whose report's incident is archived joins it: one fewer anonymous."""
    from .incidents import link_victim

    link_victim(session, victim, candidate, user)


def undo(session: Session, decision_id: int, user: User, note: str | None = None) -> Decision:
    """Reverse a decision (editors): the archive returns to its state before it, the item goes
    back to the queue, and a new ``undo`` decision records who did it and why."""
    require(user, "editor", "undoing a decision")
    original = session.get(Decision, decision_id)
    if original is None or original.action == "undo":
        raise ReviewError(f"decision {decision_id} does not exist or cannot be undone")
    if original.undone:
        raise ReviewError(f"decision {decision_id} was already undone")
    later = session.scalar(select(Decision).where(Decision.candidate_id == original.candidate_id, Decision.id > original.id,
                                                  Decision.undone.is_(False), Decision.action != "undo"))
    if later is not None:
        raise ReviewError(f"decision {decision_id} was followed by decision {later.id} on the same item; undo that one first")
    task = session.get_one(ReviewTask, original.review_task_id)
    candidate = session.get_one(Candidate, original.candidate_id)
    undo_decision = Decision(review_task_id=task.id, candidate_id=candidate.id, user_id=user.id, action="undo",
                             undoes_id=original.id, victim_id=original.victim_id, reason=note)
    session.add(undo_decision)
    session.flush()
    if original.victim_id and original.action in ("new_victim", "same_as"):
        victim = session.get_one(Victim, original.victim_id)
        before = victim_values(victim)
        for source in session.scalars(select(VictimSource).where(VictimSource.victim_id == victim.id,
                                                                 VictimSource.candidate_id == candidate.id)):
            source.active = False
        for name in session.scalars(select(VictimName).where(VictimName.victim_id == victim.id, VictimName.candidate_id == candidate.id)):
            name.active = False
        if original.action == "new_victim":
            victim.status = "retracted"
        else:
            previous = session.scalar(select(VictimHistory).where(VictimHistory.decision_id == original.id))
            if previous is not None:
                for field_name in CHOOSABLE:
                    if field_name in previous.before:
                        setattr(victim, field_name, previous.before[field_name])
        victim.updated_at = utcnow()
        _history(session, victim, undo_decision, user, "undone", before, victim_values(victim),
                 note or f"decision {original.id} ({original.action}) undone")
    original.undone = True
    task.state = TASK_OPEN
    task.closed_at = None
    task.claimed_by_id = None
    task.claim_expires_at = None
    candidate.state = CAND_QUEUED
    audit(session, user.id, "decision.undo", "decision", original.id, {"undo": undo_decision.id, "note": note})
    return undo_decision


def merge_victims(session: Session, keep_id: int, merge_id: int, user: User, note: str | None = None) -> Victim:
    """Merge archived victim ``merge_id`` into ``keep_id`` (editors): sources and names move,
    the merged record stays with status ``merged`` pointing at the one kept."""
    require(user, "editor", "merging archived victims")
    if keep_id == merge_id:
        raise ReviewError("a victim cannot be merged into itself")
    keep, gone = session.get(Victim, keep_id), session.get(Victim, merge_id)
    if keep is None or gone is None or keep.status != "active" or gone.status != "active":
        raise ReviewError("both victims must exist and be active to merge them")
    before_keep, before_gone = victim_values(keep), victim_values(gone)
    for field_name in CHOOSABLE:
        if getattr(keep, field_name) is None and getattr(gone, field_name) is not None:
            setattr(keep, field_name, getattr(gone, field_name))
    if keep.name_ar is None:
        keep.name_ar = gone.name_ar
    names = {n.name for n in session.scalars(select(VictimName).where(VictimName.victim_id == keep.id))}
    for name in session.scalars(select(VictimName).where(VictimName.victim_id == gone.id, VictimName.active.is_(True))):
        if name.name not in names:
            session.add(VictimName(victim_id=keep.id, name=name.name, script=name.script, key=name.key, candidate_id=name.candidate_id))
    kept_candidates = {s.candidate_id for s in session.scalars(select(VictimSource).where(VictimSource.victim_id == keep.id))}
    for source in session.scalars(select(VictimSource).where(VictimSource.victim_id == gone.id, VictimSource.active.is_(True))):
        if source.candidate_id not in kept_candidates:
            session.add(VictimSource(victim_id=keep.id, candidate_id=source.candidate_id, raw_item_id=source.raw_item_id,
                                     source_id=source.source_id, url=source.url, evidence=source.evidence, decision_id=source.decision_id))
        source.active = False
    gone.status = "merged"
    gone.merged_into_id = keep.id
    keep.updated_at = gone.updated_at = utcnow()
    session.flush()
    _history(session, keep, None, user, "merged_in", before_keep, victim_values(keep), note or f"victim {gone.id} merged into this record")
    _history(session, gone, None, user, "merged_away", before_gone, victim_values(gone), note or f"merged into victim {keep.id}")
    audit(session, user.id, "victim.merge", "victim", keep.id, {"merged": gone.id, "note": note})
    return keep


# --- reading ---------------------------------------------------------------------------------


def best_matches(session: Session, candidate: Candidate, limit: int = 3) -> list[tuple[MatchLink, Victim]]:
    rows = session.execute(
        select(MatchLink, Victim).join(Victim, Victim.id == MatchLink.victim_id)
        .where(MatchLink.candidate_id == candidate.id, Victim.status == "active")
        .order_by(MatchLink.score.desc()).limit(limit)
    ).all()
    return [(link, victim) for link, victim in rows]


def cluster_candidates(session: Session, candidate: Candidate, limit: int = 10) -> list[tuple[MatchLink | None, Candidate]]:
    """Other candidates linked to this one, or in its cluster, with the link when there is one."""
    links = session.scalars(select(MatchLink).where(
        or_(MatchLink.candidate_id == candidate.id, MatchLink.other_candidate_id == candidate.id),
        MatchLink.other_candidate_id.is_not(None)).order_by(MatchLink.score.desc())).all()
    out: list[tuple[MatchLink | None, Candidate]] = []
    seen = {candidate.id}
    for link in links:
        other_id = link.other_candidate_id if link.candidate_id == candidate.id else link.candidate_id
        if other_id is not None and other_id not in seen:  # never None: the query wants both ends
            seen.add(other_id)
            out.append((link, session.get_one(Candidate, other_id)))
    if candidate.cluster_key:
        for other in session.scalars(select(Candidate).where(Candidate.cluster_key == candidate.cluster_key, Candidate.id.not_in(seen))):
            out.append((None, other))
    return out[:limit]


def independent_sources(session: Session, victim: Victim) -> int:
    """How many independent sources support a victim: distinct sources, and within a news
    source distinct publishing sites (two items of one source are not corroboration)."""
    rows = session.execute(select(VictimSource.source_id, VictimSource.url).where(VictimSource.victim_id == victim.id,
                                                                                 VictimSource.active.is_(True))).all()
    from urllib.parse import urlparse

    keys = set()
    for source_id, url in rows:
        host = urlparse(url).hostname if url and url.startswith("http") else None
        keys.add((source_id, host) if host else (source_id, None))
    return len({k[1] or f"source:{k[0]}" for k in keys})


def _key_part(token: str):  # type: ignore[no-untyped-def]
    """A name-key condition for one search token: a substring for tokens of three letters or
    more, a whole word for shorter ones ("aj" for Ajaj), which a trigram index can also serve
    (the spaces around a word give it trigrams)."""
    if len(token) >= 3:
        return VictimName.key.like(f"%{token}%")
    return or_(VictimName.key == token, VictimName.key.like(f"{token} %"), VictimName.key.like(f"% {token}"),
               VictimName.key.like(f"% {token} %"))


def search_victims(session: Session, q: str | None = None, date_from: str | None = None, date_to: str | None = None,
                   governorate: str | None = None, limit: int = 50, offset: int = 0) -> list[Victim]:
    """Archived victims by a name in any script (cross-script key), date range and place."""
    from tawthiq.dedupe import normalize_name

    query = select(Victim).where(Victim.status == "active")
    if q and q.strip():
        key = normalize_name(q.strip())
        # A union of what each (trigram-indexed on PostgreSQL) condition finds, rather than
        # one OR: the database then reads the few hundred matches, not the archive by date.
        parts = [select(Victim.id).where(Victim.full_name.ilike(f"%{q.strip()}%")),
                 select(Victim.id).where(Victim.name_ar.like(f"%{q.strip()}%"))]
        if key:
            tokens = key.split()
            parts.append(select(VictimName.victim_id).where(VictimName.active.is_(True), and_(*[_key_part(t) for t in tokens])))
        query = query.where(Victim.id.in_(union(*parts).scalar_subquery()))
    if date_from:
        query = query.where(Victim.date_of_death >= date_from)
    if date_to:
        query = query.where(Victim.date_of_death <= date_to + "\uffff")
    if governorate:
        query = query.where(Victim.death_governorate == governorate)
    return list(session.scalars(query.order_by(Victim.date_of_death.desc(), Victim.id.desc()).limit(limit).offset(offset)))


def decisions_for_victim(session: Session, victim: Victim) -> list[Decision]:
    return list(session.scalars(select(Decision).where(Decision.victim_id == victim.id).order_by(Decision.id)))


def audit_entries(session: Session, limit: int = 100) -> list[AuditLog]:
    return list(session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)))
