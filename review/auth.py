"""Logins, sessions, roles, CSRF and login throttling for the review app.

A login is a row of ``user_sessions`` (db/models.py): the browser's cookie carries a random
session id, the row only its SHA-256, the user, when it was made, last seen and ends
(``SESSION_HOURS`` after the login), and the client's address and user agent. The cookie is
also signed (itsdangerous) and holds the session's CSRF token; it is HttpOnly, SameSite=Lax,
Secure over HTTPS. Every request checks the row: not revoked, not expired, its user active.
Logging out revokes the row; disabling a user, changing their role or resetting their
password revokes all of theirs (db/repo.py), so on every server process the next request of
that browser goes to the login page. Every POST carries the session's CSRF token in a hidden
field and is refused without it. The signing key is ``TAWTHIQ_SECRET_KEY`` or, when that is
unset, a key generated once and kept in ``tawthiq-secret.key`` beside the database (mode 600).

Login attempts are throttled, counted in ``login_attempts`` so that every server process sees
them: after ``TAWTHIQ_LOGIN_FAILURES_PER_ACCOUNT`` (5) failures for one user name, known or not,
since its last successful login, or ``TAWTHIQ_LOGIN_FAILURES_PER_ADDRESS`` (20) from one client
address (an IPv6 address counts as its /64), within ``TAWTHIQ_LOGIN_WINDOW_MINUTES`` (15), the
login page answers 429 and says when to try again, without checking the password. An unknown
or disabled user's password is verified against a dummy argon2 hash, so that the answer takes
as long, and says the same, whether the name exists or not.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import logging
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request
from starlette.datastructures import FormData
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from tawthiq.db import repo
from tawthiq.db.archive import ROLE_RANK
from tawthiq.keys import load_secret  # noqa: F401  (re-exported for the app)
from tawthiq.db.models import LoginAttempt, User, UserSession, utcnow

log = logging.getLogger(__name__)

COOKIE = "tawthiq_session"
SESSION_HOURS = 12
SECRET_FILE = "tawthiq-secret.key"
#: How often a session's ``last_seen_at`` is written (not on every request).
LAST_SEEN_EVERY = dt.timedelta(minutes=1)

#: Why a request is sent to the login page, as :class:`LoginRequired` says it, and the key of
#: the same sentence in review/i18n.py; the login page shows only these.
SESSION_EXPIRED = "your session expired; please log in again"
SESSION_ENDED = "your session has ended; please log in again"
ACCOUNT_INACTIVE = "your account is not active"
LOGIN_MESSAGES = {SESSION_EXPIRED: "session_expired", SESSION_ENDED: "session_ended", ACCOUNT_INACTIVE: "account_inactive"}

#: An argon2 hash (of a random password nobody kept) with PasswordHasher's parameters, verified
#: in place of a user's when the user does not exist or is disabled.
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$srocDHPqifT2/IuWUlKJ5Q$W3lPNBKwVI6ETVhSYofTAZx2/dzf/soat2/W38WZTmA"


class LoginRequired(Exception):
    """Raised by :func:`current_user`; the app turns it into a redirect to the login page."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


def serializer(request: Request) -> URLSafeTimedSerializer:
    return request.app.state.serializer


def get_session(request: Request) -> Iterator[Session]:
    """A database session per request; routes commit explicitly. A page (GET or HEAD) only
    reads: on SQLite its transaction takes no lock (a WAL snapshot), so pages never wait for
    a decision being written and never hold up one; what a page must write (when a session
    was last seen, the audit of viewing contact details) goes through :func:`write_now`."""
    reading = request.method in ("GET", "HEAD")
    maker = request.app.state.read_sessionmaker if reading else request.app.state.sessionmaker
    with maker() as session:
        yield session


def write_now(request: Request, write: Callable[[Session], object], *, required: bool = True) -> None:
    """Run ``write`` in its own short write transaction (for a page whose session only reads).
    With ``required`` false, a database too busy to take it is skipped (a ``last_seen`` time)."""
    from sqlalchemy.exc import OperationalError

    try:
        with request.app.state.sessionmaker() as session, session.begin():
            write(session)
    except OperationalError:
        if required:
            raise


