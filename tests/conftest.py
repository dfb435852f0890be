"""Shared fixtures: a fresh tawthiq database per test (SQLite or PostgreSQL), and one Prefect
test harness for the whole session.

The backend is chosen by ``TAWTHIQ_TEST_DATABASE_URL``: unset, every test gets a new SQLite
file; set to a PostgreSQL URL (``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``),
every test gets a new database on that server. On both, the new database is a copy of a
template migrated once per session (migrating costs about 0.3 s, a copy a millisecond).
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from tawthiq.db.engine import create_db_engine, migrate_database

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# Keys for tests, so that none is generated into the working directory on PostgreSQL runs.
os.environ.setdefault("TAWTHIQ_SECRET_KEY", "test-only-session-signing-key")
os.environ.setdefault("TAWTHIQ_FERNET_KEY", "dGF3dGhpcS10ZXN0LW9ubHktZmVybmV0LWtleS0zMmI=")

PG_ENV = "TAWTHIQ_TEST_DATABASE_URL"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
IN_CI = os.environ.get("CI") == "true"
_counter = itertools.count()


def _pg_admin_url() -> str | None:
    return os.environ.get(PG_ENV)


def postgres_server_url() -> str:
    """A PostgreSQL server URL for tests that need PostgreSQL whatever the backend of the run;
    skips (or, under CI, fails) when the server cannot be reached."""
    url = os.environ.get(PG_ENV) or os.environ.get("TAWTHIQ_TEST_POSTGRES_URL") or DEFAULT_PG
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:
        if IN_CI:
            raise
        pytest.skip(f"PostgreSQL not reachable at {url} ({type(exc).__name__}); set TAWTHIQ_TEST_POSTGRES_URL")
    return url


def create_pg_database(server_url: str, name: str, template: str | None = None) -> str:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(server_url: str, name: str) -> None:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    server = _pg_admin_url()
    if not server:
        yield None
        return
    name = f"tawthiq_tpl_{os.getpid()}"
    url = create_pg_database(server, name)
    migrate_database(url)
    yield name
    drop_pg_database(server, name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session, for :func:`sqlite_database` to copy."""
    path = tmp_path_factory.mktemp("sqlite-template") / "tawthiq.db"
    migrate_database(f"sqlite:///{path}")
    # Fold the write-ahead log into the file, so that the file alone is the whole database.
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def sqlite_database(template: Path, path: Path) -> str:
    """A migrated SQLite database at ``path``: a copy of the session's template. Returns its URL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path, pg_template: str | None,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, migrated tawthiq database, also exported as TAWTHIQ_DATABASE_URL."""
    server = _pg_admin_url()
    if server and pg_template:
        name = f"tawthiq_t{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
        url = create_pg_database(server, name, template=pg_template)
    else:
        url = sqlite_database(request.getfixturevalue("sqlite_template"), tmp_path / "tawthiq.db")
    monkeypatch.setenv("TAWTHIQ_DATABASE_URL", url)
    yield url
    from tawthiq.db.engine import get_engine

    get_engine.cache_clear()
    if server and pg_template:
        drop_pg_database(server, name)


@pytest.fixture
def engine(database_url: str):  # type: ignore[no-untyped-def]
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


class DatabaseSnapshots:
    """Databases that many tests start from (the demo queue with its users: a pull, an
    extraction, matching and four argon2 hashes, about a second), built once per session and
    copied into each test's own database, as the migrated template is."""

    def __init__(self, folder: Path, sqlite_template: Path, pg_template: str | None) -> None:
        self.folder = folder
        self.sqlite_template = sqlite_template
        self.server = _pg_admin_url() if pg_template else None
        self.pg_template = pg_template
        self.built: dict[Callable[[Engine, Path], None], str] = {}  # builder -> SQLite file or PostgreSQL database

    def restore(self, url: str, build: Callable[[Engine, Path], None]) -> None:
        """Make the migrated, still empty test database at ``url`` what ``build(engine, folder)``
        makes of one. ``build`` runs once per session, on a database and in a folder of its own
        (files it writes there, such as a source's inbox, are shared by every test it serves)."""
        if build not in self.built:
            self.built[build] = self._build(build)
        snapshot = self.built[build]
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            assert not self.server, "a SQLite test database on a PostgreSQL run"
            source, target = sqlite3.connect(snapshot), sqlite3.connect(parsed.database or "")
            try:
                source.backup(target)
            finally:
                source.close()
                target.close()
        else:
            assert self.server, "a PostgreSQL test database on a SQLite run"
            # Ends the test's connections to it, if any; tawthiq's engines pre-ping and reconnect.
            create_pg_database(self.server, parsed.database or "", template=snapshot)

    def _build(self, build: Callable[[Engine, Path], None]) -> str:
        folder = self.folder / f"{len(self.built)}-{build.__name__}"
        folder.mkdir()
        if self.server and self.pg_template:
            name = f"tawthiq_s{os.getpid()}_{len(self.built)}"
            url = create_pg_database(self.server, name, template=self.pg_template)
        else:
            name = str(folder / "tawthiq.db")
            url = sqlite_database(self.sqlite_template, Path(name))
        engine = create_db_engine(url)
        try:
            build(engine, folder)
        finally:
            engine.dispose()
        return name


@pytest.fixture(scope="session")
def database_snapshots(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path,
                       pg_template: str | None) -> Iterator[DatabaseSnapshots]:
    snapshots = DatabaseSnapshots(tmp_path_factory.mktemp("snapshots"), sqlite_template, pg_template)
    yield snapshots
    if snapshots.server:
        for name in snapshots.built.values():
            drop_pg_database(snapshots.server, name)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect test harness (a real temporary API server with its own database, separate
    from tawthiq's) for every test that runs a flow."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def pytest_report_header(config: pytest.Config) -> str:
    server = _pg_admin_url()
    backend = f"PostgreSQL ({make_url(server).render_as_string(hide_password=True)})" if server else "SQLite"
    return f"tawthiq test database: {backend}"
