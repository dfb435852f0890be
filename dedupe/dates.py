"""Dates as the matcher reads them: the contract's formats to partial ISO dates, and parts."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from tawthiq.lang.dates import parse_date as _parse_free_text

_CONTRACT = (
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), ("y", "m")),
    (re.compile(r"^(\d{4})$"), ("y",)),
)


@lru_cache(maxsize=100_000)
def parse_date(value: str | None) -> str | None:
    """``YYYYMMDD``, ``YYYY-MM-DD``, ``DD/MM/YYYY``, ``YYYY-MM`` or ``YYYY`` (and free text
    as a last resort) to ``YYYY-MM-DD``/``YYYY-MM``/``YYYY``. Zeros and impossible parts
    (``00/00/2013``, ``2013-02-30``) keep what is certain (``2013``, ``2013-02``); junk gives
    ``None``."""
    if value is None:
        return None
    text = str(value).strip().translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))
    if not text:
        return None
    for pattern, order in _CONTRACT:
        match = pattern.match(text)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups())))
            year, month, day = parts.get("y", 0), parts.get("m", 0), parts.get("d", 0)
            if not 1900 <= year <= 2100:
                return None
            if not 1 <= month <= 12:
                return f"{year:04d}"
            try:
                return dt.date(year, month, day).isoformat() if day else f"{year:04d}-{month:02d}"
            except ValueError:
                return f"{year:04d}-{month:02d}"
    return _parse_free_text(text)


def date_parts(value: str | None) -> tuple[int, int, int, int]:
    """``(year, month, day, ordinal)`` of a partial ISO date: 0 for unknown parts and -1 for
    the ordinal of a date without a day."""
    if not value:
        return 0, 0, 0, -1
    parts = value.split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 0
        day = int(parts[2]) if len(parts) > 2 else 0
    except ValueError:
        return 0, 0, 0, -1
    ordinal = -1
    if year and month and day:
        try:
            ordinal = dt.date(year, month, day).toordinal()
        except ValueError:
            day = 0
    return year, month, day, ordinal


_DIGITS = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$|^(\d{2})/(\d{2})/(\d{4})$")


def date_digits(value: str | None, year: int, month: int, day: int) -> int:
    """A date given to the day as the number ``YYYYMMDD``, for telling a slip of one digit from
    another date: the digits as written when the text has them all (``19105412`` stays itself
    though no such day exists, where :func:`parse_date` keeps only the year), else the parsed
    parts; -1 for a date not given to the day."""
    match = _DIGITS.match(str(value).strip()) if value else None
    if match:
        y, m, d = (match.group(1), match.group(2), match.group(3)) if match.group(1) else (match.group(6), match.group(5), match.group(4))
        if 1900 <= int(y) <= 2100:
            return int(y + m + d)
    return year * 10000 + month * 100 + day if year and month and day else -1
