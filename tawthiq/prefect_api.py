"""Prefect's API for one ``tawthiq`` command: the operator's server, or a local one we own.

When ``PREFECT_API_URL`` is set (a team's Prefect server, or the test harness), tawthiq uses it
and starts nothing. Otherwise Prefect would start its own *ephemeral* API in a subprocess with
a 20-second start-up limit, which a busy 2-core machine often misses (the server imports
FastAPI, builds its app and migrates its SQLite database first), and which a SIGKILLed command
leaves running for ever. :func:`local_api` starts that server itself instead:

* with a start-up limit of ``TAWTHIQ_PREFECT_STARTUP_TIMEOUT`` seconds (default 180), and an
  error that says what to do when even that is not enough;
* as a child that watches its parent (:mod:`tawthiq.prefect_server`): when the command ends in
  any way, SIGKILL included, the server stops within about a second. No orphan is left.

The server keeps Prefect's own database (``PREFECT_HOME``, ``~/.prefect`` by default), never
tawthiq's.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from collections.abc import Iterator

from tawthiq.errors import ConfigError

STARTUP_ENV = "TAWTHIQ_PREFECT_STARTUP_TIMEOUT"
DEFAULT_STARTUP_TIMEOUT = 180.0


def configured_api_url() -> str | None:
    """The Prefect API this process is already told to use, if any."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def startup_timeout() -> float:
    raw = os.environ.get(STARTUP_ENV)
    if not raw:
        return DEFAULT_STARTUP_TIMEOUT
    try:
        return max(1.0, float(raw))
    except ValueError as exc:
        raise ConfigError(f"{STARTUP_ENV}={raw!r} is not a number of seconds") from exc


def start_server(port: int, timeout: float) -> subprocess.Popen[bytes]:
    """Start :mod:`tawthiq.prefect_server` on ``port`` and wait until its health check
    answers; raise :class:`ConfigError` saying what to do if it does not within ``timeout``."""
    import httpx

    env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    env.pop("PREFECT_API_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "tawthiq.prefect_server", "--port", str(port), "--parent", str(os.getpid())],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/api/health"
    with httpx.Client(timeout=5.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                error = (process.stderr.read() if process.stderr else b"").decode("utf-8", "replace").strip()
                last = error.splitlines()[-1] if error else f"exit status {process.returncode}"
                raise ConfigError(f"Prefect's local API server stopped while starting: {last}")
            try:
                if client.get(url).status_code == 200:
                    return process
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
    stop_server(process)
    raise ConfigError(
        f"Prefect's local API server did not start within {timeout:.0f} s (the machine may be busy). "
        f"Run the command again; or allow more time with {STARTUP_ENV}=600; or run a Prefect server "
        "(`prefect server start`) and set PREFECT_API_URL=http://127.0.0.1:4200/api")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stderr:
        process.stderr.close()


@contextmanager
def _global_settings(settings: object) -> Iterator[None]:
    """Make ``settings`` the fallback of threads that do not inherit this context (Prefect's
    log and event workers), as Prefect's own test harness does."""
    import prefect.context

    temporary = getattr(prefect.context, "_temporary_global_settings_context", None)
    if temporary is None:
        yield
        return
    with temporary(prefect.context.get_settings_context()):
        yield


def drain_workers() -> None:
    """Send the logs and events still queued to the API before it stops (else Prefect prints
    "Error logging to API" as this process exits)."""
    import inspect

    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.utilities.asyncutils import run_coro_as_sync

    async def drain() -> None:
        try:
            result = APILogWorker.instance().drain()
            if inspect.isawaitable(result):
                await result
        except RuntimeError:  # never started
            pass
        drained = EventsWorker.drain_all()
        if inspect.isawaitable(drained):
            await drained

    try:
        run_coro_as_sync(drain())
    except Exception:  # a log that cannot be delivered must not fail the command
        pass


@contextmanager
def local_api() -> Iterator[str | None]:
    """Inside this block Prefect talks to a working API: the configured one, or a local server
    started for the block and stopped after it (and by its own watchdog if this process dies).
    Yields the API URL when one was started, else ``None``."""
    if configured_api_url():
        yield None
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    port = free_port()
    process = start_server(port, startup_timeout())
    api_url = f"http://127.0.0.1:{port}/api"
    previous = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = api_url  # for worker processes (Dask) started from here
    try:
        with temporary_settings(updates={PREFECT_API_URL: api_url}) as settings, _global_settings(settings):
            try:
                yield api_url
            finally:
                drain_workers()
    finally:
        if previous is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = previous
        stop_server(process)