def read_session(request: Request) -> dict | None:
    """The signed cookie's contents (session id and CSRF token), or None."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = serializer(request).loads(raw, max_age=SESSION_HOURS * 3600)
    except SignatureExpired:
        raise LoginRequired(SESSION_EXPIRED) from None
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None


def _session_row(session: Session, data: dict | None) -> UserSession | None:
    sid = (data or {}).get("sid")
    return repo.find_user_session(session, sid) if isinstance(sid, str) and sid else None


def current_user(request: Request, session: Session = Depends(get_session)) -> User:
    """The logged-in user, or :class:`LoginRequired` (a redirect to /login): the cookie's
    session must be in the database, not revoked, not expired, and its user active."""
    data = read_session(request)
    row = _session_row(session, data)
    if row is None:
        raise LoginRequired("")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise LoginRequired(ACCOUNT_INACTIVE)
    if row.revoked_at is not None:
        raise LoginRequired(SESSION_ENDED)
    now = utcnow()
    if row.expires_at <= now:
        raise LoginRequired(SESSION_EXPIRED)
    if now - row.last_seen_at >= LAST_SEEN_EVERY:
        if request.method in ("GET", "HEAD"):
            row_id = row.id
            write_now(request, lambda s: s.execute(update(UserSession).where(UserSession.id == row_id)
                                                   .values(last_seen_at=now)), required=False)
        else:
            row.last_seen_at = now
            session.commit()
    request.state.user = user
    request.state.user_session = row
    request.state.csrf = (data or {}).get("csrf")
    return user


def require_role(role: str) -> Callable[..., User]:
    """A dependency that lets through users with ``role`` or above, and refuses others."""

    def check(user: User = Depends(current_user)) -> User:
        if ROLE_RANK.get(user.role, 0) < ROLE_RANK[role]:
            raise HTTPException(status_code=403, detail=f"this needs the {role} role; you are a {user.role}")
        return user

    return check


#: The dependencies of the routes for editors (and admins) and for admins only, made once.
require_editor = require_role("editor")
require_admin = require_role("admin")


def csrf_token(request: Request) -> str:
    """The CSRF token to put in forms (the session's, or the pre-login token)."""
    token = getattr(request.state, "csrf", None)
    if token:
        return token
    data = None
    try:
        data = read_session(request)
    except LoginRequired:
        pass
    if data and data.get("csrf"):
        return data["csrf"]
    return getattr(request.state, "login_csrf", None) or ""


async def form_data(request: Request) -> FormData:
    """The posted form, read on the event loop, so that the route itself can be a plain
    function: FastAPI runs plain functions in its thread pool, where a wait for the database
    (SQLite's busy timeout) holds up that one request, not every request the app serves."""
    return await request.form()


async def verify_csrf(request: Request) -> None:
    """Refuse a POST whose form does not carry the session's CSRF token."""
    form = await request.form()
    sent = form.get("csrf_token")
    try:
        data = read_session(request)
    except LoginRequired:
        data = None
    expected = (data or {}).get("csrf") or request.cookies.get("tawthiq_login_csrf")
    if not sent or not expected or not secrets.compare_digest(str(sent), str(expected)):
        raise HTTPException(status_code=403, detail="missing or invalid CSRF token; reload the page and try again")


# --- logging in and out -------------------------------------------------------------------


def client_address(request: Request) -> str:
    """The client's address as throttling counts it: an IPv4 address, or the /64 network of an
    IPv6 one (one host holds a whole /64). Behind a proxy, uvicorn's ``proxy_headers`` has
    already put the forwarded client here."""
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:64] or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


