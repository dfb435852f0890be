"""The incident pages: reports to read, the reading page, and an archived incident.

An incident report reaches a documenter for every item that reports a death, named or not. The
reading page shows the item's text with the counts and the names the extractor found
highlighted, the counts as a form to confirm or correct, archived incidents that may be the
same (scored now, so one archived after the report was queued is offered too), and a form to
add a victim the extractor missed: select the name in the text and the form fills in, with the
incident's date, place, perpetrator and cause.

Opening a page does not claim it; the first action does (or "Start reading", which takes the
oldest report nobody holds).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.datastructures import FormData
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from tawthiq.db import archive, incidents
from tawthiq.db.models import (
    Incident,
    IncidentDecision,
    IncidentHistory,
    IncidentReport,
    IncidentSource,
    IncidentTask,
    RawItem,
    Source,
    User,
    Victim,
)
from tawthiq.errors import InvalidValue, ReviewError
from tawthiq.pipeline import REPORT_SUPERSEDED, superseded_readings

from .auth import current_user, form_data, get_session, verify_csrf
from .params import MAX_ROW_ID, PageNumber, RowId

router = APIRouter()
PAGE = 50


def _render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    from .app import render

    return render(request, name, status_code, **context)


def highlight(text: str, phrases: list[tuple[str, str]]) -> Markup:
    """The text, escaped, with each phrase wrapped in ``<mark class="KIND">`` (counts killed
    or injured, names, death words); longest phrases first so a name inside a count stays whole."""
    text = text or ""
    wanted = {}
    for phrase, kind in phrases:
        phrase = (phrase or "").strip()
        if len(phrase) >= 2 and phrase not in wanted:
            wanted[phrase] = kind
    if not wanted:
        return Markup(escape(text))
    pattern = re.compile("|".join(re.escape(p) for p in sorted(wanted, key=len, reverse=True)))
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(str(escape(text[last:match.start()])))
        out.append(f'<mark class="{wanted[match.group(0)]}">{escape(match.group(0))}</mark>')
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def _reading_text(item: RawItem, text: str | None = None) -> str:
    """The text a report was read from, as the extractor read it: the item's, or ``text`` (a
    superseded reading's own)."""
    from tawthiq.extractors.incidents import clean_text

    body = text if text is not None else item.text if item.text is not None else item.content[:200_000].decode("utf-8", "replace")
    title = item.title or ""
    whole = f"{title}\n\n{body}" if title and title not in body[:len(title) + 200] else body
    return clean_text(whole)


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(request: Request, page: PageNumber = 1, user: User = Depends(current_user),
                   session: Session = Depends(get_session)) -> Response:
    tasks = session.scalars(incidents.queue_query().limit(PAGE).offset((page - 1) * PAGE)).all()
    sources = {s.id: s.name for s in session.scalars(select(Source))}
    archived = session.scalars(select(Incident).where(Incident.status == "active")
                               .order_by(Incident.date.desc(), Incident.id.desc()).limit(PAGE)).all()
    anonymous = {i.id: incidents.anonymous(session, i) for i in archived}
    return _render(request, "incidents.html", tasks=tasks, sources=sources, page=page, more=len(tasks) == PAGE,
                   open_count=incidents.open_count(session), archived=archived, anonymous=anonymous)


@router.post("/incidents/next", dependencies=[Depends(verify_csrf)])
def next_incident(user: User = Depends(current_user), session: Session = Depends(get_session)) -> Response:
    task = incidents.claim_next(session, user)
    session.commit()
    if task is None:
        return RedirectResponse("/incidents?empty=1", status_code=303)
    return RedirectResponse(f"/incidents/{task.id}", status_code=303)


@router.get("/incidents/{report_task_id}", response_class=HTMLResponse)
def incident_task_page(report_task_id: RowId, request: Request, user: User = Depends(current_user),
                       session: Session = Depends(get_session)) -> Response:
    task = _task(session, report_task_id)
    report = task.report
    item = report.raw_item
    named = incidents.report_candidates(session, report)
    phrases = [(str(p[0]), str(p[1])) for p in (report.spans or []) if isinstance(p, (list, tuple)) and len(p) == 2]
    for candidate in named:
        for name in (candidate.name_ar, candidate.full_name):
            if name:
                phrases.append((name, "name"))
    decisions = session.scalars(select(IncidentDecision).where(IncidentDecision.task_id == task.id)
                                .order_by(IncidentDecision.id)).all()
    text, text_unknown = highlight(_reading_text(item), phrases), False
    if report.state == REPORT_SUPERSEDED:
        # A reading tawthiq reextract replaced: its spans and names are of the text it was read
        # from, which the item may no longer hold; never highlighted in another text.
        reading = next((r for r in superseded_readings(session, item.id) if any(x.id == report.id for x in r.reports)), None)
        if reading is not None and reading.text_known and reading.text is not None:
            text = highlight(_reading_text(item, reading.text), phrases)
        else:
            text, text_unknown = Markup(escape(_reading_text(item))), True
    return _render(request, "incident.html", task=task, report=report, item=item, source=item.source, named=named,
                   text=text, text_unknown=text_unknown, matches=incidents.suggestions(session, report),
                   others=incidents.other_reports(session, report), decisions=decisions,
                   reasons=incidents.NOT_DEATH_REASONS, count_fields=incidents.COUNT_FIELDS,
                   editable=task.state in ("open", "deferred"))


