"""The nightly flow end to end under Prefect, once per session harness."""

from __future__ import annotations

import pytest
from prefect.client.orchestration import get_client

from tawthiq.flows.nightly import nightly, summary_markdown
from tawthiq.ops import list_runs

from .test_pipeline import add_folder, counts, write_inbox


@pytest.fixture
def inbox(engine, tmp_path):  # type: ignore[no-untyped-def]
    add_folder(engine, write_inbox(tmp_path / "inbox"))
    return engine


def test_nightly_flow_end_to_end_and_rerun_changes_nothing(prefect_harness, inbox, database_url) -> None:
    summary = nightly()
    assert summary["sources"][0]["new"] == 5
    assert summary["extract"]["extracted"] == 2 and summary["extract"]["failed"] == 3
    assert summary["queue"]["queue_open"] == 2
    first = counts(inbox)
    again = nightly()
    assert again["sources"][0]["new"] == 0 and again["sources"][0]["unchanged"] == 5
    assert again["extract"]["items"] == 0
    assert counts(inbox) == first
    markdown = summary_markdown(summary)
    assert "| inbox | 5 | 5 | 0 | 3 |" in markdown and "not valid JSON" in markdown
    runs = list_runs(5)
    assert runs[0].flow == "nightly" and runs[0].state == "Completed"
    assert runs[0].summary and "0 new items" in runs[0].summary


def test_serve_registers_the_nightly_cron(prefect_harness) -> None:
    import anyio

    from tawthiq.ops import nightly_deployment

    deployment = nightly_deployment("0 2 * * *", "Asia/Damascus")
    deployment_id = deployment.apply()

    async def read():  # type: ignore[no-untyped-def]
        async with get_client() as client:
            return await client.read_deployment(deployment_id)

    stored = anyio.run(read)
    assert stored.name == "tawthiq-nightly"
    assert [(s.schedule.cron, s.schedule.timezone) for s in stored.schedules] == [("0 2 * * *", "Asia/Damascus")]
