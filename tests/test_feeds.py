"""News sources (sources/feeds.py) through the real pipeline against a local server serving
real-shaped pages: a WordPress news post with a Related News block, RSS 2.0 and Atom feeds, an
Arabic page in windows-1256 under a wrong declared charset, and every fault."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tawthiq import pipeline
from tawthiq.db import repo
from tawthiq.db.engine import session_scope
from tawthiq.db.models import Candidate, RawItem, Source
from tawthiq.sources import FetchedItem
from tawthiq.sources.feeds import ListingConnector
from tawthiq.sources.http import DeadlineReached, clear_stop, request_stop

from .newsserver import NewsServer, Request, trickle

HTML = {"Content-Type": "text/html; charset=UTF-8"}
POLITE = {"delay": 0.05, "timeout": 2, "retries": 1, "backoff": 0.01}


def wordpress_post(base: str, slug: str, title: str, body: str, published: str) -> bytes:
    return f"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="UTF-8"><title>{title} - Monitor</title>
<link rel="canonical" href="{base}/{slug}/">
<meta property="article:published_time" content="{published}">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","datePublished":"{published}"}}</script>
<style>.entry-content p{{margin:0}}</style><script>window.dataLayer=[];</script></head>
<body class="post-template-default single"><header class="site-header"><nav><ul><li><a href="/">Home</a></li>
<li><a href="/category/news/">News</a></li><li><a href="/reports/">Reports</a></li></ul></nav></header>
<main id="main"><article class="post type-post"><h1 class="entry-title">{title}</h1>
<div class="entry-meta"><time class="entry-date published" datetime="{published}">{published[:10]}</time></div>
<div class="entry-content">{body}</div></article>
<section class="related-posts"><h3>Related News</h3><ul>
<li><a href="/other/">A man named as Fadi Nour Haddad was killed by Syrian regime forces in Homs</a></li></ul></section>
</main><!-- a comment naming Hidden Person who was killed --><footer>© Monitor</footer></body></html>""".encode()


