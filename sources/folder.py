"""The ``folder`` source: a directory of form submissions, partners' lists and news items.

* ``.json`` holding one object is one form submission; holding a list of objects, a partner's
  list (one submission per element);
* ``.csv`` is a partner's list, one submission per row, the header row naming the questions
  (map them to victim fields with the source's ``mapping``); UTF-8 or, as Arabic Excel saves
  it, Windows-1256, or UTF-16 (Excel's "Unicode Text", tab-separated; with a byte-order mark
  or recognised by its every-other-byte NULs);
* ``.html``/``.htm`` are news pages; ``.txt`` news items in plain text (optionally headed by
  ``Title:``, ``Published:`` and ``URL:`` lines).

A file's path relative to the folder is its external id (a list's rows add ``#`` and the
row's id: the ``id_column`` setting's value, a KoboToolbox ``_uuid`` or ODK ``__id`` when
there is one, otherwise a digest of the row), so an edited file becomes a new version of the
same item and an unchanged one is recognised by its SHA-256 and skipped. A name that is not
UTF-8 (a zip made on Windows often gives Arabic names in Windows-1256 bytes) has those bytes
written as ``\\xNN`` in the id and in ``meta["path"]``, and control characters likewise, so the
id is printable, stable and storable in any database.

One bad file never stops the source. A file that cannot be read (permissions, an I/O error) is
stored with no bytes and failed; one that cannot be parsed (broken or too deeply nested JSON,
a workbook renamed ``.csv``, rows that break the reader) is stored raw and failed (a list at
intake, a single submission when extraction reads it); either way with a message naming the
file and the problem, and the files after it are taken in. The one
exception to "stored raw" is a JSON submission that parses but is nested too deeply for its
submitter's answers to be encrypted: its bytes are not stored (they would hold contact details
in plain text) and the message says so; the file stays in the folder. A ``\\ud800`` escape (half
a character, which no database stores) becomes U+FFFD where a submission is rewritten to
encrypt it or taken from a list, as extraction makes it anyway.

Hidden files and folders (a name starting with ``.``) are left out. Symlinks are not followed
out of the folder: a link whose target lies outside the folder's real path is skipped, logged
as a warning and listed in the cursor (``skipped_symlinks``); a link to a file inside is taken
in only when that file is not already reached by its own path, and links to folders are never
descended into (their contents inside the folder are reached by their own path), so nothing is
taken in twice and a link loop ends.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tawthiq.errors import ConfigError, PayloadError, SourceUnavailable

from . import CursorUpdate, FetchedItem

log = logging.getLogger("tawthiq.sources.folder")

KINDS_BY_SUFFIX = {".json": ("form", "application/json"), ".csv": ("form", "text/csv"), ".html": ("news", "text/html"),
                   ".htm": ("news", "text/html"), ".txt": ("news", "text/plain")}
#: Files larger than this are stored truncated and marked failed rather than read whole.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: A submission nested deeper than this is not a form (they are a few groups deep): its
#: submitter's answers are not looked for, since encrypting them walks the nesting by recursion.
MAX_SUBMISSION_DEPTH = 100


class UnprotectedSubmission(PayloadError):
    """A JSON submission that parses but whose submitter's answers cannot be encrypted (nested
    too deeply for the encryption's walk): its bytes are not stored."""


class FolderConnector:
    kind = "folder"

    def fetch(self, name: str, settings: dict[str, Any], cursor: dict[str, Any]) -> Iterator[FetchedItem | CursorUpdate]:
        """Yield every supported file under the folder, in order of their paths, then the
        cursor with what was left out that the operator should know about."""
        path = settings.get("path")
        if not path:
            raise ConfigError(f"source {name!r}: a folder source needs a path")
        root = Path(path).expanduser()
        if not root.is_dir():
            raise SourceUnavailable(f"source {name!r}: folder {root} does not exist or is not a directory")
        scan = scan_folder(root, name)
        for relative, file in scan.files:
            yield from file_items(relative, file, settings)
        update: dict[str, Any] = {"last_scan": dt.datetime.now(dt.UTC).isoformat(), "files": len(scan.files)}
        if scan.skipped_symlinks:
            update["skipped_symlinks"] = scan.skipped_symlinks
        if scan.unreadable_folders:
            update["unreadable_folders"] = scan.unreadable_folders
        yield CursorUpdate(update)


