"""Polite HTTP for news sources and form servers: who we are, what robots.txt allows, how often
we knock, how long we wait, and what we do when a server says no.

* an identifying User-Agent with a contact (``TAWTHIQ_CONTACT`` or the source's ``contact``);
* robots.txt honoured per host (cached for the fetcher's life);
* a minimum delay between requests to one host (counted from when the previous answer began);
* conditional GET from a stored ETag / Last-Modified (a 304 is :data:`NOT_MODIFIED`);
* timeouts; retries with exponential backoff and jitter on 5xx and 429, honouring
  ``Retry-After`` up to a cap; a redirect limit; a maximum body size read as a stream;
  a content-type check;
* a bound on the whole response (``max_response_seconds``): ``timeout`` is per socket read, so
  a host trickling a byte every few seconds never trips it and would hold a pull for hours;
* the source's deadline (``deadline``, a ``time.monotonic()`` instant the pipeline puts in the
  settings as ``deadline_monotonic``), honoured before each request, while a body is read and
  instead of sleeping past it in a retry wait;
* a process-wide stop (:data:`STOP`, set by :func:`request_stop`, e.g. from a SIGTERM handler)
  that ends the request in progress and wakes any wait at once.

How soon a bound is noticed: the body is read one socket read at a time (at most
:data:`CHUNK` bytes), and every bound is checked between reads, so a response is cut off
within ``max_response_seconds + timeout`` at worst (a host that sends nothing at all for
``timeout`` seconds fails the read on its own), and a deadline or a stop is noticed within
``timeout`` seconds. Waiting for the status line and headers is bounded by ``timeout`` per read
only.

Errors (all :class:`~tawthiq.errors.SourceError`, each naming the URL)::

    FetchError                 the request failed for good (status, size, type, redirects)
    ├── Disallowed             robots.txt forbids the URL
    ├── Unreachable            connection refused, DNS, timeouts, broken connections after the retries
    │   └── TooSlow            the host answered but took longer than max_response_seconds
    └── Interrupted            stopped on purpose, not the host's fault: the pull ends here
        ├── DeadlineReached    the source's deadline passed
        └── Stopped            request_stop() was called (the process received SIGTERM)
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import os
import random
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
import urllib3

from tawthiq.errors import SourceError

log = logging.getLogger("tawthiq.sources.http")

DEFAULT_CONTACT = "https://github.com/tawthiq/tawthiq"
MAX_BYTES = 10 * 1024 * 1024
#: The longest one response (connecting, headers and body) may take unless a source sets
#: ``max_response_seconds``; an API page of 1000 submissions takes seconds, not minutes.
MAX_RESPONSE_SECONDS = 120.0
#: The most bytes one read of a body asks for. A read returns what the socket has (it does not
#: wait for the whole chunk), so the bounds are checked after every arrival, however small.
CHUNK = 16 * 1024
TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "igshid", "ref_src", "_ga")


class FetchError(SourceError):
    """A request failed for good; ``status`` is the HTTP status when there was one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Disallowed(FetchError):
    """robots.txt forbids fetching the URL."""


class Unreachable(FetchError):
    """The host could not be reached, did not answer in time or broke the connection, after
    the retries: transient, the next run tries again."""


class TooSlow(Unreachable):
    """The host answered, but the response took longer than ``max_response_seconds`` (a slow
    or stalled host trickling its body). Not retried: another try would take as long."""


class Interrupted(FetchError):
    """The fetch was stopped on purpose (deadline, stop request), not failed: a connector ends
    its pull here instead of recording a failed item, and the cursor covers what was stored."""

    def for_source(self, source: str) -> Interrupted:
        """The same error, of the same class, with the source's name in front (the way every
        source error reads)."""
        return type(self)(f"source {source!r}: {self}", self.status)


class DeadlineReached(Interrupted):
    """The source's deadline passed before or during a request, or a wait would pass it."""


class Stopped(Interrupted):
    """:func:`request_stop` was called (the CLI does on SIGTERM) while fetching."""


