"""The documenters' verification-queue web app (FastAPI + Jinja2, server-rendered).

Works without JavaScript: every action is a form. A few lines of JavaScript add the keyboard
shortcuts. Every user-supplied text is escaped by Jinja and stripped of bidirectional
override characters, and shown with ``dir="auto"`` so Arabic reads right to left wherever it
appears.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from tawthiq.db import archive, repo
from tawthiq.db.engine import READ_ONLY, get_database_url, get_engine
from tawthiq.db.models import (
    Candidate,
    RawItem,
    ReviewTask,
    Source,
    SubmitterContact,
    User,
)
from tawthiq.errors import InvalidValue, ReviewError
from tawthiq.extractors.record import CATEGORIES, CAUSES, GOVERNORATES, GOVERNORATES_AR, PERPETRATORS, PERPETRATOR_LABELS
from tawthiq.lang.text import strip_bidi_controls

from .auth import (
    COOKIE,
    SESSION_HOURS,
    LoginRequired,
    csrf_token,
    current_user,
    get_session,
    load_secret,
    LOGIN_MESSAGES,
    authenticate,
    client_address,
    end_session,
    form_data,
    login_retry_at,
    record_login_attempt,
    require_admin,
    start_session,
    verify_csrf,
    write_now,
)
from .i18n import LANGUAGES, STRINGS, translate
from .params import MAX_DAYS, BadParameter, PageNumber, RowId, from_validation_error, parse_choice, parse_date, parse_int, wants_json

HERE = Path(__file__).parent
#: Routers other parts of tawthiq add to the app (the public family form, reports).
EXTRA_ROUTERS = ["tawthiq.review.item:router", "tawthiq.review.victim:router", "tawthiq.review.family_form:router",
                 "tawthiq.reports.web:router", "tawthiq.review.incidents:router"]
#: Rows per queue page (oldest first; documenters work from the top with "Start reviewing").
QUEUE_PAGE = 50
#: What the users page says was done (``account_<action>`` in i18n.py), and the refusals it
#: says in the page's language (``account_<code>`` of repo.AccountError).
USER_ACTIONS = ("disabled", "enabled", "role", "password", "unchanged")
USER_ERRORS = ("account_last_admin", "account_password_short", "account_unknown_role")
FIELDS = ("full_name", "name_ar", "sex", "age", "date_of_death", "death_governorate", "death_locality",
          "origin_governorate", "origin_locality", "perpetrator", "cause", "category")

templates = Jinja2Templates(directory=str(HERE / "templates"))


def _clean(value: Any) -> str:
    if value is None:
        return ""
    return strip_bidi_controls(str(value))


templates.env.filters["clean"] = _clean
templates.env.globals.update(csrf_token=csrf_token, GOVERNORATES=GOVERNORATES, GOVERNORATES_AR=GOVERNORATES_AR,
                             PERPETRATORS=PERPETRATORS, PERPETRATOR_LABELS=PERPETRATOR_LABELS, CAUSES=CAUSES,
                             CATEGORIES=CATEGORIES, REJECT_REASONS=archive.REJECT_REASONS, FIELDS=FIELDS,
                             CHOOSABLE=archive.CHOOSABLE)


def lang_of(request: Request) -> str:
    lang = request.cookies.get("tawthiq_lang", "en")
    return lang if lang in LANGUAGES else "en"


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = lang_of(request)
    context.update(request=request, lang=lang, dir="rtl" if lang == "ar" else "ltr",
                   t=lambda key: translate(key, lang), user=getattr(request.state, "user", None))
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def error_response(request: Request, status_code: int, message: str, bad: BadParameter | None = None) -> Response:
    """The app's answer to a request it refuses: its error page, or for a client that asks
    for JSON, ``{"detail": message}`` (with ``errors``, one per bad parameter)."""
    if wants_json(request.headers.get("accept")):
        body: dict[str, Any] = {"detail": message}
        if bad is not None:
            body["errors"] = [problem.as_dict() for problem in bad.problems]
        return JSONResponse(body, status_code=status_code)
    return render(request, "error.html", status_code, message=message)


def review_message(exc: ReviewError, lang: str) -> str:
    """What the archive refused, in the page's language: an Arabic page says it in Arabic
    (``error_<code>``, formatted with the refusal's parameters; a bad value names its field
    in Arabic). A refusal with no Arabic text of its own is named by its field, with the
    English detail."""
    if lang != "ar":
        return str(exc)
    params = {k: v for k, v in exc.params.items()}
    if exc.code and f"error_{exc.code}" in STRINGS:
        if "role" in params:
            params["role_ar"] = translate(f"role_{params['role']}", "ar")
        if "field" in params:
            params["field_ar"] = translate(str(params["field"]), "ar")
        return translate(f"error_{exc.code}", "ar").format(**params)
    if isinstance(exc, InvalidValue):
        field, _, detail = str(exc).partition(":")
        return translate("error_invalid_field", "ar").format(field=translate(field.strip(), "ar"), detail=detail.strip())
    return str(exc)


def create_app(database_url: str | None = None) -> FastAPI:
    """The review app for the database at ``database_url`` (or TAWTHIQ_DATABASE_URL)."""
    url = get_database_url(database_url)
    app = FastAPI(title="tawthiq review", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.database_url = url
    app.state.sessionmaker = sessionmaker(get_engine(url), expire_on_commit=False)
    app.state.read_sessionmaker = sessionmaker(get_engine(url).execution_options(**{READ_ONLY: True}), expire_on_commit=False)
    app.state.serializer = URLSafeTimedSerializer(load_secret("TAWTHIQ_SECRET_KEY", "tawthiq-secret.key", url), salt="tawthiq-session")
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        if request.method == "GET":
            query = urlencode({"next": str(request.url.path), "message": exc.message}) if exc.message else urlencode({"next": str(request.url.path)})
            return RedirectResponse(f"/login?{query}", status_code=303)
        return error_response(request, 401, exc.message or "please log in")

    @app.exception_handler(ReviewError)
    async def _review_error(request: Request, exc: ReviewError) -> Response:
        # A value the field cannot hold is the request's fault (400); anything else the
        # archive refuses is a conflict with its state: a claim, a role, a decided item (409).
        return error_response(request, 400 if isinstance(exc, InvalidValue) else 409, review_message(exc, lang_of(request)))

    # SQLite's busy timeout ran out (a long write elsewhere): nothing of the request was saved,
    # because it is one transaction; say so and when to try again rather than answer 500.
    @app.exception_handler(OperationalError)
    async def _database_busy(request: Request, exc: OperationalError) -> Response:
        text = str(exc.orig or exc).lower()
        if "locked" not in text and "busy" not in text:
            raise exc
        response = error_response(request, 503, translate("database_busy", lang_of(request)))
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        return error_response(request, exc.status_code, str(exc.detail))

    # A value the app cannot use (review/params.py) is 400 with a message in the page's
    # language, whether FastAPI found it (a declared parameter) or a route did.
    @app.exception_handler(BadParameter)
    async def _bad_parameter(request: Request, exc: BadParameter) -> Response:
        return error_response(request, 400, exc.message(lang_of(request)), exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
        bad = from_validation_error(exc)
        return error_response(request, 400, bad.message(lang_of(request)), bad)

    @app.middleware("http")
    async def _security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                                    "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'")
        return response

    _routes(app)
    for target in EXTRA_ROUTERS:
        module_name, _, attr = target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        app.include_router(getattr(module, attr))
    return app


def _routes(app: FastAPI) -> None:
    @app.get("/lang/{code}")
    def set_language(code: str, request: Request) -> Response:
        parse_choice("code", code, LANGUAGES)
        back = request.headers.get("referer") or "/"
        if not back.startswith(str(request.base_url)):
            back = "/"
        response = RedirectResponse(back, status_code=303)
        response.set_cookie("tawthiq_lang", code, max_age=365 * 86400, samesite="lax", httponly=True)
        return response

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/", message: str = "") -> Response:
        import secrets

        token = secrets.token_urlsafe(24)
        request.state.login_csrf = token
        # Only the app's own reasons are shown (a link cannot put words of its own on the page).
        known = LOGIN_MESSAGES.get(message)
        response = render(request, "login.html", next=_safe_next(next), message=translate(known, lang_of(request)) if known else "")
        response.set_cookie("tawthiq_login_csrf", token, httponly=True, samesite="lax", secure=request.url.scheme == "https")
        return response

    @app.post("/login", dependencies=[Depends(verify_csrf)])
    def login(request: Request, username: str = Form(...), password: str = Form(...), next: str = Form("/"),
              session: Session = Depends(get_session)) -> Response:
        import math

        lang = lang_of(request)
        address = client_address(request)
        now = _now()
        request.state.login_csrf = request.cookies.get("tawthiq_login_csrf")
        retry_at = login_retry_at(session, username, address, now)
        if retry_at is not None:
            # Too many failures for this name or from this address: refused unchecked, known
            # name or not, and the page says when to try again.
            seconds = math.ceil((retry_at - now).total_seconds())
            message = translate("login_throttled", lang).format(minutes=math.ceil(seconds / 60), time=f"{retry_at:%H:%M}")
            refused = render(request, "login.html", 429, next=_safe_next(next), message=message)
            refused.headers["Retry-After"] = str(seconds)
            return refused
        user = authenticate(session, username, password)
        if user is None:
            record_login_attempt(session, username, address, False, now)
            repo.audit(session, None, "login.failed", "user", username[:60], {"address": address})
            session.commit()
            return render(request, "login.html", 401, next=_safe_next(next), message=translate("login_failed", lang))
        record_login_attempt(session, username, address, True, now)
        end_session(request, session, "login")  # a session this browser still had
        cookie = start_session(request, session, user)
        repo.audit(session, user.id, "login", "user", user.id, {"address": address})
        session.commit()
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(COOKIE, cookie, max_age=SESSION_HOURS * 3600, httponly=True,
                            samesite="lax", secure=request.url.scheme == "https")
        response.delete_cookie("tawthiq_login_csrf")
        return response

    @app.post("/logout", dependencies=[Depends(verify_csrf)])
    def logout(request: Request, session: Session = Depends(get_session)) -> Response:
        ended = end_session(request, session, "logout")  # the old cookie no longer logs anyone in
        if ended is not None:
            repo.audit(session, ended.user_id, "logout", "user", ended.user_id, {})
            session.commit()
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @app.get("/", response_class=HTMLResponse)
    def queue_page(request: Request, source: str = "", governorate: str = "", date_from: str = "", date_to: str = "",
                   has_match: str = "", older_than: str = "", page: PageNumber = 1, user: User = Depends(current_user),
                   session: Session = Depends(get_session)) -> Response:
        filters = _filters(source, governorate, date_from, date_to, has_match, older_than)
        # One query for the page: each row's candidate, its item's source and the claimant
        # come with it (without the raw bytes), not one query per row.
        tasks = session.scalars(archive.queue_query(filters).limit(QUEUE_PAGE).offset((page - 1) * QUEUE_PAGE).options(
            selectinload(ReviewTask.candidate).selectinload(Candidate.raw_item).load_only(RawItem.id, RawItem.source_id)
            .selectinload(RawItem.source), selectinload(ReviewTask.claimed_by))).all()
        sources = session.scalars(select(Source.name).order_by(Source.name)).all()
        return render(request, "queue.html", tasks=tasks, counts=archive.queue_counts(session, user), sources=sources,
                      filters=filters, query=_filter_query(source, governorate, date_from, date_to, has_match, older_than),
                      now=_now(), page=page, more=len(tasks) == QUEUE_PAGE)

    @app.post("/next", dependencies=[Depends(verify_csrf)])
    def next_item(request: Request, user: User = Depends(current_user), session: Session = Depends(get_session),
                  form: FormData = Depends(form_data)) -> Response:
        filters = _filters(*(str(form.get(k, "")) for k in ("source", "governorate", "date_from", "date_to", "has_match", "older_than")))
        task = archive.claim_next(session, user, filters)
        session.commit()
        query = _filter_query(*(str(form.get(k, "")) for k in ("source", "governorate", "date_from", "date_to", "has_match", "older_than")))
        if task is None:
            return RedirectResponse(f"/?{query}&empty=1", status_code=303)
        return RedirectResponse(f"/item/{task.id}?{query}", status_code=303)

    @app.get("/raw/{item_id}", response_class=HTMLResponse)
    def raw_page(item_id: RowId, request: Request, user: User = Depends(current_user), session: Session = Depends(get_session)) -> Response:
        item = session.get(RawItem, item_id)
        if item is None:
            raise HTTPException(404, f"no raw item {item_id}")
        body = item.text
        if item.kind == "form":
            try:
                body = json.dumps(json.loads(item.content.decode("utf-8-sig")), ensure_ascii=False, indent=2)
            except (ValueError, UnicodeDecodeError):
                body = item.content.decode("utf-8", "replace")
        elif body is None:
            body = item.content[:200_000].decode("utf-8", "replace")
        contact = session.scalar(select(SubmitterContact).where(SubmitterContact.raw_item_id == item.id))
        return render(request, "raw.html", item=item, body=body, has_contact=contact is not None)

    @app.get("/raw/{item_id}/contact", response_class=HTMLResponse)
    def contact_page(item_id: RowId, request: Request, user: User = Depends(require_admin),
                     session: Session = Depends(get_session)) -> Response:
        contact = session.scalar(select(SubmitterContact).where(SubmitterContact.raw_item_id == item_id))
        if contact is None:
            raise HTTPException(404, f"raw item {item_id} has no submitter details")
        from tawthiq.crypto import decrypt_json

        details = decrypt_json(contact.ciphertext)
        # Seeing a family's contact details is audited before they are shown.
        write_now(request, lambda s: repo.audit(s, user.id, "contact.view", "raw_item", item_id, {}))
        return render(request, "contact.html", item_id=item_id, details=details, consent=contact.consent_follow_up)

    @app.get("/archive", response_class=HTMLResponse)
    def archive_page(request: Request, q: str = "", date_from: str = "", date_to: str = "", governorate: str = "",
                     user: User = Depends(current_user), session: Session = Depends(get_session)) -> Response:
        searched = any((q, date_from, date_to, governorate))
        victims = archive.search_victims(session, q, parse_date("date_from", date_from), parse_date("date_to", date_to),
                                         parse_choice("governorate", governorate, GOVERNORATES)) if searched \
            else archive.search_victims(session, limit=50)
        return render(request, "archive.html", victims=victims, q=q, date_from=date_from, date_to=date_to,
                      governorate=governorate, searched=searched)

    def render_users(request: Request, session: Session, status_code: int = 200, message: str = "",
                     error: str = "") -> Response:
        return render(request, "users.html", status_code, users=repo.list_users(session), roles=archive.ROLE_RANK,
                      entries=archive.audit_entries(session, 50), message=message, error=error)

    @app.get("/users", response_class=HTMLResponse)
    def users_page(request: Request, done: str = "", name: str = "", user: User = Depends(require_admin),
                   session: Session = Depends(get_session)) -> Response:
        # After an action, what was done, in the page's language: done is one of USER_ACTIONS
        # and name an existing user's (anything else shows nothing).
        message = ""
        target = session.scalar(select(User).where(User.username == name)) if name else None
        if done in USER_ACTIONS and target is not None:
            message = translate(f"account_{done}", lang_of(request)).format(
                name=target.username, role=translate(f"role_{target.role}", lang_of(request)))
        return render_users(request, session, message=message)

    @app.post("/users", dependencies=[Depends(verify_csrf)])
    def add_user(request: Request, username: str = Form(...), password: str = Form(...), role: str = Form("documenter"),
                 user: User = Depends(require_admin), session: Session = Depends(get_session)) -> Response:
        from tawthiq.errors import ConfigError

        parse_choice("role", role, archive.ROLE_RANK)
        try:
            created = repo.add_user(session, username.strip(), password, role)
        except ConfigError as exc:
            raise ReviewError(str(exc)) from exc
        repo.audit(session, user.id, "user.add", "user", created.id, {"by": user.username})
        session.commit()
        return RedirectResponse("/users", status_code=303)

    @app.post("/users/{user_id}/{action}", dependencies=[Depends(verify_csrf)])
    def change_user(user_id: RowId, action: str, request: Request, user: User = Depends(require_admin),
                          session: Session = Depends(get_session), form: FormData = Depends(form_data)) -> Response:
        """Disable, enable, change the role of or reset the password of a user (the forms of the
        users page). Disabling, a new role and a reset end the user's sessions at once; disabling
        or demoting the last active admin is refused, with a message in the page's language."""
        if action not in ("disable", "enable", "role", "password"):
            raise HTTPException(404, f"no such action on a user: {action!r}")
        target = session.get(User, user_id)
        if target is None:
            raise HTTPException(404, f"no user {user_id}")
        lang = lang_of(request)
        try:
            if action in ("disable", "enable"):
                changed = repo.set_user_active(session, target, action == "enable", actor_id=user.id, by=user.username) is not None
            elif action == "role":
                changed = repo.set_user_role(session, target, str(form.get("role") or ""), actor_id=user.id,
                                             by=user.username) is not None
            else:
                repo.reset_password(session, target, str(form.get("password") or ""), actor_id=user.id, by=user.username)
                changed = True
        except repo.AccountError as exc:
            session.rollback()
            key = f"account_{exc.code}"
            message = translate(key, lang).format(name=target.username) if key in USER_ERRORS else str(exc)
            return render_users(request, session, 409, error=message)
        session.commit()
        done = {"disable": "disabled", "enable": "enabled", "role": "role", "password": "password"}[action] if changed else "unchanged"
        return RedirectResponse(f"/users?{urlencode({'done': done, 'name': target.username})}", status_code=303)

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}


