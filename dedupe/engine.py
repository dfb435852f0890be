"""Blocking, comparison and Fellegi–Sunter scoring of victim records, vectorised with numpy.

The pieces, in the order a run uses them:

* :func:`prepare` turns records into integer arrays (name-part ids, date parts, place ids), and
  :func:`place_lone_parts` reads a one-word name as a family name where the data use that word
  as one;
* :func:`block_pairs` proposes candidate pairs from several blocking keys, so that true pairs
  are almost never missed while comparisons stay near-linear;
* the comparisons (:mod:`.comparisons`: each a list of levels owning their conditions and
  labels) give each pair a level per field, reading name similarities from :class:`NameScorer`;
* :class:`FellegiSunterModel` weighs the levels: ``u`` from random pairs, ``m`` and the match
  rate by EM on the candidate pairs (no labels), term-frequency adjusted for name parts
  (two records sharing "Mohammad" says little; sharing "Ajaj" says much), then refined with
  the pairs documenters confirmed (:func:`refine_with_decisions`); the sum of weights is a
  match probability.

Whether given names that clearly differ mean two people is learnt from the list itself
(:func:`holds_relatives`): in a casualty list, relatives killed together share a family name, a
date and a place, and nothing but the names tells them apart, so such a pair is two people
whatever the rest says; in a list of people who are not relatives of one another (a register,
FEBRL), records that agree on everything but the given name are one person with an error in it.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz.distance import OSA, JaroWinkler
from rapidfuzz.process import cdist, cpdist


from .comparisons import COMPARISONS, SIMILAR, WEAK, Comparison, Pairs, index_of
from tawthiq.lang.names import is_ambiguous_latin, is_arabic, latin_skeleton, name_parts, reading_plausibility, vowels_differ
from .transliteration import plausibility

#: A Latin spelling the transliteration model finds this much likelier (log2 per letter) as a
#: rendering of an Arabic word than as random letters reads as that word: usual spellings of a
#: name score 2.5 to 3.5; Rami read as ريم (Reem) scores 2.1.
PLAUSIBLE = 2.5
#: A Latin spelling one of whose readings (th, dh, a final t) gives an Arabic name's skeleton
#: writes that name when the model finds it above this (log2 per letter; about 1 for a usual
#: spelling, see :func:`~tawthiq.lang.transliteration.plausibility`): the skeletons already agree.
READING_PLAUSIBLE = 1.0

MISSING = -1


# --- preparing records ----------------------------------------------------------------------


@dataclass
class Interner:
    """Ids for strings, in the order they are first seen (-1 for the empty string)."""

    ids: dict[str, int] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)

    def id(self, word: str) -> int:
        if not word:
            return MISSING
        found = self.ids.get(word)
        if found is None:
            found = len(self.words)
            self.ids[word] = found
            self.words.append(word)
        return found


@dataclass
class Vocabulary(Interner):
    """Ids for name parts and places shared by every batch a matcher sees."""

    #: Written forms of name parts have ids of their own: kept apart from the skeletons, the
    #: skeleton vocabulary stays small enough for the pair table of ``NameScorer``.
    written: Interner = field(default_factory=Interner)

    @property
    def forms(self) -> list[str]:
        return self.written.words


@dataclass
class Prepared:
    ids: list[str]
    given: np.ndarray
    father: np.ndarray
    family: np.ndarray
    #: ids of the name parts between given and family name (at most MIDDLES of them), -1 padded
    middles: np.ndarray
    #: ids of the given, father's and family names as written (folded), one row each, -1 where missing
    forms: np.ndarray
    ntokens: np.ndarray
    year: np.ndarray
    month: np.ndarray
    day: np.ndarray
    ordinal: np.ndarray
    #: the date as the number YYYYMMDD when given to the day (even an impossible day), else -1
    digits: np.ndarray
    gov: np.ndarray
    loc: np.ndarray
    sex: np.ndarray
    age: np.ndarray
    names: list[str]
    #: skeleton ids of the first two and of the last two name parts written as one word (a space
    #: slipped into "Lan dau"), -1 for names of fewer than three parts
    joined_first: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    joined_last: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    #: per written-form id, a code of its first letters (:func:`_starts`), for blocking on a
    #: name's beginning when its end is mistyped
    form_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    #: a code of the record's name parts in sorted order (-1 for fewer than two), for names
    #: written in another order
    bag: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __len__(self) -> int:
        return len(self.ids)


_SEX = {"male": 1, "m": 1, "female": 2, "f": 2}
MIDDLES = 3


def prepare(records: Sequence, vocab: Vocabulary) -> Prepared:  # records: Sequence[MatchRecord]
    """Arrays of the comparable parts of each record."""
    from .dates import date_digits, date_parts, parse_date

    n = len(records)
    given = np.full(n, MISSING, np.int64)
    father = np.full(n, MISSING, np.int64)
    family = np.full(n, MISSING, np.int64)
    ntokens = np.zeros(n, np.int64)
    year = np.zeros(n, np.int64)
    month = np.zeros(n, np.int64)
    day = np.zeros(n, np.int64)
    ordinal = np.full(n, MISSING, np.int64)
    digits = np.full(n, MISSING, np.int64)
    gov = np.full(n, MISSING, np.int64)
    loc = np.full(n, MISSING, np.int64)
    sex = np.zeros(n, np.int64)
    age = np.full(n, MISSING, np.int64)
    middles = np.full((n, MIDDLES), MISSING, np.int64)
    forms = np.full((3, n), MISSING, np.int64)
    joined_first = np.full(n, MISSING, np.int64)
    joined_last = np.full(n, MISSING, np.int64)
    bag = np.full(n, MISSING, np.int64)
    pending: list[tuple[int, str, str]] = []
    names: list[str] = []
    # Names, dates and places repeat: each distinct value is read once.
    read_names: dict[tuple[str | None, str | None], tuple] = {}  # type: ignore[type-arg]
    read_dates: dict[str | None, tuple[int, int, int, int, int]] = {}
    read_places: dict[tuple[str | None, str | None], tuple[int, int]] = {}
    for i, record in enumerate(records):
        name_key = (record.full_name, record.name_ar)
        name = read_names.get(name_key)
        if name is None:
            parts = name_parts(record.full_name) if record.full_name else name_parts(record.name_ar)
            if len(parts.skeletons) < 2 and record.name_ar and record.full_name:
                parts = name_parts(record.name_ar)
            sk, written = parts.skeletons, parts.forms
            name = read_names[name_key] = (
                len(sk),
                (vocab.id(sk[0]), vocab.written.id(written[0])) if sk else None,
                (vocab.id(sk[-1]), vocab.written.id(written[-1])) if len(sk) >= 2 else None,
                (vocab.id(sk[1]), vocab.written.id(written[1]), [vocab.id(part) for part in sk[1:-1][:MIDDLES]],
                 written[0] + written[1], written[-2] + written[-1]) if len(sk) >= 3 else None,
                _bag(sk))
        names.append(record.full_name or record.name_ar or "")
        ntokens[i], first_part, last_part, inner, bag[i] = name
        if first_part is not None:
            given[i], forms[0, i] = first_part
        if last_part is not None:
            family[i], forms[2, i] = last_part
        if inner is not None:
            father[i], forms[1, i], middle_ids, first_two, last_two = inner
            middles[i, :len(middle_ids)] = middle_ids
            pending.append((i, first_two, last_two))
        date = read_dates.get(record.date_of_death)
        if date is None:
            # Any of the contract's formats (DD/MM/YYYY too), whoever built the record.
            y, m, d, o = date_parts(parse_date(record.date_of_death))
            date = read_dates[record.date_of_death] = (y, m, d, o, date_digits(record.date_of_death, y, m, d))
        year[i], month[i], day[i], ordinal[i], digits[i] = date
        place_key = (record.governorate, record.locality)
        place = read_places.get(place_key)
        if place is None:
            place = read_places[place_key] = _place_ids(record.governorate, record.locality, vocab)
        gov[i], loc[i] = place
        sex[i] = _SEX.get((record.sex or "").strip().lower(), 0)
        if record.age is not None:
            try:
                value = int(record.age)
                if 0 <= value <= 120:
                    age[i] = value
            except (TypeError, ValueError):
                pass
    # Once every part is known: a joined word no record has as a part cannot match one.
    read_joined: dict[str, int] = {}
    for i, first, last in pending:
        for out, word in ((joined_first, first), (joined_last, last)):
            found = read_joined.get(word)
            if found is None:
                found = read_joined[word] = _joined(word, vocab)
            out[i] = found
    return Prepared([str(r.id) for r in records], given, father, family, middles, forms, ntokens, year, month, day, ordinal,
                    digits, gov, loc, sex, age, names, joined_first, joined_last, _starts(vocab.forms), bag)


def _bag(skeletons: tuple[str, ...]) -> int:
    """A 62-bit code of name parts in sorted order (-1 for fewer than two parts)."""
    if len(skeletons) < 2:
        return MISSING
    text = "\x00".join(sorted(skeletons)).encode()
    return ((zlib.crc32(text) & 0x3FFFFFFF) << 32) | zlib.adler32(text)


#: Letters of a written name part that :func:`_starts` keeps.
START = 3


def _starts(forms: list[str]) -> np.ndarray:
    """A code of the first :data:`START` letters of each written form (-1 for shorter forms)."""
    return np.fromiter((zlib.crc32(form[:START].encode()) if len(form) > START else MISSING for form in forms), np.int64, len(forms))


def start_of(p: Prepared, row: int) -> np.ndarray:
    """The start code of each record's given (row 0) or family (row 2) name as written, -1 if none."""
    ids = p.forms[row]
    known = (ids >= 0) & (ids < len(p.form_starts))
    return np.where(known, p.form_starts[np.where(known, ids, 0)] if len(p.form_starts) else MISSING, MISSING)


