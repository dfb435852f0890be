"""The steps of a record's path, each over row states (DESIGN.md, "The path of a record").

Every step reads the rows the previous step left in a given state, does its work, and moves
each row on in the same transaction that writes the work's result. So any step can be re-run
on its own, and a re-run after a crash finishes what is left without doing anything twice:

* :func:`pull_source` — a source's items stored raw (``raw_items.state = new``), each in its
  own transaction, and the source's cursor stored only after the items before it;
* :func:`extract_pending` — ``raw_items`` new → extracted (with ``candidates`` new, and an
  ``incident_reports`` row new for each incident an item reports) or failed;
* :func:`match_pending` — ``candidates`` new → matched, with ``match_links``;
* :func:`queue_pending` — ``candidates`` matched → queued, with one ``review_tasks`` row each,
  and ``incident_reports`` new → queued, with one ``incident_tasks`` row each: an item that
  reports a death reaches a documenter even when it names nobody;
* :func:`reextract` — ``raw_items`` extracted with an older extractor read again, each in its
  own transaction: the earlier reading (candidates, incident reports, their tasks) superseded,
  the new one new, then matched and queued as above; items a documenter has started on kept.

The Prefect flows in ``flows/`` call these functions as tasks; the logic lives here.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Iterable, Iterator

from sqlalchemy import Engine, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from tawthiq.db import repo
from tawthiq.db.engine import session_scope
from tawthiq.db.models import (
    CAND_MATCHED,
    CAND_NEW,
    CAND_QUEUED,
    RAW_EXTRACTED,
    REPORT_NEW,
    REPORT_QUEUED,
    REPORT_SUPERSEDED,
    RAW_FAILED,
    RAW_NEW,
    TASK_DEFERRED,
    TASK_OPEN,
    AuditLog,
    Candidate,
    Decision,
    IncidentReport,
    IncidentTask,
    MatchLink,
    RawItem,
    ReviewTask,
    Source,
    SubmitterContact,
    Victim,
    utcnow,
)
from tawthiq.errors import ItemError, SourceError, TawthiqError

log = logging.getLogger("tawthiq.pipeline")

CAND_SUPERSEDED = "superseded"
TASK_SUPERSEDED = "superseded"
#: Links under this probability are not stored: they would only be noise in the queue.
LINK_FLOOR = 0.5
#: Seconds one source may take in one pull (settings["deadline_seconds"] overrides).
DEFAULT_SOURCE_DEADLINE = 1800


@dataclass
class SourceSummary:
    source: str
    fetched: int = 0
    new: int = 0
    unchanged: int = 0
    failed: int = 0
    error: str | None = None
    #: Why each item stored as failed at intake failed (too large, not HTML, ...).
    failures: list[str] = field(default_factory=list)
    #: What the source left out on purpose and an operator should know (symlinks leading out
    #: of a folder, sub-folders it could not list).
    notes: list[str] = field(default_factory=list)


@dataclass
class ExtractSummary:
    items: int = 0
    extracted: int = 0
    failed: int = 0
    candidates: int = 0
    incidents: int = 0
    #: Items that report a death but name nobody: they reach a documenter as an incident.
    unnamed_deaths: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)
    #: Why extraction stopped before the end (SIGTERM); the items left wait for the next run.
    stopped: str | None = None


@dataclass
class MatchSummary:
    candidates: int = 0
    candidate_links: int = 0
    archive_links: int = 0
    possible_duplicates: int = 0
    #: Queued reports compared again with victims archived after they were scored.
    rescored: int = 0


@dataclass
class QueueSummary:
    queued: int = 0
    incidents_queued: int = 0
    queue_open: int = 0


def stop_requested() -> bool:
    """Whether this process was asked to stop (SIGTERM): steps end between two items."""
    from tawthiq.sources.http import STOP

    return STOP.is_set()


def stop_reason() -> str:
    from tawthiq.sources import http

    return http.STOP_REASON or "the process was asked to stop"


# --- intake -------------------------------------------------------------------------------


def pull_source(engine: Engine, name: str, full: bool = False) -> SourceSummary:
    """Take in everything new from one source; a source error is recorded on the source and
    returned in the summary, never raised, so the other sources go on. ``full`` re-reads
    everything the source has (edits a form server gives no timestamp for), keeping only
    what changed."""
    from tawthiq.sources import CursorUpdate, get_connector

    summary = SourceSummary(source=name)
    with session_scope(engine) as session:
        source = repo.get_source(session, name)
        kind, settings, cursor, source_id = source.kind, dict(source.settings), dict(source.cursor), source.id
    if full:
        settings["full"] = True
    # A source that keeps producing (or a host that trickles bytes) must not hold up the
    # night: past its deadline the pull stops between items; the cursor covers only what was
    # stored, so the next run continues from there.
    deadline = time.monotonic() + float(settings.get("deadline_seconds", DEFAULT_SOURCE_DEADLINE))
    # Connectors' HTTP fetchers honour the deadline inside a response too (a trickling body).
    settings["deadline_monotonic"] = deadline
    try:
        connector = get_connector(kind)
        for entry in connector.fetch(name, settings, cursor):
            # What was fetched is stored first, then the stop or deadline is honoured: an
            # item in hand is never thrown away to be fetched again.
            if isinstance(entry, CursorUpdate):
                with session_scope(engine) as session:
                    session.get_one(Source, source_id).cursor = entry.cursor
                summary.notes += cursor_notes(entry.cursor)
            else:
                summary.fetched += 1
                with session_scope(engine) as session:
                    item, created = store_fetched(session, session.get_one(Source, source_id), entry)
                if not created:
                    summary.unchanged += 1
                else:
                    summary.new += 1
                    if item.state == RAW_FAILED:
                        summary.failed += 1
                        summary.failures.append(item.error or f"{name}: {entry.external_id} failed")
            if stop_requested():
                summary.error = f"source {name!r}: stopped: {stop_reason()}; the next run continues"
                break
            if time.monotonic() > deadline:
                summary.error = (f"source {name!r}: stopped after its deadline of "
                                 f"{settings.get('deadline_seconds', DEFAULT_SOURCE_DEADLINE)} s; the next run continues")
                break
    except SourceError as exc:
        summary.error = str(exc)
    except TawthiqError as exc:
        summary.error = str(exc)
    except Exception as exc:  # a connector bug must not stop the other sources
        log.exception("source %s failed", name)
        summary.error = f"source {name!r}: unexpected error: {type(exc).__name__}: {exc}"
    with session_scope(engine) as session:
        source = session.get_one(Source, source_id)
        source.last_pulled_at = utcnow()
        source.status = "failing" if summary.error else "ok"
        source.last_error = summary.error
    return summary


def cursor_notes(cursor: dict[str, Any]) -> list[str]:
    """The lines a pull summary shows for what a source skipped on purpose."""
    notes = []
    for key, label in (("skipped_symlinks", "not followed (a symlink leading out of the folder, or broken)"),
                       ("unreadable_folders", "could not be listed")):
        for name in cursor.get(key) or []:
            notes.append(f"{name}: {label}")
    return notes


def store_fetched(session: Session, source: Source, entry: Any) -> tuple[RawItem, bool]:
    """Store one fetched item raw, with its attachments and (encrypted) submitter details."""
    item, created = repo.store_raw_item(
        session,
        source,
        external_id=entry.external_id,
        content=entry.content,
        kind=entry.kind,
        url=entry.url,
        content_type=entry.content_type,
        headers=entry.headers,
        meta=entry.meta,
        published_at=entry.published_at,
        language=entry.language,
        title=entry.title,
        supersedes=entry.supersedes,
        error=entry.error,
        received_sha256=getattr(entry, "received_sha256", None),
    )
    if created:
        for att_name, media_type, data in entry.attachments:
            repo.store_attachment(session, item, att_name, media_type, data)
        if entry.submitter:
            from tawthiq.crypto import encrypt_json

            # Keys are question paths (``group_submitter/consent_follow_up`` from KoboToolbox).
            consent = next((v for k, v in entry.submitter.items() if str(k).rsplit("/", 1)[-1] == "consent_follow_up"), None)
            session.add(SubmitterContact(
                raw_item_id=item.id, ciphertext=encrypt_json(entry.submitter),
                consent_follow_up=None if consent is None else str(consent).strip().lower() in ("yes", "true", "1", "نعم"),
            ))
    return item, created


def pull(engine: Engine, names: Iterable[str] | None = None, full: bool = False) -> list[SourceSummary]:
    """Pull from the named sources, or from every enabled source."""
    with session_scope(engine) as session:
        if names:
            wanted = [repo.get_source(session, n).name for n in names]
        else:
            wanted = [s.name for s in repo.list_sources(session) if s.enabled]
    return [pull_source(engine, name, full) for name in wanted]


# --- extract ------------------------------------------------------------------------------


def pending_item_ids(engine: Engine, limit: int | None = None) -> list[int]:
    """Ids of the raw items waiting for extraction, oldest first."""
    with session_scope(engine) as session:
        query = select(RawItem.id).where(RawItem.state == RAW_NEW).order_by(RawItem.id)
        if limit:
            query = query.limit(limit)
        return list(session.scalars(query))


def extract_pending(engine: Engine, limit: int | None = None, item_ids: list[int] | None = None) -> ExtractSummary:
    """Extract candidates from every raw item in state ``new`` (or from those of ``item_ids``
    that are still new: an item another worker took meanwhile is left alone)."""
    summary = ExtractSummary()
    tagger_languages(None)  # a wrong TAWTHIQ_TAGGER stops the step here, before any item is read
    ids = pending_item_ids(engine, limit) if item_ids is None else item_ids
    for item_id in ids:
        if stop_requested():  # each item is its own transaction: stopping here loses nothing
            summary.stopped = stop_reason()
            break
        summary.items += 1
        # A new item is read with no transaction open (a long text must not hold the
        # database's write lock while documenters decide), then saved in one that finds it
        # still new and unchanged.
        early = _read_new_item(engine, item_id)
        with session_scope(engine) as session:
            # SKIP LOCKED on PostgreSQL: two runs never extract one item twice. SQLite's
            # BEGIN IMMEDIATE already serialises writers, and the state check does the rest.
            item = session.get(RawItem, item_id, with_for_update=None if engine.dialect.name == "sqlite" else {"skip_locked": True})
            if item is None or item.state != RAW_NEW:
                continue  # another run got there first
            label = item_label(session, item)
            # An item read before (a re-reading that failed, put back in line by `failed retry`)
            # is read again as `tawthiq reextract` reads it: never over a documenter's work.
            reread = item.attempts > 0 and has_extraction(session, item.id)
            if reread:
                lock_item_tasks(session, item.id)
                work = repo.documenter_work(session, item.id)
                if work is not None:
                    item.state, item.error, item.processed_at = RAW_EXTRACTED, None, utcnow()
                    repo.audit(session, None, "raw_item.reextract", "raw_item", item.id,
                               {"outcome": "kept", "why": work, "item": label})
                    continue
            if early is not None and not reread and early[0] == (item.content_sha256, item.attempts,
                                                                 repr((item.source.settings or {}).get("mapping"))):
                result, error = early[1], early[2]
            else:
                result, error = read_item(item, label)
            if result is not None:
                if reread:
                    apply_reading(session, item, result, label=label)
                else:
                    save_extraction(session, item, result)
                summary.extracted += 1
                summary.candidates += len(result.records)
                summary.incidents += len(result.incidents)
                if result.incidents and not result.records:
                    summary.unnamed_deaths += 1
            if error is not None:
                fail_item(item, error)
                summary.failed += 1
                summary.failures.append({"item": label, "source": item.source.name, "error": error})
    return summary


def _read_new_item(engine: Engine, item_id: int) -> tuple[tuple[str, int, str], Any, str | None] | None:
    """Read a new item (not one read before) outside any write transaction: ``((its content
    hash, attempts, source mapping), result, error)`` as :func:`read_item` gives them, or None when the item
    is not new or was read before (that one is read in its transaction, as `tawthiq
    reextract` reads it)."""
    from types import SimpleNamespace

    from tawthiq.db.engine import read_scope

    with read_scope(engine) as session:
        item = session.get(RawItem, item_id)
        if item is None or item.state != RAW_NEW or (item.attempts > 0 and has_extraction(session, item.id)):
            return None
        label = item_label(session, item)
        snapshot = SimpleNamespace(kind=item.kind, content=item.content, content_type=item.content_type,
                                   published_at=item.published_at,
                                   source=SimpleNamespace(settings=dict(item.source.settings or {})))
        key = (item.content_sha256, item.attempts, repr((item.source.settings or {}).get("mapping")))
    result, error = read_item(snapshot, label)  # type: ignore[arg-type]
    return key, result, error


def read_item(item: RawItem, label: str) -> tuple[Any, str | None]:
    """Run the item's extractor on its stored raw bytes: ``(result, None)``, or ``(None,
    error)`` with the message a failed item keeps (an extractor bug fails the item, not the
    run). The one reading of the extract step and of `tawthiq reextract`."""
    from tawthiq.extractors import extract_item

    mapping = (item.source.settings or {}).get("mapping")
    published = item.published_at.date() if item.published_at else None
    try:
        result = extract_item(
            item.kind, item.content, content_type=item.content_type,
            published=published, name=label, mapping=mapping,
        )
    except ItemError as exc:
        return None, str(exc)
    except Exception as exc:  # an extractor bug fails the item, not the run
        log.exception("extractor crashed on %s", label)
        return None, f"{label}: extractor error: {type(exc).__name__}: {exc}"
    if item.kind == "news" and result.language in tagger_languages(None):
        tagger = configured_tagger()
        if tagger is not None:
            from tawthiq.extractors.tagger import add_tagged

            try:
                add_tagged(result, tagger)
            except Exception:  # a tagger bug costs its extra names, never the rules' reading
                log.exception("the tagger failed on %s; its rules' reading is kept", label)
    return result, None


# --- the name tagger ------------------------------------------------------------------------

#: The model's file name beside a SQLite database (or in the working directory).
TAGGER_FILENAME = "tawthiq-tagger.crfsuite"
#: The languages the tagger reads (a model learns both scripts).
TAGGER_LANGUAGES = frozenset({"ar", "en"})
_tagger_cache = threading.local()


def tagger_model_path() -> Path:
    """Where the tagger's model lives: ``TAWTHIQ_TAGGER_MODEL``, else beside the SQLite
    database file (the model is learnt from that archive's decisions), else in the working
    directory, where the default database is."""
    if os.environ.get("TAWTHIQ_TAGGER_MODEL"):
        return Path(os.environ["TAWTHIQ_TAGGER_MODEL"])
    from sqlalchemy.engine import make_url

    from tawthiq.db.engine import get_database_url

    url = make_url(get_database_url())
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).parent / TAGGER_FILENAME
    return Path.cwd() / TAGGER_FILENAME


def tagger_languages(flag: bool | None) -> frozenset[str]:
    """The languages whose news items are given to the tagger, by `tawthiq extract` and by the
    extract step of the nightly run alike: all with ``flag`` True, none with False, else as
    ``TAWTHIQ_TAGGER`` says (``on``/``1``/``yes``: all; a list of languages such as ``en``
    or ``en,ar``: those), else none. The rules alone are the default; a language list is there
    because the tagger's measured gain differs by language (README: it adds recall on English
    texts it has not seen, and costs Arabic precision). A value that names no known language
    is refused (:class:`~tawthiq.errors.ConfigError`): the run stops before reading anything,
    rather than reading every item without the tagger it was asked for."""
    from tawthiq.errors import ConfigError

    if flag is not None:
        return TAGGER_LANGUAGES if flag else frozenset()
    value = os.environ.get("TAWTHIQ_TAGGER", "").strip().lower()
    if value in ("1", "on", "yes", "true"):
        return TAGGER_LANGUAGES
    if value in ("", "0", "off", "no", "false"):
        return frozenset()
    languages = frozenset(part.strip() for part in value.split(",") if part.strip())
    unknown = sorted(languages - TAGGER_LANGUAGES)
    if unknown:
        raise ConfigError(f"TAWTHIQ_TAGGER={value!r}: {', '.join(unknown)} is not a language the tagger reads "
                          f"(use on, off, or a list of {', '.join(sorted(TAGGER_LANGUAGES))})")
    return languages


def configured_tagger() -> Any:
    """The tagger model at :func:`tagger_model_path`, opened once per thread and again when the
    file changes (a model trained while the run goes on is used from then on); None, with a
    warning, when there is none or it cannot be read: the rules still read every item (the
    nightly run does not stop for a missing model; `tawthiq tagger status` says where it is
    looked for)."""
    from tawthiq.extractors.tagger import Tagger

    path = tagger_model_path()
    stamp: tuple[str, int | None]
    try:
        stamp = (str(path), path.stat().st_mtime_ns)
    except OSError:
        stamp = (str(path), None)
    cached = getattr(_tagger_cache, "entry", None)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    tagger = None
    try:
        tagger = Tagger(path)
    except (FileNotFoundError, ValueError) as exc:
        log.warning("TAWTHIQ_TAGGER is set but the tagger cannot be used, so the rules read alone: %s", exc)
    _tagger_cache.entry = (stamp, tagger)
    return tagger


def fail_item(item: RawItem, error: str) -> None:
    """An item that could not be read: ``failed``, with its error (what `failed list` shows)."""
    item.state = RAW_FAILED
    item.error = error
    item.attempts += 1
    item.processed_at = utcnow()


def item_label(session: Session, item: RawItem) -> str:
    """How an item is named in messages: ``source/external-id`` (plus the version if > 1)."""
    label = f"{item.source.name}/{item.external_id}"
    return f"{label} (version {item.version})" if item.version > 1 else label


def save_extraction(session: Session, item: RawItem, result: Any, reread: bool = False) -> list[Candidate]:
    """Write the candidates and incident reports of one item and move the item to
    ``extracted``, in one transaction. ``reread``: the item was read before (its earlier
    reading is retired by the caller and stays, superseded): the new rows are numbered after
    the old, the text is the new reading's (its reports' spans point into it), and an older
    version's rows are left as they are (retired when this item was first read)."""
    report_seq = _next_seq(session, IncidentReport, item.id) if reread else 0
    candidate_seq = _next_seq(session, Candidate, item.id) if reread else 0
    reports = []
    for seq, incident in enumerate(getattr(result, "incidents", None) or []):
        report = IncidentReport(
            raw_item_id=item.id, seq=report_seq + seq, **report_values(incident), extractor=result.extractor,
            extractor_version=result.extractor_version, state=REPORT_NEW,
        )
        session.add(report)
        reports.append(report)
    if reports:
        session.flush()
    candidates = []
    for seq, record in enumerate(result.records):
        candidate = Candidate(
            raw_item_id=item.id,
            seq=candidate_seq + seq,
            **candidate_values(record),
            extractor=result.extractor,
            extractor_version=result.extractor_version,
            state=CAND_NEW,
            incident_report_id=_report_of(record, reports),
        )
        session.add(candidate)
        candidates.append(candidate)
    if result.text is not None and (reread or item.text is None):
        item.text = result.text
    if result.title and not item.title:
        item.title = result.title[:2000]
    if result.language and not item.language:
        item.language = result.language
    if result.published and not item.published_at:
        item.published_at = dt.datetime.combine(result.published, dt.time(), dt.UTC)
    if result.canonical_url:
        item.meta = {**(item.meta or {}), "canonical_url": result.canonical_url}
    _mark_read(item, result)
    if item.supersedes_id and not reread:
        _retire_superseded(session, item.supersedes_id)
    session.flush()
    return candidates


