"""The nightly flow: intake → extract → match → queue, each a Prefect task over row states.

Tasks hold no business logic: each calls one step of :mod:`tawthiq.pipeline`, which reads the
rows the previous step left in a given state. A failed or killed run is finished by running
the flow again. Results are persisted and cached per flow run (``RUN_ID``), so *retrying* a
failed run (``tawthiq rerun``, or Retry in Prefect's UI) skips the tasks it already finished,
while every new run does its work afresh.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Any, cast
from uuid import UUID
from collections.abc import Iterator

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import INPUTS, NO_CACHE, RUN_ID, TASK_SOURCE
from prefect.futures import PrefectFuture
from prefect.states import Failed
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from tawthiq import pipeline
from tawthiq.db.engine import get_database_url, get_engine
from tawthiq.errors import TawthiqError

#: How many raw items one extraction task takes; batches run in parallel under Dask.
EXTRACT_BATCH = int(os.environ.get("TAWTHIQ_EXTRACT_BATCH", "200"))
#: How many tasks of one run work at once. Each holds a database connection while it works, so
#: this stays well under the pool (5 + 10 overflow): a backlog of hundreds of batches then
#: queues here instead of exhausting the pool and failing every night.
TASK_WORKERS = max(1, int(os.environ.get("TAWTHIQ_TASK_WORKERS", "4")))
#: Seconds a run waits for another run on the same database to finish before it skips.
LOCK_WAIT = float(os.environ.get("TAWTHIQ_LOCK_WAIT", "0"))
#: Per-run cache: a retried run reuses what its finished tasks returned.
PER_RUN = RUN_ID + TASK_SOURCE + INPUTS


def _thread_pool() -> TaskRunner[PrefectFuture[Any]]:
    """A flow's task runner: TASK_WORKERS threads. Typed the way ``@flow`` takes it: a task
    runner's future type is invariant, so Prefect casts its own default the same way."""
    return cast(TaskRunner[PrefectFuture[Any]], ThreadPoolTaskRunner(max_workers=TASK_WORKERS))


def _engine(database_url: str | None):  # type: ignore[no-untyped-def]
    return get_engine(get_database_url(database_url))


class SourceFailed(TawthiqError):
    """A source could not be pulled this time; ``summary`` is what the pull did till then.
    Raised by the task so that it ends Failed: visible in Prefect, not cached, and pulled
    again by ``tawthiq rerun`` once the cause is fixed."""

    def __init__(self, summary: dict[str, Any]) -> None:
        super().__init__(summary["error"])
        self.summary = summary

    def __reduce__(self) -> tuple[Any, ...]:  # results are persisted: keep it picklable
        return (SourceFailed, (self.summary,))


class RunFailed(TawthiqError):
    """The run did all it could, but some sources failed: the run ends Failed (a non-zero
    exit, an alert) and ``summary`` is the whole run's summary."""

    def __init__(self, message: str, summary: dict[str, Any]) -> None:
        super().__init__(message)
        self.summary = summary

    def __reduce__(self) -> tuple[Any, ...]:
        return (RunFailed, (str(self), self.summary))


def _retry_crash_only(task: Any, task_run: Any, state: Any) -> bool:
    """Retry a task that crashed, not a source that answered with an error (the connectors
    already retried it with backoff)."""
    try:
        state.result()
    except SourceFailed:
        return False
    except Exception:
        return True
    return True


@task(name="fetch-source", retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=10),
      retry_jitter_factor=0.5, retry_condition_fn=_retry_crash_only, cache_policy=PER_RUN, persist_result=True,
      tags=["network"])
def fetch_source(name: str, database_url: str | None = None, full: bool = False) -> dict[str, Any]:
    """Pull one source into ``raw_items``. Connectors retry HTTP themselves (backoff, jitter,
    Retry-After); this task-level retry covers a crash of the task itself. A failing source
    raises :class:`SourceFailed` carrying its summary."""
    summary = pipeline.pull_source(_engine(database_url), name, full)
    if summary.error:
        get_run_logger().warning("source %s failed: %s", name, summary.error)
        # Raised, not returned as a Failed state: Prefect caches a returned state's data, and
        # a re-run would then replay this error instead of pulling the source again.
        raise SourceFailed(pipeline.asdict(summary))
    return pipeline.asdict(summary)


