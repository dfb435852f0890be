"""A statistical sequence tagger for victims' names, learnt from what documenters decided.

The rules of :mod:`.news` read the sentence shapes someone wrote down; a text in a shape nobody
wrote down loses its victims. Every decision a documenter takes is a label the rules never
use: a candidate accepted (as a new victim or the same as an archived one) is a name of a
killed person in its item's text, a candidate rejected as "not a victim" is a name that is
not, and a victim a documenter selects in an incident's text is a name the rules missed. This
module turns such labels into a conditional random field (CRFsuite, through python-crfsuite:
no downloaded weights, a model of a few hundred kilobytes trained in seconds) that reads a
text word by word and labels each word ``B`` (begins a victim's name), ``I`` (inside one) or
``O``.

What the tagger sees of a word (:func:`features`) is what a documenter sees: its letters
folded in its own script (:mod:`tawthiq.lang`), its shape, its prefixes and suffixes
(Arabic clitics و ب ل and the article ال among them), whether it is a given name, a title or
an article, and whether a death, injury, title or kinship cue of :mod:`.cues` stands near it.
Whether the rules found a name there is a feature only of a model trained with
``rule_feature`` (:func:`train` says why that is off by default): a model that does not know
the rules' verdict has to learn the contexts of names itself, and so finds names in shapes the
rules do not read.

The three doors: :func:`train` (labelled examples in, a model file out), :class:`Tagger`
(a model file in, names with a confidence out) and :func:`add_tagged` (the rules' result
plus the tagger's names: a name only the tagger found becomes a record flagged
``found_by: tagger``, so the documenter sees that no rule vouches for it). Pure functions
and files; where the model lives and when it is used is the command's business.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tawthiq.lang import arabic, latin

from .cues import cue
from .names import clean_name
from .record import VictimRecord

if TYPE_CHECKING:
    from . import ExtractResult

#: Version of the feature set: a model trained with other features is refused, not misread.
FEATURES_VERSION = "1"
#: A name the tagger alone found is a candidate only at or above this probability.
DEFAULT_THRESHOLD = 0.5
#: The model's description beside it (``MODEL.json``): what it was trained on, when, how.
META_SUFFIX = ".json"

_WORD = re.compile(r"(?:[^\W\d_]|[\u0610-\u061A\u064B-\u065F\u0670])+(?:[-'’‘`](?:[^\W\d_]|[\u064B-\u065F])+)*|\d+|[^\w\s]")
_AR_LETTER = re.compile(r"[\u0621-\u064A]")
_AR_CLITICS = ("وال", "بال", "لل", "فال", "و", "ب", "ل", "ف")
_CUES = {"death": ("en.death", "ar.death"), "hurt": ("en.not_death", "ar.hurt", "ar.not_death"),
         "title": ("ar.title",), "kin": ("en.relative", "ar.kin")}
#: How far (characters) a cue reaches: a death verb a clause away still governs the name.
_NEAR = 80


@dataclass(frozen=True)
class Token:
    """A word or a punctuation mark of a text, with its offsets."""

    text: str
    start: int
    end: int


@dataclass
class Example:
    """One labelled text: ``names`` are people it says were killed, as written in it;
    ``negatives`` are people a documenter said were not victims (injured, combatants, not a
    death), who stay ``O`` like every other word. ``source`` says where the label came from."""

    text: str
    names: list[str]
    negatives: list[str] = field(default_factory=list)
    language: str | None = None
    source: str = ""


@dataclass(frozen=True)
class Tagged:
    """A name the tagger found: where, and how sure it is (the least marginal probability of
    its words' labels)."""

    name: str
    start: int
    end: int
    confidence: float


def tokenize(text: str) -> list[Token]:
    """The words and punctuation marks of ``text`` in either script. A Latin name keeps its
    hyphens and apostrophes ("al-Masri", "Ma’touq"); Arabic diacritics stay in their word."""
    return [Token(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]


def _is_arabic(word: str) -> bool:
    return bool(_AR_LETTER.search(word))


def _fold(word: str) -> str:
    return arabic.fold_arabic(word) if _is_arabic(word) else latin.fold_latin(word).replace(" ", "-")


def _without_clitic(folded: str) -> str:
    """An Arabic word without a leading و/ب/ل/ف (and the article after it), when what is left
    is still a word of three letters: "وعمران" → "عمران", "بالقصف" → "قصف"."""
    for clitic in _AR_CLITICS:
        if folded.startswith(clitic) and len(folded) - len(clitic) >= 3:
            return folded[len(clitic):]
    return folded


def _is_given(word: str) -> bool:
    if _is_arabic(word):
        folded = arabic.fold_arabic(word)
        return arabic.is_given_name(folded) or (folded.startswith("و") and arabic.is_given_name(folded[1:]))
    if not word[:1].isupper():
        return False
    from tawthiq.lang.names import common_skeletons, name_parts

    skeletons = name_parts(word).skeletons
    return bool(skeletons) and skeletons[0] in common_skeletons()


def _shape(word: str) -> str:
    if _is_arabic(word):
        return "ar"
    if word.isdigit():
        return "d"
    if not word[0].isalnum():
        return "p"
    if word.isupper() and len(word) > 1:
        return "XX"
    return "Xx" if word[0].isupper() else "x"


def _cue_marks(text: str) -> dict[str, tuple[list[int], list[int], bytearray]]:
    """For each kind of cue, the sorted starts and ends of its matches in ``text`` and which
    characters they cover: looked up by bisection, so a long report costs no more per word."""
    marks = {}
    for kind, ids in _CUES.items():
        spans = [m.span() for cue_id in ids for m in cue(cue_id).finditer(text)]
        inside = bytearray(len(text) + 1)
        for start, end in spans:
            inside[start:end] = b"\x01" * (end - start)
        marks[kind] = (sorted(s for s, _ in spans), sorted(e for _, e in spans), inside)
    return marks


def _any_between(positions: list[int], low: int, high: int) -> bool:
    i = bisect.bisect_left(positions, low)
    return i < len(positions) and positions[i] <= high


def _word_features(token: Token) -> dict[str, Any]:
    word = token.text
    folded = _fold(word)
    bare = _without_clitic(folded) if _is_arabic(word) else folded
    f: dict[str, Any] = {
        "w": folded, "bare": bare, "shape": _shape(word), "given": _is_given(word),
        "p2": bare[:2], "p3": bare[:3], "s2": bare[-2:], "s3": bare[-3:],
        "title": folded in arabic.TITLE_WORDS or folded in latin.TITLE_WORDS or _without_clitic(folded) in arabic.TITLE_WORDS,
        "article": folded.startswith("ال") or bool(re.match(r"(?:al|el)-", folded)) or bool(latin.ARTICLE.match(folded)),
        "link": folded in arabic.LINKS or folded in latin.LINKS,
        "abd": folded.startswith("عبد") or folded.startswith("abd"),
    }
    if _is_arabic(word):
        f["clitic"] = next((c for c in _AR_CLITICS if folded.startswith(c) and len(folded) - len(c) >= 3), "")
    return f


def features(text: str, tokens: Sequence[Token], rule_spans: Iterable[tuple[int, int]] = ()) -> list[dict[str, Any]]:
    """The features of each token: its own (:func:`_word_features`), its neighbours' two
    words either side, the cues near it (death, hurt, title, kinship: before or after it,
    within a clause), the sentence punctuation around it, and whether the rules found a name
    covering it (``rule=B`` at a name's first word, ``rule=I`` inside)."""
    own = [_word_features(t) for t in tokens]
    marks = _cue_marks(text)
    spans = sorted(rule_spans)
    rows: list[dict[str, Any]] = []
    for i, token in enumerate(tokens):
        row: dict[str, Any] = {"bias": 1.0}
        row.update(own[i])
        for offset in (-2, -1, 1, 2):
            j = i + offset
            if 0 <= j < len(tokens):
                other = own[j]
                for key in ("w", "bare", "shape", "given", "title", "article") if abs(offset) == 1 else ("bare", "shape", "given", "title"):
                    row[f"{offset}:{key}"] = other[key]
            else:
                row[f"{offset}:edge"] = True
        for kind, (starts, ends, inside) in marks.items():
            row[f"{kind}_before"] = _any_between(ends, token.start - _NEAR, token.start)
            row[f"{kind}_after"] = _any_between(starts, token.end, token.end + _NEAR)
            row[f"{kind}_on"] = bool(inside[token.start])
        covering = next((s for s, e in spans if s < token.end and token.start < e), None)
        if covering is not None:
            row["rule"] = "B" if covering >= token.start else "I"
        rows.append(row)
    return rows


def _crf_items(rows: list[dict[str, Any]]) -> list[dict[str, float | str]]:
    """pycrfsuite's item form: strings stay attributes with a value (``w=خالد``), booleans
    are present (1.0) or absent, numbers are weights."""
    items: list[dict[str, float | str]] = []
    for row in rows:
        item: dict[str, float | str] = {}
        for key, value in row.items():
            if value is True:
                item[key] = 1.0
            elif value is False or value == "" or value is None:
                continue
            elif isinstance(value, (int, float)):
                item[key] = float(value)
            else:
                item[f"{key}={value}"] = 1.0
        items.append(item)
    return items


def locate(text: str, name: str) -> list[tuple[int, int]]:
    """Where ``name`` is written in ``text``: every exact occurrence, else every run of words
    that folds to the same words (hamza, taa marbuta, diacritics, "al Nayef"/"al-Nayef"), else
    every occurrence after a clitic و glued to it ("وعمران سليمان")."""
    name = " ".join(name.split())
    if not name:
        return []
    exact = [(m.start(), m.end()) for m in re.finditer(rf"(?<![\w\u0621-\u064A]){re.escape(name)}(?![\w\u0621-\u064A])", text)]
    if exact:
        return exact
    tokens = [t for t in tokenize(text) if t.text[0].isalnum() or _is_arabic(t.text)]
    wanted = [_fold(w) for w in (t.text for t in tokenize(name)) if w[0].isalnum() or _is_arabic(w)]
    wanted = [w for part in wanted for w in part.split("-") if w]
    if not wanted:
        return []
    words: list[tuple[str, Token]] = []
    for token in tokens:
        parts = [p for p in _fold(token.text).split("-") if p]
        words.extend((p, token) for p in parts)
    found: list[tuple[int, int]] = []
    n = len(wanted)
    for i in range(len(words) - n + 1):
        got = [w for w, _ in words[i:i + n]]
        first = got[0]
        if got[1:] == wanted[1:] and (first == wanted[0] or (first.startswith("و") and first[1:] == wanted[0])):
            start, end = words[i][1].start, words[i + n - 1][1].end
            if first != wanted[0]:
                start += 1
            if (start, end) not in found:
                found.append((start, end))
    if found or len(wanted) < 2:
        return found
    # The same given and family name with other names (or none) between them: "محمد العلي"
    # for "محمد أحمد العلي", the way a matcher would call them one person.
    given, family = _bare(wanted[0]), _bare(wanted[-1])
    plain = [(_bare(w), t) for w, t in words]
    for i, (word, token) in enumerate(plain):
        if word != given:
            continue
        for j in range(i + 1, min(i + 6, len(plain))):
            if plain[j][0] == family:
                found.append((token.start, plain[j][1].end))
                break
    return found


def _bare(folded: str) -> str:
    """A folded name word without its article, for comparing family names ("الحمود", "حمود")."""
    if folded.startswith("ال") and len(folded) > 4:
        return folded[2:]
    return latin.strip_article(folded.replace("-", " ")).replace(" ", "-")


def labels(tokens: Sequence[Token], spans: Iterable[tuple[int, int]]) -> list[str]:
    """BIO labels of ``tokens`` for the name ``spans``: ``B`` for the token a span starts in
    (a و glued before the name included), ``I`` for the rest of its tokens, ``O`` elsewhere."""
    out = ["O"] * len(tokens)
    for start, end in sorted(spans):
        inside = [i for i, t in enumerate(tokens) if t.end > start and t.start < end]
        if not inside:
            continue
        if any(out[i] != "O" for i in inside):
            continue  # overlapping labels: keep the first
        out[inside[0]] = "B"
        for i in inside[1:]:
            out[i] = "I"
    return out


def _names_of(records: Iterable[VictimRecord]) -> list[str]:
    """The names the rules found, as the text writes them (the Arabic name first, then the
    Latin rendering of an Arabic one too)."""
    records = list(records)
    return [r.name_ar or r.full_name or "" for r in records] + [r.full_name or "" for r in records if r.name_ar]


def _rule_spans(text: str, language: str | None, rule_names: Iterable[str] | None) -> list[tuple[int, int]]:
    if rule_names is None:
        from .news import extract_text

        rule_names = _names_of(extract_text(text, language=language))
    spans: list[tuple[int, int]] = []
    for name in rule_names:
        if name:
            spans.extend(locate(text, name))
    return spans


@dataclass
class TrainSummary:
    """What a training run used: texts, names located in them and names that could not be
    (a name corrected to a spelling the text does not have teaches nothing)."""

    path: Path
    texts: int
    names: int
    unlocated: int
    negatives: int
    by_language: dict[str, int]


def train(examples: Iterable[Example], path: Path, *, c1: float = 0.05, c2: float = 0.05, iterations: int = 150,
          threshold: float = DEFAULT_THRESHOLD, note: str = "", rule_feature: bool = False) -> TrainSummary:
    """Train a model on ``examples`` and write it to ``path`` (and its description beside it,
    ``path`` + ``.json``). Raises ``ValueError`` when no example has a located name: a model
    that has seen no name would only ever say ``O``.

    With ``rule_feature`` the rules are run on each text and whether they found a name at a
    word is one of its features (as :class:`Tagger` then does too). It is off by default: the
    texts a model learns from are the texts the rules were written on (the benchmark's dev
    part) or the candidates the rules proposed (documenters' decisions), where the rules are
    nearly always right, so a model given their verdict learns to copy it and, on a text it
    has not seen, misses what the rules miss. Without it the model has to learn the names'
    context itself, and finds names no rule does (README, "The name tagger")."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    texts = names = unlocated = negatives = 0
    by_language: dict[str, int] = {}
    for example in examples:
        spans: list[tuple[int, int]] = []
        for name in example.names:
            where = locate(example.text, name)
            names += bool(where)
            unlocated += not where
            spans.extend(where)
        negatives += len(example.negatives)
        tokens = tokenize(example.text)
        if not tokens:
            continue
        language = example.language or ("ar" if _is_arabic(example.text) else "en")
        rows = features(example.text, tokens, _rule_spans(example.text, language, None) if rule_feature else ())
        trainer.append(_crf_items(rows), labels(tokens, spans))
        texts += 1
        by_language[language] = by_language.get(language, 0) + 1
    if not names:
        raise ValueError("no labelled name was found in any example's text: nothing to learn from")
    trainer.set_params({"c1": c1, "c2": c2, "max_iterations": iterations, "feature.possible_transitions": True})
    path.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(path))
    meta = {"features_version": FEATURES_VERSION, "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "texts": texts, "names": names, "unlocated": unlocated, "negatives": negatives, "by_language": by_language,
            "threshold": threshold, "c1": c1, "c2": c2, "iterations": iterations, "rule_feature": rule_feature, "note": note}
    meta_path(path).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return TrainSummary(path, texts, names, unlocated, negatives, by_language)


def meta_path(path: Path) -> Path:
    """Where the description of the model at ``path`` is kept."""
    return path.with_name(path.name + META_SUFFIX)


def read_meta(path: Path) -> dict[str, Any] | None:
    """The description of the model at ``path``, or None when there is no model there."""
    if not path.exists() or not meta_path(path).exists():
        return None
    return dict(json.loads(meta_path(path).read_text(encoding="utf-8")))


class Tagger:
    """A trained model, opened once and used for many texts."""

    def __init__(self, path: Path, threshold: float | None = None) -> None:
        import pycrfsuite

        meta = read_meta(path)
        if meta is None:
            raise FileNotFoundError(f"no tagger model at {path} (train one with `tawthiq tagger train`)")
        if meta.get("features_version") != FEATURES_VERSION:
            raise ValueError(f"the tagger model at {path} was trained with features version {meta.get('features_version')}, "
                             f"this tawthiq reads {FEATURES_VERSION}: train it again")
        self.path = path
        self.meta = meta
        self.threshold = float(meta.get("threshold", DEFAULT_THRESHOLD) if threshold is None else threshold)
        # A model described without the key was trained, as all were before it existed, with the feature.
        self.rule_feature = bool(meta.get("rule_feature", True))
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(path))

    def tag(self, text: str, *, language: str | None = None, rule_names: Iterable[str] | None = None) -> list[Tagged]:
        """The victims' names in ``text``, each with its confidence, at any confidence (the
        caller applies :attr:`threshold`). ``rule_names`` are the names the rules found (run
        here when not given)."""
        tokens = tokenize(text)
        if not tokens:
            return []
        rows = features(text, tokens, _rule_spans(text, language, rule_names) if self.rule_feature else ())
        predicted = self._tagger.tag(_crf_items(rows))
        found: list[Tagged] = []
        i = 0
        while i < len(tokens):
            if predicted[i] != "B":
                i += 1
                continue
            j = i + 1
            while j < len(tokens) and predicted[j] == "I":
                j += 1
            confidence = min(self._tagger.marginal(predicted[k], k) for k in range(i, j))
            name = _name_from(text, tokens[i:j])
            if name:
                start = tokens[i].start + (1 if tokens[i].text != name.split()[0] and tokens[i].text.startswith("و") else 0)
                found.append(Tagged(name, start, tokens[j - 1].end, round(confidence, 3)))
            i = j
        return found


def _name_from(text: str, tokens: Sequence[Token]) -> str | None:
    """The name the tokens spell: without a و glued to its first word when the rest is a given
    name, without titles and punctuation; None for fewer than two words (a given name alone
    identifies nobody)."""
    raw = text[tokens[0].start:tokens[-1].end]
    first = tokens[0].text
    if _is_arabic(first) and first.startswith("و") and arabic.is_given_name(first[1:]):
        raw = raw[1:]
    name = clean_name(raw)
    return name if len(name.split()) >= 2 else None


def add_tagged(result: ExtractResult, tagger: Tagger, *, threshold: float | None = None, replace: bool = False) -> list[VictimRecord]:
    """The rules' records of ``result`` plus a record for each name the tagger found at or
    above the threshold that is none of theirs (given and family name compared folded, as the
    matcher does). A tagger record takes the item's date, place, perpetrator and cause (what
    :func:`.news.item_context` reads) and says it was found by the tagger, with its
    confidence, in ``extra`` and in the name's evidence. Returns the new records (also
    appended to ``result.records``). With ``replace`` the records become the tagger's alone
    (the rules still give the tagger their names as a feature): how the benchmark measures
    the tagger by itself."""
    from tawthiq.lang.names import name_parts, same_given_and_family

    from .news import item_context

    if not result.text:
        return []
    limit = tagger.threshold if threshold is None else threshold
    language = result.language or ("ar" if _is_arabic(result.text) else "en")
    rule_names = _names_of(result.records)
    known = [] if replace else [name_parts(n) for n in rule_names if n]
    context = None
    added: list[VictimRecord] = []
    for tagged in tagger.tag(result.text, language=language, rule_names=rule_names):
        parts = name_parts(tagged.name)
        if tagged.confidence < limit or not parts.forms or any(same_given_and_family(k, parts) for k in known):
            continue
        context = context or item_context(result.text, result.title, result.published, rule_names)
        added.append(_tagged_record(tagged, result.text, context))
        known.append(parts)
    if replace:
        result.records[:] = added
    else:
        result.records.extend(added)
    return added


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(mark, 0, start) for mark in (".", "\n", "؟", "!"))
    rights = [p for p in (text.find(mark, end) for mark in (".", "\n", "؟", "!")) if p != -1]
    right = min(rights) + 1 if rights else len(text)
    return text[left + 1:right].strip()


def _tagged_record(tagged: Tagged, text: str, context: Any) -> VictimRecord:
    sentence = _sentence_around(text, tagged.start, tagged.end)
    record = VictimRecord(evidence=sentence, perpetrator=(context.perpetrator or ("unknown",))[0],
                          cause=(context.cause or ("unknown",))[0], place_of_death=context.place,
                          date_of_death=context.date, confidence=round(0.6 * tagged.confidence, 3))
    if _is_arabic(tagged.name):
        record.name_ar = tagged.name
        record.full_name = arabic.transliterate_name(tagged.name)
        record.sex = arabic.sex_of_given_name(tagged.name.split()[0])
    else:
        record.full_name = tagged.name
    why = f"found by the statistical tagger (confidence {tagged.confidence:.2f}), not by a rule"
    record.field_evidence = {"full_name": why}
    if context.date:
        record.field_evidence["date_of_death"] = context.date_evidence or ""
    record.extra = {"found_by": "tagger", "tagger_confidence": tagged.confidence}
    return record
