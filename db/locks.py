"""Locks that keep two runs from working one database at once.

* :func:`acquire_run_lock` is held for a whole ``nightly`` or ``pull`` run. A second run on the
  same database (a scheduled night while an operator's manual run is still going, or two
  workers) finds it taken and waits or skips, rather than matching the same candidates twice.
  On PostgreSQL it is a session advisory lock, so it spans hosts and is released by the server
  when the holding process dies, however it dies. On SQLite it is an ``flock`` on a file beside
  the database (SQLite databases are local files), released by the kernel the same way.
* :func:`lock_step` serialises the steps that read a state and write links or queue entries
  (matching, queueing) inside their transaction, for the review app too, which runs them
  after a documenter adds a victim. SQLite's ``BEGIN IMMEDIATE`` already does this.

Whether the run lock is free also tells :mod:`tawthiq.ops` that a run Prefect still shows as
Running has in fact died.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

#: Advisory lock keys (classid, objid): tawthiq's class, then one object per lock.
LOCK_CLASS = 7411
RUN_LOCK = 1
STEP_LOCK = 2

_PROCESS_LOCKS: dict[str, threading.Lock] = {}
_GUARD = threading.Lock()


@dataclass
class RunLock:
    """A held run lock; :meth:`release` it (or let the process end)."""

    engine: Engine
    holder: str
    _connection: Connection | None = None
    _file: IO[str] | None = None
    _thread_lock: threading.Lock | None = None

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:c, :o)"), {"c": LOCK_CLASS, "o": RUN_LOCK})
            finally:
                self._connection.close()
                self._connection = None
        if self._file is not None:
            import fcntl

            self._file.truncate(0)
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._thread_lock is not None:
            self._thread_lock.release()
            self._thread_lock = None


def describe_holder(label: str) -> str:
    """Who holds a lock, as the message a second run prints: what, pid, host, since when."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{label} (pid {os.getpid()} on {socket.gethostname()}, since {now})"


def _lock_file_path(engine: Engine) -> Path | None:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).with_name(Path(database).name + ".run-lock")


def acquire_run_lock(engine: Engine, label: str, wait: float = 0.0, poll: float = 1.0) -> RunLock | None:
    """Take the run lock of ``engine``'s database, waiting up to ``wait`` seconds; ``None`` if
    another run holds it (then :func:`run_lock_holder` says who)."""
    holder = describe_holder(label)
    deadline = time.monotonic() + wait
    while True:
        lock = _try_acquire(engine, holder)
        if lock is not None or time.monotonic() >= deadline:
            return lock
        time.sleep(min(poll, max(0.0, deadline - time.monotonic())))


def _try_acquire(engine: Engine, holder: str) -> RunLock | None:
    if engine.dialect.name == "postgresql":
        connection = engine.connect()
        try:
            # The holder's description is what pg_stat_activity shows a second run.
            connection.execute(text("SELECT set_config('application_name', :who, false)"), {"who": holder[:63]})
            got = connection.execute(text("SELECT pg_try_advisory_lock(:c, :o)"), {"c": LOCK_CLASS, "o": RUN_LOCK}).scalar()
            connection.commit()
        except Exception:
            connection.close()
            raise
        if not got:
            connection.close()
            return None
        return RunLock(engine, holder, _connection=connection)
    path = _lock_file_path(engine)
    if path is None or os.name != "posix":
        # An in-memory database lives in this process only: a process-wide lock suffices.
        with _GUARD:
            thread_lock = _PROCESS_LOCKS.setdefault(str(engine.url), threading.Lock())
        if not thread_lock.acquire(blocking=False):
            return None
        return RunLock(engine, holder, _thread_lock=thread_lock)
    import fcntl

    handle = open(path, "a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    handle.seek(0)
    handle.truncate(0)
    handle.write(json.dumps({"holder": holder}))
    handle.flush()
    return RunLock(engine, holder, _file=handle)


def run_lock_holder(engine: Engine) -> str | None:
    """Who holds the run lock, as that run described itself; ``None`` when it is free."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            row = connection.execute(text(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.classid = :c AND l.objid = :o AND l.granted "
                "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
                {"c": LOCK_CLASS, "o": RUN_LOCK}).first()
        return (row[0] or "another tawthiq run") if row else None
    probe = _try_acquire(engine, "probe")
    if probe is not None:
        probe.release()
        return None
    path = _lock_file_path(engine)
    if path is not None and path.exists():
        try:
            return str(json.loads(path.read_text(encoding="utf-8")).get("holder")) or "another tawthiq run"
        except (ValueError, OSError):
            pass
    return "another tawthiq run"


def lock_step(session: Session) -> None:
    """Serialise this transaction with every other matching or queueing transaction on the
    database (PostgreSQL: a transaction advisory lock, released at commit or rollback)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:c, :o)"), {"c": LOCK_CLASS, "o": STEP_LOCK})
