"""The built-in family form (sources/webform.py, review/family_form.py) through the review
app's real HTTP interface, and the XLSForm shipped for KoboToolbox and ODK Central."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tawthiq import pipeline
from tawthiq.db import repo
from tawthiq.db.engine import session_scope
from tawthiq.db.models import Attachment, Candidate, RawItem, SubmitterContact
from tawthiq.extractors.forms import DEFAULT_MAPPING, SUBMITTER_FIELDS
from tawthiq.review import family_form
from tawthiq.review.app import create_app
from tawthiq.sources.webform import QUESTIONS, Upload, parse_form_date, validate_submission

from .formservers import JPEG

ARABIC_FORM = {
    "victim_name": "محمد أحمد الحسين",
    "victim_name_other": "Mohammad Ahmad al-Hussein",
    "father_name": "أحمد",
    "sex": "male",
    "age": "٣٥",
    "date_of_death": "15/12/2023",
    "death_governorate": "idlib",
    "death_locality": "أريحا",
    "cause": "airstrike",
    "perpetrator": "russian_forces",
    "died_in_detention": "no",
    "account": "قُتل في غارة جوية على السوق.",
    "submitter_relation": "sibling",
    "submitter_name": "فاطمة",
    "submitter_contact": "+963 944 000 111",
    "consent_follow_up": "yes",
}


@pytest.fixture
def client(engine, database_url):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        repo.add_source(session, "form", "families", {})
    family_form.limiter = family_form.RateLimiter()
    with TestClient(create_app(database_url)) as test_client:
        yield test_client


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def post(client: TestClient, data: dict, files: dict | None = None, lang: str = "ar"):  # type: ignore[no-untyped-def]
    page = client.get(f"/submit/families?lang={lang}")
    return client.post(f"/submit/families?lang={lang}", data={**data, "csrf_token": csrf(page.text), "lang": lang},
                       files=files, follow_redirects=False)


def test_validation_messages_in_the_family_language() -> None:
    checked = validate_submission({"victim_name": "123", "sex": "other", "age": "٢٠٠", "date_of_death": "31/02/2023",
                                   "death_governorate": "idlib", "submitter_relation": "sibling", "consent_follow_up": "yes"},
                                  [Upload("photo_1", "x.exe", b"MZ\x90\x00")], "ar")
    assert checked.errors == {
        "victim_name": "اكتب الاسم بالحروف.", "sex": "اختر أحد الخيارات.",
        "age": "اكتب العمر بالسنوات رقماً بين 0 و120.", "date_of_death": "اكتب التاريخ بالشكل يوم/شهر/سنة أو سنة-شهر-يوم.",
        "photo_1": "أرفق صورة (JPEG أو PNG أو WebP) أو ملف PDF."}
    english = validate_submission({}, [], "en")
    assert english.errors["victim_name"] == "This answer is needed."
    assert english.errors["date_of_death"] == "Give the date of death, exact or approximate."
    future = validate_submission({**ARABIC_FORM, "date_of_death": (dt.date.today() + dt.timedelta(days=3)).isoformat()}, [], "en")
    assert future.errors == {"date_of_death": "This date is in the future."}


def test_dates_as_people_write_them() -> None:
    assert parse_form_date("15/12/2023") == dt.date(2023, 12, 15)
    assert parse_form_date("١٥/١٢/٢٠٢٣") == dt.date(2023, 12, 15)
    assert parse_form_date("2023-12-15") == dt.date(2023, 12, 15)
    assert parse_form_date("12/15/2023") is None and parse_form_date("yesterday") is None


def test_form_in_arabic_right_to_left(client: TestClient) -> None:
    page = client.get("/submit/families")
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text and "الاسم الكامل للضحية" in page.text
    assert 'name="website"' in page.text  # honeypot present
    english = client.get("/submit/families?lang=en")
    assert '<html lang="en" dir="ltr">' in english.text and "Victim&#39;s full name" in english.text
    assert client.get("/submit", follow_redirects=False).headers["location"] == "/submit/families"
    assert client.get("/submit/nope").status_code == 404


def test_submission_stored_raw_with_receipt_and_extracted(engine, client: TestClient) -> None:
    response = post(client, ARABIC_FORM, files={"photo_1": ("صورة.jpg", JPEG, "image/jpeg")})
    assert response.status_code == 303
    receipt_page = client.get(response.headers["location"])
    receipt = re.search(r"TQ-[A-Z2-9]{4}-[A-Z2-9]{4}", receipt_page.text).group(0)
    assert "شكراً لك" in receipt_page.text
    with session_scope(engine) as session:
        item = session.scalar(select(RawItem))
        assert item.external_id == receipt and item.state == "new"
        assert b"+963" not in item.content and "فاطمة".encode() not in item.content
        assert session.scalar(select(SubmitterContact)).consent_follow_up is True
        attachment = session.scalar(select(Attachment))
        assert attachment.content == JPEG and attachment.media_type == "image/jpeg" and attachment.name.endswith(".jpg")
    assert pipeline.pull_source(engine, "families").error is None  # a pull has nothing to fetch
    pipeline.extract_pending(engine)
    with session_scope(engine) as session:
        candidate = session.scalar(select(Candidate))
    assert (candidate.name_ar, candidate.full_name, candidate.age, candidate.date_of_death) == (
        "محمد أحمد الحسين", "Mohammad Ahmad al-Hussein", 35, "2023-12-15")
    assert (candidate.death_governorate, candidate.cause, candidate.perpetrator) == ("Idlib", "airstrike", "russian_forces")


def test_errors_keep_the_answers(engine, client: TestClient) -> None:
    response = post(client, {**ARABIC_FORM, "victim_name": "", "age": "كثير"})
    assert response.status_code == 422
    assert "هذه الإجابة مطلوبة." in response.text and "اكتب العمر بالسنوات" in response.text
    assert "أريحا" in response.text  # what the family typed is still there
    with session_scope(engine) as session:
        assert session.scalar(select(RawItem)) is None


def test_csrf_required(engine, client: TestClient) -> None:
    client.get("/submit/families")
    response = client.post("/submit/families", data={**ARABIC_FORM, "csrf_token": "forged"})
    assert response.status_code == 403 and "انتهت صلاحية الصفحة" in response.text
    with session_scope(engine) as session:
        assert session.scalar(select(RawItem)) is None


def test_honeypot_is_stored_but_set_aside(engine, client: TestClient) -> None:
    assert post(client, {**ARABIC_FORM, "website": "http://spam.example"}).status_code == 303
    with session_scope(engine) as session:
        item = session.scalar(select(RawItem))
        assert item.state == "failed" and "anti-spam field was filled" in item.error


def test_rate_limit_per_address(engine, client: TestClient) -> None:
    with session_scope(engine) as session:
        repo.get_source(session, "families").settings = {"rate_limit_per_hour": 2}
    assert [post(client, ARABIC_FORM).status_code for _ in range(3)] == [303, 303, 429]
    with session_scope(engine) as session:
        assert len(session.scalars(select(RawItem)).all()) == 2


def test_upload_limits(client: TestClient) -> None:
    too_big = post(client, ARABIC_FORM, files={"photo_1": ("big.jpg", JPEG + b"\x00" * (5 * 1024 * 1024), "image/jpeg")}, lang="en")
    assert too_big.status_code == 422 and "at most 5 MB" in too_big.text
    disguised = post(client, ARABIC_FORM, files={"photo_1": ("x.jpg", b"<html><script>alert(1)</script>", "image/jpeg")}, lang="en")
    assert disguised.status_code == 422 and "Attach a photo" in disguised.text
    huge = client.post("/submit/families", content=b"x" * 10, headers={"Content-Length": str(200 * 1024 * 1024),
                                                                       "Content-Type": "multipart/form-data; boundary=x"})
    assert huge.status_code == 413 and "البلاغ أكبر من أن يُستقبل" in huge.text  # in the form's language


def test_a_chunked_upload_is_bounded_too(client: TestClient, monkeypatch) -> None:
    """A body sent in chunks declares no size: it is counted as it arrives and refused once
    over the limit, with the message in the family's language."""
    monkeypatch.setattr(family_form, "MAX_REQUEST_BYTES", 8 * 1024 * 1024)

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b"x" * (1024 * 1024)

    refused = client.post("/submit/families?lang=en", content=chunks(),
                          headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert refused.status_code == 413 and "too large to receive" in refused.text


def test_a_photo_far_over_its_limit_comes_back_with_the_answers_and_the_other_photos(engine, client: TestClient) -> None:
    """A 40 MB photo (what some phones take) is cut at its limit as it arrives: the family
    gets their answers back, the message, and the photo that was fine kept."""
    big = JPEG + b"\x00" * (40 * 1024 * 1024)
    response = post(client, ARABIC_FORM, files={"photo_1": ("بيت.jpg", JPEG, "image/jpeg"),
                                                "photo_2": ("كبيرة.jpg", big, "image/jpeg")})
    assert response.status_code == 422 and "الحد الأقصى لكل ملف 5 ميغابايت" in response.text
    assert "أريحا" in response.text and 'id="kept-photo_1"' in response.text and 'id="kept-photo_2"' not in response.text


def test_photos_are_kept_while_answers_come_back_for_a_correction(engine, client: TestClient) -> None:
    first = post(client, {**ARABIC_FORM, "age": "كثير"}, files={"photo_1": ("بيت.jpg", JPEG, "image/jpeg")})
    assert first.status_code == 422 and 'id="kept-photo_1"' in first.text and "أريحا" in first.text
    token = re.search(r'name="upload_token" value="([^"]+)"', first.text).group(1)
    again = client.post("/submit/families?lang=ar", data={**ARABIC_FORM, "csrf_token": csrf(first.text), "lang": "ar",
                                                           "upload_token": token}, follow_redirects=False)
    assert again.status_code == 303  # corrected, the photo not attached again
    with session_scope(engine) as session:
        attachment = session.scalar(select(Attachment))
        assert attachment is not None and attachment.content == JPEG
        from tawthiq.db.models import PendingUpload

        assert session.scalar(select(PendingUpload)) is None  # joined to the submission, no longer pending


def test_pending_photos_have_a_global_cap(engine, client: TestClient, monkeypatch) -> None:
    monkeypatch.setenv("TAWTHIQ_PENDING_UPLOADS_MB", "0")
    response = post(client, {**ARABIC_FORM, "age": "كثير"}, files={"photo_1": ("بيت.jpg", JPEG, "image/jpeg")})
    assert response.status_code == 422 and "تعذّر حفظ صورك" in response.text and 'id="kept-photo_1"' not in response.text


def test_identical_submissions_are_grouped(engine, client: TestClient) -> None:
    first = post(client, ARABIC_FORM)
    second = post(client, ARABIC_FORM)  # the family pressed send twice
    assert first.status_code == second.status_code == 303
    receipt = first.headers["location"].rsplit("/", 1)[-1].split("?")[0]
    assert f"/receipt/{receipt}" in second.headers["location"] and "again=1" in second.headers["location"]
    assert "وصلنا هذا البلاغ نفسه من قبل" in client.get(second.headers["location"]).text
    different = post(client, {**ARABIC_FORM, "age": "36"})
    assert different.status_code == 303 and "again=1" not in different.headers["location"]
    with session_scope(engine) as session:
        items = session.scalars(select(RawItem).order_by(RawItem.id)).all()
        assert [i.state for i in items] == ["new", "skipped", "new"]  # stored, never lost; grouped
        assert items[1].meta["duplicate_of"] == receipt and f"identical to submission {receipt}" in items[1].error
        # Found by the indexed column, not by reading every submission's metadata.
        assert items[0].fingerprint == items[1].fingerprint == items[0].meta["fingerprint"] != items[2].fingerprint


def test_cli_adds_form_source(database_url: str) -> None:
    from click.testing import CliRunner

    from tawthiq.cli import cli

    result = CliRunner().invoke(cli, ["sources", "add", "form", "families", "--language", "en"])
    assert result.exit_code == 0 and "/submit/families" in result.output


# --- the XLSForm -------------------------------------------------------------------------

SHIPPED = Path(__file__).resolve().parents[1] / "tawthiq" / "forms" / "family_form.xlsx"


def xlsform_names() -> dict[str, str]:
    from openpyxl import load_workbook

    sheet = load_workbook(SHIPPED, read_only=True)["survey"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    name, kind = header.index("name"), header.index("type")
    return {str(row[name]): str(row[kind]) for row in rows[1:] if row[name]}


def test_xlsform_question_names_match_the_default_mapping() -> None:
    names = xlsform_names()
    for field, questions in DEFAULT_MAPPING.items():
        assert questions[0] in names, f"default mapping reads {field} from {questions[0]!r}, which the form does not ask"
    data_questions = {n for n, t in names.items() if t not in ("begin_group", "start", "end", "image", "file")}
    mapped = {q for qs in DEFAULT_MAPPING.values() for q in qs}
    assert data_questions <= mapped | set(SUBMITTER_FIELDS), data_questions - mapped - set(SUBMITTER_FIELDS)
    assert {q.name for q in QUESTIONS} <= set(names)


def test_shipped_xlsform_is_current_and_converts(tmp_path: Path) -> None:
    from openpyxl import load_workbook
    from pyxform.xls2xform import convert

    from tawthiq.sources.webform import write_xlsform

    fresh = tmp_path / "family_form.xlsx"
    write_xlsform(str(fresh))
    def cells(path: Path) -> list:
        book = load_workbook(path, read_only=True)
        return [list(book[name].iter_rows(values_only=True)) for name in ("survey", "choices", "settings")]
    assert cells(fresh) == cells(SHIPPED), "regenerate with `tawthiq xlsform tawthiq/forms/family_form.xlsx`"
    result = convert(xlsform=str(SHIPPED))
    assert result.warnings == []
    assert "<victim_name/>" in result.xform and "ريف دمشق" in result.xform


def test_cli_writes_the_xlsform(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tawthiq.cli import cli

    out = tmp_path / "form.xlsx"
    result = CliRunner().invoke(cli, ["xlsform", str(out)])
    assert result.exit_code == 0 and out.stat().st_size > 5000


def test_documenters_see_the_familys_account_and_photos_and_two_families_are_two_sources(engine, client: TestClient) -> None:
    from tawthiq.db import archive
    from tawthiq.db.models import ReviewTask, User, Victim

    assert post(client, ARABIC_FORM, files={"photo_1": ("صورة.jpg", JPEG, "image/jpeg")}).status_code == 303
    cousin = {**ARABIC_FORM, "submitter_relation": "other", "submitter_name": "خالد", "submitter_contact": "+963 955 000 222",
              "account": "ابن عمي محمد قُتل في الغارة على سوق أريحا ظهر ذلك اليوم."}
    assert post(client, cousin).status_code == 303
    for step in (pipeline.extract_pending, pipeline.match_pending, pipeline.queue_pending):
        step(engine)
    with session_scope(engine) as session:
        repo.add_user(session, "amal", "a long password", "documenter")
        tasks = session.scalars(select(ReviewTask).order_by(ReviewTask.id)).all()
        assert len(tasks) == 2
        first, second = tasks[0].id, tasks[1].id
    login = client.get("/login")
    client.post("/login", data={"username": "amal", "password": "a long password", "next": "/", "csrf_token": csrf(login.text)})
    page = client.get(f"/item/{first}")
    assert 'id="account"' in page.text and "قُتل في غارة جوية على السوق." in page.text
    assert "+963" not in page.text and "فاطمة" not in page.text  # the submitter's details stay encrypted apart
    photo = re.search(r'<img src="(/attachment/\d+)"', page.text).group(1)
    served = client.get(photo)
    assert served.content == JPEG and served.headers["content-type"] == "image/jpeg"
    assert served.headers["content-security-policy"] == "sandbox"
    with session_scope(engine) as session:
        amal = session.scalar(select(User).where(User.username == "amal"))
        victim_id = archive.decide(session, session.get(ReviewTask, first), amal, "new_victim").victim_id
        archive.decide(session, session.get(ReviewTask, second), amal, "same_as", victim_id=victim_id)
        assert archive.independent_sources(session, session.get(Victim, victim_id)) == 2  # two families, two witnesses
