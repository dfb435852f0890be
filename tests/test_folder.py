"""The folder source (sources/folder.py) for partners' lists: CSV in UTF-8 and in the
Windows-1256 Arabic Excel writes, other delimiters, column mappings, JSON lists, re-sent
files, and broken files or rows that fail alone."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from tawthiq import pipeline
from tawthiq.db import repo
from tawthiq.db.engine import session_scope
from tawthiq.db.models import Candidate, RawItem

PARTNER_CSV = """Name,Name (Arabic),Gender,Age,Date,Governorate,Town,Cause,Informant phone
Yamen Ali Darwish,يامن علي درويش,M,9,11/02/2021,Idleb,Sarmin,shelling,+963 933 111 222
Khaled Ibrahim al-Saleh,خالد إبراهيم الصالح,M,41,2021-02-11,Deir ez-Zor,Theyban,shooting,
Broken Row,,M,30,2021-02-11,Homs,,shelling,extra,fields
"""
MAPPING = {"full_name": ["Name"], "name_other_script": ["Name (Arabic)"], "sex": ["Gender"], "age": ["Age"],
           "date_of_death": ["Date"], "death_governorate": ["Governorate"], "death_locality": ["Town"], "cause": ["Cause"]}


def add_folder(engine, path: Path, **settings) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        repo.add_source(session, "folder", "partners", {"path": str(path), **settings})


def candidates(engine) -> dict[str, Candidate]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        rows = {c.full_name: c for c in session.scalars(select(Candidate))}
        session.expunge_all()
        return rows


def test_csv_rows_with_a_column_mapping(engine, tmp_path: Path) -> None:
    (tmp_path / "list.csv").write_text(PARTNER_CSV, encoding="utf-8-sig")
    add_folder(engine, tmp_path, mapping=MAPPING)
    summary = pipeline.pull_source(engine, "partners")
    assert (summary.new, summary.failed) == (3, 1)
    with session_scope(engine) as session:
        failed = session.scalar(select(RawItem).where(RawItem.state == "failed"))
        assert failed.error == "list.csv row 4: 10 fields where the header has 9"
    extracted = pipeline.extract_pending(engine)
    assert extracted.extracted == 2
    rows = candidates(engine)
    yamen = rows["Yamen Ali Darwish"]
    assert (yamen.name_ar, yamen.age, yamen.date_of_death, yamen.death_governorate, yamen.sex) == (
        "يامن علي درويش", 9, "2021-02-11", "Idlib", "male")
    assert rows["Khaled Ibrahim al-Saleh"].death_governorate == "Deir Ez-Zour"
    again = pipeline.pull_source(engine, "partners")
    assert (again.new, again.unchanged) == (0, 3)


def test_arabic_excel_csv_in_windows_1256_with_semicolons(engine, tmp_path: Path) -> None:
    text = "الاسم;الجنس;العمر;تاريخ الوفاة;المحافظة\nمحمد أحمد الحسين;ذكر;35;15/12/2023;إدلب\n"
    (tmp_path / "arabic.csv").write_bytes(text.encode("cp1256"))
    add_folder(engine, tmp_path, mapping={"full_name": ["الاسم"], "sex": ["الجنس"], "age": ["العمر"],
                                          "date_of_death": ["تاريخ الوفاة"], "death_governorate": ["المحافظة"]})
    pipeline.pull_source(engine, "partners")
    with session_scope(engine) as session:
        assert session.scalar(select(RawItem)).meta["encoding"] == "cp1256"
    pipeline.extract_pending(engine)
    [row] = candidates(engine).values()
    assert (row.name_ar, row.sex, row.age, row.date_of_death, row.death_governorate) == (
        "محمد أحمد الحسين", "male", 35, "2023-12-15", "Idlib")


def test_resent_list_with_an_id_column_versions_changed_rows(engine, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("id,victim_name,age\nA1,Ali Hasan,30\nA2,Omar Said,40\n", encoding="utf-8")
    add_folder(engine, tmp_path, id_column="id")
    pipeline.pull_source(engine, "partners")
    path.write_text("id,victim_name,age\nA1,Ali Hasan,31\nA2,Omar Said,40\nA3,Samer Haddad,22\n", encoding="utf-8")
    summary = pipeline.pull_source(engine, "partners")
    assert (summary.new, summary.unchanged) == (2, 1)
    with session_scope(engine) as session:
        a1 = list(session.scalars(select(RawItem).where(RawItem.external_id == "list.csv#A1").order_by(RawItem.version)))
        assert [i.version for i in a1] == [1, 2] and a1[1].supersedes_id == a1[0].id


def test_json_lists_and_broken_files(engine, tmp_path: Path) -> None:
    (tmp_path / "list.json").write_text(json.dumps([{"victim_name": "Ali Hasan", "_uuid": "u-1"}, "not an object",
                                                    {"victim_name": "Omar Said", "_uuid": "u-2"}]), encoding="utf-8")
    (tmp_path / "truncated.json").write_text('[{"victim_name": "Samer', encoding="utf-8")
    (tmp_path / "sheet.csv").write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40)
    (tmp_path / "single.json").write_text(json.dumps({"victim_name": "Rami Nasser"}), encoding="utf-8")
    add_folder(engine, tmp_path)
    pipeline.pull_source(engine, "partners")
    with session_scope(engine) as session:
        items = {i.external_id: i for i in session.scalars(select(RawItem))}
    assert set(items) == {"list.json#u-1", "list.json#u-2", "single.json", "sheet.csv", "truncated.json",
                          next(k for k in items if k.startswith("list.json#row-"))}
    assert "not an object" in items[next(k for k in items if k.startswith("list.json#row-"))].error
    assert items["sheet.csv"].state == "failed" and "binary data, not a CSV file" in items["sheet.csv"].error
    assert items["truncated.json"].state == "failed" and "cannot read the list" in items["truncated.json"].error
    result = pipeline.extract_pending(engine)
    assert set(candidates(engine)) == {"Ali Hasan", "Omar Said", "Rami Nasser"}
    assert result.failed == 0  # the bad ones were failed at intake, named, and not retried blindly


def test_cli_map_option(database_url: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tawthiq.cli import cli

    ok = CliRunner().invoke(cli, ["sources", "add", "folder", "p", "--path", str(tmp_path), "--map", "full_name=Name",
                                  "--map", "full_name=Full name", "--id-column", "id"])
    assert ok.exit_code == 0, ok.output
    bad = CliRunner().invoke(cli, ["sources", "add", "folder", "q", "--path", str(tmp_path), "--map", "nickname=Name"])
    assert bad.exit_code == 2 and "FIELD=QUESTION" in bad.output
