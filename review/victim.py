"""An archived victim's page: the record, its names, sources, history and decisions; editors
correct its fields (with a reason, kept in its history) and merge another record into it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.datastructures import FormData
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from tawthiq.db import archive
from tawthiq.db.models import Source, User, Victim, VictimHistory, VictimName, VictimSource

from .auth import current_user, form_data, get_session, require_editor, verify_csrf
from .params import RowId, parse_int

router = APIRouter()


@router.get("/victim/{victim_id}", response_class=HTMLResponse)
def victim_page(victim_id: RowId, request: Request, edited: str = "", user: User = Depends(current_user),
                session: Session = Depends(get_session)) -> Response:
    from .app import render

    victim = session.get(Victim, victim_id)
    if victim is None:
        raise HTTPException(404, f"no archived victim {victim_id}")
    sources = session.execute(select(VictimSource, Source).join(Source, Source.id == VictimSource.source_id)
                              .where(VictimSource.victim_id == victim.id).order_by(VictimSource.id)).all()
    names = session.scalars(select(VictimName).where(VictimName.victim_id == victim.id).order_by(VictimName.id)).all()
    history = session.scalars(select(VictimHistory).where(VictimHistory.victim_id == victim.id).order_by(VictimHistory.id)).all()
    users = {u.id: u.username for u in session.scalars(select(User))}
    return render(request, "victim.html", victim=victim, sources=sources, names=names, history=history, users=users,
                  independent=archive.independent_sources(session, victim), editable=archive.EDITABLE,
                  decisions=archive.decisions_for_victim(session, victim), edited=edited == "1")


@router.post("/victim/{victim_id}/edit", dependencies=[Depends(verify_csrf)])
def edit(victim_id: RowId, request: Request, user: User = Depends(require_editor),
         session: Session = Depends(get_session), form: FormData = Depends(form_data)) -> Response:
    """Correct an archived victim's fields; the reason is required and kept in its history."""
    victim = session.get(Victim, victim_id)
    if victim is None:
        raise HTTPException(404, f"no archived victim {victim_id}")
    values = {f: form.get(f) for f in archive.EDITABLE if f in form}
    changed = archive.edit_victim(session, victim, user, values, str(form.get("note") or "").strip() or None)
    session.commit()
    return RedirectResponse(f"/victim/{victim_id}{'?edited=1' if changed else ''}", status_code=303)


@router.post("/victim/{victim_id}/merge", dependencies=[Depends(verify_csrf)])
def merge(victim_id: RowId, request: Request, user: User = Depends(require_editor),
          session: Session = Depends(get_session), form: FormData = Depends(form_data)) -> Response:
    merge_id = form.get("merge_id")
    # "#12", as the victim page numbers them, is victim 12.
    other = parse_int("merge_id", merge_id.strip().removeprefix("#") if isinstance(merge_id, str) else merge_id,
                      low=1, required=True)
    archive.merge_victims(session, victim_id, other, user, note=str(form.get("note") or "") or None)
    session.commit()
    return RedirectResponse(f"/victim/{victim_id}", status_code=303)
