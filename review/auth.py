"""Logins, sessions, roles and CSRF for the review app.

A session is a signed cookie (itsdangerous) holding the user id, a CSRF token and when it was
issued; it is HttpOnly, SameSite=Lax, Secure over HTTPS, and expires after
``SESSION_HOURS``. Every POST carries the session's CSRF token in a hidden field and is refused
without it. The signing key is ``TAWTHIQ_SECRET_KEY`` or, when that is unset, a key generated
once and kept in ``tawthiq-secret.key`` beside the database (mode 600), so a restart does not
log everyone out.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

from fastapi import Depends, HTTPException, Request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from tawthiq.db.archive import ROLE_RANK
from tawthiq.keys import load_secret  # noqa: F401  (re-exported for the app)
from tawthiq.db.models import User

COOKIE = "tawthiq_session"
SESSION_HOURS = 12
SECRET_FILE = "tawthiq-secret.key"


class LoginRequired(Exception):
    """Raised by :func:`current_user`; the app turns it into a redirect to the login page."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


def serializer(request: Request) -> URLSafeTimedSerializer:
    return request.app.state.serializer


def get_session(request: Request) -> Iterator[Session]:
    """A database session per request; routes commit explicitly."""
    with request.app.state.sessionmaker() as session:
        yield session


def read_session(request: Request) -> dict | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        return serializer(request).loads(raw, max_age=SESSION_HOURS * 3600)
    except SignatureExpired:
        raise LoginRequired("your session expired; please log in again") from None
    except BadSignature:
        return None


def current_user(request: Request, session: Session = Depends(get_session)) -> User:
    """The logged-in user, or :class:`LoginRequired` (a redirect to /login)."""
    data = read_session(request)
    if not data:
        raise LoginRequired("")
    user = session.get(User, data.get("uid"))
    if user is None or not user.active:
        raise LoginRequired("your account is not active")
    request.state.user = user
    request.state.csrf = data.get("csrf")
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


def session_cookie(request: Request, user: User) -> str:
    return serializer(request).dumps({"uid": user.id, "csrf": secrets.token_urlsafe(24)})
