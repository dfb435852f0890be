"""Matching: the same person across sources, scripts and spellings. Pure functions over records.

The public surface is small:

* :class:`MatchRecord` — what the matcher compares (name in any script, date, place, sex, age);
* :func:`dedupe_records` — pairs of records of one list that are the same person;
* :func:`link_records` — pairs between two lists (a new file against a known one);
* :class:`ArchiveMatcher` — incremental matching of new candidates against an archive;
* :func:`cluster_pairs` — groups of records that are one person, without chaining;
* :func:`normalize_name` — the cross-script key of a name (for search and storage).

Every pair comes with a calibrated probability and an explanation in words.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from . import engine
from .dates import parse_date
from tawthiq.lang.names import normalize_name

__all__ = ["MatchRecord", "MatchPair", "dedupe_records", "link_records", "cluster_pairs", "ArchiveMatcher",
           "normalize_name", "parse_date", "METHOD_VERSION", "DEFAULT_THRESHOLD", "CLUSTER_THRESHOLD"]

METHOD_VERSION = "fs-em-8"
#: Pairs at or above this probability are judged the same person: more likely than not. The
#: probability is calibrated (of the pairs scored about 0.75, about three in four are one
#: person), and counting one person twice and counting two people once are harms alike.
DEFAULT_THRESHOLD = 0.5
#: Records are grouped as one person (for one review) only from this probability: a group
#: a documenter opens should be one person nearly always.
CLUSTER_THRESHOLD = 0.9
_SEED = 20240311


@dataclass(frozen=True)
class MatchRecord:
    id: str
    full_name: str | None
    name_ar: str | None = None
    date_of_death: str | None = None
    governorate: str | None = None
    locality: str | None = None
    sex: str | None = None
    age: int | None = None


@dataclass
class MatchPair:
    left_id: str
    right_id: str
    probability: float
    explanation: list[str] = field(default_factory=list)
    levels: dict[str, str] = field(default_factory=dict)


@contextmanager
def _bulk() -> Iterator[None]:
    """Python's cycle collector paused while a run builds its millions of small objects (name
    parts, ids, explanations) that hold no cycles: it would otherwise walk them all again and
    again, a third of the time of reading a big list."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _confirmed(decided: Iterable[Mapping[str, str]]) -> np.ndarray:
    rows = [engine.levels_from_labels(dict(labels)) for labels in decided]
    return np.array(rows, np.int64).reshape(-1, len(engine.COMPARISONS))


def _score(a: engine.Prepared, b: engine.Prepared, pairs: np.ndarray, names: engine.NameScorer,
           u: list[np.ndarray], frequencies: dict[str, np.ndarray], same_set: bool, relatives: bool,
           confirmed: np.ndarray | None = None, floor: float = 0.0
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, engine.FellegiSunterModel]:
    """The pairs (of ``pairs``) whose probability may reach ``floor``, their levels and
    probabilities, and the model: EM on the candidate pairs (or on a sample of them,
    :func:`engine.em_sample`), then every pair scored (:func:`engine.score`)."""
    total = _total_pairs(len(a), len(b), same_set)
    base = engine.FellegiSunterModel.from_priors(match_rate=_prior_rate(len(a), len(b), len(pairs), same_set))
    base.token_frequency = frequencies
    sample = engine.em_sample(len(pairs))
    trained = pairs if sample is None else pairs[sample]
    model = engine.train(engine.compare(a, b, trained, names), u, base, a=a, pairs=trained, total_pairs=total,
                         relatives=relatives, population=len(pairs))
    if confirmed is not None and len(confirmed):
        model = engine.refine_with_decisions(model, confirmed, relatives)
    rows, levels, probabilities = engine.score(model, a, b, pairs, names, floor)
    return pairs[rows], levels, veto(levels, probabilities, relatives), model