def _place_ids(governorate: str | None, locality: str | None, vocab: Vocabulary) -> tuple[int, int]:
    """Ids of a record's governorate and town (-1 where not known)."""
    from tawthiq.lang.places import canonical_governorate, governorate_of_locality

    # Any spelling of a governorate is the same governorate (Idlib, إدلب, Idleb); a town
    # given without its governorate is placed by the gazetteer (Saqba is in Rural
    # Damascus), so that Saqba and Talbiseh, Homs are known to be apart.
    name = (canonical_governorate(governorate) or governorate.strip()) if governorate else None
    name = name or (governorate_of_locality(locality) if locality else None)
    gov = vocab.id("gov:" + name.lower()) if name else MISSING
    loc = MISSING
    if locality:
        key = name_parts(locality).key
        if key:
            loc = vocab.id("loc:" + key.replace(" ", ""))
    return gov, loc


def _joined(word: str, vocab: Vocabulary) -> int:
    """The skeleton id of two written Latin name parts read as one word, if some record has it
    as a part (-1 otherwise, and for Arabic script)."""
    if not word.isascii() or not word.isalpha():
        return MISSING
    return vocab.ids.get(latin_skeleton(word), MISSING)


def place_lone_parts(targets: Sequence[Prepared], reference: Sequence[Prepared] = ()) -> None:
    """A one-word name ("White", "Jaafar") is read as a family name when the data use that word
    more often as others' family name than as their given name (a list whose given name is
    missing in one record), and as a given name otherwise. Counts are over ``targets`` and
    ``reference``; only ``targets`` are changed (in place)."""
    everything = list(targets) + list(reference)
    size = max((int(max(p.given.max(initial=-1), p.family.max(initial=-1))) for p in everything), default=-1) + 1
    if size == 0:
        return
    as_given = np.zeros(size, np.int64)
    as_family = np.zeros(size, np.int64)
    for p in everything:
        full = (p.ntokens >= 2) & (p.given >= 0)
        as_given += np.bincount(p.given[full], minlength=size)
        as_family += np.bincount(p.family[p.family >= 0], minlength=size)
    for p in targets:
        lone = np.nonzero((p.ntokens == 1) & (p.given >= 0) & (p.family < 0))[0]
        if not len(lone):
            continue
        move = lone[as_family[p.given[lone]] > as_given[p.given[lone]]]
        p.family[move] = p.given[move]
        p.forms[2][move] = p.forms[0][move]
        p.given[move] = MISSING
        p.forms[0][move] = MISSING


# --- blocking ---------------------------------------------------------------------------------

#: Blocks larger than this are skipped for a key (a common name in a common year would
#: otherwise compare thousands of unrelated people); the other keys still cover those pairs.
MAX_BLOCK = {"given_family": 2000, "family_month": 600, "given_father": 600, "father_family": 600, "date_place": 400,
             "given_year_place": 400, "given_date": 400, "family_date_town": 60, "date_town": 50, "given_town": 20,
             "family_town": 20, "given_family_start": 20, "family_given_start": 20, "family_year_place": 20,
             "starts": 20, "given_start_date": 20, "family_start_date": 20}


def blocking_keys(p: Prepared) -> dict[str, np.ndarray]:
    """One int64 key per record and blocking rule (-1 where the rule does not apply)."""
    big = np.int64(1 << 20)
    keys: dict[str, np.ndarray] = {}
    ok = (p.given >= 0) & (p.family >= 0)
    # Either order: one list may put the family name first.
    keys["given_family"] = np.where(ok, np.minimum(p.given, p.family) * big + np.maximum(p.given, p.family), -1)
    # Family name and month of death: reports of one person whose given names are spelt
    # apart. (Family and year alone made blocks of thousands in a big archive.)
    ok = (p.family >= 0) & (p.year > 0) & (p.month > 0)
    keys["family_month"] = np.where(ok, p.family * big + p.year * 13 + p.month, -1)
    ok = (p.father >= 0) & (p.family >= 0)
    keys["father_family"] = np.where(ok, p.father * big + p.family + (1 << 43), -1)
    ok = (p.given >= 0) & (p.father >= 0)
    keys["given_father"] = np.where(ok, p.given * big + p.father + (1 << 40), -1)
    ok = (p.ordinal >= 0) & (p.gov >= 0)
    keys["date_place"] = np.where(ok, p.ordinal * big + p.gov + (1 << 41), -1)
    ok = (p.given >= 0) & (p.year > 0) & (p.gov >= 0)
    keys["given_year_place"] = np.where(ok, (p.given * 4096 + p.year) * 4096 + p.gov + (1 << 42), -1)
    # A family name mistyped, or missing (a one-word name: "Jaafar", "عزيزة"): the day must do.
    ok = (p.given >= 0) & (p.ordinal >= 0)
    keys["given_date"] = np.where(ok, p.given * big + p.ordinal + (1 << 44), -1)
    # A governorate mistyped (or given on one side only) besides a name: the town and the day.
    ok = (p.ordinal >= 0) & (p.loc >= 0)
    keys["date_town"] = np.where(ok, p.ordinal * big + p.loc, -1)
    # The date missing or mistyped besides a name.
    ok = (p.given >= 0) & (p.loc >= 0)
    keys["given_town"] = np.where(ok, p.given * big + p.loc, -1)
    ok = (p.family >= 0) & (p.loc >= 0)
    keys["family_town"] = np.where(ok, p.family * big + p.loc, -1)
    # A name mistyped besides another mistyped or replaced: the other name and the first letters
    # of this one, or the family name, year and governorate.
    family_start, given_start = start_of(p, 2), start_of(p, 0)
    ok = (p.given >= 0) & (family_start >= 0)
    keys["given_family_start"] = np.where(ok, p.given * (1 << 32) + family_start, -1)
    ok = (p.family >= 0) & (given_start >= 0)
    keys["family_given_start"] = np.where(ok, p.family * (1 << 32) + given_start, -1)
    # Both names mistyped (or mistyped and written the other way round): their first letters, in
    # either order.
    ok = (family_start >= 0) & (given_start >= 0)
    low, high = np.minimum(family_start, given_start), np.maximum(family_start, given_start)
    keys["starts"] = np.where(ok, (low & 0x7FFFFFFF) * (1 << 31) + (high & 0x7FFFFFFF), -1)
    # One name mistyped and the other replaced: the first letters of the one and the day.
    ok = (given_start >= 0) & (p.ordinal >= 0)
    keys["given_start_date"] = np.where(ok, (given_start & 0x7FFFFFFF) * (1 << 30) + p.ordinal, -1)
    ok = (family_start >= 0) & (p.ordinal >= 0)
    keys["family_start_date"] = np.where(ok, (family_start & 0x7FFFFFFF) * (1 << 30) + p.ordinal + (1 << 61), -1)
    ok = (p.family >= 0) & (p.year > 0) & (p.gov >= 0)
    keys["family_year_place"] = np.where(ok, (p.family * 4096 + p.year) * 4096 + p.gov, -1)
    # The pairs :func:`holds_relatives` reads: same family name, day and town.
    ok = (p.family >= 0) & (p.ordinal >= 0) & (p.loc >= 0)
    keys["family_date_town"] = np.where(ok, (p.family * 800_000 + p.ordinal) * big + p.loc, -1)
    return keys


