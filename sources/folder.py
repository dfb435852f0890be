"""The ``folder`` source: a directory of form submissions and news items on disk.

``.json`` files are form submissions; ``.html``/``.htm`` are news pages; ``.txt`` are news
items in plain text (optionally headed by ``Title:``, ``Published:`` and ``URL:`` lines).
A file's path relative to the folder is its external id, so an edited file becomes a new
version of the same item and an unchanged one is recognised by its SHA-256 and skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any, Iterator

from tawthiq.errors import ConfigError, SourceUnavailable

from . import CursorUpdate, FetchedItem

KINDS_BY_SUFFIX = {".json": ("form", "application/json"), ".html": ("news", "text/html"),
                   ".htm": ("news", "text/html"), ".txt": ("news", "text/plain")}
#: Files larger than this are stored truncated and marked failed rather than read whole.
MAX_FILE_BYTES = 20 * 1024 * 1024


class FolderConnector:
    kind = "folder"

    def fetch(self, name: str, settings: dict[str, Any], cursor: dict[str, Any]) -> Iterator[FetchedItem | CursorUpdate]:
        """Yield every supported file under the folder, oldest first."""
        path = settings.get("path")
        if not path:
            raise ConfigError(f"source {name!r}: a folder source needs a path")
        root = Path(path).expanduser()
        if not root.is_dir():
            raise SourceUnavailable(f"source {name!r}: folder {root} does not exist or is not a directory")
        files = sorted(
            (p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in KINDS_BY_SUFFIX
             and not any(part.startswith(".") for part in p.relative_to(root).parts)),
            key=lambda p: str(p.relative_to(root)),
        )
        for file in files:
            kind, content_type = KINDS_BY_SUFFIX[file.suffix.lower()]
            relative = file.relative_to(root).as_posix()
            error = None
            size = file.stat().st_size
            with file.open("rb") as handle:
                content = handle.read(MAX_FILE_BYTES + 1)
            if len(content) > MAX_FILE_BYTES:
                content = content[:MAX_FILE_BYTES]
                error = f"{relative}: file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit; stored truncated"
            submitter: dict = {}
            received = None
            if kind == "form" and error is None:
                received = hashlib.sha256(content).hexdigest()
                content, submitter = protect_form_bytes(content)
            yield FetchedItem(
                external_id=relative,
                content=content,
                submitter=submitter,
                received_sha256=received if submitter else None,
                kind=kind,
                url=file.resolve().as_uri(),
                content_type=content_type,
                meta={"path": str(file), "size": size,
                      "modified": dt.datetime.fromtimestamp(file.stat().st_mtime, dt.timezone.utc).isoformat()},
                error=error,
            )
        yield CursorUpdate({"last_scan": dt.datetime.now(dt.timezone.utc).isoformat(), "files": len(files)})


def protect_form_bytes(content: bytes) -> tuple[bytes, dict]:
    """Encrypt the submitter's answers inside a JSON submission before it is stored. Bytes
    that are not a JSON object are stored as they are (extraction will fail them clearly;
    nothing in them can be told apart as contact details)."""
    import json

    from tawthiq.crypto import protect_submission

    try:
        payload = json.loads(content.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        return content, {}
    if not isinstance(payload, dict):
        return content, {}
    protected, plain = protect_submission(payload)
    if not plain:
        return content, {}
    return json.dumps(protected, ensure_ascii=False, indent=1).encode("utf-8"), plain
