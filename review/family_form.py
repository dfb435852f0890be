"""The public family form, served by the review app without a login at ``/submit/{source}``.

A family fills it in Arabic or English; the answers are checked on the server (messages in
their language), stored raw with the submitter's details encrypted before anything else
happens, and the family is shown a receipt number to quote if they call. Protection without
JavaScript or third-party services: a CSRF token bound to a cookie, a request size limit (on
what arrives, chunked or not), a per-address rate limit, and a honeypot field. A filled
honeypot does not discard the submission (a browser's autofill can fill hidden fields too):
it is stored and set aside as failed with the reason, for a documenter to look at before
``tawthiq retry-failed``.

When answers come back for a correction, what the family typed is in the form again and the
photos they attached are kept (``pending_uploads``, up to a global cap on their total size,
for a day), so they need not attach them again. A submission identical to one received before
(same answers, same files: a double click, a resend) is stored too, but grouped with the
first: it is set aside as ``skipped`` naming the first, and the family is shown the first's
receipt, so one report reaches one documenter once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import AsyncGenerator
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tawthiq.db.models import RAW_SKIPPED, PendingUpload, RawItem, Source, utcnow
from tawthiq.sources.webform import (
    CHOICES,
    GROUPS,
    MAX_FILE_BYTES,
    MAX_FILES,
    QUESTIONS,
    Upload,
    new_receipt,
    validate_submission,
    web_submission_item,
)

router = APIRouter()

CSRF_COOKIE = "tawthiq_form_csrf"
#: Whole request bodies above this are refused (declared or counted as they arrive). Below it a
#: body is read as a stream and never held whole: answers in memory, each file on disk up to
#: one byte over its 5 MB and the rest dropped, so that photos too large come back as a
#: message beside the family's answers and their other photos, not as a refusal.
MAX_REQUEST_BYTES = 100 * 1024 * 1024
DEFAULT_RATE_PER_HOUR = 20
#: The most photos kept for forms sent back for a correction, in all (TAWTHIQ_PENDING_UPLOADS_MB).
DEFAULT_PENDING_MB = 200
#: How long such photos are kept.
PENDING_HOURS = 24
#: How far back an identical submission is looked for.
IDENTICAL_DAYS = 30

UI: dict[str, tuple[str, str]] = {
    "title": ("Report a death", "الإبلاغ عن وفاة"),
    "intro": ("Tell us about a person killed in the conflict. A documenter reads every report and may contact you, if you agree, before anything is published. Fields marked * are needed.",
              "أخبرنا عن شخص قُتل في النزاع. يقرأ أحد الموثقين كل بلاغ وقد يتواصل معك، إن وافقت، قبل نشر أي شيء. الحقول المعلّمة بـ * مطلوبة."),
    "submit": ("Send the report", "أرسل البلاغ"),
    "choose": ("— choose —", "— اختر —"),
    "fix": ("Please correct the answers marked below.", "يرجى تصحيح الإجابات المشار إليها أدناه."),
    "thanks": ("Thank you. Your report was received.", "شكراً لك. وصل بلاغك."),
    "receipt": ("Your receipt number", "رقم الإيصال"),
    "keep": ("Keep this number. Quote it if you contact us about this report.", "احتفظ بهذا الرقم واذكره إن تواصلت معنا بخصوص هذا البلاغ."),
    "another": ("Report another person", "الإبلاغ عن شخص آخر"),
    "slow_down": ("Too many reports were sent from this connection in the last hour. Please try again later; your answers are kept below.",
                  "أُرسل عدد كبير من البلاغات من هذا الاتصال خلال الساعة الأخيرة. يرجى المحاولة لاحقاً؛ إجاباتك محفوظة أدناه."),
    "expired": ("The page expired. Please check your answers and send again.", "انتهت صلاحية الصفحة. يرجى مراجعة إجاباتك والإرسال مجدداً."),
    "website": ("Leave this empty", "اترك هذا الحقل فارغاً"),
    "forms": ("Family forms", "استمارات العائلات"),
    "no_form": ("No family form is open here.", "لا توجد استمارة مفتوحة هنا."),
    "files_hint": ("Up to 3 files, 5 MB each: photos (JPEG, PNG, WebP) or PDF.", "حتى 3 ملفات، 5 ميغابايت لكل ملف: صور (JPEG أو PNG أو WebP) أو PDF."),
    "too_large": ("The report is too large to receive ({mb} MB at most in all, 5 MB a file). Please attach fewer or smaller photos and send again; because it was too large to read, the answers could not be kept.",
                  "البلاغ أكبر من أن يُستقبل (الحد {mb} ميغابايت للمجموع و5 ميغابايت لكل ملف). يرجى إرفاق صور أقل أو أصغر وإعادة الإرسال؛ ولأنه أكبر من أن يُقرأ لم نتمكن من حفظ الإجابات."),
    "unreadable": ("The report could not be read. Please send it again.", "تعذّرت قراءة البلاغ. يرجى إرساله مجدداً."),
    "kept_file": ("Kept from your last attempt", "محفوظ من محاولتك السابقة"),
    "kept_replace": ("attach another file to replace it", "أرفق ملفاً آخر لاستبداله"),
    "files_not_kept": ("Your photos could not be kept this time; please attach them again.", "تعذّر حفظ صورك هذه المرة؛ يرجى إرفاقها مجدداً."),
    "already": ("We had already received this same report. Its receipt number is below; there is no need to send it again.",
                "وصلنا هذا البلاغ نفسه من قبل. رقم إيصاله أدناه، ولا حاجة لإرساله مجدداً."),
}


class RateLimiter:
    """At most ``limit`` submissions per address in a sliding hour, in memory (one app process
    serves the form; a restart forgets, which errs on the side of the family)."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, address: str, limit: int, window: float = 3600.0) -> bool:
        now = time.monotonic()
        with self._lock:
            hits = self._hits[address]
            while hits and now - hits[0] > window:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            return True