def _mark_read(item: RawItem, result: Any) -> None:
    item.state = RAW_EXTRACTED
    item.error = None
    item.attempts += 1
    item.processed_at = utcnow()
    item.extractor = result.extractor
    item.extractor_version = result.extractor_version


def _next_seq(session: Session, model: type[Candidate] | type[IncidentReport], raw_item_id: int) -> int:
    last = session.scalar(select(func.max(model.seq)).where(model.raw_item_id == raw_item_id))
    return 0 if last is None else int(last) + 1  # a last seq of 0 is a seq


def report_values(incident: Any) -> dict[str, Any]:
    """The columns of an incident report that extraction fills, as :func:`save_extraction`
    writes them (a re-reading compares them with the stored ones)."""
    return {
        "date": incident.date, "governorate": incident.place.governorate, "locality": _clip(incident.place.locality, 200),
        "perpetrator": incident.perpetrator, "cause": incident.cause, "killed": incident.killed,
        "killed_min": incident.killed_min, "killed_max": incident.killed_max, "children_killed": incident.children_killed,
        "women_killed": incident.women_killed, "injured_min": incident.injured_min, "injured_max": incident.injured_max,
        "named_victims": incident.named_victims, "evidence": incident.evidence or "",
        "field_evidence": dict(incident.field_evidence), "notes": list(incident.notes),
        "spans": [list(span) for span in incident.spans],
    }


