"""Blocking, comparison and Fellegi–Sunter scoring of victim records, vectorised with numpy.

The pieces, in the order a run uses them:

* :func:`prepare` turns records into integer arrays (name-part ids, date parts, place ids);
* :func:`block_pairs` proposes candidate pairs from several blocking keys, so that true pairs
  are almost never missed while comparisons stay near-linear;
* the comparisons (``GivenNameComparison``, ``FatherNameComparison``, ``FamilyNameComparison``,
  ``DateOfDeathComparison``, ``PlaceComparison``, ``SexComparison``, ``AgeComparison``) give
  each pair a level per field;
* :class:`FellegiSunterModel` weighs the levels: ``u`` from random pairs, ``m`` and the match
  rate by EM on the candidate pairs (no labels), term-frequency adjusted for name parts
  (two records sharing "Mohammad" says little; sharing "Ajaj" says much), then refined with
  the pairs documenters confirmed (:func:`refine_with_decisions`); the sum of weights is a
  match probability.

Given names or fathers' names that clearly differ are treated as different people whatever the
rest says: in a massacre, relatives share a family name, a date and a place, and nothing but
the names tells them apart. Names are compared on their cross-script skeletons and, where the
skeleton is not enough, on how they are written: a rare spelling one letter from a common one
is a typo even when its consonants are another name's ("Waid", Walid), and one skeleton
written with vowels two names cannot share is two names (رامي and ريم, Rami and Reem).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz.distance import OSA, JaroWinkler
from rapidfuzz.process import cdist

from tawthiq.extractors.names import transliterate_name

from .names import is_arabic, name_parts, vowels_differ

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
    #: skeleton vocabulary stays small enough for the pair table of ``NameComparison``.
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
    gov: np.ndarray
    loc: np.ndarray
    sex: np.ndarray
    age: np.ndarray
    names: list[str]

    def __len__(self) -> int:
        return len(self.ids)


_SEX = {"male": 1, "m": 1, "female": 2, "f": 2}
MIDDLES = 3


def prepare(records: Sequence, vocab: Vocabulary) -> Prepared:  # records: Sequence[MatchRecord]
    """Arrays of the comparable parts of each record."""
    from tawthiq.extractors.places import canonical_governorate, governorate_of_locality

    from .dates import date_parts, parse_date

    n = len(records)
    given = np.full(n, MISSING, np.int64)
    father = np.full(n, MISSING, np.int64)
    family = np.full(n, MISSING, np.int64)
    ntokens = np.zeros(n, np.int64)
    year = np.zeros(n, np.int64)
    month = np.zeros(n, np.int64)
    day = np.zeros(n, np.int64)
    ordinal = np.full(n, MISSING, np.int64)
    gov = np.full(n, MISSING, np.int64)
    loc = np.full(n, MISSING, np.int64)
    sex = np.zeros(n, np.int64)
    age = np.full(n, MISSING, np.int64)
    middles = np.full((n, MIDDLES), MISSING, np.int64)
    forms = np.full((3, n), MISSING, np.int64)
    names: list[str] = []
    for i, record in enumerate(records):
        parts = name_parts(record.full_name) if record.full_name else name_parts(record.name_ar)
        if len(parts.skeletons) < 2 and record.name_ar and record.full_name:
            parts = name_parts(record.name_ar)
        names.append(record.full_name or record.name_ar or "")
        sk, written = parts.skeletons, parts.forms
        ntokens[i] = len(sk)
        if sk:
            given[i] = vocab.id(sk[0])
            forms[0, i] = vocab.written.id(written[0])
        if len(sk) >= 2:
            family[i] = vocab.id(sk[-1])
            forms[2, i] = vocab.written.id(written[-1])
        if len(sk) >= 3:
            father[i] = vocab.id(sk[1])
            forms[1, i] = vocab.written.id(written[1])
            for k, part in enumerate(sk[1:-1][:MIDDLES]):
                middles[i, k] = vocab.id(part)
        # Any of the contract's formats (DD/MM/YYYY too), whoever built the record.
        y, m, d, o = date_parts(parse_date(record.date_of_death))
        year[i], month[i], day[i], ordinal[i] = y, m, d, o
        # Any spelling of a governorate is the same governorate (Idlib, إدلب, Idleb); a town
        # given without its governorate is placed by the gazetteer (Saqba is in Rural
        # Damascus), so that Saqba and Talbiseh, Homs are known to be apart.
        governorate = (canonical_governorate(record.governorate) or record.governorate.strip()) if record.governorate else None
        governorate = governorate or (governorate_of_locality(record.locality) if record.locality else None)
        if governorate:
            gov[i] = vocab.id("gov:" + governorate.lower())
        if record.locality:
            key = name_parts(record.locality).key
            if key:
                loc[i] = vocab.id("loc:" + key.replace(" ", ""))
        sex[i] = _SEX.get((record.sex or "").strip().lower(), 0)
        if record.age is not None:
            try:
                value = int(record.age)
                if 0 <= value <= 120:
                    age[i] = value
            except (TypeError, ValueError):
                pass
    return Prepared([str(r.id) for r in records], given, father, family, middles, forms, ntokens, year, month, day, ordinal,
                    gov, loc, sex, age, names)


# --- blocking ---------------------------------------------------------------------------------

#: Blocks larger than this are skipped for a key (a common name in a common year would
#: otherwise compare thousands of unrelated people); the other keys still cover those pairs.
MAX_BLOCK = {"given_family": 2000, "family_month": 600, "given_father": 600, "father_family": 600, "date_place": 400,
             "given_year_place": 400, "given_date": 400}


def blocking_keys(p: Prepared) -> dict[str, np.ndarray]:
    """One int64 key per record and blocking rule (-1 where the rule does not apply)."""
    big = np.int64(1 << 20)
    keys: dict[str, np.ndarray] = {}
    ok = (p.given >= 0) & (p.family >= 0)
    keys["given_family"] = np.where(ok, p.given * big + p.family, -1)
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
    # A one-word name ("Jaafar", "عزيزة") has no family name to block on: its date must do.
    ok = (p.given >= 0) & (p.ordinal >= 0) & ((p.ntokens == 1) | (p.family < 0))
    keys["given_date"] = np.where(ok, p.given * big + p.ordinal + (1 << 44), -1)
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


def veto_levels(given: np.ndarray, father: np.ndarray) -> np.ndarray:
    """The rule itself, on comparison levels: given names different (0) or only loosely alike
    (1), or fathers' names different (0). Missing levels (-1) never veto."""
    return (given == 0) | (given == 1) | (father == 0)