def printable(text: str) -> str:
    """``text`` with what can be neither shown nor stored written as escapes: the bytes of a
    file name that are not UTF-8 (Python hands them over as lone surrogates U+DC80..U+DCFF,
    which no UTF-8 database column accepts) as ``\\xNN``, other lone surrogates as ``\\uNNNN``,
    control characters and line separators likewise. Letters of every script, and the joiners
    and direction marks Arabic and Persian names carry, are kept: an ordinary name is its own
    printable form, so the external ids of files already taken in do not change."""
    if text.isprintable():
        return text
    import unicodedata

    out = []
    for char in text:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif unicodedata.category(char) in ("Cs", "Zl", "Zp"):
            out.append(f"\\u{code:04x}")
        elif unicodedata.category(char) == "Cc":
            out.append(f"\\x{code:02x}")
        else:
            out.append(char)
    return "".join(out)


def describe(exc: BaseException) -> str:
    """One printable line for why a file or row could not be taken in."""
    if isinstance(exc, RecursionError):
        return "JSON nested too deeply"
    if isinstance(exc, OSError) and exc.strerror:
        # str(exc) repeats the absolute path, which may hold bytes that are not UTF-8.
        return exc.strerror
    if isinstance(exc, (ValueError, PayloadError)):
        return printable(str(exc))
    return printable(f"{type(exc).__name__}: {exc}")


@dataclass
class FolderScan:
    """What a folder holds to take in, and what was left out that an operator must hear of."""

    #: ``(path relative to the folder as the OS names it, path)``, in order of relative path.
    files: list[tuple[str, Path]] = field(default_factory=list)
    #: Printable relative names of symlinks not followed (target outside the folder, or none).
    skipped_symlinks: list[str] = field(default_factory=list)
    #: Printable relative names of folders that could not be listed.
    unreadable_folders: list[str] = field(default_factory=list)


def scan_folder(root: Path, name: str = "folder") -> FolderScan:
    """The supported files under ``root``, hidden ones left out, without following symlinks
    out of it (a partner's folder is not a way to read the rest of the machine), without
    descending into linked folders (no loops, nothing reached twice), and with a link to a
    file inside taken only when that file is not reached by its own path."""
    scan = FolderScan()
    real_root = Path(os.path.realpath(root))
    regular: dict[str, Path] = {}
    links: list[tuple[str, Path, Path]] = []

    def relative_of(path: str | Path) -> str:
        return Path(path).relative_to(root).as_posix()

    def unreadable(exc: OSError) -> None:
        if exc.filename is None or Path(exc.filename) == root:
            raise SourceUnavailable(f"source {name!r}: folder {printable(str(root))} cannot be listed: {describe(exc)}") from exc
        scan.unreadable_folders.append(printable(relative_of(exc.filename)))

    def skip_link(relative: str, why: str) -> None:
        scan.skipped_symlinks.append(printable(relative))
        log.warning("source %s: symlink %s not followed: %s", name, printable(relative), why)

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        here = Path(dirpath)
        descend = []
        for dirname in dirnames:
            if dirname.startswith("."):
                continue
            if (here / dirname).is_symlink():
                target = Path(os.path.realpath(here / dirname))
                if not target.is_relative_to(real_root):
                    skip_link(relative_of(here / dirname), f"it leads out of the folder, to {printable(str(target))}")
                continue
            descend.append(dirname)
        dirnames[:] = descend
        for filename in filenames:
            if filename.startswith(".") or Path(filename).suffix.lower() not in KINDS_BY_SUFFIX:
                continue
            file = here / filename
            relative = relative_of(file)
            try:
                mode = os.lstat(file).st_mode
            except OSError:
                regular[relative] = file  # reading it will say what is wrong
                continue
            if stat.S_ISLNK(mode):
                target = Path(os.path.realpath(file))
                if not target.is_relative_to(real_root):
                    skip_link(relative, f"it leads out of the folder, to {printable(str(target))}")
                elif not target.is_file():
                    skip_link(relative, "its target does not exist or is not a file")
                else:
                    links.append((relative, file, target))
            elif stat.S_ISREG(mode):  # not a FIFO or device that a read would hang on
                regular[relative] = file
    reached = {Path(os.path.realpath(file)) for file in regular.values()}
    for relative, file, target in sorted(links):
        if target in reached:
            log.info("source %s: symlink %s leads to a file taken in by its own path", name, printable(relative))
            continue
        reached.add(target)
        regular[relative] = file
    scan.files = sorted(regular.items())
    scan.skipped_symlinks.sort()
    scan.unreadable_folders.sort()
    return scan