limiter = RateLimiter()


def _lang(request: Request, source: Source | None = None) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get("tawthiq_lang")
    if chosen in ("en", "ar"):
        return chosen
    return str((source.settings or {}).get("default_language", "ar")) if source else "ar"


def _page(request: Request, name: str, lang: str, status: int = 200, **context: Any) -> HTMLResponse:
    from .app import templates
    from .i18n import translate

    ui = {key: (ar if lang == "ar" else en) for key, (en, ar) in UI.items()}
    context.update(request=request, lang=lang, dir="rtl" if lang == "ar" else "ltr", ui=ui, user=None,
                   t=lambda key: translate(key, lang), QUESTIONS=QUESTIONS, CHOICES=CHOICES, GROUPS=GROUPS)
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _form_source(request: Request, name: str) -> Source:
    with request.app.state.sessionmaker() as session:
        source = session.scalar(select(Source).where(Source.name == name, Source.kind == "form"))
        if source is None or not source.enabled:
            raise HTTPException(status_code=404, detail=f"no open family form named {name!r}")
        session.expunge(source)
        return source


def _with_csrf(response: HTMLResponse, token: str) -> HTMLResponse:
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", max_age=24 * 3600)
    return response


@router.get("/submit", response_class=HTMLResponse)
def list_forms(request: Request) -> Response:
    """The open family forms; with exactly one, go straight to it."""
    with request.app.state.sessionmaker() as session:
        names = list(session.scalars(select(Source.name).where(Source.kind == "form", Source.enabled.is_(True)).order_by(Source.name)))
    if len(names) == 1:
        return RedirectResponse(f"/submit/{names[0]}", status_code=303)
    return _page(request, "family_forms.html", _lang(request), forms=names)


@router.get("/submit/{name}", response_class=HTMLResponse)
def show_form(name: str, request: Request) -> Response:
    source = _form_source(request, name)
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    lang = _lang(request, source)
    return _with_csrf(_page(request, "family_form.html", lang, source=source.name, values={}, errors={}, csrf=token,
                            upload_token=secrets.token_urlsafe(24), kept=[]), token)


