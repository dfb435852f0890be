"""review/auth.py through the review app's HTTP interface: sessions kept in the database and
ended at once (logout, a user disabled, their role changed, their password reset), the users
page's actions, login throttling per account and per address, and the same answer (a hash
verified) for unknown, disabled and known users."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tawthiq.db import repo
from tawthiq.db.engine import session_scope
from tawthiq.db.models import AuditLog, LoginAttempt, User, UserSession, utcnow
from tawthiq.review import auth
from tawthiq.review.app import create_app

from .test_review import PASSWORD, csrf_of, login

USERS = (("amal", "documenter"), ("bassel", "documenter"), ("chadi", "editor"), ("dima", "admin"))


def add_users(engine, folder) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        for name, role in USERS:
            repo.add_user(session, name, PASSWORD, role)


@pytest.fixture
def app(engine, database_url, database_snapshots):  # type: ignore[no-untyped-def]
    database_snapshots.restore(database_url, add_users)  # four argon2 hashes, made once per session
    return create_app(database_url)


def user_id(engine, name: str) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return session.scalar(select(User.id).where(User.username == name))


def attempt(client: TestClient, name: str, password: str):  # type: ignore[no-untyped-def]
    page = client.get("/login")
    return client.post("/login", data={"username": name, "password": password, "next": "/", "csrf_token": csrf_of(page.text)},
                       follow_redirects=False)


def sent_to_login(client: TestClient) -> str:
    """Assert that the client's next page is the login page; return the redirect's address."""
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login"), response.text
    return response.headers["location"]


def spy_on_verify(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the hash of every password verification (repo.verify_password) from now on."""
    calls: list[str] = []
    real_verify = repo.verify_password

    def verify(password_hash: str, password: str) -> bool:
        calls.append(password_hash)
        return real_verify(password_hash, password)

    monkeypatch.setattr(repo, "verify_password", verify)
    return calls


def act(admin: TestClient, target_id: int, action: str, **data: str):  # type: ignore[no-untyped-def]
    page = admin.get("/users")
    return admin.post(f"/users/{target_id}/{action}", data={"csrf_token": csrf_of(page.text), **data}, follow_redirects=False)


# --- sessions -----------------------------------------------------------------------------


