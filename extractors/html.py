"""Clean text from a news page: the article's main text, title and publication date.

Navigation, scripts, styles, comments, forms and teasers of other articles ("Related News")
are removed before text is taken, so that names in a sidebar are never read as victims of
the article's incident.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Comment

from tawthiq.lang.text import decode_bytes, detect_language

_DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form",
              "iframe", "svg", "button", "select", "template", "object", "embed")
_RELATED = re.compile(
    r"related|read-?more|more-?news|recommended|sidebar|share|social|comment|breadcrumb|"
    r"newsletter|subscribe|menu|widget|advert|promo|tags|author-box|navigation|footer",
    re.I,
)
_RELATED_HEADINGS = re.compile(
    r"^\s*(related (news|posts|articles)|read (more|also)|more news|you may also like|"
    r"اقرأ أيضا|اقرأ أيضاً|أخبار ذات صلة|مواضيع ذات صلة|المزيد)\s*:?\s*$",
    re.I,
)
_BLOCKS = ("p", "h1", "h2", "h3", "h4", "li", "blockquote", "figcaption", "td", "pre", "div")


@dataclass
class Page:
    """What a page says: its title, main text, publication date and language."""

    title: str | None
    text: str
    published: dt.date | None
    language: str | None
    canonical_url: str | None = None


def parse_html(data: bytes | str, *, declared_charset: str | None = None, name: str = "page") -> Page:
    """Parse an HTML page (bytes or text) into a :class:`Page`.

    Bytes are decoded with :func:`decode_bytes` (so windows-1256 pages come out right even
    when the page declares the wrong charset).
    """
    if isinstance(data, bytes):
        charset = declared_charset or _meta_charset(data)
        html, _ = decode_bytes(data, charset, name=name)
    else:
        html = data
    soup = BeautifulSoup(html, "lxml")
    title = _title(soup)
    published = _published(soup)
    canonical = None
    link = soup.find("link", rel="canonical")
    if link and link.get("href"):
        canonical = str(link["href"]).strip()
    language = None
    html_tag = soup.find("html")
    if html_tag and html_tag.get("lang"):
        language = str(html_tag["lang"]).split("-")[0].lower() or None
    text = main_text(soup)
    detected = detect_language(text or title or "")
    if detected:
        language = detected
    return Page(title=title, text=text, published=published, language=language, canonical_url=canonical)


def _meta_charset(data: bytes) -> str | None:
    match = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_\-]+)", data[:4096], re.I)
    return match.group(1).decode("ascii") if match else None


def main_text(soup: BeautifulSoup) -> str:
    """The article's text, one paragraph per line, without page furniture."""
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed if hasattr(tag, "decomposed") else False:
            continue
        attrs = " ".join([*(tag.get("class") or []), str(tag.get("id") or "")]) if tag.attrs else ""
        if attrs and _RELATED.search(attrs) and tag.name not in ("html", "body", "article", "main"):
            tag.decompose()
    # A heading such as "Related News" drops itself and everything after it in its container.
    for heading in soup.find_all(["h2", "h3", "h4", "strong", "p"]):
        if heading.decomposed if hasattr(heading, "decomposed") else False:
            continue
        if _RELATED_HEADINGS.match(heading.get_text(" ", strip=True) or ""):
            for sibling in list(heading.find_next_siblings()):
                sibling.decompose()
            heading.decompose()
    root = soup.find("article") or soup.find("main") or soup.find(itemprop="articleBody") or soup.body or soup
    lines: list[str] = []
    for block in root.find_all(["p", "h1", "h2", "h3", "h4", "li", "blockquote", "figcaption", "td", "pre"]):
        if block.find(["p", "li", "blockquote", "td"]):
            continue  # its children are read on their own
        line = re.sub(r"\s+", " ", block.get_text(" ", strip=True)).strip()
        if line:
            lines.append(line)
    if not lines:
        lines = [line.strip() for line in root.get_text("\n").splitlines() if line.strip()]
    return "\n".join(lines)


def _title(soup: BeautifulSoup) -> str | None:
    for key, value in (("property", "og:title"), ("name", "twitter:title")):
        tag = soup.find("meta", attrs={key: value})
        if tag and tag.get("content"):
            return str(tag["content"]).strip()
    h1 = soup.find("h1")
    if h1 and h1.get_text(strip=True):
        return h1.get_text(" ", strip=True)
    if soup.title and soup.title.string:
        return soup.title.string.strip()
    return None


#: The <meta> attributes (name, value) that may give the publication date, best first.
_DATE_META = (
    ("property", "article:published_time"),
    ("name", "article:published_time"),
    ("itemprop", "datePublished"),
    ("name", "date"),
    ("name", "pubdate"),
    ("name", "publish-date"),
    ("name", "dc.date"),
    ("name", "DC.date.issued"),
)


def _published(soup: BeautifulSoup) -> dt.date | None:
    for key, value in _DATE_META:
        tag = soup.find("meta", attrs={key: value})
        if tag and tag.get("content"):
            date = parse_iso_date(str(tag["content"]))
            if date:
                return date
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except (ValueError, TypeError):
            continue
        for obj in data if isinstance(data, list) else [data]:
            if isinstance(obj, dict):
                for graph_obj in obj.get("@graph", [obj]) if isinstance(obj.get("@graph", []), list) else [obj]:
                    if isinstance(graph_obj, dict) and graph_obj.get("datePublished"):
                        date = parse_iso_date(str(graph_obj["datePublished"]))
                        if date:
                            return date
    time_tag = soup.find("time", attrs={"datetime": True})
    if time_tag:
        return parse_iso_date(str(time_tag["datetime"]))
    return None


def parse_iso_date(value: str) -> dt.date | None:
    """The date part of an ISO-8601 timestamp, or ``None`` when it is not one."""
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value or "")
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
