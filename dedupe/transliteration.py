"""Learning the model of how Arabic names are written in Latin letters: for each Arabic letter,
the probability of each Latin rendering (one or two letters, or none), and of Latin vowels written
where Arabic writes none. It is a stochastic transducer in the manner of Ristad and Yianilos
("Learning string edit distance", 1998), learnt by EM over aligned pairs, not a table written by
hand: the pairs are the Arabic and Latin names GeoNames gives for the same Syrian places
(tawthiq/lang/data/gazetteer.json, shipped with tawthiq), which are spelt by many hands in many
conventions (English, French, Turkish), as victims' names are, and the name pairs of the Airwars
dev part.

``scripts/build_transliteration.py`` learns it and writes tawthiq/lang/transliteration_table.py
(a few kilobytes of probabilities, committed). Reading a pair with it (:func:`plausibility`: how
much likelier the Latin spelling is as a rendering of the Arabic word than as any Latin word of
its letters, per letter) lives in :mod:`tawthiq.lang.transliteration`, because name keys read it
too, and is re-exported here.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from tawthiq.lang import transliteration as _reading
from tawthiq.lang.transliteration import MAX_CHUNK, Transducer, arabic_letters, latin_letters, model, plausibility

__all__ = ["MAX_CHUNK", "LearningTransducer", "Transducer", "arabic_letters", "latin_letters", "learn", "model",
           "plausibility", "training_pairs", "write_table"]

_LATIN_VOWELS = "aeiouy"


class LearningTransducer(Transducer):
    """A :class:`~tawthiq.lang.transliteration.Transducer` that also gives the expected counts
    of its renderings in a pair (the E step of :func:`learn`)."""

    def _backward(self, arabic: str, latin: str) -> list[list[float]]:
        n, m = len(arabic), len(latin)
        b = [[0.0] * (m + 1) for _ in range(n + 1)]
        b[n][m] = 1 - self.insert
        for i in range(n, -1, -1):
            emit = self.emit.get(arabic[i]) if i < n else None
            for j in range(m, -1, -1):
                total = b[i][j] if (i, j) == (n, m) else 0.0
                if j < m:
                    total += self.insert * self.inserted.get(latin[j], 0.0) * b[i][j + 1]
                if emit is not None:
                    for k in range(0, MAX_CHUNK + 1):
                        if j + k > m:
                            break
                        p = emit.get(latin[j:j + k])
                        if p:
                            total += (1 - self.insert) * p * b[i + 1][j + k]
                b[i][j] = total
        return b

    def expected_counts(self, arabic: str, latin: str, emit: dict[str, dict[str, float]], inserted: dict[str, float],
                        moves: list[float]) -> float:
        """Adds the expected counts of each rendering and insertion in one pair (weighted by its
        posterior) to ``emit``/``inserted``, and of insertions and non-insertions to ``moves``;
        returns the pair's likelihood."""
        f, b = self._forward(arabic, latin), self._backward(arabic, latin)
        total = f[len(arabic)][len(latin)] * (1 - self.insert)
        if total <= 0:
            return 0.0
        for i in range(len(arabic) + 1):
            table = self.emit.get(arabic[i]) if i < len(arabic) else None
            for j in range(len(latin) + 1):
                if not f[i][j]:
                    continue
                if j < len(latin):
                    p = f[i][j] * self.insert * self.inserted.get(latin[j], 0.0) * b[i][j + 1] / total
                    if p:
                        inserted[latin[j]] += p
                        moves[0] += p
                if table is None:
                    continue
                for k in range(0, MAX_CHUNK + 1):
                    if j + k > len(latin):
                        break
                    chunk = latin[j:j + k]
                    q = table.get(chunk)
                    if q:
                        p = f[i][j] * (1 - self.insert) * q * b[i + 1][j + k] / total
                        emit[arabic[i]][chunk] += p
                        moves[1] += p
        return total


