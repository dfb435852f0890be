"""News sources: RSS/Atom feeds, HTML listing pages and single article URLs.

Each connector fetches what is new since the last pull politely (see :mod:`.http`), and yields
every article's bytes as they came, with final URL, status and headers, before anything is
parsed. An article's id is its canonical URL (``<link rel=canonical>`` on the same site, else
the final URL) without tracking parameters, so one article reached by two links is one item
and an edited article is a new version of it. The cursor keeps each URL's ETag and
Last-Modified so that the next pull asks "changed since?" and a 304 stores nothing.

A stop request or the source's deadline (:class:`~.http.Interrupted`) ends the pull where it
is, as the source's error: every article yielded before it is stored with its validators in the
cursor, and the next run goes on from there. It is never recorded as a failed article.

Settings (``tawthiq sources add feed|listing|page``)::

    feed     url, [delay, timeout, retries, max_items, max_bytes, max_response_seconds, contact]
    listing  url, link_selector (CSS, default "article a[href], h2 a[href], h3 a[href]"), [...]
    page     urls (list), [...]
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

from tawthiq.errors import ConfigError, SourceUnavailable

from . import CursorUpdate, FetchedItem
from .http import FetchError, Fetcher, Interrupted, NOT_MODIFIED, Unreachable, canonical_url

log = logging.getLogger("tawthiq.sources.feeds")

HTML = ("text/html", "application/xhtml")
FEED_TYPES = ("application/rss", "application/atom", "application/xml", "text/xml", "application/rdf", "text/html", "text/plain")
DEFAULT_SELECTOR = "article a[href], h2 a[href], h3 a[href]"


def _published(entry: Any) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return dt.datetime.fromtimestamp(calendar.timegm(value), tz=dt.UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _canonical_of(url: str, content: bytes) -> str:
    """``<link rel=canonical>`` when it points into the same site, else ``url``."""
    try:
        soup = BeautifulSoup(content[:300_000], "lxml")
        link = soup.find("link", rel=lambda v: v and "canonical" in (v if isinstance(v, list) else [v]))
        href = link.get("href") if link else None
    except Exception:  # a page too broken to read a link from still gets an id from its URL
        href = None
    if href:
        absolute = urljoin(url, str(href))
        if urlsplit(absolute).hostname == urlsplit(url).hostname:
            return canonical_url(absolute)
    return canonical_url(url)


class _ArticleFetcher:
    """Shared by the three connectors: fetch article URLs conditionally, yield them raw."""

    kind = "news"

    def _articles(self, name: str, fetcher: Fetcher, links: Iterable[tuple[str, dict[str, Any]]],
                  cursor: dict[str, Any]) -> Iterator[FetchedItem | CursorUpdate]:
        seen: dict[str, dict[str, Any]] = dict(cursor.get("articles", {}))
        done: set[str] = set()
        unreachable: list[str] = []
        for link, info in links:
            key = canonical_url(link)
            if key in done:
                continue
            done.add(key)
            validators = seen.get(key, {})
            try:
                response = fetcher.get(link, etag=validators.get("etag"), last_modified=validators.get("last_modified"), accept=HTML)
            except Interrupted as exc:
                # Stopped or out of time: the pull ends here, not this article; what came
                # before is stored and in the cursor, and this one is fetched next run.
                if unreachable:
                    log.warning("source %s: stopping with %d article(s) not fetched: %s", name, len(unreachable), unreachable[0])
                raise exc.for_source(name) from exc
            except Unreachable as exc:
                # Transient (refused, timed out, too slow, broken): the next run tries again.
                log.warning("source %s: %s", name, exc)
                unreachable.append(str(exc))
                continue
            except FetchError as exc:
                # Known bad (404, too large, not HTML, robots): recorded as a failed item.
                yield FetchedItem(external_id=key, content=b"", kind="news", url=link, headers={"status": exc.status},
                                  meta={"source_link": link}, title=info.get("title"), error=f"source {name!r}: {exc}")
                continue
            if response is NOT_MODIFIED:
                continue
            external_id = _canonical_of(response.url, response.content)
            yield FetchedItem(
                external_id=external_id,
                content=response.content,
                kind="news",
                url=external_id,
                content_type=response.content_type,
                headers={"status": response.status, "final_url": response.url, "etag": response.headers.get("etag"),
                         "last-modified": response.headers.get("last-modified")},
                meta={"source_link": link},
                published_at=info.get("published"),
                title=info.get("title"),
            )
            seen[key] = {"etag": response.headers.get("etag"), "last_modified": response.headers.get("last-modified")}
            yield CursorUpdate({**cursor, "articles": seen})
        cursor["articles"] = seen
        if unreachable:
            # Everything else is stored; saying so makes the source show as failing in the
            # run's summary, and the next run tries these articles again.
            more = f" (and {len(unreachable) - 1} more)" if len(unreachable) > 1 else ""
            raise SourceUnavailable(f"source {name!r}: {len(unreachable)} article(s) not fetched, tried again next run: {unreachable[0]}{more}")


class FeedConnector(_ArticleFetcher):
    """An RSS 2.0 or Atom feed; each entry's link is an article."""

    def fetch(self, name: str, settings: dict[str, Any], cursor: dict[str, Any]) -> Iterator[FetchedItem | CursorUpdate]:
        import feedparser

        url = settings.get("url")
        if not url:
            raise ConfigError(f"source {name!r}: a feed source needs a url")
        fetcher = Fetcher.from_settings(settings)
        cursor = dict(cursor)
        feed_state = cursor.get("feed", {})
        try:
            response = fetcher.get(url, etag=feed_state.get("etag"), last_modified=feed_state.get("last_modified"), accept=FEED_TYPES)
        except Interrupted as exc:
            raise exc.for_source(name) from exc
        except FetchError as exc:
            raise SourceUnavailable(f"source {name!r}: feed unavailable: {exc}") from exc
        if response is NOT_MODIFIED:
            yield CursorUpdate(cursor)
            return
        parsed = feedparser.parse(response.content, response_headers={"content-type": response.content_type})
        if not parsed.entries:
            what = "an HTML page" if response.content_type.startswith("text/html") or b"<html" in response.content[:2000].lower() else "no feed"
            reason = f" ({parsed.get('bozo_exception')})" if parsed.get("bozo") else ""
            raise SourceUnavailable(f"source {name!r}: {url} returned {what}, not an RSS or Atom feed with entries{reason}")
        limit = int(settings.get("max_items", 100))
        links = []
        for entry in parsed.entries[:limit]:
            link = entry.get("link")
            if not link:
                continue
            links.append((urljoin(response.url, link), {"title": entry.get("title"), "published": _published(entry)}))
        if not links:
            reason = f": {parsed.get('bozo_exception')}" if parsed.get("bozo") else ""
            raise SourceUnavailable(f"source {name!r}: {url} is not an RSS or Atom feed with usable entries (no entry has a link{reason})")
        if parsed.get("bozo"):
            log.warning("source %s: feed is malformed (%s); using the %d entries that could be read",
                        name, parsed.get("bozo_exception"), len(links))
        yield from self._articles(name, fetcher, links, cursor)
        cursor["feed"] = {"etag": response.headers.get("etag"), "last_modified": response.headers.get("last-modified"),
                          "checked_at": dt.datetime.now(dt.UTC).isoformat()}
        yield CursorUpdate(cursor)


