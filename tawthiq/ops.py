"""Operating the nightly run: schedule it, list runs, retry a failed one, notify on failure.

These talk to the Prefect API (the local ephemeral one by default, or ``PREFECT_API_URL``), so
what ``tawthiq runs`` shows is what Prefect's UI shows.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from collections.abc import Iterator
from uuid import UUID

from tawthiq.errors import ConfigError

log = logging.getLogger("tawthiq.ops")

DEFAULT_CRON = "0 2 * * *"
DEFAULT_TIMEZONE = "Asia/Damascus"
DEPLOYMENT_NAME = "tawthiq-nightly"
FLOW_NAMES = ("nightly", "pull")


def post_webhook(payload: dict[str, Any], url: str | None = None, timeout: float = 10.0) -> bool:
    """POST ``payload`` as JSON to ``TAWTHIQ_WEBHOOK_URL`` if set; never raises (a failing
    notification must not turn into a second failure), returns whether it was delivered."""
    url = url or os.environ.get("TAWTHIQ_WEBHOOK_URL")
    if not url:
        return False
    import requests

    try:
        response = requests.post(url, json=payload, timeout=timeout)
        response.raise_for_status()
        return True
    except requests.RequestException as exc:
        log.error("could not post the failure notice to the webhook: %s", exc)
        return False


def nightly_schedule(cron: str = DEFAULT_CRON, timezone: str | None = None) -> Any:
    from prefect.schedules import Cron

    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    timezone = timezone or os.environ.get("TAWTHIQ_TIMEZONE") or DEFAULT_TIMEZONE
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {timezone!r} (use an IANA name such as Asia/Damascus or UTC)") from exc
    try:
        return Cron(cron, timezone=timezone)
    except ValueError as exc:
        raise ConfigError(f"not a valid cron expression: {cron!r} (e.g. '0 2 * * *' for 02:00 every day)") from exc


def database_tag(url: str | None = None) -> str:
    """The tag that marks a flow run as working on this database (``db:`` and 12 hex digits
    of its URL without the password). Every tawthiq database shares Prefect's one API and its
    history; ``runs``, ``rerun`` and the stale-run check look only at runs with this tag."""
    import hashlib

    from sqlalchemy.engine import make_url

    from tawthiq.db.engine import get_database_url

    rendered = make_url(get_database_url(url)).render_as_string(hide_password=True)
    return "db:" + hashlib.sha256(rendered.encode("utf-8")).hexdigest()[:12]


@contextmanager
def flow_context() -> Iterator[None]:
    """Where a ``tawthiq`` command runs flows: a working Prefect API (started here if none is
    configured; see :mod:`tawthiq.prefect_api`), runs tagged ``tawthiq``. (Each run tags itself
    with its database: :func:`tawthiq.flows.nightly.tag_run`.)"""
    from prefect import tags

    from tawthiq.prefect_api import local_api

    with local_api(), tags("tawthiq"):
        yield


def nightly_deployment(cron: str = DEFAULT_CRON, timezone: str | None = None) -> Any:
    """The nightly flow as a deployment with its cron schedule (what ``serve`` runs)."""
    from tawthiq.flows.nightly import nightly

    return nightly.to_deployment(
        name=DEPLOYMENT_NAME, schedules=[nightly_schedule(cron, timezone)],
        description="tawthiq's nightly intake: pull, extract, match, queue", tags=["tawthiq", database_tag()],
    )


def serve(cron: str = DEFAULT_CRON, timezone: str | None = None) -> None:
    """Run the nightly flow on its schedule until stopped (Prefect's ``serve``)."""
    from prefect import serve as prefect_serve

    prefect_serve(nightly_deployment(cron, timezone))


@dataclass
class RunInfo:
    id: str
    name: str
    flow: str
    state: str
    start: dt.datetime | None
    duration: float | None
    message: str | None
    summary: str | None


#: A run Prefect shows as Running for longer than this while no process holds the database's
#: run lock has died (killed, machine restarted): it is marked Crashed so it can be re-run.
STALE_AFTER = dt.timedelta(minutes=2)


def _run_filter() -> Any:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags

    return FlowRunFilter(tags=FlowRunFilterTags(all_=[database_tag()]))


def mark_stale_runs() -> list[str]:
    """Mark Crashed the runs of this database that Prefect shows as Running or Pending but
    that no live process is running (nobody holds the run lock); returns their ids."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName, FlowRunFilterState, FlowRunFilterStateType
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.states import Crashed

    import anyio

    from tawthiq.db.engine import get_engine
    from tawthiq.db.locks import run_lock_holder

    if run_lock_holder(get_engine()) is not None:
        return []  # a run is alive on this database; what Prefect shows as running may be it

    async def _mark() -> list[str]:
        marked = []
        async with get_client() as client:
            run_filter = _run_filter()
            run_filter.state = FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.RUNNING, StateType.PENDING]))
            runs = await client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=list(FLOW_NAMES))),
                                               flow_run_filter=run_filter, sort=FlowRunSort.ID_DESC, limit=200)
            now = dt.datetime.now(dt.UTC)
            for run in runs:
                since = run.start_time or run.expected_start_time or run.created
                if since is not None and now - since < STALE_AFTER:
                    continue  # may be starting up and about to take the lock
                await client.set_flow_run_state(run.id, Crashed(
                    message="the process running it stopped without finishing (killed or the machine restarted); "
                            "marked crashed by tawthiq, re-run it with `tawthiq rerun`"), force=True)
                marked.append(str(run.id))
        return marked

    return anyio.run(_mark)


def list_runs(limit: int = 20) -> list[RunInfo]:
    """Recent runs of tawthiq's flows on this database, newest first, with their summary
    artifact's counts. Runs left Running by a dead process are marked Crashed first."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName
    from prefect.client.schemas.sorting import FlowRunSort

    import anyio

    mark_stale_runs()

    async def _list() -> list[RunInfo]:
        async with get_client() as client:
            runs = await client.read_flow_runs(
                flow_filter=FlowFilter(name=FlowFilterName(any_=list(FLOW_NAMES))), flow_run_filter=_run_filter(),
                sort=FlowRunSort.START_TIME_DESC, limit=limit,
            )
            flows: dict[Any, str] = {}
            out = []
            for run in runs:
                if run.flow_id not in flows:
                    flows[run.flow_id] = (await client.read_flow(run.flow_id)).name
                out.append(RunInfo(
                    id=str(run.id), name=run.name, flow=flows.get(run.flow_id, "?"),
                    state=run.state.name if run.state and run.state.name else "?",
                    start=run.start_time, duration=run.total_run_time.total_seconds() if run.total_run_time else None,
                    message=run.state.message if run.state and run.state.is_failed() else None,
                    summary=await _summary(client, run.id),
                ))
            return out

    return anyio.run(_list)


async def _summary(client: Any, flow_run_id: UUID) -> str | None:
    """The counts line of a run's ``nightly-sources`` table artifact, if it has one."""
    # Posted directly: this client version sends explicit nulls for the filters it is not
    # given, which the server rejects, and an empty task-run filter would exclude artifacts
    # created by the flow itself.
    response = await client._client.post("/artifacts/filter", json={
        "artifacts": {"flow_run_id": {"any_": [str(flow_run_id)]}, "key": {"any_": ["nightly-sources"]}},
        "limit": 5, "sort": "CREATED_DESC",
    })
    for artifact in response.json():
        data = artifact.get("data")
        rows = json.loads(data) if isinstance(data, str) else (data or [])
        rows = [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []
        total = next((row for row in rows if row.get("source") == "(all)"), None)
        if total is None:
            continue
        line = f"{total['new']} new items, {total['failed']} failed; {total['error']}"
        failing = [f"{row['source']}: {row['error']}" for row in rows if row.get("source") != "(all)" and row.get("error")]
        if failing:
            line += "\n    failing sources:\n      " + "\n      ".join(failing)
        return line
    return None


def rerun(run_id: str) -> Any:
    """Retry a finished (usually failed or crashed) run of this database in this process, as
    the same flow run: tasks it finished are skipped (their results are cached per run), the
    rest (a failed source's pull, say) run again. Returns the run's final state."""
    from prefect import get_client
    from prefect.flow_engine import run_flow
    from prefect.states import AwaitingRetry

    import anyio

    from tawthiq.flows.nightly import nightly, pull_flow

    try:
        uuid = UUID(run_id)
    except ValueError as exc:
        raise ConfigError(f"{run_id!r} is not a flow run id (see `tawthiq runs`)") from exc

    mark_stale_runs()

    async def _prepare() -> Any:
        async with get_client() as client:
            try:
                run = await client.read_flow_run(uuid)
            except Exception as exc:
                raise ConfigError(f"no flow run {run_id} in the Prefect API") from exc
            flow = await client.read_flow(run.flow_id)
            if flow.name not in FLOW_NAMES:
                raise ConfigError(f"flow run {run_id} is a run of {flow.name!r}, not of tawthiq's flows")
            if database_tag() not in (run.tags or []):
                raise ConfigError(f"flow run {run_id} worked on another database (its tags: {', '.join(run.tags) or 'none'}); "
                                  "run `tawthiq rerun` where TAWTHIQ_DATABASE_URL names that database")
            if run.state and (run.state.is_running() or run.state.is_pending()):
                raise ConfigError(f"flow run {run_id} is still running")
            await client.set_flow_run_state(run.id, AwaitingRetry(), force=True)
            return await client.read_flow_run(uuid), flow.name

    run, flow_name = anyio.run(_prepare)
    flow = nightly if flow_name == "nightly" else pull_flow
    return run_flow(flow, flow_run=run, parameters=run.parameters, return_type="state")