@functools.cache
def dummy_hash() -> str:
    """The hash verified for unknown and disabled users: :data:`_DUMMY_HASH`, or one made now if
    argon2's default parameters have changed (so that it costs what users' hashes cost)."""
    from argon2 import PasswordHasher

    if PasswordHasher().check_needs_rehash(_DUMMY_HASH):
        return repo.hash_password(secrets.token_urlsafe(24))
    return _DUMMY_HASH


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, or None. A password is verified whether
    the user exists or not (against :func:`dummy_hash` when not, or when disabled), so the
    time taken does not tell which names exist."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        repo.verify_password(dummy_hash(), password)
        return None
    return user if repo.verify_password(user.password_hash, password) else None


def start_session(request: Request, session: Session, user: User) -> str:
    """Record a new session for ``user`` and return the cookie value that carries it."""
    token, _ = repo.start_user_session(session, user, SESSION_HOURS, client_address(request), request.headers.get("user-agent"))
    return serializer(request).dumps({"sid": token, "csrf": secrets.token_urlsafe(24)})


def end_session(request: Request, session: Session, reason: str) -> UserSession | None:
    """Revoke the session of this request's cookie, if it has one still open; returns it."""
    try:
        data = read_session(request)
    except LoginRequired:
        return None  # expired already
    row = _session_row(session, data)
    if row is not None and repo.end_user_session(session, row, reason):
        return row
    return None


# --- throttling ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginLimits:
    per_account: int = 5
    per_address: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)


def _setting(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        log.warning("%s=%r is not a whole number above 0; using %d", name, raw, default)
        return default
    return value


def login_limits() -> LoginLimits:
    """The limits, from the environment (read at each login, so every worker has the same)."""
    defaults = LoginLimits()
    return LoginLimits(per_account=_setting("TAWTHIQ_LOGIN_FAILURES_PER_ACCOUNT", defaults.per_account),
                       per_address=_setting("TAWTHIQ_LOGIN_FAILURES_PER_ADDRESS", defaults.per_address),
                       window=dt.timedelta(minutes=_setting("TAWTHIQ_LOGIN_WINDOW_MINUTES", 15)))


def _throttle_name(username: str) -> str:
    return username[:80]


def login_retry_at(session: Session, username: str, address: str, now: dt.datetime | None = None,
                   limits: LoginLimits | None = None) -> dt.datetime | None:
    """When logins for ``username`` from ``address`` may be tried again, or None if they may
    be now. A limit is reached when that many failures fall within the window (for the
    account, only those after its last successful login); it lifts when the oldest of them
    leaves the window."""
    now = now or utcnow()
    limits = limits or login_limits()
    since = now - limits.window
    name = _throttle_name(username)
    last_success = session.scalar(select(func.max(LoginAttempt.created_at)).where(
        LoginAttempt.username == name, LoginAttempt.succeeded.is_(True), LoginAttempt.created_at >= since))
    account = [LoginAttempt.username == name, LoginAttempt.succeeded.is_(False), LoginAttempt.created_at >= since]
    if last_success is not None:
        account.append(LoginAttempt.created_at > last_success)
    retry = []
    for where, limit in ((account, limits.per_account),
                         ([LoginAttempt.address == address, LoginAttempt.succeeded.is_(False), LoginAttempt.created_at >= since],
                          limits.per_address)):
        failures = session.scalars(select(LoginAttempt.created_at).where(*where)
                                   .order_by(LoginAttempt.created_at.desc()).limit(limit)).all()
        if len(failures) >= limit:
            retry.append(failures[-1] + limits.window)
    later = max(retry, default=None)
    return later if later is not None and later > now else None


def record_login_attempt(session: Session, username: str, address: str, succeeded: bool, now: dt.datetime | None = None) -> None:
    """Count an attempt (a success clears the account's failures); attempts older than a day,
    or than the window if longer, are dropped (the audit log keeps every failed login)."""
    now = now or utcnow()
    session.add(LoginAttempt(username=_throttle_name(username), address=address[:64], succeeded=succeeded, created_at=now))
    keep = max(login_limits().window, dt.timedelta(days=1))
    session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < now - keep))
