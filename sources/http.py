"""Polite HTTP for news sources and form servers: who we are, what robots.txt allows, how often
we knock, and what we do when a server says no.

* an identifying User-Agent with a contact (``TAWTHIQ_CONTACT`` or the source's ``contact``);
* robots.txt honoured per host (cached for the fetcher's life);
* a minimum delay between requests to one host;
* conditional GET from a stored ETag / Last-Modified (a 304 is :data:`NOT_MODIFIED`);
* timeouts; retries with exponential backoff and jitter on 5xx and 429, honouring
  ``Retry-After`` up to a cap; a redirect limit; a maximum body size read as a stream;
  a content-type check.

Errors (all :class:`~tawthiq.errors.SourceError`, each naming the URL)::

    FetchError                 the request failed for good (status, size, type, redirects)
    ├── Disallowed             robots.txt forbids the URL
    └── Unreachable            connection refused, DNS, timeouts after the retries
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
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from tawthiq.errors import SourceError

log = logging.getLogger("tawthiq.sources.http")

DEFAULT_CONTACT = "https://github.com/tawthiq/tawthiq"
MAX_BYTES = 10 * 1024 * 1024
TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "igshid", "ref_src", "_ga")


class FetchError(SourceError):
    """A request failed for good; ``status`` is the HTTP status when there was one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Disallowed(FetchError):
    """robots.txt forbids fetching the URL."""


class Unreachable(FetchError):
    """The host could not be reached or did not answer in time, after the retries."""


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
            when = when.replace(tzinfo=dt.timezone.utc)
        return min(cap, max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds()))


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
    ``clock`` too, so waiting can be observed without waiting."""

    contact: str = field(default_factory=lambda: os.environ.get("TAWTHIQ_CONTACT", DEFAULT_CONTACT))
    delay: float = 2.0
    timeout: float = 20.0
    retries: int = 3
    backoff: float = 1.0
    max_retry_after: float = 120.0
    max_bytes: int = MAX_BYTES
    max_redirects: int = 5
    respect_robots: bool = True
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
    def from_settings(cls, settings: dict, **overrides) -> "Fetcher":  # type: ignore[no-untyped-def]
        """A fetcher configured by a source's settings (``delay``, ``timeout``, ``retries``,
        ``max_bytes``, ``contact``, ``respect_robots``)."""
        keys = ("delay", "timeout", "retries", "backoff", "max_bytes", "contact", "respect_robots", "max_redirects")
        return cls(**{k: settings[k] for k in keys if k in settings}, **overrides)

    # -- politeness ---------------------------------------------------------------------------

    def _wait_turn(self, host: str) -> None:
        last = self._last.get(host)
        shared = _HOST_LAST.get(host) if self.clock is time.monotonic else None
        if shared is not None and (last is None or shared > last):
            last = shared
        if last is not None:
            remaining = self.delay - (self.clock() - last)
            if remaining > 0:
                self.sleep(remaining)
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
        retrying while retries are left."""
        with self.session.request(method, url, headers=headers, json=json_body, timeout=self.timeout,
                                  stream=True, allow_redirects=True) as raw:
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
            for chunk in raw.iter_content(64 * 1024):
                body.extend(chunk)
                if len(body) > limit:
                    raise FetchError(f"{url}: more than {limit:,} bytes, over the limit; not read further", status)
            return Response(raw.url, status, {k.lower(): v for k, v in raw.headers.items()}, bytes(body)), None

    def _request(self, url: str, headers: dict[str, str], *, check_robots: bool = True, max_bytes: int | None = None,
                 method: str = "GET", json_body: dict | None = None) -> Response:
        if check_robots and not self.allowed(url):
            raise Disallowed(f"{url}: robots.txt does not allow tawthiq to fetch this")
        host = urlsplit(url).netloc
        limit = max_bytes or self.max_bytes
        attempt = 0
        while True:
            try:
                # One request at a time per host in this process; the retry wait is outside.
                with _host_lock(host):
                    self._wait_turn(host)
                    response, wait = self._once(url, method, headers, json_body, limit, attempt)
                if response is not None:
                    return response
                attempt += 1
                self.sleep(wait)  # type: ignore[arg-type]
                continue
            except requests.TooManyRedirects as exc:
                raise FetchError(f"{url}: more than {self.max_redirects} redirects (a redirect loop?)") from exc
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt < self.retries:
                    attempt += 1
                    self.sleep(self.backoff * (2 ** (attempt - 1)) * (1 + random.random() * 0.5))
                    continue
                kind = "timed out" if isinstance(exc, requests.Timeout) else "could not connect"
                raise Unreachable(f"{url}: {kind} after {self.retries + 1} attempts") from exc
            except requests.RequestException as exc:
                raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
