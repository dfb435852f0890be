"""Latin script: folding, titles, name links, articles and ``Abd al-`` compounds, for names and
places written in any Latin transliteration of Arabic.

Two foldings, for two jobs: :func:`fold_latin` gives the key of a name or a place (ASCII
letters and digits only, every other character a space); :func:`fold_text` keeps punctuation,
so that running text folded with it can still be searched for a folded place name followed by
a comma or a full stop.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

_NON_ASCII = re.compile(r"[^\x00-\x7F]")
_MARKS = re.compile(r"['`\u2018\u2019\u02bf\u02be\u02bc\u00b4ʿʾ]")
_NOT_LATIN = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=200_000)
def fold_latin(text: str) -> str:
    """Lower-case Latin without accents, ‘ayn/hamza marks or punctuation; hyphens become spaces."""
    # Word by word, each cached: a list of a million names has a few thousand distinct words.
    return " ".join(folded for folded in map(_fold_latin_word, text.split()) if folded)


@lru_cache(maxsize=200_000)
def _fold_latin_word(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    if _NON_ASCII.search(text):
        text = anyascii(text)
    text = _MARKS.sub("", text.lower())
    text = _NOT_LATIN.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def fold_text(text: str) -> str:
    """Lower-case, without accents, ‘ayn/hamza marks or dashes, spaces squeezed; other
    punctuation kept."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _MARKS.sub("", text.lower())
    text = re.sub(r"[\-_]", " ", text)
    return _SPACES.sub(" ", text).strip()


#: Words written before a name that are not part of it, folded. "the" is there for "the
#: child X"; matching drops them only at the head of a name, where titles stand ("al-Sheikh"
#: and "Hajj" at the end are family names).
TITLE_WORDS = frozenset({"dr", "doctor", "mr", "mrs", "ms", "sheikh", "shaikh", "haj", "hajj", "hajji", "haja", "hajja",
                         "hajjah", "eng", "martyr", "child", "the"})
#: "son of", "daughter of" between two names.
LINKS = frozenset({"bin", "ibn", "bint", "ben"})
#: The Arabic article as transliterations write it, assimilated or not (al-, el-, ash-, ad-, ...).
ARTICLE = re.compile(r"^(?:al|el|ul|il|a[tdrsnzl]|as|ash|ad|an|ar|at|az|adh|ath)$")
#: ``Abd`` as it is written at the head of a compound ("Abdulrahman", "Abdel Karim", "Abed").
ABD = re.compile(r"^(?:abd|abdu|abdul|abdel|abdal|abdil|abdol|abed|abdoul|abdel|abdal|adb|adbul|adbel)(.*)$")
#: What follows ``Abd`` in names of their own: Abdo, Abdi, Abdan (عبدو، عبدي، عبدان).
ABD_STANDALONE = frozenset({"o", "i", "ou", "an", "een", "in", "oun"})
#: "Nour al-Din", "Nureddin", "نور الدين": one name however it is split or joined.
DIN_WORDS = frozenset({"din", "deen", "dine", "eddin", "iddin", "uddin", "addin"})


def strip_article(key: str) -> str:
    """A folded name without its leading article word ("al rastan" is "rastan")."""
    head, _, rest = key.partition(" ")
    return rest if rest and ARTICLE.match(head) else key
