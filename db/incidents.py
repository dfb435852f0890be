"""Incidents: the queue of reports to read, the documenter's decision, the anonymous archive.

An incident report is what one item says of one incident (how many killed, of whom children
and women, how many injured, when, where, by whom, how). Every report is read by a documenter,
who confirms or corrects its counts and decides that it is a new incident, the same incident
as one already archived (its counts then widen to the range the sources give), not a report of
a death, or to wait. The anonymous archive is each incident's killed count less the named
victims linked to it; a victim archived from the same item, before or after, is linked, and
each link is a line of the incident's history ("anonymous 3 → 2").

As in ``archive``, nothing here commits: the caller commits once per request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tawthiq.errors import InvalidValue, ReviewError
from tawthiq.lang.arabic import is_arabic, transliterate_name

from .archive import check_claim, check_field, claim, close_task, release, reopen_task, whole_number
from .models import (
    REPORT_DECIDED,
    REPORT_QUEUED,
    TASK_DEFERRED,
    TASK_OPEN,
    Candidate,
    Decision,
    Incident,
    IncidentDecision,
    IncidentHistory,
    IncidentReport,
    IncidentSource,
    IncidentTask,
    User,
    Victim,
    utcnow,
)
from .repo import audit

ACTIONS = ("new_incident", "same_incident", "not_death", "defer")
NOT_DEATH_REASONS = ("no_death", "combatants_only", "outside_scope", "summary_of_period", "duplicate_item")
#: The fields a documenter confirms, in the order the form shows them.
COUNT_FIELDS = ("killed_min", "killed_max", "children_killed", "women_killed", "injured_min", "injured_max")
PLACE_FIELDS = ("date", "governorate", "locality", "perpetrator", "cause")
#: Archived incidents this many days either side of a report are compared with it.
WINDOW_DAYS = 7


@dataclass
class Anonymous:
    """An archived incident's victims: named (linked), and not yet named (the anonymous
    archive), as a range when the count is one; women and children likewise."""

    named: int
    minimum: int
    maximum: int | None
    children: int
    women: int


# --- the queue --------------------------------------------------------------------------


def queue_query(include_deferred: bool = True):  # type: ignore[no-untyped-def]
    """Incident tasks waiting for a documenter, open before deferred, oldest first."""
    states = (TASK_OPEN, TASK_DEFERRED) if include_deferred else (TASK_OPEN,)
    return (select(IncidentTask).where(IncidentTask.state.in_(states))
            .order_by((IncidentTask.state == TASK_DEFERRED).asc(), IncidentTask.id))


def open_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(IncidentTask)
                              .where(IncidentTask.state.in_((TASK_OPEN, TASK_DEFERRED)))) or 0)


def claim_task(session: Session, task_id: int, user: User) -> bool:
    return claim(session, task_id, user, model=IncidentTask)


def claim_next(session: Session, user: User, skip: set[int] | None = None) -> IncidentTask | None:
    """Claim the oldest incident task nobody else holds."""
    now = utcnow()
    query = queue_query().where(or_(IncidentTask.claimed_by_id.is_(None), IncidentTask.claimed_by_id == user.id,
                                    IncidentTask.claim_expires_at < now))
    if skip:
        query = query.where(IncidentTask.id.not_in(skip))
    for task in session.scalars(query.limit(20)).all():
        if claim_task(session, task.id, user):
            return session.get(IncidentTask, task.id)
    return None


# --- reading --------------------------------------------------------------------------------


def facts_of(row: IncidentReport | Incident) -> Any:
    from tawthiq.dedupe.incidents import IncidentFacts

    prefix = "r" if isinstance(row, IncidentReport) else "i"
    return IncidentFacts(id=f"{prefix}:{row.id}", date=row.date, governorate=row.governorate, locality=row.locality,
                         cause=row.cause, perpetrator=row.perpetrator)


def suggestions(session: Session, report: IncidentReport, limit: int = 5) -> list[tuple[Any, Incident]]:
    """Archived incidents that may be the one ``report`` tells of, best first, scored now
    (an incident archived after the report was queued is offered too)."""
    from tawthiq.dedupe.incidents import rank_incidents

    query = select(Incident).where(Incident.status == "active")
    from tawthiq.dedupe.incidents import day_of

    day = day_of(report.date)
    if day is not None:
        query = query.where(Incident.date >= (day - dt.timedelta(days=WINDOW_DAYS)).isoformat(),
                            Incident.date <= (day + dt.timedelta(days=WINDOW_DAYS)).isoformat())
    elif report.date:
        query = query.where(Incident.date.like(f"{report.date}%"))
    if report.governorate:
        query = query.where(or_(Incident.governorate == report.governorate, Incident.governorate.is_(None)))
    others = {f"i:{i.id}": i for i in session.scalars(query.limit(500))}
    pairs = rank_incidents(facts_of(report), [facts_of(i) for i in others.values()], limit=limit)
    return [(pair, others[pair.right_id]) for pair in pairs]


def other_reports(session: Session, report: IncidentReport, limit: int = 5) -> list[tuple[Any, IncidentReport]]:
    """Reports still in the queue that may be of the same incident (other sources, same night)."""
    from tawthiq.dedupe.incidents import rank_incidents

    query = select(IncidentReport).join(IncidentTask).where(IncidentTask.state.in_((TASK_OPEN, TASK_DEFERRED)),
                                                           IncidentReport.id != report.id)
    if report.governorate:
        query = query.where(or_(IncidentReport.governorate == report.governorate, IncidentReport.governorate.is_(None)))
    others = {f"r:{r.id}": r for r in session.scalars(query.limit(500))}
    pairs = rank_incidents(facts_of(report), [facts_of(r) for r in others.values()], limit=limit)
    return [(pair, others[pair.right_id]) for pair in pairs]


def anonymous(session: Session, incident: Incident) -> Anonymous:
    """How many of an incident's dead are named in the archive, and how many are not yet."""
    victims = list(session.scalars(select(Victim).where(Victim.incident_id == incident.id, Victim.status == "active")))
    named = len(victims)
    children = sum(1 for v in victims if v.is_child)
    women = sum(1 for v in victims if v.sex == "female" and v.is_child is False)
    return Anonymous(
        named=named,
        minimum=max(0, incident.killed_min - named),
        maximum=None if incident.killed_max is None else max(0, incident.killed_max - named),
        children=max(0, (incident.children_killed or 0) - children),
        women=max(0, (incident.women_killed or 0) - women),
    )