def candidate_values(record: Any) -> dict[str, Any]:
    """The columns of a candidate that extraction fills, as :func:`save_extraction` writes them."""
    return {
        "full_name": _clip(record.full_name, 500),
        "name_ar": _clip(record.name_ar, 500),
        "sex": record.sex,
        "age": record.age,
        "is_child": record.is_child,
        "date_of_death": record.date_of_death,
        "death_governorate": record.place_of_death.governorate,
        "death_locality": _clip(record.place_of_death.locality, 200),
        "origin_governorate": record.origin.governorate,
        "origin_locality": _clip(record.origin.locality, 200),
        "perpetrator": record.perpetrator,
        "cause": record.cause,
        "category": record.category,
        "evidence": record.evidence or "",
        "field_evidence": dict(record.field_evidence),
        "extra": _jsonable(record.extra),
        "confidence": float(record.confidence),
    }


def _report_of(record: Any, reports: list[IncidentReport]) -> int | None:
    if not reports:
        return None
    index = (record.extra or {}).get("incident", 0)
    return reports[index].id if isinstance(index, int) and 0 <= index < len(reports) else reports[0].id


def _retire_superseded(session: Session, raw_item_id: int) -> None:
    """Candidates of an older version that nobody decided on yet leave the queue; decided
    ones stay in the archive, and the new version's candidates will meet them in matching."""
    for candidate in session.scalars(select(Candidate).where(Candidate.raw_item_id == raw_item_id)):
        if candidate.state in (CAND_NEW, CAND_MATCHED, CAND_QUEUED):
            candidate.state = CAND_SUPERSEDED
            task = candidate.review_task
            if task is not None and task.state in (TASK_OPEN, TASK_DEFERRED):
                task.state = TASK_SUPERSEDED
                task.closed_at = utcnow()
    for report in session.scalars(select(IncidentReport).where(IncidentReport.raw_item_id == raw_item_id)):
        if report.state in (REPORT_NEW, REPORT_QUEUED):
            report.state = REPORT_SUPERSEDED
            if report.task is not None and report.task.state in (TASK_OPEN, TASK_DEFERRED):
                report.task.state = TASK_SUPERSEDED
                report.task.closed_at = utcnow()


