"""The review app in a real browser: Debian's Chromium driven by Playwright against
``tawthiq review`` started in a subprocess on a free port (datasette's pattern).

Screenshots of the queue and item pages go to ``test-artifacts/``. Without Chromium these tests
skip and say so, except under CI, where they must run.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from sqlalchemy import select

from tawthiq.db.engine import create_db_engine, session_scope
from tawthiq.db.models import Attachment, Candidate, RawItem

from .conftest import IN_CI, DatabaseSnapshots, _pg_admin_url, create_pg_database, drop_pg_database, sqlite_database
from .test_review import PASSWORD, load_queue

if TYPE_CHECKING:
    from playwright.sync_api import Dialog

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

if not CHROMIUM.exists():
    if IN_CI:
        raise RuntimeError("CI needs Debian's Chromium at /usr/bin/chromium (apt-get install -y chromium)")
    pytest.skip("browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install -y chromium)",
                allow_module_level=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "headless": True,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path, pg_template: str | None, sqlite_template: Path,
           database_snapshots: DatabaseSnapshots) -> Iterator[tuple[str, str]]:
    """A database with the demo queue and four users, served by ``tawthiq review``;
    yields ``(base_url, database_url)``."""
    pg = _pg_admin_url()
    name = None
    if pg and pg_template:
        name = f"tawthiq_b{os.getpid()}_{uuid.uuid4().hex[:8]}"
        url = create_pg_database(pg, name, template=pg_template)
    else:
        url = sqlite_database(sqlite_template, tmp_path / "tawthiq.db")
    database_snapshots.restore(url, load_queue)  # load_queue's database, built once per session
    port = free_port()
    env = {**os.environ, "TAWTHIQ_DATABASE_URL": url}
    command = [str(Path(sys.executable).parent / "tawthiq"), "review", "--port", str(port)]
    process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"tawthiq review did not start: {process.stdout.read().decode(errors='replace')}")
        time.sleep(0.1)
    yield base, url
    process.terminate()
    process.wait(10)
    if name:
        drop_pg_database(pg, name)


def login(page, base: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/")
    assert "/login" in page.url
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{base}/")


def item_id(url: str) -> int:
    match = re.search(r"/item/(\d+)", url)
    assert match, f"not an item page: {url}"
    return int(match.group(1))


def test_log_in_claim_and_decide_with_the_keyboard(server, page) -> None:  # type: ignore[no-untyped-def]
    base, _ = server
    ARTIFACTS.mkdir(exist_ok=True)
    login(page, base, "amal")
    assert page.locator("#count-open").inner_text().isdigit()
    page.screenshot(path=str(ARTIFACTS / "queue.png"), full_page=True)
    page.click("#start")
    page.wait_for_url(re.compile(r".*/item/\d+.*"))
    first = item_id(page.url)
    page.screenshot(path=str(ARTIFACTS / "item.png"), full_page=True)
    assert page.locator("blockquote").first.inner_text().strip()  # the evidence is shown

    page.keyboard.press("n")  # new victim; the next item loads at once
    page.wait_for_url(lambda url: "/item/" in url and item_id(url) != first)
    second = item_id(page.url)
    page.keyboard.press("u")  # defer
    page.wait_for_url(lambda url: "/item/" in url and item_id(url) not in (first, second))
    third = item_id(page.url)
    page.keyboard.press("r")  # not a victim: choose the reason, then Enter
    page.select_option("#reason", "injured")
    page.press("#reason", "Enter")
    page.wait_for_url(lambda url: "/item/" in url and item_id(url) not in (first, second, third))
    page.keyboard.press("p")  # back to the previous decision
    page.wait_for_url(f"{base}/item/{third}")
    assert "Not a victim" in page.locator("body").inner_text()


def key(page, code: str, typed: str) -> None:  # type: ignore[no-untyped-def]
    """Press the key at ``code`` as a browser does under a layout where it types ``typed``."""
    page.evaluate("([code, key]) => document.dispatchEvent(new KeyboardEvent('keydown', {code, key, bubbles: true}))",
                  [code, typed])


def test_shortcuts_work_under_an_arabic_layout_and_z_undoes(server, page) -> None:  # type: ignore[no-untyped-def]
    base, _ = server
    login(page, base, "bassel")
    page.click("#start")
    page.wait_for_url(re.compile(r".*/item/\d+.*"))
    first = item_id(page.url)
    key(page, "KeyN", "ى")  # the key marked n, under the Arabic layout
    page.wait_for_url(lambda url: "/item/" in url and item_id(url) != first)
    banner = page.locator("#last-decision")
    assert f"#{first}" in banner.inner_text() and page.locator("#undo-last").count() == 1
    key(page, "KeyZ", "ئ")  # undo it
    page.wait_for_url(f"{base}/item/{first}")
    assert "undone" in page.locator("#last-decision").inner_text()
    assert page.locator("#undo-last").count() == 0 and page.locator("#mine").count() == 1


def test_two_documenters_get_different_items(server, browser) -> None:  # type: ignore[no-untyped-def]
    base, _ = server
    pages = []
    for name in ("amal", "bassel"):
        context = browser.new_context()
        page = context.new_page()
        login(page, base, name)
        pages.append(page)
    for page in pages:
        page.click("#start")
    for page in pages:
        page.wait_for_url(re.compile(r".*/item/\d+.*"))
    assert item_id(pages[0].url) != item_id(pages[1].url)
    # bassel opening amal's item sees who has it and no buttons
    pages[1].goto(f"{base}/item/{item_id(pages[0].url)}")
    assert "amal" in pages[1].locator(".badge.warn").inner_text()
    assert pages[1].locator("form#new").count() == 0


def test_editor_merges_searches_and_undoes(server, browser) -> None:  # type: ignore[no-untyped-def]
    base, _ = server
    amal = browser.new_context().new_page()
    login(amal, base, "amal")
    amal.click("#start")
    for _ in range(2):
        amal.wait_for_url(re.compile(r".*/item/\d+.*"))
        current = amal.url
        amal.keyboard.press("n")
        amal.wait_for_url(lambda url, current=current: url != current)

    chadi = browser.new_context().new_page()
    login(chadi, base, "chadi")
    chadi.goto(f"{base}/archive")
    links = chadi.locator("a[href^='/victim/']")
    ids = sorted({int(h.split("/")[-1]) for h in links.evaluate_all("els => els.map(e => e.getAttribute('href'))")})
    assert len(ids) == 2
    chadi.goto(f"{base}/victim/{ids[0]}")
    assert chadi.locator("#corroboration").inner_text() == "single source"
    chadi.fill("input[name=merge_id]", str(ids[1]))
    chadi.click("form[action$='/merge'] button")
    chadi.wait_for_url(f"{base}/victim/{ids[0]}")
    assert "merged" in chadi.locator(".history").inner_text()
    chadi.locator("form[action$='/undo'] button").first.click()
    chadi.wait_for_url(re.compile(r".*/item/\d+"))
    assert "undo" in chadi.locator("body").inner_text()


def test_arabic_names_and_interface_render_right_to_left(server, page) -> None:  # type: ignore[no-untyped-def]
    base, _ = server
    login(page, base, "amal")
    arabic = page.locator("bdi[lang=ar]").first
    assert arabic.evaluate("el => getComputedStyle(el).direction") == "rtl"
    page.click("a.lang")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert "قائمة الانتظار" in page.locator("h1").inner_text()
    page.screenshot(path=str(ARTIFACTS / "queue-ar.png"), full_page=True)
    # An item in Arabic: vocabulary values in Arabic, a Latin name isolated left to right.
    page.locator("a[href^='/item/']").first.click()
    page.wait_for_url(re.compile(r".*/item/\d+"))
    assert page.evaluate("document.documentElement.dir") == "rtl"
    for label in ("الجهة المسؤولة", "السبب"):
        cell = page.locator("table.compare tr", has=page.locator("th", has_text=label)).locator("td.cand")
        assert not re.search(r"[A-Za-z]", cell.inner_text()), cell.inner_text()
    latin = page.locator("table.compare td.cand bdi").first
    assert latin.evaluate("el => getComputedStyle(el).unicodeBidi") == "isolate"
    page.screenshot(path=str(ARTIFACTS / "item-ar.png"), full_page=True)
    page.goto(f"{base}/archive?q=" + "مصطفى عجاج")
    assert page.locator("input[name=q]").input_value() == "مصطفى عجاج"


def test_hostile_submission_runs_no_script(server, page) -> None:  # type: ignore[no-untyped-def]
    base, url = server
    engine = create_db_engine(url)
    with session_scope(engine) as session:
        candidate = session.scalar(select(Candidate).join(RawItem).where(RawItem.external_id == "forms/hostile.json"))
        task_id, raw_id = candidate.review_task.id, candidate.raw_item_id
    engine.dispose()
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    login(page, base, "amal")
    for path in (f"/item/{task_id}", f"/raw/{raw_id}", "/"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert page.locator("main script, main img").count() == 0
        assert "<script>" in page.locator("main").inner_text() or path == "/"
    assert dialogs == [] and "evil.example" not in page.url


def test_family_submits_in_arabic_fixes_an_error_and_gets_a_receipt(server, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tawthiq.db import repo

    base, url = server
    engine = create_db_engine(url)
    with session_scope(engine) as session:
        repo.add_source(session, "form", "families", {})
    page.goto(f"{base}/submit/families")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.querySelector('form.family')).direction") == "rtl"
    page.fill("#q-victim_name", "محمد أحمد الحسين")
    page.select_option("#q-sex", "male")
    page.fill("#q-age", "٣٥")
    page.select_option("#q-death_governorate", "idlib")
    page.fill("#q-death_locality", "أريحا")
    page.select_option("#q-submitter_relation", "sibling")
    page.fill("#q-submitter_contact", "+963 944 000 111")
    page.select_option("#q-consent_follow_up", "yes")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 200)
    page.set_input_files("#q-photo_1", str(photo))
    page.click("form.family button[type=submit]")  # no date of death yet
    page.wait_for_selector("#e-date_of_death")
    assert page.locator("#e-date_of_death").inner_text() == "اذكر تاريخ الوفاة، دقيقاً أو تقريبياً."
    assert page.locator("#q-victim_name").input_value() == "محمد أحمد الحسين"  # answers kept
    page.screenshot(path=str(ARTIFACTS / "family-form-error-ar.png"), full_page=True)
    page.fill("#q-date_of_death", "2023-12-15")
    page.set_input_files("#q-photo_1", str(photo))
    page.click("form.family button[type=submit]")
    page.wait_for_selector(".receipt")
    receipt = page.locator(".receipt").inner_text()
    assert re.fullmatch(r"TQ-[A-Z2-9]{4}-[A-Z2-9]{4}", receipt)
    page.screenshot(path=str(ARTIFACTS / "family-form-receipt-ar.png"), full_page=True)
    with session_scope(engine) as session:
        item = session.scalar(select(RawItem).where(RawItem.external_id == receipt))
        assert item.state == "new" and b"944 000" not in item.content
        assert session.scalar(select(Attachment).where(Attachment.raw_item_id == item.id)).media_type == "image/jpeg"
    engine.dispose()


def test_incident_view_highlights_counts_and_a_selected_name_fills_the_victim_form(server, page) -> None:  # type: ignore[no-untyped-def]
    from tawthiq.db.models import IncidentReport, IncidentTask

    base, url = server
    engine = create_db_engine(url)
    with session_scope(engine) as session:
        task_id = session.scalar(select(IncidentTask.id).join(IncidentReport).join(RawItem)
                                 .where(RawItem.external_id.like("%maarrat-shelling-unnamed-ar.txt")))
    engine.dispose()
    ARTIFACTS.mkdir(exist_ok=True)
    login(page, base, "amal")
    page.goto(f"{base}/lang/ar")
    page.goto(f"{base}/incidents")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.goto(f"{base}/incidents/{task_id}")
    marks = page.locator("#source-text mark.killed")
    assert marks.count() >= 1 and "خمسة" in marks.first.inner_text()
    # Arabic text is laid out right to left: the first word's box is at the right of the block.
    direction = page.evaluate("getComputedStyle(document.getElementById('source-text')).direction")
    assert direction == "rtl"
    page.screenshot(path=str(ARTIFACTS / "incident-ar.png"), full_page=True)
    # A documenter selects a name in the text: the victim form fills in with it.
    page.evaluate("""() => {
        const box = document.getElementById('source-text');
        const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
        let node; while ((node = walker.nextNode())) { if (node.textContent.includes('معرة النعمان')) break; }
        const at = node.textContent.indexOf('معرة النعمان');
        const range = document.createRange(); range.setStart(node, at); range.setEnd(node, at + 'معرة النعمان'.length);
        const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
        box.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
    }""")
    assert page.input_value("#victim-name") == "معرة النعمان"
    assert page.input_value("#victim-evidence")
    assert page.input_value("#victim-locality") == "Maarrat al-Numan"  # pre-filled with the incident's place
    page.fill("#victim-name", "سامر خالد الحسين")
    page.click("#add-victim-button")
    page.wait_for_url(re.compile(rf"{re.escape(base)}/item/\d+"))
    assert "سامر خالد الحسين" in page.content()
    # Back on the report, confirm the counts as a new incident.
    page.goto(f"{base}/incidents/{task_id}")
    page.click("#new-incident")
    page.wait_for_url(re.compile(rf"{re.escape(base)}/incidents.*"))
    page.goto(f"{base}/incidents")
    assert page.locator("#incident-archive tbody tr").count() == 1
