"""Repository functions: the reads and writes the flows, the CLI and the web app share.

Each function takes a :class:`~sqlalchemy.orm.Session` and leaves committing to the caller,
so that a step can put several writes in one transaction (a decision, the archive write and
its audit entry commit together or not at all).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any
from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tawthiq.errors import ConfigError

from .models import (
    RAW_DISMISSED,
    RAW_FAILED,
    RAW_NEW,
    RAW_SUPERSEDED,
    TASK_DEFERRED,
    TASK_OPEN,
    AuditLog,
    Attachment,
    Candidate,
    RawItem,
    ReviewTask,
    Source,
    User,
    UserSession,
    Victim,
    utcnow,
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- sources ------------------------------------------------------------------------------

SECRET_HINTS = ("token", "password", "secret", "apikey", "api_key")


def check_no_secrets(name: str, settings: dict[str, Any]) -> None:
    """Refuse settings that look like secrets: only the names of the environment variables
    (or Prefect Secret blocks) that hold them, such as ``token_env``, may be stored."""
    for key in settings:
        if any(h in key.lower() for h in SECRET_HINTS) and not key.lower().endswith(("_env", "_block")):
            raise ConfigError(f"source {name!r}: setting {key!r} looks like a secret; store it in an environment variable and pass its name")


def add_source(session: Session, kind: str, name: str, settings: dict[str, Any]) -> Source:
    """Add a source, refusing secrets in its settings (see :func:`check_no_secrets`)."""
    check_no_secrets(name, settings)
    if session.scalar(select(Source).where(Source.name == name)):
        raise ConfigError(f"a source named {name!r} already exists")
    source = Source(kind=kind, name=name, settings=settings, cursor={})
    session.add(source)
    session.flush()
    return source


def get_source(session: Session, name: str) -> Source:
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        known = ", ".join(session.scalars(select(Source.name).order_by(Source.name))) or "none yet"
        raise ConfigError(f"no source named {name!r} (sources: {known})")
    return source


def list_sources(session: Session) -> list[Source]:
    return list(session.scalars(select(Source).order_by(Source.name)))


def update_source(session: Session, name: str, settings: dict[str, Any], by: str | None = None) -> Source:
    """Replace a source's settings (already validated by the caller), refusing secrets, with
    an audit entry holding the settings before and after. Its cursor is kept: the next pull
    continues where the last one stopped."""
    source = get_source(session, name)
    check_no_secrets(name, settings)
    before = dict(source.settings or {})
    source.settings = dict(settings)
    audit(session, None, "source.edit", "source", source.id, {"name": name, "by": by, "before": before, "after": settings})
    return source


def set_source_enabled(session: Session, name: str, enabled: bool, by: str | None = None) -> Source:
    """Enable or disable a source: a disabled source is skipped by ``pull`` and ``nightly``
    unless named, and its family form (if it is one) stops taking submissions. Its items stay."""
    source = get_source(session, name)
    if source.enabled != enabled:
        source.enabled = enabled
        audit(session, None, "source.enable" if enabled else "source.disable", "source", source.id, {"name": name, "by": by})
    return source


def source_item_count(session: Session, source: Source) -> int:
    """How many raw items were stored from ``source`` (every version counts)."""
    return int(session.scalar(select(func.count()).select_from(RawItem).where(RawItem.source_id == source.id)) or 0)


def remove_source(session: Session, name: str, force: bool = False, by: str | None = None) -> tuple[str, int]:
    """Remove a source from which nothing was ever stored, and return ``("removed", 0)``.

    A source with stored items is never deleted: the items are families' and witnesses'
    testimony and the archive cites them. Without ``force`` that is refused with the way
    out; with ``force`` the source is disabled instead, and ``("disabled", items)`` returned.
    """
    source = get_source(session, name)
    items = source_item_count(session, source)
    if items:
        if not force:
            raise ConfigError(f"source {name!r} has {items} stored item(s), which are never deleted; "
                              f"`tawthiq sources disable {name}` stops pulling it (or `sources remove {name} --force` does the same)")
        set_source_enabled(session, name, False, by)
        return "disabled", items
    audit(session, None, "source.remove", "source", source.id,
          {"name": name, "by": by, "kind": source.kind, "settings": dict(source.settings or {})})
    session.delete(source)
    session.flush()
    return "removed", 0


# --- raw items ----------------------------------------------------------------------------


def store_raw_item(
    session: Session,
    source: Source,
    *,
    external_id: str,
    content: bytes,
    kind: str,
    url: str | None = None,
    content_type: str | None = None,
    headers: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
    published_at: dt.datetime | None = None,
    language: str | None = None,
    title: str | None = None,
    supersedes: str | None = None,
    error: str | None = None,
    received_sha256: str | None = None,
) -> tuple[RawItem, bool]:
    """Store an item exactly once and return ``(item, created)``.

    The same bytes under the same external id are the same item (``created`` is False). New
    bytes under a known external id are a new version that supersedes the latest one. An
    item that names another it ``supersedes`` (an edited submission) supersedes that one.
    ``received_sha256`` is the digest of the bytes as received when ``content`` is a rewritten
    form of them (submitter answers encrypted); it then identifies the item.
    """
    digest = received_sha256 or sha256(content)
    existing = session.scalar(
        select(RawItem).where(
            RawItem.source_id == source.id,
            RawItem.external_id == external_id,
            RawItem.content_sha256 == digest,
        )
    )
    if existing is not None:
        return existing, False
    if kind == "news" and external_id.startswith(("http://", "https://")):
        # The same article reached through another followed source is the same item.
        elsewhere = session.scalar(select(RawItem).where(RawItem.external_id == external_id, RawItem.content_sha256 == digest).limit(1))
        if elsewhere is not None:
            return elsewhere, False
    latest = session.scalar(
        select(RawItem)
        .where(RawItem.source_id == source.id, RawItem.external_id == external_id)
        .order_by(RawItem.version.desc())
        .limit(1)
    )
    supersedes_id = latest.id if latest is not None else None
    if supersedes and supersedes_id is None:
        previous = session.scalar(
            select(RawItem)
            .where(RawItem.source_id == source.id, RawItem.external_id == supersedes)
            .order_by(RawItem.version.desc())
            .limit(1)
        )
        supersedes_id = previous.id if previous is not None else None
    item = RawItem(
        source_id=source.id,
        external_id=external_id,
        version=(latest.version + 1) if latest is not None else 1,
        supersedes_id=supersedes_id,
        kind=kind,
        url=url,
        content=content,
        content_type=content_type,
        content_sha256=digest,
        headers=headers or {},
        meta=meta or {},
        published_at=published_at,
        language=language,
        title=title,
        state=RAW_FAILED if error else RAW_NEW,
        error=error,
    )
    session.add(item)
    session.flush()
    retire_failed_versions(session, item, {external_id} | ({supersedes} if supersedes else set()))
    return item, True


def retire_failed_versions(session: Session, item: RawItem, external_ids: set[str]) -> list[RawItem]:
    """Retire the earlier versions of ``item`` that are ``failed`` (the same external ids in
    its source, and the item it supersedes): a fixed file re-sent as version 2 makes version
    1's failure moot, so it no longer counts as failed nor is retried. The reason, with the
    old error, stays in its ``error`` and in the audit log; the raw bytes stay too."""
    query = select(RawItem).where(RawItem.source_id == item.source_id, RawItem.state == RAW_FAILED, RawItem.id != item.id,
                                  RawItem.external_id.in_(sorted(external_ids)))
    retired = list(session.scalars(query.order_by(RawItem.id)))
    if item.supersedes_id is not None:
        superseded = session.get(RawItem, item.supersedes_id)
        if superseded is not None and superseded.state == RAW_FAILED and superseded not in retired:
            retired.append(superseded)
    for old in retired:
        old.state = RAW_SUPERSEDED
        old.error = f"superseded by version {item.version} (raw item {item.id}); it had failed: {old.error or 'no reason recorded'}"
        audit(session, None, "raw_item.superseded", "raw_item", old.id, {"by_item": item.id, "version": item.version})
    return retired


def store_attachment(session: Session, item: RawItem, name: str, media_type: str | None, content: bytes) -> Attachment:
    existing = session.scalar(select(Attachment).where(Attachment.raw_item_id == item.id, Attachment.name == name))
    if existing is not None:
        return existing
    attachment = Attachment(raw_item_id=item.id, name=name, media_type=media_type, content=content, content_sha256=sha256(content))
    session.add(attachment)
    session.flush()
    return attachment


def dismiss_failed_items(session: Session, item_ids: Iterable[int], why: str, by: str) -> list[RawItem]:
    """Dismiss failed items that cannot be fixed (a test upload, a file nobody can repair):
    each becomes ``dismissed`` and stays stored raw, never deleted, with who, when and why in
    its ``error`` and in an audit entry. All or none: an id that is unknown or not failed is
    refused naming it, and nothing is dismissed."""
    why = why.strip()
    if not why:
        raise ConfigError("say why the items are dismissed: --why \"...\"")
    items = []
    for item_id in dict.fromkeys(item_ids):
        item = session.get(RawItem, item_id)
        if item is None:
            raise ConfigError(f"no raw item {item_id}; `tawthiq failed list` shows the failed ones")
        if item.state != RAW_FAILED:
            raise ConfigError(f"raw item {item_id} ({item.source.name}/{item.external_id}) is {item.state}, not failed; only failed items are dismissed")
        items.append(item)
    when = utcnow()
    for item in items:
        previous = item.error
        item.state = RAW_DISMISSED
        item.error = f"dismissed by {by} on {when:%Y-%m-%d %H:%M} UTC: {why}; it had failed: {previous or 'no reason recorded'}"
        audit(session, None, "raw_item.dismiss", "raw_item", item.id,
              {"by": by, "why": why, "error": previous, "source": item.source.name, "external_id": item.external_id, "version": item.version})
    return items


def retry_failed_items(session: Session, source_name: str | None = None) -> int:
    """Put items left ``failed`` back to ``new`` so the next run processes them again
    (after their cause is fixed). Returns how many were reset."""
    query = select(RawItem).where(RawItem.state == RAW_FAILED)
    if source_name:
        query = query.where(RawItem.source_id == get_source(session, source_name).id)
    items = list(session.scalars(query))
    for item in items:
        item.state = RAW_NEW
        item.error = None
    return len(items)


def documenter_work(session: Session, raw_item_id: int) -> str | None:
    """What a documenter has done on what extraction staged from one raw item, as a few words
    (``"candidate 12: decided"``), or None when nobody has started on it: no candidate or
    incident report of it decided, claimed (even if the claim expired), corrected, deferred,
    added by hand or archived, and no decision (even one undone) on any of its tasks. An
    item with such work is never read again: its decisions and corrections stand as made."""
    from .models import (
        CAND_DECIDED,
        REPORT_DECIDED,
        TASK_DONE,
        CandidateHistory,
        Decision,
        IncidentDecision,
        IncidentReport,
        IncidentSource,
        IncidentTask,
        VictimName,
        VictimSource,
    )

    candidates = session.execute(
        select(Candidate.id, Candidate.state, Candidate.extractor, ReviewTask.state, ReviewTask.claimed_by_id)
        .outerjoin(ReviewTask, ReviewTask.candidate_id == Candidate.id)
        .where(Candidate.raw_item_id == raw_item_id).order_by(Candidate.id)).all()
    for cid, state, extractor, task_state, claimed_by in candidates:
        if extractor == "documenter":
            return f"candidate {cid}: added by a documenter"
        if state == CAND_DECIDED or task_state == TASK_DONE:
            return f"candidate {cid}: decided"
        if task_state == TASK_DEFERRED:
            return f"candidate {cid}: deferred"
        if claimed_by is not None:
            return f"candidate {cid}: claimed"
    ids = [row[0] for row in candidates]
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        for model, what in ((Decision, "decided"), (CandidateHistory, "corrected"), (VictimSource, "archived"),
                            (VictimName, "archived")):
            found = session.scalar(select(model.candidate_id).where(model.candidate_id.in_(chunk)).limit(1))
            if found is not None:
                return f"candidate {found}: {what}"
    reports = session.execute(
        select(IncidentReport.id, IncidentReport.state, IncidentReport.incident_id, IncidentTask.state,
               IncidentTask.claimed_by_id)
        .outerjoin(IncidentTask, IncidentTask.report_id == IncidentReport.id)
        .where(IncidentReport.raw_item_id == raw_item_id).order_by(IncidentReport.id)).all()
    for rid, state, incident_id, task_state, claimed_by in reports:
        if state == REPORT_DECIDED or task_state == TASK_DONE or incident_id is not None:
            return f"incident report {rid}: decided"
        if task_state == TASK_DEFERRED:
            return f"incident report {rid}: deferred"
        if claimed_by is not None:
            return f"incident report {rid}: claimed"
    report_ids = [row[0] for row in reports]
    if report_ids:
        for report_model, what in ((IncidentDecision, "decided"), (IncidentSource, "archived")):
            found = session.scalar(select(report_model.report_id).where(report_model.report_id.in_(report_ids)).limit(1))
            if found is not None:
                return f"incident report {found}: {what}"
    return None


# --- users and audit ----------------------------------------------------------------------


def hash_password(password: str) -> str:
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return PasswordHasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


#: The shortest password accepted, however it is given (`tawthiq users`, the review app).
MIN_PASSWORD_LENGTH = 8


class AccountError(ConfigError):
    """A change to an account that is refused. ``code`` names the reason, so that the review
    app can say it in the page's language (``account_<code>`` in review/i18n.py); the message
    is the CLI's line."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_password(password: str) -> None:
    """Refuse a password shorter than :data:`MIN_PASSWORD_LENGTH` (new users and resets alike)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password_short", f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def add_user(session: Session, username: str, password: str, role: str, display_name: str | None = None) -> User:
    from .models import ROLES

    if role not in ROLES:
        raise AccountError("unknown_role", f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    if not username.strip():
        raise AccountError("no_name", "a user needs a name")
    check_password(password)
    if session.scalar(select(User).where(User.username == username)):
        raise AccountError("exists", f"a user named {username!r} already exists")
    user = User(username=username, display_name=display_name or username, role=role, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    audit(session, None, "user.add", "user", user.id, {"username": username, "role": role})
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AccountError("no_user", f"no user named {username!r}; `tawthiq users list` shows them")
    return user


def list_users(session: Session) -> list[tuple[User, dt.datetime | None]]:
    """Every user by name, with when they last logged in to the review app (None: never)."""
    last = (select(UserSession.user_id, func.max(UserSession.created_at).label("last_login"))
            .group_by(UserSession.user_id).subquery())
    rows = session.execute(select(User, last.c.last_login).outerjoin(last, last.c.user_id == User.id).order_by(User.username))
    return [(user, when) for user, when in rows]


def _keep_an_active_admin(session: Session, user: User, change: str) -> None:
    """Refuse a ``change`` (disabling, demoting) of ``user`` when they are the last active admin:
    nobody could manage the accounts any more. The active admins' rows are locked
    (PostgreSQL), so two admins disabling each other at once cannot both succeed."""
    if user.role != "admin" or not user.active:
        return
    admins = session.scalars(select(User.id).where(User.role == "admin", User.active.is_(True)).with_for_update()).all()
    if not [uid for uid in admins if uid != user.id]:
        raise AccountError("last_admin", f"cannot {change}: {user.username!r} is the last active admin; "
                                         "make another user admin first (`tawthiq users role NAME admin`)")


def revoke_user_sessions(session: Session, user_id: int, reason: str) -> int:
    """End every open session of a user at once (their next request goes to the login page);
    returns how many were open."""
    result = session.execute(update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
                             .values(revoked_at=utcnow(), revoked_reason=reason).execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def set_user_active(session: Session, user: User, active: bool, *, actor_id: int | None = None,
                    by: str | None = None) -> int | None:
    """Enable or disable ``user``; disabling ends their sessions at once and is refused for the
    last active admin. Returns how many sessions were ended, None when nothing changed."""
    if user.active == active:
        return None
    if not active:
        _keep_an_active_admin(session, user, f"disable {user.username!r}")
    user.active = active
    ended = 0 if active else revoke_user_sessions(session, user.id, "disabled")
    audit(session, actor_id, "user.enable" if active else "user.disable", "user", user.id,
          {"username": user.username, "by": by, "sessions_ended": ended})
    return ended


def set_user_role(session: Session, user: User, role: str, *, actor_id: int | None = None,
                  by: str | None = None) -> int | None:
    """Give ``user`` another role, ending their sessions (they log in again with the new one);
    demoting the last active admin is refused. Returns how many sessions were ended, None when
    the role is already theirs."""
    from .models import ROLES

    if role not in ROLES:
        raise AccountError("unknown_role", f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    if user.role == role:
        return None
    if role != "admin":
        _keep_an_active_admin(session, user, f"make {user.username!r} {role}")
    before, user.role = user.role, role
    ended = revoke_user_sessions(session, user.id, "role")
    audit(session, actor_id, "user.role", "user", user.id,
          {"username": user.username, "by": by, "before": before, "after": role, "sessions_ended": ended})
    return ended


def reset_password(session: Session, user: User, password: str, *, actor_id: int | None = None, by: str | None = None) -> int:
    """Give ``user`` a new password (the rules of :func:`check_password`) and end their
    sessions; returns how many were open. The password is never in the audit entry."""
    check_password(password)
    user.password_hash = hash_password(password)
    ended = revoke_user_sessions(session, user.id, "password")
    audit(session, actor_id, "user.password_reset", "user", user.id, {"username": user.username, "by": by, "sessions_ended": ended})
    return ended


def session_token_hash(token: str) -> str:
    """What ``user_sessions`` stores of a session id: its SHA-256 (the id is 256 random bits,
    so a fast hash is enough; a copy of the table logs nobody in)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_user_session(session: Session, user: User, hours: float, address: str | None = None,
                       user_agent: str | None = None) -> tuple[str, UserSession]:
    """A new session for ``user`` lasting ``hours``: returns the random session id for the
    cookie (never stored) and its row."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = UserSession(token_hash=session_token_hash(token), user_id=user.id, created_at=now, last_seen_at=now,
                      expires_at=now + dt.timedelta(hours=hours), address=(address or None) and address[:64],
                      user_agent=(user_agent or None) and user_agent[:300])
    session.add(row)
    session.flush()
    return token, row


def find_user_session(session: Session, token: str) -> UserSession | None:
    """The session row of a session id, whatever its state (the caller checks it)."""
    return session.scalar(select(UserSession).where(UserSession.token_hash == session_token_hash(token)))


def end_user_session(session: Session, row: UserSession, reason: str) -> bool:
    """Revoke one session (a logout); False if it had ended already."""
    if row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    row.revoked_reason = reason
    return True


def audit(session: Session, user_id: int | None, action: str, entity: str, entity_id: Any, details: dict[str, Any] | None = None) -> AuditLog:
    entry = AuditLog(user_id=user_id, action=action, entity=entity, entity_id=None if entity_id is None else str(entity_id), details=details or {})
    session.add(entry)
    return entry


# --- status -------------------------------------------------------------------------------


def status_counts(session: Session) -> dict[str, int]:
    """The counts ``tawthiq status`` prints (the keys of DESIGN.md, then the incidents':
    ``queue_incidents`` of ``queue_open`` are incidents to read, ``incidents`` are archived)."""
    def count(model: Any, *where: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    from .models import Incident, IncidentTask

    people = count(ReviewTask, ReviewTask.state.in_((TASK_OPEN, TASK_DEFERRED)))
    incidents = count(IncidentTask, IncidentTask.state.in_((TASK_OPEN, TASK_DEFERRED)))
    return {
        "raw_items": count(RawItem),
        "raw_failed": count(RawItem, RawItem.state == RAW_FAILED),
        "candidates": count(Candidate),
        # People waiting for a decision, and (apart, so the people count keeps its meaning)
        # incident reports waiting to be read.
        "queue_open": people,
        "queue_incidents": incidents,
        "victims": count(Victim, Victim.status == "active"),
        "incidents": count(Incident, Incident.status == "active"),
    }


def failed_items(session: Session, limit: int | None = 50, source_name: str | None = None) -> list[RawItem]:
    """The items left ``failed`` that need action (superseded and dismissed ones do not),
    oldest first; all of them when ``limit`` is None."""
    query = select(RawItem).where(RawItem.state == RAW_FAILED).order_by(RawItem.id)
    if source_name:
        query = query.where(RawItem.source_id == get_source(session, source_name).id)
    return list(session.scalars(query.limit(limit) if limit is not None else query))


def iter_ids(rows: Iterable[Any]) -> list[int]:
    return [row.id for row in rows]
