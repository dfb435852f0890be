"""The ``kobo`` source: a KoboToolbox project's submissions through the KPI API v2.

``GET {url}/api/v2/assets/{asset}/data/`` with ``Authorization: Token ...``, ``start``/``limit``
paging (``limit`` 100 by default, at most 1000) following the envelope's ``next`` link, sorted
by ``_submission_time`` and, after the first pull, filtered with
``query={"_submission_time": {"$gte": watermark}}``. The boundary submission comes back each
time and is recognised by its digest, so nothing is doubled.

Identity and edits: KoboToolbox gives an edited submission a new ``_uuid`` and
``meta/instanceID`` and points ``meta/deprecatedID`` at the previous one; since 2025 it also
keeps ``meta/rootUuid``, which never changes. The item's external id is the root UUID when
there is one (an edit is then a new version of the same item), otherwise the ``_uuid`` with
``supersedes`` set from ``meta/deprecatedID``. An edit does not move ``_submission_time``
(kpi issue #7259: the data API has no modified time), so every ``sweep_days`` (default 7) a
pull reads all submissions once more and keeps only those whose answers changed;
``tawthiq pull NAME --full`` does that on demand.

Attachments (photos, documents) are downloaded from each ``download_url`` with the same token
and stored with their SHA-256. A transient failure stops the pull before the submission is
stored (the next run takes it again); an attachment the server no longer has is noted on the
item.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from collections.abc import Iterator
from urllib.parse import urlencode

from tawthiq.errors import ConfigError, SourceUnavailable

from . import CursorUpdate, FetchedItem
from .api import api_fetcher, get_json, parse_api_time, read_secret, request
from .submissions import form_item

DEFAULT_PAGE = 100
MAX_PAGE = 1000
DEFAULT_SWEEP_DAYS = 7


def _uuid(value: Any) -> str | None:
    if not value or not isinstance(value, str):
        return None
    return value.strip().removeprefix("uuid:") or None


class KoboConnector:
    kind = "kobo"

    def fetch(self, name: str, settings: dict[str, Any], cursor: dict[str, Any]) -> Iterator[FetchedItem | CursorUpdate]:
        base = str(settings.get("url") or "").rstrip("/")
        asset = settings.get("asset")
        if not base or not asset:
            raise ConfigError(f"source {name!r}: a kobo source needs url and asset")
        token = read_secret(name, settings, "token")
        headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        fetcher = api_fetcher(settings)
        size = max(1, min(int(settings.get("page_size", DEFAULT_PAGE)), MAX_PAGE))
        watermark = cursor.get("watermark")
        now = dt.datetime.now(dt.UTC)
        last_sweep = cursor.get("last_full_sweep")
        sweep_due = bool(settings.get("full")) or not last_sweep or (
            now - dt.datetime.fromisoformat(last_sweep) > dt.timedelta(days=float(settings.get("sweep_days", DEFAULT_SWEEP_DAYS))))
        params: dict[str, Any] = {"format": "json", "limit": size, "start": 0, "sort": json.dumps({"_submission_time": 1})}
        if watermark and not sweep_due:
            params["query"] = json.dumps({"_submission_time": {"$gte": watermark}})
        url: str | None = f"{base}/api/v2/assets/{asset}/data/?{urlencode(params)}"
        newest = watermark
        pages = 0
        while url:
            page = get_json(fetcher, url, name, headers)
            pages += 1
            if not isinstance(page, dict) or not isinstance(page.get("results"), list):
                raise SourceUnavailable(f"source {name!r}: {url} is not a KoboToolbox data page (no 'results' list)")
            for submission in page["results"]:
                if not isinstance(submission, dict):
                    continue
                submitted = str(submission.get("_submission_time") or "")
                yield self._item(name, base, asset, submission, fetcher, headers)
                if submitted and (newest is None or submitted > newest):
                    newest = submitted
            url = page.get("next") or None
        # The watermark moves only once every page is stored: a server that ignores ``sort``
        # would otherwise let a crash skip older submissions on a later page. A re-run after a
        # crash reads the pages again and recognises what it already stored.
        state = {"watermark": newest, "last_full_sweep": now.isoformat() if sweep_due else last_sweep,
                 "pages": pages}
        yield CursorUpdate(state)

    def _item(self, name: str, base: str, asset: str, submission: dict[str, Any], fetcher: Any, headers: dict[str, str]) -> FetchedItem:
        uuid = _uuid(submission.get("_uuid")) or _uuid(submission.get("meta/instanceID")) or str(submission.get("_id"))
        root = _uuid(submission.get("meta/rootUuid"))
        deprecated = _uuid(submission.get("meta/deprecatedID"))
        external_id = root or uuid
        attachments, missing = self._attachments(name, submission, fetcher, headers)
        meta = {"asset": asset, "_id": submission.get("_id"), "_uuid": uuid,
                "_submission_time": submission.get("_submission_time"), "version": submission.get("__version__")}
        if missing:
            meta["attachments_missing"] = missing
        return form_item(
            external_id, submission,
            url=f"{base}/#/forms/{asset}/data/table",
            meta=meta,
            published_at=parse_api_time(submission.get("_submission_time")),
            supersedes=deprecated if deprecated and deprecated != external_id else None,
            attachments=attachments,
        )

    def _attachments(self, name: str, submission: dict[str, Any], fetcher: Any, headers: dict[str, str]) -> tuple[list, list[str]]:
        found: list[tuple[str, str | None, bytes]] = []
        missing: list[str] = []
        for entry in submission.get("_attachments") or []:
            if not isinstance(entry, dict) or entry.get("is_deleted"):
                continue
            link = entry.get("download_url")
            filename = entry.get("media_file_basename") or str(entry.get("filename") or "attachment").rsplit("/", 1)[-1]
            if not link:
                missing.append(f"{filename}: no download_url")
                continue
            try:
                response = request(fetcher, link, name, headers, accept=())
            except SourceUnavailable as exc:
                status = getattr(exc.__cause__, "status", None)
                if status in (404, 410):
                    missing.append(f"{filename}: gone from the server (HTTP {status})")
                    continue
                raise
            found.append((filename, entry.get("mimetype") or response.content_type or None, response.content))
        return found, missing