#: Set to stop every fetcher in the process: the request in progress ends with
#: :class:`Stopped` at its next socket read, and retry and politeness waits wake at once.
#: Set it with :func:`request_stop`, which records the reason, rather than directly.
STOP = threading.Event()
#: Why :data:`STOP` was set (``"the process received SIGTERM"``); empty while it is not.
STOP_REASON = ""
#: How often a wait in the main thread looks at :data:`STOP` (see :func:`_wait_for_stop`).
_MAIN_THREAD_SLICE = 0.05


def request_stop(reason: str) -> None:
    """Stop every fetch in the process, for ``reason`` (``"the process received SIGTERM"``),
    which each :class:`Stopped` error names. Safe to call from a signal handler: the first call
    sets :data:`STOP`; a later one (a second SIGTERM) changes nothing."""
    global STOP_REASON
    if STOP.is_set():
        return
    STOP_REASON = reason
    STOP.set()


def clear_stop() -> None:
    """Allow fetching again after :func:`request_stop` (tests; a long-lived process)."""
    global STOP_REASON
    STOP.clear()
    STOP_REASON = ""


def _wait_for_stop(seconds: float) -> bool:
    """Wait up to ``seconds``, returning early (``True``) when :data:`STOP` is set.

    Other threads wait on the event itself and wake at once. The main thread sleeps in short
    slices and looks at the flag instead: a signal handler runs in the main thread, and one
    calling ``STOP.set()`` while that thread is inside ``STOP.wait()`` (holding the event's
    internal lock) would deadlock on that lock."""
    if threading.current_thread() is not threading.main_thread():
        return STOP.wait(seconds)
    end = time.monotonic() + seconds
    while not STOP.is_set():
        left = end - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(left, _MAIN_THREAD_SLICE))
    return True


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``kind`` is among the errors ``exc`` wraps (requests puts urllib3's error in
    ``args[0]``; urllib3 puts the socket's in ``reason`` or the cause chain)."""
    seen: list[BaseException] = []
    todo: list[object] = [exc]
    while todo:
        current = todo.pop()
        if not isinstance(current, BaseException) or any(current is s for s in seen) or len(seen) > 20:
            continue
        if isinstance(current, kind):
            return True
        seen.append(current)
        todo.extend([*current.args[:2], getattr(current, "reason", None), current.__cause__, current.__context__])
    return False


def _failure(exc: requests.RequestException, timeout: float) -> str:
    """What went wrong, in words, for a request that failed without an HTTP answer: a read
    that timed out is not "could not connect", and neither is a body cut off halfway."""
    if isinstance(exc, requests.ConnectTimeout):
        return "timed out connecting"
    if isinstance(exc, requests.ReadTimeout) or _caused_by(exc, urllib3.exceptions.ReadTimeoutError):
        return f"no answer for {timeout:g} s; timed out"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "connection broken while reading the body"
    if _caused_by(exc, urllib3.exceptions.ProtocolError):
        return "connection closed before the server answered"
    return "could not connect"


#: urllib3 2.3+ reads a body one socket read at a time (``read1``). Its ``stream`` (and so
#: requests' ``iter_content``) waits for a whole chunk when the length is declared, which
#: a trickling host takes hours to fill, with no chance to look at the clock in between.
_HAS_READ1 = hasattr(urllib3.response.HTTPResponse, "read1")


def _body_chunks(raw: requests.Response) -> Iterator[bytes]:
    """The body of ``raw`` (decoded as requests would), a socket read at a time, raising the
    errors requests would (read timeout, broken connection, undecodable content)."""
    read1 = getattr(raw.raw, "read1", None) if _HAS_READ1 else None
    if read1 is None:  # an older urllib3, or a test's stand-in: chunked bodies still come per chunk
        yield from raw.iter_content(CHUNK)
        return
    while True:
        try:
            chunk = read1(CHUNK, decode_content=True)
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise requests.ReadTimeout(exc) from exc
        except urllib3.exceptions.ProtocolError as exc:
            raise requests.exceptions.ChunkedEncodingError(exc) from exc
        except urllib3.exceptions.DecodeError as exc:
            raise requests.exceptions.ContentDecodingError(exc) from exc
        except urllib3.exceptions.SSLError as exc:
            raise requests.exceptions.SSLError(exc) from exc
        if not chunk:
            return
        yield chunk


@dataclass
class Response:
    url: str
    status: int
    headers: dict[str, str]
    content: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


#: What :meth:`Fetcher.get` returns for a 304: nothing changed since the stored validators.
NOT_MODIFIED = Response("", 304, {}, b"")


def canonical_url(url: str) -> str:
    """The URL without tracking parameters, fragment, default port or trailing ``?``, with a
    lower-case host: two links to one article give one id."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith(TRACKING_PARAMS)]
    host = (parts.hostname or "").lower()
    if parts.port and not ((parts.scheme == "http" and parts.port == 80) or (parts.scheme == "https" and parts.port == 443)):
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", urlencode(query), ""))


def _retry_after(value: str | None, cap: float) -> float | None:
    if not value:
        return None
    try:
        return min(cap, max(0.0, float(value)))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return min(cap, max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds()))


#: Per host, across every fetcher in this process: one request at a time, and the time of the
#: last one, so two sources on one site (a feed and its listing) share the site's delay.
_HOST_LOCKS: dict[str, threading.Lock] = {}
_HOST_LAST: dict[str, float] = {}
_GUARD = threading.Lock()


def _host_lock(host: str) -> threading.Lock:
    with _GUARD:
        return _HOST_LOCKS.setdefault(host, threading.Lock())


@dataclass
class Fetcher:
    """One source's polite HTTP client. ``session`` is injectable for tests; ``sleep`` and
    ``clock`` too, so waiting can be observed without waiting (an injected ``sleep`` is called
    as is; the default waits on :data:`STOP`, so a stop wakes it).

    ``max_response_seconds`` bounds one response from sending the request to the last byte
    (:class:`TooSlow`); ``deadline`` is an instant of ``clock`` (``time.monotonic()`` unless a
    test injects another) past which nothing more is fetched (:class:`DeadlineReached`)."""

    contact: str = field(default_factory=lambda: os.environ.get("TAWTHIQ_CONTACT", DEFAULT_CONTACT))
    delay: float = 2.0
    timeout: float = 20.0
    retries: int = 3
    backoff: float = 1.0
    max_retry_after: float = 120.0
    max_bytes: int = MAX_BYTES
    max_redirects: int = 5
    respect_robots: bool = True
    max_response_seconds: float = MAX_RESPONSE_SECONDS
    deadline: float | None = None
    session: requests.Session = field(default_factory=requests.Session)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _last: dict[str, float] = field(default_factory=dict)
    _robots: dict[str, urllib.robotparser.RobotFileParser | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            mine = version("tawthiq")
        except PackageNotFoundError:
            mine = "dev"
        self.user_agent = f"tawthiq/{mine} (casualty documentation; +{self.contact})"
        self.session.max_redirects = self.max_redirects
        self.session.headers["User-Agent"] = self.user_agent

    @classmethod
    def from_settings(cls, settings: dict, **overrides) -> Fetcher:  # type: ignore[no-untyped-def]
        """A fetcher configured by a source's settings (``delay``, ``timeout``, ``retries``,
        ``max_bytes``, ``max_response_seconds``, ``contact``, ``respect_robots``), bound by the
        deadline the pipeline put in them (``deadline_monotonic``, a ``time.monotonic()``
        instant) so that a pull stops at its deadline inside an item too, not only between."""
        keys = ("delay", "timeout", "retries", "backoff", "max_bytes", "contact", "respect_robots", "max_redirects",
                "max_response_seconds")
        chosen = {k: settings[k] for k in keys if k in settings}
        if settings.get("deadline_monotonic") is not None:
            chosen["deadline"] = float(settings["deadline_monotonic"])
        return cls(**{**chosen, **overrides})

    # -- stopping -----------------------------------------------------------------------------

    def _check(self, url: str) -> None:
        """Raise :class:`Stopped` after a stop request and :class:`DeadlineReached` past the
        deadline: called before each request and between the reads of a body."""
        if STOP.is_set():
            raise Stopped(f"stopped: {STOP_REASON or 'a stop was requested'} (while fetching {url})")
        if self.deadline is not None and self.clock() >= self.deadline:
            raise DeadlineReached(f"stopped at the source's deadline while fetching {url}")

    def _pause(self, seconds: float, url: str, why: str) -> None:
        """Wait ``seconds`` before (again) requesting ``url``, ``why`` being the reason
        (``"a retry"``, ``"the host's delay"``). A wait that would end past the deadline
        raises :class:`DeadlineReached` at once instead of sleeping; a stop ends the wait at
        once with :class:`Stopped`."""
        self._check(url)
        if seconds <= 0:
            return
        if self.deadline is not None and self.clock() + seconds > self.deadline:
            raise DeadlineReached(f"stopped at the source's deadline while fetching {url} "
                                  f"({why} in {seconds:.1f} s would have passed it)")
        if self.sleep is time.sleep:
            _wait_for_stop(seconds)
        else:
            self.sleep(seconds)
        self._check(url)

    @contextmanager
    def _turn(self, host: str, url: str) -> Iterator[None]:
        """This process's turn at ``host``: one request at a time per host, spaced by the
        delay. Waiting for another fetcher's request to the host (a trickling one can take
        ``max_response_seconds``) still gives way to a stop or the deadline."""
        lock = _host_lock(host)
        while not lock.acquire(timeout=0.1):
            self._check(url)
        try:
            self._wait_turn(host, url)
            yield
        finally:
            lock.release()

    # -- politeness ---------------------------------------------------------------------------

    def _wait_turn(self, host: str, url: str) -> None:
        last = self._last.get(host)
        shared = _HOST_LAST.get(host) if self.clock is time.monotonic else None
        if shared is not None and (last is None or shared > last):
            last = shared
        if last is not None:
            remaining = self.delay - (self.clock() - last)
            if remaining > 0:
                self._pause(remaining, url, "the host's delay")
        self._mark_turn(host)

    def _mark_turn(self, host: str) -> None:
        """Count the host's delay from now: when a request is about to go, and again when its
        answer begins, so that the time a connection takes to open never eats into the gap the
        host sees between two requests."""
        self._last[host] = self.clock()
        if self.clock is time.monotonic:
            _HOST_LAST[host] = self._last[host]

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets tawthiq fetch ``url`` (no robots.txt, or one that cannot be
        read, allows everything; a 401/403 on robots.txt forbids everything, as Google does)."""
        if not self.respect_robots:
            return True
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self._robots:
            parser: urllib.robotparser.RobotFileParser | None = urllib.robotparser.RobotFileParser()
            try:
                response = self._request(f"{root}/robots.txt", {}, check_robots=False, max_bytes=512 * 1024)
                if response.status in (401, 403):
                    parser.disallow_all = True  # type: ignore[union-attr]
                elif response.status >= 400:
                    parser = None
                else:
                    parser.parse(response.content.decode("utf-8", "replace").splitlines())  # type: ignore[union-attr]
            except Interrupted:
                raise
            except FetchError:
                parser = None
            self._robots[root] = parser
        parser = self._robots[root]
        return parser is None or parser.can_fetch(self.user_agent, url)

    # -- requests -----------------------------------------------------------------------------

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            accept: tuple[str, ...] = (), headers: dict[str, str] | None = None) -> Response:
        """GET ``url`` politely. Returns :data:`NOT_MODIFIED` for a 304; raises
        :class:`FetchError` for a final 4xx/5xx, a body over the size limit, a content type not
        in ``accept`` (prefixes such as ``"text/html"``), or binary data served as text."""
        headers = dict(headers or {})
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        response = self._request(url, headers)
        if response.status == 304:
            return NOT_MODIFIED
        return self._checked(url, response, accept)

    def post_json(self, url: str, body: dict, *, accept: tuple[str, ...] = ("application/json",),
                  headers: dict[str, str] | None = None) -> Response:
        """POST a JSON body (an API login), with the same retries and limits as :meth:`get`."""
        return self._checked(url, self._request(url, dict(headers or {}), method="POST", json_body=body), accept)

    def _checked(self, url: str, response: Response, accept: tuple[str, ...]) -> Response:
        if response.status >= 400:
            raise FetchError(f"{url}: HTTP {response.status}", response.status)
        media = response.content_type.split(";")[0].strip().lower()
        if accept and not any(media.startswith(a) for a in accept):
            raise FetchError(f"{url}: served as {media or 'no content type'}, expected {' or '.join(accept)}", response.status)
        if media.startswith(("text/", "application/xml", "application/rss", "application/atom")) and b"\x00" in response.content[:4096]:
            raise FetchError(f"{url}: binary data served as {media}", response.status)
        return response

    def _once(self, url: str, method: str, headers: dict[str, str], json_body: dict | None, limit: int,
              attempt: int) -> tuple[Response | None, float | None]:
        """One request: ``(response, None)``, or ``(None, seconds to wait)`` for a status worth
        retrying while retries are left. The body is read a socket read at a time, checking
        between reads the size limit, the stop flag, the deadline and the response's time."""
        self._check(url)
        started = self.clock()
        timeout = self.timeout
        if self.deadline is not None:  # no socket wait outlasts the deadline by much
            timeout = max(0.1, min(timeout, self.deadline - started))
        with self.session.request(method, url, headers=headers, json=json_body, timeout=timeout,
                                  stream=True, allow_redirects=True) as raw:
            self._mark_turn(urlsplit(url).netloc)
            status = raw.status_code
            if status in (429, 500, 502, 503, 504) and attempt < self.retries:
                wait = _retry_after(raw.headers.get("Retry-After"), self.max_retry_after)
                if wait is None:
                    wait = self.backoff * (2 ** attempt) * (1 + random.random() * 0.5)
                log.info("%s: HTTP %s, retrying in %.1f s", url, status, wait)
                return None, wait
            declared = raw.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FetchError(f"{url}: {int(declared):,} bytes, over the {limit:,}-byte limit", status)
            body = bytearray()
            self._check_reading(url, started, body, status)
            for chunk in _body_chunks(raw):
                body.extend(chunk)
                if len(body) > limit:
                    raise FetchError(f"{url}: more than {limit:,} bytes, over the limit; not read further", status)
                self._check_reading(url, started, body, status)
            return Response(raw.url, status, {k.lower(): v for k, v in raw.headers.items()}, bytes(body)), None

    def _check_reading(self, url: str, started: float, body: bytearray, status: int) -> None:
        """Between two reads of a body: stop, deadline, and the bound on the whole response."""
        self._check(url)
        elapsed = self.clock() - started
        if elapsed > self.max_response_seconds:
            raise TooSlow(f"{url}: the server sent {len(body):,} bytes in {elapsed:.0f} s and had not finished; "
                          f"gave up (a slow or stalled host)", status)

    def _request(self, url: str, headers: dict[str, str], *, check_robots: bool = True, max_bytes: int | None = None,
                 method: str = "GET", json_body: dict | None = None) -> Response:
        self._check(url)
        if check_robots and not self.allowed(url):
            raise Disallowed(f"{url}: robots.txt does not allow tawthiq to fetch this")
        host = urlsplit(url).netloc
        limit = max_bytes or self.max_bytes
        attempt = 0
        while True:
            try:
                # One request at a time per host in this process; the retry wait is outside.
                with self._turn(host, url):
                    response, wait = self._once(url, method, headers, json_body, limit, attempt)
                if response is not None:
                    return response
                attempt += 1
                self._pause(wait, url, "a retry")  # type: ignore[arg-type]
                continue
            except requests.TooManyRedirects as exc:
                raise FetchError(f"{url}: more than {self.max_redirects} redirects (a redirect loop?)") from exc
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
                # A socket wait cut short by the deadline, or a stop during one, is that, not a failure.
                self._check(url)
                if attempt < self.retries:
                    attempt += 1
                    self._pause(self.backoff * (2 ** (attempt - 1)) * (1 + random.random() * 0.5), url, "a retry")
                    continue
                tries = self.retries + 1
                raise Unreachable(f"{url}: {_failure(exc, self.timeout)} after {tries} attempt{'s' if tries > 1 else ''}") from exc
            except requests.RequestException as exc:
                raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