def pulled_summaries(futures: list[Any]) -> list[dict[str, Any]]:
    """Each source's summary, whether its task completed or failed."""
    rows = []
    for future in futures:
        try:
            rows.append(future.result())
        except SourceFailed as exc:
            rows.append(exc.summary)
    return rows


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
def match_candidates(database_url: str | None = None, extracted: dict[str, Any] | None = None) -> dict[str, Any]:
    """Match what is new. ``extracted`` (what extraction did this run) is part of the cache
    key only: a retried run whose extraction found new items matches again, one whose
    extraction did the same as before reuses this step's result."""
    return pipeline.asdict(pipeline.match_pending(_engine(database_url)))


@task(name="queue-candidates", cache_policy=PER_RUN, persist_result=True)
def queue_candidates(database_url: str | None = None, matched: dict[str, Any] | None = None) -> dict[str, Any]:
    """Queue what was matched; ``matched`` keys the cache as ``extracted`` does for matching."""
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
    payload: dict[str, Any] = {"text": message, "flow_run_id": str(flow_run.id), "state": state.name}
    try:
        error = state.result(raise_on_failure=False)
    except Exception:
        error = None
    if isinstance(error, RunFailed) and "extract" in error.summary:
        payload["text"] = message + "\n\n" + summary_markdown(error.summary)
        payload["failing_sources"] = [s["source"] for s in error.summary["sources"] if s["error"]]
    post_webhook(payload)


def failing_message(pulled: list[dict[str, Any]]) -> str:
    failing = [s for s in pulled if s["error"]]
    return f"{len(failing)} of {len(pulled)} sources failed: " + "; ".join(s["error"] for s in failing)


@contextmanager
def run_lock(database_url: str | None, flow_name: str) -> Iterator[str | None]:
    """Hold this database's run lock for the block; yields ``None`` when held, else the
    description of the run that holds it (this run then does nothing)."""
    from prefect.runtime import flow_run

    from tawthiq.db.locks import acquire_run_lock, run_lock_holder

    engine = _engine(database_url)
    tag_run(database_url)
    lock = acquire_run_lock(engine, f"tawthiq {flow_name} run {flow_run.get_name() or ''} {flow_run.get_id() or ''}".strip(),
                            wait=LOCK_WAIT)
    if lock is None:
        yield run_lock_holder(engine) or "another tawthiq run"
        return
    try:
        yield None
    finally:
        lock.release()


def stop_on_sigterm() -> None:
    """What a first SIGTERM does, in a run or in the command around it: ask every step to
    stop between two items, and say so."""
    from tawthiq.sources import http

    http.request_stop("the process received SIGTERM")
    # os.write, not print: a handler writing through Python's buffered stream while the main
    # thread writes to it raises "reentrant call".
    os.write(2, b"stopping after the current item (SIGTERM; send it again to stop at once)\n")


@contextmanager
def graceful_sigterm() -> Iterator[None]:
    """While a run works, the first SIGTERM asks every step to stop between two items (each
    item is its own transaction, so nothing is left half-done and the next run goes on from
    there) and the run ends with a summary; a second SIGTERM goes to the handler that was
    there before (Prefect's, which ends the run as crashed at once).

    Prefect's flow engine installs a handler that raises in the main thread at once; the
    worker threads then go on pulling (a trickling host can hold one for minutes) while the
    main thread waits for them, so the process ignores SIGTERM in effect. This one replaces
    it for the run."""
    import signal
    import threading

    from tawthiq.sources import http

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)

    def handle(signum: int, frame: Any) -> None:
        if http.STOP.is_set() and callable(previous):
            signal.signal(signal.SIGTERM, previous)
            previous(signum, frame)
            return
        stop_on_sigterm()

    signal.signal(signal.SIGTERM, handle)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def stopped_run(summary: dict[str, Any]) -> Any:
    """The state of a run stopped by SIGTERM between two items: Cancelled, with its summary
    (what was stored stays stored; the next run goes on from there)."""
    from prefect.states import Cancelled

    return Cancelled(message=f"stopped: {summary['stopped']}; the next run goes on from here", data=summary)


def failed_run(error: RunFailed) -> Any:
    """The Failed state of a run that did everything else but had failing sources (returned
    rather than raised: one line in the logs, not a traceback)."""
    return Failed(message=str(error), data=error)