def veto(levels: np.ndarray, probabilities: np.ndarray, relatives: bool = True) -> np.ndarray:
    """In a list that holds relatives (:func:`engine.holds_relatives`), pairs at a vetoing level
    (given names different, fathers' names different, both known) are not the same person,
    however well the rest agrees: brothers and sisters killed together share family name,
    father, date and place, and must never be counted as one."""
    out = probabilities.copy()
    if not relatives:
        return out
    for comparison in engine.VETOING:
        different = engine.veto_mask(comparison, levels[:, engine.COMPARISONS.index(comparison)])
        out[different] = np.minimum(out[different], 0.01)
    return out


def _total_pairs(n_left: int, n_right: int, same_set: bool) -> int:
    return n_left * (n_left - 1) // 2 if same_set else n_left * n_right


def _prior_rate(n_left: int, n_right: int, n_pairs: int, same_set: bool) -> float:
    """Starting probability that two *random* records are one person (about one duplicate for
    every two records). It is the prior that goes with u estimated from random pairs: using
    the rate among blocked pairs instead would count the names that blocking already
    required twice, and make every pair sharing a common name look certain."""
    if n_pairs == 0:
        return 0.05
    expected = (n_left if same_set else min(n_left, n_right)) * 0.5
    return float(np.clip(expected / max(1, _total_pairs(n_left, n_right, same_set)), 1e-12, 0.5))


def _pairs_out(a: engine.Prepared, b: engine.Prepared, pairs: np.ndarray, levels: np.ndarray,
               probabilities: np.ndarray, threshold: float) -> list[MatchPair]:
    keep = np.nonzero(probabilities >= threshold)[0]
    i, j = pairs[keep, 0], pairs[keep, 1]
    explained = engine.explain(levels[keep], a, b, i, j)
    return [MatchPair(a.ids[x], b.ids[y], round(float(p), 6), phrases, labels)
            for x, y, p, (phrases, labels) in zip(i.tolist(), j.tolist(), probabilities[keep].tolist(), explained)]


def dedupe_records(records: Sequence[MatchRecord], threshold: float | None = None,
                   confirmed: Iterable[Mapping[str, str]] = ()) -> list[MatchPair]:
    """Pairs of records in ``records`` judged to be the same person (probability ≥ threshold).

    The model is estimated from the records themselves (u from random pairs, m by EM on the
    blocked pairs), falling back to prior values when they are too few. ``confirmed`` are the
    level labels (:attr:`MatchPair.levels`) of pairs documenters confirmed as one person: they
    refine m (:func:`engine.refine_with_decisions`).
    """
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    if len(records) < 2:
        return []
    with _bulk():
        return _dedupe(records, threshold, confirmed)


def _dedupe(records: Sequence[MatchRecord], threshold: float, confirmed: Iterable[Mapping[str, str]]) -> list[MatchPair]:
    vocab = engine.Vocabulary()
    prepared = engine.prepare(records, vocab)
    engine.place_lone_parts([prepared])
    names = engine.NameScorer(vocab.words, vocab.forms)
    names.count_parts(prepared)
    relatives = engine.holds_relatives(prepared, prepared, names)
    pairs = engine.block_pairs(prepared, names if relatives else None)
    if len(pairs) == 0:
        return []
    rng = np.random.default_rng(_SEED)
    u = engine.estimate_u(prepared, names, rng)
    pairs, levels, probabilities, _ = _score(prepared, prepared, pairs, names, u, engine.term_frequencies(prepared), True,
                                             relatives, _confirmed(confirmed), threshold)
    return _pairs_out(prepared, prepared, pairs, levels, probabilities, threshold)


def link_records(left: Sequence[MatchRecord], right: Sequence[MatchRecord], threshold: float | None = None,
                 confirmed: Iterable[Mapping[str, str]] = ()) -> list[MatchPair]:
    """Pairs (left, right) judged to be the same person (``confirmed`` as in :func:`dedupe_records`)."""
    matcher = ArchiveMatcher(right, confirmed=confirmed)
    return matcher.match(left, threshold=threshold, top_k=None, exclusive=True)


#: Candidates at or above this probability compete with a pair (:func:`_compete`); weaker ones
#: hardly move it (odds under 1 in 9) and are not scored in full.
COMPETITOR_FLOOR = 0.1


