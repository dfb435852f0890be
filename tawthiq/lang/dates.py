"""Dates of death from free text and form answers, in English and Arabic.

Returns partial ISO dates (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``) because families and
reports often know only the month or the year, and a wrong day is worse than no day. A date
without a year ("on Sunday, December 3") is resolved against the item's publication date: the
latest such date on or before publication, checked against the weekday when one is given.
"""

from __future__ import annotations

import datetime as dt
import re

from .numbers import to_ascii_digits

MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
    # Levantine (Syriac) month names, as Syrian media write them ...
    "كانون الثاني": 1, "شباط": 2, "آذار": 3, "اذار": 3, "نيسان": 4, "أيار": 5, "ايار": 5,
    "حزيران": 6, "تموز": 7, "آب": 8, "اب": 8, "أيلول": 9, "ايلول": 9, "تشرين الأول": 10,
    "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الأول": 12, "كانون الاول": 12,
    # ... and the Egyptian/Gulf forms used by pan-Arab outlets.
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "ابريل": 4, "إبريل": 4, "مايو": 5,
    "يونيو": 6, "يونيه": 6, "يوليو": 7, "يوليه": 7, "أغسطس": 8, "اغسطس": 8, "سبتمبر": 9,
    "أكتوبر": 10, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
}
WEEKDAYS: dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "الاثنين": 0, "الإثنين": 0, "الثلاثاء": 1, "الأربعاء": 2, "الاربعاء": 2, "الخميس": 3,
    "الجمعة": 4, "السبت": 5, "الأحد": 6, "الاحد": 6,
}

_MONTH_ALT = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_WEEKDAY_ALT = "|".join(sorted((re.escape(w) for w in WEEKDAYS), key=len, reverse=True))
_DAY_MONTH_YEAR = re.compile(rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_ALT})\.?,?\s*(?:(?:عام|سنة)\s*)?(\d{{4}})?", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s*(\d{{4}}))?", re.I)
_MONTH_YEAR = re.compile(rf"\b({_MONTH_ALT})\.?,?\s+(\d{{4}})\b", re.I)
_WEEKDAY = re.compile(rf"(?<!\w)({_WEEKDAY_ALT})(?!\w)", re.I)
_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?!\d)")
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?!\d)")
_COMPACT = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")


def _iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    if not 1900 <= year <= 2100:
        return None
    if month is None or month == 0:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None or day == 0:
        return f"{year:04d}-{month:02d}"
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date(text: str | None, published: dt.date | None = None) -> str | None:
    """The first date in ``text`` as ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; ``None`` when
    there is none. Never raises: junk in, ``None`` out.

    Understands ISO dates, ``YYYYMMDD``, ``DD/MM/YYYY`` (the Syrian order; ``MM/DD`` only when
    the first number cannot be a month... day), English and Arabic month names, Arabic-Indic
    digits, zeros for unknown parts (``00/00/2013`` is 2013), and weekdays or month-days
    without a year resolved against ``published``.
    """
    if not text:
        return None
    try:
        return _parse(to_ascii_digits(str(text)).strip(), published)
    except (ValueError, OverflowError):
        return None


def _parse(text: str, published: dt.date | None) -> str | None:
    match = _ISO.search(text)
    if match and len(match.group(1)) == 4:
        month = int(match.group(2))
        day = int(match.group(3)) if match.group(3) else None
        result = _iso(int(match.group(1)), month, day)
        if result:
            return result
    match = _COMPACT.search(text)
    if match:
        result = _iso(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if result:
            return result
    match = _NUMERIC.search(text)
    if match:
        first, second, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        if second > 12 and first <= 12:
            first, second = second, first  # an unambiguous MM/DD/YYYY
        return _iso(year, second, first)
    named = _named_date(text, published)
    if named:
        return named
    match = _YEAR.search(text)
    if match:
        return _iso(int(match.group(1)))
    weekday = _WEEKDAY.search(text)
    if weekday and published:
        return _resolve_weekday(WEEKDAYS[weekday.group(1).lower()], published).isoformat()
    relative = _RELATIVE_DAY.search(text)
    if relative and published:
        yesterday = relative.group(0).lower().endswith(("أمس", "امس", "البارحة", "yesterday", "last night"))
        return (published - dt.timedelta(days=1 if yesterday else 0)).isoformat()
    return None


#: "today" and "yesterday", counted from the day the item was published ("قتل مساء أمس", "استشهد
#: اليوم"); only words that stand for the day itself ("اليوم العالمي" is not a date).
_RELATIVE_DAY = re.compile(r"(?:(?<![\u0621-\u064A])(?:صباح|مساء|فجر|ظهر|عصر|ليلة|ليل)\s+)?(?<![\u0621-\u064A])(?:اليوم(?!\s+(?:العالمي|الدولي|الوطني))|أمس|امس|البارحة)(?![\u0621-\u064A])"
                           r"|\b(?:today|this morning|this evening|tonight|yesterday|last night)\b", re.I)


def _named_date(text: str, published: dt.date | None) -> str | None:
    candidates: list[tuple[int, int, int, int | None]] = []  # (position, day, month, year)
    for m in _DAY_MONTH_YEAR.finditer(text):
        candidates.append((m.start(), int(m.group(1)), MONTHS[m.group(2).lower()], int(m.group(3)) if m.group(3) else None))
    for m in _MONTH_DAY_YEAR.finditer(text):
        candidates.append((m.start(), int(m.group(2)), MONTHS[m.group(1).lower()], int(m.group(3)) if m.group(3) else None))
    if candidates:
        position, day, month, year = min(candidates)
        if year is None:
            weekday = _WEEKDAY.search(text[max(0, position - 40): position + 40])
            resolved = _resolve_day_month(day, month, published, WEEKDAYS[weekday.group(1).lower()] if weekday else None)
            return resolved.isoformat() if resolved else None
        return _iso(year, month, day)
    month_year = _MONTH_YEAR.search(text)
    if month_year:
        return _iso(int(month_year.group(2)), MONTHS[month_year.group(1).lower()])
    return None


def _resolve_day_month(day: int, month: int, published: dt.date | None, weekday: int | None) -> dt.date | None:
    """The date with this day and month on or before publication; with a weekday given, the
    nearest such date whose weekday agrees (a report about December 3 published in January)."""
    if published is None:
        return None
    for year in (published.year, published.year - 1, published.year + 1, published.year - 2):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate > published + dt.timedelta(days=2):
            continue
        if weekday is None or candidate.weekday() == weekday:
            return candidate
    try:
        fallback = dt.date(published.year, month, day)
    except ValueError:
        return None
    return fallback if fallback <= published else fallback.replace(year=published.year - 1)


def _resolve_weekday(weekday: int, published: dt.date) -> dt.date:
    """The latest date on or before publication that falls on ``weekday`` ("on Sunday")."""
    delta = (published.weekday() - weekday) % 7
    return published - dt.timedelta(days=delta)


def parse_partial(value: str | None) -> tuple[int, int | None, int | None] | None:
    """``(year, month, day)`` of a partial ISO date, ``None`` for anything else."""
    if not value:
        return None
    parts = value.split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else None
        day = int(parts[2]) if len(parts) > 2 else None
    except ValueError:
        return None
    return year, month, day