def _pairs_from_keys(key: np.ndarray, limit: int) -> np.ndarray:
    """All (i, j), i < j, of records sharing a key, as an (n, 2) int64 array."""
    idx = np.nonzero(key >= 0)[0]
    if len(idx) < 2:
        return np.empty((0, 2), np.int64)
    order = idx[np.argsort(key[idx], kind="stable")]
    sorted_keys = key[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    chunks = []
    for size in np.unique(sizes):
        if size < 2 or size > limit:
            continue
        group_starts = starts[sizes == size]
        a, b = np.triu_indices(int(size), k=1)
        left = order[(group_starts[:, None] + a[None, :]).ravel()]
        right = order[(group_starts[:, None] + b[None, :]).ravel()]
        chunks.append(np.stack([np.minimum(left, right), np.maximum(left, right)], axis=1))
    return np.concatenate(chunks) if chunks else np.empty((0, 2), np.int64)


#: Fewer pairs than this sharing family name, day and town say nothing about relatives: a small
#: batch is taken to hold them (the safe reading).
MIN_ANCHORS = 30
#: Among pairs sharing family name, day and town, the share with different given names from
#: which a list is read as holding relatives. Copies of one person with a given name lost or
#: replaced by an error are a few in a hundred; relatives killed together are one pair in two
#: or more.
RELATIVES_SHARE = 0.2


def holds_relatives(a: Prepared, b: Prepared, names: NameScorer, index: BlockIndex | None = None) -> bool:
    """Whether records that share family name, day and town but not the given name are
    relatives here (two people) rather than one person written with an error: learnt from the
    share of such pairs among all that share family name, day and town (:data:`RELATIVES_SHARE`).
    ``index`` (the right side's) links ``a`` to ``b``; without it ``a`` is ``b``."""
    key = blocking_keys(a)["family_date_town"]
    if index is None:
        pairs = _pairs_from_keys(key, MAX_BLOCK["family_date_town"])
    else:
        pairs = _lookup(key, index.tables["family_date_town"], MAX_BLOCK["family_date_town"])
    if len(pairs) < MIN_ANCHORS:
        return True
    context = Pairs(a, b, pairs[:, 0], pairs[:, 1], names)
    known = (context.part("given", "a")[0] >= 0) & (context.part("given", "b")[0] >= 0)
    if known.sum() < MIN_ANCHORS:
        return True
    differ = known & (context.similarity("given", vowels=True) < WEAK)
    return bool(differ.sum() >= RELATIVES_SHARE * known.sum())


def vetoed(a: Prepared, b: Prepared, pairs: np.ndarray, names: NameScorer) -> np.ndarray:
    """Pairs that cannot be one person whatever else agrees, in a list that holds relatives: a
    level of a vetoing comparison (given names different, fathers' names different) that says so.
    Dropping them as soon as they are blocked keeps a big archive's comparisons to the pairs that
    can matter."""
    out = np.zeros(len(pairs), bool)
    if len(pairs) == 0:
        return out
    if len(pairs) > CHUNK:
        return np.concatenate([vetoed(a, b, pairs[start:start + CHUNK], names) for start in range(0, len(pairs), CHUNK)])
    i, j = pairs[:, 0], pairs[:, 1]
    for comparison, part in VETOING_PARTS:
        # Pairs whose names have one skeleton are left to the scoring, which reads their written
        # vowels (رامي and ريم): that check is dear, and few pairs need it.
        x, y = getattr(a, part)[i], getattr(b, part)[j]
        check = np.nonzero((x != y) & (x >= 0) & (y >= 0) & ~out)[0]
        if len(check):
            out[check[veto_mask(comparison, comparison.codes(Pairs(a, b, i[check], j[check], names)))]] = True
    return out


def veto_mask(comparison: Comparison, codes: np.ndarray) -> np.ndarray:
    """Pairs at a level of ``comparison`` that vetoes (missing levels never veto)."""
    vetoes = np.array([comparison.level(code).veto for code in range(len(comparison.levels))] + [False])
    return vetoes[codes]


VETOING = tuple(c for c in COMPARISONS if any(level.veto for level in c.levels))
#: The vetoing comparisons with the name part each compares.
VETOING_PARTS = tuple((c, c.part) for c in VETOING if c.part)


def block_pairs(p: Prepared, names: NameScorer | None = None) -> np.ndarray:
    """Candidate pairs within one set of records (deduplicated across keys); with ``names``,
    without the pairs :func:`vetoed` would reject (pass it only for a list holding relatives)."""
    keys = blocking_keys(p)
    parts = []
    for name, k in keys.items():
        found = _pairs_from_keys(k, MAX_BLOCK[name])
        if names is not None and len(found):
            found = found[~vetoed(p, p, found, names)]
        parts.append(found)
    pairs = np.concatenate(parts) if parts else np.empty((0, 2), np.int64)
    if len(pairs) == 0:
        return pairs
    code = pairs[:, 0] * np.int64(len(p) + 1) + pairs[:, 1]
    _, first = np.unique(code, return_index=True)
    return pairs[np.sort(first)]


def _lookup(key: np.ndarray, table: dict[int, np.ndarray], limit: int) -> np.ndarray:
    rows: list[np.ndarray] = []
    for i in np.nonzero(key >= 0)[0]:
        matches = table.get(int(key[i]))
        if matches is not None and len(matches) <= limit:
            rows.append(np.stack([np.full(len(matches), i, np.int64), matches], axis=1))
    return np.concatenate(rows) if rows else np.empty((0, 2), np.int64)


def block_link(left: Prepared, right: Prepared, index: BlockIndex | None = None,
               names: NameScorer | None = None) -> np.ndarray:
    """Candidate pairs (i in left, j in right) sharing any blocking key (with ``names``,
    without the pairs :func:`vetoed` would reject)."""
    index = index or BlockIndex(right)
    keys = blocking_keys(left)
    found = [_lookup(key, index.tables[name], MAX_BLOCK[name]) for name, key in keys.items()]
    pairs = np.concatenate(found)
    if len(pairs) == 0:
        return pairs
    code = pairs[:, 0] * np.int64(len(right) + 1) + pairs[:, 1]
    _, first = np.unique(code, return_index=True)
    pairs = pairs[np.sort(first)]
    if names is not None:
        pairs = pairs[~vetoed(left, right, pairs, names)]
    return pairs


class BlockIndex:
    """Blocking keys of an archive, key -> array of record positions."""

    def __init__(self, p: Prepared) -> None:
        self.tables: dict[str, dict[int, np.ndarray]] = {}
        for name, key in blocking_keys(p).items():
            idx = np.nonzero(key >= 0)[0]
            order = idx[np.argsort(key[idx], kind="stable")]
            sorted_keys = key[order]
            starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]) if len(order) else np.empty(0, np.int64)
            ends = np.r_[starts[1:], len(order)] if len(order) else np.empty(0, np.int64)
            self.tables[name] = {int(sorted_keys[s]): order[s:e] for s, e in zip(starts, ends)}