def rss(base: str, items: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(f"<item><title>{t}</title><link>{base}{link}</link><pubDate>{date}</pubDate></item>" for t, link, date in items)
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Monitor</title>
<link>{base}/</link><description>Daily news</description>{entries}</channel></rss>""".encode()


@pytest.fixture
def site() -> Iterator[NewsServer]:
    server = NewsServer().start()
    base = server.base
    server.routes.update({
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"),
        "/sarmin-child/": (200, {**HTML, "ETag": '"p1"'}, wordpress_post(
            base, "sarmin-child", "Child Killed in Sarmin",
            "<p>Syrian regime forces shelled Sarmin city in Idlib suburbs on Thursday, February 11, killing a child named as "
            "Yamen Ali Darwish.</p><p>His brother was injured.</p>", "2021-02-12T09:30:00+00:00")),
        "/theyban-man/": (200, {**HTML, "Last-Modified": "Sat, 13 Feb 2021 08:00:00 GMT"}, wordpress_post(
            base, "theyban-man", "Man Shot Dead in Theyban",
            "<p>A man from Theyban town in the eastern suburbs of Deir Ez-Zour governorate, named as Khaled Ibrahim al-Saleh, "
            "was shot dead on February 11, 2021, by Syrian Democratic Forces personnel.</p>", "2021-02-13T07:00:00+00:00")),
        "/ariha-ar/": (200, {"Content-Type": "text/html; charset=iso-8859-1"},
                       ("<html><head><title>استشهاد طفل في أريحا</title></head><body><article><p>استشهد الطفل أحمد مصطفى عجاج إثر قصف "
                        "مدفعي لقوات النظام على مدينة أريحا في ريف إدلب يوم الثلاثاء 5 آذار 2024.</p></article></body></html>")
                       .encode("cp1256")),
        "/private/secret/": (200, HTML, b"<html><body>should never be fetched</body></html>"),
    })
    server.routes["/feed/"] = (200, {"Content-Type": "application/rss+xml; charset=UTF-8", "ETag": '"f1"'}, rss(base, [
        ("Child Killed in Sarmin", "/sarmin-child/?utm_source=rss&utm_medium=feed", "Fri, 12 Feb 2021 09:30:00 +0000"),
        ("Child Killed in Sarmin (again)", "/sarmin-child/", "Fri, 12 Feb 2021 09:30:00 +0000"),
        ("Man Shot Dead in Theyban", "/theyban-man/", "not a date at all"),
        ("Gone", "/deleted/", "Fri, 12 Feb 2021 10:00:00 +0000"),
        ("Private", "/private/secret/", "Fri, 12 Feb 2021 11:00:00 +0000"),
    ]))
    yield server
    server.stop()


def conditional(site: NewsServer, path: str) -> None:
    """Make ``path`` answer 304 to a request carrying its own validators."""
    status, headers, body = site.routes[path]  # type: ignore[misc]

    def reply(request: Request):  # type: ignore[no-untyped-def]
        if headers.get("ETag") and request.headers.get("if-none-match") == headers["ETag"]:
            return 304, {}, b""
        if headers.get("Last-Modified") and request.headers.get("if-modified-since") == headers["Last-Modified"]:
            return 304, {}, b""
        return status, headers, body

    site.routes[path] = reply


def add(engine, kind: str, name: str, **settings) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        repo.add_source(session, kind, name, {**POLITE, **settings})


def items(engine, source: str) -> list[RawItem]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return list(session.scalars(select(RawItem).join(Source).where(Source.name == source).order_by(RawItem.id)))


def test_feed_pull_stores_raw_then_conditional_pull_stores_nothing(engine, site: NewsServer) -> None:
    for path in ("/feed/", "/sarmin-child/", "/theyban-man/"):
        conditional(site, path)
    add(engine, "feed", "monitor", url=f"{site.base}/feed/")
    [summary] = pipeline.pull(engine)
    assert summary.error is None
    stored = items(engine, "monitor")
    by_id = {item.external_id: item for item in stored}
    post = by_id[f"{site.base}/sarmin-child/"]  # tracking parameters and the duplicate link give one item
    assert post.state != "failed" and post.content.startswith(b"<!DOCTYPE html>") and len(post.content_sha256) == 64
    assert post.headers["etag"] == '"p1"' and post.published_at is not None
    assert by_id[f"{site.base}/theyban-man/"].published_at is None  # the feed's date was invalid
    gone = by_id[f"{site.base}/deleted/"]
    assert gone.state == "failed" and "HTTP 404" in gone.error and "monitor" in gone.error
    private = by_id[f"{site.base}/private/secret/"]
    assert private.state == "failed" and "robots.txt" in private.error
    assert site.hits("/private/secret/") == []
    assert len(site.hits("/sarmin-child/")) == 1

    before = len(site.requests)
    [again] = pipeline.pull(engine)
    assert again.new == 0 and again.error is None
    assert len(items(engine, "monitor")) == len(stored)
    feed_requests = site.hits("/feed/")
    assert feed_requests[-1].headers.get("if-none-match") == '"f1"'
    assert sorted(r.path for r in site.requests[before:]) == ["/feed/", "/robots.txt"]  # the 304 ends the pull


def test_articles_reach_extraction_as_clean_text_with_their_date(engine, site: NewsServer) -> None:
    add(engine, "feed", "monitor", url=f"{site.base}/feed/")
    add(engine, "page", "arabic", urls=[f"{site.base}/ariha-ar/"])
    pipeline.pull(engine)
    pipeline.extract_pending(engine)
    with session_scope(engine) as session:
        candidates = session.scalars(select(Candidate)).all()
        names = {c.full_name: c for c in candidates}
        assert "Yamen Ali Darwish" in names and "Khaled Ibrahim al-Saleh" in names
        assert "Fadi Nour Haddad" not in names and "Hidden Person" not in names  # related news and comments dropped
        assert names["Yamen Ali Darwish"].date_of_death == "2021-02-11"  # weekday and month resolved against the post date
        arabic = [c for c in candidates if c.name_ar]
        assert arabic and arabic[0].name_ar == "أحمد مصطفى عجاج" and arabic[0].death_locality == "Ariha"


def test_listing_pages(engine, site: NewsServer) -> None:
    site.routes["/category/news/"] = (200, HTML, b"""<html><body><nav><a href="/">Home</a></nav><main>
        <article><h2><a href="/sarmin-child/">Child Killed in Sarmin</a></h2></article>
        <article><h2><a href="/theyban-man/?fbclid=abc">Man Shot Dead</a></h2></article>
        <article><h2><a href="https://elsewhere.example/x">Off-site</a></h2></article></main></body></html>""")
    add(engine, "listing", "listing", url=f"{site.base}/category/news/", link_selector="article h2 a")
    [summary] = pipeline.pull(engine)
    assert summary.error is None and summary.new == 2
    assert {i.external_id for i in items(engine, "listing")} == {f"{site.base}/sarmin-child/", f"{site.base}/theyban-man/"}


@pytest.mark.parametrize("route, settings, message", [
    ((200, HTML, b"<html><body><h1>Welcome</h1></body></html>"), {}, "returned an HTML page, not an RSS or Atom feed"),
    ((500, HTML, b"error"), {}, "feed unavailable"),
    ((302, {"Location": "/feed-x/"}, b""), {}, "redirects"),
    ((200, {"Content-Type": "application/rss+xml"}, b"<?xml version='1.0'?><rss><channel><item><title>broken"), {}, "not an RSS or Atom feed"),
    ((200, {"Content-Type": "application/rss+xml"}, b"\x00\x01binary\x00" * 50), {}, "binary data"),
])
def test_feed_faults_are_clear_source_errors(engine, site: NewsServer, route, settings, message) -> None:  # type: ignore[no-untyped-def]
    site.routes["/feed-x/"] = route
    add(engine, "feed", "broken", url=f"{site.base}/feed-x/", **settings)
    add(engine, "page", "fine", urls=[f"{site.base}/theyban-man/"])
    summaries = {s.source: s for s in pipeline.pull(engine)}
    assert message in summaries["broken"].error and "broken" in summaries["broken"].error
    assert summaries["fine"].error is None and summaries["fine"].new == 1  # the other source goes on
    with session_scope(engine) as session:
        source = session.scalar(select(Source).where(Source.name == "broken"))
        assert source.status == "failing" and message in source.last_error


def test_a_hanging_host_does_not_hold_up_the_run(engine, site: NewsServer) -> None:
    import time

    def hang(request: Request):  # type: ignore[no-untyped-def]
        time.sleep(3)
        return 200, HTML, b"<html>late</html>"

    site.routes["/slow/"] = hang
    add(engine, "page", "slow", urls=[f"{site.base}/slow/", f"{site.base}/theyban-man/"], timeout=0.3, retries=0)
    started = time.monotonic()
    [summary] = pipeline.pull(engine)
    assert time.monotonic() - started < 3
    assert summary.new == 1  # the slow page is skipped for now and tried again next run
    assert [i.external_id for i in items(engine, "slow")] == [f"{site.base}/theyban-man/"]


def test_an_edited_article_is_a_new_version(engine, site: NewsServer) -> None:
    add(engine, "page", "pages", urls=[f"{site.base}/theyban-man/"])
    pipeline.pull(engine)
    status, headers, body = site.routes["/theyban-man/"]  # type: ignore[misc]
    assert isinstance(body, bytes)
    site.routes["/theyban-man/"] = (status, {**headers, "Last-Modified": "Sun, 14 Feb 2021 08:00:00 GMT"},
                                    body.replace(b"was shot dead", b"was shot dead at a checkpoint"))
    pipeline.pull(engine)
    versions = items(engine, "pages")
    assert [v.version for v in versions] == [1, 2] and versions[1].supersedes_id == versions[0].id


def test_one_article_through_two_sources_is_one_item(engine, site: NewsServer) -> None:
    add(engine, "feed", "monitor", url=f"{site.base}/feed/")
    add(engine, "page", "bookmarks", urls=[f"{site.base}/sarmin-child/?utm_campaign=share"])
    pipeline.pull(engine)
    with session_scope(engine) as session:
        same = session.scalars(select(RawItem).where(RawItem.external_id == f"{site.base}/sarmin-child/")).all()
        assert len(same) == 1


LISTING = b"""<html><body><main>
    <article><h2><a href="/sarmin-child/">Child Killed in Sarmin</a></h2></article>
    <article><h2><a href="/trickling/">A page from a host that trickles</a></h2></article>
    <article><h2><a href="/theyban-man/">Man Shot Dead</a></h2></article></main></body></html>"""


def test_a_stop_during_a_listing_pull_ends_it_keeping_what_was_stored(engine, site: NewsServer) -> None:
    """SIGTERM arrives while the second article trickles in: the pull ends at once with the
    source's error, the first article stays stored (and in the cursor), the third is not asked
    for, and nothing is recorded as a failed article."""
    site.routes["/category/news/"] = (200, HTML, LISTING)
    site.routes["/trickling/"] = trickle(0.2, then=lambda: request_stop("the process received SIGTERM"))
    add(engine, "listing", "listing", url=f"{site.base}/category/news/", link_selector="article h2 a")
    try:
        summary = pipeline.pull_source(engine, "listing")
    finally:
        clear_stop()
    assert summary.error.startswith("source 'listing': stopped: the process received SIGTERM")
    assert f"{site.base}/trickling/" in summary.error
    assert [i.external_id for i in items(engine, "listing")] == [f"{site.base}/sarmin-child/"]
    assert all(i.state != "failed" for i in items(engine, "listing"))
    assert site.hits("/theyban-man/") == []
    with session_scope(engine) as session:
        source = session.scalar(select(Source).where(Source.name == "listing"))
        assert source.status == "failing" and source.last_error == summary.error
        assert list(source.cursor["articles"]) == [f"{site.base}/sarmin-child/"]
        assert "listing" not in source.cursor  # the listing is read again next run, and goes on from there

    site.routes["/trickling/"] = (200, HTML, b"<html><body><article><p>Now whole.</p></article></body></html>")
    again = pipeline.pull_source(engine, "listing")
    assert again.error is None and again.new == 2  # the rest; the first article comes back unchanged
    assert len(items(engine, "listing")) == 3


def test_the_deadline_in_the_settings_reaches_the_article_fetches(site: NewsServer) -> None:
    """The pipeline puts the source's deadline in the settings as ``deadline_monotonic``; the
    connector's fetcher stops inside a trickling article at it, as the source's error, after
    yielding what came before."""
    import time

    site.routes["/category/news/"] = (200, HTML, LISTING)
    site.routes["/trickling/"] = trickle(0.2)
    settings = {**POLITE, "url": f"{site.base}/category/news/", "link_selector": "article h2 a",
                "deadline_monotonic": time.monotonic() + 2}
    yielded: list[str] = []
    started = time.monotonic()
    with pytest.raises(DeadlineReached, match=r"^source 'news': stopped at the source's deadline while fetching .*/trickling/"):
        for entry in ListingConnector().fetch("news", settings, {}):
            if isinstance(entry, FetchedItem):
                yielded.append(entry.external_id)
    assert time.monotonic() - started < 10
    assert yielded == [f"{site.base}/sarmin-child/"]
