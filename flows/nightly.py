"""The nightly flow: intake → extract → match → queue, each a Prefect task over row states.

Tasks hold no business logic: each calls one step of :mod:`tawthiq.pipeline`, which reads the
rows the previous step left in a given state. A failed or killed run is finished by running
the flow again. Results are persisted and cached per flow run (``RUN_ID``), so *retrying* a
failed run (``tawthiq rerun``, or Retry in Prefect's UI) skips the tasks it already finished,
while every new run does its work afresh.
"""

from __future__ import annotations

import os
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import INPUTS, NO_CACHE, RUN_ID, TASK_SOURCE
from prefect.tasks import exponential_backoff

from tawthiq import pipeline
from tawthiq.db.engine import get_database_url, get_engine

#: How many raw items one extraction task takes; batches run in parallel under Dask.
EXTRACT_BATCH = int(os.environ.get("TAWTHIQ_EXTRACT_BATCH", "200"))
#: Per-run cache: a retried run reuses what its finished tasks returned.
PER_RUN = RUN_ID + TASK_SOURCE + INPUTS


def _engine(database_url: str | None):  # type: ignore[no-untyped-def]
    return get_engine(get_database_url(database_url))


@task(name="fetch-source", retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=10),
      retry_jitter_factor=0.5, cache_policy=PER_RUN, persist_result=True,
      tags=["network"])
def fetch_source(name: str, database_url: str | None = None, full: bool = False) -> dict[str, Any]:
    """Pull one source into ``raw_items``. Connectors retry HTTP themselves (backoff, jitter,
    Retry-After); this task-level retry covers a crash of the task itself."""
    summary = pipeline.pull_source(_engine(database_url), name, full)
    if summary.error:
        get_run_logger().warning("source %s failed: %s", name, summary.error)
    return pipeline.asdict(summary)


@task(name="list-pending-items", cache_policy=NO_CACHE)
def list_pending_items(database_url: str | None = None) -> list[list[int]]:
    ids = pipeline.pending_item_ids(_engine(database_url))
    return [ids[i:i + EXTRACT_BATCH] for i in range(0, len(ids), EXTRACT_BATCH)]


@task(name="extract-items", cache_policy=PER_RUN, persist_result=True)
def extract_items(item_ids: list[int], database_url: str | None = None) -> dict[str, Any]:
    """Extract candidates from a batch of raw items (each item in its own transaction)."""
    summary = pipeline.extract_pending(_engine(database_url), item_ids=item_ids)
    logger = get_run_logger()
    for failure in summary.failures:
        logger.warning("item failed: %s", failure["error"])
    return pipeline.asdict(summary)


@task(name="match-candidates", cache_policy=PER_RUN, persist_result=True)
def match_candidates(database_url: str | None = None) -> dict[str, Any]:
    return pipeline.asdict(pipeline.match_pending(_engine(database_url)))


@task(name="queue-candidates", cache_policy=PER_RUN, persist_result=True)
def queue_candidates(database_url: str | None = None) -> dict[str, Any]:
    return pipeline.asdict(pipeline.queue_pending(_engine(database_url)))


def source_names(database_url: str | None, names: list[str] | None) -> list[str]:
    from tawthiq.db import repo
    from tawthiq.db.engine import session_scope

    with session_scope(_engine(database_url)) as session:
        if names:
            return [repo.get_source(session, n).name for n in names]
        return [s.name for s in repo.list_sources(session) if s.enabled]


def notify_failure(flow: Any, flow_run: Any, state: Any) -> None:
    """``on_failure`` hook: say clearly what failed and, when ``TAWTHIQ_WEBHOOK_URL`` is
    set, post it there (a chat channel or an incident tool) so nobody finds out at noon."""
    from tawthiq.ops import post_webhook

    message = f"tawthiq flow run {flow_run.name} ({flow_run.id}) of '{flow.name}' failed: {state.message}"
    try:
        get_run_logger().error(message)
    except Exception:  # no run context in some hook invocations
        import logging

        logging.getLogger("tawthiq.flows").error(message)
    post_webhook({"text": message, "flow_run_id": str(flow_run.id), "state": state.name})


