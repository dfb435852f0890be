"""Polite fetching (sources/http.py) against a real local server: identity, robots.txt, per-host
delay, conditional GET, retries with Retry-After, redirect loops, size and type limits, hangs,
trickling hosts, the source's deadline and a stop request (SIGTERM)."""

from __future__ import annotations

import gzip
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from tawthiq.sources import http
from tawthiq.sources.api import api_fetcher, request
from tawthiq.sources.http import (NOT_MODIFIED, DeadlineReached, Disallowed, FetchError, Fetcher, Interrupted, Stopped,
                                  TooSlow, Unreachable, canonical_url, clear_stop, request_stop)

from .newsserver import NewsServer, Request, trickle

HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture(autouse=True)
def no_stop_left_behind() -> Iterator[None]:
    """A stop requested in one test must not stop the next one's fetches."""
    clear_stop()
    yield
    clear_stop()


@pytest.fixture
def server() -> Iterator[NewsServer]:
    news = NewsServer({"/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n")}).start()
    yield news
    news.stop()


def fetcher(**kwargs) -> Fetcher:  # type: ignore[no-untyped-def]
    return Fetcher(**{"delay": 0, "timeout": 2, "retries": 2, "backoff": 0.01, **kwargs})


def test_identifies_itself_and_honours_robots(server: NewsServer) -> None:
    server.routes["/news/a"] = (200, HTML, b"<html><body>a</body></html>")
    f = fetcher(contact="mailto:desk@example.org")
    assert f.get(f"{server.base}/news/a").status == 200
    assert "tawthiq/" in server.hits("/news/a")[0].headers["user-agent"]
    assert "mailto:desk@example.org" in server.hits("/news/a")[0].headers["user-agent"]
    with pytest.raises(Disallowed, match="robots.txt"):
        f.get(f"{server.base}/private/b")
    assert server.hits("/private/b") == []
    assert len(server.hits("/robots.txt")) == 1  # cached


def test_waits_between_requests_to_one_host(server: NewsServer) -> None:
    server.routes["/a"] = (200, HTML, b"<html></html>")
    f = fetcher(delay=0.3)
    for _ in range(3):
        f.get(f"{server.base}/a")
    times = [r.at for r in server.requests]
    assert all(later - earlier >= 0.28 for earlier, later in zip(times, times[1:]))


def test_conditional_get(server: NewsServer) -> None:
    def page(request: Request):  # type: ignore[no-untyped-def]
        if request.headers.get("if-none-match") == '"v1"':
            return 304, {}, b""
        return 200, {**HTML, "ETag": '"v1"', "Last-Modified": "Thu, 11 Feb 2021 10:00:00 GMT"}, b"<html>v1</html>"

    server.routes["/a"] = page
    f = fetcher()
    first = f.get(f"{server.base}/a")
    assert first.headers["etag"] == '"v1"'
    assert f.get(f"{server.base}/a", etag='"v1"', last_modified=first.headers["last-modified"]) is NOT_MODIFIED
    assert server.hits("/a")[1].headers["if-modified-since"] == "Thu, 11 Feb 2021 10:00:00 GMT"


def test_retries_on_503_and_429_honouring_retry_after(server: NewsServer) -> None:
    answers = iter([(503, HTML, b"busy"), (429, {**HTML, "Retry-After": "7"}, b"slow down"), (200, HTML, b"<html>ok</html>")])
    server.routes["/a"] = lambda request: next(answers)
    waits: list[float] = []
    f = fetcher(sleep=waits.append)
    assert f.get(f"{server.base}/a").content == b"<html>ok</html>"
    assert len(server.hits("/a")) == 3 and waits[-1] == 7.0 and 0 < waits[0] < 1
    server.routes["/b"] = (500, HTML, b"broken")
    with pytest.raises(FetchError, match="HTTP 500") as info:
        fetcher(sleep=lambda s: None).get(f"{server.base}/b")
    assert info.value.status == 500 and len(server.hits("/b")) == 3