def _task(session: Session, task_id: int) -> IncidentTask:
    task = session.get(IncidentTask, task_id)
    if task is None:
        raise HTTPException(404, f"no incident report {task_id} in the queue")
    return task


def _take(session: Session, task: IncidentTask, user: User) -> None:
    """Claim on the first action: refused while another documenter holds the report."""
    claimed = incidents.claim_task(session, task.id, user)
    session.refresh(user)  # the claim expires what the session holds; the page still names the user
    session.refresh(task)
    if not claimed:
        incidents.check_claim(task, user)


@router.post("/incidents/{report_task_id}/decide", dependencies=[Depends(verify_csrf)])
def decide_incident(report_task_id: RowId, request: Request, user: User = Depends(current_user),
                    session: Session = Depends(get_session), posted: FormData = Depends(form_data)) -> Response:
    form = dict(posted.items())
    task = _task(session, report_task_id)
    action = str(form.get("action", ""))
    raw_incident = str(form.get("incident_id", "")).strip().lstrip("#")
    if action.startswith("same_incident:"):  # one button per suggested incident
        action, raw_incident = action.split(":", 1)
    if raw_incident and not raw_incident.isdecimal():
        raise InvalidValue(f"incident: {raw_incident[:40]!r} is not an incident number", "invalid_incident_number",
                           value=raw_incident[:40])
    if raw_incident and (len(raw_incident) > 10 or int(raw_incident) > MAX_ROW_ID):
        raise ReviewError(f"archived incident {raw_incident[:40]} does not exist or is not active", "no_incident",
                          incident=raw_incident[:40])
    values = incidents.parse_values(form, task.report)
    _take(session, task, user)
    incidents.decide(session, task, user, action, values=values, incident_id=int(raw_incident) if raw_incident else None,
                     reason=str(form.get("reason") or "") or None, note=str(form.get("note") or "") or None)
    session.commit()
    following = incidents.claim_next(session, user, skip={task.id})
    session.commit()
    if following is None:
        return RedirectResponse("/incidents", status_code=303)
    return RedirectResponse(f"/incidents/{following.id}", status_code=303)


@router.post("/incidents/{report_task_id}/add-victim", dependencies=[Depends(verify_csrf)])
def add_victim(report_task_id: RowId, request: Request, user: User = Depends(current_user),
               session: Session = Depends(get_session), posted: FormData = Depends(form_data)) -> Response:
    form = dict(posted.items())
    task = _task(session, report_task_id)
    _take(session, task, user)
    report = task.report
    fields = {k: str(form.get(k) or "").strip() or None for k in ("sex", "age", "date", "governorate", "locality", "perpetrator", "cause")}
    fields.update(incidents.parse_place({k: v or "" for k, v in fields.items() if k in incidents.PLACE_FIELDS}, report))
    candidate = incidents.add_victim_candidate(session, report, user, str(form.get("name") or ""),
                                               str(form.get("evidence") or "").strip(), fields)
    session.commit()
    # The new report of a person is matched against the archive and queued at once, like any
    # other: a documenter decides on it in the queue.
    from tawthiq.pipeline import match_pending, queue_pending

    engine = session.get_bind()
    match_pending(engine)  # type: ignore[arg-type]
    queue_pending(engine)  # type: ignore[arg-type]
    session.expire_all()
    queued = session.get(type(candidate), candidate.id)
    target = f"/item/{queued.review_task.id}" if queued is not None and queued.review_task else f"/incidents/{report_task_id}"
    return RedirectResponse(target, status_code=303)


@router.get("/incident/{incident_id}", response_class=HTMLResponse)
def incident_page(incident_id: RowId, request: Request, user: User = Depends(current_user),
                  session: Session = Depends(get_session)) -> Response:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise HTTPException(404, f"no archived incident {incident_id}")
    sources = session.execute(select(IncidentSource, Source).join(Source, Source.id == IncidentSource.source_id)
                              .where(IncidentSource.incident_id == incident.id).order_by(IncidentSource.id)).all()
    history = session.scalars(select(IncidentHistory).where(IncidentHistory.incident_id == incident.id)
                              .order_by(IncidentHistory.id)).all()
    victims = session.scalars(select(Victim).where(Victim.incident_id == incident.id, Victim.status == "active")
                              .order_by(Victim.id)).all()
    reports = {r.id: r for r in session.scalars(select(IncidentReport).where(IncidentReport.incident_id == incident.id))}
    users = {u.id: u.username for u in session.scalars(select(User))}
    decisions = session.scalars(select(IncidentDecision).where(IncidentDecision.incident_id == incident.id)
                                .order_by(IncidentDecision.id)).all()
    return _render(request, "incident_archive.html", incident=incident, sources=sources, history=history,
                   victims=victims, anonymous=incidents.anonymous(session, incident), users=users, reports=reports,
                   decisions=decisions, may_undo=lambda d: archive.may_undo(user, d))


@router.post("/incident-decision/{decision_id}/undo", dependencies=[Depends(verify_csrf)])
def undo_incident_decision(decision_id: RowId, user: User = Depends(current_user), session: Session = Depends(get_session),
                           posted: FormData = Depends(form_data)) -> Response:
    """Undo one incident decision; the report comes back to the queue, taken by whoever undid it."""
    reversal = incidents.undo(session, decision_id, user, note=str(posted.get("note") or "") or None)
    session.commit()
    if incidents.claim_task(session, reversal.task_id, user):
        session.commit()
    return RedirectResponse(f"/incidents/{reversal.task_id}", status_code=303)