def _compete(left: engine.Prepared, right: engine.Prepared, pairs: np.ndarray, probabilities: np.ndarray,
             model: engine.FellegiSunterModel, names: engine.NameScorer, relatives: bool, threshold: float) -> np.ndarray:
    """Probabilities of linked pairs given that a person is one record of a list: a record of
    one list can be at most one of two records of the other list that are two people. The pairs
    of each left record (and of each right record) whose other records the model judges two
    people compete as exclusive alternatives, "none of them" included: P(i is j) = o_ij / (1 + sum
    of the odds of i's and j's competing pairs, this one included). A lone candidate keeps its
    probability; two candidates that are one person written twice (a list with a duplicate) do
    not compete. Without it, a left record whose true match is found is also linked to another
    record that shares its name and date (FEBRL's "Amber Green" and "Lewis Green")."""
    out = probabilities.copy()
    if len(pairs) < 2:
        return out
    odds = probabilities / np.clip(1.0 - probabilities, 1e-9, None)
    strong = probabilities >= COMPETITOR_FLOOR
    competing = np.zeros(len(pairs), np.float64)
    wanted = np.nonzero(probabilities >= threshold)[0]
    for side, side_records, other in ((0, left, 1), (1, right, 0)):
        # For each pair to keep, the other pairs sharing its record on this side: their records on
        # the other side are its competitors unless they are one person with its own.
        key = pairs[:, other]
        order = np.argsort(key, kind="stable")
        order = order[strong[order]]
        sorted_key = key[order]
        rows: list[int] = []
        rivals: list[int] = []
        for row in wanted.tolist():
            lo, hi = np.searchsorted(sorted_key, key[row]), np.searchsorted(sorted_key, key[row], side="right")
            for rival in order[lo:hi].tolist():
                if rival != row:
                    rows.append(row)
                    rivals.append(rival)
        if not rows:
            continue
        mine, theirs = pairs[rows, side], pairs[rivals, side]
        between = np.stack([np.minimum(mine, theirs), np.maximum(mine, theirs)], axis=1)
        unique, inverse = np.unique(between, axis=0, return_inverse=True)
        _, levels, same = engine.score(model, side_records, side_records, unique, names)
        same = veto(levels, same, relatives)
        # A list that holds one person twice names them alike; two records with other names are
        # two people of that list even where the link model, trained across the lists, would
        # take a changed given name for an error (FEBRL's Amber and Lewis Green, one date).
        alike = (side_records.given[unique[:, 0]] == side_records.given[unique[:, 1]]) \
            & (side_records.family[unique[:, 0]] == side_records.family[unique[:, 1]])
        distinct = ((same < DEFAULT_THRESHOLD) | ~alike)[inverse.ravel()]
        np.add.at(competing, np.asarray(rows)[distinct], odds[np.asarray(rivals)[distinct]])
    out[wanted] = odds[wanted] / (1.0 + odds[wanted] + competing[wanted])
    return out


