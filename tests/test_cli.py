"""The `tawthiq` command: every command documented, errors one clear line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tawthiq.cli import cli, main

from .test_pipeline import write_inbox

COMMANDS = ["init", "demo", "sources", "pull", "nightly", "retry-failed", "serve", "runs", "rerun",
            "extract", "dedupe", "status", "users", "review", "report", "xlsform"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tawthiq.cli", *args], capture_output=True, text=True, timeout=300)


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert f"  {command} " in result.output
    for command in COMMANDS:
        sub = CliRunner().invoke(cli, [command, "--help"])
        assert sub.exit_code == 0 and "Usage:" in sub.output


def test_init_status_and_sources(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TAWTHIQ_DATABASE_URL", raising=False)
    from tawthiq.db.engine import get_engine

    get_engine.cache_clear()
    runner = CliRunner()
    result = runner.invoke(cli, ["status"], standalone_mode=False, catch_exceptions=True)
    assert "not set up; run `tawthiq init` first" in str(result.exception)
    assert runner.invoke(cli, ["init"]).exit_code == 0
    assert (tmp_path / "tawthiq.db").exists()
    result = runner.invoke(cli, ["status", "--json"])
    assert json.loads(result.output) == {"raw_items": 0, "raw_failed": 0, "candidates": 0, "queue_open": 0,
                                         "queue_incidents": 0, "victims": 0, "incidents": 0}
    inbox = write_inbox(tmp_path / "inbox")
    assert runner.invoke(cli, ["sources", "add", "folder", "inbox", "--path", str(inbox)]).exit_code == 0
    listed = runner.invoke(cli, ["sources", "list"])
    assert "inbox" in listed.output and "folder" in listed.output and "never" in listed.output
    get_engine.cache_clear()


def test_errors_are_one_line_without_traceback(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TAWTHIQ_DATABASE_URL", raising=False)
    from tawthiq.db.engine import get_engine

    get_engine.cache_clear()
    main(["init"])
    with pytest.raises(SystemExit) as exit_info:
        main(["sources", "add", "folder", "x"])
    assert exit_info.value.code != 0
    with pytest.raises(SystemExit):
        main(["rerun", "not-a-uuid"])
    err = capsys.readouterr().err
    assert "error: 'not-a-uuid' is not a flow run id" in err and "Traceback" not in err
    get_engine.cache_clear()


def test_extract_prints_contract_lines(tmp_path) -> None:
    inbox = write_inbox(tmp_path / "inbox")
    result = CliRunner().invoke(cli, ["extract", str(inbox / "good.json")])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output.strip())
    assert list(record) == ["full_name", "name_ar", "sex", "age", "is_child", "date_of_death", "place_of_death",
                            "origin", "perpetrator", "cause", "category", "evidence"]
    assert record["full_name"] == "Mohammad Khaled al-Abdullah" and record["age"] == 34
    assert record["place_of_death"] == {"governorate": "Idlib", "locality": "Sarmin"}
    news = CliRunner().invoke(cli, ["extract", str(inbox / "news.txt")])
    lines = [json.loads(line) for line in news.output.strip().splitlines()]
    assert [line["full_name"] for line in lines if "full_name" in line] == ["Mohammed Khalid al-Abdallah"]
    incident = lines[-1]
    assert incident["record"] == "incident" and incident["victims"] == [0] and incident["killed"] >= 1
    only = CliRunner().invoke(cli, ["extract", "--victims-only", str(inbox / "news.txt")])
    assert [json.loads(line)["full_name"] for line in only.output.strip().splitlines()] == ["Mohammed Khalid al-Abdallah"]


def test_extract_prints_an_incident_for_an_item_that_names_nobody(tmp_path) -> None:
    item = tmp_path / "landmine.txt"
    item.write_text("Published: 2024-05-04\n\nThree civilians, including two women, were killed by the explosion of a "
                    "landmine near Tafas town in Daraa governorate on Friday. Four others were injured.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(item)])
    assert result.exit_code == 0, result.output
    (incident,) = [json.loads(line) for line in result.output.strip().splitlines()]
    assert incident["record"] == "incident" and incident["victims"] == []
    assert (incident["killed"], incident["killed_min"], incident["killed_max"], incident["women_killed"]) == (3, 3, 3, 2)
    assert (incident["injured_min"], incident["cause"], incident["date"]) == (4, "landmine", "2024-05-03")
    assert incident["place"]["governorate"] == "Daraa"


def test_extract_bad_file_is_one_clear_line(tmp_path) -> None:
    bad = tmp_path / "truncated.json"
    bad.write_text('{"victim_name": "Omar", "age": ')
    result = run("extract", str(bad))
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: ") and "not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_summary_names_items_failed_at_intake_and_at_extraction(capsys) -> None:
    from tawthiq.cli import _print_summary

    _print_summary({
        "sources": [{"source": "partners", "fetched": 2, "new": 2, "unchanged": 0, "failed": 2, "error": None,
                     "failures": ["list.csv row 3: 1 fields where the header has 2"]}],
        "extract": {"extracted": 1, "failed": 1, "candidates": 1,
                    "failures": [{"error": "partners/trunc.json: not valid JSON", "source": "partners"}]},
        "match": {"possible_duplicates": 0}, "queue": {"queue_open": 1, "queued": 1},
    })
    out = capsys.readouterr().out
    assert "  failed: list.csv row 3: 1 fields where the header has 2" in out
    assert "  failed: partners/trunc.json: not valid JSON" in out