def incident_values(incident: Incident) -> dict[str, Any]:
    return {f: getattr(incident, f) for f in (*PLACE_FIELDS, *COUNT_FIELDS, "status")}


def report_candidates(session: Session, report: IncidentReport) -> list[Candidate]:
    return list(session.scalars(select(Candidate).where(Candidate.incident_report_id == report.id).order_by(Candidate.seq)))


# --- decisions ------------------------------------------------------------------------------


def parse_values(form: dict[str, Any], report: IncidentReport) -> dict[str, Any]:
    """The confirmed values from a form: the counts (:func:`parse_counts`) and the date, place,
    perpetrator and cause (:func:`parse_place`). A field the form leaves out keeps the report's."""
    return {**parse_counts(form, report), **parse_place(form, report)}


def parse_counts(form: dict[str, Any], report: IncidentReport) -> dict[str, Any]:
    """Counts as non-negative integers (blank keeps none), checked against each other. Raises
    ReviewError naming the field."""
    values: dict[str, Any] = {}
    for name in COUNT_FIELDS:
        stated = getattr(report, name)
        raw = str(form[name] if name in form else ("" if stated is None else stated)).strip()
        if raw == "":
            values[name] = None
            continue
        count = whole_number(raw, 100_000)
        if count is None:
            raise InvalidValue(f"{name.replace('_', ' ')}: {raw[:40]!r} is not a count (a whole number from 0)", "invalid_count",
                               field=name, value=raw[:40])
        values[name] = count
    if values["killed_min"] is None and "killed_min" not in form:
        values["killed_min"] = report.killed if report.killed is not None else (report.named_victims or None)
    if "killed_max" not in form and values["killed_min"] is not None and values["killed_max"] is not None:
        values["killed_max"] = max(values["killed_max"], values["killed_min"])  # only the least was corrected
    if values["killed_min"] is not None and values["killed_max"] is not None and values["killed_max"] < values["killed_min"]:
        raise InvalidValue(f"killed: the most ({values['killed_max']}) is below the least ({values['killed_min']})", "invalid_killed_range",
                           most=values["killed_max"], least=values["killed_min"])
    if values["injured_min"] is not None and values["injured_max"] is not None and values["injured_max"] < values["injured_min"]:
        raise InvalidValue(f"injured: the most ({values['injured_max']}) is below the least ({values['injured_min']})", "invalid_injured_range",
                           most=values["injured_max"], least=values["injured_min"])
    for part in ("children_killed", "women_killed"):
        top = values["killed_max"]
        if values[part] is not None and top is not None and values[part] > top:
            raise InvalidValue(f"{part.replace('_', ' ')}: {values[part]} is more than the {top} killed", "invalid_part",
                               field=part, value=values[part], top=top)
    return values


