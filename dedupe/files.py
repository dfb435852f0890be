"""CSV in and out for the ``tawthiq dedupe`` contract (DESIGN.md).

``--field target=A+B`` builds a matcher field from one or more columns joined by a space.
Every problem with a file (missing column, wrong ``--id``, repeated ids, bad encoding) is a
:class:`~tawthiq.errors.ConfigError` naming the file and the problem; a bad value in one row
(a one-letter name, ``00/00/2013``, an age of "unknown") is treated as unknown.

Every CSV tawthiq writes (the pairs here, the report tables and the victim lists of
tawthiq.reports, on disk or downloaded from the review app) passes its cells through
:func:`spreadsheet_safe`, so that a name sent in as ``=HYPERLINK(...)`` is text, not a formula,
in the spreadsheet that opens it (OWASP, "CSV Injection").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from tawthiq.errors import ConfigError, ItemError
from tawthiq.lang.text import decode_bytes

from . import MatchPair, MatchRecord

#: Contract field names and the MatchRecord attribute each fills.
TARGETS = {"full_name": "full_name", "name_ar": "name_ar", "date_of_death": "date_of_death",
           "locality": "locality", "governorate": "governorate", "sex": "sex", "age": "age"}
_SEX = {"m": "male", "male": "male", "man": "male", "ذكر": "male", "f": "female", "female": "female",
        "woman": "female", "أنثى": "female", "انثى": "female"}
#: The largest field :func:`read_records` reads. Set only while it reads: the csv module's limit
#: is one for the whole process, and the folder source relies on the default (131072) to fail
#: a partner's list with a runaway field (sources/folder.py), in a process that has imported
#: this module to write CSV (tawthiq.reports does).
FIELD_LIMIT = 10 * 1024 * 1024

#: What a spreadsheet reads as the start of a formula (OWASP's list: = + - @, tab, carriage return).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula: text starting with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return gets a leading ``'`` (which Excel and LibreOffice
    hide, and which shows the text is not what was sent when read back). Everything else,
    Arabic names included, is unchanged, but for one thing: a carriage return inside text is
    written as a line feed, because Python's csv module quotes only the characters of its line
    terminator (``\n`` here), and an unquoted carriage return breaks the row in two.

    Only text is touched: numbers tawthiq computes (counts, percentages, ages, ids, written as
    ``int``/``float``) pass as they are, so a real negative number stays a number. A *text*
    cell that looks like one ("-3", an id from a partner's file) is prefixed all the same, as
    OWASP advises for text that came from outside: it cannot be told from ``-3+cmd|...``."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def safe_row(row: Sequence[Any]) -> list[Any]:
    """A row for ``csv.writer`` with every cell :func:`spreadsheet_safe`."""
    return [spreadsheet_safe(cell) for cell in row]


def safe_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row for ``csv.DictWriter`` with every cell :func:`spreadsheet_safe`."""
    return {key: spreadsheet_safe(cell) for key, cell in row.items()}


def parse_field_specs(specs: Iterable[str]) -> dict[str, list[str]]:
    """``["full_name=first+last", "date_of_death=dod"]`` to ``{"full_name": ["first", "last"], ...}``."""
    fields: dict[str, list[str]] = {}
    for spec in specs:
        target, sep, columns = spec.partition("=")
        target = target.strip()
        if not sep or not columns.strip():
            raise ConfigError(f"--field {spec!r}: write it as TARGET=COLUMN[+COLUMN...]")
        if target not in TARGETS:
            raise ConfigError(f"--field {spec!r}: unknown target {target!r}; use one of {', '.join(TARGETS)}")
        fields[target] = [c.strip() for c in columns.split("+") if c.strip()]
    if "full_name" not in fields and "name_ar" not in fields:
        raise ConfigError("--field full_name=COLUMN is required: the matcher needs a name")
    return fields


def read_records(path: Path, id_column: str, fields: dict[str, list[str]]) -> list[MatchRecord]:
    """The rows of the CSV at ``path`` as match records."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    try:
        text, _ = decode_bytes(data, name=str(path))
    except ItemError as exc:
        raise ConfigError(str(exc)) from exc
    previous = csv.field_size_limit(FIELD_LIMIT)
    try:
        return _read_rows(path, text, id_column, fields)
    except csv.Error as exc:
        raise ConfigError(f"{path}: not a readable CSV ({exc})") from exc
    finally:
        csv.field_size_limit(previous)


def _read_rows(path: Path, text: str, id_column: str, fields: dict[str, list[str]]) -> list[MatchRecord]:
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise ConfigError(f"{path}: no header row")
    reader.fieldnames = header
    needed = {id_column, *(c for columns in fields.values() for c in columns)}
    missing = sorted(needed - set(header))
    if missing:
        what = "--id column" if missing == [id_column] else "columns"
        raise ConfigError(f"{path}: no {what} {', '.join(repr(m) for m in missing)}; the header has {', '.join(header)}")
    records: list[MatchRecord] = []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        ident = (row.get(id_column) or "").strip()
        if not ident:
            raise ConfigError(f"{path}, line {line}: empty {id_column!r}")
        if ident in seen:
            raise ConfigError(f"{path}, line {line}: id {ident!r} appears twice; --id must name a unique column")
        seen.add(ident)
        values = {target: " ".join(v for v in ((row.get(c) or "").strip() for c in columns) if v) or None
                  for target, columns in fields.items()}
        records.append(_record(ident, values))
    return records


def _record(ident: str, values: dict[str, str | None]) -> MatchRecord:
    name = values.get("full_name")
    if name and len(re.sub(r"\W", "", name)) < 2:
        name = None
    age_text = values.get("age")
    age = None
    if age_text:
        digits = age_text.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")).strip()
        match = re.fullmatch(r"(\d{1,3})(?:\.0+)?", digits)
        age = int(match.group(1)) if match and int(match.group(1)) <= 120 else None
    sex = values.get("sex")
    return MatchRecord(
        id=ident,
        full_name=name,
        name_ar=values.get("name_ar"),
        # As written: the engine reads every format of the contract itself, and a date with an
        # impossible day ("19105412", a digit slipped) keeps its digits for the comparison of
        # dates one digit apart, which the parsed year alone would lose.
        date_of_death=(values.get("date_of_death") or "").strip() or None,
        governorate=values.get("governorate"),
        locality=values.get("locality"),
        sex=_SEX.get(sex.strip().lower()) if sex else None,
        age=age,
    )


def write_pairs(pairs: Sequence[MatchPair], out: TextIO) -> None:
    """``left_id,right_id,probability``, one row per pair, strongest first. The ids are the
    input files' own text, so they are :func:`spreadsheet_safe` (an id "-7" comes out "'-7")."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["left_id", "right_id", "probability"])
    for pair in sorted(pairs, key=lambda p: (-p.probability, p.left_id, p.right_id)):
        writer.writerow(safe_row([pair.left_id, pair.right_id, f"{pair.probability:.6f}"]))
