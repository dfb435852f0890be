"""Polite fetching (sources/http.py) against a real local server: identity, robots.txt, per-host
delay, conditional GET, retries with Retry-After, redirect loops, size and type limits, hangs."""

from __future__ import annotations

import time
from typing import Iterator

import pytest

from tawthiq.sources.http import NOT_MODIFIED, Disallowed, FetchError, Fetcher, Unreachable, canonical_url

from .newsserver import NewsServer, Request

HTML = {"Content-Type": "text/html; charset=utf-8"}


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
    with pytest.raises(Unreachable, match="timed out after 1 attempts"):
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
