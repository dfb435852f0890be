"""The ``folder`` source: a directory of form submissions, partners' lists and news items.

* ``.json`` holding one object is one form submission; holding a list of objects, a partner's
  list (one submission per element);
* ``.csv`` is a partner's list, one submission per row, the header row naming the questions
  (map them to victim fields with the source's ``mapping``); UTF-8 or, as Arabic Excel saves
  it, Windows-1256;
* ``.html``/``.htm`` are news pages; ``.txt`` news items in plain text (optionally headed by
  ``Title:``, ``Published:`` and ``URL:`` lines).

A file's path relative to the folder is its external id (a list's rows add ``#`` and the
row's id: the ``id_column`` setting's value, a KoboToolbox ``_uuid`` or ODK ``__id`` when
there is one, otherwise a digest of the row), so an edited file becomes a new version of the
same item and an unchanged one is recognised by its SHA-256 and skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any, Iterator

from tawthiq.errors import ConfigError, SourceUnavailable

from . import CursorUpdate, FetchedItem

KINDS_BY_SUFFIX = {".json": ("form", "application/json"), ".csv": ("form", "text/csv"), ".html": ("news", "text/html"),
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
            meta = {"path": str(file), "size": size,
                    "modified": dt.datetime.fromtimestamp(file.stat().st_mtime, dt.timezone.utc).isoformat()}
            if kind == "form" and error is None and (file.suffix.lower() == ".csv" or content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"["):
                yield from list_items(relative, content, file.resolve().as_uri(), meta, settings)
                continue
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
                meta=meta,
                error=error,
            )
        yield CursorUpdate({"last_scan": dt.datetime.now(dt.timezone.utc).isoformat(), "files": len(files)})


def protect_form_bytes(content: bytes) -> tuple[bytes, dict]:
    """Encrypt the submitter's answers inside a JSON submission before it is stored. Bytes
    that are not a JSON object are stored as they are (extraction will fail them clearly;
    nothing in them can be told apart as contact details)."""
    import json

    from .submissions import protect_payload

    try:
        payload = json.loads(content.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        return content, {}
    if not isinstance(payload, dict):
        return content, {}
    protected, plain = protect_payload(payload)
    return (protected, plain) if plain else (content, {})


#: Keys that identify a row when the source names no ``id_column``.
ROW_ID_KEYS = ("_uuid", "__id", "meta/instanceID", "instanceID", "id", "ID", "record_id")


def list_items(relative: str, content: bytes, url: str, meta: dict[str, Any], settings: dict[str, Any]) -> Iterator[FetchedItem]:
    """One item per row of a partner's CSV or JSON list. A file that cannot be read at all is
    stored whole as one failed item naming the problem; a bad row fails alone."""
    import json

    from .submissions import form_item

    sha = hashlib.sha256(content).hexdigest()
    base_meta = {**meta, "file_sha256": sha}
    try:
        if relative.lower().endswith(".csv"):
            rows, encoding, problems = read_csv_rows(content)
            base_meta["encoding"] = encoding
        else:
            data = json.loads(content.decode("utf-8-sig"))
            if not isinstance(data, list):
                raise ValueError("expected a list of submissions")
            rows, problems = [], {}
            for number, row in enumerate(data, start=1):
                if isinstance(row, dict):
                    rows.append((number, row))
                else:
                    problems[number] = f"element {number} is {type(row).__name__}, not an object"
                    rows.append((number, {"value": row}))
    except (ValueError, UnicodeDecodeError) as exc:
        yield FetchedItem(external_id=relative, content=content, kind="form", url=url, content_type="application/octet-stream",
                          meta=base_meta, error=f"{relative}: cannot read the list: {exc}")
        return
    id_column = settings.get("id_column")
    seen: set[str] = set()
    for number, row in rows:
        key = _row_key(row, id_column) or "row-" + hashlib.sha256(
            json.dumps(row, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
        if key in seen:  # the same row twice in one file is one submission
            continue
        seen.add(key)
        item = form_item(f"{relative}#{key}", row, url=url, meta={**base_meta, "row": number})
        if number in problems:
            item.error = f"{relative} row {number}: {problems[number]}"
        yield item


def _row_key(row: dict[str, Any], id_column: str | None) -> str | None:
    for key in ((id_column,) if id_column else ROW_ID_KEYS):
        value = row.get(key) if key else None
        if value not in (None, ""):
            return str(value).strip().removeprefix("uuid:")
    return None


def read_csv_rows(content: bytes) -> tuple[list[tuple[int, dict[str, Any]]], str, dict[int, str]]:
    """``([(row number, {header: value})], encoding, {row number: problem})``. Rows are
    numbered as a spreadsheet shows them (the header is row 1); empty rows are skipped."""
    import csv
    import io

    for encoding in ("utf-8-sig", "cp1256"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1256 decodes nearly every byte
        raise ValueError("neither UTF-8 nor Windows-1256 text")
    if "\x00" in text:
        raise ValueError("binary data, not a CSV file (is it an .xlsx renamed .csv? save it as CSV UTF-8)")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise ValueError("no header row")
    header = [h.strip() for h in header]
    rows: list[tuple[int, dict[str, Any]]] = []
    problems: dict[int, str] = {}
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        row = {h: v.strip() for h, v in zip(header, values) if h}
        if len(values) != len(header):
            problems[number] = f"{len(values)} fields where the header has {len(header)}"
            row["_extra_fields"] = values[len(header):]
        rows.append((number, row))
    return rows, encoding, problems