@flow(name="pull", log_prints=True, on_failure=[notify_failure])
def pull_flow(sources: list[str] | None = None, database_url: str | None = None, full: bool = False) -> list[dict[str, Any]]:
    """Intake only: every enabled source, or the named ones; ``full`` re-reads everything."""
    futures = [fetch_source.submit(name, database_url, full) for name in source_names(database_url, sources)]
    return [f.result() for f in futures]


@flow(name="nightly", log_prints=True, on_failure=[notify_failure])
def nightly(sources: list[str] | None = None, database_url: str | None = None) -> dict[str, Any]:
    """The whole nightly path once: pull every source, extract, match, queue, summarise."""
    names = source_names(database_url, sources)
    pulled = [f.result() for f in [fetch_source.submit(name, database_url) for name in names]]
    batches = list_pending_items(database_url)
    extracted = merge_extract([f.result() for f in extract_items.map(batches, database_url=database_url)]) if batches \
        else pipeline.asdict(pipeline.ExtractSummary())
    for row in pulled:  # a source's failures include its items that failed extraction
        row["failed"] += sum(1 for f in extracted["failures"] if f.get("source") == row["source"])
    matched = match_candidates(database_url)
    queued = queue_candidates(database_url)
    summary = {"sources": pulled, "extract": extracted, "match": matched, "queue": queued}
    publish_summary(summary)
    failing = [s for s in pulled if s["error"]]
    if failing:
        from tawthiq.ops import post_webhook

        post_webhook({"text": summary_markdown(summary), "failing_sources": [s["source"] for s in failing]})
    return summary


def merge_extract(parts: list[dict[str, Any]]) -> dict[str, Any]:
    total = pipeline.asdict(pipeline.ExtractSummary())
    for part in parts:
        for key in ("items", "extracted", "failed", "candidates", "incidents", "unnamed_deaths"):
            total[key] += part.get(key, 0)
        total["failures"] += part["failures"]
    return total


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
              f"- queued for review: {qu['queued']} (queue now: {qu['queue_open']})",
              f"- incident reports queued: {qu.get('incidents_queued', 0)} ({ex.get('unnamed_deaths', 0)} from items that name nobody)"]
    failed = [f for s in summary["sources"] for f in s.get("failures", [])] + [f["error"] for f in ex["failures"]]
    if failed:
        lines += ["", "## Failed items", ""] + [f"- {error}" for error in failed]
    return "\n".join(lines)


def publish_summary(summary: dict[str, Any]) -> None:
    create_markdown_artifact(markdown=summary_markdown(summary), key="nightly-summary",
                             description="What the nightly run took in, extracted, matched and queued")
    rows = [{k: s[k] for k in ("source", "fetched", "new", "unchanged", "failed", "error")} for s in summary["sources"]]
    rows.append({"source": "(all)", "fetched": sum(r["fetched"] for r in rows), "new": sum(r["new"] for r in rows),
                 "unchanged": sum(r["unchanged"] for r in rows), "failed": summary["extract"]["failed"],
                 "error": f"{summary['extract']['candidates']} candidates, {summary['match']['possible_duplicates']} possible duplicates, queue {summary['queue']['queue_open']}"})
    create_table_artifact(table=rows, key="nightly-sources", description="Per source: fetched / new / unchanged / failed")


def with_dask(flow_fn: Any, address: str | None) -> Any:
    """The flow with its tasks on a Dask cluster: ``address`` of a running scheduler
    (``tcp://host:8786``), or ``"local"`` for a ``LocalCluster`` on this machine. Extraction
    batches then run in parallel across the workers; matching stays one task because it
    compares every pending candidate with every other. Needs the ``dask`` extra."""
    if not address:
        return flow_fn
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError as exc:
        from tawthiq.errors import ConfigError

        raise ConfigError("running on Dask needs prefect-dask: pip install 'tawthiq[dask]'") from exc
    if address == "local":
        runner = DaskTaskRunner(cluster_kwargs={"n_workers": 2, "threads_per_worker": 1, "processes": True})
    else:
        runner = DaskTaskRunner(address=address)
    return flow_fn.with_options(task_runner=runner)