def learn(pairs: Sequence[tuple[str, str]], iterations: int = 12, keep: float = 0.8) -> LearningTransducer:
    """EM over (Arabic, Latin) pairs of one name. Starts from uniform renderings and, after two
    rounds, keeps each round only the ``keep`` share of pairs the model finds likeliest per
    letter: a place's other names (a Kurdish or Turkish name beside the Arabic one) are not
    renderings of it."""
    letters = sorted({ch for arabic, _ in pairs for ch in arabic})
    chunks = sorted({latin[j:j + k] for _, latin in pairs for j in range(len(latin)) for k in range(1, MAX_CHUNK + 1)
                     if j + k <= len(latin)} | {""})
    uniform = 1.0 / len(chunks)
    model = LearningTransducer({ch: dict.fromkeys(chunks, uniform) for ch in letters},
                       {ch: 1 / len(_LATIN_VOWELS) for ch in _LATIN_VOWELS}, 0.3)
    chosen = list(pairs)
    for round_ in range(iterations):
        emit: dict[str, dict[str, float]] = {ch: defaultdict(float) for ch in letters}
        inserted: dict[str, float] = defaultdict(float)
        moves = [0.0, 0.0]
        for arabic, latin in chosen:
            model.expected_counts(arabic, latin, emit, inserted, moves)
        # Tiny renderings are dropped: they are alignments of chance, and the model stays small.
        new_emit = {}
        for ch, counts in emit.items():
            total = sum(counts.values())
            if total > 0:
                kept = {chunk: count / total for chunk, count in counts.items() if count / total >= 0.002}
                norm = sum(kept.values())
                new_emit[ch] = {chunk: p / norm for chunk, p in kept.items()}
        total_ins = sum(inserted.values()) or 1.0
        model = LearningTransducer(new_emit, {ch: count / total_ins for ch, count in inserted.items()},
                           moves[0] / max(sum(moves), 1e-9))
        if round_ >= 1:
            scored = sorted(pairs, key=lambda pair: -_per_letter(model, *pair))
            chosen = scored[:int(len(scored) * keep)]
    return model


def _per_letter(model: Transducer, arabic: str, latin: str) -> float:
    p = model.likelihood(arabic, latin)
    return math.log(p) / max(len(latin), 1) if p > 0 else -99.0


def training_pairs(localities: Iterable[dict]) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    """(Arabic, Latin) pairs of the gazetteer: every Arabic name of a place with every Latin name
    of it written by a person (capitalised; GeoNames' letter-by-letter romanisations, all
    lower-case, are left out: they would teach the model to drop vowels)."""
    out = []
    for place in localities:
        arabic = {arabic_letters(n) for n in place["names"] if re.search(r"[\u0600-\u06FF]", n)}
        latin = {latin_letters(n) for n in place["names"] if re.fullmatch(r"[A-Z][A-Za-z' -]+", n)}
        out += [(a, b) for a in arabic for b in latin if 2 <= len(a) <= 14 and 2 <= len(b) <= 20]
    return sorted(set(out))


def write_table(learnt: Transducer, sources: str) -> Path:
    """Write ``learnt`` as tawthiq/lang/transliteration_table.py (scripts/build_transliteration.py)."""
    import pprint

    emit = {ch: {chunk: round(p, 5) for chunk, p in sorted(table.items(), key=lambda item: -item[1]) if p >= 0.002}
            for ch, table in sorted(learnt.emit.items())}
    inserted = {ch: round(p, 5) for ch, p in sorted(learnt.inserted.items(), key=lambda item: -item[1]) if p >= 0.001}
    out = Path(_reading.__file__).resolve().parent / "transliteration_table.py"
    out.write_text(
        '"""Learnt by ``scripts/build_transliteration.py`` from the Arabic and Latin spellings of\n'
        f'{sources}.\nDo not edit: re-run it. Probabilities of character alignments only: EMIT: Arabic letter ->\n'
        'Latin rendering -> probability; INSERTED: Latin letters written where Arabic writes none;\n'
        'INSERT: how often one is."""\n\n'
        f"EMIT: dict[str, dict[str, float]] = {pprint.pformat(emit, width=120, sort_dicts=False)}\n"
        f"INSERTED: dict[str, float] = {pprint.pformat(inserted, width=120, sort_dicts=False)}\n"
        f"INSERT: float = {round(learnt.insert, 5)}\n", encoding="utf-8")
    return out
