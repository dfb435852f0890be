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
  reports a death reaches a documenter even when it names nobody.

The Prefect flows in ``flows/`` call these functions as tasks; the logic lives here.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import asdict, dataclass, field
from typing import Any
from collections.abc import Iterable, Iterator

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

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
    from tawthiq.extractors import extract_item

    summary = ExtractSummary()
    ids = pending_item_ids(engine, limit) if item_ids is None else item_ids
    for item_id in ids:
        if stop_requested():  # each item is its own transaction: stopping here loses nothing
            summary.stopped = stop_reason()
            break
        summary.items += 1
        with session_scope(engine) as session:
            # SKIP LOCKED on PostgreSQL: two runs never extract one item twice. SQLite's
            # BEGIN IMMEDIATE already serialises writers, and the state check does the rest.
            item = session.get(RawItem, item_id, with_for_update=None if engine.dialect.name == "sqlite" else {"skip_locked": True})
            if item is None or item.state != RAW_NEW:
                continue  # another run got there first
            label = item_label(session, item)
            mapping = (item.source.settings or {}).get("mapping")
            published = item.published_at.date() if item.published_at else None
            error: str | None
            try:
                result = extract_item(
                    item.kind, item.content, content_type=item.content_type,
                    published=published, name=label, mapping=mapping,
                )
            except ItemError as exc:
                error = str(exc)
            except Exception as exc:  # an extractor bug fails the item, not the run
                log.exception("extractor crashed on %s", label)
                error = f"{label}: extractor error: {type(exc).__name__}: {exc}"
            else:
                error = None
                save_extraction(session, item, result)
                summary.extracted += 1
                summary.candidates += len(result.records)
                summary.incidents += len(result.incidents)
                if result.incidents and not result.records:
                    summary.unnamed_deaths += 1
            if error is not None:
                item.state = RAW_FAILED
                item.error = error
                item.attempts += 1
                item.processed_at = utcnow()
                summary.failed += 1
                summary.failures.append({"item": label, "source": item.source.name, "error": error})
    return summary


def item_label(session: Session, item: RawItem) -> str:
    """How an item is named in messages: ``source/external-id`` (plus the version if > 1)."""
    label = f"{item.source.name}/{item.external_id}"
    return f"{label} (version {item.version})" if item.version > 1 else label


def save_extraction(session: Session, item: RawItem, result: Any) -> list[Candidate]:
    """Write the candidates and incident reports of one item and move the item to
    ``extracted``, in one transaction."""
    reports = []
    for seq, incident in enumerate(getattr(result, "incidents", None) or []):
        report = IncidentReport(
            raw_item_id=item.id, seq=seq, date=incident.date, governorate=incident.place.governorate,
            locality=_clip(incident.place.locality, 200), perpetrator=incident.perpetrator, cause=incident.cause,
            killed=incident.killed, killed_min=incident.killed_min, killed_max=incident.killed_max,
            children_killed=incident.children_killed, women_killed=incident.women_killed,
            injured_min=incident.injured_min, injured_max=incident.injured_max, named_victims=incident.named_victims,
            evidence=incident.evidence or "", field_evidence=dict(incident.field_evidence), notes=list(incident.notes),
            spans=[list(span) for span in incident.spans], extractor=result.extractor,
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
            seq=seq,
            full_name=_clip(record.full_name, 500),
            name_ar=_clip(record.name_ar, 500),
            sex=record.sex,
            age=record.age,
            is_child=record.is_child,
            date_of_death=record.date_of_death,
            death_governorate=record.place_of_death.governorate,
            death_locality=_clip(record.place_of_death.locality, 200),
            origin_governorate=record.origin.governorate,
            origin_locality=_clip(record.origin.locality, 200),
            perpetrator=record.perpetrator,
            cause=record.cause,
            category=record.category,
            evidence=record.evidence or "",
            field_evidence=dict(record.field_evidence),
            extra=_jsonable(record.extra),
            confidence=float(record.confidence),
            extractor=result.extractor,
            extractor_version=result.extractor_version,
            state=CAND_NEW,
            incident_report_id=_report_of(record, reports),
        )
        session.add(candidate)
        candidates.append(candidate)
    if result.text is not None and item.text is None:
        item.text = result.text
    if result.title and not item.title:
        item.title = result.title[:2000]
    if result.language and not item.language:
        item.language = result.language
    if result.published and not item.published_at:
        item.published_at = dt.datetime.combine(result.published, dt.time(), dt.UTC)
    if result.canonical_url:
        item.meta = {**(item.meta or {}), "canonical_url": result.canonical_url}
    item.state = RAW_EXTRACTED
    item.error = None
    item.attempts += 1
    item.processed_at = utcnow()
    if item.supersedes_id:
        _retire_superseded(session, item.supersedes_id)
    session.flush()
    return candidates


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