class ArchiveMatcher:
    """An archive indexed for matching, to which new records are compared incrementally.

    Archive ids are kept as given (``"v:45"``), so links stay stable as the archive grows.
    """

    def __init__(self, archive: Iterable[MatchRecord], confirmed: Iterable[Mapping[str, str]] = ()) -> None:
        self.vocab = engine.Vocabulary()
        self.records: list[MatchRecord] = list(archive)
        #: Level labels of pairs documenters confirmed as one person (see :func:`dedupe_records`).
        self.confirmed = _confirmed(confirmed)
        self._rebuild()

    def _rebuild(self) -> None:
        with _bulk():
            self._index()

    def _index(self) -> None:
        self.prepared = engine.prepare(self.records, self.vocab)
        engine.place_lone_parts([self.prepared])
        self.index = engine.BlockIndex(self.prepared)
        self.names = engine.NameScorer(self.vocab.words, self.vocab.forms)
        self.names.count_parts(self.prepared)
        rng = np.random.default_rng(_SEED)
        self.u = engine.estimate_u(self.prepared, self.names, rng)
        self.frequencies = engine.term_frequencies(self.prepared)

    def add(self, records: Iterable[MatchRecord]) -> None:
        """Add records to the archive (after a documenter archived them)."""
        self.records.extend(records)
        self._rebuild()

    def match(self, records: Sequence[MatchRecord], threshold: float | None = None, top_k: int | None = 5,
              exclusive: bool = False) -> list[MatchPair]:
        """For each new record, the archived records it may be (best first, at most ``top_k``
        each), with ``left_id`` the new record and ``right_id`` the archived one. With
        ``exclusive``, a record is one person on each side, and a pair's rivals (other
        candidates of either record that are other people) lower its probability
        (:func:`_compete`): for linking two lists, not for new reports against an archive, where
        several reports of one person are each linked to the victim."""
        threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        if not records or not self.records:
            return []
        with _bulk():
            return self._match(records, threshold, top_k, exclusive)

    def _match(self, records: Sequence[MatchRecord], threshold: float, top_k: int | None, exclusive: bool = False) -> list[MatchPair]:
        new = engine.prepare(records, self.vocab)
        engine.place_lone_parts([new], [self.prepared])
        self.names.words, self.names.forms = self.vocab.words, self.vocab.forms
        self.names.count_parts(self.prepared, new)
        relatives = engine.holds_relatives(new, self.prepared, self.names, self.index)
        pairs = engine.block_link(new, self.prepared, self.index, self.names if relatives else None)
        if len(pairs) == 0:
            return []
        floor = min(threshold, COMPETITOR_FLOOR) if exclusive else threshold
        pairs, levels, probabilities, model = _score(new, self.prepared, pairs, self.names, self.u, self.frequencies, False,
                                                     relatives, self.confirmed, floor)
        if exclusive:
            probabilities = _compete(new, self.prepared, pairs, probabilities, model, self.names, relatives, threshold)
        out = _pairs_out(new, self.prepared, pairs, levels, probabilities, threshold)
        if top_k is None:
            return out
        out.sort(key=lambda p: (p.left_id, -p.probability))
        kept: list[MatchPair] = []
        counts: dict[str, int] = {}
        for pair in out:
            if counts.get(pair.left_id, 0) < top_k:
                kept.append(pair)
                counts[pair.left_id] = counts.get(pair.left_id, 0) + 1
        return kept


def cluster_pairs(pairs: Iterable[MatchPair], threshold: float | None = None,
                  cannot_link: Iterable[tuple[str, str]] = ()) -> list[set[str]]:
    """Groups of ids that are one person: pairs are joined strongest first, and two groups are
    not joined when that would put together two records known to be different people
    (``cannot_link``, or a pair given with a probability below the threshold), and not unless
    at least half of the pairs across the two groups match directly (no chaining of A~B~C into
    one person on the strength of B alone)."""
    threshold = CLUSTER_THRESHOLD if threshold is None else threshold
    pairs = list(pairs)
    strong = sorted((p for p in pairs if p.probability >= threshold), key=lambda p: -p.probability)
    direct = {frozenset((p.left_id, p.right_id)) for p in strong}
    # Pairs compared and found unlike are as good as known-different when joining groups.
    forbidden = {frozenset(pair) for pair in cannot_link} | {frozenset((p.left_id, p.right_id)) for p in pairs
                                                             if p.probability < threshold}
    members: dict[str, set[str]] = {}
    for pair in strong:
        a = members.get(pair.left_id, {pair.left_id})
        b = members.get(pair.right_id, {pair.right_id})
        if a is b:
            continue
        if any(frozenset((x, y)) in forbidden for x in a for y in b):
            continue
        # At least half of the pairs across the two groups must match directly: a chain
        # of one-step resemblances (A~B, B~C) does not make A and C one person.
        if len(a) + len(b) > 2:
            linked = sum(1 for x in a for y in b if frozenset((x, y)) in direct)
            if linked * 2 < len(a) * len(b):
                continue
        merged = a | b
        for item in merged:
            members[item] = merged
    seen: list[set[str]] = []
    ids: set[int] = set()
    for group in members.values():
        if id(group) not in ids and len(group) > 1:
            ids.add(id(group))
            seen.append(set(group))
    return seen