def parse_place(form: dict[str, Any], report: IncidentReport) -> dict[str, Any]:
    """Date, governorate, locality, perpetrator and cause, each checked against its format or
    vocabulary. Raises ReviewError naming the field."""
    from tawthiq.extractors.record import CAUSES, GOVERNORATES, PERPETRATORS

    values: dict[str, Any] = {}
    for name in PLACE_FIELDS:
        raw = str(form.get(name, getattr(report, name) or "") or "").strip()
        values[name] = raw or None
    if values["date"]:
        from tawthiq.lang.dates import parse_date

        parsed = parse_date(values["date"])
        if parsed is None:
            raise InvalidValue(f"date: {values['date'][:40]!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)", "invalid_date", field="date",
                               value=values["date"][:40])
        values["date"] = parsed
    if values["governorate"] and values["governorate"] not in GOVERNORATES:
        raise InvalidValue(f"governorate: {values['governorate'][:40]!r} is not one of the 14 governorates", "invalid_governorate",
                           field="governorate", value=values["governorate"][:40])
    if (values["perpetrator"] or "unknown") not in PERPETRATORS:
        raise InvalidValue(f"perpetrator: {values['perpetrator'][:40]!r} is not in the vocabulary", "invalid_choice", field="perpetrator",
                           value=values["perpetrator"][:40])
    if (values["cause"] or "unknown") not in CAUSES:
        raise InvalidValue(f"cause: {values['cause'][:40]!r} is not in the vocabulary", "invalid_choice", field="cause",
                           value=values["cause"][:40])
    values["perpetrator"] = values["perpetrator"] or "unknown"
    values["cause"] = values["cause"] or "unknown"
    return values


def decide(session: Session, task: IncidentTask, user: User, action: str, *, values: dict[str, Any] | None = None,
           incident_id: int | None = None, reason: str | None = None, note: str | None = None) -> IncidentDecision:
    """Record a documenter's decision on an incident report and write what it implies."""
    check_claim(task, user)
    report = task.report
    if action not in ACTIONS:
        raise ReviewError(f"unknown action {action!r}", "unknown_action")
    if action == "not_death" and reason not in NOT_DEATH_REASONS:
        raise ReviewError(f"choose why this reports no death to archive: {', '.join(NOT_DEATH_REASONS)}", "choose_no_death_reason")
    values = dict(values or parse_values({}, report))
    decision = IncidentDecision(task_id=task.id, report_id=report.id, user_id=user.id, action=action,
                                reason=reason or note, values=values)
    session.add(decision)
    session.flush()
    if action == "new_incident" and not values.get("killed_min"):
        raise ReviewError("killed, at least: say how many were killed before archiving the incident "
                          "(or choose 'reports no death to archive')", "killed_needed")
    incident: Incident | None
    if action == "new_incident":
        incident = Incident(**{k: values.get(k) for k in PLACE_FIELDS},
                            killed_min=values["killed_min"], killed_max=values["killed_max"],
                            children_killed=values.get("children_killed") or 0, women_killed=values.get("women_killed") or 0,
                            injured_min=values.get("injured_min"), injured_max=values.get("injured_max"))
        session.add(incident)
        session.flush()
        _history(session, incident, decision, user, "created", {}, incident_values(incident), note)
        _archive_report(session, incident, report, decision, user)
    elif action == "same_incident":
        incident = session.get(Incident, incident_id) if incident_id else None
        if incident is None or incident.status != "active":
            raise ReviewError(f"archived incident {incident_id} does not exist or is not active", "no_incident", incident=incident_id)
        before = incident_values(incident)
        _widen(incident, values)
        incident.updated_at = utcnow()
        _history(session, incident, decision, user, "source_added", before, incident_values(incident), note)
        _archive_report(session, incident, report, decision, user)
    elif action == "not_death":
        _close(task, report)
    else:
        task.state = TASK_DEFERRED
        release(session, task, user)
    if action in ("new_incident", "same_incident"):
        decision.incident_id = report.incident_id
        _close(task, report)
    audit(session, user.id, f"incident.{action}", "incident_report", report.id,
          {"task": task.id, "decision": decision.id, "incident": decision.incident_id, "reason": reason})
    return decision