def _clip(value: str | None, size: int) -> str | None:
    return value[:size] if value else value


def _jsonable(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value, default=str))


# --- re-extract -------------------------------------------------------------------------
#
# When extraction improves (a new EXTRACTOR_VERSION), the stored raw items are read again:
# an item's earlier reading (its candidates, incident reports and their tasks) is superseded,
# never deleted, and the new reading goes through matching and the queue like any other. An
# item a documenter has started on is never read again. Each item is one transaction whose
# writes include the item's new extractor version, so a re-run after a crash reads each item
# once; matching and queueing then work on row states as in the nightly flow.

#: How each re-read item ended: read again (its old reading superseded), the same reading
#: again (nothing changes but the version it was read with), kept because a documenter has
#: worked on it, or failed (the item is failed with the extract step's error; its old
#: candidates stay as they were).
REREAD, UNCHANGED, KEPT, FAILED = "reread", "unchanged", "kept", "failed"


@dataclass
class ReextractItem:
    id: int
    item: str
    source: str
    outcome: str = ""
    #: The extractor the item was read with ("news 1.1.0"; "unknown" before it was kept), and now.
    before: str = "unknown"
    after: str = ""
    #: Why it was kept (what the documenter did), or why it failed.
    detail: str | None = None
    superseded_candidates: int = 0
    superseded_reports: int = 0
    new_candidates: int = 0
    new_reports: int = 0


@dataclass
class ReextractSummary:
    dry_run: bool = False
    #: Items taken (read with an older extractor, or all with ``all_items``).
    selected: int = 0
    #: Extracted items left out because they were read with the current extractor already.
    current: int = 0
    reread: int = 0
    unchanged: int = 0
    kept: int = 0
    failed: int = 0
    candidates_superseded: int = 0
    reports_superseded: int = 0
    candidates_new: int = 0
    reports_new: int = 0
    #: Every item taken but those unchanged, as :class:`ReextractItem` dicts.
    items: list[dict[str, Any]] = field(default_factory=list)
    #: Items asked for by id that are not read again, and why.
    notes: list[str] = field(default_factory=list)
    match: dict[str, Any] | None = None
    queue: dict[str, Any] | None = None
    stopped: str | None = None


def version_key(version: str) -> tuple[tuple[int, str], ...]:
    """A version as a sortable key: ``"1.10.0"`` after ``"1.9.2"``."""
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in version.split("."))


def _reading(extractor: str | None, version: str | None) -> str:
    return f"{extractor} {version}" if extractor and version else "unknown"


def stored_readings(session: Session, item_ids: Iterable[int]) -> dict[int, set[tuple[str, str]]]:
    """The extractor and version of each item's current reading: those of its candidates and
    incident reports not superseded (a documenter's own candidates aside), and the one the item
    itself keeps (which also covers an item that gave neither)."""
    found: dict[int, set[tuple[str, str]]] = {}
    for chunk in chunked(item_ids):
        for model, superseded in ((Candidate, CAND_SUPERSEDED), (IncidentReport, REPORT_SUPERSEDED)):
            query = (select(model.raw_item_id, model.extractor, model.extractor_version)
                     .where(model.raw_item_id.in_(chunk), model.state != superseded, model.extractor != "documenter")
                     .group_by(model.raw_item_id, model.extractor, model.extractor_version))
            for item_id, extractor, version in session.execute(query):
                found.setdefault(item_id, set()).add((extractor, version))
        for item_id, own, own_version in session.execute(
                select(RawItem.id, RawItem.extractor, RawItem.extractor_version).where(RawItem.id.in_(chunk))):
            if own and own_version:
                found.setdefault(item_id, set()).add((own, own_version))
    return found


def oldest_reading(readings: set[tuple[str, str]]) -> tuple[str, str] | None:
    return min(readings, key=lambda r: version_key(r[1])) if readings else None


def is_stale(kind: str, readings: set[tuple[str, str]]) -> bool:
    """Whether an item of ``kind`` read as ``readings`` (:func:`stored_readings`) was read with
    an older version of its extractor than the current one (or another extractor, or one
    unknown)."""
    from tawthiq.extractors import extractor_for

    name, current = extractor_for(kind)
    if not readings:
        return True
    return any(extractor != name or version_key(version) < version_key(current) for extractor, version in readings)


def _replaced(session: Session, item: RawItem) -> RawItem | None:
    """A newer version of ``item`` that is (or will be) read in its place."""
    newer = aliased(RawItem)
    return session.scalar(select(newer).where(
        or_(newer.supersedes_id == item.id,
            and_(newer.source_id == item.source_id, newer.external_id == item.external_id, newer.version > item.version)),
        newer.state.in_((RAW_NEW, RAW_EXTRACTED))).order_by(newer.version.desc()).limit(1))


def reextract_selection(session: Session, all_items: bool = False, source: str | None = None,
                        item_ids: Iterable[int] | None = None) -> tuple[list[int], int, list[str]]:
    """The raw items to read again: extracted, not replaced by a newer version, read with an
    older extractor (any, with ``all_items``), of ``source`` and among ``item_ids`` when given.
    Returns their ids (oldest first), how many extracted items were current and left out, and
    a note for each item asked for by id that is not taken. An unknown source or id is refused."""
    from tawthiq.errors import ConfigError

    newer = aliased(RawItem)
    replaced = (select(newer.id).where(
        or_(newer.supersedes_id == RawItem.id,
            and_(newer.source_id == RawItem.source_id, newer.external_id == RawItem.external_id, newer.version > RawItem.version)),
        newer.state.in_((RAW_NEW, RAW_EXTRACTED))).exists())
    query = select(RawItem.id, RawItem.kind).where(RawItem.state == RAW_EXTRACTED, ~replaced).order_by(RawItem.id)
    notes: list[str] = []
    source_id = repo.get_source(session, source).id if source else None
    if source_id is not None:
        query = query.where(RawItem.source_id == source_id)
    wanted: list[int] | None = None
    if item_ids:
        wanted = sorted(set(item_ids))
        items = {item.id: item for chunk in chunked(wanted) for item in session.scalars(select(RawItem).where(RawItem.id.in_(chunk)))}
        missing = [i for i in wanted if i not in items]
        if missing:
            raise ConfigError(f"no raw item {', '.join(map(str, missing))}")
        for item_id in wanted:
            item = items[item_id]
            label = f"raw item {item_id} ({item_label(session, item)})"
            if source_id is not None and item.source_id != source_id:
                notes.append(f"{label}: not of source {source!r}")
            elif item.state != RAW_EXTRACTED:
                hint = "; `tawthiq failed retry` puts it back in line" if item.state == RAW_FAILED else ""
                notes.append(f"{label}: {item.state}, not extracted{hint}")
            elif (newest := _replaced(session, item)) is not None:
                notes.append(f"{label}: version {newest.version} (raw item {newest.id}) is read in its place")
        query = query.where(RawItem.id.in_(wanted))
    rows = [(item_id, kind) for item_id, kind in session.execute(query)]
    readings = stored_readings(session, [item_id for item_id, _ in rows])
    selected = [item_id for item_id, kind in rows if all_items or is_stale(kind, readings.get(item_id, set()))]
    if wanted is not None:
        from tawthiq.extractors import extractor_for

        taken = set(selected)
        for item_id, kind in rows:
            if item_id not in taken:
                name, version = extractor_for(kind)
                notes.append(f"raw item {item_id}: read with {name} {version} already (the current version); --all reads it again")
    return selected, len(rows) - len(selected), notes


