"""SQLAlchemy 2 models: the data of DESIGN.md, one class per table.

The path of a record is visible in the tables: a ``Source`` gives ``RawItem`` rows (immutable
but for their state), extraction turns a raw item into ``Candidate`` rows, matching adds
``MatchLink`` rows, the queue holds one ``ReviewTask`` per candidate, and a documenter's
``Decision`` is what writes ``Victim`` rows and their names, sources and history. Every write
to the archive also writes an ``AuditLog`` row in the same transaction.

The schema is created and changed only by the Alembic migrations in ``db/migrations``; tests
may call ``Base.metadata.create_all`` to compare, nothing else does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    false,
    true,
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names so that migrations are identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC (the only time zone stored)."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as naive UTC and read back as aware UTC on every backend.

    SQLite has no time zones; without this, values written as aware datetimes come back
    naive there and aware on PostgreSQL, and comparisons between them fail.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, dt.datetime: UTCDateTime}


# --- states -------------------------------------------------------------------------------

RAW_NEW, RAW_EXTRACTED, RAW_FAILED, RAW_SKIPPED = "new", "extracted", "failed", "skipped"
#: A failure that needs no action: a newer version of the item came in, or a person dismissed
#: it with a reason (`tawthiq failed dismiss`). The item stays stored either way.
RAW_SUPERSEDED, RAW_DISMISSED = "superseded", "dismissed"
CAND_NEW, CAND_MATCHED, CAND_QUEUED, CAND_DECIDED = "new", "matched", "queued", "decided"
TASK_OPEN, TASK_DEFERRED, TASK_DONE = "open", "deferred", "done"
REPORT_NEW, REPORT_QUEUED, REPORT_DECIDED, REPORT_SUPERSEDED = "new", "queued", "decided", "superseded"
ROLES = ("documenter", "editor", "admin")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="documenter")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Source(Base):
    """A configured form or feed. Secrets are never stored here, only the names of the
    environment variables (or Prefect Secret blocks) that hold them."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120), unique=True)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    cursor: Mapped[dict[str, Any]] = mapped_column(default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(20), default="ok")
    last_error: Mapped[str | None] = mapped_column(Text)
    last_pulled_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    raw_items: Mapped[list[RawItem]] = relationship(back_populates="source")


class RawItem(Base):
    """What a source gave, byte for byte, with its SHA-256.

    Never updated in place except ``state``, ``error``, ``attempts``, the extractor that read it
    and the derived text fields filled by cleaning; a changed item is a new row with
    ``version`` + 1 that names the row it ``supersedes``.
    """

    __tablename__ = "raw_items"
    __table_args__ = (
        UniqueConstraint("source_id", "external_id", "content_sha256"),
        UniqueConstraint("source_id", "external_id", "version"),
        Index("ix_raw_items_state", "state"),
        Index("ix_raw_items_source_fingerprint", "source_id", "fingerprint"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    external_id: Mapped[str] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("raw_items.id"))
    kind: Mapped[str] = mapped_column(String(20))  # form | news
    url: Mapped[str | None] = mapped_column(Text)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str | None] = mapped_column(String(200))
    content_sha256: Mapped[str] = mapped_column(String(64))
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    fetched_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column()
    language: Mapped[str | None] = mapped_column(String(10))
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default=RAW_NEW)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    processed_at: Mapped[dt.datetime | None] = mapped_column()
    #: What makes two family submissions the same report (their answers and files), so that a
    #: form sent twice is grouped with the first without reading every submission's metadata.
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    #: The extractor, and its version, that last read this item (its candidates and incident
    #: reports keep theirs too): ``tawthiq reextract`` reads again the items read with an older
    #: one. None: never read, or read before this was kept (migration 0012 took it from the rows).
    extractor: Mapped[str | None] = mapped_column(String(40))
    extractor_version: Mapped[str | None] = mapped_column(String(20))

    source: Mapped[Source] = relationship(back_populates="raw_items")
    candidates: Mapped[list[Candidate]] = relationship(back_populates="raw_item")


