"""Whether two reports are of one incident: the same day, the same place, the same weapon.

Several sources report one strike: a civil-defence post the same evening, a news site the next
day, a monitor's daily toll. Each comparison below is a list of levels, each with its condition,
its label and its weight (in bits of evidence, as a Fellegi-Sunter model would learn them; set
here from what casualty recorders use to merge reports: the date and the place decide, the
weapon and the party confirm). The sum gives a probability a documenter reads beside a
per-field explanation; the documenter decides.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: Reports scored below this are not offered as "the same incident".
SUGGEST_THRESHOLD = 0.5
#: Prior log-odds that two reports drawn from the same few days are of one incident.
PRIOR_BITS = -3.0


@dataclass(frozen=True)
class IncidentFacts:
    """What is compared: an incident report or an archived incident, by id."""

    id: str
    date: str | None
    governorate: str | None
    locality: str | None
    cause: str | None
    perpetrator: str | None


@dataclass(frozen=True)
class Level:
    label: str
    bits: float
    applies: Callable[[IncidentFacts, IncidentFacts], bool]


@dataclass(frozen=True)
class Comparison:
    """One field's levels, tried in order; the first that applies is the pair's level."""

    field: str
    levels: Sequence[Level]

    def level(self, a: IncidentFacts, b: IncidentFacts) -> Level:
        return next(level for level in self.levels if level.applies(a, b))


def day_of(value: str | None) -> dt.date | None:
    """A full ``YYYY-MM-DD`` date, or ``None`` for a partial or unreadable one."""
    if not value or len(value) != 10:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _days_apart(a: IncidentFacts, b: IncidentFacts) -> int | None:
    x, y = day_of(a.date), day_of(b.date)
    return abs((x - y).days) if x and y else None


def _known(value: str | None) -> bool:
    return bool(value) and value not in ("unknown", "other")


def _fold(value: str | None) -> str:
    from tawthiq.lang.latin import fold_text as fold

    return fold(value or "")


def AbsoluteDateDifferenceAtThresholds() -> Comparison:  # noqa: N802 - named as a specification
    full = lambda a, b: _days_apart(a, b) is not None  # noqa: E731 - both dates to the day
    return Comparison("date", (
        Level("date unknown on one side", 0.0, lambda a, b: not a.date or not b.date),
        Level("same day", 3.0, lambda a, b: full(a, b) and _days_apart(a, b) == 0),
        Level("a day apart", 1.5, lambda a, b: full(a, b) and _days_apart(a, b) == 1),
        Level("two to seven days apart", -1.0, lambda a, b: full(a, b) and (_days_apart(a, b) or 99) <= 7),
        Level("dates differ", -8.0, lambda a, b: full(a, b)),
        Level("same month (one date without its day)", 0.5, lambda a, b: len(a.date or "") >= 7 and len(b.date or "") >= 7
              and (a.date or "")[:7] == (b.date or "")[:7]),
        Level("same year (a date without its month)", 0.0, lambda a, b: (a.date or "")[:4] == (b.date or "")[:4]),
        Level("years differ", -8.0, lambda a, b: True),
    ))


def PlaceComparison() -> Comparison:  # noqa: N802
    return Comparison("place", (
        Level("same locality", 4.0, lambda a, b: bool(a.locality and b.locality) and _fold(a.locality) == _fold(b.locality)),
        Level("localities differ", -4.0, lambda a, b: bool(a.locality and b.locality)),
        Level("same governorate", 1.5, lambda a, b: bool(a.governorate) and a.governorate == b.governorate),
        Level("governorates differ", -8.0, lambda a, b: bool(a.governorate and b.governorate)),
        Level("place unknown on one side", 0.0, lambda a, b: True),
    ))


def ExactMatchComparison(field: str, agree: float, differ: float) -> Comparison:  # noqa: N802
    def value(x: IncidentFacts) -> str | None:
        return getattr(x, field)

    return Comparison(field, (
        Level(f"{field} unknown on one side", 0.0, lambda a, b: not _known(value(a)) or not _known(value(b))),
        Level(f"same {field}", agree, lambda a, b: value(a) == value(b)),
        Level(f"{field} differs", differ, lambda a, b: True),
    ))


COMPARISONS: tuple[Comparison, ...] = (
    AbsoluteDateDifferenceAtThresholds(),
    PlaceComparison(),
    ExactMatchComparison("cause", 1.0, -1.5),
    ExactMatchComparison("perpetrator", 0.5, -1.0),
)


@dataclass(frozen=True)
class IncidentPair:
    left_id: str
    right_id: str
    probability: float
    explanation: tuple[str, ...]


def compare_incidents(a: IncidentFacts, b: IncidentFacts) -> IncidentPair:
    """The probability that two reports are of one incident, and why, field by field."""
    bits = PRIOR_BITS
    explanation = []
    for comparison in COMPARISONS:
        level = comparison.level(a, b)
        bits += level.bits
        explanation.append(f"{comparison.field}: {level.label} ({level.bits:+.1f})")
    probability = 1.0 / (1.0 + math.pow(2.0, -bits))
    return IncidentPair(a.id, b.id, probability, tuple(explanation))


def rank_incidents(report: IncidentFacts, others: Sequence[IncidentFacts], threshold: float = SUGGEST_THRESHOLD,
                   limit: int = 5) -> list[IncidentPair]:
    """The others most likely to be the same incident as ``report``, best first."""
    pairs = [compare_incidents(report, other) for other in others if other.id != report.id]
    pairs = [p for p in pairs if p.probability >= threshold]
    return sorted(pairs, key=lambda p: -p.probability)[:limit]