def file_items(relative: str, file: Path, settings: dict[str, Any]) -> Iterator[FetchedItem]:
    """The item (or a list's items) of one file. Whatever goes wrong with this file is an item
    failed with a message naming it, never an exception: the files after it still come."""
    label = printable(relative)
    kind, content_type = KINDS_BY_SUFFIX[file.suffix.lower()]
    url = Path(os.path.realpath(file)).as_uri()
    meta: dict[str, Any] = {"path": printable(str(file))}
    try:
        status = file.stat()
        meta["size"] = status.st_size
        meta["modified"] = dt.datetime.fromtimestamp(status.st_mtime, dt.UTC).isoformat()
        with file.open("rb") as handle:
            content = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        log.warning("%s: cannot read the file: %s", label, describe(exc))
        yield FetchedItem(external_id=label, content=b"", kind=kind, url=url, content_type=content_type, meta=meta,
                          error=f"{label}: cannot read the file: {describe(exc)}")
        return
    try:
        yield from _content_items(label, kind, content_type, content, url, meta, settings)
    except Exception as exc:  # a file this code did not foresee fails alone
        log.warning("%s: cannot be taken in: %s", label, describe(exc), exc_info=True)
        yield FetchedItem(external_id=label, content=content, kind=kind, url=url, content_type=content_type, meta=meta,
                          error=f"{label}: cannot be taken in: {describe(exc)}")


def _content_items(label: str, kind: str, content_type: str, content: bytes, url: str, meta: dict[str, Any],
                   settings: dict[str, Any]) -> Iterator[FetchedItem]:
    if len(content) > MAX_FILE_BYTES:
        yield FetchedItem(external_id=label, content=content[:MAX_FILE_BYTES], kind=kind, url=url, content_type=content_type,
                          meta=meta, error=f"{label}: file is {meta['size']:,} bytes, over the {MAX_FILE_BYTES:,}-byte "
                                           "limit; stored truncated")
        return
    if kind == "form" and (label.lower().endswith(".csv") or content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"["):
        yield from list_items(label, content, url, meta, settings)
        return
    submitter: dict = {}
    received = None
    if kind == "form":
        received = hashlib.sha256(content).hexdigest()
        try:
            content, submitter = protect_form_bytes(content)
        except UnprotectedSubmission as exc:
            log.warning("%s: not stored: %s", label, exc)
            yield FetchedItem(external_id=label, content=b"", kind=kind, url=url, content_type=content_type, meta=meta,
                              error=f"{label}: {exc}; the file is left in the folder")
            return
    yield FetchedItem(
        external_id=label,
        content=content,
        submitter=submitter,
        received_sha256=received if submitter else None,
        kind=kind,
        url=url,
        content_type=content_type,
        meta=meta,
    )


