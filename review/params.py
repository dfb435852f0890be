"""Numbers, dates and choices in the review app's addresses, query strings and forms.

Every value the app reads as a number, a date or one of a few choices goes either through a
parameter declared with a type from here (:data:`RowId`, :data:`PageNumber`), which FastAPI
checks, or through one of the parsers here (:func:`parse_int`, :func:`parse_date`,
:func:`parse_choice`). A value the app cannot use (``victim_id=abc``, ``older_than=10**30``,
which would overflow a timedelta and the database's integers, a page of -1, a date that is
no date, a choice that is not offered) is a :class:`BadParameter`, and FastAPI's own
``RequestValidationError`` is turned into one (:func:`from_validation_error`). The app
answers both with 400 and a message naming the field in the page's language (the ``bad_*``
strings of review/i18n.py), never with a 500: a browser gets the app's error page, a client
that asks for JSON (``Accept: application/json``, not ``text/html``) gets
``{"detail": message, "errors": [{"parameter", "problem", "value"}, ...]}``.

Blank is "not given" everywhere (a form's empty field), never an error, unless the parameter
is required. Whole numbers are written in Western or Arabic-Indic digits; a sign, a decimal
point, an exponent, superscripts and digit separators are not whole numbers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, overload

from fastapi import Path, Query
from fastapi.exceptions import RequestValidationError

from tawthiq.lang.text import strip_bidi_controls

from .i18n import STRINGS, parameter_label, translate

#: The largest row id: PostgreSQL's ``integer`` (SQLite's go to 2**63 - 1, which is wider).
MAX_ROW_ID = 2**31 - 1
#: Pages of the queue and of the incident reports (50 rows each): half a million rows.
MAX_PAGE = 10_000
#: ``older_than`` in days: a hundred years; far more overflows the datetime arithmetic.
MAX_DAYS = 36_500
#: A shown value is cut to this many characters.
SHOWN = 40

#: A row id in a path (``/item/{task_id}``): a whole number from 1 to :data:`MAX_ROW_ID`.
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
#: A page number in the query string, from 1 to :data:`MAX_PAGE` (the default is the route's).
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]

#: Pydantic's error types, as the problems the messages name.
_PYDANTIC_PROBLEMS = {
    "int_parsing": "whole_number", "int_type": "whole_number",
    "int_from_float": "whole_number", "greater_than_equal": "too_small", "greater_than": "too_small",
    "less_than_equal": "too_large", "less_than": "too_large", "missing": "missing",
}


def shown(value: Any) -> str:
    """``value`` as a message quotes it: one line, no bidirectional controls, at most
    :data:`SHOWN` characters."""
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)):
        return type(value).__name__  # a file sent where a number was asked for
    text = strip_bidi_controls(str(value))
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return text if len(text) <= SHOWN else text[:SHOWN - 1] + "…"


@dataclass(frozen=True)
class Problem:
    """What is wrong with one parameter: ``problem`` is the key of a ``bad_*`` message."""

    parameter: str
    value: str
    problem: str
    low: int | None = None
    high: int | None = None
    choices: tuple[str, ...] = ()

    def message(self, lang: str) -> str:
        template = translate(f"bad_{self.problem}" if f"bad_{self.problem}" in STRINGS else "bad_value", lang)
        return template.format(label=parameter_label(self.parameter, lang), value=self.value, low=self.low,
                               high=self.high, choices=", ".join(self.choices))

    def as_dict(self) -> dict[str, Any]:
        return {"parameter": self.parameter, "problem": self.problem, "value": self.value}


class BadParameter(Exception):
    """A value in a request that the app cannot use; the app answers it with 400."""

    def __init__(self, parameter: str, value: Any, problem: str, *, low: int | None = None, high: int | None = None,
                 choices: Iterable[str] = ()) -> None:
        self.problems = [Problem(parameter, shown(value), problem, low, high, tuple(choices))]
        super().__init__(self.message("en"))

    @classmethod
    def of(cls, problems: Sequence[Problem]) -> BadParameter:
        """One exception for several problems (FastAPI reports every bad parameter at once)."""
        first = problems[0]
        exc = cls(first.parameter, first.value, first.problem, low=first.low, high=first.high, choices=first.choices)
        exc.problems = list(problems)
        exc.args = (exc.message("en"),)
        return exc

    def message(self, lang: str) -> str:
        return " ".join(problem.message(lang) for problem in self.problems)


def from_validation_error(exc: RequestValidationError) -> BadParameter:
    """FastAPI's complaint about declared parameters (``/item/abc``, ``?page=-1``, a required
    form field left out) as a :class:`BadParameter`."""
    problems = []
    for error in exc.errors():
        location = tuple(error.get("loc") or ())
        parameter = str(location[-1]) if len(location) > 1 else str(location[0] if location else "request")
        problem = _PYDANTIC_PROBLEMS.get(str(error.get("type")), "value")
        context = error.get("ctx") or {}
        low, high = context.get("ge", context.get("gt")), context.get("le", context.get("lt"))
        value = None if problem == "missing" else error.get("input")
        problems.append(Problem(parameter, shown(value), problem, low, high))
    return BadParameter.of(problems or [Problem("request", "", "value")])


def _text(parameter: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadParameter(parameter, value, "value")
    return value.strip()


@overload
def parse_int(parameter: str, value: Any, *, low: int = ..., high: int = ..., required: Literal[True]) -> int: ...


@overload
def parse_int(parameter: str, value: Any, *, low: int = ..., high: int = ..., required: bool = ...) -> int | None: ...


def parse_int(parameter: str, value: Any, *, low: int = 0, high: int = MAX_ROW_ID, required: bool = False) -> int | None:
    """``value`` (a query or form value) as a whole number from ``low`` to ``high``, or None
    when blank (a :class:`BadParameter` when blank and ``required``)."""
    text = _text(parameter, value)
    if not text:
        if required:
            raise BadParameter(parameter, "", "missing")
        return None
    sign = text[0] in "-\u2212"  # ASCII hyphen-minus or the minus sign
    digits = text[1:].strip() if sign else text
    if not digits.isdecimal():  # isdecimal, not isdigit: int() refuses superscripts ("²")
        raise BadParameter(parameter, text, "whole_number")
    digits = "".join(str(unicodedata.decimal(ch)) for ch in digits).lstrip("0") or "0"
    if sign and digits != "0":
        raise BadParameter(parameter, text, "too_small", low=low)
    if len(digits) > len(str(high)) or int(digits) > high:  # never int() of thousands of digits
        raise BadParameter(parameter, text, "too_large", high=high)
    number = int(digits)
    if number < low:
        raise BadParameter(parameter, text, "too_small", low=low)
    return number


def parse_date(parameter: str, value: Any) -> str | None:
    """``value`` as a partial ISO date (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``, read as the
    matcher reads dates: ``05/03/2024`` too), or None when blank."""
    from tawthiq.dedupe import parse_date as read_date

    text = _text(parameter, value)
    if not text:
        return None
    parsed = read_date(text) if len(text) <= 100 else None
    if parsed is None:
        raise BadParameter(parameter, text, "date")
    return parsed


@overload
def parse_choice(parameter: str, value: Any, choices: Iterable[str], *, required: Literal[True]) -> str: ...


@overload
def parse_choice(parameter: str, value: Any, choices: Iterable[str], *, required: bool = ...) -> str | None: ...


def parse_choice(parameter: str, value: Any, choices: Iterable[str], *, required: bool = False) -> str | None:
    """``value`` when it is one of ``choices``, None when blank (a :class:`BadParameter` when
    blank and ``required``)."""
    text = _text(parameter, value)
    if not text:
        if required:
            raise BadParameter(parameter, "", "missing")
        return None
    offered = tuple(choices)
    if text not in offered:
        raise BadParameter(parameter, text, "choice", choices=offered)
    return text


def wants_json(accept: str | None) -> bool:
    """Whether a request's Accept header asks for JSON rather than a page."""
    accept = (accept or "").lower()
    return ("application/json" in accept or "+json" in accept) and "text/html" not in accept
