"""Models and migrations on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from tawthiq.db import repo
from tawthiq.db.engine import (
    create_db_engine,
    current_revision,
    downgrade_database,
    get_database_url,
    migrate_database,
    session_scope,
)
from tawthiq.db.models import Base, RawItem, Source
from tawthiq.errors import ConfigError

from .conftest import create_pg_database, drop_pg_database, postgres_server_url


def _columns(engine):  # type: ignore[no-untyped-def]
    insp = inspect(engine)
    return {t: sorted(c["name"] for c in insp.get_columns(t)) for t in insp.get_table_names() if t != "alembic_version"}


def test_migrations_match_models(engine) -> None:
    expected = {t.name: sorted(c.name for c in t.columns) for t in Base.metadata.sorted_tables}
    assert _columns(engine) == expected
    assert current_revision(engine) is not None


def test_upgrade_from_empty_and_downgrade_on_sqlite(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert migrate_database(url) == migrate_database(url)  # idempotent
    downgrade_database(url, "base")
    engine = create_db_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_upgrade_from_empty_and_downgrade_on_postgresql() -> None:
    server = postgres_server_url()
    name = f"tawthiq_migration_test_{os.getpid()}"  # its own: the SQLite and PostgreSQL runs may share the server at once
    url = create_pg_database(server, name)
    try:
        migrate_database(url)
        engine = create_db_engine(url)
        assert "raw_items" in inspect(engine).get_table_names()
        engine.dispose()
        downgrade_database(url, "base")
        engine = create_db_engine(url)
        assert "raw_items" not in inspect(engine).get_table_names()
        engine.dispose()
    finally:
        drop_pg_database(server, name)


def test_default_database_is_sqlite_file_in_working_directory(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("TAWTHIQ_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert get_database_url() == f"sqlite:///{tmp_path / 'tawthiq.db'}"


def test_sqlite_pragmas(tmp_path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
    engine.dispose()


def test_store_raw_item_once_and_versions(engine) -> None:
    with session_scope(engine) as session:
        source = repo.add_source(session, "folder", "inbox", {"path": "/tmp"})
        first, created = repo.store_raw_item(session, source, external_id="a.json", content=b"{}", kind="form")
        assert created and first.version == 1
        again, created = repo.store_raw_item(session, source, external_id="a.json", content=b"{}", kind="form")
        assert not created and again.id == first.id
        second, created = repo.store_raw_item(session, source, external_id="a.json", content=b'{"x": 1}', kind="form")
        assert created and second.version == 2 and second.supersedes_id == first.id
    with session_scope(engine) as session:
        assert session.scalar(select(RawItem).where(RawItem.version == 2)).content == b'{"x": 1}'


def test_raw_item_uniqueness_is_enforced_by_the_database(engine) -> None:
    with session_scope(engine) as session:
        source = repo.add_source(session, "folder", "inbox", {"path": "/tmp"})
        source_id = source.id
    with pytest.raises(IntegrityError):
        with session_scope(engine) as session:
            for _ in range(2):
                session.add(RawItem(source_id=source_id, external_id="x", version=1, kind="form",
                                    content=b"1", content_sha256=repo.sha256(b"1")))
                session.flush()


def test_timestamps_come_back_aware_utc(engine) -> None:
    with session_scope(engine) as session:
        repo.add_source(session, "folder", "inbox", {"path": "/tmp"})
    with session_scope(engine) as session:
        created = session.scalar(select(Source)).created_at
    assert created.tzinfo is not None and created.utcoffset() == dt.timedelta(0)


def test_sources_refuse_secrets_and_duplicates(engine) -> None:
    with session_scope(engine) as session:
        with pytest.raises(ConfigError, match="looks like a secret"):
            repo.add_source(session, "kobo", "k", {"token": "abc"})
        repo.add_source(session, "kobo", "k", {"token_env": "KOBO_TOKEN"})
        with pytest.raises(ConfigError, match="already exists"):
            repo.add_source(session, "kobo", "k", {})
        with pytest.raises(ConfigError, match="no source named 'nope'"):
            repo.get_source(session, "nope")


def test_users_have_argon2_hashes(engine) -> None:
    with session_scope(engine) as session:
        user = repo.add_user(session, "amal", "correct horse", "editor")
        assert user.password_hash.startswith("$argon2")
        assert repo.verify_password(user.password_hash, "correct horse")
        assert not repo.verify_password(user.password_hash, "wrong")
        with pytest.raises(ConfigError, match="unknown role"):
            repo.add_user(session, "x", "longenough", "boss")


@pytest.mark.parametrize("revision, name, script, stale, same_as, expected", [
    # 0003: the key before a name's initial vowel was kept and محمود had its own key.
    ("0002", "أنس محمود", "arabic", "ns mhmd", "أنس محمود", "ans mhmd"),
    # 0004: the key 0003 stored for "Alloush", read as al- + "Loush".
    ("0003", "Samer Alloush", "latin", "smr lx", "سامر علوش", "smr alx"),
    # 0013: a Turkish final t read as د by the learnt lexicon and transliteration model.
    ("0012", "Mohamet Hassan", "latin", "mhmt hsn", "محمد حسن", "mhmd hsn"),
])
def test_upgrade_recomputes_stale_name_keys(tmp_path, revision: str, name: str, script: str, stale: str, same_as: str,
                                            expected: str) -> None:
    from sqlalchemy import text

    from tawthiq.dedupe import normalize_name

    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate_database(url, revision)
    engine = create_db_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO victims (id, full_name, perpetrator, cause, category, status, created_at, updated_at) "
                          "VALUES (1, :name, 'unknown', 'unknown', 'civilian', 'active', '2026-01-01', '2026-01-01')"), {"name": name})
        conn.execute(text("INSERT INTO victim_names (victim_id, name, script, key, active, created_at) "
                          "VALUES (1, :name, :script, :key, 1, '2026-01-01')"), {"name": name, "script": script, "key": stale})
    engine.dispose()
    migrate_database(url)
    engine = create_db_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT key FROM victim_names")).scalar() == normalize_name(same_as) == expected
    engine.dispose()


def test_upgrade_copies_submission_fingerprints_into_their_indexed_column(tmp_path) -> None:
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate_database(url, "0009")
    engine = create_db_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sources (id, name, kind, settings, cursor, enabled, status, created_at) "
                          "VALUES (1, 'family', 'form', '{}', '{}', 1, 'ok', '2026-01-01')"))
        for item_id, kind, meta in ((1, "form", '{"fingerprint": "ab12", "lang": "ar"}'), (2, "form", '{"lang": "en"}'),
                                    (3, "news", '{"fingerprint": "not a form"}'), (4, "form", "{}")):
            conn.execute(text("INSERT INTO raw_items (id, source_id, external_id, version, kind, content, content_sha256, "
                              "headers, meta, fetched_at, state, attempts) VALUES (:id, 1, :ext, 1, :kind, x'00', 'h', '{}', "
                              ":meta, '2026-01-01', 'new', 0)"), {"id": item_id, "ext": f"r{item_id}", "kind": kind, "meta": meta})
    engine.dispose()
    migrate_database(url)
    engine = create_db_engine(url)
    with engine.connect() as conn:
        assert dict(conn.execute(text("SELECT id, fingerprint FROM raw_items ORDER BY id")).all()) == {1: "ab12", 2: None, 3: None, 4: None}
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_0011_recomputes_keys_that_names_had_of_their_own(tmp_path, backend: str) -> None:
    """0011: Mahmoud, Hussein and Ayman no longer have keys of their own (0004 stored
    "mhmwd hsyn aymn"): the stored key becomes the one matching and search now compute."""
    from tawthiq.dedupe import normalize_name

    server = name = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        server = postgres_server_url()
        name = f"tawthiq_keys_0011_{os.getpid()}"
        url = create_pg_database(server, name)
    try:
        migrate_database(url, "0010")
        engine = create_db_engine(url)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO victims (id, full_name, perpetrator, cause, category, status, created_at, updated_at) "
                              "VALUES (1, 'Mahmoud Hussein Ayman', 'unknown', 'unknown', 'civilian', 'active', "
                              "'2026-01-01', '2026-01-01')"))
            conn.execute(text("INSERT INTO victim_names (victim_id, name, script, key, active, created_at) VALUES "
                              "(1, 'Mahmoud Hussein Ayman', 'latin', 'mhmwd hsyn aymn', :yes, '2026-01-01'), "
                              "(1, 'محمود حسين أيمن', 'arabic', 'mhmwd hsyn aymn', :yes, '2026-01-01')"), {"yes": True})
        engine.dispose()
        migrate_database(url)
        engine = create_db_engine(url)
        with engine.connect() as conn:
            keys = conn.execute(text("SELECT key FROM victim_names ORDER BY id")).scalars().all()
        engine.dispose()
        assert keys == [normalize_name("Mahmoud Hussein Ayman"), normalize_name("محمود حسين أيمن")] == ["mhmd hsn amn"] * 2
    finally:
        if server and name:
            drop_pg_database(server, name)