def protect_form_bytes(content: bytes) -> tuple[bytes, dict]:
    """Encrypt the submitter's answers inside a JSON submission before it is stored. Bytes
    that are not a JSON object (broken, or nested too deeply for the parser) are stored as
    they are (extraction will fail them clearly; nothing in them can be told apart as contact
    details). Raises :class:`UnprotectedSubmission` for an object that holds submitter
    answers which cannot be encrypted: those bytes must not be stored at all."""
    import json

    from tawthiq.extractors.forms import replace_lone_surrogates

    from .submissions import protect_payload

    try:
        payload = json.loads(content.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return content, {}
    if not isinstance(payload, dict):
        return content, {}
    depth = nesting_depth(payload)
    if depth > MAX_SUBMISSION_DEPTH:
        problem = f"JSON nested {depth} levels deep, over the {MAX_SUBMISSION_DEPTH} a submission may have"
    else:
        replace_lone_surrogates(payload)  # "\ud800" escapes: no UTF-8 to write them back as
        try:
            protected, plain = protect_payload(payload)
        except (RecursionError, ValueError, TypeError) as exc:
            problem = describe(exc)
        else:
            return (protected, plain) if plain else (content, {})
    if not has_submitter_answers(payload):
        return content, {}
    raise UnprotectedSubmission(f"{problem}; not stored, since the submitter's answers in it cannot be encrypted")


def nesting_depth(value: Any) -> int:
    """How many objects and lists deep ``value`` goes (a flat submission is 1), counted
    without recursion, so that any depth the JSON parser accepted can be measured."""
    depth = 0
    stack = [(value, 1)]
    while stack:
        current, level = stack.pop()
        if isinstance(current, dict | list):
            depth = max(depth, level)
            stack.extend((child, level + 1) for child in (current.values() if isinstance(current, dict) else current))
    return depth


def has_submitter_answers(payload: Any) -> bool:
    """Whether any question at any depth is a submitter question with an answer (the test
    :func:`tawthiq.crypto.protect_submission` applies), looked for without recursion."""
    from tawthiq.extractors.forms import SUBMITTER_FIELDS

    stack = [payload]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            for key, value in current.items():
                if str(key).rsplit("/", 1)[-1] in SUBMITTER_FIELDS and not isinstance(value, dict) and value not in (None, ""):
                    return True
                stack.append(value)
        elif isinstance(current, list):
            stack.extend(current)
    return False


#: Keys that identify a row when the source names no ``id_column``.
ROW_ID_KEYS = ("_uuid", "__id", "meta/instanceID", "instanceID", "id", "ID", "record_id")


def list_items(relative: str, content: bytes, url: str, meta: dict[str, Any], settings: dict[str, Any]) -> Iterator[FetchedItem]:
    """One item per row of a partner's CSV or JSON list. A file that cannot be read at all is
    stored whole as one failed item naming the problem; a bad row fails alone (a row whose
    submitter's answers cannot be encrypted is failed without its data: the file has it)."""
    import json

    from tawthiq.extractors.forms import replace_lone_surrogates

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
    except Exception as exc:  # csv.Error (a field over the size limit) and RecursionError are not ValueErrors
        yield FetchedItem(external_id=relative, content=content, kind="form", url=url, content_type="application/octet-stream",
                          meta=base_meta, error=f"{relative}: cannot read the list: {describe(exc)}")
        return
    id_column = settings.get("id_column")
    seen: set[str] = set()
    for number, row in rows:
        key = None
        try:
            replace_lone_surrogates(row)  # as extraction would: "\ud800" escapes cannot be written as UTF-8
            depth = nesting_depth(row)
            key = _row_key(row, id_column)
            if depth > MAX_SUBMISSION_DEPTH:  # too deep to digest or encrypt, which recurse
                raise ValueError(f"JSON nested {depth} levels deep, over the {MAX_SUBMISSION_DEPTH} a submission may have")
            key = printable(key or "row-" + hashlib.sha256(
                json.dumps(row, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:16])
            if key in seen:  # the same row twice in one file is one submission
                continue
            seen.add(key)
            item = form_item(f"{relative}#{key}", row, url=url, meta={**base_meta, "row": number})
        except Exception as exc:
            external_id = f"{relative}#{printable(key) if key else f'row-{number}'}"
            yield FetchedItem(external_id=external_id, content=b"", kind="form", url=url, content_type="application/json",
                              meta={**base_meta, "row": number},
                              error=f"{relative} row {number}: {describe(exc)}; not stored (the file has it)")
            continue
        if number in problems:
            item.error = f"{relative} row {number}: {problems[number]}"
        yield item


def _row_key(row: dict[str, Any], id_column: str | None) -> str | None:
    for key in ((id_column,) if id_column else ROW_ID_KEYS):
        value = row.get(key) if key else None
        if value not in (None, ""):
            return str(value).strip().removeprefix("uuid:")
    return None


def decode_csv(content: bytes) -> tuple[str, str]:
    """``(text, encoding)`` of a CSV file's bytes: UTF-16 or UTF-32 when a byte-order mark
    says so, UTF-16 without one when every other byte is NUL (the ASCII of delimiters, digits
    and line ends), otherwise UTF-8 or, failing that, Windows-1256. A workbook renamed
    ``.csv`` is named as such, with what to do about it."""
    if content.startswith(b"PK\x03\x04"):
        raise ValueError("binary data, not a CSV file: an .xlsx workbook (a ZIP archive) renamed .csv; "
                         "open it in Excel or LibreOffice and save it as CSV UTF-8")
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise ValueError("binary data, not a CSV file: an old .xls workbook renamed .csv; "
                         "open it in Excel or LibreOffice and save it as CSV UTF-8")
    if content.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-32",)
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = tuple(filter(None, (_utf16_without_bom(content),))) or ("utf-8-sig", "cp1256")
    for encoding in encodings:
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError as exc:
            if len(encodings) == 1:
                raise ValueError(f"{encoding.upper()} text with an invalid or cut sequence at byte {exc.start}") from exc
    else:  # pragma: no cover - cp1256 decodes nearly every byte
        raise ValueError("neither UTF-8 nor Windows-1256 text")
    if "\x00" in text:
        raise ValueError("binary data, not a CSV file (NUL bytes in it, and it is not UTF-16 text)")
    return text, encoding


def _utf16_without_bom(content: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when the first bytes show UTF-16 without a byte-order
    mark: NULs in one byte of each pair (the high byte of ASCII characters) and almost never
    in the other; binary data has its NULs in both."""
    sample = content[:8192]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    pairs = len(sample) // 2
    for nuls, others, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        # An Arabic text still has its spaces, delimiters, digits and line ends in ASCII.
        if pairs >= 2 and nuls >= max(2, pairs // 10) and others * 20 <= nuls:
            return encoding
    return None


def read_csv_rows(content: bytes) -> tuple[list[tuple[int, dict[str, Any]]], str, dict[int, str]]:
    """``([(row number, {header: value})], encoding, {row number: problem})``. Rows are
    numbered as a spreadsheet shows them (the header is row 1); empty rows are skipped."""
    import csv
    import io

    text, encoding = decode_csv(content)
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
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            row: dict[str, Any] = {h: v.strip() for h, v in zip(header, values) if h}
            if len(values) != len(header):
                problems[number] = f"{len(values)} fields where the header has {len(header)}"
                row["_extra_fields"] = values[len(header):]
            rows.append((number, row))
    except csv.Error as exc:  # a quote never closed swallows the rest into one field over the limit
        raise ValueError(f"line {reader.line_num}: {exc}") from exc
    return rows, encoding, problems
