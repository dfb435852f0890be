"""The folder source (sources/folder.py) for partners' lists: CSV in UTF-8, in the
Windows-1256 Arabic Excel writes and in UTF-16, other delimiters, column mappings, JSON lists,
re-sent files, and broken files or rows that fail alone: JSON nested too deeply, names that are
not UTF-8, files gone before they are read, workbooks renamed .csv; symlinks out of the folder."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
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


def items_by_id(engine) -> dict[str, RawItem]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        rows = {i.external_id: i for i in session.scalars(select(RawItem))}
        session.expunge_all()
        return rows


def test_a_json_nested_ten_thousand_deep_fails_alone(engine, tmp_path: Path) -> None:
    deep_object = ('{"g":' * 10_000 + '{"victim_name": "Nobody"}' + "}" * 10_000).encode()
    deep_list = ("[" * 10_000 + "]" * 10_000).encode()
    (tmp_path / "a.json").write_text(json.dumps({"victim_name": "Ali Hasan"}), encoding="utf-8")
    (tmp_path / "b-deep.json").write_bytes(deep_object)
    (tmp_path / "b-deep-list.json").write_bytes(deep_list)
    # A field over the csv module's size limit raises csv.Error, which is not a ValueError.
    (tmp_path / "b-huge-field.csv").write_text('victim_name,account\nSamer,"' + "x" * 200_000 + '"\n', encoding="utf-8")
    (tmp_path / "c.json").write_text(json.dumps({"victim_name": "Omar Said"}), encoding="utf-8")
    add_folder(engine, tmp_path)
    summary = pipeline.pull_source(engine, "partners")
    assert summary.error is None and summary.new == 5
    items = items_by_id(engine)
    assert items["b-deep.json"].content == deep_object  # stored raw, as read
    assert items["b-deep-list.json"].content == deep_list
    assert items["b-deep-list.json"].state == "failed"
    assert items["b-deep-list.json"].error == "b-deep-list.json: cannot read the list: JSON nested too deeply"
    assert items["b-huge-field.csv"].state == "failed" and items["b-huge-field.csv"].error == (
        "b-huge-field.csv: cannot read the list: line 2: field larger than field limit (131072)")
    result = pipeline.extract_pending(engine)
    assert set(candidates(engine)) == {"Ali Hasan", "Omar Said"}
    assert result.failed == 1
    [failure] = result.failures
    assert failure["error"] == "partners/b-deep.json: JSON nested too deeply to be a form submission"
    assert items_by_id(engine)["b-deep.json"].state == "failed"


def test_a_deep_submission_that_parses_keeps_its_submitter_answers_out_of_storage(engine, tmp_path: Path) -> None:
    def nested(levels: int, leaf: dict) -> dict:  # type: ignore[type-arg]
        for _ in range(levels):
            leaf = {"group": leaf}
        return leaf

    # 150 groups deep: the parser reads it, but it is no form, and encrypting walks by recursion.
    (tmp_path / "with-phone.json").write_text(json.dumps(
        {"victim_name": "Ali Hasan", "submitter_phone": "+963 933 111 222", "extra": nested(150, {"x": 1})}), encoding="utf-8")
    (tmp_path / "without.json").write_text(json.dumps({"victim_name": "Omar Said", "extra": nested(150, {"x": 1})}),
                                           encoding="utf-8")
    (tmp_path / "list.json").write_text(json.dumps([
        {"_uuid": "u-1", "victim_name": "Rami Nasser"},
        {"_uuid": "u-2", "victim_name": "Deep Row", "extra": nested(150, {"x": 1})},
        {"_uuid": "u-3", "victim_name": "Samer \ud800 Haddad"},  # a lone surrogate, as a broken exporter writes it
        {"_uuid": "u-4", "victim_name": "Khaled Ibrahim"},
    ]), encoding="utf-8")
    add_folder(engine, tmp_path)
    summary = pipeline.pull_source(engine, "partners")
    assert summary.error is None
    items = items_by_id(engine)
    withheld = items["with-phone.json"]
    assert (withheld.state, withheld.content) == ("failed", b"")
    assert withheld.error == ("with-phone.json: JSON nested 152 levels deep, over the 100 a submission may have; not stored, "
                              "since the submitter's answers in it cannot be encrypted; the file is left in the folder")
    assert items["without.json"].content == (tmp_path / "without.json").read_bytes()
    assert (items["list.json#u-2"].state, items["list.json#u-2"].content) == ("failed", b"")
    assert items["list.json#u-2"].error.startswith("list.json row 2: JSON nested 152 levels deep")
    assert items["list.json#u-3"].error is None  # the broken half-character is U+FFFD, as extraction makes it
    pipeline.extract_pending(engine)
    assert set(candidates(engine)) == {"Omar Said", "Rami Nasser", "Samer \ufffd Haddad", "Khaled Ibrahim"}


def test_a_lone_surrogate_escape_neither_fails_the_run_nor_the_submission(engine, tmp_path: Path) -> None:
    # Valid JSON whose string no database stores: it once failed every extraction run at commit.
    (tmp_path / "broken.json").write_bytes(b'{"victim_name": "Ali \\ud800 Hasan", "submitter_phone": "+963 933 111 222"}')
    (tmp_path / "plain.json").write_bytes(b'{"victim_name": "Omar \\udc00Said"}')
    add_folder(engine, tmp_path)
    assert pipeline.pull_source(engine, "partners").failed == 0
    items = items_by_id(engine)
    assert b"933" not in items["broken.json"].content  # encrypted all the same
    assert items["plain.json"].content == (tmp_path / "plain.json").read_bytes()  # nothing to encrypt: raw
    result = pipeline.extract_pending(engine)
    assert result.failed == 0 and set(candidates(engine)) == {"Ali \ufffd Hasan", "Omar \ufffdSaid"}


def test_file_names_that_are_not_utf8_are_taken_in_under_a_printable_id(engine, tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path)
    # Names as a zip made on Windows leaves them: Latin-1 and Windows-1256 bytes, not UTF-8.
    for name, content in ((b"caf\xe9.json", json.dumps({"victim_name": "Rami Nasser"}).encode()),
                          ("قائمة.csv".encode("cp1256"), b"victim_name,_uuid\nOmar Said,u-9\n")):
        descriptor = os.open(folder + b"/" + name, os.O_WRONLY | os.O_CREAT, 0o644)
        os.write(descriptor, content)
        os.close(descriptor)
    (tmp_path / "good.json").write_text(json.dumps({"victim_name": "Ali Hasan"}), encoding="utf-8")
    add_folder(engine, tmp_path)
    summary = pipeline.pull_source(engine, "partners")
    assert (summary.error, summary.new, summary.failed) == (None, 3, 0)
    items = items_by_id(engine)
    arabic = "".join(f"\\x{byte:02x}" for byte in "قائمة".encode("cp1256")) + ".csv#u-9"
    assert set(items) == {"caf\\xe9.json", arabic, "good.json"}
    assert items["caf\\xe9.json"].meta["path"] == f"{tmp_path}/caf\\xe9.json"
    assert items["caf\\xe9.json"].url.endswith("/caf%E9.json")
    pipeline.extract_pending(engine)
    assert set(candidates(engine)) == {"Rami Nasser", "Omar Said", "Ali Hasan"}
    assert pipeline.pull_source(engine, "partners").unchanged == 3  # the escaped id is stable


def test_a_file_that_cannot_be_read_is_stored_empty_and_failed(tmp_path: Path) -> None:
    from tawthiq.sources import CursorUpdate, FetchedItem
    from tawthiq.sources.folder import FolderConnector

    for name in ("a.json", "b.json", "c.json"):
        (tmp_path / name).write_text(json.dumps({"victim_name": name}), encoding="utf-8")
    entries = FolderConnector().fetch("partners", {"path": str(tmp_path)}, {})
    first = next(entries)
    (tmp_path / "b.json").unlink()  # gone between the scan and the read, as on a synced share
    second, third, cursor = entries
    assert isinstance(first, FetchedItem) and isinstance(second, FetchedItem) and isinstance(third, FetchedItem)
    assert [first.external_id, second.external_id, third.external_id] == ["a.json", "b.json", "c.json"]
    assert (second.content, second.error) == (b"", "b.json: cannot read the file: No such file or directory")
    assert third.error is None and isinstance(cursor, CursorUpdate) and cursor.cursor["files"] == 3


def test_symlinks_out_of_the_folder_are_not_followed(engine, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    outside = tmp_path / "outside"
    (outside / "private").mkdir(parents=True)
    (outside / "secret.json").write_text(json.dumps({"victim_name": "Outside File"}), encoding="utf-8")
    (outside / "private" / "other.json").write_text(json.dumps({"victim_name": "Outside Folder"}), encoding="utf-8")
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.json").write_text(json.dumps({"victim_name": "Ali Hasan"}), encoding="utf-8")
    (folder / "sub" / "inner.json").write_text(json.dumps({"victim_name": "Omar Said"}), encoding="utf-8")
    (folder / "secret.json").symlink_to(outside / "secret.json")
    (folder / "private").symlink_to(outside / "private", target_is_directory=True)
    (folder / "escape.json").symlink_to("../outside/secret.json")  # relative, leading out all the same
    (folder / "again.json").symlink_to("good.json")  # inside: the file is taken in once, by its own path
    (folder / "sub-again").symlink_to("sub", target_is_directory=True)
    (folder / "sub" / "loop").symlink_to("..", target_is_directory=True)
    add_folder(engine, folder)
    with caplog.at_level(logging.WARNING, logger="tawthiq.sources.folder"):
        summary = pipeline.pull_source(engine, "partners")
    assert (summary.error, summary.new) == (None, 2)
    assert set(items_by_id(engine)) == {"good.json", "sub/inner.json"}
    with session_scope(engine) as session:
        cursor = repo.get_source(session, "partners").cursor
    assert cursor["skipped_symlinks"] == ["escape.json", "private", "secret.json"]
    assert "secret.json: not followed (a symlink leading out of the folder, or broken)" in summary.notes  # shown by pull
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "symlink private not followed: it leads out of the folder" in warned and "symlink secret.json" in warned


def test_utf16_csv_as_excel_saves_unicode_text(engine, tmp_path: Path) -> None:
    text = "الاسم\tالجنس\tالعمر\tالمحافظة\r\nمحمد أحمد الحسين\tذكر\t35\tإدلب\r\nفاطمة علي\tأنثى\t28\tحمص\r\n"
    (tmp_path / "unicode-text.csv").write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))  # Excel's "Unicode Text"
    other = "الاسم\tالجنس\tالعمر\tالمحافظة\r\nخالد إبراهيم\tذكر\t41\tحماة\r\n"
    (tmp_path / "no-bom.csv").write_bytes(other.encode("utf-16-le"))
    (tmp_path / "sheet.csv").write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40)
    (tmp_path / "image.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06")
    add_folder(engine, tmp_path, mapping={"full_name": ["الاسم"], "sex": ["الجنس"], "age": ["العمر"],
                                          "death_governorate": ["المحافظة"]})
    summary = pipeline.pull_source(engine, "partners")
    assert (summary.new, summary.failed) == (5, 2)
    items = items_by_id(engine)
    encodings = {i.external_id.split("#")[0]: i.meta.get("encoding") for i in items.values() if i.state == "new"}
    assert encodings == {"unicode-text.csv": "utf-16", "no-bom.csv": "utf-16-le"}
    assert "sheet.csv: cannot read the list: binary data, not a CSV file: an .xlsx workbook" in items["sheet.csv"].error
    assert "save it as CSV UTF-8" in items["sheet.csv"].error
    assert "xlsx" not in items["image.csv"].error and "binary data, not a CSV file" in items["image.csv"].error
    pipeline.extract_pending(engine)
    people = {c.name_ar: (c.sex, c.age, c.death_governorate) for c in candidates(engine).values()}
    assert people == {"محمد أحمد الحسين": ("male", 35, "Idlib"), "فاطمة علي": ("female", 28, "Homs"),
                      "خالد إبراهيم": ("male", 41, "Hama")}