def tag_run(database_url: str | None) -> None:
    """Tag this flow run with its database (:func:`tawthiq.ops.database_tag`), however it was
    started (the CLI, a deployment, Prefect's UI), so that ``tawthiq runs`` and ``rerun`` on
    one database never show or touch the runs of another."""
    from prefect import get_client
    from prefect.runtime import flow_run

    from tawthiq.ops import database_tag

    run_id = flow_run.get_id()
    if not run_id:
        return
    flow_run_id = UUID(run_id)
    tag = database_tag(database_url)
    with get_client(sync_client=True) as client:
        tags = list(client.read_flow_run(flow_run_id).tags or [])
        if tag not in tags:
            client.update_flow_run(flow_run_id, tags=tags + [tag])


def skipped(holder: str) -> Any:
    """The state of a run that found another run on its database: Completed, named Skipped."""
    from prefect.states import Completed

    message = f"skipped: another run is working on this database: {holder}"
    get_run_logger().warning(message)
    return Completed(name="Skipped", message=message, data={"skipped": message})


@flow(name="pull", log_prints=True, on_failure=[notify_failure], task_runner=_thread_pool())
def pull_flow(sources: list[str] | None = None, database_url: str | None = None, full: bool = False) -> Any:
    """Intake only: every enabled source, or the named ones; ``full`` re-reads everything.
    Fails (after pulling the others) when a source fails."""
    with graceful_sigterm(), run_lock(database_url, "pull") as holder:
        if holder:
            return skipped(holder)
        pulled = pulled_summaries([fetch_source.submit(name, database_url, full) for name in source_names(database_url, sources)])
    if pipeline.stop_requested():
        return stopped_run({"sources": pulled, "stopped": pipeline.stop_reason()})
    if any(s["error"] for s in pulled):
        return failed_run(RunFailed(failing_message(pulled), {"sources": pulled}))
    return pulled


@flow(name="nightly", log_prints=True, on_failure=[notify_failure], task_runner=_thread_pool())
def nightly(sources: list[str] | None = None, database_url: str | None = None) -> Any:
    """The whole nightly path once: pull every source, extract, match, queue, summarise. A
    second run on the same database meanwhile skips (or waits ``TAWTHIQ_LOCK_WAIT`` s); a run
    in which a source failed does everything else, then ends Failed."""
    with graceful_sigterm(), run_lock(database_url, "nightly") as holder:
        if holder:
            return skipped(holder)
        summary = nightly_steps(sources, database_url)
    if summary.get("stopped"):
        return stopped_run(summary)
    if any(s["error"] for s in summary["sources"]):
        return failed_run(RunFailed(failing_message(summary["sources"]), summary))
    return summary


def nightly_steps(sources: list[str] | None, database_url: str | None) -> dict[str, Any]:
    names = source_names(database_url, sources)
    pulled = pulled_summaries([fetch_source.submit(name, database_url) for name in names])
    if pipeline.stop_requested():  # SIGTERM: what was stored stays stored; the next run goes on
        empty = pipeline.asdict(pipeline.ExtractSummary(stopped=pipeline.stop_reason()))
        return {"sources": pulled, "extract": empty, "match": pipeline.asdict(pipeline.MatchSummary()),
                "queue": pipeline.asdict(pipeline.QueueSummary()), "stopped": pipeline.stop_reason()}
    batches = list_pending_items(database_url)
    extracted = merge_extract([f.result() for f in extract_items.map(batches, database_url=database_url)]) if batches \
        else pipeline.asdict(pipeline.ExtractSummary())
    for row in pulled:  # a source's failures include its items that failed extraction
        row["failed"] += sum(1 for f in extracted["failures"] if f.get("source") == row["source"])
    if extracted.get("stopped"):
        return {"sources": pulled, "extract": extracted, "match": pipeline.asdict(pipeline.MatchSummary()),
                "queue": pipeline.asdict(pipeline.QueueSummary()), "stopped": extracted["stopped"]}
    matched = match_candidates(database_url, extracted)
    queued = queue_candidates(database_url, matched)
    summary = {"sources": pulled, "extract": extracted, "match": matched, "queue": queued}
    publish_summary(summary)
    return summary


def merge_extract(parts: list[dict[str, Any]]) -> dict[str, Any]:
    total = pipeline.asdict(pipeline.ExtractSummary())
    for part in parts:
        for key in ("items", "extracted", "failed", "candidates", "incidents", "unnamed_deaths"):
            total[key] += part.get(key, 0)
        total["failures"] += part["failures"]
        total["stopped"] = total.get("stopped") or part.get("stopped")
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
              f"- possible duplicates: {ma['possible_duplicates']} ({ma['candidate_links']} between candidates, {ma['archive_links']} with the archive; {ma.get('rescored', 0)} queued reports compared again with newly archived victims)",
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
