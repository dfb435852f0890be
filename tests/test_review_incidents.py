"""The incident pages of the review app (review/incidents.py) over HTTP: the queue of reports
to read, the reading page with its highlights, decisions, adding a missed victim, the archived
incident and its anonymous count, and bad input answered with a message."""

from __future__ import annotations

import re

from sqlalchemy import select

from tawthiq.db.engine import session_scope
from tawthiq.db.models import Candidate, Incident, IncidentTask, RawItem, ReviewTask

from .test_pipeline import queue_folder
from .test_review import app, csrf_of, login  # noqa: F401 - the app fixture is used by name

__all__ = ["app"]


def _task_for(engine, external_id: str) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        from tawthiq.db.models import IncidentReport

        return session.scalar(select(IncidentTask.id).join(IncidentReport).join(RawItem)
                              .where(RawItem.external_id.like(f"%{external_id}")))


def test_an_unnamed_report_is_in_the_queue_and_its_page_highlights_the_counts(app, engine) -> None:  # noqa: F811
    client = login(app, "amal")
    listing = client.get("/incidents")
    assert listing.status_code == 200 and 'id="incident-queue"' in listing.text
    assert int(re.search(r'id="incidents-open">(\d+)<', listing.text).group(1)) >= 2
    task_id = _task_for(engine, "maarrat-shelling-unnamed-ar.txt")
    page = client.get(f"/incidents/{task_id}")
    assert page.status_code == 200
    assert '<mark class="killed">' in page.text and "خمسة مدنيين" in page.text
    assert 'id="killed_min" value="5"' in page.text and 'id="children_killed" value="2"' in page.text
    # Opening a report does not claim it.
    with session_scope(engine) as session:
        assert session.get(IncidentTask, task_id).claimed_by_id is None


def test_confirm_a_new_incident_then_add_a_victim_the_text_names(app, engine) -> None:  # noqa: F811
    client = login(app, "amal")
    task_id = _task_for(engine, "jisr-landmine-unnamed.txt")
    page = client.get(f"/incidents/{task_id}")
    token = csrf_of(page.text)
    form = {"csrf_token": token, "killed_min": "3", "killed_max": "4", "children_killed": "", "women_killed": "2",
            "injured_min": "1", "injured_max": "1", "date": "2024-03-13", "governorate": "Idlib", "locality": "Jisr al-Shughur",
            "perpetrator": "unidentified", "cause": "landmine", "action": "new_incident"}
    response = client.post(f"/incidents/{task_id}/decide", data=form, follow_redirects=False)
    assert response.status_code == 303
    with session_scope(engine) as session:
        incident = session.scalar(select(Incident))
        assert (incident.killed_min, incident.killed_max, incident.women_killed, incident.locality) == (3, 4, 2, "Jisr al-Shughur")
        incident_id = incident.id
    archived = client.get(f"/incident/{incident_id}")
    assert re.search(r'id="anonymous">3–4<', archived.text) and "Jisr al-Shughur" in archived.text
    # The same report is decided: a second decision is refused with a message, not a 500.
    again = client.post(f"/incidents/{task_id}/decide", data=form, follow_redirects=False)
    assert again.status_code == 409 and "already decided" in again.text


