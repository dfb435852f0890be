"""The item page: one queued report of a person, compared with the archive, and its decision.

Opening the page claims nothing: a documenter may open an item to compare it with another and
leave it for whoever takes it. An item is taken by "Start reviewing" (the oldest one nobody
holds), by "Take this item", or by the first action on it (a correction or a decision); a
claim keeps others off it for :data:`tawthiq.db.archive.CLAIM_MINUTES`.

The page compares the report with the archived victims it was linked to, and with victims
archived since it was scored (another documenter may have archived the same person meanwhile),
and can search the archive for any victim to compare and decide "same as #N". Deciding "new
victim" re-scores the report first: if a victim archived since looks like the same person, the
decision is not taken and the page comes back with that victim beside the report.

After a decision the next item opens with the decision just made and, within
:data:`tawthiq.db.archive.UNDO_MINUTES`, a button (and the z key) to undo it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.datastructures import FormData
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from tawthiq.db import archive
from tawthiq.db.models import Attachment, Candidate, Decision, MatchLink, RawItem, ReviewTask, User, Victim, utcnow

from .auth import current_user, form_data, get_session, verify_csrf
from .params import RowId, parse_choice, parse_int

router = APIRouter()
#: The decisions on a queued report of a person (db/archive.py decide).
DECISIONS = ("new_victim", "same_as", "not_victim", "defer")
#: The queue's filters, carried from item to item.
FILTER_KEYS = ("source", "governorate", "date_from", "date_to", "has_match", "older_than")
#: Victims an archive search on the item page lists.
FOUND = 10


def _render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    from .app import render

    return render(request, name, status_code, **context)


def queue_filters(query: str) -> tuple[archive.QueueFilters, str]:
    """The queue's filters in a query string (refused with 400 when bad), and the query string
    of those filters alone, to carry to the next item and back to the queue."""
    from .app import _filters

    parsed = {k: v[0] for k, v in parse_qs(query).items() if k in FILTER_KEYS}
    return _filters(*(parsed.get(k, "") for k in FILTER_KEYS)), urlencode(parsed)


def item_url(task_id: int, query: str, **flags: str) -> str:
    """An item page's address with the queue's filters (``query``) and page flags."""
    extra = urlencode(flags)
    return f"/item/{task_id}?{'&'.join(part for part in (query, extra) if part)}"


def held_by_other(task: Any, user: User) -> User | None:
    """The documenter whose live claim keeps ``user`` off ``task``, if any."""
    if task.claimed_by_id not in (None, user.id) and task.claim_expires_at and task.claim_expires_at > utcnow():
        return task.claimed_by  # type: ignore[no-any-return]
    return None


#: Attachments a browser may show inline (what the family form accepts); anything else downloads.
INLINE_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")


def family_account(item: RawItem) -> list[tuple[str, str]]:
    """A submission's answers as (question, answer) pairs, in the order given, groups flattened
    (``group_victim/victim_name`` → ``victim_name``); the submission's own bookkeeping fields
    (``_receipt``, ``meta/instanceID``) are left out. The submitter's details are not in the
    stored item (they are encrypted apart), so nothing here needs an admin."""
    import json

    try:
        data = json.loads(item.content.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        return []
    out: list[tuple[str, str]] = []

    def walk(value: Any, key: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if not str(k).startswith(("_", "meta", "__")):
                    walk(v, str(k))
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif value not in (None, ""):
            out.append((key.rsplit("/", 1)[-1], str(value)))

    walk(data, "")
    return out


def _task(session: Session, task_id: int) -> ReviewTask:
    task = session.get(ReviewTask, task_id)
    if task is None:
        raise HTTPException(404, f"no queue item {task_id}")
    return task


@router.get("/item/{task_id}", response_class=HTMLResponse)
def item_page(task_id: RowId, request: Request, find: str = "", compare: str = "", rescored: str = "", corrected: str = "",
              user: User = Depends(current_user), session: Session = Depends(get_session)) -> Response:
    task = _task(session, task_id)
    _filters, query = queue_filters(str(request.url.query))
    candidate = task.candidate
    open_task = task.state in ("open", "deferred")
    matches: list[tuple[MatchLink | None, Victim, str]] = [(link, v, "linked") for link, v in archive.best_matches(session, candidate)]
    if open_task:
        # Victims archived since the report was scored whose names look like its name, from
        # the name index (a page view builds no matcher and writes nothing; "New victim"
        # scores them for real and stops if one is likely the same person).
        shown = {v.id for _, v, _ in matches}
        matches += [(None, v, "since") for v in archive.namesakes_since(session, candidate) if v.id not in shown]
    compare_id = parse_int("compare", compare.strip().removeprefix("#"), low=1)
    if compare_id is not None and compare_id not in {v.id for _, v, _ in matches}:
        victim = session.get(Victim, compare_id)
        if victim is not None and victim.status == "merged" and victim.merged_into_id:
            victim = session.get(Victim, victim.merged_into_id)
        if victim is None or victim.status != "active":
            raise HTTPException(404, f"no active archived victim {compare_id}")
        matches.append((None, victim, "chosen"))
    found = archive.search_victims(session, find, limit=FOUND) if find.strip() else []
    cluster = archive.cluster_candidates(session, candidate)
    previous = session.scalar(select(Decision).where(Decision.user_id == user.id, Decision.action != "undo")
                              .order_by(Decision.id.desc()).limit(1))
    decisions = session.scalars(select(Decision).where(Decision.review_task_id == task.id).order_by(Decision.id)).all()
    holder = held_by_other(task, user)
    raw = candidate.raw_item
    attachments = session.execute(select(Attachment.id, Attachment.name, Attachment.media_type)
                                  .where(Attachment.raw_item_id == raw.id).order_by(Attachment.id)).all()
    from tawthiq.sources.webform import QUESTIONS

    from .app import lang_of

    labels = {q.name: (q.ar if lang_of(request) == "ar" else q.en) for q in QUESTIONS}
    readings = superseded(session, raw)
    replaced = next((r for r in readings if candidate.id in {c.id for c in r["candidates"]}), None)
    in_force = session.scalars(select(ReviewTask).join(Candidate, Candidate.id == ReviewTask.candidate_id)
                               .where(Candidate.raw_item_id == raw.id, Candidate.state != "superseded")
                               .order_by(Candidate.seq)).all() if task.state == "superseded" else []
    return _render(request, "item.html", account=family_account(raw) if raw.kind == "form" else [], labels=labels,
                   attachments=attachments, inline_types=INLINE_TYPES, task=task, candidate=candidate, matches=matches, cluster=cluster,
                   holder=holder, can_act=open_task and holder is None,
                   mine=task.claimed_by_id == user.id and not holder and open_task,
                   previous=previous, previous_undoable=previous is not None and not previous.undone
                   and previous.action != "undo" and archive.may_undo(user, previous),
                   decisions=decisions, query=query, find=find, found=found, rescored=rescored == "1",
                   corrected=corrected == "1", corrections=archive.candidate_history(session, candidate),
                   source=candidate.raw_item.source, raw=candidate.raw_item, editable=archive.EDITABLE,
                   users={u.id: u.username for u in session.scalars(select(User))},
                   undo_minutes=archive.UNDO_MINUTES, superseded=readings, replaced=replaced, in_force=in_force)


def superseded(session: Session, raw: RawItem) -> list[dict[str, Any]]:
    """The item's readings replaced by a newer reading (`tawthiq reextract`), newest first, for
    the page to show apart from the reading in force, each with the extractor versions that
    read it and, when the text it was read from is known, that text with its names and counts
    highlighted: its own text, never the item's newer one, which its spans do not describe."""
    from tawthiq.pipeline import superseded_readings

    from .incidents import highlight

    out = []
    for reading in superseded_readings(session, raw.id):
        text = None
        if reading.text:
            phrases = [(str(p[0]), str(p[1])) for r in reading.reports for p in (r.spans or [])
                       if isinstance(p, (list, tuple)) and len(p) == 2]
            phrases += [(name, "name") for c in reading.candidates for name in (c.name_ar, c.full_name) if name]
            text = highlight(reading_text(raw, reading.text), phrases)
        out.append({"reading": reading, "candidates": reading.candidates, "reports": reading.reports,
                    "extractors": reading.extractors, "text": text, "text_known": reading.text_known})
    return out


