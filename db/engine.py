"""Engine, sessions and migrations: how tawthiq opens its database.

``TAWTHIQ_DATABASE_URL`` selects the database. Without it, tawthiq uses ``tawthiq.db`` (SQLite)
in the working directory, opened with WAL, a busy timeout and foreign keys on, so that the
review app and a nightly run can work on one file at once. PostgreSQL URLs
(``postgresql+psycopg://...``) work the same way.
"""

from __future__ import annotations


import os
from contextlib import contextmanager
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from collections.abc import Iterator

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_FILENAME = "tawthiq.db"
ENV_VAR = "TAWTHIQ_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def get_database_url(url: str | None = None) -> str:
    """The database URL to use: the argument, else ``TAWTHIQ_DATABASE_URL``, else a SQLite
    file named ``tawthiq.db`` in the working directory."""
    if url:
        return url
    env = os.environ.get(ENV_VAR)
    if env:
        return env
    return f"sqlite:///{Path.cwd() / DEFAULT_FILENAME}"


def _set_sqlite_pragmas(dbapi_connection, connection_record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


#: Execution option marking a connection whose transactions only read (see :func:`read_scope`).
READ_ONLY = "tawthiq_read_only"


def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
    # BEGIN IMMEDIATE takes the write lock up front, so two writers queue on the busy timeout
    # instead of one failing with "database is locked" when it upgrades a read lock. A reader
    # needs no lock at all: under WAL a deferred transaction reads a snapshot while one
    # writer works, so pages and the matcher's reading never queue behind a write.
    conn.exec_driver_sql("BEGIN DEFERRED" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


def create_db_engine(url: str | None = None, **kwargs) -> Engine:  # type: ignore[no-untyped-def]
    """Create an engine for ``url`` with tawthiq's connection settings."""
    url = get_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _set_sqlite_pragmas)
        # Let SQLAlchemy, not pysqlite, manage transactions (pysqlite's own handling defers
        # BEGIN and breaks SAVEPOINT and locking semantics).
        @event.listens_for(engine, "connect")
        def _no_pysqlite_tx(dbapi_connection, connection_record):  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None

        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    """A process-wide engine per URL (engines own connection pools; make one, reuse it)."""
    return create_db_engine(get_database_url(url))


def describe_connection_error(url: str, exc: BaseException) -> str:
    """One line saying why the database at ``url`` cannot be opened and what to do, for a
    person who just set TAWTHIQ_DATABASE_URL (a database not created yet, a server not
    running, a login refused), instead of the driver's traceback."""
    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
    if parsed.get_backend_name() == "sqlite":
        return f"cannot open the SQLite database {parsed.database} ({reason}); check {ENV_VAR} ({shown})"
    name = parsed.database or "tawthiq"
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    if f'database "{name}" does not exist' in reason:
        return f"the database {name!r} does not exist on {where}: run `createdb {name}`, then `tawthiq init`; check {ENV_VAR} ({shown})"
    if ('role "' in reason and "does not exist" in reason) or "authentication failed" in reason:
        return f"PostgreSQL at {where} refused the login ({reason}); check the user and password in {ENV_VAR} ({shown})"
    return (f"cannot reach the database server at {where} ({reason}): start PostgreSQL, run `createdb {name}` if the "
            f"database is new, and check {ENV_VAR} ({shown})")


def check_connection(engine: Engine) -> None:
    """Open one connection to ``engine`` and raise :class:`ConfigError` with
    :func:`describe_connection_error`'s line when that fails."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    from tawthiq.errors import ConfigError

    try:
        with engine.connect():
            pass
    except (OperationalError, InterfaceError) as exc:
        raise ConfigError(describe_connection_error(engine.url.render_as_string(hide_password=False), exc)) from exc


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on any error."""
    with session_factory(engine)() as session:
        with session.begin():
            yield session


@contextmanager
def read_scope(engine: Engine) -> Iterator[Session]:
    """A session that only reads. On SQLite it does not take the write lock (a deferred
    transaction on a WAL snapshot), so many readers and one writer work at once; a write in
    it fails with "database is locked" or "attempt to write a readonly database" rather than
    waiting, so use :func:`session_scope` for anything that writes. On PostgreSQL it is an
    ordinary transaction."""
    with session_factory(engine.execution_options(**{READ_ONLY: True}))() as session:
        with session.begin():
            yield session


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    """An Alembic ``Config`` pointing at the migrations shipped inside the package."""
    from alembic.config import Config

    script_location = str(files("tawthiq.db.migrations"))
    cfg = Config()
    cfg.set_main_option("script_location", script_location)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@contextmanager
def _migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction for migrations. On SQLite, foreign keys are off while
    it runs (Alembic's batch mode re-creates a table that other tables reference, which SQLite
    refuses with them on; the pragma only takes effect outside a transaction) and checked
    after: a migration that broke a reference fails instead of committing."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            yield connection
        return
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        raw.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                yield connection
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left {len(broken)} broken references, first: {broken[0]}")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def migrate_database(url: str | None = None, revision: str = "head") -> str:
    """Create or upgrade the database to ``revision`` and return the revision now current."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    url = get_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(url)
    try:
        check_connection(engine)
        with _migration_connection(engine) as connection:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision() or "base"
    finally:
        engine.dispose()


def downgrade_database(url: str, revision: str) -> None:
    from alembic import command

    engine = create_db_engine(url)
    try:
        with _migration_connection(engine) as connection:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, revision)
    finally:
        engine.dispose()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_initialised(engine: Engine) -> bool:
    """Whether tawthiq's tables exist; a database that cannot be opened is a
    :class:`ConfigError` saying what to do (see :func:`describe_connection_error`)."""
    check_connection(engine)
    return inspect(engine).has_table("raw_items")
