"""Reading a name pair with the learnt model of how Arabic names are written in Latin letters.

The model is a stochastic transducer in the manner of Ristad and Yianilos ("Learning string
edit distance", 1998): for each Arabic letter, the probability of each Latin rendering (one or
two letters, or none), and of Latin vowels written where Arabic writes none. Its probabilities
(:mod:`tawthiq.lang.transliteration_table`) are learnt by EM (:mod:`tawthiq.dedupe.transliteration`,
``scripts/build_transliteration.py``) from the Arabic and Latin names GeoNames gives for the same
Syrian places and from the name pairs of the Airwars dev part.

The reading half lives here, in tawthiq/lang, because name keys use it
(:func:`tawthiq.lang.names.latin_skeleton` reads an ambiguous Latin spelling with it), and
tawthiq/lang imports neither the matcher nor the extractors; the learning half stays in the
matcher, which re-exports this module's names.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from functools import lru_cache

from .arabic import fold_arabic
from .latin import fold_latin

#: Latin renderings of one Arabic letter are at most this long ("sh", "kh", "ou").
MAX_CHUNK = 2


def arabic_letters(word: str) -> str:
    """An Arabic word as the model reads it: folded (no diacritics, one alef, ة as ه), without
    spaces or the article at its start."""
    text = re.sub(r"[^\u0621-\u064A]", "", fold_arabic(word))
    return text[2:] if text.startswith("ال") and len(text) > 4 else text


def latin_letters(word: str) -> str:
    """A Latin word as the model reads it: folded lower-case letters, without spaces or a leading
    article."""
    text = fold_latin(word)
    text = re.sub(r"^(?:al|el|as|ash|ad|ar|at|az|an)[ -]", "", text)
    return re.sub(r"[^a-z]", "", text)


class Transducer:
    """P(Latin | Arabic): at each Arabic letter, Latin letters are first inserted (each with
    probability ``insert`` times its share among insertions), then the letter is rendered by a
    chunk of zero to :data:`MAX_CHUNK` Latin letters."""

    def __init__(self, emit: dict[str, dict[str, float]], inserted: dict[str, float], insert: float) -> None:
        self.emit = emit
        self.inserted = inserted
        self.insert = insert

    def likelihood(self, arabic: str, latin: str) -> float:
        """P(latin | arabic), summed over every alignment (the forward algorithm)."""
        forward = self._forward(arabic, latin)
        return forward[len(arabic)][len(latin)] * (1 - self.insert)

    def _forward(self, arabic: str, latin: str) -> list[list[float]]:
        n, m = len(arabic), len(latin)
        f = [[0.0] * (m + 1) for _ in range(n + 1)]
        f[0][0] = 1.0
        for i in range(n + 1):
            emit = self.emit.get(arabic[i]) if i < n else None
            row = f[i]
            for j in range(m + 1):
                if j and row[j - 1]:
                    row[j] += row[j - 1] * self.insert * self.inserted.get(latin[j - 1], 0.0)
                if emit is None or not row[j]:
                    continue
                stay = row[j] * (1 - self.insert)
                for k in range(0, MAX_CHUNK + 1):
                    if j + k > m:
                        break
                    p = emit.get(latin[j:j + k])
                    if p:
                        f[i + 1][j + k] += stay * p
        return f


@lru_cache(maxsize=1)
def model() -> Transducer:
    """The learnt model (:mod:`tawthiq.lang.transliteration_table`)."""
    from .transliteration_table import EMIT, INSERT, INSERTED

    return Transducer(EMIT, INSERTED, INSERT)


@lru_cache(maxsize=1)
def _latin_background() -> dict[str, float]:
    """Letter shares of Latin renderings, for the likelihood of a Latin word on its own."""
    shares: dict[str, float] = defaultdict(float)
    for table in model().emit.values():
        for chunk, p in table.items():
            for ch in chunk:
                shares[ch] += p
    for ch, p in model().inserted.items():
        shares[ch] += p
    total = sum(shares.values())
    return {ch: p / total for ch, p in shares.items()}


@lru_cache(maxsize=200_000)
def plausibility(arabic_word: str, latin_word: str, as_written: bool = False) -> float:
    """log2 of how much likelier ``latin_word`` is as a rendering of ``arabic_word`` than as a
    string of Latin letters drawn at random, per Latin letter: above 0 the Latin spelling reads
    as that Arabic word; about 1 for a usual spelling; below 0 it reads as another word. With
    ``as_written``, both are read letter for letter, an Arabic word's leading ال too (name parts
    as :func:`~tawthiq.lang.names.name_parts` writes them: the given name الهام, Ilham, keeps it)."""
    if as_written:
        arabic, latin = re.sub(r"[^\u0621-\u064A]", "", arabic_word), re.sub(r"[^a-z]", "", latin_word)
    else:
        arabic, latin = arabic_letters(arabic_word), latin_letters(latin_word)
    if not arabic or not latin:
        return 0.0
    p = model().likelihood(arabic, latin)
    if p <= 0:
        return -10.0
    background = _latin_background()
    q = sum(math.log2(background.get(ch, 1e-4)) for ch in latin)
    return (math.log2(p) - q) / len(latin)