def vetoed(a: Prepared, b: Prepared, pairs: np.ndarray, names: NameComparison) -> np.ndarray:
    """Pairs that cannot be one person whatever else agrees: given names different or only
    loosely alike, or fathers' names different (both known). Dropping them as soon as they
    are blocked keeps a big archive's comparisons to the pairs that can matter."""
    if len(pairs) == 0:
        return np.zeros(0, bool)
    i, j = pairs[:, 0], pairs[:, 1]
    out = np.zeros(len(pairs), bool)
    ga, gb = a.given[i], b.given[j]
    check = np.nonzero((ga >= 0) & (gb >= 0) & (ga != gb))[0]  # same or unknown given names pass
    none = np.full(len(pairs), MISSING, np.int64)
    if len(check):
        given = names.levels(ga[check], gb[check], a.forms[0][i[check]], b.forms[0][j[check]])
        out[check[veto_levels(given, none[:len(check)])]] = True
    fa, fb = a.father[i], b.father[j]
    check = np.nonzero(~out & (fa >= 0) & (fb >= 0) & (fa != fb))[0]
    if len(check):
        father = father_levels(a, b, i[check], j[check], names)
        out[check[veto_levels(none[:len(check)], father)]] = True
    return out


def block_pairs(p: Prepared, names: NameComparison | None = None) -> np.ndarray:
    """Candidate pairs within one set of records (deduplicated across keys); with ``names``,
    without the pairs :func:`vetoed` would reject."""
    keys = blocking_keys(p)
    parts = []
    for name, k in keys.items():
        found = _pairs_from_keys(k, MAX_BLOCK[name])
        if names is not None and len(found) and name != "given_father":  # those share both names
            found = found[~vetoed(p, p, found, names)]
        parts.append(found)
    pairs = np.concatenate(parts) if parts else np.empty((0, 2), np.int64)
    if len(pairs) == 0:
        return pairs
    code = pairs[:, 0] * np.int64(len(p) + 1) + pairs[:, 1]
    _, first = np.unique(code, return_index=True)
    return pairs[np.sort(first)]