def has_extraction(session: Session, raw_item_id: int) -> bool:
    """Whether extraction ever wrote a candidate or incident report of this item."""
    return any(session.scalar(select(model.id).where(model.raw_item_id == raw_item_id).limit(1)) is not None
               for model in (Candidate, IncidentReport))


def lock_item_tasks(session: Session, raw_item_id: int) -> None:
    """Hold the item's queue tasks for this transaction (PostgreSQL), so that a documenter's
    claim or decision either comes before and is seen, or after and finds them superseded.
    SQLite's BEGIN IMMEDIATE already serialises writers."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(select(ReviewTask.id).join(Candidate, Candidate.id == ReviewTask.candidate_id)
                    .where(Candidate.raw_item_id == raw_item_id).with_for_update(of=ReviewTask))
    session.execute(select(IncidentTask.id).join(IncidentReport, IncidentReport.id == IncidentTask.report_id)
                    .where(IncidentReport.raw_item_id == raw_item_id).with_for_update(of=IncidentTask))


def _current_rows(session: Session, raw_item_id: int) -> tuple[list[Candidate], list[IncidentReport]]:
    """The item's reading in force: its candidates and incident reports not superseded."""
    candidates = list(session.scalars(select(Candidate).where(Candidate.raw_item_id == raw_item_id,
                                                              Candidate.state != CAND_SUPERSEDED).order_by(Candidate.seq)))
    reports = list(session.scalars(select(IncidentReport).where(IncidentReport.raw_item_id == raw_item_id,
                                                                IncidentReport.state != REPORT_SUPERSEDED)
                                   .order_by(IncidentReport.seq)))
    return candidates, reports


def _same_reading(item: RawItem, result: Any, candidates: list[Candidate], reports: list[IncidentReport]) -> bool:
    """Whether ``result`` is the reading stored: the same candidates and incident reports, field
    by field and in order, each candidate in the same incident, and the same text."""
    if result.text is not None and result.text != item.text:
        return False
    if len(candidates) != len(result.records) or len(reports) != len(result.incidents):
        return False
    new_reports = [_jsonable({**report_values(i), "extractor": result.extractor}) for i in result.incidents]
    old_reports = [_jsonable({k: getattr(r, k) for k in new_reports[0]}) for r in reports] if new_reports else []
    if new_reports != old_reports:
        return False
    index = {r.id: n for n, r in enumerate(reports)}
    new_candidates = []
    for record in result.records:
        values = {**candidate_values(record), "extractor": result.extractor}
        incident = (record.extra or {}).get("incident", 0) if result.incidents else None
        values["incident"] = incident if isinstance(incident, int) and 0 <= incident < len(result.incidents) else (
            0 if result.incidents else None)
        new_candidates.append(_jsonable(values))
    old_candidates = []
    for candidate in candidates:  # as many as new ones, so there is a first new one
        values = {k: getattr(candidate, k) for k in new_candidates[0] if k != "incident"}
        values["incident"] = index.get(candidate.incident_report_id) if candidate.incident_report_id is not None else None
        old_candidates.append(_jsonable(values))
    return new_candidates == old_candidates


def apply_reading(session: Session, item: RawItem, result: Any, *, label: str, by: str | None = None,
                  dry_run: bool = False) -> ReextractItem:
    """Put a new reading of an item read before in place of the old one, which nobody has
    worked on (the caller checked, with the item's tasks held): the same reading again only
    records the version it was read with now (on the item and on its rows, which are what that
    version gives); another one supersedes the old candidates, incident reports and tasks
    (kept, with their history) and writes the new ones, state new, for matching and the queue.
    ``dry_run`` says what would be done and writes nothing."""
    old_candidates, old_reports = _current_rows(session, item.id)
    readings = stored_readings(session, [item.id]).get(item.id, set())
    out = ReextractItem(id=item.id, item=label, source=item.source.name, before=_reading(*(oldest_reading(readings) or (None, None))),
                        after=_reading(result.extractor, result.extractor_version))
    if _same_reading(item, result, old_candidates, old_reports):
        out.outcome = UNCHANGED
        reading = (result.extractor, result.extractor_version)
        rows: list[Candidate | IncidentReport] = [*old_candidates, *old_reports]
        stale = [row for row in rows if (row.extractor, row.extractor_version) != reading]
        if not dry_run and (stale or item.state != RAW_EXTRACTED or (item.extractor, item.extractor_version) != reading):
            # What the old version read is what this one reads: the rows stay (and their tasks
            # keep their place in the queue) and now say the version that read them last; the
            # audit entry keeps the one they said before.
            for row in stale:
                row.extractor_version = result.extractor_version
            _mark_read(item, result)
            repo.audit(session, None, "raw_item.reextract", "raw_item", item.id,
                       {"outcome": UNCHANGED, "item": label, "by": by, "before": out.before, "after": out.after})
        return out
    out.outcome = REREAD
    out.superseded_candidates = sum(1 for c in old_candidates if c.state in (CAND_NEW, CAND_MATCHED, CAND_QUEUED))
    out.superseded_reports = sum(1 for r in old_reports if r.state in (REPORT_NEW, REPORT_QUEUED))
    out.new_candidates, out.new_reports = len(result.records), len(result.incidents)
    if not dry_run:
        old_text = item.text
        _retire_superseded(session, item.id)
        new = save_extraction(session, item, result, reread=True)
        details: dict[str, Any] = {
            "outcome": REREAD, "item": label, "by": by, "before": out.before, "after": out.after,
            "superseded_candidates": [c.id for c in old_candidates], "superseded_reports": [r.id for r in old_reports],
            "new_candidates": [c.id for c in new],
            # The superseded rows' evidence and spans were read from the text the item had
            # until now: when the new reading's text differs, the old one is kept here (the
            # item keeps the new), for superseded_readings.
            "text_changed": item.text != old_text,
        }
        if item.text != old_text:
            details["text_before"] = old_text
        repo.audit(session, None, "raw_item.reextract", "raw_item", item.id, details)
    return out


#: How many times :func:`reextract_item` reads an item that changed while its extractor ran
#: before leaving it to the next run (each try reads what is stored then, afresh).
REEXTRACT_TRIES = 3


@dataclass
class _Read:
    """What the short read transaction of :func:`reextract_item` found: the item (detached,
    with what its extractor needs loaded), how it is named, the readings it holds, and the
    state a new reading may be applied over (:func:`_reading_state`)."""
    item: RawItem
    label: str
    readings: set[tuple[str, str]]
    state: tuple[Any, ...]