def undo(session: Session, decision_id: int, user: User, note: str | None = None) -> IncidentDecision:
    """Reverse exactly one incident decision (editors any, documenters their own for
    :data:`tawthiq.db.archive.UNDO_MINUTES`): the report leaves its incident, whose place and
    counts are replayed from the decisions still in force (the next one becomes its origin);
    an incident no decision backs any more is retracted, and its named victims leave it. The
    victims of the undone report leave the incident too. The report goes back to the queue,
    and an ``undo`` decision records who did it and why."""
    from .archive import UNDO_MINUTES, may_undo

    original = session.get(IncidentDecision, decision_id)
    if original is None or original.action == "undo":
        raise ReviewError(f"incident decision {decision_id} does not exist or cannot be undone", "no_decision",
                          decision=decision_id)
    if original.undone:
        raise ReviewError(f"incident decision {decision_id} was already undone", "already_undone", decision=decision_id)
    if not may_undo(user, original):
        raise ReviewError(f"undoing incident decision {decision_id} needs the editor role; you are a {user.role} "
                          f"(documenters may undo their own decisions for {UNDO_MINUTES} minutes)", "undo_role",
                          minutes=UNDO_MINUTES)
    later = session.scalar(select(IncidentDecision).where(
        IncidentDecision.report_id == original.report_id, IncidentDecision.id > original.id,
        IncidentDecision.undone.is_(False), IncidentDecision.action != "undo"))
    if later is not None:
        raise ReviewError(f"incident decision {decision_id} was followed by decision {later.id} on the same report; undo that "
                          "one first", "undo_later_first", decision=decision_id, later=later.id)
    task = session.get_one(IncidentTask, original.task_id)
    report = session.get_one(IncidentReport, original.report_id)
    reversal = IncidentDecision(task_id=task.id, report_id=report.id, user_id=user.id, action="undo", undoes_id=original.id,
                                incident_id=original.incident_id, reason=note, values={})
    session.add(reversal)
    original.undone = True
    session.flush()
    if original.incident_id is not None and original.action in ("new_incident", "same_incident"):
        incident = session.get_one(Incident, original.incident_id)
        for source in session.scalars(select(IncidentSource).where(IncidentSource.incident_id == incident.id,
                                                                   IncidentSource.report_id == report.id)):
            source.active = False
        report.incident_id = None
        session.flush()
        before = incident_values(incident)
        # The report's own named victims no longer belong to this incident.
        for victim in session.scalars(select(Victim).join(Candidate, Candidate.incident_report_id == report.id)
                                      .join(Decision, (Decision.candidate_id == Candidate.id) & (Decision.victim_id == Victim.id))
                                      .where(Victim.incident_id == incident.id, Decision.undone.is_(False)).distinct()):
            unlink_victim(session, victim, user)
        origin = recompute_incident(session, incident)
        if incident.status == "retracted":
            for victim in session.scalars(select(Victim).where(Victim.incident_id == incident.id)):
                unlink_victim(session, victim, user)
        what = f"decision {original.id} ({original.action}) undone"
        if incident.status == "retracted":
            what += "; no decision backs this incident any more"
        elif origin is not None and original.action == "new_incident":
            what += f"; decision {origin.id} is now its origin"
        incident.updated_at = utcnow()
        _history(session, incident, reversal, user, "undone", before, incident_values(incident), f"{what}: {note}" if note else what)
    reopen_task(task)
    report.state = REPORT_QUEUED
    audit(session, user.id, "incident.undo", "incident_decision", original.id, {"undo": reversal.id, "note": note})
    return reversal