def block_link(left: Prepared, right: Prepared, index: BlockIndex | None = None,
               names: NameComparison | None = None) -> np.ndarray:
    """Candidate pairs (i in left, j in right) sharing any blocking key (with ``names``,
    without the pairs :func:`vetoed` would reject)."""
    index = index or BlockIndex(right)
    keys = blocking_keys(left)
    rows: list[np.ndarray] = []
    for name, key in keys.items():
        table = index.tables[name]
        limit = MAX_BLOCK[name]
        for i in np.nonzero(key >= 0)[0]:
            matches = table.get(int(key[i]))
            if matches is not None and len(matches) <= limit:
                rows.append(np.stack([np.full(len(matches), i, np.int64), matches], axis=1))
    if not rows:
        return np.empty((0, 2), np.int64)
    pairs = np.concatenate(rows)
    if names is not None:
        pairs = pairs[~vetoed(left, right, pairs, names)]
    code = pairs[:, 0] * np.int64(len(right) + 1) + pairs[:, 1]
    _, first = np.unique(code, return_index=True)
    return pairs[np.sort(first)]


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


# --- comparisons ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """A field comparison as a specification: its levels (best first), each with a label for
    explanations and default m/u probabilities used when the data are too few to estimate."""

    name: str
    levels: tuple[str, ...]
    m_prior: tuple[float, ...]
    u_prior: tuple[float, ...]
    #: Levels whose m is fixed (not re-estimated): the evidence against a match. EM on blocked
    #: pairs, which mostly share a name, would otherwise learn that "same name, dates years
    #: apart, other governorate" is how one person looks.
    fixed_m: tuple[int, ...] = ()
    #: Whether an exact match is weighed by how common the value is.
    term_frequency: bool = False


class NameComparison:
    """Levels of a name part (given, father's or family name) on cross-script skeletons:
    exact, similar (Jaro-Winkler ≥ 0.88: one letter off), weak (≥ 0.75), different."""

    SIMILAR = 0.88
    WEAK = 0.75
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
        self.rare_form_limit = self.RARE_MIN
        #: written form (id) -> its skeleton (id); skeleton -> its commonly written forms
        self.skeleton_of: np.ndarray = np.zeros(0, np.int64)
        self.spellings: dict[int, list[int]] = {}

    def count_parts(self, *prepared: Prepared) -> None:
        """How often each name part occurs, to tell a misspelling from another name. A part
        that is a common name (:data:`~.names.COMMON_NAMES_AR`) counts as common however few
        records there are: a nightly batch of twenty must not take أحمد for a typo of محمد."""
        from .names import common_skeletons

        values = [arr[arr >= 0] for p in prepared for arr in (p.given, p.father, p.family)]
        flat = np.concatenate(values) if values else np.empty(0, np.int64)
        self.counts = np.bincount(flat, minlength=len(self.words)) if len(flat) else np.zeros(len(self.words), np.int64)
        common = common_skeletons()
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
        # A rare Latin form: another name if it is far (three edits) from how the Arabic reads.
        return OSA.distance(self.forms[latin], (transliterate_name(arabic) or "").lower(), score_cutoff=3) > 2

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

    def levels(self, a: np.ndarray, b: np.ndarray, form_a: np.ndarray | None = None,
               form_b: np.ndarray | None = None, vowels: bool = False) -> np.ndarray:
        """Level codes (3 exact .. 0 different, -1 missing) of skeleton ids ``a`` and ``b``;
        with their written forms, a different or loosely alike pair that is a misspelling
        (:meth:`typos`) is "differs by a letter or two", and with ``vowels`` (given and
        fathers' names) one skeleton written with vowels that cannot be one name's
        (:func:`~.names.vowels_differ`: رامي and ريم) is two different names."""
        out = self._levels(a, b)
        if form_a is not None and form_b is not None:
            check = np.nonzero((out == 0) | (out == 1))[0]
            if len(check):
                out[check[self.typos(a[check], b[check], form_a[check], form_b[check])]] = 2
            if vowels:
                check = np.nonzero((out == 3) & (form_a != form_b) & (form_a >= 0) & (form_b >= 0))[0]
                if len(check):
                    out[check[self.vowels_differ(form_a[check], form_b[check])]] = 0
        return out

    def vowels_differ(self, form_a: np.ndarray, form_b: np.ndarray) -> np.ndarray:
        """Per pair of written forms of one skeleton: whether their vowels make two names
        (:meth:`_vowels_differ`)."""
        codes = np.minimum(form_a, form_b) * np.int64(1 << 32) + np.maximum(form_a, form_b)
        unique, inverse = np.unique(codes, return_inverse=True)
        found = np.zeros(len(unique), bool)
        for k, code in enumerate(unique.tolist()):
            hit = self.vowel_cache.get(code)
            if hit is None:
                hit = self._vowels_differ(code >> 32, code & 0xFFFFFFFF)
                self.vowel_cache[code] = hit
            found[k] = hit
        return found[inverse]

    def _levels(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = np.full(len(a), MISSING, np.int64)
        known = (a >= 0) & (b >= 0)
        same = known & (a == b)
        out[same] = 3
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
                table = np.zeros(size * size, np.int8)
                for code in wanted.tolist():
                    table[code] = self._level(((code // size) << 32) | (code % size))
                out[rest] = table[codes]
                return out
            codes = lo * np.int64(1 << 32) + hi
            unique, inverse = np.unique(codes, return_inverse=True)
            levels = np.fromiter((self._level(code) for code in unique.tolist()), np.int8, len(unique))
            out[rest] = levels[inverse]
        return out

    def _level(self, code: int) -> int:
        """Level (0–2) of two different name parts, packed as ``lo << 32 | hi`` (cached)."""
        sim = self.cache.get(code)
        if sim is None:
            sim = self._similarity(code >> 32, code & 0xFFFFFFFF)
            self.cache[code] = sim
        return 2 if sim >= self.SIMILAR else 1 if sim >= self.WEAK else 0

    def _similarity(self, left: int, right: int) -> float:
        x, y = self.words[left], self.words[right]
        if x.startswith("bd") and y.startswith("bd") and len(x) > 2 and len(y) > 2:
            x, y = x[2:], y[2:]  # Abd al-Qadir / Abd al-Karim: compare what follows "Abd"
        if min(self._count(left), self._count(right)) > self.rare_limit:
            # Two established names (both common, or both seen often) that differ are two
            # names: Mahmoud is not a spelling of Mohammad.
            return 0.0
        sim = JaroWinkler.normalized_similarity(x, y)
        if min(len(x), len(y)) <= 3 and abs(len(x) - len(y)) >= 2:
            sim = min(sim, self.WEAK)  # Jaro-Winkler rewards a shared start: Amer (amr) is not Amerhan (amrhn)
        if min(len(x), len(y)) >= 4 and (x.startswith(y) or y.startswith(x)):
            sim = max(sim, self.SIMILAR)  # a name cut short; but Amer is not Amerhan
        # One edit from an established name is a misspelling of it, except a letter swapped in
        # a two-letter key: Taiba (tb) and Tamim (tm), Hiba (hb) and Taiba are other names.
        short_swap = min(len(x), len(y)) <= 2 and len(x) == len(y)
        if sim < self.SIMILAR and max(len(x), len(y)) >= 2 and not short_swap and OSA.distance(x, y) <= 1:
            sim = self.SIMILAR
        return sim


GivenNameComparison = Comparison("given_name", ("same given name", "given names differ by a letter or two",
                                                "given names only loosely alike", "given names differ"),
                                 (0.96, 0.02, 0.007, 0.00001), (0.02, 0.01, 0.05, 0.92), fixed_m=(2, 3), term_frequency=True)
FatherNameComparison = Comparison("father_name", ("same father's name", "father's names differ by a letter or two",
                                                  "father's name appears among the other's middle names", "father's names differ"),
                                  (0.80, 0.10, 0.08, 0.000001), (0.03, 0.01, 0.03, 0.93), fixed_m=(3,), term_frequency=True)
#: Family names of one person differ in a few reports (a tribe's name for the family's, a
#: name changed): about 1 in 100 of Airwars' real Latin/Arabic pairs differ outright.
FamilyNameComparison = Comparison("family_name", ("same family name", "family names differ by a letter or two",
                                                  "family names only loosely alike", "family names differ"),
                                  (0.87, 0.09, 0.02, 0.02), (0.01, 0.01, 0.04, 0.94), term_frequency=True)
#: "Same month" is a day against a month-only date (or a day at its edge); two full dates
#: weeks apart are a level of their own, weighed by what the data show (in a careful list
#: they are mostly two people; where sources date a death by its announcement, often one).
DateOfDeathComparison = Comparison("date_of_death", ("same date of death", "dates of death a few days apart",
                                                     "day and month swapped", "same month of death", "dates of death weeks apart",
                                                     "same year of death", "dates of death differ"),
                                   (0.70, 0.15, 0.02, 0.08, 0.03, 0.017, 0.003),
                                   (0.002, 0.01, 0.0005, 0.02, 0.012, 0.20, 0.7555), fixed_m=(5, 6))
PlaceComparison = Comparison("place_of_death", ("same town or village", "same governorate (town not known on one side)",
                                                "same governorate, different towns", "different governorates"),
                             (0.72, 0.22, 0.05, 0.01), (0.02, 0.06, 0.06, 0.86), fixed_m=(3,))
SexComparison = Comparison("sex", ("same sex", "different sex"), (0.97, 0.03), (0.5, 0.5))
AgeComparison = Comparison("age", ("same age", "ages within 2 years", "ages within 5 years", "ages differ"),
                           (0.60, 0.28, 0.08, 0.04), (0.02, 0.08, 0.12, 0.78), fixed_m=(3,))

COMPARISONS: tuple[Comparison, ...] = (GivenNameComparison, FatherNameComparison, FamilyNameComparison,
                                       DateOfDeathComparison, PlaceComparison, SexComparison, AgeComparison)


def _level_code(comparison: Comparison, index: int) -> int:
    """Levels are stored best-first as len-1 .. 0."""
    return len(comparison.levels) - 1 - index


def date_levels(a: Prepared, b: Prepared, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Codes: 6 same date, 5 a few days apart, 4 day and month swapped, 3 same month (one side
    gives only the month), 2 weeks apart, 1 same year, 0 differ; -1 when a side has no date."""
    out = np.full(len(i), MISSING, np.int64)
    ya, yb = a.year[i], b.year[j]
    known = (ya > 0) & (yb > 0)
    out[known] = 0
    same_year = known & (ya == yb)
    out[same_year] = 1
    ma, mb = a.month[i], b.month[j]
    same_month = same_year & (ma > 0) & (mb > 0) & (ma == mb)
    out[same_month] = 3
    oa, ob = a.ordinal[i], b.ordinal[j]
    full = (oa >= 0) & (ob >= 0)
    diff = np.abs(oa - ob)
    da, db = a.day[i], b.day[j]
    swapped = full & same_year & (da == mb) & (db == ma) & (da != db)
    out[swapped] = 4
    out[full & (diff <= 31) & (diff > 3)] = 2
    out[full & (diff <= 3) & (diff > 0)] = 5
    out[full & (diff == 0)] = 6
    # A day a few days outside the other's month-only date (the 31st of May and "June 2018",
    # the 1st of January and "December 2020") is as good as the same month.
    for day_side, month_side in (((oa, ya, ma), (ob, yb, mb)), ((ob, yb, mb), (oa, ya, ma))):
        edge = np.nonzero((day_side[0] >= 0) & (month_side[0] < 0) & (month_side[1] > 0) & (month_side[2] > 0)
                          & (out < 3))[0]
        if len(edge):
            first = _month_start(month_side[1][edge], month_side[2][edge])
            last = _month_start(month_side[1][edge] + month_side[2][edge] // 12, month_side[2][edge] % 12 + 1) - 1
            day = day_side[0][edge]
            near = ((day < first) & (first - day <= 3)) | ((day > last) & (day - last <= 3))
            out[edge[near]] = 3
    return out


_EPOCH_ORDINAL = 719163  # datetime.date(1970, 1, 1).toordinal()


def _month_start(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Proleptic ordinals (as ``date.toordinal``) of the first day of each year and month."""
    months = (year - 1970) * 12 + (month - 1)
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + _EPOCH_ORDINAL


def place_levels(a: Prepared, b: Prepared, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    out = np.full(len(i), MISSING, np.int64)
    ga, gb = a.gov[i], b.gov[j]
    la, lb = a.loc[i], b.loc[j]
    gov_known = (ga >= 0) & (gb >= 0)
    out[gov_known] = 0
    same_gov = gov_known & (ga == gb)
    loc_known = (la >= 0) & (lb >= 0)
    out[same_gov & loc_known] = 1
    out[same_gov & ~loc_known] = 2
    same_loc = loc_known & (la == lb) & ((ga == gb) | (ga < 0) | (gb < 0))
    out[same_loc] = 3
    return out


def sex_levels(a: Prepared, b: Prepared, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    sa, sb = a.sex[i], b.sex[j]
    return np.where((sa > 0) & (sb > 0), np.where(sa == sb, 1, 0), MISSING)


def age_levels(a: Prepared, b: Prepared, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    aa, ab = a.age[i], b.age[j]
    known = (aa >= 0) & (ab >= 0)
    diff = np.abs(aa - ab)
    out = np.where(diff == 0, 3, np.where(diff <= 2, 2, np.where(diff <= 5, 1, 0)))
    return np.where(known, out, MISSING)


def father_levels(a: Prepared, b: Prepared, i: np.ndarray, j: np.ndarray, names: NameComparison) -> np.ndarray:
    out = names.levels(a.father[i], b.father[j], a.forms[1][i], b.forms[1][j], vowels=True)
    # A father's name dropped on one side: the other's father may be the first's grandfather,
    # so "differs" becomes "appears among the middle names" when the middle names overlap.
    differ = np.nonzero((out <= 1) & (out >= 0) & ((a.ntokens[i] >= 4) | (b.ntokens[j] >= 4)))[0]
    if len(differ):
        left, right = a.middles[i[differ]], b.middles[j[differ]]
        overlap = np.zeros(len(differ), bool)
        for k in range(MIDDLES):
            for m in range(MIDDLES):
                overlap |= (left[:, k] >= 0) & (left[:, k] == right[:, m])
        out[differ[overlap]] = 1
    return out


def compare(a: Prepared, b: Prepared, pairs: np.ndarray, names: NameComparison) -> np.ndarray:
    """Levels of every comparison for every pair: an (n_pairs, n_comparisons) int64 array."""
    i, j = pairs[:, 0], pairs[:, 1]
    columns = [
        names.levels(a.given[i], b.given[j], a.forms[0][i], b.forms[0][j], vowels=True),
        father_levels(a, b, i, j, names),
        names.levels(a.family[i], b.family[j], a.forms[2][i], b.forms[2][j]),
        date_levels(a, b, i, j),
        place_levels(a, b, i, j),
        sex_levels(a, b, i, j),
        age_levels(a, b, i, j),
    ]
    return np.stack(columns, axis=1) if len(i) else np.empty((0, len(COMPARISONS)), np.int64)


# --- the model -------------------------------------------------------------------------------


@dataclass
class FellegiSunterModel:
    """m and u probabilities per comparison level, and the prior match rate among candidate
    pairs. ``m[c][level]`` uses the stored level code (best level = highest code)."""

    m: list[np.ndarray]
    u: list[np.ndarray]
    match_rate: float
    #: role (0 given, 1 father, 2 family) -> share of records per name-part id
    token_frequency: dict[int, np.ndarray] = field(default_factory=dict)
    default_frequency: float = 0.01

    @classmethod
    def from_priors(cls, match_rate: float = 0.05) -> FellegiSunterModel:
        m = [np.array(c.m_prior[::-1], float) for c in COMPARISONS]
        u = [np.array(c.u_prior[::-1], float) for c in COMPARISONS]
        return cls(m, u, match_rate)

    def weights(self, levels: np.ndarray, a: Prepared | None = None, b: Prepared | None = None,
                pairs: np.ndarray | None = None) -> np.ndarray:
        """log2 Bayes factors per pair and comparison (0 where a field is missing). The
        factor of each level is computed once and looked up per pair; an exact match on a
        name part uses that part's frequency as its u (common names weigh less)."""
        out = np.zeros(levels.shape, np.float32)
        for c, comparison in enumerate(COMPARISONS):
            col = levels[:, c]
            factor = np.log2(np.clip(self.m[c], 1e-12, 1) / np.clip(self.u[c], 1e-12, 1))
            # One more slot for "missing" (level -1), which weighs nothing.
            lookup = np.append(factor, 0.0).astype(np.float32)
            out[:, c] = lookup[col]
            if comparison.term_frequency and a is not None and pairs is not None and self.token_frequency:
                exact = np.nonzero(col == len(comparison.levels) - 1)[0]
                if len(exact):
                    tokens = {0: a.given, 1: a.father, 2: a.family}[c][pairs[exact, 0]]
                    table = self.token_frequency.get(c)
                    freq = np.full(len(tokens), self.default_frequency)
                    if table is not None:
                        inside = tokens < len(table)
                        freq[inside] = table[tokens[inside]]
                    # Never claim more evidence than a one-in-a-million name allows, nor less
                    # than a coin flip at the common end.
                    m_exact = max(float(self.m[c][len(comparison.levels) - 1]), 1e-12)
                    out[exact, c] = np.log2(m_exact / np.clip(freq, 1e-6, 0.5))
        # A given name says the sex (Mohammad is a man, Fatima a woman): when the given names
        # agree, so does the sex of two random people with them, and agreeing again is no
        # further evidence. Disagreeing still is (a man's and a woman's name that share a key).
        sex = COMPARISONS.index(SexComparison)
        out[(levels[:, 0] >= 2) & (levels[:, sex] == 1), sex] = 0.0
        return out

    def probability(self, weights: np.ndarray) -> np.ndarray:
        prior = math.log2(self.match_rate / (1 - self.match_rate))
        total = prior + weights.sum(axis=1)
        return 1.0 / (1.0 + np.power(2.0, -np.clip(total, -60, 60)))


def estimate_u(p: Prepared, names: NameComparison, rng: np.random.Generator, samples: int = 100_000) -> list[np.ndarray]:
    """u probabilities from random pairs (almost all of which are different people), blended
    with the priors so that a small data set still gives sensible values."""
    n = len(p)
    priors = [np.array(c.u_prior[::-1], float) for c in COMPARISONS]
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


def term_frequencies(*prepared: Prepared, default: float = 0.01) -> dict[int, np.ndarray]:
    """Per name role (0 given, 1 father, 2 family): the share of records carrying each part,
    indexed by part id (``default`` for parts not seen in that role). Used as ``u`` for an
    exact match on that part, so common names weigh less."""
    out: dict[int, np.ndarray] = {}
    for role, attr in ((0, "given"), (1, "father"), (2, "family")):
        arrays = [getattr(p, attr) for p in prepared]
        values = np.concatenate([arr[arr >= 0] for arr in arrays]) if arrays else np.empty(0, np.int64)
        if len(values) == 0:
            continue
        counts = np.bincount(values).astype(float)
        shares = counts / len(values)
        shares[counts == 0] = default
        out[role] = shares
    return out


#: Weight of the prior m values in EM, in pseudo-pairs. Blocked pairs mostly share a name, and
#: EM left alone learns "shares a name" rather than "is the same person"; a strong prior keeps
#: the model honest while the data still move it.
PRIOR_PAIRS = 5000.0
#: EM runs on at most this many candidate pairs, drawn at random.
EM_SAMPLE = 600_000


def train(levels: np.ndarray, u: list[np.ndarray], weights_base: FellegiSunterModel, iterations: int = 12,
          a: Prepared | None = None, pairs: np.ndarray | None = None, total_pairs: int | None = None) -> FellegiSunterModel:
    """EM for m and the match rate among candidate pairs, u held fixed (as Splink does).
    m is blended with the priors (:data:`PRIOR_PAIRS` pseudo-pairs) so that few pairs cannot swing it wildly."""
    model = FellegiSunterModel([m.copy() for m in weights_base.m], u, weights_base.match_rate,
                               weights_base.token_frequency, weights_base.default_frequency)
    if len(levels) < 50:
        return model
    prior_pairs = PRIOR_PAIRS
    if len(levels) > EM_SAMPLE:
        # EM converges on a random sample as well as on every pair, at a fraction of the time;
        # the match rate is then scaled back to all pairs, and the prior weighs against the
        # sample what it would weigh against every pair (else a big archive's own evidence,
        # that its sources never put one person in two towns, is drowned by the prior).
        rng = np.random.default_rng(7)
        chosen = np.sort(rng.choice(len(levels), EM_SAMPLE, replace=False))
        scale = len(levels) / EM_SAMPLE
        prior_pairs = PRIOR_PAIRS / scale
        levels = levels[chosen]
        pairs = pairs[chosen] if pairs is not None else None
        total_pairs = int(total_pairs / scale) if total_pairs else None
    priors = [np.array(c.m_prior[::-1], float) for c in COMPARISONS]
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
            for fixed in comparison.fixed_m:
                code = _level_code(comparison, fixed)
                new[code] = priors[c][code]
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
        if label in comparison.levels:
            row[c] = len(comparison.levels) - 1 - comparison.levels.index(label)
    return row


def refine_with_decisions(model: FellegiSunterModel, confirmed: np.ndarray) -> FellegiSunterModel:
    """m re-estimated with the pairs documenters confirmed as one person (rows of level
    codes): how often each level occurs among real matches, as the archive's own documenters
    found them, blended with the EM estimate (:data:`DECISION_PRIOR`). Levels that are
    evidence against a match (``fixed_m``) keep their prior: a handful of unusual confirmations
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
        fixed = [_level_code(comparison, level) for level in comparison.fixed_m]
        free = [code for code in range(len(new)) if code not in fixed]
        # The fixed levels keep their mass; the rest share what is left in their new proportions.
        room = 1.0 - float(model.m[c][fixed].sum()) if fixed else 1.0
        new[free] = new[free] / new[free].sum() * room
        new[fixed] = model.m[c][fixed]
        m[c] = new
    return FellegiSunterModel(m, model.u, model.match_rate, model.token_frequency, model.default_frequency)


# --- explanations ------------------------------------------------------------------------


def explain(levels: np.ndarray, a: Prepared, b: Prepared, i: int, j: int) -> tuple[list[str], dict[str, str]]:
    """Phrases a documenter reads, and the level label per field, for one pair."""
    phrases: list[str] = []
    labels: dict[str, str] = {}
    for c, comparison in enumerate(COMPARISONS):
        code = int(levels[c])
        if code < 0:
            labels[comparison.name] = "not known on both sides"
            continue
        label = comparison.levels[len(comparison.levels) - 1 - code]
        labels[comparison.name] = label
        if comparison.name == "date_of_death" and code in (5, 2) and a.ordinal[i] >= 0 and b.ordinal[j] >= 0:
            label = f"dates of death {abs(int(a.ordinal[i] - b.ordinal[j]))} days apart"
        if comparison.name == "date_of_death" and code == 3 and (a.year[i], a.month[i]) != (b.year[j], b.month[j]):
            label = "dates of death within days of each other (one gives only the month)"
        if comparison.name == "age" and code in (1, 2, 0):
            label = f"ages {int(a.age[i])} and {int(b.age[j])}"
        phrases.append(label)
    return phrases, labels