def _reading_state(session: Session, item: RawItem) -> tuple[Any, ...]:
    """What a reading of ``item`` is read from and what applying one replaces: the item's
    state, version, bytes, text, published date, source mapping and the reading it records
    (its attempts count each reading and failure), and every candidate and incident report of
    it with their state, version and task (state and claim). Equal before the extractor runs
    and after, nothing a new reading depends on or replaces changed meanwhile."""
    candidates = session.execute(
        select(Candidate.id, Candidate.state, Candidate.extractor, Candidate.extractor_version, ReviewTask.id,
               ReviewTask.state, ReviewTask.claimed_by_id)
        .outerjoin(ReviewTask, ReviewTask.candidate_id == Candidate.id)
        .where(Candidate.raw_item_id == item.id).order_by(Candidate.id)).all()
    reports = session.execute(
        select(IncidentReport.id, IncidentReport.state, IncidentReport.extractor_version, IncidentReport.incident_id,
               IncidentTask.id, IncidentTask.state, IncidentTask.claimed_by_id)
        .outerjoin(IncidentTask, IncidentTask.report_id == IncidentReport.id)
        .where(IncidentReport.raw_item_id == item.id).order_by(IncidentReport.id)).all()
    mapping = _jsonable((item.source.settings or {}).get("mapping"))
    return (item.state, item.version, item.content_sha256, item.text, item.published_at, item.attempts, item.extractor,
            item.extractor_version, mapping, tuple(map(tuple, candidates)), tuple(map(tuple, reports)))


def _outcome(item: RawItem, label: str, readings: set[tuple[str, str]], outcome: str, detail: str | None) -> ReextractItem:
    """A kept or failed item's line: the reading it holds and the one it would have had."""
    from tawthiq.extractors import extractor_for

    return ReextractItem(id=item.id, item=label, source=item.source.name, outcome=outcome, detail=detail,
                         before=_reading(*(oldest_reading(readings) or (None, None))), after=_reading(*extractor_for(item.kind)))


def _take_for_reading(engine: Engine, item_id: int, all_items: bool) -> _Read | ReextractItem | None:
    """The short read transaction before an item is read again: None when it is not to be
    read (gone, not extracted, or read with the current extractor already, by another run or
    by this one before a crash), KEPT when a documenter has started on it, else what the
    extractor needs and the state to find again before the new reading is applied."""
    from tawthiq.db.engine import read_scope

    with read_scope(engine) as session:
        item = session.get(RawItem, item_id)
        if item is None or item.state != RAW_EXTRACTED:
            return None
        readings = stored_readings(session, [item.id]).get(item.id, set())
        if not all_items and not is_stale(item.kind, readings):
            return None
        label = item_label(session, item)
        work = repo.documenter_work(session, item.id)
        if work is not None:
            return _outcome(item, label, readings, KEPT, work)
        # The extractor runs after this transaction ends, on the item detached: what it reads
        # (the bytes, the source's mapping) is loaded now.
        return _Read(item=item, label=label, readings=readings, state=_reading_state(session, item))


def reextract_item(engine: Engine, item_id: int, *, all_items: bool = False, dry_run: bool = False,
                   by: str | None = None) -> ReextractItem | None:
    """Read one extracted item again. None when it is no longer to be read (another run read
    it, or it changed state, meanwhile).

    The extractor (seconds on a long hostile text) runs with no transaction open, so that
    documenters' decisions and the nightly flow are not held behind it (on SQLite a write
    transaction is the database's one write lock). The item is checked in a short read
    transaction first; the new reading is then applied in one write transaction that locks the
    item and its tasks and finds again the state the extractor read from: a documenter who
    started on the item meanwhile keeps it (KEPT), and any other change (another run read or
    failed it, a new text, a task closed) reads the item again from what is stored now, so a
    run that lost a race never writes a stale reading. With ``dry_run`` both transactions
    only read and nothing is written."""
    from tawthiq.db.engine import read_scope

    for _ in range(REEXTRACT_TRIES):
        taken = _take_for_reading(engine, item_id, all_items)
        if not isinstance(taken, _Read):
            return taken
        result, error = read_item(taken.item, taken.label)
        scope = read_scope if dry_run else session_scope
        with scope(engine) as session:
            lock = None if dry_run or engine.dialect.name == "sqlite" else True
            item = session.get(RawItem, item_id, with_for_update=lock)
            if item is None or item.state != RAW_EXTRACTED:
                return None
            label, readings = taken.label, taken.readings
            if not dry_run:
                lock_item_tasks(session, item.id)
            work = repo.documenter_work(session, item.id)
            if work is not None:
                return _outcome(item, label, readings, KEPT, work)
            if _reading_state(session, item) != taken.state:
                continue  # changed while the extractor ran: read what is stored now
            if result is None:
                out = _outcome(item, label, readings, FAILED, error)
                if not dry_run:
                    fail_item(item, error or f"{label}: could not be read")
                    repo.audit(session, None, "raw_item.reextract", "raw_item", item.id,
                               {"outcome": FAILED, "item": label, "by": by, "error": error})
                return out
            lost = names_lost(session, item.id, result.records)
            if lost:
                # Nothing reported may vanish: a newer reading that no longer names someone the
                # old one did leaves the item as it is, for a documenter to read.
                return _outcome(item, label, readings, KEPT,
                                "the new reading no longer names " + ", ".join(lost) + "; left for a documenter")
            return apply_reading(session, item, result, label=label, by=by, dry_run=dry_run)
    log.warning("raw item %s changed each time it was read again; left for the next run", item_id)
    return None


def names_lost(session: Session, item_id: int, records: list[Any]) -> list[str]:
    """The names of an item's queued candidates (not superseded, not added by a documenter)
    that none of a new reading's ``records`` names: a new name with the same given name that
    holds the old one's last word ("Mohammed Khalid" is still named by "Mohammed Khalid
    al-Abdallah"), folded in its own script."""
    from tawthiq.lang.names import name_parts

    new = [name_parts(n).forms for r in records for n in (r.name_ar, r.full_name) if n]

    def named(forms: tuple[str, ...]) -> bool:
        return any(other and other[0] == forms[0] and forms[-1] in other for other in new)

    lost = []
    for full_name, name_ar in session.execute(
            select(Candidate.full_name, Candidate.name_ar).where(Candidate.raw_item_id == item_id, Candidate.state != "superseded",
                                                                Candidate.extractor != "documenter")).all():
        written = [n for n in (name_ar, full_name) if n]
        forms = [name_parts(w).forms for w in written]
        if written and not any(f and named(f) for f in forms):
            lost.append(written[0])
    return lost


@dataclass
class SupersededReading:
    """One reading of an item that a later reading of it replaced (`tawthiq reextract`, or a
    failed re-reading retried), as its audit entry names it: for the item page, which shows
    it apart from the reading in force and never as something to decide."""
    #: When it was replaced, and the extractor of the reading that replaced it ("news 1.4.0").
    at: dt.datetime
    replaced_by: str
    candidates: list[Candidate]
    reports: list[IncidentReport]
    #: The text its evidence and spans were read from (the item keeps the newest text only);
    #: None when it had none or, for a reading replaced before this was kept, ``text_known``
    #: False: then nothing of it may be highlighted in a text.
    text: str | None
    text_known: bool

    @property
    def extractors(self) -> list[str]:
        """The extractors and versions that read it (its rows keep theirs)."""
        rows: list[Candidate | IncidentReport] = [*self.candidates, *self.reports]
        return sorted({_reading(row.extractor, row.extractor_version) for row in rows})


