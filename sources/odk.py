"""The ``odk`` source: an ODK Central form's submissions through its OData feed.

Authentication is a session (``POST /v1/sessions`` with the account's e-mail and password,
then ``Authorization: Bearer``) or, with ``auth = basic``, HTTP Basic. Submissions come from
``/v1/projects/{project}/forms/{form}.svc/Submissions`` with ``$top`` paging; the
``@odata.nextLink`` is followed as an opaque URL. After the first pull the feed is filtered
with ``$filter=__system/submissionDate ge W or __system/updatedAt ge W`` so edits made since
the watermark come back too.

ODK Central keeps one logical id per submission (``__id``, the first version's instanceID)
across edits, so an edit is a new version of the same item; the digest of the answers (without
``__system``, whose review state changes when a documenter comments) tells an edit from a
re-read. Groups arrive as nested objects, which the form extractor flattens. Attachments are
listed from ``/submissions/{id}/attachments`` and downloaded one by one.

The server does not promise an order, so the watermark moves only after the last page.
"""

from __future__ import annotations

import base64
from typing import Any
from collections.abc import Iterator
from urllib.parse import quote, urlencode

from tawthiq.errors import ConfigError, SourceUnavailable

from . import CursorUpdate, FetchedItem
from .api import api_fetcher, get_json, parse_api_time, parse_json, read_secret, request
from .submissions import form_item

DEFAULT_PAGE = 250


class OdkConnector:
    kind = "odk"

    def fetch(self, name: str, settings: dict[str, Any], cursor: dict[str, Any]) -> Iterator[FetchedItem | CursorUpdate]:
        base = str(settings.get("url") or "").rstrip("/")
        project, form = settings.get("project"), settings.get("form")
        if not base or project in (None, "") or not form:
            raise ConfigError(f"source {name!r}: an odk source needs url, project and form")
        fetcher = api_fetcher(settings)
        headers = self._auth_headers(name, base, settings, fetcher)
        form_path = f"{base}/v1/projects/{quote(str(project))}/forms/{quote(str(form), safe='')}"
        watermark = None if settings.get("full") else cursor.get("watermark")
        params: dict[str, Any] = {"$top": int(settings.get("page_size", DEFAULT_PAGE)), "$count": "true"}
        if watermark:
            params["$filter"] = f"__system/submissionDate ge {watermark} or __system/updatedAt ge {watermark}"
        url: str | None = f"{form_path}.svc/Submissions?{urlencode(params, quote_via=quote)}"
        newest = cursor.get("watermark")
        while url:
            page = get_json(fetcher, url, name, headers)
            if not isinstance(page, dict) or not isinstance(page.get("value"), list):
                raise SourceUnavailable(f"source {name!r}: {url} is not an OData Submissions page (no 'value' list)")
            for submission in page["value"]:
                if not isinstance(submission, dict) or not submission.get("__id"):
                    continue
                system = submission.get("__system") or {}
                yield self._item(name, base, form_path, project, form, submission, fetcher, headers)
                for stamp in (system.get("submissionDate"), system.get("updatedAt")):
                    if isinstance(stamp, str) and (newest is None or stamp > newest):
                        newest = stamp
            url = page.get("@odata.nextLink") or None
        yield CursorUpdate({"watermark": newest})

    def _auth_headers(self, name: str, base: str, settings: dict[str, Any], fetcher: Any) -> dict[str, str]:
        user = read_secret(name, settings, "user")
        password = read_secret(name, settings, "password")
        if settings.get("auth") == "basic":
            encoded = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            return {"Authorization": f"Basic {encoded}", "Accept": "application/json"}
        answer = parse_json(request(fetcher, f"{base}/v1/sessions", name, {}, post={"email": user, "password": password}), name)
        token = answer.get("token") if isinstance(answer, dict) else None
        if not token:
            raise SourceUnavailable(f"source {name!r}: {base}/v1/sessions answered without a session token")
        return {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def _item(self, name: str, base: str, form_path: str, project: Any, form: Any, submission: dict[str, Any],
              fetcher: Any, headers: dict[str, str]) -> FetchedItem:
        instance = str(submission["__id"])
        system = submission.get("__system") or {}
        attachments: list[tuple[str, str | None, bytes]] = []
        missing: list[str] = []
        if system.get("attachmentsPresent"):
            listing = get_json(fetcher, f"{form_path}/submissions/{quote(instance, safe='')}/attachments", name, headers)
            for entry in listing if isinstance(listing, list) else []:
                filename = entry.get("name") if isinstance(entry, dict) else None
                if not filename:
                    continue
                if not entry.get("exists", True):
                    missing.append(f"{filename}: not uploaded to the server yet")
                    continue
                link = f"{form_path}/submissions/{quote(instance, safe='')}/attachments/{quote(filename, safe='')}"
                response = request(fetcher, link, name, headers, accept=())
                attachments.append((filename, response.content_type or None, response.content))
        meta = {"project": project, "form": form, "instanceID": (submission.get("meta") or {}).get("instanceID"),
                "submissionDate": system.get("submissionDate"), "updatedAt": system.get("updatedAt"),
                "edits": system.get("edits"), "reviewState": system.get("reviewState")}
        if missing:
            meta["attachments_missing"] = missing
        return form_item(
            instance, submission,
            url=f"{base}/#/projects/{project}/forms/{quote(str(form), safe='')}/submissions/{quote(instance, safe='')}",
            meta=meta,
            published_at=parse_api_time(system.get("submissionDate")),
            attachments=attachments,
        )
