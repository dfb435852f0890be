"""The `tawthiq` command: every command documented, errors one clear line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tawthiq.cli import cli, main

from .test_pipeline import write_inbox

COMMANDS = ["init", "demo", "sources", "pull", "nightly", "retry-failed", "failed", "serve", "runs", "rerun",
            "extract", "dedupe", "status", "users", "review", "report", "xlsform", "tagger", "reextract"]


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


# --- failed items: superseded, listed, dismissed, retried -------------------------------------


def _raw(engine, external_id: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from tawthiq.db.engine import session_scope
    from tawthiq.db.models import RawItem

    with session_scope(engine) as session:
        return list(session.scalars(select(RawItem).where(RawItem.external_id == external_id).order_by(RawItem.version)))


def _audit(engine, action: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from tawthiq.db.engine import session_scope
    from tawthiq.db.models import AuditLog

    with session_scope(engine) as session:
        return list(session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


def _status(runner: CliRunner) -> dict[str, int]:
    result = runner.invoke(cli, ["status", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_fixed_file_retires_its_failed_version_and_the_rest_can_be_dismissed(engine, tmp_path) -> None:
    import getpass

    from tawthiq import pipeline

    inbox = write_inbox(tmp_path / "inbox")
    runner = CliRunner()
    assert runner.invoke(cli, ["sources", "add", "folder", "inbox", "--path", str(inbox)]).exit_code == 0
    pipeline.pull(engine)  # what `tawthiq pull` and `tawthiq nightly` run, without Prefect
    pipeline.extract_pending(engine)
    assert _status(runner)["raw_failed"] == 3
    status = runner.invoke(cli, ["status"]).output
    assert "tawthiq failed list" in status and "tawthiq failed dismiss ID" in status and "not valid JSON" in status

    (inbox / "truncated.json").write_text('{"victim_name": "Omar Said", "age": "4"}', encoding="utf-8")
    pipeline.pull(engine)
    pipeline.extract_pending(engine)
    first, second = _raw(engine, "truncated.json")
    assert (first.state, second.state, second.version) == ("superseded", "extracted", 2)
    assert first.error.startswith(f"superseded by version 2 (raw item {second.id}); it had failed: inbox/truncated.json: not valid JSON")
    assert first.content == b'{"victim_name": "Omar", "age": "4'  # kept raw
    assert [a.entity_id for a in _audit(engine, "raw_item.superseded")] == [str(first.id)]
    assert _status(runner)["raw_failed"] == 2

    listed = [json.loads(line) for line in runner.invoke(cli, ["failed", "list", "--json"]).output.splitlines()]
    assert sorted(row["external_id"] for row in listed) == ["empty.json", "latin1.txt"]
    assert all(row["source"] == "inbox" and row["version"] == 1 and row["attempts"] == 1 and row["error"] for row in listed)
    empty_id = next(row["id"] for row in listed if row["external_id"] == "empty.json")
    text = runner.invoke(cli, ["failed", "list", "--source", "inbox"]).output
    assert f"{empty_id}  inbox/empty.json  version 1, 1 attempt(s)" in text and "the file is empty" in text

    assert runner.invoke(cli, ["failed", "dismiss", str(empty_id)]).exit_code == 2  # --why is required
    result = runner.invoke(cli, ["failed", "dismiss", str(empty_id), "--why", "a test upload by the partner"])
    assert result.exit_code == 0 and f"dismissed 1 item(s): {empty_id} (inbox/empty.json)" in result.output
    (empty,) = _raw(engine, "empty.json")
    assert empty.state == "dismissed" and empty.content == b""
    assert "a test upload by the partner" in empty.error and "the file is empty" in empty.error
    (entry,) = _audit(engine, "raw_item.dismiss")
    assert entry.entity_id == str(empty_id) and entry.details["why"] == "a test upload by the partner"
    assert entry.details["by"] == getpass.getuser() and entry.created_at is not None
    assert _status(runner)["raw_failed"] == 1

    again = runner.invoke(cli, ["failed", "dismiss", str(empty_id), "--why", "twice"], standalone_mode=False)
    assert f"raw item {empty_id} (inbox/empty.json) is dismissed, not failed" in str(again.exception)
    (latin,) = _raw(engine, "latin1.txt")
    mixed = runner.invoke(cli, ["failed", "dismiss", str(latin.id), str(second.id), "--why", "x"], standalone_mode=False)
    assert "is extracted, not failed" in str(mixed.exception)
    assert _raw(engine, "latin1.txt")[0].state == "failed"  # all or none
    assert "no raw item 99999" in str(runner.invoke(cli, ["failed", "dismiss", "99999", "--why", "x"]).exception)

    # Retry touches only what is failed; both names work.
    assert "1 failed item(s) will be processed again" in runner.invoke(cli, ["failed", "retry"]).output
    assert (_raw(engine, "latin1.txt")[0].state, _raw(engine, "empty.json")[0].state) == ("new", "dismissed")
    pipeline.extract_pending(engine)
    assert "1 failed item(s)" in runner.invoke(cli, ["retry-failed", "--source", "inbox"]).output
    assert "0 failed item(s)" in runner.invoke(cli, ["failed", "retry"]).output
    assert runner.invoke(cli, ["failed", "list"]).output.strip() == "no failed items"


def test_a_failed_item_an_edit_supersedes_is_retired(engine) -> None:
    from tawthiq.db import repo
    from tawthiq.db.engine import session_scope

    with session_scope(engine) as session:
        source = repo.add_source(session, "kobo", "k", {"url": "https://kf.example.org", "asset": "a", "token_env": "T"})
        old, _ = repo.store_raw_item(session, source, external_id="uuid-1", content=b"{", kind="form", error="k/uuid-1: not valid JSON")
        other, _ = repo.store_raw_item(session, source, external_id="uuid-9", content=b"}", kind="form", error="k/uuid-9: broken")
        edit, _ = repo.store_raw_item(session, source, external_id="uuid-2", content=b"{}", kind="form", supersedes="uuid-1")
        assert edit.supersedes_id == old.id and old.state == "superseded" and "raw item" in old.error
        assert other.state == "failed"
        assert [i.id for i in repo.failed_items(session)] == [other.id]


# --- sources: edit, disable, enable, remove, paths -------------------------------------------


def test_folder_path_must_be_an_existing_directory(database_url, tmp_path, capsys) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    for path, problem in ((tmp_path / "nope", "no such directory"), (a_file, "not a directory")):
        for args in (["sources", "add", "folder", "inbox", "--path", str(path)],):
            with pytest.raises(SystemExit) as exit_info:
                main(args)
            assert exit_info.value.code == 1
            err = capsys.readouterr().err
            assert err == f"error: --path {path}: {problem}\n"
    main(["sources", "add", "folder", "inbox", "--path", str(tmp_path)])
    with pytest.raises(SystemExit):
        main(["sources", "edit", "inbox", "--path", str(tmp_path / "nope")])
    assert capsys.readouterr().err == f"error: --path {tmp_path / 'nope'}: no such directory\n"


def test_sources_edit_reuses_the_checks_of_add(database_url, tmp_path) -> None:
    from tawthiq.db.engine import get_engine, session_scope
    from tawthiq.db import repo

    runner = CliRunner()
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    assert runner.invoke(cli, ["sources", "add", "folder", "inbox", "--path", str(first), "--map", "full_name=Name"]).exit_code == 0
    result = runner.invoke(cli, ["sources", "edit", "inbox", "--path", str(second), "--map", "age=Age", "--id-column", "id"])
    assert result.exit_code == 0, result.output
    assert "updated folder source 'inbox': id_column, mapping, path" in result.output
    with session_scope(get_engine()) as session:
        settings = repo.get_source(session, "inbox").settings
    assert settings == {"path": str(second), "id_column": "id", "mapping": {"full_name": ["Name"], "age": ["Age"]}}
    assert _audit(get_engine(), "source.edit")[0].details["before"]["path"] == str(first)
    refused = runner.invoke(cli, ["sources", "edit", "inbox", "--url", "https://example.org/feed"])
    assert refused.exit_code == 2 and "--url is for kobo, odk, feed, listing, page sources, not folder" in refused.output
    assert runner.invoke(cli, ["sources", "edit", "inbox"]).exit_code == 2  # nothing to change
    assert runner.invoke(cli, ["sources", "edit", "inbox", "--clear-map"]).exit_code == 0
    assert runner.invoke(cli, ["sources", "add", "feed", "news", "--url", "https://example.org/rss"]).exit_code == 0
    bad = runner.invoke(cli, ["sources", "edit", "news", "--url", "ftp://example.org/rss"])
    assert bad.exit_code == 2 and "give an http:// or https:// address" in bad.output
    assert runner.invoke(cli, ["sources", "edit", "news", "--delay", "5", "--max-items", "20"]).exit_code == 0
    assert runner.invoke(cli, ["sources", "add", "kobo", "k", "--url", "https://kf.example.org", "--asset", "A1",
                               "--token-env", "KOBO_TOKEN"]).exit_code == 0
    assert runner.invoke(cli, ["sources", "edit", "k", "--token-block", "kobo-token"]).exit_code == 0
    with session_scope(get_engine()) as session:
        assert repo.get_source(session, "news").settings == {"url": "https://example.org/rss", "delay": 5.0, "max_items": 20}
        assert repo.get_source(session, "inbox").settings == {"path": str(second), "id_column": "id"}
        assert repo.get_source(session, "k").settings == {"url": "https://kf.example.org", "asset": "A1", "token_block": "kobo-token"}
    unknown = runner.invoke(cli, ["sources", "edit", "nope", "--delay", "1"], standalone_mode=False)
    assert "no source named 'nope'" in str(unknown.exception)


def test_disabled_sources_are_skipped_and_sources_with_items_are_never_deleted(engine, tmp_path) -> None:
    from tawthiq import pipeline
    from tawthiq.db import repo
    from tawthiq.db.engine import session_scope
    from tawthiq.flows.nightly import source_names

    inbox = write_inbox(tmp_path / "inbox")
    runner = CliRunner()
    for name in ("inbox", "spare"):
        assert runner.invoke(cli, ["sources", "add", "folder", name, "--path", str(inbox)]).exit_code == 0
    pipeline.pull(engine, ["inbox"])
    result = runner.invoke(cli, ["sources", "disable", "inbox"])
    assert result.exit_code == 0 and "its 5 stored item(s) stay" in result.output
    assert "disabled" in runner.invoke(cli, ["sources", "list"]).output
    assert source_names(None, None) == ["spare"]  # what the nightly and pull flows take
    assert [s.source for s in pipeline.pull(engine)] == ["spare"]
    assert runner.invoke(cli, ["sources", "enable", "inbox"]).exit_code == 0
    assert source_names(None, None) == ["inbox", "spare"]
    assert [a.details["name"] for a in _audit(engine, "source.disable")] == ["inbox"]

    refused = runner.invoke(cli, ["sources", "remove", "inbox"], standalone_mode=False)
    assert "has 5 stored item(s), which are never deleted" in str(refused.exception)
    assert "tawthiq sources disable inbox" in str(refused.exception)
    forced = runner.invoke(cli, ["sources", "remove", "inbox", "--force"])
    assert forced.exit_code == 0 and "disabled it instead" in forced.output
    with session_scope(engine) as session:
        source = repo.get_source(session, "inbox")
        assert source.enabled is False and repo.source_item_count(session, source) == 5
    assert _status(runner)["raw_items"] == 10  # both sources' items, none lost

    assert runner.invoke(cli, ["sources", "add", "folder", "typo", "--path", str(inbox)]).exit_code == 0
    removed = runner.invoke(cli, ["sources", "remove", "typo"])
    assert removed.exit_code == 0 and "removed source 'typo'" in removed.output
    assert "typo" not in runner.invoke(cli, ["sources", "list"]).output
    assert _audit(engine, "source.remove")[0].details["settings"] == {"path": str(inbox)}


# --- --map takes the names `extract` prints --------------------------------------------------


def test_map_takes_the_extract_contract_names_and_the_old_ones(database_url, tmp_path) -> None:
    from tawthiq.cli import map_fields
    from tawthiq.db import repo
    from tawthiq.db.engine import get_engine, session_scope
    from tawthiq.extractors.record import VictimRecord

    contract = VictimRecord().to_contract()
    names = [f"{key}.{sub}" if isinstance(value, dict) else key for key, value in contract.items()
             for sub in (value if isinstance(value, dict) else [None])]
    assert set(names) - set(map_fields()) == {"is_child", "evidence"}  # derived, never read from a form
    runner = CliRunner()
    result = runner.invoke(cli, ["sources", "add", "folder", "p", "--path", str(tmp_path), "--map", "name_ar=الاسم",
                                 "--map", "place_of_death.locality=Town", "--map", "origin.governorate=From",
                                 "--map", "death_governorate=Gov", "--map", "account=Story"])
    assert result.exit_code == 0, result.output
    with session_scope(get_engine()) as session:
        mapping = repo.get_source(session, "p").settings["mapping"]
    assert mapping == {"name_other_script": ["الاسم"], "death_locality": ["Town"], "origin_governorate": ["From"],
                       "death_governorate": ["Gov"], "account": ["Story"]}
    bad = runner.invoke(cli, ["sources", "add", "folder", "q", "--path", str(tmp_path), "--map", "place=Town"])
    assert bad.exit_code == 2
    message = bad.output.strip().splitlines()[-1]
    assert "FIELD one of full_name, name_ar, sex, age, date_of_death, place_of_death.governorate" in message
    assert "account" in message and "death_locality" not in message  # aliases work but are not advertised
    help_text = runner.invoke(cli, ["sources", "add", "--help"]).output
    for name in ("full_name", "name_ar", "place_of_death.locality", "origin.governorate", "died_in_detention"):
        assert name in help_text


def test_a_mapped_csv_column_reaches_the_candidate(engine, tmp_path) -> None:
    from sqlalchemy import select

    from tawthiq import pipeline
    from tawthiq.db.engine import session_scope
    from tawthiq.db.models import Candidate

    inbox = tmp_path / "partner"
    inbox.mkdir()
    (inbox / "list.csv").write_text("Name,Town,Age\nAli Hasan,Sarmin,30\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["sources", "add", "folder", "partner", "--path", str(inbox), "--map", "full_name=Name",
                                      "--map", "place_of_death.locality=Town", "--map", "age=Age"])
    assert result.exit_code == 0, result.output
    pipeline.pull(engine)
    pipeline.extract_pending(engine)
    with session_scope(engine) as session:
        (candidate,) = session.scalars(select(Candidate))
        assert (candidate.full_name, candidate.death_locality, candidate.age) == ("Ali Hasan", "Sarmin", 30)


# --- users add --password-stdin ---------------------------------------------------------------


def test_users_add_reads_the_password_from_stdin(database_url) -> None:
    from sqlalchemy import select

    from tawthiq.db import repo
    from tawthiq.db.engine import get_engine, session_scope
    from tawthiq.db.models import User

    runner = CliRunner()
    result = runner.invoke(cli, ["users", "add", "amal", "--role", "editor", "--password-stdin"], input="correct horse\n")
    assert result.exit_code == 0, result.output
    with session_scope(get_engine()) as session:
        user = session.scalar(select(User).where(User.username == "amal"))
        assert user.role == "editor" and repo.verify_password(user.password_hash, "correct horse")
        assert not repo.verify_password(user.password_hash, "correct horse\n")
    for given in ("", "\n", "short\n"):
        refused = runner.invoke(cli, ["users", "add", "omar", "--password-stdin"], input=given, standalone_mode=False)
        assert "a password needs at least 8 characters" in str(refused.exception)
    two = runner.invoke(cli, ["users", "add", "omar", "--password-stdin"], input="first-line\nsecond\n", standalone_mode=False)
    assert "more than one line" in str(two.exception)
    both = runner.invoke(cli, ["users", "add", "omar", "--password", "x" * 9, "--password-stdin"], input="y" * 9)
    assert both.exit_code == 2
    prompted = runner.invoke(cli, ["users", "add", "huda"], input="long enough\nlong enough\n")
    assert prompted.exit_code == 0, prompted.output
    with session_scope(get_engine()) as session:
        assert session.scalar(select(User).where(User.username == "omar")) is None
        assert session.scalar(select(User).where(User.username == "huda")) is not None


# --- report --out writes one CSV per table ----------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "json"])
def test_report_out_writes_one_csv_per_table_in_every_format(engine, tmp_path, fmt) -> None:
    import csv

    from tawthiq.db.engine import session_scope
    from tawthiq.db.models import Victim

    with session_scope(engine) as session:
        session.add(Victim(full_name="Ali Hasan", sex="male", age=30, date_of_death="2024-03-05", death_governorate="Idlib",
                           perpetrator="syrian_regime", cause="torture", category="medical", status="active"))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["report", "--month", "2024-03", "--format", fmt, "--out", str(out), "--victims"])
    assert result.exit_code == 0, result.output
    headers = {}
    for table in ("by_perpetrator", "by_governorate", "by_month", "torture", "personnel", "massacres", "incidents"):
        with open(out / f"report-2024-03-{table}.csv", encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        headers[table] = rows[0]
        if table not in ("massacres", "incidents"):
            assert any(row[rows[0].index("victims")] == "1" for row in rows[1:]), table
    assert headers == {"by_perpetrator": ["label", "victims", "children", "women", "percent"],
                       "by_governorate": ["label", "victims", "children", "women", "percent"],
                       "by_month": ["label", "victims", "children", "women", "percent"],
                       "torture": ["label", "victims", "children", "women"],
                       "personnel": ["label", "category", "victims", "children", "women"],
                       "massacres": ["label", "date", "incident", "place", "victims", "children", "women"],
                       "incidents": ["label", "date", "incident", "place", "cause", "victims", "killed_max", "children", "women",
                                     "named", "not_yet_named", "sources"]}
    assert (out / f"report-2024-03.{fmt}").exists() and (out / "report-2024-03-by_month.png").exists()
    assert ",Ali Hasan," in (out / "report-2024-03-victims.csv").read_text(encoding="utf-8").splitlines()[1]


# --- a database that cannot be opened -------------------------------------------------------


def test_a_missing_postgres_database_says_createdb(monkeypatch, capsys) -> None:
    import uuid

    from sqlalchemy.engine import make_url

    from tawthiq.db.engine import get_engine

    from .conftest import postgres_server_url

    name = f"tawthiq_missing_{uuid.uuid4().hex[:8]}"
    url = make_url(postgres_server_url()).set(database=name).render_as_string(hide_password=False)
    monkeypatch.setenv("TAWTHIQ_DATABASE_URL", url)
    get_engine.cache_clear()
    for command in (["status"], ["init"], ["sources", "list"]):
        with pytest.raises(SystemExit) as exit_info:
            main(command)
        assert exit_info.value.code == 1
        err = capsys.readouterr().err
        assert err.startswith(f"error: the database '{name}' does not exist") and err.count("\n") == 1
        assert f"`createdb {name}`" in err and "TAWTHIQ_DATABASE_URL" in err and "Traceback" not in err
    get_engine.cache_clear()


def test_a_database_server_not_running_is_one_line(monkeypatch, capsys) -> None:
    import socket

    from tawthiq.db.engine import get_engine

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("TAWTHIQ_DATABASE_URL", f"postgresql+psycopg://postgres@127.0.0.1:{port}/tawthiq")
    get_engine.cache_clear()
    with pytest.raises(SystemExit):
        main(["status"])
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot reach the database server at 127.0.0.1:{port}") and err.count("\n") == 1
    assert "`createdb tawthiq`" in err and "TAWTHIQ_DATABASE_URL" in err
    get_engine.cache_clear()


# --- users list / disable / enable / role / reset-password -------------------------------------


def test_users_list_disable_enable_role_and_reset_password(database_url, monkeypatch, capsys) -> None:
    from sqlalchemy import select

    from tawthiq.db import repo
    from tawthiq.db.engine import get_engine, session_scope
    from tawthiq.db.models import AuditLog, User, UserSession

    monkeypatch.setattr("getpass.getuser", lambda: "operator1")
    with session_scope(get_engine()) as session:
        repo.add_user(session, "dima", "a long password", "admin")
        amal = repo.add_user(session, "amal", "a long password", "documenter")
        for _ in range(2):  # two logins to the review app
            repo.start_user_session(session, amal, 12, "192.0.2.1", "a browser")
    runner = CliRunner()
    listed = runner.invoke(cli, ["users", "list"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0].split() == ["name", "role", "state", "created", "last", "login"]
    assert lines[1].split()[:3] == ["amal", "documenter", "active"] and "never" not in lines[1]
    assert lines[2].split()[:3] == ["dima", "admin", "active"] and lines[2].endswith("never")
    rows = [json.loads(line) for line in runner.invoke(cli, ["users", "list", "--json"]).output.splitlines()]
    assert [(r["name"], r["role"], r["active"]) for r in rows] == [("amal", "documenter", True), ("dima", "admin", True)]
    assert rows[0]["last_login"] and rows[1]["last_login"] is None and rows[0]["created"]

    result = runner.invoke(cli, ["users", "disable", "amal"])
    assert result.exit_code == 0 and "disabled 'amal': 2 open session(s) ended" in result.output
    assert "already disabled" in runner.invoke(cli, ["users", "disable", "amal"]).output
    with session_scope(get_engine()) as session:
        assert {(s.revoked_reason, s.revoked_at is not None) for s in session.scalars(select(UserSession))} == {("disabled", True)}
        assert not session.scalar(select(User).where(User.username == "amal")).active
    assert "enabled 'amal'" in runner.invoke(cli, ["users", "enable", "amal"]).output
    assert "'amal' is now editor" in runner.invoke(cli, ["users", "role", "amal", "editor"]).output
    assert runner.invoke(cli, ["users", "role", "amal", "boss"]).exit_code == 2

    reset = runner.invoke(cli, ["users", "reset-password", "amal", "--password-stdin"], input="a new password\n")
    assert reset.exit_code == 0 and "reset the password of 'amal'" in reset.output
    for given in ("short\n", "two\nlines\n"):
        refused = runner.invoke(cli, ["users", "reset-password", "amal", "--password-stdin"], input=given, standalone_mode=False)
        assert "at least 8 characters" in str(refused.exception) or "more than one line" in str(refused.exception)
    assert runner.invoke(cli, ["users", "reset-password", "amal", "--password", "x" * 9, "--password-stdin"]).exit_code == 2
    prompted = runner.invoke(cli, ["users", "reset-password", "amal"], input="prompted password\nprompted password\n")
    assert prompted.exit_code == 0, prompted.output
    with session_scope(get_engine()) as session:
        user = session.scalar(select(User).where(User.username == "amal"))
        assert user.role == "editor" and user.active and repo.verify_password(user.password_hash, "prompted password")
        entries = session.scalars(select(AuditLog).where(AuditLog.action.like("user.%"), AuditLog.action != "user.add")
                                  .order_by(AuditLog.id)).all()
        assert [e.action for e in entries] == ["user.disable", "user.enable", "user.role", "user.password_reset", "user.password_reset"]
        assert {e.details["by"] for e in entries} == {"operator1"} and {e.user_id for e in entries} == {None}
        assert entries[2].details["before"] == "documenter" and entries[2].details["after"] == "editor"
        assert "a new password" not in json.dumps([e.details for e in entries])

    # The last active admin stays: disabling or demoting them is one clear line.
    capsys.readouterr()
    for args in (["users", "disable", "dima"], ["users", "role", "dima", "editor"], ["users", "enable", "nobody"]):
        with pytest.raises(SystemExit) as exit_info:
            main(args)
        assert exit_info.value.code == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and all(line.startswith("error: ") for line in err)
    assert "'dima' is the last active admin" in err[0] and "'dima' is the last active admin" in err[1]
    assert "no user named 'nobody'" in err[2]
    # With another admin, dima can be made an editor.
    assert runner.invoke(cli, ["users", "role", "amal", "admin"]).exit_code == 0
    assert runner.invoke(cli, ["users", "role", "dima", "editor"]).exit_code == 0
    get_engine.cache_clear()


def test_users_disable_from_the_cli_ends_an_open_review_session(database_url) -> None:
    from tawthiq.db import repo
    from tawthiq.db.engine import get_engine, session_scope
    from tawthiq.review.app import create_app

    from .test_review import PASSWORD, login

    with session_scope(get_engine()) as session:
        repo.add_user(session, "dima", PASSWORD, "admin")
        repo.add_user(session, "amal", PASSWORD, "documenter")
    app = create_app(database_url)
    amal = login(app, "amal")
    assert amal.get("/").status_code == 200
    for args in (["users", "disable", "amal"], ["users", "enable", "amal"]):
        assert CliRunner().invoke(cli, args).exit_code == 0
    response = amal.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    login(app, "amal")  # enabled again, she logs in anew
    get_engine.cache_clear()
