"""Connectors: where raw items come from (forms, files, feeds).

A connector turns a configured :class:`~tawthiq.db.models.Source` into a stream of
:class:`FetchedItem` objects, interleaved with :class:`CursorUpdate` markers. The intake step
stores every item raw (in its own transaction) *before* it stores a cursor update that comes
after it, so a crash between fetching and storing loses nothing and a re-pull doubles nothing.

Connectors live here rather than in ``flows/`` because they are the network and file I/O that
the flows orchestrate (Prefect's ``fetch_*`` tasks call them), and rather than in
``extractors/`` because extractors are pure functions over stored bytes.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from typing import Any, Protocol
from collections.abc import Iterator

from tawthiq.errors import ConfigError


@dataclass
class FetchedItem:
    """One item as a source gave it, before it is stored."""

    external_id: str
    content: bytes
    kind: str  # "form" | "news"
    url: str | None = None
    content_type: str | None = None
    headers: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    published_at: dt.datetime | None = None
    language: str | None = None
    title: str | None = None
    #: External id of the item this one replaces (an edited form submission).
    supersedes: str | None = None
    #: (name, media_type, bytes) of photos or documents that came with the item.
    attachments: list[tuple[str, str | None, bytes]] = field(default_factory=list)
    #: Submitter's details, kept apart from the victim data and encrypted when stored.
    submitter: dict[str, Any] = field(default_factory=dict)
    #: Set when the item could be fetched but is known to be bad (e.g. over the size limit):
    #: it is still stored raw, then marked failed with this message.
    error: str | None = None
    #: SHA-256 of the bytes exactly as the source gave them, when ``content`` was rewritten
    #: before storage (submitter answers encrypted with a fresh nonce). The same submission
    #: pulled again is then still recognised as the same item.
    received_sha256: str | None = None


@dataclass
class CursorUpdate:
    """The source's new cursor, valid once every item yielded before it is stored."""

    cursor: dict[str, Any]


class Connector(Protocol):
    kind: str

    def fetch(self, name: str, settings: dict[str, Any], cursor: dict[str, Any]) -> Iterator[FetchedItem | CursorUpdate]:
        ...


#: kind -> "module:Class". Connectors are imported only when used.
CONNECTORS: dict[str, str] = {
    "folder": "tawthiq.sources.folder:FolderConnector",
    "form": "tawthiq.sources.webform:WebFormConnector",
    "kobo": "tawthiq.sources.kobo:KoboConnector",
    "odk": "tawthiq.sources.odk:OdkConnector",
    "feed": "tawthiq.sources.feeds:FeedConnector",
    "listing": "tawthiq.sources.feeds:ListingConnector",
    "page": "tawthiq.sources.feeds:PageConnector",
}


def get_connector(kind: str) -> Connector:
    """The connector for a source kind, or :class:`ConfigError` naming the kinds there are."""
    target = CONNECTORS.get(kind)
    if target is None:
        raise ConfigError(f"unknown source kind {kind!r}; known kinds: {', '.join(sorted(CONNECTORS))}")
    module_name, _, class_name = target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)()