def recompute_incident(session: Session, incident: Incident) -> IncidentDecision | None:
    """An incident's place and counts replayed from the decisions still in force, in order: the
    first is its origin (the values it confirmed), each later one widens the range as
    :func:`decide` did. With none, the incident is retracted. Returns the origin decision."""
    rows = list(session.scalars(select(IncidentHistory).where(IncidentHistory.incident_id == incident.id,
                                                              IncidentHistory.action.in_(("created", "source_added")))
                                .order_by(IncidentHistory.id)))
    origin: IncidentDecision | None = None
    for row in rows:
        decision = session.get(IncidentDecision, row.decision_id) if row.decision_id is not None else None
        if decision is None or decision.undone:
            continue
        if origin is None:
            origin = decision
            values = decision.values
            for field_name in PLACE_FIELDS:
                setattr(incident, field_name, values.get(field_name) or ("unknown" if field_name in ("perpetrator", "cause") else None))
            incident.killed_min = values.get("killed_min") or 0
            incident.killed_max = values.get("killed_max")
            incident.children_killed = values.get("children_killed") or 0
            incident.women_killed = values.get("women_killed") or 0
            incident.injured_min, incident.injured_max = values.get("injured_min"), values.get("injured_max")
        else:
            _widen(incident, dict(decision.values))
    if origin is None:
        incident.status = "retracted"
    else:
        named = anonymous(session, incident).named
        if incident.killed_min < named:  # the named dead are facts, as when they were linked
            incident.killed_min = named
            if incident.killed_max is not None and incident.killed_max < named:
                incident.killed_max = named
    return origin


def _widen(incident: Incident, values: dict[str, Any]) -> None:
    """Counts from another source of the same incident: the range the sources give (the
    least of the lows, the most of the highs); children, women and injured the most stated."""
    low, high = values["killed_min"], values["killed_max"]
    if low is None:  # this source gives no count: the range stands
        low = incident.killed_min
    incident.killed_min = min(incident.killed_min, low)
    if incident.killed_max is not None or high is not None:
        incident.killed_max = max(x for x in (incident.killed_max, high, low, incident.killed_min) if x is not None)
    incident.children_killed = max(incident.children_killed or 0, values.get("children_killed") or 0)
    incident.women_killed = max(incident.women_killed or 0, values.get("women_killed") or 0)
    for field_name in ("injured_min", "injured_max"):
        new = values.get(field_name)
        old = getattr(incident, field_name)
        if new is not None:
            setattr(incident, field_name, new if old is None else (min(old, new) if field_name == "injured_min" else max(old, new)))
    for field_name in PLACE_FIELDS:
        if getattr(incident, field_name) in (None, "unknown") and values.get(field_name) not in (None, "unknown"):
            setattr(incident, field_name, values[field_name])


def _archive_report(session: Session, incident: Incident, report: IncidentReport, decision: IncidentDecision, user: User) -> None:
    item = report.raw_item
    url = (item.meta or {}).get("canonical_url") or item.url
    found = session.scalar(select(IncidentSource).where(IncidentSource.incident_id == incident.id,
                                                        IncidentSource.report_id == report.id))
    if found is not None:  # archived here before, then undone: the same row again
        found.active, found.decision_id = True, decision.id
        found.killed_min, found.killed_max = decision.values.get("killed_min"), decision.values.get("killed_max")
    else:
        session.add(IncidentSource(incident_id=incident.id, report_id=report.id, raw_item_id=item.id, source_id=item.source_id,
                                   url=url, evidence=report.evidence, killed_min=decision.values.get("killed_min"),
                                   killed_max=decision.values.get("killed_max"), decision_id=decision.id))
    report.incident_id = incident.id
    session.flush()
    # The named victims of the same item already archived join the incident now.
    rows = session.execute(select(Candidate, Decision.victim_id).join(Decision, Decision.candidate_id == Candidate.id)
                           .where(Candidate.incident_report_id == report.id, Decision.undone.is_(False),
                                  Decision.action.in_(("new_victim", "same_as")))).all()
    for candidate, victim_id in rows:
        victim = session.get(Victim, victim_id)
        if victim is not None:
            link_victim(session, victim, candidate, user)