class SubmitterContact(Base):
    """A family submitter's relation, name and contact, kept apart from the victim data and
    encrypted at rest (Fernet); only admins may read it, and each reading is audited."""

    __tablename__ = "submitter_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    raw_item_id: Mapped[int] = mapped_column(ForeignKey("raw_items.id"), unique=True)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    consent_follow_up: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Attachment(Base):
    """A photo or document that came with a submission, stored with its SHA-256."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("raw_item_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    raw_item_id: Mapped[int] = mapped_column(ForeignKey("raw_items.id"))
    name: Mapped[str] = mapped_column(String(500))
    media_type: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PendingUpload(Base):
    """A photo or document a family attached to a submission the form sent back for a
    correction: kept (up to a global cap, for a day) so that the family need not attach it
    again, and joined to the submission when it is sent. ``token`` is the form's."""

    __tablename__ = "pending_uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), index=True)
    field: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(500))
    media_type: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class Candidate(Base):
    """One staged victim record extracted from one raw item, with its evidence."""

    __tablename__ = "candidates"
    __table_args__ = (
        UniqueConstraint("raw_item_id", "seq"),
        Index("ix_candidates_state", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    raw_item_id: Mapped[int] = mapped_column(ForeignKey("raw_items.id"))
    seq: Mapped[int] = mapped_column(Integer)
    full_name: Mapped[str | None] = mapped_column(String(500))
    name_ar: Mapped[str | None] = mapped_column(String(500))
    sex: Mapped[str | None] = mapped_column(String(10))
    age: Mapped[int | None] = mapped_column(Integer)
    is_child: Mapped[bool | None] = mapped_column(Boolean)
    date_of_death: Mapped[str | None] = mapped_column(String(10))
    death_governorate: Mapped[str | None] = mapped_column(String(40))
    death_locality: Mapped[str | None] = mapped_column(String(200))
    origin_governorate: Mapped[str | None] = mapped_column(String(40))
    origin_locality: Mapped[str | None] = mapped_column(String(200))
    perpetrator: Mapped[str] = mapped_column(String(40), default="unknown")
    cause: Mapped[str] = mapped_column(String(40), default="unknown")
    category: Mapped[str] = mapped_column(String(40), default="civilian")
    evidence: Mapped[str] = mapped_column(Text, default="")
    field_evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    confidence: Mapped[float] = mapped_column(Float, default=0.5)
    extractor: Mapped[str] = mapped_column(String(40))
    extractor_version: Mapped[str] = mapped_column(String(20))
    cluster_key: Mapped[str | None] = mapped_column(String(40), index=True)
    state: Mapped[str] = mapped_column(String(20), default=CAND_NEW)
    #: The incident the same item reports this person killed in.
    incident_report_id: Mapped[int | None] = mapped_column(ForeignKey("incident_reports.id"), index=True)
    #: The highest victim id this candidate was scored against: victims archived after it are
    #: compared with it again (every nightly, and when a documenter decides it).
    scored_through_victim_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    raw_item: Mapped[RawItem] = relationship(back_populates="candidates")
    review_task: Mapped[ReviewTask | None] = relationship(back_populates="candidate")


class MatchLink(Base):
    """A possible identity between a candidate and another candidate or an archived victim."""

    __tablename__ = "match_links"
    __table_args__ = (
        Index("ix_match_links_candidate", "candidate_id"),
        Index("ix_match_links_other", "other_candidate_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"))
    other_candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id"))
    victim_id: Mapped[int | None] = mapped_column(ForeignKey("victims.id"))
    score: Mapped[float] = mapped_column(Float)
    method_version: Mapped[str] = mapped_column(String(40))
    explanation: Mapped[list[Any]] = mapped_column(default=list)
    levels: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ReviewTask(Base):
    """One candidate waiting for a documenter. A claim is held until ``claim_expires_at``."""

    __tablename__ = "review_tasks"
    __table_args__ = (Index("ix_review_tasks_state", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), unique=True)
    state: Mapped[str] = mapped_column(String(20), default=TASK_OPEN)
    has_match: Mapped[bool] = mapped_column(Boolean, default=False)
    best_score: Mapped[float | None] = mapped_column(Float)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[dt.datetime | None] = mapped_column()
    claim_expires_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column()

    candidate: Mapped[Candidate] = relationship(back_populates="review_task")
    claimed_by: Mapped[User | None] = relationship()


class Victim(Base):
    """The canonical archived record of one person, written only by a documenter's decision."""

    __tablename__ = "victims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    full_name: Mapped[str | None] = mapped_column(String(500))
    name_ar: Mapped[str | None] = mapped_column(String(500))
    sex: Mapped[str | None] = mapped_column(String(10))
    age: Mapped[int | None] = mapped_column(Integer)
    is_child: Mapped[bool | None] = mapped_column(Boolean)
    date_of_death: Mapped[str | None] = mapped_column(String(10), index=True)
    death_governorate: Mapped[str | None] = mapped_column(String(40))
    death_locality: Mapped[str | None] = mapped_column(String(200))
    origin_governorate: Mapped[str | None] = mapped_column(String(40))
    origin_locality: Mapped[str | None] = mapped_column(String(200))
    perpetrator: Mapped[str] = mapped_column(String(40), default="unknown")
    cause: Mapped[str] = mapped_column(String(40), default="unknown")
    category: Mapped[str] = mapped_column(String(40), default="civilian")
    died_in_detention: Mapped[bool | None] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | merged | retracted
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("victims.id"))
    #: The archived incident this person was killed in, once a documenter confirmed it.
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    names: Mapped[list[VictimName]] = relationship(back_populates="victim")
    sources: Mapped[list[VictimSource]] = relationship(back_populates="victim")
    history: Mapped[list[VictimHistory]] = relationship(
        back_populates="victim", order_by="VictimHistory.id"
    )


class VictimName(Base):
    __tablename__ = "victim_names"
    __table_args__ = (UniqueConstraint("victim_id", "name"), Index("ix_victim_names_key", "key"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    victim_id: Mapped[int] = mapped_column(ForeignKey("victims.id"))
    name: Mapped[str] = mapped_column(String(500))
    script: Mapped[str] = mapped_column(String(10))  # arabic | latin
    key: Mapped[str] = mapped_column(String(500))  # normalised, cross-script search key
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    victim: Mapped[Victim] = relationship(back_populates="names")


class VictimSource(Base):
    __tablename__ = "victim_sources"
    __table_args__ = (UniqueConstraint("victim_id", "candidate_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    victim_id: Mapped[int] = mapped_column(ForeignKey("victims.id"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"))
    raw_item_id: Mapped[int] = mapped_column(ForeignKey("raw_items.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    url: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    victim: Mapped[Victim] = relationship(back_populates="sources")


class Decision(Base):
    """What a documenter decided about one candidate, and why. Never deleted: an undo is a
    new decision that names the one it undoes."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_task_id: Mapped[int] = mapped_column(ForeignKey("review_tasks.id"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))  # new_victim | same_as | not_victim | defer | undo
    victim_id: Mapped[int | None] = mapped_column(ForeignKey("victims.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    field_choices: Mapped[dict[str, Any]] = mapped_column(default=dict)
    undoes_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    undone: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class VictimHistory(Base):
    """Append-only history of a victim record: who changed what, from what, to what."""

    __tablename__ = "victim_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    victim_id: Mapped[int] = mapped_column(ForeignKey("victims.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any]] = mapped_column(default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    victim: Mapped[Victim] = relationship(back_populates="history")


class CandidateHistory(Base):
    """A documenter's correction of what the extractor staged, before the report is decided:
    who changed which fields, from what, to what, and why. Append-only."""

    __tablename__ = "candidate_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))  # corrected
    before: Mapped[dict[str, Any]] = mapped_column(default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(60))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class UserSession(Base):
    """One login to the review app. The browser's cookie carries a random session id; only its
    SHA-256 is stored, so this table cannot be used to log in. A session ends when it expires
    or is revoked (logout; the user disabled, their role changed or password reset)."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()
    #: Why it was revoked: logout, login (another login in the same browser), disabled, role, password.
    revoked_reason: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    """A login attempt to the review app, kept a day for throttling: failures are counted per
    user name as typed (known or not) and per client address, in the database so that every
    server process sees them."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_username_created_at", "username", "created_at"),
                      Index("ix_login_attempts_address_created_at", "address", "created_at"))

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


# --- incidents ----------------------------------------------------------------------------


class IncidentReport(Base):
    """One incident as one raw item reports it (staged, like a candidate): the counts the
    extractor read, each with the sentence it came from, and the spans to highlight."""

    __tablename__ = "incident_reports"
    __table_args__ = (UniqueConstraint("raw_item_id", "seq"), Index("ix_incident_reports_state", "state"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    raw_item_id: Mapped[int] = mapped_column(ForeignKey("raw_items.id"))
    seq: Mapped[int] = mapped_column(Integer)
    date: Mapped[str | None] = mapped_column(String(10))
    governorate: Mapped[str | None] = mapped_column(String(40))
    locality: Mapped[str | None] = mapped_column(String(200))
    perpetrator: Mapped[str] = mapped_column(String(40), default="unknown")
    cause: Mapped[str] = mapped_column(String(40), default="unknown")
    killed: Mapped[int | None] = mapped_column(Integer)
    killed_min: Mapped[int | None] = mapped_column(Integer)
    killed_max: Mapped[int | None] = mapped_column(Integer)
    children_killed: Mapped[int | None] = mapped_column(Integer)
    women_killed: Mapped[int | None] = mapped_column(Integer)
    injured_min: Mapped[int | None] = mapped_column(Integer)
    injured_max: Mapped[int | None] = mapped_column(Integer)
    named_victims: Mapped[int] = mapped_column(Integer, default=0)
    evidence: Mapped[str] = mapped_column(Text, default="")
    field_evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    notes: Mapped[list[Any]] = mapped_column(default=list)
    spans: Mapped[list[Any]] = mapped_column(default=list)
    extractor: Mapped[str] = mapped_column(String(40))
    extractor_version: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default=REPORT_NEW)
    #: The archived incident a documenter decided this report is of.
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    raw_item: Mapped[RawItem] = relationship()
    task: Mapped[IncidentTask | None] = relationship(back_populates="report")


class IncidentTask(Base):
    """One incident report waiting for a documenter to read it and confirm its counts."""

    __tablename__ = "incident_tasks"
    __table_args__ = (Index("ix_incident_tasks_state", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("incident_reports.id"), unique=True)
    state: Mapped[str] = mapped_column(String(20), default=TASK_OPEN)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[dt.datetime | None] = mapped_column()
    claim_expires_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column()

    report: Mapped[IncidentReport] = relationship(back_populates="task")
    claimed_by: Mapped[User | None] = relationship()


class Incident(Base):
    """An archived incident, written only by a documenter's decision. Counts are ranges, as
    casualty recorders keep them when sources differ; the victims not yet named (the anonymous
    archive) are the killed count less the named victims linked to it."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    date: Mapped[str | None] = mapped_column(String(10), index=True)
    governorate: Mapped[str | None] = mapped_column(String(40))
    locality: Mapped[str | None] = mapped_column(String(200))
    perpetrator: Mapped[str] = mapped_column(String(40), default="unknown")
    cause: Mapped[str] = mapped_column(String(40), default="unknown")
    killed_min: Mapped[int] = mapped_column(Integer, default=0)
    killed_max: Mapped[int | None] = mapped_column(Integer)
    children_killed: Mapped[int] = mapped_column(Integer, default=0)
    women_killed: Mapped[int] = mapped_column(Integer, default=0)
    injured_min: Mapped[int | None] = mapped_column(Integer)
    injured_max: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | retracted
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    sources: Mapped[list[IncidentSource]] = relationship(back_populates="incident")
    history: Mapped[list[IncidentHistory]] = relationship(back_populates="incident", order_by="IncidentHistory.id")


class IncidentDecision(Base):
    """What a documenter decided about one incident report, with the counts they confirmed."""

    __tablename__ = "incident_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("incident_tasks.id"))
    report_id: Mapped[int] = mapped_column(ForeignKey("incident_reports.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))  # new_incident | same_incident | not_death | defer | undo
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: An undo is a decision of its own naming the one it undoes; the undone one is kept.
    undoes_id: Mapped[int | None] = mapped_column(ForeignKey("incident_decisions.id"))
    undone: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class IncidentSource(Base):
    """A report that supports an archived incident, with the sentence it came from."""

    __tablename__ = "incident_sources"
    __table_args__ = (UniqueConstraint("incident_id", "report_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    report_id: Mapped[int] = mapped_column(ForeignKey("incident_reports.id"))
    raw_item_id: Mapped[int] = mapped_column(ForeignKey("raw_items.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    url: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    killed_min: Mapped[int | None] = mapped_column(Integer)
    killed_max: Mapped[int | None] = mapped_column(Integer)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("incident_decisions.id"))
    #: False once the decision that archived the report here is undone (kept, never deleted).
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="sources")


class IncidentHistory(Base):
    """Append-only history of an archived incident: counts confirmed, widened by another
    source, a named victim linked (one fewer anonymous), who and when."""

    __tablename__ = "incident_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("incident_decisions.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any]] = mapped_column(default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="history")