def reading_text(raw: RawItem, body: str) -> str:
    """A text an item was read from as the incident page shows one: its title first (unless
    the text opens with it), cleaned as extraction cleans it."""
    from tawthiq.extractors.incidents import clean_text

    title = raw.title or ""
    return clean_text(f"{title}\n\n{body}" if title and title not in body[:len(title) + 200] else body)


@router.post("/item/{task_id}/take", dependencies=[Depends(verify_csrf)])
def take(task_id: RowId, request: Request, user: User = Depends(current_user),
         session: Session = Depends(get_session), form: FormData = Depends(form_data)) -> Response:
    """Take an item explicitly (opening it does not)."""
    _filters, query = queue_filters(str(form.get("query", "")))
    task = _task(session, task_id)
    archive.take(session, task, user)
    session.commit()
    return RedirectResponse(item_url(task.id, query), status_code=303)


@router.post("/item/{task_id}/decide", dependencies=[Depends(verify_csrf)])
def decide(task_id: RowId, request: Request, user: User = Depends(current_user),
           session: Session = Depends(get_session), form: FormData = Depends(form_data)) -> Response:
    task = _task(session, task_id)
    # Every value is read before anything is written: a bad one refuses the whole decision.
    action = parse_choice("action", form.get("action"), DECISIONS, required=True)
    raw_victim = form.get("victim_id")
    victim_id = parse_int("victim_id", raw_victim.strip().removeprefix("#") if isinstance(raw_victim, str) else raw_victim, low=1)
    choices = {f: str(form.get(f"choice_{f}")) for f in archive.CHOOSABLE if form.get(f"choice_{f}")}
    following_filters, query = queue_filters(str(form.get("query", "")))
    if action == "new_victim":
        archive.check_claim(task, user)
        found = archive.rescore_candidate(session, task.candidate)
        if found:
            # Someone archived a person this report may be since it was scored: the links are
            # kept, the decision is not taken, and the page shows them beside the report.
            session.commit()
            return RedirectResponse(item_url(task.id, query, rescored="1"), status_code=303)
    archive.decide(session, task, user, action, victim_id=victim_id, reason=str(form.get("reason") or "") or None,
                   choices=choices, note=str(form.get("note") or "") or None)
    session.commit()
    # The next item loads at once: take it now and go straight there ("Start reviewing" goes on).
    following = archive.claim_next(session, user, following_filters, skip={task.id})
    session.commit()
    if following is None:
        return RedirectResponse(f"/?{query}", status_code=303)
    return RedirectResponse(item_url(following.id, query), status_code=303)