def _safe_next(value: str) -> str:
    return value if value.startswith("/") and not value.startswith("//") else "/"


def _now():  # type: ignore[no-untyped-def]
    from tawthiq.db.models import utcnow

    return utcnow()


def _filters(source: str, governorate: str, date_from: str, date_to: str, has_match: str, older_than: str) -> archive.QueueFilters:
    """The queue's filters from the query string or a form; a value that is not a date, a
    governorate, yes or no, or a number of days is a :class:`BadParameter` (400)."""
    return archive.QueueFilters(
        source=source or None, governorate=parse_choice("governorate", governorate, GOVERNORATES),
        date_from=parse_date("date_from", date_from), date_to=parse_date("date_to", date_to),
        has_match={"yes": True, "no": False}.get(parse_choice("has_match", has_match, ("yes", "no")) or ""),
        older_than_days=parse_int("older_than", older_than, low=0, high=MAX_DAYS),
    )


def _filter_query(source: str, governorate: str, date_from: str, date_to: str, has_match: str, older_than: str) -> str:
    values = {"source": source, "governorate": governorate, "date_from": date_from, "date_to": date_to,
              "has_match": has_match, "older_than": older_than}
    return urlencode({k: v for k, v in values.items() if v})


def _filters_from_query(query: str) -> archive.QueueFilters:
    from urllib.parse import parse_qs

    parsed = {k: v[0] for k, v in parse_qs(query).items()}
    return _filters(*(parsed.get(k, "") for k in ("source", "governorate", "date_from", "date_to", "has_match", "older_than")))