def link_victim(session: Session, victim: Victim, candidate: Candidate, user: User) -> bool:
    """Link an archived victim to the archived incident its report belongs to, once; the
    incident's history says one more is named and one fewer is anonymous."""
    if victim.incident_id is not None or candidate.incident_report_id is None or victim.status != "active":
        return False
    report = session.get(IncidentReport, candidate.incident_report_id)
    if report is None or report.incident_id is None:
        return False
    incident = session.get(Incident, report.incident_id)
    if incident is None or incident.status != "active":
        return False
    before = anonymous(session, incident)
    victim.incident_id = incident.id
    session.flush()
    after = anonymous(session, incident)
    if incident.killed_min < after.named:
        # More named than counted: the count was low; the named dead are facts.
        incident.killed_min = after.named
        if incident.killed_max is not None and incident.killed_max < after.named:
            incident.killed_max = after.named
        after = anonymous(session, incident)
    _history(session, incident, None, user, "victim_named",
             {"named": before.named, "anonymous_min": before.minimum, "anonymous_max": before.maximum},
             {"named": after.named, "anonymous_min": after.minimum, "anonymous_max": after.maximum, "victim_id": victim.id},
             f"victim {victim.id} named: anonymous {before.minimum} → {after.minimum}")
    return True


def unlink_victim(session: Session, victim: Victim, user: User) -> bool:
    """Take a victim out of its incident (an undo left no report of it in that incident, or
    retracted it): the incident's history says one fewer is named and one more anonymous."""
    if victim.incident_id is None:
        return False
    incident = session.get(Incident, victim.incident_id)
    if incident is None:
        victim.incident_id = None
        return False
    status, victim.status = victim.status, "active"
    session.flush()
    before = anonymous(session, incident)
    victim.status = status
    victim.incident_id = None
    session.flush()
    after = anonymous(session, incident)
    _history(session, incident, None, user, "victim_unnamed",
             {"named": before.named, "anonymous_min": before.minimum, "anonymous_max": before.maximum, "victim_id": victim.id},
             {"named": after.named, "anonymous_min": after.minimum, "anonymous_max": after.maximum},
             f"victim {victim.id} no longer named here: anonymous {before.minimum} → {after.minimum}")
    return True


def _close(task: IncidentTask, report: IncidentReport) -> None:
    close_task(task)
    report.state = REPORT_DECIDED


def _history(session: Session, incident: Incident, decision: IncidentDecision | None, user: User, action: str,
             before: dict[str, Any], after: dict[str, Any], note: str | None = None) -> None:
    session.add(IncidentHistory(incident_id=incident.id, decision_id=decision.id if decision else None, user_id=user.id,
                                action=action, before=before, after=after, note=note))


def add_victim_candidate(session: Session, report: IncidentReport, user: User, name: str, evidence: str,
                         fields: dict[str, Any]) -> Candidate:
    """A victim the extractor missed, added by a documenter from the report's text: a new
    candidate of the same item and incident, which goes through matching and the queue like
    any other (a person is archived by a decision on it, not by this)."""
    name = " ".join(name.split())[:500]
    if len(name) < 2:
        raise ReviewError("select or type the victim's name first", "select_name")
    arabic = is_arabic(name)
    last = session.scalar(select(func.max(Candidate.seq)).where(Candidate.raw_item_id == report.raw_item_id))
    seq = 0 if last is None else int(last) + 1  # not ``last or -1``: a last seq of 0 is a seq
    age, sex = check_field("age", fields.get("age")), check_field("sex", fields.get("sex"))
    candidate = Candidate(
        raw_item_id=report.raw_item_id, seq=seq, full_name=transliterate_name(name) if arabic else name,
        name_ar=name if arabic else None, sex=sex, age=age, is_child=(age < 18) if age is not None else None,
        date_of_death=fields.get("date") or report.date, death_governorate=fields.get("governorate") or report.governorate,
        death_locality=fields.get("locality") or report.locality, perpetrator=fields.get("perpetrator") or report.perpetrator,
        cause=fields.get("cause") or report.cause, category="civilian", evidence=evidence[:4000] or name,
        field_evidence={"full_name": f"selected by {user.username} in the item's text"},
        extra={"added_by": user.username}, confidence=1.0, extractor="documenter", extractor_version="1",
        incident_report_id=report.id,
    )
    session.add(candidate)
    report.named_victims = (report.named_victims or 0) + 1
    session.flush()
    audit(session, user.id, "candidate.added_from_text", "candidate", candidate.id, {"report": report.id, "name": name})
    return candidate