class ListingConnector(_ArticleFetcher):
    """An HTML page listing articles; ``link_selector`` picks the article links."""

    def fetch(self, name: str, settings: dict[str, Any], cursor: dict[str, Any]) -> Iterator[FetchedItem | CursorUpdate]:
        url = settings.get("url")
        if not url:
            raise ConfigError(f"source {name!r}: a listing source needs a url")
        selector = settings.get("link_selector") or DEFAULT_SELECTOR
        fetcher = Fetcher.from_settings(settings)
        cursor = dict(cursor)
        state = cursor.get("listing", {})
        try:
            response = fetcher.get(url, etag=state.get("etag"), last_modified=state.get("last_modified"), accept=HTML)
        except Interrupted as exc:
            raise exc.for_source(name) from exc
        except FetchError as exc:
            raise SourceUnavailable(f"source {name!r}: listing page unavailable: {exc}") from exc
        if response is NOT_MODIFIED:
            yield CursorUpdate(cursor)
            return
        soup = BeautifulSoup(response.content, "lxml")
        try:
            anchors = soup.select(selector)
        except Exception as exc:
            raise ConfigError(f"source {name!r}: link_selector {selector!r} is not a valid CSS selector ({exc})") from exc
        host = urlsplit(response.url).hostname
        links = []
        for anchor in anchors[: int(settings.get("max_items", 100))]:
            href = urljoin(response.url, str(anchor.get("href")))
            if urlsplit(href).hostname == host:
                links.append((href, {"title": anchor.get_text(" ", strip=True) or None}))
        yield from self._articles(name, fetcher, links, cursor)
        cursor["listing"] = {"etag": response.headers.get("etag"), "last_modified": response.headers.get("last-modified")}
        yield CursorUpdate(cursor)


class PageConnector(_ArticleFetcher):
    """Single article URLs, each fetched (conditionally) on every pull."""

    def fetch(self, name: str, settings: dict[str, Any], cursor: dict[str, Any]) -> Iterator[FetchedItem | CursorUpdate]:
        urls = settings.get("urls") or ([settings["url"]] if settings.get("url") else [])
        if not urls:
            raise ConfigError(f"source {name!r}: a page source needs at least one url")
        cursor = dict(cursor)
        yield from self._articles(name, Fetcher.from_settings(settings), [(u, {}) for u in urls], cursor)
        yield CursorUpdate(cursor)