# --- name similarity -----------------------------------------------------------------------


class NameScorer:
    """How alike two name parts (given, father's or family name) are, on cross-script skeletons
    and as written, with what the data say about each part: how often it occurs (two established
    names are two names) and which rare spellings are misspellings of a common one."""

    #: A name part seen at most this share of records (and at most RARE_MIN times) is taken
    #: for a misspelling when one edit (OSA) away from another: "Jaal" for Jamal, "Bael" for
    #: Basel. Two common names one edit apart (Hasan / Hussein, Mohammad / Ahmad) are siblings'
    #: names, not typos, and stay different.
    RARE_SHARE = 0.001
    #: Vocabularies up to about 4,000 name parts use a pair table (16 MB) instead of a sort.
    DENSE_CELLS = 16_000_000
    RARE_MIN = 3
    #: A written form seen at most this share of records ("Waid"), one edit from a spelling at
    #: least TYPO_RATIO times as common ("Walid"), is that spelling mistyped, even when its
    #: skeleton is another established name's (وضاح, Waddah, is also "wd"): a typo must not
    #: veto the pair. Two names both in common use are never taken for each other this way.
    RARE_FORM_SHARE = 0.0005
    TYPO_RATIO = 20

    def __init__(self, words: list[str], forms: list[str] | None = None) -> None:
        self.words = words
        #: the written forms (:attr:`Vocabulary.forms`) the ids in ``Prepared.forms`` stand for
        self.forms = forms if forms is not None else []
        self.cache: dict[int, float] = {}
        self.counts: np.ndarray = np.zeros(0, np.int64)
        self.rare_limit = self.RARE_MIN
        self.form_counts: np.ndarray = np.zeros(0, np.int64)
        #: written form (id) -> the skeleton (id) it is a misspelling of, -1 if none
        self.misspelt: np.ndarray = np.zeros(0, np.int64)
        self.vowel_cache: dict[int, bool] = {}
        self.latin_cache: np.ndarray = np.zeros(0, bool)
        self.reading_cache: dict[int, bool] = {}
        #: written form (id) -> 1 for a Latin spelling that reads more than one way, 2 for an
        #: Arabic one, else 0: a pair whose two flags add up to 3 is worth a reading
        self.ambiguous: np.ndarray = np.zeros(0, np.int8)
        self.place_cache: dict[int, float] = {}
        self.rare_form_limit = self.RARE_MIN
        #: written form (id) -> its skeleton (id); skeleton -> its commonly written forms
        self.skeleton_of: np.ndarray = np.zeros(0, np.int64)
        self.spellings: dict[int, list[int]] = {}

    def count_parts(self, *prepared: Prepared) -> None:
        """How often each name part occurs, to tell a misspelling from another name. A part
        that is a common given name (:func:`~tawthiq.lang.names.learnt_common_skeletons`: written at
        least three times in the dev data, :mod:`tawthiq.lang.name_lexicon`) counts as common
        however few records there are: a nightly batch of twenty must not take أحمد for a typo
        of محمد."""
        from tawthiq.lang.names import learnt_common_skeletons

        values = [arr[arr >= 0] for p in prepared for arr in (p.given, p.father, p.family)]
        flat = np.concatenate(values) if values else np.empty(0, np.int64)
        self.counts = np.bincount(flat, minlength=len(self.words)) if len(flat) else np.zeros(len(self.words), np.int64)
        common = learnt_common_skeletons()
        for word_id, word in enumerate(self.words[:len(self.counts)]):
            if word in common:
                self.counts[word_id] = max(int(self.counts[word_id]), 1 << 30)
        records = sum(len(p) for p in prepared)
        self.rare_limit = max(self.RARE_MIN, int(records * self.RARE_SHARE))
        self.cache.clear()
        self._count_forms(prepared, records)

    def _count_forms(self, prepared: tuple[Prepared, ...], records: int) -> None:
        """How often each written form occurs, and for each rarely written form the skeleton
        it misspells, if any (:attr:`misspelt`): the skeleton of the most common spelling one
        edit (OSA) from it that is written at least :data:`TYPO_RATIO` times as often."""
        skeletons = [arr for p in prepared for arr in (p.given, p.father, p.family)]
        written = [p.forms[k] for p in prepared for k in range(3)]
        sk = np.concatenate(skeletons) if skeletons else np.empty(0, np.int64)
        fm = np.concatenate(written) if written else np.empty(0, np.int64)
        known = (sk >= 0) & (fm >= 0)
        sk, fm = sk[known], fm[known]
        size = len(self.forms)
        self.form_counts = np.bincount(fm, minlength=size) if len(fm) else np.zeros(size, np.int64)
        self.misspelt = np.full(size, MISSING, np.int64)
        self.vowel_cache = {}
        self.skeleton_of = skeleton_of = np.full(size, MISSING, np.int64)
        self.spellings = {}
        if not len(fm):
            return
        skeleton_of[fm] = sk  # a form has one skeleton: it is computed from the form
        self.ambiguous = np.fromiter((1 if is_ambiguous_latin(word) else 2 if is_arabic(word) else 0 for word in self.forms),
                                     np.int8, size)
        lengths = np.fromiter((len(word) for word in self.forms), np.int64, size)
        self.rare_form_limit = limit = max(self.RARE_MIN, int(records * self.RARE_FORM_SHARE))
        rare = np.nonzero((self.form_counts > 0) & (self.form_counts <= limit) & (lengths >= 4))[0]
        common = np.nonzero(self.form_counts >= self.TYPO_RATIO)[0]
        for form in np.nonzero(self.form_counts > limit)[0].tolist():
            self.spellings.setdefault(int(skeleton_of[form]), []).append(form)
        for length in np.unique(lengths[rare]).tolist():
            left = rare[lengths[rare] == length]
            right = common[np.abs(lengths[common] - length) <= 1]
            if not len(right):
                continue
            distance = cdist([self.forms[w] for w in left.tolist()], [self.forms[w] for w in right.tolist()],
                             scorer=OSA.distance, score_cutoff=1, dtype=np.int8)
            ok = ((distance <= 1) & (self.form_counts[right][None, :] >= self.TYPO_RATIO * self.form_counts[left][:, None])
                  & (skeleton_of[right][None, :] != skeleton_of[left][:, None]))
            best = np.argmax(np.where(ok, self.form_counts[right][None, :], -1), axis=1)
            found = ok[np.arange(len(left)), best]
            self.misspelt[left[found]] = skeleton_of[right[best[found]]]

    def typos(self, a: np.ndarray, b: np.ndarray, form_a: np.ndarray, form_b: np.ndarray) -> np.ndarray:
        """For pairs of skeletons ``a``/``b`` written ``form_a``/``form_b``: whether one is a
        misspelling of a common spelling of the other."""
        table = np.append(self.misspelt, MISSING)  # form -1 (and forms not counted) look up the last slot
        fa = np.where((form_a >= 0) & (form_a < len(self.misspelt)), form_a, len(self.misspelt))
        fb = np.where((form_b >= 0) & (form_b < len(self.misspelt)), form_b, len(self.misspelt))
        return ((table[fa] == b) & (b >= 0)) | ((table[fb] == a) & (a >= 0))

    def slips(self, a: np.ndarray, b: np.ndarray, form_a: np.ndarray, form_b: np.ndarray) -> np.ndarray:
        """For pairs of skeletons ``a``/``b`` written ``form_a``/``form_b`` (all known): whether
        the two Latin spellings are one edit (OSA) apart though their skeletons are not alike, a
        slip that moves a consonant or turns one into a vowel ("Macha", "Macah"; "Hari", "Hai"),
        unless both are established names, as skeletons (:meth:`_similarity`) and as written
        (a Latin skeleton stands for many names: "mk" is Mack, Mika and Macah)."""
        established = (np.minimum(self._counts_of(self.counts, a), self._counts_of(self.counts, b)) > self.rare_limit) \
            & (np.minimum(self._counts_of(self.form_counts, form_a), self._counts_of(self.form_counts, form_b)) > self.rare_limit)
        out = np.zeros(len(a), bool)
        # Most pairs of a big list are two established names: only the others are read.
        rows = np.nonzero(~established)[0]
        if not len(rows):
            return out
        lo, hi = np.minimum(form_a[rows], form_b[rows]), np.maximum(form_a[rows], form_b[rows])
        codes = lo * np.int64(1 << 32) + hi
        unique, inverse = np.unique(codes, return_inverse=True)
        left, right = unique >> 32, unique & 0xFFFFFFFF
        # Latin words of three letters or more on both sides, then their OSA distances at once
        # (rapidfuzz, in C): a big list has millions of such pairs.
        latin = self._latin_words()
        both = np.nonzero(latin[left] & latin[right])[0]
        found = np.zeros(len(unique), bool)
        if len(both):
            forms = self.forms
            distance = cpdist([forms[i] for i in left[both].tolist()], [forms[i] for i in right[both].tolist()],
                              scorer=OSA.distance, score_cutoff=1)
            found[both] = np.asarray(distance) <= 1
        out[rows] = found[inverse.ravel()]
        return out

    def _latin_words(self) -> np.ndarray:
        """Per written form (id): a Latin word of letters only, three or more of them (the
        spellings a slip of the keyboard is read between)."""
        if len(self.latin_cache) != len(self.forms):
            self.latin_cache = np.fromiter((w.isascii() and w.isalpha() and len(w) >= 3 for w in self.forms), bool, len(self.forms))
        return self.latin_cache

    @staticmethod
    def _counts_of(counts: np.ndarray, ids: np.ndarray) -> np.ndarray:
        inside = (ids >= 0) & (ids < len(counts))
        return np.where(inside, counts[np.where(inside, ids, 0)] if len(counts) else 0, 0)

    def _vowels_differ(self, left: int, right: int) -> bool:
        """Vowels that cannot be one name's (:func:`~.names.vowels_differ`), unless they may be
        a slip of the keyboard: a rarely written form ("Raym", "Baasm") two edits or less from
        the other in the same script (a letter swapped, plus another spelling of the name:
        Basam, Bassam), or a rarely written Latin form two edits or less from the Arabic
        form's transliteration. Rami and Reem, three edits apart, are two names however
        rarely either is written."""
        left, right = self._spelling(left), self._spelling(right)
        x, y = self.forms[left], self.forms[right]
        if not vowels_differ(x, y):
            return False

        def common(form: int) -> bool:
            return form < len(self.form_counts) and int(self.form_counts[form]) > self.rare_form_limit

        if is_arabic(x) == is_arabic(y):
            distance = OSA.distance(x, y, score_cutoff=2)
            return distance > 2 or (distance == 2 and common(left) and common(right))
        latin, arabic = (right, x) if is_arabic(x) else (left, y)
        if common(latin):
            return True
        # A rare Latin form: another name unless the learnt transliteration model reads it as a
        # usual rendering of the Arabic word.
        return plausibility(arabic, self.forms[latin]) < PLAUSIBLE

    def _spelling(self, form: int) -> int:
        """A rarely written form one edit from a common spelling of its own skeleton ("Eias",
        Eisa) read as that spelling; any other form as itself."""
        if form >= len(self.form_counts) or int(self.form_counts[form]) > self.rare_form_limit:
            return form
        x = self.forms[form]
        found = [(int(self.form_counts[other]), other) for other in self.spellings.get(int(self.skeleton_of[form]), ())
                 if abs(len(self.forms[other]) - len(x)) <= 1 and OSA.distance(x, self.forms[other], score_cutoff=1) <= 1]
        return max(found)[1] if found else form

    def _count(self, word_id: int) -> int:
        return int(self.counts[word_id]) if word_id < len(self.counts) else 0

    def similarity(self, a: np.ndarray, b: np.ndarray, form_a: np.ndarray, form_b: np.ndarray,
                   vowels: bool = False) -> np.ndarray:
        """Similarity (0–1) of skeleton ids ``a`` and ``b`` written ``form_a``/``form_b``: 1 for
        one skeleton, Jaro-Winkler on skeletons otherwise (0 for two established names, which
        are two names however alike), at least :data:`~.comparisons.SIMILAR` for a misspelling
        (:meth:`typos`); with ``vowels`` (given and fathers' names) 0 for one skeleton written
        with vowels that cannot be one name's (:func:`~.names.vowels_differ`: رامي and ريم)."""
        out = self._similarities(a, b)
        check = np.nonzero((out < SIMILAR) & (a >= 0) & (b >= 0))[0]
        if len(check):
            out[check[self.typos(a[check], b[check], form_a[check], form_b[check])]] = SIMILAR
        check = np.nonzero((out < SIMILAR) & (a >= 0) & (b >= 0) & (form_a >= 0) & (form_b >= 0) & (form_a != form_b))[0]
        if len(check):
            out[check[self.slips(a[check], b[check], form_a[check], form_b[check])]] = SIMILAR
        if len(self.ambiguous):
            # One flag lookup a side over all pairs, then only the few cross-script pairs with
            # an ambiguous Latin spelling are read.
            check = np.nonzero((self._flag(form_a) + self._flag(form_b) == 3) & (out < SIMILAR))[0]
            if len(check):
                out[check[self.readings(form_a[check], form_b[check])]] = 1.0
        if vowels:
            check = np.nonzero((out == 1.0) & (form_a != form_b) & (form_a >= 0) & (form_b >= 0))[0]
            if len(check):
                out[check[self.vowels_differ(form_a[check], form_b[check])]] = 0.0
        return out

    def _flag(self, ids: np.ndarray) -> np.ndarray:
        """:attr:`ambiguous` of each form id (0 for a missing or unknown form)."""
        flags = self.ambiguous
        inside = (ids >= 0) & (ids < len(flags))
        return np.where(inside, flags[np.where(inside, ids, 0)], 0).astype(np.int8)

    def readings(self, form_a: np.ndarray, form_b: np.ndarray) -> np.ndarray:
        """Per pair of written forms, one of them a Latin spelling that can be read more than
        one way (th, dh, a final t): whether the other is an Arabic name one of its readings
        writes, as plausible a rendering as the learnt model finds (:data:`READING_PLAUSIBLE`): Adham and
        ادهم, though the key read its dh as ذ, the dev data writing ادهم too rarely for the
        lexicon (:func:`~tawthiq.lang.names.reading_plausibility`)."""
        lo, hi = np.minimum(form_a, form_b), np.maximum(form_a, form_b)
        codes = lo * np.int64(1 << 32) + hi
        unique, inverse = np.unique(codes, return_inverse=True)
        found = np.fromiter((self._reading(code) for code in unique.tolist()), bool, len(unique))
        return found[inverse.ravel()]

    def _reading(self, code: int) -> bool:
        hit = self.reading_cache.get(code)
        if hit is None:
            x, y = self.forms[code >> 32], self.forms[code & 0xFFFFFFFF]
            latin, arabic = (x, y) if is_arabic(y) else (y, x)
            score = reading_plausibility(latin, arabic) if is_arabic(arabic) and not is_arabic(latin) else None
            hit = self.reading_cache[code] = score is not None and score >= READING_PLAUSIBLE
        return hit

    def place_similarity(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Jaro-Winkler of town keys (ids of ``"loc:..."`` words; 0 where either is missing),
        at least :data:`~.comparisons.SIMILAR` for keys one edit apart ("Mitcham", "Mitxham")."""
        out = np.zeros(len(a), np.float64)
        known = np.nonzero((a >= 0) & (b >= 0) & (a != b))[0]
        out[(a == b) & (a >= 0)] = 1.0
        if len(known):
            codes = np.minimum(a[known], b[known]) * np.int64(1 << 32) + np.maximum(a[known], b[known])
            unique, inverse = np.unique(codes, return_inverse=True)
            values = np.fromiter((self._place(code) for code in unique.tolist()), np.float64, len(unique))
            out[known] = values[inverse]
        return out

    def _place(self, code: int) -> float:
        sim = self.place_cache.get(code)
        if sim is None:
            x, y = self.words[code >> 32][4:], self.words[code & 0xFFFFFFFF][4:]
            sim = JaroWinkler.normalized_similarity(x, y)
            if min(len(x), len(y)) >= 4 and OSA.distance(x, y, score_cutoff=1) <= 1:
                sim = max(sim, SIMILAR)
            self.place_cache[code] = sim
        return sim

    def vowels_differ(self, form_a: np.ndarray, form_b: np.ndarray) -> np.ndarray:
        """Per pair of written forms of one skeleton: whether their vowels make two names
        (:meth:`_vowels_differ`)."""
        lo, hi = np.minimum(form_a, form_b), np.maximum(form_a, form_b)
        size = int(hi.max()) + 1 if len(hi) else 0
        if size * size <= self.DENSE_CELLS:
            # A small vocabulary of forms: the distinct pairs by a table indexed by the pair, as
            # in :meth:`_similarities`, instead of sorting millions of pairs.
            cells = lo * np.int64(size) + hi
            seen = np.zeros(size * size, bool)
            seen[cells] = True
            table = np.zeros(size * size, bool)
            for cell in np.flatnonzero(seen).tolist():
                table[cell] = self._vowels_differ_cached((cell // size) << 32 | (cell % size))
            return table[cells]
        codes = lo * np.int64(1 << 32) + hi
        unique, inverse = np.unique(codes, return_inverse=True)
        found = np.fromiter((self._vowels_differ_cached(code) for code in unique.tolist()), bool, len(unique))
        return found[inverse]

    def _vowels_differ_cached(self, code: int) -> bool:
        hit = self.vowel_cache.get(code)
        if hit is None:
            hit = self.vowel_cache[code] = self._vowels_differ(code >> 32, code & 0xFFFFFFFF)
        return hit

    #: Similarities are kept in tables as bytes: 0–250 for 0–1.
    _STEPS = 250

    def _similarities(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = np.zeros(len(a), np.float64)
        known = (a >= 0) & (b >= 0)
        same = known & (a == b)
        out[same] = 1.0
        rest = np.nonzero(known & ~same)[0]
        if len(rest):
            lo = np.minimum(a[rest], b[rest])
            hi = np.maximum(a[rest], b[rest])
            size = int(hi.max()) + 1
            if size * size <= self.DENSE_CELLS:
                # A small vocabulary: the distinct pairs are found with a table indexed by the
                # pair, in one pass, instead of sorting millions of pairs.
                codes = lo * np.int64(size) + hi
                seen = np.zeros(size * size, bool)
                seen[codes] = True
                wanted = np.flatnonzero(seen)
                table = np.zeros(size * size, np.uint8)
                for code in wanted.tolist():
                    table[code] = self._quantised(((code // size) << 32) | (code % size))
                out[rest] = table[codes] / float(self._STEPS)
                return out
            codes = lo * np.int64(1 << 32) + hi
            unique, inverse = np.unique(codes, return_inverse=True)
            values = np.fromiter((self._quantised(code) for code in unique.tolist()), np.uint8, len(unique))
            out[rest] = values[inverse] / float(self._STEPS)
        return out

    def _quantised(self, code: int) -> int:
        """Similarity of two different name parts, packed as ``lo << 32 | hi``, in bytes (cached)."""
        sim = self.cache.get(code)
        if sim is None:
            sim = self._similarity(code >> 32, code & 0xFFFFFFFF)
            self.cache[code] = sim
        # Rounded up at the thresholds, so that a similarity of exactly 0.88 stays "similar".
        return min(self._STEPS - 1, math.ceil(sim * self._STEPS - 1e-6))

    def _similarity(self, left: int, right: int) -> float:
        x, y = self.words[left], self.words[right]
        if x.startswith("bd") and y.startswith("bd") and len(x) > 2 and len(y) > 2:
            x, y = x[2:], y[2:]  # Abd al-Qadir / Abd al-Karim: compare what follows "Abd"
        if min(self._count(left), self._count(right)) > self.rare_limit:
            # Two established names (both common, or both seen often) that differ are two
            # names: Mahmoud is not a spelling of Mohammad.
            return 0.0
        sim = JaroWinkler.normalized_similarity(x, y)
        distance = OSA.distance(x, y)
        # Jaro-Winkler rewards a shared start however much of the longer key is left over: it is
        # held to the share of letters that are alike, so that a key extended by two letters
        # (amr, amrhn) or a two-letter key with the other letter (tb, tm) is not "one letter off".
        sim = min(sim, 1 - distance / max(len(x), len(y)) + 0.25)
        if min(len(x), len(y)) >= 4 and (x.startswith(y) or y.startswith(x)):
            sim = max(sim, SIMILAR)  # a name cut short
        # One edit is a misspelling once the key has three letters; in a two-letter key it is
        # half the name.
        if sim < SIMILAR and max(len(x), len(y)) >= 3 and distance <= 1:
            sim = SIMILAR
        return sim


# --- comparing ---------------------------------------------------------------------------------


def compare(a: Prepared, b: Prepared, pairs: np.ndarray, names: NameScorer) -> np.ndarray:
    """Level codes of every comparison (:data:`~.comparisons.COMPARISONS`) for every pair: an
    (n_pairs, n_comparisons) int64 array, -1 where a field is not known on both sides."""
    if len(pairs) == 0:
        return np.empty((0, len(COMPARISONS)), np.int64)
    out = np.empty((len(pairs), len(COMPARISONS)), np.int64)
    # In chunks: the features of a chunk are held while it is compared, and a big list's
    # candidate pairs are tens of millions.
    for start in range(0, len(pairs), CHUNK):
        chunk = pairs[start:start + CHUNK]
        context = Pairs(a, b, chunk[:, 0], chunk[:, 1], names)
        for c, comparison in enumerate(COMPARISONS):
            out[start:start + len(chunk), c] = comparison.codes(context)
            if comparison.part != "given":  # given and family names share what "swapped" computed
                context = Pairs(a, b, chunk[:, 0], chunk[:, 1], names)
    return out


#: Pairs compared at a time (:func:`compare`, :func:`vetoed`).
CHUNK = 1_000_000


def score(model: FellegiSunterModel, a: Prepared, b: Prepared, pairs: np.ndarray, names: NameScorer,
          floor: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The candidate pairs whose match probability may reach ``floor``, with their levels and
    probabilities: ``(positions in pairs, levels, probabilities)``. The names are compared
    first; a pair whose names weigh so little that the best the other fields could add leaves it
    below ``floor`` is dropped before its other fields are compared. The pairs kept, and their
    levels and probabilities, are exactly those comparing everything would give: in a big list
    most candidate pairs share only a common name, and this is most of the time of a run."""
    n = len(COMPARISONS)
    if len(pairs) == 0:
        return np.empty(0, np.int64), np.empty((0, n), np.int64), np.empty(0, np.float64)
    if floor <= 0.0:
        levels = compare(a, b, pairs, names)
        return np.arange(len(pairs)), levels, model.probability(model.weights(levels, a, b, pairs))
    first = [c for c, comparison in enumerate(COMPARISONS) if comparison.part]
    later = [c for c in range(n) if c not in first]
    # log2 odds a pair needs to reach the floor, less the most the later fields can add (and a
    # hair for float32 rounding).
    need = (math.log2(floor / (1 - floor)) if floor < 1 else math.inf) - math.log2(model.match_rate / (1 - model.match_rate))
    need -= sum(max(model.most(c), 0.0) for c in later) + 1e-3
    kept: list[np.ndarray] = []
    levels_out: list[np.ndarray] = []
    probabilities: list[np.ndarray] = []
    for start in range(0, len(pairs), CHUNK):
        chunk = pairs[start:start + CHUNK]
        context = Pairs(a, b, chunk[:, 0], chunk[:, 1], names)
        codes = {}
        total = np.zeros(len(chunk), np.float64)
        for c in first:
            codes[c] = COMPARISONS[c].codes(context)
            total += model.column_weights(c, codes[c], a, chunk)
        rows = np.nonzero(total >= need)[0]
        chunk = chunk[rows]
        levels = np.full((len(rows), n), MISSING, np.int64)
        for c in first:
            levels[:, c] = codes[c][rows]
        context = Pairs(a, b, chunk[:, 0], chunk[:, 1], names)
        for c in later:
            levels[:, c] = COMPARISONS[c].codes(context)
        kept.append(rows + start)
        levels_out.append(levels)
        probabilities.append(model.probability(model.weights(levels, a, b, chunk)))
    return np.concatenate(kept), np.concatenate(levels_out), np.concatenate(probabilities)


# --- the model -------------------------------------------------------------------------------

@dataclass
class FellegiSunterModel:
    """m and u probabilities per comparison level, and the prior match rate among candidate
    pairs. ``m[c][level]`` uses the stored level code (best level = highest code)."""

    m: list[np.ndarray]
    u: list[np.ndarray]
    match_rate: float
    #: name part (given, father, family) -> share of records per name-part id
    token_frequency: dict[str, np.ndarray] = field(default_factory=dict)
    default_frequency: float = 0.01

    @classmethod
    def from_priors(cls, match_rate: float = 0.05) -> FellegiSunterModel:
        return cls([c.priors("m") for c in COMPARISONS], [c.priors("u") for c in COMPARISONS], match_rate)

    def weights(self, levels: np.ndarray, a: Prepared | None = None, b: Prepared | None = None,
                pairs: np.ndarray | None = None) -> np.ndarray:
        """log2 Bayes factors per pair and comparison (0 where a field is missing). The
        factor of each level is computed once and looked up per pair; an exact match on a
        name part uses that part's frequency as its u (common names weigh less)."""
        out = np.zeros(levels.shape, np.float32)
        for c in range(len(COMPARISONS)):
            out[:, c] = self.column_weights(c, levels[:, c], a, pairs)
        # A given name says the sex (Mohammad is a man, Fatima a woman): when the given names
        # agree, so does the sex of two random people with them, and agreeing again is no
        # further evidence. Disagreeing still is (a man's and a woman's name that share a key).
        given, sex = index_of("given_name"), index_of("sex")
        agree = levels[:, given] >= COMPARISONS[given].code(COMPARISONS[given].labels.index("given names differ by a letter or two"))
        out[agree & (levels[:, sex] == 1), sex] = 0.0
        return out

    def _factors(self, c: int) -> np.ndarray:
        """log2 m/u per level code of comparison ``c``, with one more slot (0) for "missing"."""
        factor = np.log2(np.clip(self.m[c], 1e-12, 1) / np.clip(self.u[c], 1e-12, 1))
        return np.append(factor, 0.0).astype(np.float32)

    def column_weights(self, c: int, col: np.ndarray, a: Prepared | None = None,
                       pairs: np.ndarray | None = None) -> np.ndarray:
        """The weights of comparison ``c`` for pairs at level codes ``col`` (before the sex
        adjustment of :meth:`weights`), term-frequency adjusted when ``a`` and ``pairs`` are given."""
        comparison = COMPARISONS[c]
        out = self._factors(c)[col]
        if a is None or pairs is None or not self.token_frequency:
            return out
        for index, level in enumerate(comparison.levels):
            if not level.term_frequency:
                continue
            code = comparison.code(index)
            exact = np.nonzero(col == code)[0]
            if not len(exact):
                continue
            freq = np.ones(len(exact))
            for part, role in level.term_frequency:
                tokens = getattr(a, part)[pairs[exact, 0]]
                table = self.token_frequency.get(role)
                shares = np.full(len(exact), self.default_frequency if table is None else float(table.min()))
                if table is not None:
                    inside = (tokens < len(table)) & (tokens >= 0)
                    shares[inside] = table[tokens[inside]]
                freq *= shares
            # Never claim more evidence than a one-in-a-million name allows, nor less than a
            # coin flip at the common end.
            m_exact = max(float(self.m[c][code]), 1e-12)
            out[exact] = np.log2(m_exact / np.clip(freq, 1e-6, 0.5))
        return out

    def most(self, c: int) -> float:
        """The largest weight comparison ``c`` can give a pair (missing weighs 0; an exact
        name at its rarest, :meth:`column_weights`)."""
        top = float(self._factors(c).max())
        for index, level in enumerate(COMPARISONS[c].levels):
            if level.term_frequency:
                top = max(top, math.log2(max(float(self.m[c][COMPARISONS[c].code(index)]), 1e-12) / 1e-6))
        return top

    def probability(self, weights: np.ndarray) -> np.ndarray:
        prior = math.log2(self.match_rate / (1 - self.match_rate))
        total = prior + weights.sum(axis=1)
        return 1.0 / (1.0 + np.power(2.0, -np.clip(total, -60, 60)))


def estimate_u(p: Prepared, names: NameScorer, rng: np.random.Generator, samples: int = 100_000) -> list[np.ndarray]:
    """u probabilities from random pairs (almost all of which are different people), blended
    with the priors so that a small data set still gives sensible values."""
    n = len(p)
    priors = [c.priors("u") for c in COMPARISONS]
    if n < 3:
        return priors
    count = min(samples, n * (n - 1) // 2)
    i = rng.integers(0, n, count)
    j = rng.integers(0, n, count)
    keep = i != j
    pairs = np.stack([i[keep], j[keep]], axis=1)
    levels = compare(p, p, pairs, names)
    out = []
    weight = 200.0  # pseudo-pairs of prior
    for c, comparison in enumerate(COMPARISONS):
        col = levels[:, c]
        col = col[col >= 0]
        counts = np.bincount(col, minlength=len(comparison.levels)).astype(float)
        out.append((counts + weight * priors[c]) / (counts.sum() + weight))
    return out


def term_frequencies(*prepared: Prepared) -> dict[str, np.ndarray]:
    """Per name part (given, father, family): the share of records carrying each part, indexed
    by part id (a part not seen in that role counts as seen once). Used as ``u`` for an exact
    match on that part, so common names weigh less."""
    out: dict[str, np.ndarray] = {}
    for attr in ("given", "father", "family"):
        arrays = [getattr(p, attr) for p in prepared]
        values = np.concatenate([arr[arr >= 0] for arr in arrays]) if arrays else np.empty(0, np.int64)
        if len(values) == 0:
            continue
        counts = np.bincount(values).astype(float)
        shares = counts / len(values)
        shares[counts == 0] = 1 / len(values)  # not seen in this role: as rare as a name seen once
        out[attr] = shares
    return out


#: Weight of the prior m values in EM, in pseudo-pairs. Blocked pairs mostly share a name, and
#: EM left alone learns "shares a name" rather than "is the same person"; a strong prior keeps
#: the model honest while the data still move it.
PRIOR_PAIRS = 5000.0
#: EM runs on at most this many candidate pairs, drawn at random.
EM_SAMPLE = 600_000


def fixed_codes(comparison: Comparison, relatives: bool) -> list[int]:
    """Codes of the levels whose m stays at its prior: evidence against a match, and the
    vetoing levels in a list that holds relatives (:func:`holds_relatives`)."""
    return [comparison.code(k) for k, level in enumerate(comparison.levels) if level.fixed or (relatives and level.veto)]


def em_sample(n: int) -> np.ndarray | None:
    """Positions of the candidate pairs EM runs on when there are more than :data:`EM_SAMPLE`
    of them (sorted, always the same for the same ``n``); None when it runs on all of them."""
    if n <= EM_SAMPLE:
        return None
    return np.sort(np.random.default_rng(7).choice(n, EM_SAMPLE, replace=False))


def train(levels: np.ndarray, u: list[np.ndarray], weights_base: FellegiSunterModel, iterations: int = 12,
          a: Prepared | None = None, pairs: np.ndarray | None = None, total_pairs: int | None = None,
          relatives: bool = True, population: int | None = None) -> FellegiSunterModel:
    """EM for m and the match rate among candidate pairs, u held fixed (as Splink does).
    m is blended with the priors (:data:`PRIOR_PAIRS` pseudo-pairs) so that few pairs cannot swing
    it wildly; the levels of :func:`fixed_codes` keep their prior. ``levels`` (of ``pairs``) are
    those of every candidate pair, or of the sample :func:`em_sample` draws from ``population``
    candidate pairs."""
    model = FellegiSunterModel([m.copy() for m in weights_base.m], u, weights_base.match_rate,
                               weights_base.token_frequency, weights_base.default_frequency)
    if len(levels) < 50:
        return model
    prior_pairs = PRIOR_PAIRS
    if population is None:
        chosen = em_sample(len(levels))
        if chosen is not None:
            population = len(levels)
            levels = levels[chosen]
            pairs = pairs[chosen] if pairs is not None else None
    if population is not None and population > len(levels):
        # EM converges on a random sample as well as on every pair, at a fraction of the time;
        # the match rate is then scaled back to all pairs, and the prior weighs against the
        # sample what it would weigh against every pair (else a big archive's own evidence,
        # that its sources never put one person in two towns, is drowned by the prior).
        scale = population / len(levels)
        prior_pairs = PRIOR_PAIRS / scale
        total_pairs = int(total_pairs / scale) if total_pairs else None
    priors = [c.priors("m") for c in COMPARISONS]
    fixed = [fixed_codes(c, relatives) for c in COMPARISONS]
    for _ in range(iterations):
        p = model.probability(model.weights(levels, a, a, pairs))
        # The match rate is learnt but never above twice its starting value (about one
        # duplicate per record): EM inflates it when many pairs share a common name.
        # The rate is that of random pairs (matches found among the candidates, over all pairs).
        rate = p.sum() / total_pairs if total_pairs else p.mean()
        model.match_rate = float(np.clip(rate, 1e-12, min(0.5, 2 * weights_base.match_rate)))
        for c, comparison in enumerate(COMPARISONS):
            col = levels[:, c]
            known = col >= 0
            sums = np.bincount(col[known], weights=p[known], minlength=len(comparison.levels))
            total = sums.sum()
            new = (sums + prior_pairs * priors[c]) / (total + prior_pairs)
            new[fixed[c]] = priors[c][fixed[c]]
            model.m[c] = new / new.sum()
    return model


# --- documenters' decisions ---------------------------------------------------------------

#: Confirmed pairs count as much as this many pseudo-pairs of the EM estimate: a few dozen
#: decisions nudge m, a few hundred reshape it.
DECISION_PRIOR = 200.0


def levels_from_labels(labels: dict[str, str]) -> np.ndarray:
    """The level codes of one pair from its stored labels (``MatchPair.levels``, as kept on a
    ``match_links`` row): -1 for a field not known on both sides or a label this version of the
    engine does not have."""
    row = np.full(len(COMPARISONS), MISSING, np.int64)
    for c, comparison in enumerate(COMPARISONS):
        label = labels.get(comparison.name)
        if label in comparison.labels:
            row[c] = comparison.code(comparison.labels.index(label))
    return row


def refine_with_decisions(model: FellegiSunterModel, confirmed: np.ndarray, relatives: bool = True) -> FellegiSunterModel:
    """m re-estimated with the pairs documenters confirmed as one person (rows of level
    codes): how often each level occurs among real matches, as the archive's own documenters
    found them, blended with the EM estimate (:data:`DECISION_PRIOR`). Levels that are
    evidence against a match (:func:`fixed_codes`) keep their prior: a handful of unusual confirmations
    must not teach the engine that different given names are how one person looks."""
    if confirmed is None or len(confirmed) == 0:
        return model
    m = [row.copy() for row in model.m]
    for c, comparison in enumerate(COMPARISONS):
        col = confirmed[:, c]
        col = col[col >= 0]
        if len(col) == 0:
            continue
        counts = np.bincount(col, minlength=len(comparison.levels)).astype(float)
        new = (model.m[c] * DECISION_PRIOR + counts) / (DECISION_PRIOR + counts.sum())
        fixed = fixed_codes(comparison, relatives)
        free = [code for code in range(len(new)) if code not in fixed]
        # The fixed levels keep their mass; the rest share what is left in their new proportions.
        room = 1.0 - float(model.m[c][fixed].sum()) if fixed else 1.0
        new[free] = new[free] / new[free].sum() * room
        new[fixed] = model.m[c][fixed]
        m[c] = new
    return FellegiSunterModel(m, model.u, model.match_rate, model.token_frequency, model.default_frequency)


# --- explanations ------------------------------------------------------------------------


def explain(levels: np.ndarray, a: Prepared, b: Prepared, i: np.ndarray, j: np.ndarray) -> list[tuple[list[str], dict[str, str]]]:
    """For each pair (rows of ``levels``, positions ``i`` in ``a`` and ``j`` in ``b``): the
    phrases a documenter reads, and the level label per field."""
    unknown = "not known on both sides"
    labels: list[np.ndarray] = []
    phrases: list[np.ndarray] = []
    for c, comparison in enumerate(COMPARISONS):
        # Codes are best-first from len-1 down; the last slot is "missing" (-1).
        table = np.array([level.label for level in comparison.levels[::-1]] + [unknown], dtype=object)
        label = table[levels[:, c]]
        phrase = label.copy()
        if comparison.name == "date_of_death":
            days = np.abs(a.ordinal[i] - b.ordinal[j])
            apart = np.nonzero(np.isin(label, ["dates of death a few days apart", "dates of death weeks apart"]))[0]
            phrase[apart] = [f"dates of death {int(d)} days apart" for d in days[apart]]
            edge = np.nonzero((label == "same month of death") & ((a.year[i] != b.year[j]) | (a.month[i] != b.month[j])))[0]
            phrase[edge] = "dates of death within days of each other (one gives only the month)"
        if comparison.name == "age":
            differ = np.nonzero((label != "same age") & (label != unknown))[0]
            phrase[differ] = [f"ages {int(x)} and {int(y)}" for x, y in zip(a.age[i[differ]], b.age[j[differ]])]
        labels.append(label)
        phrases.append(phrase)
    names = [comparison.name for comparison in COMPARISONS]
    label_rows = zip(*(column.tolist() for column in labels))
    phrase_rows = zip(*(column.tolist() for column in phrases))
    out = [([phrase for phrase, label in zip(row_phrases, row_labels) if label != unknown], dict(zip(names, row_labels)))
           for row_labels, row_phrases in zip(label_rows, phrase_rows)]
    return out
