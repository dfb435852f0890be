"""Comparisons as specifications, in the manner of Splink: each comparison is a list of levels,
best first, and each level owns its condition (which pairs it takes), its label (what a
documenter reads) and its prior m and u probabilities. A pair takes the first level whose
condition holds, as a SQL ``CASE WHEN`` would; a pair with the field missing on either side takes
none (code -1) and weighs nothing.

The specifications a matcher uses are built by a few functions named as Splink names its own
(:func:`NameComparison`, :func:`AbsoluteDateDifferenceAtThresholds`, :func:`PlaceComparison`,
:func:`ExactMatch`, :func:`AbsoluteDifferenceAtThresholds`); :data:`COMPARISONS` is the list the
engine scores with. Conditions read a :class:`Pairs` context, which computes each expensive
feature (a name similarity, a date difference) once per run, for every level that needs it.

Level codes are stored best-first as ``len(levels) - 1`` down to ``0``, so that "higher is
better" in every array of the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .engine import NameScorer, Prepared

MISSING = -1

Condition = Callable[["Pairs"], np.ndarray]


@dataclass(frozen=True)
class Level:
    """One level of a comparison."""

    label: str
    condition: Condition
    #: prior probability of this level among pairs of one person (m) and of two people (u)
    m: float
    u: float
    #: Evidence against a match whose m is never re-estimated: EM on blocked pairs, which mostly
    #: share a name, would otherwise learn that "same name, dates years apart" is how one person
    #: looks.
    fixed: bool = False
    #: In a list that holds relatives (:func:`~.engine.holds_relatives`), a pair at this level is
    #: two people however well the rest agrees (brothers and sisters killed together share family
    #: name, father, date and place), and its m stays at the prior. In a list without relatives,
    #: the level is evidence like any other, its m learnt from the data.
    veto: bool = False
    #: The frequencies that stand for u on an exact agreement (sharing "Mohammad" says little,
    #: sharing "Ajaj" says much): (name part of the left record, role whose frequencies are read)
    #: pairs, multiplied. A given name found as the other's family name is as rare as that name
    #: is among family names.
    term_frequency: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Comparison:
    """A field comparison: its name (the key of :attr:`MatchPair.levels`), its levels best
    first, and the condition for the field being known on both sides."""

    name: str
    levels: tuple[Level, ...]
    known: Condition
    #: the name part a name comparison compares (given, father, family), else None
    part: str | None = None

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(level.label for level in self.levels)

    def code(self, index: int) -> int:
        """The stored code of the level at ``index`` (0 is the best level)."""
        return len(self.levels) - 1 - index

    def level(self, code: int) -> Level:
        return self.levels[len(self.levels) - 1 - code]

    def priors(self, which: str) -> np.ndarray:
        """Prior m or u per code (``which`` is ``"m"`` or ``"u"``)."""
        return np.array([getattr(level, which) for level in self.levels[::-1]], float)

    def codes(self, pairs: Pairs) -> np.ndarray:
        """The level code of every pair (-1 where the field is not known on both sides). Each
        level's condition is read on the pairs no better level took, narrowed to them once they
        are fewer than half of those it was last read on (narrowing copies)."""
        out = np.full(len(pairs), MISSING, np.int64)
        scope_rows = np.nonzero(self.known(pairs))[0]  # the scope's pairs, as rows of ``pairs``
        scope = pairs.subset(scope_rows) if len(scope_rows) < len(pairs) else pairs
        rest = np.arange(len(scope_rows))  # pairs still open, as rows of the scope
        for index, level in enumerate(self.levels):
            if not len(rest):
                break
            if len(rest) * 2 < len(scope):
                scope, scope_rows, rest = scope.subset(rest), scope_rows[rest], np.arange(len(rest))
            hit = level.condition(scope)[rest]
            out[scope_rows[rest[hit]]] = self.code(index)
            rest = rest[~hit]
        return out


@dataclass
class Pairs:
    """The pairs being compared (positions ``i`` in ``a``, ``j`` in ``b``) and the features
    conditions read, each computed once: a :meth:`subset` reads the features its parents
    computed, and computes the others for its own pairs only."""

    a: Prepared
    b: Prepared
    i: np.ndarray
    j: np.ndarray
    names: NameScorer
    _cache: dict[Any, np.ndarray] = field(default_factory=dict)
    _parent: Pairs | None = None
    #: positions of these pairs among the parent's
    _index: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.i)

    def subset(self, index: np.ndarray) -> Pairs:
        return Pairs(self.a, self.b, self.i[index], self.j[index], self.names, {}, self, index)

    def _find(self, key: Any) -> np.ndarray | None:
        found = self._cache.get(key)
        if found is None and self._parent is not None and self._index is not None:
            above = self._parent._find(key)
            if above is not None:
                found = self._cache[key] = above[self._index]
        return found

    def cached(self, key: Any, compute: Callable[[], np.ndarray]) -> np.ndarray:
        found = self._find(key)
        if found is None:
            found = self._cache[key] = compute()
        return found

    def left(self, attr: str) -> np.ndarray:
        return self.cached(("a", attr), lambda: getattr(self.a, attr)[self.i])

    def right(self, attr: str) -> np.ndarray:
        return self.cached(("b", attr), lambda: getattr(self.b, attr)[self.j])

    def part(self, part: str, side: str) -> tuple[np.ndarray, np.ndarray]:
        """Skeleton ids and written-form ids of a name part on one side."""
        p, at = (self.a, self.i) if side == "a" else (self.b, self.j)
        row = PARTS.index(part)
        return (self.cached((side, part), lambda: getattr(p, part)[at]),
                self.cached((side, part, "form"), lambda: p.forms[row][at]))

    def similarity(self, part: str, other: str | None = None, vowels: bool = False) -> np.ndarray:
        """Similarity (0–1) of name part ``part`` on the left with ``other`` (the same part
        unless given) on the right: 1 for one name in any script, as :class:`NameScorer` reads
        them; 0 where either is missing."""
        other = other or part

        def compute() -> np.ndarray:
            skel_a, form_a = self.part(part, "a")
            skel_b, form_b = self.part(other, "b")
            return self.names.similarity(skel_a, skel_b, form_a, form_b, vowels=vowels)

        return self.cached(("sim", part, other, vowels), compute)


PARTS = ("given", "father", "family")


# --- names ----------------------------------------------------------------------------------------

#: Name similarity thresholds: one letter off (a typo or another spelling), and loosely alike.
SIMILAR = 0.88
WEAK = 0.75


def _both(part: str) -> Condition:
    return lambda p: (p.part(part, "a")[0] >= 0) & (p.part(part, "b")[0] >= 0)


def _at_least(part: str, threshold: float, vowels: bool) -> Condition:
    return lambda p: p.similarity(part, vowels=vowels) >= threshold


def _swapped(p: Pairs) -> np.ndarray:
    """Given and family names written the other way round (one list puts the family name first):
    each in the other's place, the same or a letter or two off (a typo in one of them), or the
    same name parts in another order ("Nikakis Sara Louise", "Sara Louise Nikakis")."""
    def compute() -> np.ndarray:
        given_a, family_a, given_b, family_b = p.left("given"), p.left("family"), p.right("given"), p.right("family")
        crossed = (given_a >= 0) & (family_a >= 0) & (given_b >= 0) & (family_b >= 0) & (given_a != family_a) \
            & ((given_a != given_b) | (family_a != family_b))
        rows = np.nonzero(crossed & ((given_a == family_b) | (family_a == given_b)))[0]
        out = np.zeros(len(p), bool)
        if len(rows):
            sub = p.subset(rows)
            out[rows] = (sub.similarity("given", "family") >= SIMILAR) & (sub.similarity("family", "given") >= SIMILAR)
        bag_a, bag_b = p.left("bag"), p.right("bag")
        # The family name must have moved: "Hasan Mohammad al-Ali" and "Mohammad Hasan al-Ali"
        # are a son and his father.
        out |= crossed & (given_a != given_b) & (family_a != family_b) & (bag_a == bag_b) & (bag_a >= 0) & (p.left("ntokens") >= 3)
        return out

    return p.cached("swapped", compute)


def _moved(p: Pairs) -> np.ndarray:
    """One name in the other's other place, the rest different: the given name of one is the
    other's family name (or the other way round), written the other way round with the
    remaining name replaced or lost ("Bryce Dixon", "Reece Bryce")."""
    given_a, family_a, given_b, family_b = p.left("given"), p.left("family"), p.right("given"), p.right("family")
    crossed = (given_a >= 0) & (family_a >= 0) & (given_b >= 0) & (family_b >= 0) & (given_a != family_a) & (given_b != family_b)
    return crossed & ((given_a == family_b) | (family_a == given_b)) & (given_a != given_b) & (family_a != family_b) & ~_swapped(p)


def _split(part: str) -> Condition:
    """One side's ``part`` (given: its first two parts, family: its last two) written as one word
    is the other's: a space slipped into a name ("Lan dau", "Andr ew")."""
    joined = "joined_first" if part == "given" else "joined_last"

    def condition(p: Pairs) -> np.ndarray:
        mine, theirs = p.left(part), p.right(part)
        return ((p.left(joined) == theirs) & (theirs >= 0)) | ((p.right(joined) == mine) & (mine >= 0))

    return condition