def superseded_readings(session: Session, raw_item_id: int) -> list[SupersededReading]:
    """An item's readings replaced by a later reading of it, newest first, each with the text
    it was read from. A re-reading's audit entry keeps the text before it when its own text
    differs (``text_before``) and says when it did not (``text_changed``): so a reading's text
    is the one the next re-reading that changed the text kept, or the item's own when none
    did; an entry written before this was kept (no ``text_changed``) leaves the text of the
    readings up to it unknown."""
    item = session.get(RawItem, raw_item_id)
    if item is None:
        return []
    entries = [entry for entry in session.scalars(
        select(AuditLog).where(AuditLog.action == "raw_item.reextract", AuditLog.entity == "raw_item",
                               AuditLog.entity_id == str(raw_item_id)).order_by(AuditLog.id.desc()))
               if (entry.details or {}).get("outcome") == REREAD]
    wanted_candidates = {i for e in entries for i in e.details.get("superseded_candidates") or []}
    wanted_reports = {i for e in entries for i in e.details.get("superseded_reports") or []}
    candidates = {c.id: c for chunk in chunked(wanted_candidates)
                  for c in session.scalars(select(Candidate).where(Candidate.id.in_(chunk)))}
    reports = {r.id: r for chunk in chunked(wanted_reports)
               for r in session.scalars(select(IncidentReport).where(IncidentReport.id.in_(chunk)))}
    out = []
    known, text = True, item.text  # the text after the newest re-reading: the item's
    for entry in entries:  # newest first: each entry's text before is the text after the one before it
        details = entry.details
        if "text_changed" not in details:
            known, text = False, None
        elif details["text_changed"]:
            known, text = True, details.get("text_before")
        rows = ([candidates[i] for i in details.get("superseded_candidates") or [] if i in candidates],
                [reports[i] for i in details.get("superseded_reports") or [] if i in reports])
        if rows[0] or rows[1]:
            out.append(SupersededReading(at=entry.created_at, replaced_by=str(details.get("after") or ""),
                                         candidates=sorted(rows[0], key=lambda c: c.seq),
                                         reports=sorted(rows[1], key=lambda r: r.seq), text=text if known else None,
                                         text_known=known))
    return out


def reextract(engine: Engine, *, all_items: bool = False, source: str | None = None, item_ids: Iterable[int] | None = None,
              dry_run: bool = False, by: str | None = None) -> ReextractSummary:
    """Read again the stored raw items read with an older extractor (all with ``all_items``;
    of ``source``, among ``item_ids``), each as :func:`reextract_item`, then match and queue
    what is new as the nightly flow does. The other items go on when one fails; SIGTERM stops
    between two items (the next run goes on from there)."""
    summary = ReextractSummary(dry_run=dry_run)
    from tawthiq.db.engine import read_scope

    with read_scope(engine) as session:
        ids, summary.current, summary.notes = reextract_selection(session, all_items, source, item_ids)
    summary.selected = len(ids)
    for item_id in ids:
        if stop_requested():
            summary.stopped = stop_reason()
            break
        out = reextract_item(engine, item_id, all_items=all_items, dry_run=dry_run, by=by)
        if out is None:
            continue
        setattr(summary, out.outcome, getattr(summary, out.outcome) + 1)
        summary.candidates_superseded += out.superseded_candidates
        summary.reports_superseded += out.superseded_reports
        summary.candidates_new += out.new_candidates
        summary.reports_new += out.new_reports
        if out.outcome != UNCHANGED:
            summary.items.append(asdict(out))
    if not dry_run and summary.stopped is None:
        # Also what a run before a crash left new: matching and queueing work on row states.
        summary.match = asdict(match_pending(engine))
        summary.queue = asdict(queue_pending(engine))
    return summary


# --- match --------------------------------------------------------------------------------


def candidate_match_record(candidate: Candidate) -> Any:
    from tawthiq.dedupe import MatchRecord

    return MatchRecord(
        id=f"c:{candidate.id}", full_name=candidate.full_name, name_ar=candidate.name_ar,
        date_of_death=candidate.date_of_death, governorate=candidate.death_governorate,
        locality=candidate.death_locality, sex=candidate.sex, age=candidate.age,
    )


def victim_match_record(victim: Victim) -> Any:
    from tawthiq.dedupe import MatchRecord

    return MatchRecord(
        id=f"v:{victim.id}", full_name=victim.full_name, name_ar=victim.name_ar,
        date_of_death=victim.date_of_death, governorate=victim.death_governorate,
        locality=victim.death_locality, sex=victim.sex, age=victim.age,
    )


#: At most this many of the latest confirmations refine the matcher (they are read every run).
CONFIRMED_LIMIT = 5000


def confirmed_levels(session: Session) -> list[dict[str, str]]:
    """How the pairs documenters confirmed as one person compared, field by field: the stored
    levels of each link from a candidate to the victim a documenter decided it is ("same as"),
    latest first and not undone. The matcher learns from them what real matches look like in
    this archive."""
    rows = session.execute(
        select(MatchLink.levels)
        .join(Decision, (Decision.candidate_id == MatchLink.candidate_id) & (Decision.victim_id == MatchLink.victim_id))
        .where(Decision.action == "same_as", Decision.undone.is_(False))
        .order_by(Decision.id.desc())
        .limit(CONFIRMED_LIMIT)
    )
    return [dict(levels) for (levels,) in rows if levels]


