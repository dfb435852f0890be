"""Extraction: raw items in, victim records out. Pure functions, no database.

The two doors are :func:`extract_item` (what the flow calls for a stored raw item) and
:func:`extract_path` (what ``tawthiq extract PATH`` calls). Both return an
:class:`ExtractResult`: the records plus the text, title, language and publication date the
item turned out to have, which the flow stores beside the raw bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tawthiq.errors import ItemError

from .incidents import IncidentRecord
from .record import Place, VictimRecord

__all__ = ["ExtractResult", "IncidentRecord", "VictimRecord", "Place", "extract_item", "extract_path", "extractor_for"]


@dataclass
class ExtractResult:
    records: list[VictimRecord]
    extractor: str
    extractor_version: str
    text: str | None = None
    title: str | None = None
    language: str | None = None
    published: dt.date | None = None
    canonical_url: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    #: The incident the item reports (counts, date, place), or none when it reports no death.
    incidents: list[IncidentRecord] = field(default_factory=list)


def extractor_for(kind: str) -> tuple[str, str]:
    """``(name, version)`` of the extractor used for items of ``kind`` (form or news)."""
    if kind == "form":
        from .forms import EXTRACTOR_NAME, EXTRACTOR_VERSION
    else:
        from .news import EXTRACTOR_NAME, EXTRACTOR_VERSION
    return EXTRACTOR_NAME, EXTRACTOR_VERSION


def extract_item(
    kind: str,
    content: bytes,
    *,
    content_type: str | None = None,
    published: dt.date | None = None,
    name: str = "item",
    mapping: Mapping[str, list[str]] | None = None,
) -> ExtractResult:
    """Extract the victims from one raw item.

    ``kind`` is ``"form"`` (a JSON submission) or ``"news"`` (HTML or plain text). Raises an
    :class:`~tawthiq.errors.ItemError` subclass naming ``name`` when the item cannot be read.
    """
    if kind == "form":
        from . import forms

        payload = forms.parse_submission(content, name=name)
        records = forms.extract_submission(payload, mapping=mapping, name=name)
        return ExtractResult(records, forms.EXTRACTOR_NAME, forms.EXTRACTOR_VERSION, language=None)
    if kind != "news":
        raise ItemError(f"{name}: unknown item kind {kind!r}")
    from . import news
    from .html import parse_html
    from tawthiq.lang.text import decode_bytes, detect_language

    is_html = (content_type or "").lower().startswith(("text/html", "application/xhtml")) or (
        content_type is None and content.lstrip()[:200].lower().startswith((b"<!doctype html", b"<html"))
    )
    title = None
    canonical = None
    if is_html:
        page = parse_html(content, declared_charset=_charset(content_type), name=name)
        text, title, language, canonical = page.text, page.title, page.language, page.canonical_url
        published = published or page.published
    else:
        text, _ = decode_bytes(content, _charset(content_type), name=name)
        text, headers = split_text_headers(text)
        title = headers.get("title")
        if not published and headers.get("published"):
            from .html import parse_iso_date

            published = parse_iso_date(headers["published"])
        language = detect_language(text)
    if len(text) > news.MAX_TEXT_CHARS:
        from tawthiq.errors import PayloadError

        raise PayloadError(f"{name}: text of {len(text):,} characters is over the {news.MAX_TEXT_CHARS:,}-character "
                           "limit for one item; split it or raise TAWTHIQ_MAX_TEXT_CHARS")
    records = news.extract_text(text, published=published, language=language, title=title)
    from .incidents import extract_incidents

    incidents = extract_incidents(text, published=published, language=language, title=title, victims=records)
    return ExtractResult(
        records, news.EXTRACTOR_NAME, news.EXTRACTOR_VERSION, text=text, title=title,
        language=language, published=published, canonical_url=canonical, incidents=incidents,
    )


def split_text_headers(text: str) -> tuple[str, dict[str, str]]:
    """Read optional ``Title:``, ``Published:`` and ``URL:`` lines heading a plain-text item.

    News items saved as ``.txt`` may start with such lines followed by a blank line; they are
    taken as metadata and removed from the body.
    """
    headers: dict[str, str] = {}
    lines = text.lstrip("\ufeff").splitlines()
    index = 0
    for index, line in enumerate(lines):  # noqa: B007 (index is read after the loop: where the body starts)
        key, sep, value = line.partition(":")
        if not line.strip():
            break
        if not sep or key.strip().lower() not in ("title", "published", "url", "source", "date"):
            return text, {}
        headers["published" if key.strip().lower() == "date" else key.strip().lower()] = value.strip()
    else:
        return text, {}
    return "\n".join(lines[index + 1 :]), headers


def _charset(content_type: str | None) -> str | None:
    if not content_type or "charset=" not in content_type.lower():
        return None
    return content_type.lower().split("charset=")[-1].split(";")[0].strip().strip('"') or None


def extract_path(path: str | Path, *, published: dt.date | None = None) -> ExtractResult:
    """Extract from a file: ``.json`` is a form submission, ``.html``/``.htm`` a page, anything
    else plain text (the ``tawthiq extract`` contract)."""
    path = Path(path)
    content = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".json":
        return extract_item("form", content, name=str(path))
    content_type = "text/html" if suffix in (".html", ".htm", ".xhtml") else "text/plain"
    return extract_item("news", content, content_type=content_type, published=published, name=str(path))