def test_a_login_is_a_session_row_holding_only_a_hash_of_its_id(app, engine) -> None:
    amal = login(app, "amal")
    data = app.state.serializer.loads(amal.cookies["tawthiq_session"])
    assert set(data) == {"sid", "csrf"} and "uid" not in data
    with session_scope(engine) as session:
        row = session.scalar(select(UserSession))
        assert row.token_hash == repo.session_token_hash(data["sid"]) and data["sid"] not in row.token_hash
        assert row.user.username == "amal" and row.revoked_at is None
        assert row.address == "testclient" and row.user_agent == "testclient"
        assert dt.timedelta(hours=11.9) < row.expires_at - row.created_at <= dt.timedelta(hours=12)
        # Seen again a while later: last_seen moves (written at most once a minute).
        session.execute(update(UserSession).values(last_seen_at=utcnow() - dt.timedelta(minutes=5)))
    assert amal.get("/").status_code == 200
    with session_scope(engine) as session:
        assert utcnow() - session.scalar(select(UserSession.last_seen_at)) < dt.timedelta(minutes=1)
    # Behind https the cookie is Secure, and stays HttpOnly and SameSite.
    secure = TestClient(app, base_url="https://testserver")
    response = attempt(secure, "bassel", PASSWORD)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_logout_ends_the_session_and_the_old_cookie_no_longer_logs_in(app, engine) -> None:
    amal = login(app, "amal")
    old = amal.cookies["tawthiq_session"]
    page = amal.get("/")
    response = amal.post("/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    replay = TestClient(app, cookies={"tawthiq_session": old})
    location = sent_to_login(replay)
    assert "session+has+ended" in location
    assert "Your session has ended" in replay.get(location).text
    assert replay.post("/next", data={"csrf_token": csrf_of(page.text)}).status_code == 401
    with session_scope(engine) as session:
        row = session.scalar(select(UserSession))
        assert row.revoked_at is not None and row.revoked_reason == "logout"
        assert session.scalar(select(AuditLog).where(AuditLog.action == "logout")).user_id == row.user_id


def test_expired_sessions_and_old_style_cookies_are_refused(app, engine) -> None:
    amal = login(app, "amal")
    with session_scope(engine) as session:
        session.execute(update(UserSession).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
    assert "session+expired" in sent_to_login(amal)
    # A cookie of the signed-cookie sessions before 0006 (a user id, no session id) logs nobody in.
    forged = TestClient(app, cookies={"tawthiq_session": app.state.serializer.dumps({"uid": user_id(engine, "dima"), "csrf": "x"})})
    sent_to_login(forged)


def test_a_second_login_in_the_same_browser_ends_the_first(app, engine) -> None:
    client = login(app, "amal")
    assert attempt(client, "bassel", PASSWORD).status_code == 303
    with session_scope(engine) as session:
        rows = {row.user.username: row for row in session.scalars(select(UserSession))}
        assert rows["amal"].revoked_reason == "login" and rows["bassel"].revoked_at is None
    assert "(documenter)" in client.get("/").text and "bassel" in client.get("/").text


def test_the_login_page_shows_only_its_own_messages(app) -> None:
    client = TestClient(app)
    assert "call +1 555" not in client.get("/login", params={"message": "call +1 555 to unlock your account"}).text
    assert "Your session expired" in client.get("/login", params={"message": auth.SESSION_EXPIRED}).text
    client.get("/lang/ar", follow_redirects=False)
    client.cookies.set("tawthiq_lang", "ar")
    assert "انتهت جلستك" in client.get("/login", params={"message": auth.SESSION_EXPIRED}).text


# --- the users page: disable, enable, role, reset ----------------------------------------


def test_disabling_a_user_ends_their_open_session_at_once(app, engine) -> None:
    amal, dima = login(app, "amal"), login(app, "dima")
    assert amal.get("/").status_code == 200
    response = act(dima, user_id(engine, "amal"), "disable")
    assert response.status_code == 303
    assert "amal is disabled and logged out" in dima.get(response.headers["location"]).text
    assert "account+is+not+active" in sent_to_login(amal)
    assert attempt(TestClient(app), "amal", PASSWORD).status_code == 401
    dima_id = user_id(engine, "dima")
    with session_scope(engine) as session:
        entry = session.scalar(select(AuditLog).where(AuditLog.action == "user.disable"))
        assert entry.user_id == dima_id and entry.details["by"] == "dima"
        assert entry.details["username"] == "amal" and entry.details["sessions_ended"] == 1
    # Enabled again, amal logs in with the password she had; a second enable changes nothing.
    assert act(dima, user_id(engine, "amal"), "enable").status_code == 303
    assert "Nothing to change for amal" in dima.get(act(dima, user_id(engine, "amal"), "enable").headers["location"]).text
    login(app, "amal")


def test_a_role_change_and_a_password_reset_end_the_users_sessions(app, engine) -> None:
    dima = login(app, "dima")
    amal_here, amal_there = login(app, "amal"), login(app, "amal")
    response = act(dima, user_id(engine, "amal"), "role", role="editor")
    assert response.status_code == 303 and "amal is now editor" in dima.get(response.headers["location"]).text
    for client in (amal_here, amal_there):
        assert "session+has+ended" in sent_to_login(client)
    assert "(editor)" in login(app, "amal").get("/").text

    chadi = login(app, "chadi")
    response = act(dima, user_id(engine, "chadi"), "password", password="a brand new password")
    assert response.status_code == 303
    sent_to_login(chadi)
    assert attempt(TestClient(app), "chadi", PASSWORD).status_code == 401
    assert attempt(TestClient(app), "chadi", "a brand new password").status_code == 303
    with session_scope(engine) as session:
        actions = {e.action: e.details for e in session.scalars(select(AuditLog).where(AuditLog.action.like("user.%")))}
        assert actions["user.role"] == {"username": "amal", "by": "dima", "before": "documenter", "after": "editor",
                                        "sessions_ended": 2}
        assert actions["user.password_reset"]["sessions_ended"] == 1
        assert "a brand new password" not in str(actions)

    # A short password is refused as `users add` refuses it, in the page's language.
    dima.cookies.set("tawthiq_lang", "ar")
    short = act(dima, user_id(engine, "chadi"), "password", password="short")
    assert short.status_code == 409 and "تحتاج كلمة المرور إلى 8 أحرف على الأقل" in short.text
    assert attempt(TestClient(app), "chadi", "a brand new password").status_code == 303


def test_the_last_active_admin_cannot_be_disabled_or_demoted(app, engine) -> None:
    dima = login(app, "dima")
    dima_id = user_id(engine, "dima")
    refused = act(dima, dima_id, "disable")
    assert refused.status_code == 409 and "dima is the last active admin" in refused.text
    dima.cookies.set("tawthiq_lang", "ar")
    refused = act(dima, dima_id, "role", role="editor")
    assert refused.status_code == 409 and "آخر مشرف نشط" in refused.text
    assert dima.get("/users").status_code == 200  # nothing changed, the session goes on
    # With a second admin, dima may step down (and is logged out by it).
    assert act(dima, user_id(engine, "chadi"), "role", role="admin").status_code == 303
    assert act(dima, dima_id, "role", role="editor").status_code == 303
    sent_to_login(dima)
    with session_scope(engine) as session:
        assert session.get(User, dima_id).role == "editor"


def test_only_admins_change_accounts_and_every_form_needs_its_token(app, engine) -> None:
    amal, chadi, dima = login(app, "amal"), login(app, "chadi"), login(app, "dima")
    target = user_id(engine, "bassel")
    for client in (amal, chadi):
        page = client.get("/")
        assert client.post(f"/users/{target}/disable", data={"csrf_token": csrf_of(page.text)}).status_code == 403
    assert dima.post(f"/users/{target}/disable", data={}).status_code == 403
    assert dima.post(f"/users/{target}/disable", data={"csrf_token": "guessed"}).status_code == 403
    assert act(dima, 99999, "disable").status_code == 404
    assert act(dima, target, "delete").status_code == 404
    page = dima.get("/users")
    for action in ("role", "disable", "password"):
        assert f'action="/users/{target}/{action}"' in page.text
    assert "never" in page.text  # bassel has not logged in yet
    with session_scope(engine) as session:
        assert session.get(User, target).active


# --- throttling ---------------------------------------------------------------------------


def test_logins_are_throttled_per_account(app, engine, monkeypatch) -> None:
    monkeypatch.setenv("TAWTHIQ_LOGIN_FAILURES_PER_ACCOUNT", "3")
    client = TestClient(app)
    # Failures before a successful login are cleared by it.
    for _ in range(2):
        assert attempt(client, "amal", "wrong password").status_code == 401
    assert attempt(client, "amal", PASSWORD).status_code == 303
    for _ in range(3):
        assert attempt(client, "amal", "wrong password").status_code == 401
    calls = spy_on_verify(monkeypatch)
    refused = attempt(client, "amal", PASSWORD)  # even the right password, unchecked
    assert refused.status_code == 429 and calls == []
    assert "Too many failed logins" in refused.text and "UTC" in refused.text
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
    client.cookies.set("tawthiq_lang", "ar")
    assert "محاولات دخول فاشلة كثيرة" in attempt(client, "amal", PASSWORD).text
    # A name nobody has is throttled the same way (the limit tells nothing about which exist).
    for _ in range(3):
        assert attempt(client, "nobody", "wrong password").status_code == 401
    assert attempt(client, "nobody", "wrong password").status_code == 429
    # Other accounts from the same address go on; once the failures leave the window, amal too.
    assert attempt(TestClient(app), "bassel", PASSWORD).status_code == 303
    with session_scope(engine) as session:
        for row in session.scalars(select(LoginAttempt)):
            row.created_at -= dt.timedelta(minutes=16)
    assert attempt(client, "amal", PASSWORD).status_code == 303


def test_logins_are_throttled_per_address(app, monkeypatch) -> None:
    monkeypatch.setenv("TAWTHIQ_LOGIN_FAILURES_PER_ADDRESS", "4")
    attacker = TestClient(app, client=("203.0.113.7", 40000))
    for name in ("amal", "bassel", "chadi", "someone"):
        assert attempt(attacker, name, "wrong password").status_code == 401
    assert attempt(attacker, "dima", PASSWORD).status_code == 429
    # Another address is not held back, nor another host of the address's /64... only of the same one.
    assert attempt(TestClient(app, client=("198.51.100.2", 40000)), "dima", PASSWORD).status_code == 303
    v6 = [TestClient(app, client=(f"2001:db8:1:2::{n}", 40000)) for n in (1, 2)]
    for name in ("amal", "bassel", "chadi", "someone"):
        assert attempt(v6[0], name, "wrong password").status_code == 401
    assert attempt(v6[1], "dima", PASSWORD).status_code == 429
    assert attempt(TestClient(app, client=("2001:db8:1:3::1", 40000)), "dima", PASSWORD).status_code == 303


def test_client_addresses_count_ipv6_by_their_64() -> None:
    def of(host: str | None) -> str:
        return auth.client_address(SimpleNamespace(client=SimpleNamespace(host=host) if host else None))  # type: ignore[arg-type]

    assert of("192.0.2.1") == "192.0.2.1"
    assert of("2001:db8:1:2:aaaa::1") == of("2001:db8:1:2::ffff") == "2001:db8:1:2::/64"
    assert of("::ffff:192.0.2.1") == "192.0.2.1"
    assert of(None) == "unknown" and of("testclient") == "testclient"


def test_bad_limit_settings_fall_back_to_the_defaults(monkeypatch) -> None:
    monkeypatch.setenv("TAWTHIQ_LOGIN_FAILURES_PER_ACCOUNT", "zero")
    monkeypatch.setenv("TAWTHIQ_LOGIN_FAILURES_PER_ADDRESS", "-3")
    monkeypatch.setenv("TAWTHIQ_LOGIN_WINDOW_MINUTES", "2")
    assert auth.login_limits() == auth.LoginLimits(per_account=5, per_address=20, window=dt.timedelta(minutes=2))


# --- the same answer for unknown, disabled and known users -------------------------------


def test_unknown_disabled_and_known_users_all_verify_a_hash(app, engine, monkeypatch) -> None:
    with session_scope(engine) as session:
        repo.set_user_active(session, repo.get_user(session, "bassel"), False)
        amal_hash = repo.get_user(session, "amal").password_hash
    calls = spy_on_verify(monkeypatch)
    answers = {}
    for name, password in (("nobody-by-this-name", PASSWORD), ("bassel", PASSWORD), ("amal", "wrong password")):
        calls.clear()
        response = attempt(TestClient(app), name, password)
        answers[name] = (response.status_code, re.search(r'role="alert"[^>]*>([^<]*)<', response.text).group(1))
        assert len(calls) == 1 and calls[0].startswith("$argon2id$")
        assert calls[0] == (amal_hash if name == "amal" else auth.dummy_hash())
    assert set(answers.values()) == {(401, "wrong user name or password")}
    with session_scope(engine) as session:
        failed = session.scalars(select(AuditLog).where(AuditLog.action == "login.failed")).all()
        assert {e.entity_id for e in failed} == set(answers) and all(e.user_id is None for e in failed)
    # The dummy costs what a user's hash costs: the same argon2 parameters.
    assert auth.dummy_hash().split("$")[3] == amal_hash.split("$")[3]
