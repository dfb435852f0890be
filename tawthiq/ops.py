"""Operating the nightly run: schedule it, list runs, retry a failed one, notify on failure.

These talk to the Prefect API (the local ephemeral one by default, or ``PREFECT_API_URL``), so
what ``tawthiq runs`` shows is what Prefect's UI shows.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass
from typing import Any
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


def nightly_deployment(cron: str = DEFAULT_CRON, timezone: str | None = None) -> Any:
    """The nightly flow as a deployment with its cron schedule (what ``serve`` runs)."""
    from tawthiq.flows.nightly import nightly

    return nightly.to_deployment(
        name=DEPLOYMENT_NAME, schedules=[nightly_schedule(cron, timezone)],
        description="tawthiq's nightly intake: pull, extract, match, queue", tags=["tawthiq"],
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


def list_runs(limit: int = 20) -> list[RunInfo]:
    """Recent runs of tawthiq's flows, newest first, with their summary artifact's counts."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName, FlowRunFilter
    from prefect.client.schemas.sorting import FlowRunSort

    import anyio

    async def _list() -> list[RunInfo]:
        async with get_client() as client:
            runs = await client.read_flow_runs(
                flow_filter=FlowFilter(name=FlowFilterName(any_=list(FLOW_NAMES))),
                sort=FlowRunSort.START_TIME_DESC, limit=limit,
            )
            flows: dict[Any, str] = {}
            out = []
            for run in runs:
                if run.flow_id not in flows:
                    flows[run.flow_id] = (await client.read_flow(run.flow_id)).name
                out.append(RunInfo(
                    id=str(run.id), name=run.name, flow=flows.get(run.flow_id, "?"),
                    state=run.state.name if run.state else "?",
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


def rerun(run_id: str) -> dict[str, Any]:
    """Retry a finished (usually failed) run in this process, as the same flow run: tasks it
    already finished are skipped (their results are cached per run), the rest run again."""
    from prefect import get_client
    from prefect.flow_engine import run_flow
    from prefect.states import AwaitingRetry

    import anyio

    from tawthiq.flows.nightly import nightly, pull_flow

    try:
        uuid = UUID(run_id)
    except ValueError as exc:
        raise ConfigError(f"{run_id!r} is not a flow run id (see `tawthiq runs`)") from exc

    async def _prepare() -> Any:
        async with get_client() as client:
            try:
                run = await client.read_flow_run(uuid)
            except Exception as exc:
                raise ConfigError(f"no flow run {run_id} in the Prefect API") from exc
            flow = await client.read_flow(run.flow_id)
            if flow.name not in FLOW_NAMES:
                raise ConfigError(f"flow run {run_id} is a run of {flow.name!r}, not of tawthiq's flows")
            if run.state and run.state.is_running():
                raise ConfigError(f"flow run {run_id} is still running")
            await client.set_flow_run_state(run.id, AwaitingRetry(), force=True)
            return await client.read_flow_run(uuid), flow.name

    run, flow_name = anyio.run(_prepare)
    flow = nightly if flow_name == "nightly" else pull_flow
    return run_flow(flow, flow_run=run, parameters=run.parameters)