def _middle_overlap(p: Pairs) -> np.ndarray:
    """The father's name of one is among the other's middle names: a father's name dropped on
    one side makes the other's father look like the first's grandfather."""
    from .engine import MIDDLES

    def compute() -> np.ndarray:
        out = np.zeros(len(p), bool)
        rows = np.nonzero((p.left("ntokens") >= 4) | (p.right("ntokens") >= 4))[0]
        if len(rows):
            left, right = p.a.middles[p.i[rows]], p.b.middles[p.j[rows]]
            overlap = np.zeros(len(rows), bool)
            for k in range(MIDDLES):
                for m in range(MIDDLES):
                    overlap |= (left[:, k] >= 0) & (left[:, k] == right[:, m])
            out[rows] = overlap
        return out

    return p.cached("middles", compute)


def NameComparison(name: str, part: str, noun: str, m: tuple[float, ...], u: tuple[float, ...], *, vowels: bool = False,
                   swaps: bool = False, middles: bool = False, veto_loose: bool = False, split: bool = False) -> Comparison:
    """Levels of one name part (``part``: given, father or family) on cross-script skeletons and
    written forms: the same name, (given and family swapped), a letter or two off, (split in two by
    a space), (father's name among the other's middle names), loosely alike, different. ``m`` and
    ``u`` are the priors of those levels in that order; ``vowels`` reads written vowels (رامي and
    ريم are two names); ``veto_loose`` makes "loosely alike" veto as "different" does."""
    levels = [Level(f"same {noun}", _at_least(part, 1.0, vowels), m[0], u[0], term_frequency=((part, part),))]
    if swaps:
        levels.append(Level("given and family names swapped", _swapped, m[len(levels)], u[len(levels)],
                            term_frequency=(("given", "family"), ("family", "given"))))
    levels.append(Level(f"{noun}s differ by a letter or two", _at_least(part, SIMILAR, vowels), m[len(levels)], u[len(levels)]))
    if split:
        levels.append(Level(f"{noun} split in two", _split(part), m[len(levels)], u[len(levels)]))
    if swaps:
        levels.append(Level("one name in the other's other place", _moved, m[len(levels)], u[len(levels)], veto=True))
    if middles:
        levels.append(Level(f"{noun} appears among the other's middle names", _middle_overlap, m[len(levels)], u[len(levels)]))
    levels.append(Level(f"{noun}s only loosely alike", _at_least(part, WEAK, vowels), m[len(levels)], u[len(levels)],
                        fixed=not veto_loose, veto=veto_loose))
    levels.append(Level(f"{noun}s differ", _always, m[len(levels)], u[len(levels)], veto=True))
    return Comparison(name, tuple(levels), _both(part), part)


