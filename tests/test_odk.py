"""The ODK Central connector (sources/odk.py) through the real pipeline against a local
Central stand-in: session and Basic auth, OData paging by opaque nextLink, the
submissionDate/updatedAt filter over several runs, edits as new versions of one submission,
nested groups, attachments and faults."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tawthiq import pipeline
from tawthiq.db import repo
from tawthiq.db.engine import session_scope
from tawthiq.db.models import Attachment, Candidate, RawItem, Source

from .formservers import JPEG, OdkServer

FAST = {"delay": 0, "timeout": 2, "retries": 1, "backoff": 0.01}
VICTIM = {"victim_name": "خالد إبراهيم الصالح", "victim_name_other": "Khaled Ibrahim al-Saleh", "sex": "male", "age": 41}
DEATH = {"date_of_death": "2021-02-11", "death_governorate": "deir_ez_zour", "death_locality": "Theyban", "cause": "shooting",
         "perpetrator": "sdf"}
SUBMITTER = {"submitter_relation": "child", "submitter_name": "Ibrahim", "submitter_contact": "ibrahim@example.org",
             "consent_follow_up": "no"}


@pytest.fixture
def odk(monkeypatch: pytest.MonkeyPatch) -> Iterator[OdkServer]:
    server = OdkServer()
    server.start()
    monkeypatch.setenv("ODK_USER", OdkServer.EMAIL)
    monkeypatch.setenv("ODK_PASSWORD", OdkServer.PASSWORD)
    yield server
    server.stop()


def add_odk(engine, server: OdkServer, **settings) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        repo.add_source(session, "odk", "odk", {"url": server.base, "project": OdkServer.PROJECT, "form": OdkServer.FORM,
                                                "user_env": "ODK_USER", "password_env": "ODK_PASSWORD", **FAST, **settings})


def submit(server: OdkServer, when: str, photo: bytes | None = None, **victim) -> dict:  # type: ignore[no-untyped-def]
    sub = server.add({**VICTIM, **victim}, dict(SUBMITTER), when, photo=photo)
    sub["group_death"] = dict(DEATH)
    return sub


def test_session_paging_and_incremental_filter(engine, odk: OdkServer) -> None:
    for day in range(1, 6):
        submit(odk, f"2024-05-0{day}T08:00:00.000Z", victim_name=f"خالد الصالح {day}")
    add_odk(engine, odk, page_size=2)
    first = pipeline.pull_source(engine, "odk")
    assert (first.new, first.error) == (5, None)
    assert len(odk.hits("/v1/sessions")) == 1
    pages = odk.hits(f"{odk.form_path}.svc/Submissions")
    assert len(pages) == 3 and "%24skiptoken" in pages[1].path.replace("$", "%24")
    assert all(p.headers["authorization"].startswith("Bearer ") for p in pages)
    with session_scope(engine) as session:
        assert session.scalar(select(Source)).cursor["watermark"] == "2024-05-05T08:00:00.000Z"
    submit(odk, "2024-05-07T08:00:00.000Z", victim_name="Omar")
    second = pipeline.pull_source(engine, "odk")
    assert (second.new, second.unchanged) == (1, 1)
    assert "__system%2FsubmissionDate%20ge%202024-05-05T08%3A00%3A00.000Z" in odk.hits(f"{odk.form_path}.svc/Submissions")[-1].path


def test_edit_is_a_new_version_of_the_same_submission(engine, odk: OdkServer) -> None:
    sub = submit(odk, "2024-05-01T08:00:00.000Z")
    add_odk(engine, odk)
    pipeline.pull_source(engine, "odk")
    pipeline.extract_pending(engine)
    sub["__system"]["reviewState"] = "hasIssues"  # a documenter's comment on Central is not an edit
    assert pipeline.pull_source(engine, "odk").new == 0
    odk.edit(sub, "group_victim", age=42)
    assert pipeline.pull_source(engine, "odk").new == 1
    with session_scope(engine) as session:
        versions = list(session.scalars(select(RawItem).order_by(RawItem.version)))
        assert [v.external_id for v in versions] == [sub["__id"]] * 2
        assert versions[1].supersedes_id == versions[0].id and versions[1].version == 2
    pipeline.extract_pending(engine)
    with session_scope(engine) as session:
        states = {c.age: c.state for c in session.scalars(select(Candidate))}
    assert states[42] == "new" and states[41] == "superseded"


def test_nested_groups_attachments_and_encryption(engine, odk: OdkServer) -> None:
    submit(odk, "2024-05-01T08:00:00.000Z", photo=JPEG)
    add_odk(engine, odk)
    assert pipeline.pull_source(engine, "odk").new == 1
    with session_scope(engine) as session:
        item = session.scalar(select(RawItem))
        assert b"ibrahim@example.org" not in item.content
        assert json.loads(item.content)["group_victim"]["victim_name"] == VICTIM["victim_name"]
        [attachment] = session.scalars(select(Attachment))
        assert attachment.name == "photo_1.jpg" and attachment.content == JPEG
    pipeline.extract_pending(engine)
    with session_scope(engine) as session:
        candidate = session.scalar(select(Candidate))
    assert (candidate.full_name, candidate.name_ar, candidate.death_governorate) == (
        "Khaled Ibrahim al-Saleh", "خالد إبراهيم الصالح", "Deir Ez-Zour")


def test_basic_auth(engine, odk: OdkServer) -> None:
    submit(odk, "2024-05-01T08:00:00.000Z")
    add_odk(engine, odk, auth="basic")
    assert pipeline.pull_source(engine, "odk").new == 1
    assert not odk.hits("/v1/sessions")


def test_wrong_password_is_a_clear_auth_error(engine, odk: OdkServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ODK_PASSWORD", "not-it")
    add_odk(engine, odk)
    error = pipeline.pull_source(engine, "odk").error
    assert "/v1/sessions refused the credentials (HTTP 401)" in error and "not-it" not in error


def test_session_endpoint_throttled_then_ok(engine, odk: OdkServer) -> None:
    submit(odk, "2024-05-01T08:00:00.000Z")
    odk.faults.add("/v1/sessions", (429, {"Retry-After": "0", "Content-Type": "application/json"}, b'{"message":"Too many requests"}'))
    add_odk(engine, odk)
    assert pipeline.pull_source(engine, "odk").new == 1


def test_unsupported_filter_and_server_errors(engine, odk: OdkServer) -> None:
    submit(odk, "2024-05-01T08:00:00.000Z")
    add_odk(engine, odk)
    odk.faults.add(f"{odk.form_path}.svc", (500, {"Content-Type": "application/json"}, b'{"message":"Internal Server Error"}'), times=2)
    summary = pipeline.pull_source(engine, "odk")
    assert "HTTP 500" in summary.error
    with session_scope(engine) as session:
        assert session.scalar(select(Source)).status == "failing"
    assert pipeline.pull_source(engine, "odk").new == 1
    with session_scope(engine) as session:
        assert session.scalar(select(Source)).status == "ok"


def test_cli_needs_all_odk_options(database_url: str) -> None:
    from click.testing import CliRunner

    from tawthiq.cli import cli

    ok = CliRunner().invoke(cli, ["sources", "add", "odk", "central", "--url", "https://central.example.org", "--project", "3",
                                  "--form", "tawthiq_family_form", "--user-env", "ODK_USER", "--password-env", "ODK_PASSWORD"])
    assert ok.exit_code == 0, ok.output
    bad = CliRunner().invoke(cli, ["sources", "add", "odk", "c2", "--url", "https://central.example.org", "--project", "3", "--form", "x"])
    assert bad.exit_code == 2 and "--user-env" in bad.output
