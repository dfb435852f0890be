"""The public family form, served by the review app without a login at ``/submit/{source}``.

A family fills it in Arabic or English; the answers are checked on the server (messages in
their language), stored raw with the submitter's details encrypted before anything else
happens, and the family is shown a receipt number to quote if they call. Protection without
JavaScript or third-party services: a CSRF token bound to a cookie, a request size limit, a
per-address rate limit, and a honeypot field. A filled honeypot does not discard the
submission (a browser's autofill can fill hidden fields too): it is stored and set aside as
failed with the reason, for a documenter to look at before ``tawthiq retry-failed``.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from tawthiq.db.models import Source
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
#: Whole request bodies above this are refused before they are read.
MAX_REQUEST_BYTES = MAX_FILES * MAX_FILE_BYTES + 1024 * 1024
DEFAULT_RATE_PER_HOUR = 20

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
    return _with_csrf(_page(request, "family_form.html", lang, source=source.name, values={}, errors={}, csrf=token), token)


@router.post("/submit/{name}", response_class=HTMLResponse)
async def submit_form(name: str, request: Request) -> Response:
    source = _form_source(request, name)
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and (len(declared) > 12 or int(declared) > MAX_REQUEST_BYTES):
        raise HTTPException(status_code=413, detail=f"the report is larger than {MAX_REQUEST_BYTES // (1024 * 1024)} MB; attach fewer or smaller files")
    form = await request.form(max_files=MAX_FILES, max_fields=100)
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
    checked = validate_submission(values, uploads, lang)
    if checked.errors:
        return _with_csrf(_page(request, "family_form.html", lang, 422, source=name, values=values, errors=checked.errors,
                                csrf=token, notice=UI["fix"][lang == "ar"]), token)
    honeypot = str(form.get("website") or "").strip()
    flagged = f"web form {name}: the hidden anti-spam field was filled ({honeypot[:40]!r}); possibly automated; check before `tawthiq retry-failed`" if honeypot else None
    receipt = new_receipt()
    from tawthiq.pipeline import store_fetched

    with request.app.state.sessionmaker() as session:
        stored = session.get(Source, source.id)
        store_fetched(session, stored, web_submission_item(receipt, checked.answers, checked.files, lang=lang, flagged=flagged))  # type: ignore[arg-type]
        session.commit()
    return RedirectResponse(f"/submit/{name}/receipt/{receipt}?lang={lang}", status_code=303)


@router.get("/submit/{name}/receipt/{receipt}", response_class=HTMLResponse)
def show_receipt(name: str, receipt: str, request: Request) -> Response:
    source = _form_source(request, name)
    return _page(request, "family_receipt.html", _lang(request, source), source=source.name, receipt=receipt[:20])