def test_redirect_loops_sizes_types_and_binary(server: NewsServer) -> None:
    server.routes["/loop"] = (302, {"Location": "/loop"}, b"")
    with pytest.raises(FetchError, match="redirects"):
        fetcher().get(f"{server.base}/loop")
    server.routes["/huge"] = (200, {**HTML, "Content-Length": str(50 * 1024 * 1024)}, b"<html>")
    with pytest.raises(FetchError, match="over the"):
        fetcher().get(f"{server.base}/huge")
    server.routes["/big"] = (200, HTML, b"<p>x</p>" * 2000)
    with pytest.raises(FetchError, match="over the 1,000-byte limit"):
        fetcher(max_bytes=1000).get(f"{server.base}/big")
    server.routes["/pdf"] = (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4")
    with pytest.raises(FetchError, match="expected text/html"):
        fetcher().get(f"{server.base}/pdf", accept=("text/html",))
    server.routes["/bin"] = (200, HTML, b"\x00\x01\x02\x03" * 100)
    with pytest.raises(FetchError, match="binary data"):
        fetcher().get(f"{server.base}/bin")


def test_a_hanging_host_times_out(server: NewsServer) -> None:
    def hang(request: Request):  # type: ignore[no-untyped-def]
        time.sleep(2)
        return 200, HTML, b"late"

    server.routes["/hang"] = hang
    started = time.monotonic()
    with pytest.raises(Unreachable, match="no answer for 0.3 s; timed out after 1 attempt$"):
        fetcher(timeout=0.3, retries=0).get(f"{server.base}/hang")
    assert time.monotonic() - started < 1.5


def test_canonical_urls() -> None:
    assert canonical_url("HTTP://Example.org:80/a/?utm_source=x&id=3&fbclid=y#top") == "http://example.org/a/?id=3"
    assert canonical_url("https://example.org") == "https://example.org/"


def test_two_sources_on_one_host_share_its_delay_and_take_turns(server: NewsServer) -> None:
    import threading

    server.routes["/a"] = (200, {"Content-Type": "text/html"}, b"<p>a</p>")
    first, second = fetcher(delay=0.4), fetcher(delay=0.4)
    first.get(f"{server.base}/a")
    second.get(f"{server.base}/a")  # another source's fetcher still waits for the host
    hits = server.hits("/a")
    assert hits[1].at - hits[0].at >= 0.35
    threads = [threading.Thread(target=f.get, args=(f"{server.base}/a",)) for f in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    hits = server.hits("/a")
    assert hits[3].at - hits[2].at >= 0.35  # in parallel threads, still one at a time, spaced


# -- slow hosts, deadlines and stops ------------------------------------------------------------


def later(seconds: float, action, *args) -> threading.Timer:  # type: ignore[no-untyped-def]
    """Run ``action(*args)`` in another thread after ``seconds``, as a SIGTERM or a clock would."""
    timer = threading.Timer(seconds, action, args)
    timer.daemon = True
    timer.start()
    return timer


@pytest.mark.parametrize("declared", [1_000_000, None], ids=["content-length", "chunked"])
def test_a_trickling_body_is_cut_off_and_the_cause_named(server: NewsServer, declared: int | None) -> None:
    # One byte every 0.2 s never trips a 2 s read timeout; only the bound on the whole response does.
    server.routes["/trickle"] = trickle(0.2, declared=declared, first=b"<html>")
    url = f"{server.base}/trickle"
    started = time.monotonic()
    with pytest.raises(TooSlow) as info:
        fetcher(max_response_seconds=1).get(url)
    assert time.monotonic() - started < 10
    message = str(info.value)
    assert message.startswith(f"{url}: the server sent ") and "bytes in 1 s and had not finished" in message
    assert "a slow or stalled host" in message and "could not connect" not in message
    assert isinstance(info.value, Unreachable)  # transient: a feed tries the article again next run
    assert len(server.hits("/trickle")) == 1  # not retried: another try would be as slow


def test_an_older_urllib3_still_cuts_off_a_chunked_trickle(server: NewsServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http, "_HAS_READ1", False)  # iter_content: a chunked body still comes chunk by chunk
    server.routes["/trickle"] = trickle(0.2, declared=None)
    started = time.monotonic()
    with pytest.raises(TooSlow):
        fetcher(max_response_seconds=1).get(f"{server.base}/trickle")
    assert time.monotonic() - started < 10


def test_bodies_read_a_socket_read_at_a_time_are_whole_and_decoded(server: NewsServer) -> None:
    page = b"<html><body>" + b"<p>the same paragraph</p>" * 5000 + b"</body></html>"
    server.routes["/gz"] = (200, {**HTML, "Content-Encoding": "gzip"}, gzip.compress(page))
    server.routes["/chunked"] = (200, HTML, iter([page[:70_000], page[70_000:]]))
    assert fetcher().get(f"{server.base}/gz").content == page
    assert fetcher().get(f"{server.base}/chunked").content == page


def test_the_sources_deadline_stops_a_fetch_inside_a_response_and_before_one(server: NewsServer) -> None:
    server.routes["/trickle"] = trickle(0.2)
    url = f"{server.base}/trickle"
    started = time.monotonic()
    with pytest.raises(DeadlineReached) as info:
        fetcher(deadline=time.monotonic() + 1).get(url)
    assert time.monotonic() - started < 10
    assert str(info.value) == f"stopped at the source's deadline while fetching {url}"
    assert isinstance(info.value, Interrupted) and not isinstance(info.value, Unreachable)

    server.routes["/a"] = (200, HTML, b"<html>a</html>")
    with pytest.raises(DeadlineReached):
        fetcher(deadline=time.monotonic() - 1).get(f"{server.base}/a")
    assert server.hits("/a") == []  # past the deadline nothing more is asked for


def test_a_retry_wait_does_not_sleep_past_the_deadline(server: NewsServer) -> None:
    server.routes["/busy"] = (503, {**HTML, "Retry-After": "30"}, b"busy")
    started = time.monotonic()
    with pytest.raises(DeadlineReached, match=r"a retry in 30.0 s would have passed it"):
        fetcher(deadline=time.monotonic() + 3).get(f"{server.base}/busy")
    assert time.monotonic() - started < 2.5 and len(server.hits("/busy")) == 1


def test_settings_carry_the_response_bound_and_the_deadline() -> None:
    settings = {"max_response_seconds": 5, "deadline_monotonic": 1234.5, "timeout": 3}
    f = Fetcher.from_settings(settings)
    assert (f.max_response_seconds, f.deadline, f.timeout) == (5, 1234.5, 3)
    assert api_fetcher(settings).deadline == 1234.5  # KoboToolbox and ODK Central too
    assert Fetcher.from_settings({}).deadline is None
    assert Fetcher.from_settings({}).max_response_seconds == http.MAX_RESPONSE_SECONDS


def test_a_stop_request_ends_a_trickling_fetch(server: NewsServer) -> None:
    server.routes["/trickle"] = trickle(0.2)
    url = f"{server.base}/trickle"
    later(0.5, request_stop, "a test asked")
    started = time.monotonic()
    with pytest.raises(Stopped) as info:
        fetcher(max_response_seconds=600).get(url)
    assert time.monotonic() - started < 5
    assert str(info.value) == f"stopped: a test asked (while fetching {url})"


def test_sigterm_through_a_handler_calling_request_stop(server: NewsServer) -> None:
    """What the CLI installs: a SIGTERM handler that calls request_stop. The signal lands in
    the main thread while it reads a trickling body."""
    server.routes["/trickle"] = trickle(0.2)
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: request_stop("the process received SIGTERM"))
    try:
        later(0.5, os.kill, os.getpid(), signal.SIGTERM)
        started = time.monotonic()
        with pytest.raises(Stopped, match="stopped: the process received SIGTERM"):
            fetcher(max_response_seconds=600).get(f"{server.base}/trickle")
        assert time.monotonic() - started < 5
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_stop_wakes_a_retry_wait_in_the_main_thread_and_in_others(server: NewsServer) -> None:
    server.routes["/busy"] = (503, {**HTML, "Retry-After": "60"}, b"busy")
    url = f"{server.base}/busy"
    later(0.5, request_stop, "a test asked")
    started = time.monotonic()
    with pytest.raises(Stopped, match="a test asked"):
        fetcher().get(url)
    assert time.monotonic() - started < 5 and len(server.hits("/busy")) == 1

    clear_stop()
    raised: list[BaseException] = []

    def worker() -> None:
        try:
            fetcher().get(url)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            raised.append(exc)

    thread = threading.Thread(target=worker)
    started = time.monotonic()
    thread.start()
    time.sleep(0.5)
    request_stop("another test asked")
    thread.join(10)
    assert not thread.is_alive() and time.monotonic() - started < 5
    assert len(raised) == 1 and isinstance(raised[0], Stopped) and "another test asked" in str(raised[0])


def test_a_stop_wakes_the_wait_between_requests_to_a_host_and_prevents_new_ones(server: NewsServer) -> None:
    server.routes["/a"] = (200, HTML, b"<html>a</html>")
    f = fetcher(delay=60, respect_robots=False)  # robots.txt would be the first request to wait after
    f.get(f"{server.base}/a")
    later(0.5, request_stop, "a test asked")
    started = time.monotonic()
    with pytest.raises(Stopped):
        f.get(f"{server.base}/a")
    assert time.monotonic() - started < 5 and len(server.hits("/a")) == 1

    with pytest.raises(Stopped):  # still stopped: nothing new is asked for, robots.txt neither
        fetcher().get(f"{server.base}/b")
    assert server.hits("/b") == [] and server.hits("/robots.txt") == []
    request_stop("a second SIGTERM")  # changes nothing: the first reason stays
    assert http.STOP_REASON == "a test asked"
    clear_stop()
    assert fetcher().get(f"{server.base}/a").status == 200


def test_a_stop_during_an_api_request_stays_a_stop_named_after_the_source(server: NewsServer) -> None:
    server.routes["/api"] = (200, {"Content-Type": "application/json"}, b"{}")
    request_stop("the process received SIGTERM")
    with pytest.raises(Stopped, match=r"^source 'kobo': stopped: the process received SIGTERM"):
        request(api_fetcher({"delay": 0}), f"{server.base}/api", "kobo", {})


def test_what_went_wrong_is_named_read_timeouts_are_not_could_not_connect(server: NewsServer) -> None:
    # Headers, the first bytes, then silence longer than the read timeout.
    server.routes["/stall"] = trickle(2, first=b"<html>")
    with pytest.raises(Unreachable, match=r"/stall: no answer for 0.3 s; timed out after 1 attempt$") as info:
        fetcher(timeout=0.3, retries=0).get(f"{server.base}/stall")
    assert "could not connect" not in str(info.value)
    # A body shorter than its Content-Length: the connection closed halfway, tried again, then named.
    server.routes["/cut"] = (200, {**HTML, "Content-Length": "1000"}, iter([b"<html>"]))
    with pytest.raises(Unreachable, match="/cut: connection broken while reading the body after 3 attempts"):
        fetcher().get(f"{server.base}/cut")
    assert len(server.hits("/cut")) == 3
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    with pytest.raises(Unreachable, match="could not connect after 2 attempts"):
        fetcher(retries=1, respect_robots=False).get(f"http://127.0.0.1:{closed}/a")
    assert http._failure(requests.ConnectTimeout("slow"), 20) == "timed out connecting"