def test_add_a_missed_victim_from_the_text_goes_to_the_people_queue(app, engine) -> None:  # noqa: F811
    client = login(app, "amal")
    task_id = _task_for(engine, "maarrat-shelling-unnamed-ar.txt")
    token = csrf_of(client.get(f"/incidents/{task_id}").text)
    response = client.post(f"/incidents/{task_id}/add-victim", data={
        "csrf_token": token, "name": "سامر خالد الحسين", "evidence": "قتل خمسة مدنيين بينهم سامر خالد الحسين",
        "sex": "male", "age": "", "date": "", "governorate": "Idlib", "locality": "Maarrat al-Numan",
        "perpetrator": "syrian_regime", "cause": "shelling"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/item/")
    with session_scope(engine) as session:
        added = session.scalar(select(Candidate).where(Candidate.extractor == "documenter"))
        assert added.name_ar == "سامر خالد الحسين" and added.full_name and added.incident_report_id is not None
        assert (added.date_of_death, added.death_locality, added.perpetrator, added.cause) == (
            "2024-03-15", "Maarrat al-Numan", "syrian_regime", "shelling")
        assert session.scalar(select(ReviewTask).where(ReviewTask.candidate_id == added.id)).state == "open"
    item = client.get(response.headers["location"])
    assert item.status_code == 200 and "سامر خالد الحسين" in item.text


def test_bad_counts_and_bad_numbers_get_a_message(app, engine) -> None:  # noqa: F811
    client = login(app, "amal")
    task_id = _task_for(engine, "jisr-landmine-unnamed.txt")
    token = csrf_of(client.get(f"/incidents/{task_id}").text)
    bad = client.post(f"/incidents/{task_id}/decide", data={"csrf_token": token, "killed_min": "many", "action": "new_incident"})
    assert bad.status_code == 400 and "is not a count" in bad.text
    same = client.post(f"/incidents/{task_id}/decide", data={"csrf_token": token, "incident_id": "abc", "action": "same_incident"})
    assert same.status_code == 400 and "not an incident number" in same.text
    missing = client.post(f"/incidents/{task_id}/decide", data={"csrf_token": token, "incident_id": "999", "action": "same_incident"})
    assert missing.status_code == 409 and "does not exist" in missing.text
    assert client.get("/incidents/999999").status_code == 404
    assert client.get("/incident/999999").status_code == 404
    empty = client.post(f"/incidents/{task_id}/add-victim", data={"csrf_token": token, "name": " "})
    assert empty.status_code == 409 and "name" in empty.text


def test_the_incident_pages_in_arabic_read_right_to_left(app, engine) -> None:  # noqa: F811
    client = login(app, "amal")
    client.cookies.set("tawthiq_lang", "ar")
    page = client.get("/incidents")
    assert 'dir="rtl"' in page.text and "الحوادث" in page.text
    task_id = _task_for(engine, "maarrat-shelling-unnamed-ar.txt")
    reading = client.get(f"/incidents/{task_id}")
    assert 'id="source-text" class="source-text" dir="auto" lang="ar"' in reading.text and "أكّد الأعداد" in reading.text


def test_an_editor_undoes_an_incident_decision_from_its_page(app, engine) -> None:  # noqa: F811
    amal, chadi = login(app, "amal"), login(app, "chadi")
    task_id = _task_for(engine, "jisr-landmine-unnamed.txt")
    token = csrf_of(amal.get(f"/incidents/{task_id}").text)
    form = {"csrf_token": token, "killed_min": "3", "killed_max": "3", "date": "2024-03-13", "governorate": "Idlib",
            "locality": "Jisr al-Shughur", "perpetrator": "unidentified", "cause": "landmine", "action": "new_incident"}
    assert amal.post(f"/incidents/{task_id}/decide", data=form, follow_redirects=False).status_code == 303
    with session_scope(engine) as session:
        incident_id = session.scalar(select(Incident.id))
    page = chadi.get(f"/incident/{incident_id}")
    action = re.search(r'action="(/incident-decision/\d+/undo)"', page.text).group(1)
    undone = chadi.post(action, data={"csrf_token": csrf_of(page.text), "note": "another landmine"}, follow_redirects=False)
    assert undone.status_code == 303 and undone.headers["location"] == f"/incidents/{task_id}"
    with session_scope(engine) as session:
        assert session.get(Incident, incident_id).status == "retracted"
        task = session.get(IncidentTask, task_id)
        assert task.state == "open" and task.claimed_by_id is not None
    again = chadi.get(f"/incident/{incident_id}")
    assert 'action="/incident-decision/' not in again.text and "undone" in again.text


def test_bad_counts_and_places_are_refused_in_arabic() -> None:
    import pytest

    from tawthiq.db.incidents import parse_counts, parse_place
    from tawthiq.db.models import IncidentReport
    from tawthiq.errors import InvalidValue
    from tawthiq.review.app import review_message

    report = IncidentReport(killed=3, named_victims=0)
    cases = [
        (parse_counts, {"killed_min": "ثلاثة"}, "«ثلاثة» في حقل «القتلى، على الأقل» ليس عدداً صحيحاً"),
        (parse_counts, {"killed_min": "5", "killed_max": "2"}, "عدد القتلى: الحد الأعلى (2) أقل من الحد الأدنى (5)"),
        (parse_counts, {"killed_min": "2", "killed_max": "2", "children_killed": "4"}, "«أطفال قتلى» (4) أكثر من عدد القتلى (2)"),
        (parse_place, {"date": "قريباً"}, "«قريباً» في حقل «التاريخ» ليس تاريخاً"),
        (parse_place, {"governorate": "Gaza"}, "«Gaza» في حقل «المحافظة» ليست من المحافظات"),
    ]
    for parse, form, arabic in cases:
        with pytest.raises(InvalidValue) as refused:
            parse(form, report)
        assert arabic in review_message(refused.value, "ar")


def test_a_victim_added_to_an_item_whose_only_candidate_is_the_first(engine, tmp_path) -> None:
    from tawthiq.db import incidents
    from tawthiq.db.models import IncidentReport, User

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "one.txt").write_text("استشهد الطفل سامر إبراهيم المصري وشاب آخر إثر قصف مدفعي على بلدة سرمين بريف إدلب.\n",
                                   encoding="utf-8")
    queue_folder(engine, inbox)
    with session_scope(engine) as session:
        amal = session.scalar(select(User).where(User.username == "amal"))
        report = session.scalar(select(IncidentReport))
        assert [c.seq for c in session.scalars(select(Candidate).where(Candidate.raw_item_id == report.raw_item_id))] == [0]
        added = incidents.add_victim_candidate(session, report, amal, "محمد خالد الأحمد", "selected in the text", {})
        assert added.seq == 1  # was 0 again, and the unique constraint refused it
