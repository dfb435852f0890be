"""The nightly flow: intake → extract → match → queue, each a Prefect task over row states.

Tasks hold no business logic: each calls one step of :mod:`tawthiq.pipeline`, which reads the
rows the previous step left in a given state. A failed or killed run is finished by running
the flow again; a retried run finds nothing left to do in the steps it already finished.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from tawthiq import pipeline
from tawthiq.db.engine import get_database_url, get_engine


def _engine(database_url: str | None):  # type: ignore[no-untyped-def]
    return get_engine(get_database_url(database_url))


@task(name="fetch-source", retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=10),
      retry_jitter_factor=0.5, cache_policy=NO_CACHE, tags=["network"])
def fetch_source(name: str, database_url: str | None = None) -> dict[str, Any]:
    """Pull one source into ``raw_items`` (connectors do their own HTTP retries; this retry
    covers a crash of the task itself)."""
    summary = pipeline.pull_source(_engine(database_url), name)
    if summary.error:
        get_run_logger().warning("source %s failed: %s", name, summary.error)
    return pipeline.asdict(summary)


@task(name="extract-items", cache_policy=NO_CACHE)
def extract_items(database_url: str | None = None) -> dict[str, Any]:
    summary = pipeline.extract_pending(_engine(database_url))
    logger = get_run_logger()
    for failure in summary.failures:
        logger.warning("item failed: %s", failure["error"])
    return pipeline.asdict(summary)


@task(name="match-candidates", cache_policy=NO_CACHE)
def match_candidates(database_url: str | None = None) -> dict[str, Any]:
    return pipeline.asdict(pipeline.match_pending(_engine(database_url)))


@task(name="queue-candidates", cache_policy=NO_CACHE)
def queue_candidates(database_url: str | None = None) -> dict[str, Any]:
    return pipeline.asdict(pipeline.queue_pending(_engine(database_url)))


def source_names(database_url: str | None, names: list[str] | None) -> list[str]:
    from tawthiq.db import repo
    from tawthiq.db.engine import session_scope

    with session_scope(_engine(database_url)) as session:
        if names:
            return [repo.get_source(session, n).name for n in names]
        return [s.name for s in repo.list_sources(session) if s.enabled]


@flow(name="pull", log_prints=True)
def pull_flow(sources: list[str] | None = None, database_url: str | None = None) -> list[dict[str, Any]]:
    """Intake only: every enabled source, or the named ones."""
    return [fetch_source(name, database_url) for name in source_names(database_url, sources)]


@flow(name="nightly", log_prints=True)
def nightly(sources: list[str] | None = None, database_url: str | None = None) -> dict[str, Any]:
    """The whole nightly path once: pull every source, extract, match, queue, summarise."""
    pulled = [fetch_source(name, database_url) for name in source_names(database_url, sources)]
    extracted = extract_items(database_url)
    matched = match_candidates(database_url)
    queued = queue_candidates(database_url)
    summary = {"sources": pulled, "extract": extracted, "match": matched, "queue": queued}
    publish_summary(summary)
    return summary


def summary_markdown(summary: dict[str, Any]) -> str:
    """The run summary as markdown, for the Prefect artifact and for a webhook."""
    lines = ["# tawthiq nightly run", "", "| source | fetched | new | unchanged | failed | error |",
             "|---|---:|---:|---:|---:|---|"]
    for s in summary["sources"]:
        lines.append(f"| {s['source']} | {s['fetched']} | {s['new']} | {s['unchanged']} | {s['failed']} | {s['error'] or ''} |")
    ex, ma, qu = summary["extract"], summary["match"], summary["queue"]
    lines += ["", f"- items extracted: {ex['extracted']} (failed: {ex['failed']})",
              f"- candidates extracted: {ex['candidates']}",
              f"- possible duplicates: {ma['possible_duplicates']} ({ma['candidate_links']} between candidates, {ma['archive_links']} with the archive)",
              f"- queued for review: {qu['queued']} (queue now: {qu['queue_open']})"]
    if ex["failures"]:
        lines += ["", "## Failed items", ""] + [f"- {f['error']}" for f in ex["failures"]]
    return "\n".join(lines)


def publish_summary(summary: dict[str, Any]) -> None:
    create_markdown_artifact(markdown=summary_markdown(summary), key="nightly-summary",
                             description="What the nightly run took in, extracted, matched and queued")
    create_table_artifact(
        table=[{k: s[k] for k in ("source", "fetched", "new", "unchanged", "failed", "error")} for s in summary["sources"]]
        or [{"source": "(none)", "fetched": 0, "new": 0, "unchanged": 0, "failed": 0, "error": None}],
        key="nightly-sources", description="Per source: fetched / new / unchanged / failed",
    )
