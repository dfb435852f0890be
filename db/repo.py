"""Repository functions: the reads and writes the flows, the CLI and the web app share.

Each function takes a :class:`~sqlalchemy.orm.Session` and leaves committing to the caller,
so that a step can put several writes in one transaction (a decision, the archive write and
its audit entry commit together or not at all).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tawthiq.errors import ConfigError

from .models import (
    RAW_FAILED,
    RAW_NEW,
    TASK_DEFERRED,
    TASK_OPEN,
    AuditLog,
    Attachment,
    Candidate,
    RawItem,
    ReviewTask,
    Source,
    User,
    Victim,
    utcnow,
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- sources ------------------------------------------------------------------------------

SECRET_HINTS = ("token", "password", "secret", "apikey", "api_key")


def add_source(session: Session, kind: str, name: str, settings: dict[str, Any]) -> Source:
    """Add a source, refusing secrets in its settings (only the names of env vars that hold
    them, such as ``token_env``, may be stored)."""
    for key, value in settings.items():
        if any(h in key.lower() for h in SECRET_HINTS) and not key.lower().endswith(("_env", "_block")):
            raise ConfigError(f"source {name!r}: setting {key!r} looks like a secret; store it in an environment variable and pass its name")
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
    return item, True


def store_attachment(session: Session, item: RawItem, name: str, media_type: str | None, content: bytes) -> Attachment:
    existing = session.scalar(select(Attachment).where(Attachment.raw_item_id == item.id, Attachment.name == name))
    if existing is not None:
        return existing
    attachment = Attachment(raw_item_id=item.id, name=name, media_type=media_type, content=content, content_sha256=sha256(content))
    session.add(attachment)
    session.flush()
    return attachment


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


def add_user(session: Session, username: str, password: str, role: str, display_name: str | None = None) -> User:
    from .models import ROLES

    if role not in ROLES:
        raise ConfigError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    if not username.strip():
        raise ConfigError("a user needs a name")
    if len(password) < 8:
        raise ConfigError("a password needs at least 8 characters")
    if session.scalar(select(User).where(User.username == username)):
        raise ConfigError(f"a user named {username!r} already exists")
    user = User(username=username, display_name=display_name or username, role=role, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    audit(session, None, "user.add", "user", user.id, {"username": username, "role": role})
    return user


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


def failed_items(session: Session, limit: int = 50) -> list[RawItem]:
    return list(session.scalars(select(RawItem).where(RawItem.state == RAW_FAILED).order_by(RawItem.id).limit(limit)))


def iter_ids(rows: Iterable[Any]) -> list[int]:
    return [row.id for row in rows]