@router.post("/submit/{name}", response_class=HTMLResponse)
async def submit_form(name: str, request: Request) -> Response:
    """Read the submission here (the body and the files are awaited); check and store it in the
    thread pool, so that a wait for the database holds up this request only."""
    source = await run_in_threadpool(_form_source, request, name)
    try:
        form = await read_bounded_form(request)
    except (TooLarge, MultiPartException) as exc:
        lang = _lang(request, source)
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        too_large = isinstance(exc, TooLarge)
        notice = _ui("too_large", lang).format(mb=MAX_REQUEST_BYTES // (1024 * 1024)) if too_large else _ui("unreadable", lang)
        return _with_csrf(_page(request, "family_form.html", lang, 413 if too_large else 400, source=name, values={}, errors={},
                                csrf=token, notice=notice, upload_token=secrets.token_urlsafe(24), kept=[]), token)
    lang = str(form.get("lang") or _lang(request, source))
    lang = lang if lang in ("en", "ar") else "ar"
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    cookie = request.cookies.get(CSRF_COOKIE)
    sent = str(form.get("csrf_token") or "")
    token = cookie or secrets.token_urlsafe(24)
    if not cookie or not sent or not secrets.compare_digest(cookie, sent):
        return _with_csrf(_page(request, "family_form.html", lang, 403, source=name, values=values, errors={},
                                csrf=token, notice=UI["expired"][lang == "ar"]), token)
    address = request.client.host if request.client else "unknown"
    limit = int((source.settings or {}).get("rate_limit_per_hour", DEFAULT_RATE_PER_HOUR))
    if not limiter.allow(address, limit):
        return _with_csrf(_page(request, "family_form.html", lang, 429, source=name, values=values, errors={},
                                csrf=token, notice=UI["slow_down"][lang == "ar"]), token)
    uploads = []
    for question in QUESTIONS:
        if question.type != "file":
            continue
        upload = form.get(question.name)
        if upload is not None and not isinstance(upload, str) and getattr(upload, "filename", None):
            data = await upload.read(MAX_FILE_BYTES + 1)
            uploads.append(Upload(question.name, upload.filename or question.name, data))
    upload_token = str(form.get("upload_token") or "")[:64] or secrets.token_urlsafe(24)
    website = str(form.get("website") or "")
    return await run_in_threadpool(_receive, request, source, name, lang, values, uploads, upload_token, token, website)


def _receive(request: Request, source: Source, name: str, lang: str, values: dict[str, str], uploads: list[Upload],
             upload_token: str, token: str, website: str) -> Response:
    """Check a read submission and store it (or send it back for a correction)."""
    checked = validate_submission(values, uploads, lang)
    if checked.errors:
        notice = _ui("fix", lang)
        with request.app.state.sessionmaker() as session:
            if not keep_uploads(session, upload_token, checked.files):
                notice += " " + _ui("files_not_kept", lang)
            session.commit()
            kept = kept_uploads(session, upload_token)
        return _with_csrf(_page(request, "family_form.html", lang, 422, source=name, values=values, errors=checked.errors,
                                csrf=token, notice=notice, upload_token=upload_token, kept=kept), token)
    honeypot = website.strip()
    flagged = f"web form {name}: the hidden anti-spam field was filled ({honeypot[:40]!r}); possibly automated; check before `tawthiq retry-failed`" if honeypot else None
    receipt = new_receipt()
    from tawthiq.pipeline import store_fetched

    with request.app.state.sessionmaker() as session:
        stored = session.get_one(Source, source.id)
        files = with_kept_uploads(session, upload_token, checked.files)
        fingerprint = submission_fingerprint(checked.answers, files)
        item = web_submission_item(receipt, checked.answers, files, lang=lang, flagged=flagged)
        item.meta["fingerprint"] = fingerprint
        earlier = None if flagged else identical_submission(session, stored, fingerprint)
        raw, _created = store_fetched(session, stored, item)
        raw.fingerprint = fingerprint
        if earlier is not None:
            raw.state = RAW_SKIPPED
            raw.meta = {**raw.meta, "duplicate_of": earlier.external_id}
            raw.error = (f"web form {name}: identical to submission {earlier.external_id} (item {earlier.id}): same answers "
                         "and files; grouped with it, not queued again")
        session.execute(delete(PendingUpload).where(PendingUpload.token == upload_token))
        session.commit()
    if earlier is not None:
        return RedirectResponse(f"/submit/{name}/receipt/{earlier.external_id}?lang={lang}&again=1", status_code=303)
    return RedirectResponse(f"/submit/{name}/receipt/{receipt}?lang={lang}", status_code=303)


@router.get("/submit/{name}/receipt/{receipt}", response_class=HTMLResponse)
def show_receipt(name: str, receipt: str, request: Request, again: str = "") -> Response:
    source = _form_source(request, name)
    lang = _lang(request, source)
    return _page(request, "family_receipt.html", lang, source=source.name, receipt=receipt[:20],
                 notice=_ui("already", lang) if again == "1" else "")


def _ui(key: str, lang: str) -> str:
    en, ar = UI[key]
    return ar if lang == "ar" else en


class TooLarge(Exception):
    """The body is larger than :data:`MAX_REQUEST_BYTES` (declared, or counted as it came)."""


class BoundedMultiPartParser(MultiPartParser):
    """Starlette's multipart parser, keeping at most one byte over :data:`MAX_FILE_BYTES` of
    each file: enough for the check to say "too large", with nothing more written to disk."""

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._current_part
        if part.file is not None:
            room = MAX_FILE_BYTES + 1 - getattr(part, "written", 0)
            if room <= 0:
                return
            end = min(end, start + room)
            part.written = getattr(part, "written", 0) + (end - start)  # type: ignore[attr-defined]
        super().on_part_data(data, start, end)


async def read_bounded_form(request: Request) -> FormData:
    """The posted form, read as a stream: :class:`TooLarge` once the body passes
    :data:`MAX_REQUEST_BYTES` (declared or chunked), files cut one byte past their limit."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and (len(declared) > 12 or int(declared) > MAX_REQUEST_BYTES):
        raise TooLarge

    async def counted() -> AsyncGenerator[bytes, None]:
        total = 0
        async for chunk in request.stream():
            total += len(chunk)
            if total > MAX_REQUEST_BYTES:
                raise TooLarge
            yield chunk

    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await BoundedMultiPartParser(request.headers, counted(), max_files=MAX_FILES, max_fields=100).parse()
    return await FormParser(request.headers, counted()).parse()


def pending_cap() -> int:
    """The global cap, in bytes, on photos kept for forms sent back for a correction."""
    raw = os.environ.get("TAWTHIQ_PENDING_UPLOADS_MB", "")
    return (int(raw) if raw.isdigit() else DEFAULT_PENDING_MB) * 1024 * 1024


def keep_uploads(session: Session, token: str, files: list[tuple[str, str, bytes]]) -> bool:
    """Keep a form's accepted files while its answers go back for a correction: one per
    question (a new file replaces the one kept), within the global cap, for
    :data:`PENDING_HOURS`. False when the cap left no room for them."""
    session.execute(delete(PendingUpload).where(PendingUpload.created_at < utcnow() - dt.timedelta(hours=PENDING_HOURS)))
    if not files:
        return True
    held = int(session.scalar(select(func.coalesce(func.sum(PendingUpload.size), 0))) or 0)
    if held + sum(len(content) for _, _, content in files) > pending_cap():
        return False
    for name, media_type, content in files:
        question = name.split("-", 1)[0]
        session.execute(delete(PendingUpload).where(PendingUpload.token == token, PendingUpload.field == question))
        session.add(PendingUpload(token=token, field=question, name=name, media_type=media_type, content=content, size=len(content)))
    return True


def kept_uploads(session: Session, token: str) -> list[tuple[str, str]]:
    """(question, file name) of the files kept for a form."""
    return [(f, n) for f, n in session.execute(select(PendingUpload.field, PendingUpload.name)
                                               .where(PendingUpload.token == token).order_by(PendingUpload.id))]


def with_kept_uploads(session: Session, token: str, files: list[tuple[str, str, bytes]]) -> list[tuple[str, str, bytes]]:
    """The submission's files: those sent now, and those kept from an earlier attempt for the
    questions with no new file."""
    sent = {name.split("-", 1)[0] for name, _, _ in files}
    kept = [(p.name, p.media_type, p.content) for p in session.scalars(
        select(PendingUpload).where(PendingUpload.token == token).order_by(PendingUpload.id)) if p.field not in sent]
    return (kept + files)[:MAX_FILES]


def submission_fingerprint(answers: dict[str, Any], files: list[tuple[str, str, bytes]]) -> str:
    """What makes two submissions the same report: the same answers and the same files."""
    digest = hashlib.sha256(json.dumps(answers, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    for content in sorted(hashlib.sha256(content).hexdigest() for _, _, content in files):
        digest.update(content.encode("ascii"))
    return digest.hexdigest()


def identical_submission(session: Session, source: Source, fingerprint: str) -> RawItem | None:
    """The first submission to this form in :data:`IDENTICAL_DAYS` with this fingerprint."""
    since = utcnow() - dt.timedelta(days=IDENTICAL_DAYS)
    for item in session.scalars(select(RawItem).where(
            RawItem.source_id == source.id, RawItem.fingerprint == fingerprint, RawItem.fetched_at >= since).order_by(RawItem.id)):
        if not (item.meta or {}).get("duplicate_of"):
            return item
    return None
