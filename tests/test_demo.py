"""`tawthiq demo` in a temporary directory, twice."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tawthiq.cli import cli


def test_demo_fills_the_queue_and_running_twice_doubles_nothing(prefect_harness, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TAWTHIQ_DATABASE_URL", "sqlite:////nonexistent/elsewhere.db")  # the demo must ignore it
    target = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "tawthiq.db").exists() and (target / "inbox" / "news").is_dir()
    assert "items taken in:        19 new" in result.output
    assert "waiting for review:" in result.output and "tawthiq review" in result.output
    assert "6 incident reports to read (2 of them name nobody)" in result.output
    monkeypatch.chdir(target)
    monkeypatch.delenv("TAWTHIQ_DATABASE_URL")
    from tawthiq.db.engine import get_engine

    get_engine.cache_clear()
    first = json.loads(CliRunner().invoke(cli, ["status", "--json"]).output)
    assert first["raw_items"] == 19 and first["raw_failed"] == 0
    assert first["candidates"] >= 20 and first["queue_open"] == first["candidates"]
    assert first["queue_incidents"] == 6  # every news sample reports a death, two of them without a name
    again = CliRunner().invoke(cli, ["demo", str(target)])
    assert again.exit_code == 0 and "0 new, 19 already known" in again.output
    get_engine.cache_clear()
    assert json.loads(CliRunner().invoke(cli, ["status", "--json"]).output) == first
    get_engine.cache_clear()
