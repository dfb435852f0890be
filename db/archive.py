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

from tawthiq.errors import InvalidValue, ReviewError
from tawthiq.lang.arabic import is_arabic

from .models import (
    CAND_DECIDED,
    CAND_QUEUED,
    TASK_DEFERRED,
    TASK_DONE,
    TASK_OPEN,
    AuditLog,
    Candidate,
    CandidateHistory,
    Decision,
    IncidentDecision,
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
        raise ReviewError(f"{action} needs the {role} role; you are a {user.role}", "needs_role", role=role)


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
        # Only the claimed row is stale: expiring everything would also expire the logged-in
        # user, whom an error page may still render after this session is closed.
        from sqlalchemy.orm.util import identity_key

        held = session.identity_map.get(identity_key(model, task_id))
        if held is not None:
            session.expire(held)
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


def take(session: Session, task: ReviewTask, user: User) -> None:
    """Claim ``task`` for ``user`` as a first action does, or refuse with who holds it."""
    check_claim(task, user)
    if not claim(session, task.id, user):
        raise ReviewError(f"item {task.id} is being reviewed by another documenter", "held_other", item=task.id)


def release(session: Session, task: Any, user: User) -> None:
    if task.claimed_by_id == user.id:
        task.claimed_by_id = None
        task.claimed_at = None
        task.claim_expires_at = None


def check_claim(task: Any, user: User) -> None:
    """Refuse an action on a task that is decided, replaced by a newer reading of its item
    (``tawthiq reextract``), or that another documenter holds."""
    if task.state == "superseded":
        raise ReviewError(f"item {task.id} was read again by a newer extractor since this page was opened; "
                          "its new reading is in the queue", "superseded", item=task.id)
    if task.state not in (TASK_OPEN, TASK_DEFERRED):
        raise ReviewError(f"item {task.id} was already decided", "already_decided", item=task.id)
    now = utcnow()
    if task.claimed_by_id not in (None, user.id) and task.claim_expires_at and task.claim_expires_at > now:
        other = task.claimed_by.username if task.claimed_by else "another documenter"
        raise ReviewError(f"item {task.id} is being reviewed by {other}; it is theirs until their claim expires", "held",
                          item=task.id, name=other)


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


def recompute_name_keys(bind) -> int:  # type: ignore[no-untyped-def]
    """Recompute every stored ``victim_names.key`` with the current :func:`name_key` (the
    migrations that change the key call this); returns how many changed. Reads the table as
    the migration sees it, not through the models, which may be newer."""
    import sqlalchemy as sa

    names = sa.table("victim_names", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("key", sa.String))
    changed = [{"row_id": row.id, "new_key": key} for row in bind.execute(sa.select(names.c.id, names.c.name, names.c.key))
               if (key := name_key(row.name)) != row.key]
    if changed:
        bind.execute(names.update().where(names.c.id == sa.bindparam("row_id")).values(key=sa.bindparam("new_key")), changed)
    return len(changed)


def _add_names(session: Session, victim: Victim, candidate: Candidate) -> None:
    variants = [candidate.full_name, candidate.name_ar, *((candidate.extra or {}).get("name_variants") or [])]
    _add_name_variants(session, victim, variants, candidate.id)


def _add_name_variants(session: Session, victim: Victim, names: list[str | None], candidate_id: int | None) -> None:
    """Make each name searchable for ``victim`` (the names it does not have yet), keyed in
    both scripts; ``candidate_id`` is the report it came from (None for an editor's edit)."""
    existing = {n.name for n in session.scalars(select(VictimName).where(VictimName.victim_id == victim.id))}
    for name in names:
        if name and name not in existing:
            script = "arabic" if is_arabic(name) else "latin"
            session.add(VictimName(victim_id=victim.id, name=name, script=script, key=name_key(name),
                                   candidate_id=candidate_id))
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


def reopen_task(task: Any) -> None:
    """A queue task (a person's or an incident's) whose decision was undone: open again, nobody's."""
    task.state = TASK_OPEN
    task.closed_at = None
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
    # The task's state as it is now, locked until the decision commits: ``tawthiq reextract``
    # or another documenter may have changed it since the page was loaded (PostgreSQL; SQLite's
    # write sessions are serialised already).
    session.refresh(task, with_for_update=True)
    check_claim(task, user)
    candidate = task.candidate
    if action not in ("new_victim", "same_as", "not_victim", "defer"):
        raise ReviewError(f"unknown action {action!r}", "unknown_action")
    if action == "not_victim" and reason not in REJECT_REASONS:
        raise ReviewError(f"choose why this is not a victim: {', '.join(REJECT_REASONS)}", "choose_reason")
    decision = Decision(review_task_id=task.id, candidate_id=candidate.id, user_id=user.id, action=action,
                        reason=(reason or note), field_choices=choices or {})
    session.add(decision)
    session.flush()
    victim: Victim | None
    if action == "new_victim":
        victim = Victim(**_origin_values(candidate))
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
        if victim is not None and victim.status == "merged" and victim.merged_into_id:
            victim = session.get(Victim, victim.merged_into_id)  # "#12" after 12 was merged: the record kept
        if victim is None or victim.status != "active":
            raise ReviewError(f"archived victim {victim_id} does not exist or is not active", "no_victim", victim=victim_id)
        before = victim_values(victim)
        values = victim_values(victim)
        _apply_same_as(values, candidate, choices or {})
        _set_values(victim, values)
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


#: Minutes during which documenters may undo their own decisions (editors may at any time).
UNDO_MINUTES = 10


def may_undo(user: User, decision: Decision | IncidentDecision) -> bool:
    """Editors undo any decision; a documenter undoes their own for :data:`UNDO_MINUTES`."""
    if has_role(user, "editor"):
        return True
    return decision.user_id == user.id and utcnow() - decision.created_at <= dt.timedelta(minutes=UNDO_MINUTES)


def undo(session: Session, decision_id: int, user: User, note: str | None = None) -> Decision:
    """Reverse exactly one decision: its report's source and names leave the victim, the
    victim's fields are recomputed from the decisions still in force (:func:`recompute_victim`),
    and the victim is retracted only when no decision backs it any more; the item goes back
    to the queue, and a new ``undo`` decision records who did it and why. Editors undo any
    decision, documenters their own within :data:`UNDO_MINUTES`."""
    original = session.get(Decision, decision_id)
    if original is None or original.action == "undo":
        raise ReviewError(f"decision {decision_id} does not exist or cannot be undone", "no_decision", decision=decision_id)
    if original.undone:
        raise ReviewError(f"decision {decision_id} was already undone", "already_undone", decision=decision_id)
    if not may_undo(user, original):
        raise ReviewError(f"undoing decision {decision_id} needs the editor role; you are a {user.role} "
                          f"(documenters may undo their own decisions for {UNDO_MINUTES} minutes)", "undo_role", minutes=UNDO_MINUTES)
    later = session.scalar(select(Decision).where(Decision.candidate_id == original.candidate_id, Decision.id > original.id,
                                                  Decision.undone.is_(False), Decision.action != "undo"))
    if later is not None:
        raise ReviewError(f"decision {decision_id} was followed by decision {later.id} on the same item; undo that one first",
                          "undo_later_first", decision=decision_id, later=later.id)
    task = session.get_one(ReviewTask, original.review_task_id)
    candidate = session.get_one(Candidate, original.candidate_id)
    undo_decision = Decision(review_task_id=task.id, candidate_id=candidate.id, user_id=user.id, action="undo",
                             undoes_id=original.id, victim_id=original.victim_id, reason=note)
    session.add(undo_decision)
    original.undone = True
    session.flush()
    if original.victim_id and original.action in ("new_victim", "same_as"):
        # The report's source may have moved to another record since (a merge): every victim
        # it still supports loses it.
        sources = list(session.scalars(select(VictimSource).where(VictimSource.candidate_id == candidate.id,
                                                                  VictimSource.active.is_(True))))
        affected = [original.victim_id] + sorted({s.victim_id for s in sources} - {original.victim_id})
        for source in sources:
            source.active = False
        for name in session.scalars(select(VictimName).where(VictimName.candidate_id == candidate.id, VictimName.active.is_(True))):
            name.active = False
        session.flush()
        for victim_id in affected:
            victim = session.get_one(Victim, victim_id)
            if victim.status != "active":
                continue  # merged away: the record kept was handled as one of the affected
            before = victim_values(victim)
            origin = recompute_victim(session, victim)
            victim.updated_at = utcnow()
            what = f"decision {original.id} ({original.action}) undone"
            if origin is None and victim.status == "retracted":
                what += "; no decision backs this record any more"
            elif origin is not None and original.action == "new_victim" and victim_id == original.victim_id:
                what += f"; decision {origin.id} is now its origin"
            _history(session, victim, undo_decision, user, "undone", before, victim_values(victim),
                     f"{what}: {note}" if note else what)
            relink_victim_incident(session, victim, user)
    reopen_task(task)
    candidate.state = CAND_QUEUED
    audit(session, user.id, "decision.undo", "decision", original.id, {"undo": undo_decision.id, "note": note})
    return undo_decision


#: The fields a victim record carries that decisions and edits set.
RECORD_FIELDS = ("full_name", "name_ar", *CHOOSABLE, "died_in_detention")


def _origin_values(candidate: Candidate) -> dict[str, Any]:
    """A new record's fields: everything the report says."""
    return {**_candidate_values(candidate), "died_in_detention": (candidate.extra or {}).get("died_in_detention")}


def _apply_same_as(values: dict[str, Any], candidate: Candidate, choices: dict[str, str]) -> None:
    """What a "same as" decision changes: the fields the documenter took from the report (a
    value it does not give changes nothing), and the Arabic name when the record had none."""
    for field_name, choice in choices.items():
        if field_name in CHOOSABLE and choice == "candidate":
            value = getattr(candidate, field_name)
            if value is not None:
                values[field_name] = value
    if values.get("name_ar") is None and candidate.name_ar:
        values["name_ar"] = candidate.name_ar


def _set_values(victim: Victim, values: dict[str, Any]) -> None:
    for field_name in RECORD_FIELDS:
        if field_name in values:
            setattr(victim, field_name, values[field_name])


def _changed(row: VictimHistory) -> dict[str, Any]:
    before, after = row.before or {}, row.after or {}
    return {k: after[k] for k in RECORD_FIELDS if k in after and before.get(k) != after[k]}


def recompute_victim(session: Session, victim: Victim) -> Decision | None:
    """Set a victim's fields from what is still in force, replayed in order: the first decision
    not undone is its origin (all its report's fields), each later "same as" applies the
    choices it made, and editors' edits and merges apply where they fell. Returns the origin
    decision; with none, the record is retracted unless merged-in sources still support it
    (then its fields stay as they are)."""
    rows = list(session.scalars(select(VictimHistory).where(VictimHistory.victim_id == victim.id).order_by(VictimHistory.id)))
    ids = {r.decision_id for r in rows if r.decision_id is not None}
    decisions = {d.id: d for d in session.scalars(select(Decision).where(Decision.id.in_(ids)))} if ids else {}
    values: dict[str, Any] | None = None
    origin: Decision | None = None
    waiting: list[VictimHistory] = []  # edits and merges made before the origin now in force

    def apply(row: VictimHistory, values: dict[str, Any]) -> None:
        if row.action == "edited":
            values.update(_changed(row))
        else:  # merged_in: the merged record filled what this one lacked
            for key, value in _changed(row).items():
                if values.get(key) is None:
                    values[key] = value

    for row in rows:
        if row.action in ("created", "source_added"):
            decision = decisions.get(row.decision_id) if row.decision_id is not None else None
            if decision is None or decision.undone:
                continue
            candidate = session.get_one(Candidate, decision.candidate_id)
            if values is None:
                values, origin = _origin_values(candidate), decision
                for pending in waiting:
                    apply(pending, values)
            else:
                _apply_same_as(values, candidate, decision.field_choices or {})
        elif row.action in ("edited", "merged_in"):
            merged = (row.after or {}).get("merged_victim_id")
            if row.action == "merged_in" and merged is not None and not _backed(session, int(merged)):
                continue  # what the merged record brought came from reports since undone
            if values is None:
                waiting.append(row)
            else:
                apply(row, values)
    if values is not None:
        _set_values(victim, values)
        return origin
    supported = session.scalar(select(func.count()).select_from(VictimSource).where(
        VictimSource.victim_id == victim.id, VictimSource.active.is_(True)))
    if not supported:
        victim.status = "retracted"
    return None


def _backed(session: Session, victim_id: int) -> bool:
    """Whether a decision not undone archived a report as victim ``victim_id``."""
    return (session.scalar(select(func.count()).select_from(Decision).where(
        Decision.victim_id == victim_id, Decision.action.in_(("new_victim", "same_as")), Decision.undone.is_(False))) or 0) > 0


def relink_victim_incident(session: Session, victim: Victim, user: User) -> None:
    """After an undo, the victim's incident is the one a report still backing it belongs to:
    a retracted victim, or one whose incident came only from the undone report, leaves its
    incident (one more anonymous, with history) and joins the incident of a remaining report."""
    from .incidents import link_victim, unlink_victim

    backing = list(session.scalars(select(Candidate).join(VictimSource, VictimSource.candidate_id == Candidate.id)
                                   .where(VictimSource.victim_id == victim.id, VictimSource.active.is_(True))
                                   .order_by(VictimSource.id)))
    if victim.incident_id is not None:
        from .models import IncidentReport

        report_ids = [c.incident_report_id for c in backing if c.incident_report_id is not None]
        still = victim.status == "active" and bool(report_ids) and session.scalar(
            select(IncidentReport.id).where(IncidentReport.id.in_(report_ids), IncidentReport.incident_id == victim.incident_id)
            .limit(1)) is not None
        if still:
            return
        unlink_victim(session, victim, user)
    if victim.status == "active":
        for candidate in backing:
            if link_victim(session, victim, candidate, user):
                break


# --- corrections and edits ------------------------------------------------------------------------

#: What a documenter may correct on a staged report, and an editor on an archived victim.
EDITABLE = ("full_name", "name_ar", *CHOOSABLE)


def check_field(field_name: str, raw: Any) -> Any:
    """The stored value of one field as typed in a form, or :class:`ReviewError` naming the
    field and the problem. Empty means unknown (None), except for the three fields whose
    unknown has a name in the vocabulary (perpetrator, cause, category)."""
    from tawthiq.extractors.record import CATEGORIES, CAUSES, GOVERNORATES, PERPETRATORS
    from tawthiq.lang.text import strip_bidi_controls

    text = " ".join(strip_bidi_controls(str(raw if raw is not None else "")).split())
    if field_name not in EDITABLE:
        raise InvalidValue(f"{field_name}: not a field that can be changed", "invalid_not_editable", field=field_name)
    vocab = {"perpetrator": PERPETRATORS, "cause": CAUSES, "category": CATEGORIES,
             "death_governorate": GOVERNORATES, "origin_governorate": GOVERNORATES}
    if field_name in ("perpetrator", "cause", "category"):
        if text not in vocab[field_name]:
            raise InvalidValue(f"{field_name}: {text!r} is not one of {', '.join(vocab[field_name])}", "invalid_choice",
                               field=field_name, value=text[:40])
        return text
    if not text:
        return None
    if field_name in ("death_governorate", "origin_governorate"):
        if text not in vocab[field_name]:
            raise InvalidValue(f"{field_name}: {text!r} is not a governorate", "invalid_governorate", field=field_name, value=text[:40])
        return text
    if field_name == "sex":
        if text not in ("male", "female"):
            raise InvalidValue(f"sex: {text!r} is not male or female", "invalid_sex", field="sex", value=text[:40])
        return text
    if field_name == "age":
        age = whole_number(text, 120)
        if age is None:
            raise InvalidValue(f"age: {text[:40]!r} is not an age in years", "invalid_age", field="age", value=text[:40])
        return age
    if field_name == "is_child":
        answers = {"yes": True, "true": True, "no": False, "false": False}
        if text.lower() not in answers:
            raise InvalidValue(f"is_child: {text!r} is not yes or no", "invalid_yes_no", field="is_child", value=text[:40])
        return answers[text.lower()]
    if field_name == "date_of_death":
        return _check_date(text)
    if field_name in ("full_name", "name_ar"):
        if len(text) > 500 or not any(ch.isalpha() for ch in text):
            raise InvalidValue(f"{field_name}: {text[:40]!r} is not a name", "invalid_name", field=field_name, value=text[:40])
        if field_name == "name_ar" and not is_arabic(text):
            raise InvalidValue(f"name_ar: {text[:40]!r} is not in Arabic script", "invalid_not_arabic", field="name_ar", value=text[:40])
        return text
    if len(text) > 200:
        raise InvalidValue(f"{field_name}: longer than 200 characters", "invalid_too_long", field=field_name)
    return text


def whole_number(text: str, high: int) -> int | None:
    """``text`` as a whole number from 0 to ``high`` (Western or Arabic-Indic digits), or None.
    ``str.isdigit`` is not enough: it accepts superscripts ("²") and strings of thousands of
    digits, which ``int()`` refuses with an error of its own."""
    if not text.isdecimal() or len(text) > len(str(high)):
        return None
    number = int(text)
    return number if number <= high else None


def _check_date(text: str) -> str:
    """A date of death as the archive keeps it: YYYY-MM-DD, or YYYY-MM or YYYY when only the
    month or year is known; never in the future."""
    import re

    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
    try:
        if match is None:
            raise ValueError
        year, month, day = int(match[1]), int(match[2] or 1), int(match[3] or 1)
        day_of = dt.date(year, month, day)
    except ValueError:
        raise InvalidValue(f"date_of_death: {text[:40]!r} is not a date (YYYY-MM-DD, or YYYY-MM, or YYYY)", "invalid_date",
                           field="date_of_death", value=text[:40]) from None
    if day_of > dt.date.today() or year < 1900:
        raise InvalidValue(f"date_of_death: {text!r} is in the future or before 1900", "invalid_date_range", field="date_of_death",
                           value=text[:40])
    return text


def check_fields(form: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``form`` (field → typed value) whose checked value differs from
    ``current``; every field is checked before any is used, so one bad value refuses all."""
    checked = {f: check_field(f, form[f]) for f in EDITABLE if f in form}
    return {f: v for f, v in checked.items() if v != current.get(f)}


def _apply_changes(record: Candidate | Victim, changes: dict[str, Any]) -> None:
    """Set checked fields on a report or a record; a new age also says whether a child (under
    18), unless the same change says so itself."""
    for field_name, value in changes.items():
        setattr(record, field_name, value)
    if "age" in changes and "is_child" not in changes:
        record.is_child = None if changes["age"] is None else changes["age"] < 18


def correct_candidate(session: Session, task: ReviewTask, user: User, form: dict[str, Any], note: str | None) -> dict[str, Any]:
    """A documenter corrects what the extractor staged, before deciding: the task is claimed
    for them (a correction is a first action), the fields change, and the candidate's history
    records who changed what, from what, to what and why. Returns the changed fields."""
    take(session, task, user)
    candidate = session.get_one(Candidate, task.candidate_id)
    current = {f: getattr(candidate, f) for f in EDITABLE}
    changes = check_fields(form, current)
    if not changes:
        return {}
    if not (note or "").strip():
        raise ReviewError("say why you corrected the report (what the source says)", "say_why")
    _apply_changes(candidate, changes)
    session.add(CandidateHistory(candidate_id=candidate.id, user_id=user.id, action="corrected",
                                 before=_json({f: current[f] for f in changes}), after=_json(changes), note=note))
    audit(session, user.id, "candidate.correct", "candidate", candidate.id, {"task": task.id, "fields": sorted(changes)})
    return changes


def edit_victim(session: Session, victim: Victim, user: User, form: dict[str, Any], note: str | None) -> dict[str, Any]:
    """An editor corrects an archived victim's fields: recorded in its history (who, when,
    from what, to what, why) as an ``edited`` entry that stays in force when decisions
    before or after it are undone. A new name becomes searchable. Returns the changed fields."""
    require(user, "editor", "editing an archived victim")
    if victim.status != "active":
        raise ReviewError(f"victim {victim.id} is {victim.status}; only active records are edited", "not_active", victim=victim.id)
    changes = check_fields(form, {f: getattr(victim, f) for f in EDITABLE})
    if not changes:
        return {}
    if not (note or "").strip():
        raise ReviewError("say why you edited the record (what the source says)", "say_why")
    before = victim_values(victim)
    _apply_changes(victim, changes)
    victim.updated_at = utcnow()
    _add_name_variants(session, victim, [changes.get("full_name"), changes.get("name_ar")], None)
    _history(session, victim, None, user, "edited", before, victim_values(victim), note)
    audit(session, user.id, "victim.edit", "victim", victim.id, {"fields": sorted(changes), "note": note})
    return changes


def candidate_history(session: Session, candidate: Candidate) -> list[CandidateHistory]:
    return list(session.scalars(select(CandidateHistory).where(CandidateHistory.candidate_id == candidate.id)
                                .order_by(CandidateHistory.id)))


# --- re-scoring against victims archived later ---------------------------------------------------

#: Archived victims besides the new ones that a decision-time re-score reads, so that name
#: frequencies and the model's u values come from a real sample of the archive.
RESCORE_CONTEXT = 500


def scored_through(session: Session, candidate: Candidate) -> int:
    """The highest victim id ``candidate`` was compared with; for a candidate matched before
    the marker existed, the last victim archived before it was staged."""
    if candidate.scored_through_victim_id is not None:
        return candidate.scored_through_victim_id
    return int(session.scalar(select(func.max(Victim.id)).where(Victim.created_at <= candidate.created_at)) or 0)


def namesakes_since(session: Session, candidate: Candidate, limit: int = 5) -> list[Victim]:
    """Victims archived since ``candidate`` was scored whose names look like its name (a
    shared name part and a close cross-script key): what an item page shows at once, from
    the name index, without building a matcher; the decision then scores them for real
    (:func:`rescore_candidate`)."""
    from rapidfuzz import fuzz

    from tawthiq.dedupe import normalize_name

    through = scored_through(session, candidate)
    from tawthiq.lang.names import key_readings

    keys = [normalize_name(n) for n in (candidate.full_name, candidate.name_ar) if n]
    # Each reading of an ambiguous Latin spelling (Munther: منذر or منصور) is a name to look for.
    keys = list(dict.fromkeys(keys + [r for n in (candidate.full_name,) if n for r in key_readings(n)]))
    tokens = sorted({t for key in keys for t in key.split() if len(t) >= 3})
    if not tokens:
        return []
    rows = session.execute(select(VictimName.victim_id, VictimName.key).join(Victim, Victim.id == VictimName.victim_id)
                           .where(VictimName.victim_id > through, VictimName.active.is_(True), Victim.status == "active",
                                  or_(*[VictimName.key.like(f"%{t}%") for t in tokens[:16]]))
                           .limit(500)).all()
    best: dict[int, float] = {}
    for victim_id, key in rows:
        score = max((fuzz.token_sort_ratio(key, mine) for mine in keys), default=0.0)
        best[victim_id] = max(score, best.get(victim_id, 0.0))
    chosen = sorted((v for v, score in best.items() if score >= NAMESAKE_RATIO), key=lambda v: -best[v])[:limit]
    return [session.get_one(Victim, v) for v in chosen]


#: How close (rapidfuzz token_sort_ratio of the cross-script keys) a name must be to be shown.
NAMESAKE_RATIO = 75


def rescore_candidate(session: Session, candidate: Candidate) -> list[tuple[MatchLink, Victim]]:
    """Compare a queued report with the victims archived since it was scored (another
    documenter may have archived the same person meanwhile): new links are stored, the task's
    has_match and best score updated and the marker moved. The new links, best first. (An
    item page, which must not write, shows such victims with :func:`namesakes_since`.)"""
    from tawthiq.dedupe import METHOD_VERSION, ArchiveMatcher
    from tawthiq.pipeline import LINK_FLOOR, candidate_match_record, confirmed_levels, victim_match_record

    through = scored_through(session, candidate)
    newest = session.scalar(select(func.max(Victim.id)))
    if newest is None or newest <= through:
        return []
    fresh = list(session.scalars(select(Victim).where(Victim.id > through, Victim.status == "active")))
    found: list[tuple[MatchLink, Victim]] = []
    if fresh:
        context = list(session.scalars(select(Victim).where(Victim.id <= through, Victim.status == "active")
                                       .order_by(Victim.id.desc()).limit(RESCORE_CONTEXT)))
        by_id = {v.id: v for v in fresh}
        matcher = ArchiveMatcher([victim_match_record(v) for v in fresh + context], confirmed=confirmed_levels(session))
        linked = set(session.scalars(select(MatchLink.victim_id).where(MatchLink.candidate_id == candidate.id,
                                                                       MatchLink.victim_id.is_not(None))))
        for pair in matcher.match([candidate_match_record(candidate)], threshold=LINK_FLOOR, top_k=5):
            victim_id = int(pair.right_id[2:])
            if victim_id in by_id and victim_id not in linked and pair.probability >= LINK_FLOOR:
                link = MatchLink(candidate_id=candidate.id, victim_id=victim_id, score=pair.probability,
                                 method_version=METHOD_VERSION, explanation=list(pair.explanation), levels=dict(pair.levels))
                found.append((link, by_id[victim_id]))
    found.sort(key=lambda pair: -pair[0].score)
    for link, _victim in found:
        session.add(link)
    task = session.scalar(select(ReviewTask).where(ReviewTask.candidate_id == candidate.id))
    if task is not None and found:
        task.has_match = True
        task.best_score = max([task.best_score or 0.0] + [link.score for link, _ in found])
    candidate.scored_through_victim_id = newest
    session.flush()
    return found


def merge_victims(session: Session, keep_id: int, merge_id: int, user: User, note: str | None = None) -> Victim:
    """Merge archived victim ``merge_id`` into ``keep_id`` (editors): sources and names move,
    the merged record stays with status ``merged`` pointing at the one kept."""
    require(user, "editor", "merging archived victims")
    if keep_id == merge_id:
        raise ReviewError("a victim cannot be merged into itself", "merge_self")
    keep, gone = session.get(Victim, keep_id), session.get(Victim, merge_id)
    if keep is None or gone is None or keep.status != "active" or gone.status != "active":
        raise ReviewError("both victims must exist and be active to merge them", "merge_inactive")
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
    _history(session, keep, None, user, "merged_in", before_keep, {**victim_values(keep), "merged_victim_id": gone.id},
             note or f"victim {gone.id} merged into this record")
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
            other = session.get_one(Candidate, other_id)
            if other.state != "superseded":  # an older reading of an item, not another report
                out.append((link, other))
    if candidate.cluster_key:
        for other in session.scalars(select(Candidate).where(Candidate.cluster_key == candidate.cluster_key, Candidate.id.not_in(seen),
                                                             Candidate.state != "superseded")):
            out.append((None, other))
    return out[:limit]


#: Sources whose every submission is a family's own account: each counts as a source of its own.
FAMILY_SOURCE_KINDS = ("form", "kobo", "odk")


def independent_sources(session: Session, victim: Victim) -> int:
    """How many independent sources support a victim: distinct sources; within a news source
    distinct publishing sites (two items of one source are not corroboration); and each family
    submission (web form, KoboToolbox, ODK Central) on its own, since two families reporting
    the same death are two witnesses, not one source."""
    rows = session.execute(select(VictimSource.source_id, VictimSource.url, VictimSource.raw_item_id, Source.kind)
                           .join(Source, Source.id == VictimSource.source_id)
                           .where(VictimSource.victim_id == victim.id, VictimSource.active.is_(True))).all()
    from urllib.parse import urlparse

    keys = set()
    for source_id, url, raw_item_id, kind in rows:
        if kind in FAMILY_SOURCE_KINDS:
            keys.add(f"submission:{raw_item_id}")
            continue
        host = urlparse(url).hostname if url and url.startswith("http") else None
        keys.add(host or f"source:{source_id}")
    return len(keys)


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
            # A Latin spelling that can be read several ways (Munther: منذر or منصور by its
            # letters) looks for each reading's key, as the matcher compares each.
            from tawthiq.lang.names import key_readings

            for reading in dict.fromkeys([key, *key_readings(q.strip())]):
                parts.append(select(VictimName.victim_id).where(VictimName.active.is_(True),
                                                                and_(*[_key_part(t) for t in reading.split()])))
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