def match_pending(engine: Engine) -> MatchSummary:
    """Link every new candidate to the other undecided candidates and to the archive, and
    compare every queued candidate again with the victims archived since it was scored (a
    report queued last week may be of someone archived yesterday).

    Scoring reads in a read-only transaction, which on SQLite holds no lock, so documenters'
    decisions are never queued behind the matcher. Writing the links and the candidates'
    state change is then one short transaction that takes only the candidates still new (a
    second run, or the review app, may have matched some meanwhile), so a crash leaves the
    candidates ``new`` and the next run does the whole step again.
    """
    from tawthiq.db.engine import read_scope
    from tawthiq.db.locks import lock_step
    from tawthiq.dedupe import METHOD_VERSION, ArchiveMatcher, cluster_pairs, dedupe_records

    summary = MatchSummary()
    with read_scope(engine) as session:
        newest = int(session.scalar(select(func.max(Victim.id))) or 0)
        new = list(session.scalars(select(Candidate).where(Candidate.state == CAND_NEW).order_by(Candidate.id)))
        stale = list(session.scalars(
            select(Candidate).join(ReviewTask, ReviewTask.candidate_id == Candidate.id)
            .where(Candidate.state == CAND_QUEUED, ReviewTask.state.in_((TASK_OPEN, TASK_DEFERRED)),
                   func.coalesce(Candidate.scored_through_victim_id, 0) < newest)
            .order_by(Candidate.id)))
        if not new and not stale:
            return summary
        pending = list(session.scalars(
            select(Candidate).where(Candidate.state.in_((CAND_NEW, CAND_MATCHED, CAND_QUEUED)))
        )) if new else []
        item_of = {c.id: c.raw_item_id for c in pending}
        new_ids = {c.id for c in new}
        through = {c.id: c.scored_through_victim_id or 0 for c in stale}
        confirmed = confirmed_levels(session)
        # Links from LINK_FLOOR up: a documenter should see "possibly the same person" too,
        # not only what the matcher is sure of.
        pairs = dedupe_records([candidate_match_record(c) for c in pending], threshold=LINK_FLOOR, confirmed=confirmed) \
            if new else []
        victims = list(session.scalars(select(Victim).where(Victim.status == "active")))
        archive_pairs = []
        if victims:
            matcher = ArchiveMatcher((victim_match_record(v) for v in victims), confirmed=confirmed)
            archive_pairs = matcher.match([candidate_match_record(c) for c in new + stale], threshold=LINK_FLOOR, top_k=5)
    with session_scope(engine) as session:
        # Two runs (or a run and the review app) writing at once would each link the same
        # new candidates; the second waits here and then finds them matched.
        lock_step(session)
        still_new = set(_still_new(session, new_ids))
        still_stale = set(_still_stale(session, set(through), newest))
        if not still_new and not still_stale:
            return summary
        existing = existing_links(session, new_ids | still_stale)
        kept = []
        for pair in pairs:
            a, b = int(pair.left_id[2:]), int(pair.right_id[2:])
            if pair.probability < LINK_FLOOR or (a not in still_new and b not in still_new):
                continue
            if item_of[a] == item_of[b]:
                continue  # one item's mentions were merged by extraction; two left are two people
            newer, older = max(a, b), min(a, b)
            if ("c", newer, older) in existing:
                continue
            session.add(MatchLink(candidate_id=newer, other_candidate_id=older, score=pair.probability,
                                  method_version=METHOD_VERSION, explanation=list(pair.explanation), levels=dict(pair.levels)))
            kept.append(pair)
            summary.candidate_links += 1
        best_new: dict[int, float] = {}
        for pair in archive_pairs:
            cid, vid = int(pair.left_id[2:]), int(pair.right_id[2:])
            if pair.probability < LINK_FLOOR or ("v", cid, vid) in existing:
                continue
            if cid in still_stale:
                if vid <= through[cid]:
                    continue  # compared when it was scored; the documenter has seen it
                best_new[cid] = max(pair.probability, best_new.get(cid, 0.0))
            elif cid not in still_new:
                continue
            session.add(MatchLink(candidate_id=cid, victim_id=vid, score=pair.probability, method_version=METHOD_VERSION,
                                  explanation=list(pair.explanation), levels=dict(pair.levels)))
            summary.archive_links += 1
        clustered = [sorted(int(x[2:]) for x in cluster) for cluster in cluster_pairs(kept)]
        rows = {c.id: c for c in _candidates(session, {cid for ids in clustered for cid in ids} | still_new | still_stale)}
        for ids in clustered:
            key = f"k{ids[0]}"
            for cid in ids:
                if cid in rows and (rows[cid].cluster_key is None or cid in still_new):
                    rows[cid].cluster_key = key
        summary.possible_duplicates = summary.candidate_links + summary.archive_links
        for cid in still_new:
            rows[cid].state = CAND_MATCHED
            rows[cid].scored_through_victim_id = newest
        for chunk in chunked(best_new):
            for task in session.scalars(select(ReviewTask).where(ReviewTask.candidate_id.in_(chunk))):
                task.has_match = True
                task.best_score = max(task.best_score or 0.0, best_new[task.candidate_id])
        for cid in still_stale:
            rows[cid].scored_through_victim_id = newest
        summary.candidates = len(still_new)
        summary.rescored = len(still_stale)
    return summary


def _still_stale(session: Session, ids: set[int], newest: int) -> list[int]:
    """Of ``ids``, the candidates still queued and not yet scored through victim ``newest``
    (a documenter's decision may have re-scored or decided one meanwhile)."""
    out: list[int] = []
    for chunk in chunked(ids):
        out += session.scalars(select(Candidate.id).where(
            Candidate.id.in_(chunk), Candidate.state == CAND_QUEUED,
            func.coalesce(Candidate.scored_through_victim_id, 0) < newest))
    return out


#: Ids per ``IN (...)`` list: a night's backlog is tens of thousands of candidates, more than
#: one statement should carry (SQLite caps a statement's parameters).
IN_CHUNK = 5000


def chunked(ids: Iterable[int]) -> Iterator[list[int]]:
    """``ids`` sorted, in lists of at most :data:`IN_CHUNK`, for ``column.in_(...)``."""
    ordered = sorted(ids)
    for start in range(0, len(ordered), IN_CHUNK):
        yield ordered[start:start + IN_CHUNK]


def _still_new(session: Session, ids: set[int]) -> list[int]:
    found: list[int] = []
    for chunk in chunked(ids):
        found += session.scalars(select(Candidate.id).where(Candidate.id.in_(chunk), Candidate.state == CAND_NEW))
    return found


def _candidates(session: Session, ids: set[int]) -> list[Candidate]:
    found: list[Candidate] = []
    for chunk in chunked(ids):
        found += session.scalars(select(Candidate).where(Candidate.id.in_(chunk)))
    return found


def existing_links(session: Session, candidate_ids: set[int]) -> set[tuple[str, int, int]]:
    """The links already stored for these candidates, as ``("c", candidate, other)`` and
    ``("v", candidate, victim)``: writing a link that exists is a no-op, so a step re-run on
    candidates it had linked (a crash between two commits, a second run) doubles nothing."""
    found: set[tuple[str, int, int]] = set()
    for chunk in chunked(candidate_ids):
        for cid, other, victim in session.execute(
            select(MatchLink.candidate_id, MatchLink.other_candidate_id, MatchLink.victim_id)
            .where(MatchLink.candidate_id.in_(chunk))
        ):
            if other is not None:
                found.add(("c", cid, other))
            if victim is not None:
                found.add(("v", cid, victim))
    return found


# --- queue --------------------------------------------------------------------------------


def queue_pending(engine: Engine) -> QueueSummary:
    """Put every matched candidate and every new incident report in the review queue, once."""
    from tawthiq.db.locks import lock_step

    summary = QueueSummary()
    with session_scope(engine) as session:
        lock_step(session)
        matched = list(session.scalars(select(Candidate).where(Candidate.state == CAND_MATCHED).order_by(Candidate.id)))
        # A night's backlog can be tens of thousands of candidates: read their best scores and
        # existing tasks in a few queries, not two per candidate.
        best: dict[int, float] = {}
        queued: set[int] = set()
        for chunk in chunked(c.id for c in matched):
            for column in (MatchLink.candidate_id, MatchLink.other_candidate_id):
                for cid, score in session.execute(
                        select(column, func.max(MatchLink.score)).where(column.in_(chunk)).group_by(column)):
                    if cid is not None:  # other_candidate_id is nullable (a link to a victim); IN never matches NULL
                        best[cid] = max(score, best.get(cid, score))
            queued.update(session.scalars(select(ReviewTask.candidate_id).where(ReviewTask.candidate_id.in_(chunk))))
        for candidate in matched:
            if candidate.id not in queued:
                best_score = best.get(candidate.id)
                session.add(ReviewTask(candidate_id=candidate.id, state=TASK_OPEN,
                                       has_match=best_score is not None, best_score=best_score))
                summary.queued += 1
            candidate.state = CAND_QUEUED
        for report in session.scalars(select(IncidentReport).where(IncidentReport.state == REPORT_NEW).order_by(IncidentReport.id)):
            if report.task is None:
                session.add(IncidentTask(report_id=report.id, state=TASK_OPEN))
                summary.incidents_queued += 1
            report.state = REPORT_QUEUED
        session.flush()
        summary.queue_open = repo.status_counts(session)["queue_open"]
    return summary


def summaries_as_dict(*parts: Any) -> dict[str, Any]:
    return {type(p).__name__: asdict(p) for p in parts}