def FamilyNameComparison(name: str, m: tuple[float, ...], u: tuple[float, ...]) -> Comparison:
    """Family names: as :func:`NameComparison`. A swapped pair is weighed once, by the given-name
    comparison, and counts as not known here. Family names of one person differ in a few reports
    (a tribe's name for the family's), so a difference is evidence, never a veto."""
    levels = (Level("same family name", _at_least("family", 1.0, False), m[0], u[0], term_frequency=(("family", "family"),)),
              Level("family names differ by a letter or two", _at_least("family", SIMILAR, False), m[1], u[1]),
              Level("family name split in two", _split("family"), m[2], u[2]),
              Level("family names only loosely alike", _at_least("family", WEAK, False), m[3], u[3]),
              Level("family names differ", _always, m[4], u[4]))
    return Comparison(name, levels, lambda p: _both("family")(p) & ~_swapped(p), "family")


# --- dates ----------------------------------------------------------------------------------------

_EPOCH_ORDINAL = 719163  # datetime.date(1970, 1, 1).toordinal()


def _month_start(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Proleptic ordinals (as ``date.toordinal``) of the first day of each year and month."""
    months = (year - 1970) * 12 + (month - 1)
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + _EPOCH_ORDINAL


def _days_apart(p: Pairs) -> np.ndarray:
    """Days between two full dates (-1 where either is not a full date)."""
    def compute() -> np.ndarray:
        oa, ob = p.left("ordinal"), p.right("ordinal")
        return np.where((oa >= 0) & (ob >= 0), np.abs(oa - ob), -1)

    return p.cached("days", compute)


def _within(days: int) -> Condition:
    return lambda p: (_days_apart(p) >= 0) & (_days_apart(p) <= days)


def _same_year(p: Pairs) -> np.ndarray:
    return p.left("year") == p.right("year")


def _day_month_swapped(p: Pairs) -> np.ndarray:
    da, db, ma, mb = p.left("day"), p.right("day"), p.left("month"), p.right("month")
    return (_days_apart(p) >= 0) & _same_year(p) & (da == mb) & (db == ma) & (da != db)


def _digit_slip(p: Pairs) -> np.ndarray:
    """Two dates written ``YYYYMMDD`` one digit apart, or with two neighbouring digits swapped: a
    slip of the keyboard (1915 for 1910, the 12th for the 21st), which a day count cannot see."""
    def compute() -> np.ndarray:
        x, y = p.left("digits"), p.right("digits")
        diff = np.abs(x - y)
        # One digit off changes the number by d·10^k, two neighbours swapped by 9·d·10^k (d < 10):
        # a cheap test first, the digits themselves only for the few pairs that pass it.
        maybe = np.zeros(len(x), bool)
        for k in range(8):
            step = 10 ** k
            r = diff // step
            maybe |= (diff % step == 0) & ((r < 10) | ((r % 9 == 0) & (r // 9 < 10)))
        rows = np.nonzero(maybe & (x >= 0) & (y >= 0) & (x != y))[0]
        out = np.zeros(len(x), bool)
        if len(rows):
            dx = np.stack([(x[rows] // 10 ** k) % 10 for k in range(8)], axis=1)
            dy = np.stack([(y[rows] // 10 ** k) % 10 for k in range(8)], axis=1)
            differ = dx != dy
            count = differ.sum(axis=1)
            swap = np.zeros(len(rows), bool)
            for k in range(7):
                swap |= differ[:, k] & differ[:, k + 1] & (dx[:, k] == dy[:, k + 1]) & (dx[:, k + 1] == dy[:, k])
            out[rows] = (count == 1) | ((count == 2) & swap)
        return out

    return p.cached("digit_slip", compute)


def _same_month(p: Pairs) -> np.ndarray:
    """The same month (one side gives only the month), or a day a few days outside the other's
    month-only date (the 31st of May and "June 2018")."""
    ya, yb, ma, mb, oa, ob = p.left("year"), p.right("year"), p.left("month"), p.right("month"), p.left("ordinal"), p.right("ordinal")
    out = (ya == yb) & (ma > 0) & (mb > 0) & (ma == mb) & ((oa < 0) | (ob < 0))
    for day, other, year, month in ((oa, ob, yb, mb), (ob, oa, ya, ma)):
        # one side a full date, the other a month only
        edge = np.nonzero(~out & (day >= 0) & (other < 0) & (year > 0) & (month > 0))[0]
        if len(edge):
            first = _month_start(year[edge], month[edge])
            last = _month_start(year[edge] + month[edge] // 12, month[edge] % 12 + 1) - 1
            d = day[edge]
            out[edge[((d < first) & (first - d <= 3)) | ((d > last) & (d - last <= 3))]] = True
    return out


def _always(p: Pairs) -> np.ndarray:
    return np.ones(len(p), bool)


def AbsoluteDateDifferenceAtThresholds(name: str, m: tuple[float, ...], u: tuple[float, ...]) -> Comparison:
    """Dates of death: the same day, a few days apart, day and month swapped, a digit slipped,
    the same month (one side gives only the month), weeks apart, the same year, different.
    "Weeks apart" is weighed by what the data show (in a careful list such pairs are mostly two
    people; where sources date a death by its announcement, often one)."""
    levels = (Level("same date of death", _within(0), m[0], u[0]),
              Level("dates of death a few days apart", _within(3), m[1], u[1]),
              Level("day and month swapped", _day_month_swapped, m[2], u[2]),
              Level("dates of death one digit apart", _digit_slip, m[3], u[3]),
              Level("same month of death", _same_month, m[4], u[4]),
              Level("dates of death weeks apart", _within(31), m[5], u[5]),
              Level("same year of death", _same_year, m[6], u[6]),
              Level("dates of death differ", _always, m[7], u[7]))
    # A date given to the day always has its year (19105412 is read as 1910).
    return Comparison(name, levels, lambda p: (p.left("year") > 0) & (p.right("year") > 0))


# --- places, sex, age ---------------------------------------------------------------------------------

def _town_similarity(p: Pairs) -> np.ndarray:
    return p.cached("town_sim", lambda: p.names.place_similarity(p.left("loc"), p.right("loc")))


def _same_gov_or_unknown(p: Pairs) -> np.ndarray:
    ga, gb = p.left("gov"), p.right("gov")
    return (ga == gb) | (ga < 0) | (gb < 0)


def PlaceComparison(name: str, m: tuple[float, ...], u: tuple[float, ...]) -> Comparison:
    """Places of death: the same town or village, the same town named in two governorates (a
    slip in one of them, or two towns of one name), towns spelt a letter apart, the same
    governorate (town not known on one side), the same governorate with different towns,
    different governorates."""
    loc_known = lambda p: (p.left("loc") >= 0) & (p.right("loc") >= 0)  # noqa: E731
    gov_known = lambda p: (p.left("gov") >= 0) & (p.right("gov") >= 0)  # noqa: E731
    same_gov = lambda p: gov_known(p) & (p.left("gov") == p.right("gov"))  # noqa: E731
    levels = (Level("same town or village", lambda p: loc_known(p) & (p.left("loc") == p.right("loc")) & _same_gov_or_unknown(p),
                    m[0], u[0]),
              Level("same town, governorates differ", lambda p: loc_known(p) & (p.left("loc") == p.right("loc")), m[1], u[1]),
              Level("town names differ by a letter or two", lambda p: loc_known(p) & (_town_similarity(p) >= SIMILAR) & _same_gov_or_unknown(p),
                    m[2], u[2]),
              Level("same governorate (town not known on one side)", lambda p: same_gov(p) & ~loc_known(p), m[3], u[3]),
              Level("same governorate, different towns", same_gov, m[4], u[4]),
              Level("different governorates", gov_known, m[5], u[5], fixed=True))
    return Comparison(name, levels, lambda p: gov_known(p) | loc_known(p))


def ExactMatch(name: str, attr: str, labels: tuple[str, str], m: tuple[float, float], u: tuple[float, float]) -> Comparison:
    """Two levels: the same value, different values (0 is unknown)."""
    return Comparison(name, (Level(labels[0], lambda p: p.left(attr) == p.right(attr), m[0], u[0]),
                             Level(labels[1], _always, m[1], u[1])),
                      lambda p: (p.left(attr) > 0) & (p.right(attr) > 0))


def AbsoluteDifferenceAtThresholds(name: str, attr: str, thresholds: tuple[int, ...], labels: tuple[str, ...],
                                   m: tuple[float, ...], u: tuple[float, ...]) -> Comparison:
    """Numbers within each threshold in turn, then different (-1 is unknown); the last level's m is
    fixed (evidence against)."""
    def within(limit: int) -> Condition:
        return lambda p: np.abs(p.left(attr) - p.right(attr)) <= limit

    levels = tuple(Level(label, within(limit), m[k], u[k]) for k, (label, limit) in enumerate(zip(labels, thresholds)))
    levels += (Level(labels[-1], _always, m[-1], u[-1], fixed=True),)
    return Comparison(name, levels, lambda p: (p.left(attr) >= 0) & (p.right(attr) >= 0))


# --- the comparisons the engine scores with ---------------------------------------------------------

GIVEN_NAME = NameComparison("given_name", "given", "given name", (0.93, 0.01, 0.04, 0.003, 0.002, 0.004, 0.011),
                            (0.02, 0.00001, 0.01, 0.0001, 0.0002, 0.05, 0.9198), vowels=True, swaps=True, veto_loose=True, split=True)
FATHER_NAME = NameComparison("father_name", "father", "father's name", (0.80, 0.10, 0.08, 0.01, 0.000001), (0.03, 0.01, 0.03, 0.03, 0.90),
                             vowels=True, middles=True)
#: Family names of one person differ in a few reports (a tribe's name for the family's, a name
#: changed): about 1 in 100 of Airwars' real Latin/Arabic pairs differ outright.
FAMILY_NAME = FamilyNameComparison("family_name", (0.87, 0.09, 0.003, 0.017, 0.02), (0.01, 0.01, 0.0001, 0.04, 0.9399))
DATE_OF_DEATH = AbsoluteDateDifferenceAtThresholds("date_of_death", (0.68, 0.15, 0.02, 0.02, 0.08, 0.03, 0.017, 0.003),
                                                   (0.002, 0.01, 0.0005, 0.002, 0.02, 0.012, 0.20, 0.7535))
PLACE_OF_DEATH = PlaceComparison("place_of_death", (0.69, 0.01, 0.04, 0.20, 0.05, 0.01), (0.02, 0.0005, 0.002, 0.06, 0.06, 0.8575))
SEX = ExactMatch("sex", "sex", ("same sex", "different sex"), (0.97, 0.03), (0.5, 0.5))
AGE = AbsoluteDifferenceAtThresholds("age", "age", (0, 2, 5), ("same age", "ages within 2 years", "ages within 5 years", "ages differ"),
                                     (0.60, 0.28, 0.08, 0.04), (0.02, 0.08, 0.12, 0.78))

COMPARISONS: tuple[Comparison, ...] = (GIVEN_NAME, FATHER_NAME, FAMILY_NAME, DATE_OF_DEATH, PLACE_OF_DEATH, SEX, AGE)


def index_of(name: str) -> int:
    """Position of the comparison called ``name`` in :data:`COMPARISONS`."""
    return next(k for k, c in enumerate(COMPARISONS) if c.name == name)
