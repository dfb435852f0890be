"""tawthiq's own local Prefect API: it starts under load, says what to do when it cannot, and
never outlives the command that started it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest

from tawthiq import prefect_api
from tawthiq.errors import ConfigError

CHILD = """
import sys, time
from tawthiq.prefect_api import local_api
with local_api() as url:
    print(url, flush=True)
    time.sleep(120)
"""


def _env(tmp_path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    return env


def _server_pids(port: str) -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                args = handle.read().split(b"\0")
        except OSError:
            continue
        if b"tawthiq.prefect_server" in args and port.encode() in args:
            found.append(int(pid))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the server process")
def test_a_sigkilled_command_leaves_no_prefect_server(tmp_path) -> None:
    command = subprocess.Popen([sys.executable, "-c", CHILD], env=_env(tmp_path), stdout=subprocess.PIPE, text=True)
    try:
        url = command.stdout.readline().strip()  # type: ignore[union-attr]
        assert url.startswith("http://127.0.0.1:") and url.endswith("/api")
        assert httpx.get(url + "/health", timeout=10).status_code == 200
        port = url.rsplit(":", 1)[1].split("/")[0]
        assert _server_pids(port), "the server runs as a child of the command"
        command.kill()  # SIGKILL: no atexit, no finally
        command.wait(timeout=10)
        deadline = time.monotonic() + 20
        while _server_pids(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _server_pids(port), "the Prefect server outlived its command"
        with pytest.raises(httpx.HTTPError):
            httpx.get(url + "/health", timeout=2)
    finally:
        if command.poll() is None:
            command.kill()


def test_a_configured_api_is_used_and_nothing_is_started(prefect_harness) -> None:
    with prefect_api.local_api() as started:
        assert started is None


def test_a_server_that_cannot_start_in_time_says_what_to_do(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    with pytest.raises(ConfigError) as caught:
        prefect_api.start_server(prefect_api.free_port(), timeout=0.5)
    message = str(caught.value)
    assert "did not start within" in message and prefect_api.STARTUP_ENV in message and "PREFECT_API_URL" in message
    monkeypatch.setenv(prefect_api.STARTUP_ENV, "soon")
    with pytest.raises(ConfigError, match="not a number of seconds"):
        prefect_api.startup_timeout()