@router.post("/item/{task_id}/correct", dependencies=[Depends(verify_csrf)])
def correct(task_id: RowId, request: Request, user: User = Depends(current_user),
            session: Session = Depends(get_session), form: FormData = Depends(form_data)) -> Response:
    """Correct what the extractor staged before deciding (a first action: it takes the item)."""
    task = _task(session, task_id)
    _filters, query = queue_filters(str(form.get("query", "")))
    values = {f: form.get(f) for f in archive.EDITABLE if f in form}
    changed = archive.correct_candidate(session, task, user, values, str(form.get("note") or "").strip() or None)
    session.commit()
    return RedirectResponse(item_url(task.id, query, **({"corrected": "1"} if changed else {})), status_code=303)


@router.post("/item/{task_id}/release", dependencies=[Depends(verify_csrf)])
def release(task_id: RowId, user: User = Depends(current_user), session: Session = Depends(get_session)) -> Response:
    task = session.get(ReviewTask, task_id)
    if task is not None:
        archive.release(session, task, user)
        session.commit()
    return RedirectResponse("/", status_code=303)


@router.post("/decision/{decision_id}/undo", dependencies=[Depends(verify_csrf)])
def undo(decision_id: RowId, request: Request, user: User = Depends(current_user),
         session: Session = Depends(get_session), form: FormData = Depends(form_data)) -> Response:
    """Undo one decision: editors any, documenters their own for a few minutes. The item
    comes back to the queue, taken by whoever undid it, so that they decide it again."""
    result = archive.undo(session, decision_id, user, note=str(form.get("note") or "") or None)
    session.commit()
    task = session.get_one(ReviewTask, result.review_task_id)
    if archive.claim(session, task.id, user):
        session.commit()
    return RedirectResponse(f"/item/{result.review_task_id}", status_code=303)


@router.get("/attachment/{attachment_id}")
def attachment(attachment_id: RowId, user: User = Depends(current_user), session: Session = Depends(get_session)) -> Response:
    """A photo or document a family sent, for documenters: images and PDFs shown in the
    browser, in a sandbox (no script of a crafted file runs), anything else downloaded."""
    found = session.get(Attachment, attachment_id)
    if found is None:
        raise HTTPException(404, f"no attachment {attachment_id}")
    media = found.media_type if found.media_type in INLINE_TYPES else "application/octet-stream"
    disposition = "inline" if media in INLINE_TYPES else "attachment"
    safe_name = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in found.name)[:100] or "attachment"
    return Response(found.content, media_type=media, headers={
        "Content-Disposition": f'{disposition}; filename="{safe_name}"', "Content-Security-Policy": "sandbox",
        "Cache-Control": "private, max-age=3600"})
