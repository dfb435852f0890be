"""Name normalisation across Arabic script and Latin transliterations.

Two forms of every name are compared:

* the **skeleton**: a consonant key shared by both scripts. "مصطفى محمد عجاج",
  "Mustafa Muhammad Ajaj" and "Moustafa Mohamed Ajaj" all become ``mstf mhmd j``. Vowels,
  ‘ayn and hamza disappear (they are written inconsistently or not at all), letters that
  transliterations confuse are merged (ق/ك/q/k/c, ث/س/ص/th/s, ذ/ز/ظ/dh/z, ح/ه/h ...), doubled
  letters collapse, and ``w``/``y`` are kept only at the start of a word (elsewhere they are
  mostly long vowels written ``ou``, ``ee``, ``i``);
* the **Latin form**: lower-case, accents and apostrophes removed, articles and ``Abd al-``
  compounds joined the same way, used for finer similarity when both names are in Latin.

The folding, titles, links and articles of each script are :mod:`tawthiq.lang.arabic`'s and
:mod:`tawthiq.lang.latin`'s. Names are split into parts: given name, father's name, grandfather's name, family name
(the last part), with ``bin``/``ibn`` and titles removed and ``Abu X``/``Abd al-X`` kept as one
part.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from . import arabic, latin
from .arabic import fold_arabic, is_arabic
from .latin import fold_latin
from .transliteration import plausibility

_AR_SKELETON = {
    "ا": "", "ء": "", "ع": "", "ب": "b", "ت": "t", "ط": "t", "ث": "s", "س": "s", "ص": "s", "ج": "j",
    "ح": "h", "ه": "h", "خ": "k", "ق": "k", "ك": "k", "د": "d", "ض": "d", "ذ": "z", "ز": "z", "ظ": "z",
    "ر": "r", "ش": "x", "غ": "g", "ف": "f", "ل": "l", "م": "m", "ن": "n", "و": "w", "ي": "y",
}

#: Marks a name that begins with a vowel (Latin) or with alef or ‘ayn (Arabic): the two
#: scripts agree on it, and without it Anas and Nasser, Ayman and Munir, Osama and Samer
#: would share a skeleton or differ by a letter.
VOWEL_MARK = "a"


#: Latin letter pairs for one Arabic consonant, and letters transliterations confuse, as the
#: skeleton writes them ("gh" is غ, a plain "g" is ج as in Gamal).
_LATIN_DIGRAPHS = (("kh", "k"), ("sh", "x"), ("ch", "x"), ("th", "s"), ("dh", "z"), ("gh", "G"), ("ph", "f"), ("ck", "k"))
_LATIN_LETTERS = str.maketrans("gGqcvp", "jgkkfb")


#: Latin spellings one letter or pair can write in more than one way: "th" is ث (Haitham), ذ
#: (Munther) or two letters, ت and ه or ح (Fathi); "dh" is ذ (Mundhir), ض (Fadhel) or د and ه
#: (Adham); a final t after a vowel is ت (Rifat) or, in Turkish spellings, د (Ahmet, Murat).
#: Each reading is written as the skeleton writes it, in capitals so that no later rule rewrites
#: it; the first is the default rule's.
_AMBIGUOUS = re.compile(r"th|dh|(?<=[aeiou])t$")
_READINGS = {"th": ("S", "Z", "TH"), "dh": ("Z", "D", "DH"), "t": ("T", "D")}
#: A reading other than the default is taken only for a name of the lexicon whose Arabic spelling
#: the learnt transliteration model reads the Latin word as (log2 per letter, see
#: :func:`~tawthiq.lang.transliteration.plausibility`).
_READING_PLAUSIBLE = 0.0
_SKELETON_VOWELS = (("ou", "u"), ("ee", "i"), ("oo", "u"))


def _latin_letters(word: str, vowels: tuple[tuple[str, str], ...], reading: tuple[str, ...] | None = None) -> str:
    """A folded Latin word with its consonants as the skeleton writes them and its vowel
    digraphs replaced as ``vowels`` says; a final h after a vowel dropped (Fatimah, Fatima).
    ``reading`` gives, in order, how each ambiguous spelling (:data:`_AMBIGUOUS`) is read (one of
    its :data:`_READINGS`); without it, by the default rules."""
    w = re.sub(r"(?<=[aeiou])h$", "", word)
    if reading:
        chosen = iter(reading)
        w = _AMBIGUOUS.sub(lambda _: next(chosen), w)
    for src, dst in _LATIN_DIGRAPHS + vowels:
        w = w.replace(src, dst)
    return w.translate(_LATIN_LETTERS).lower()


def _skeleton_of_letters(w: str) -> str:
    first = w[:1]
    rest = w[1:]
    if first in "aeiou":
        first = VOWEL_MARK
    rest = re.sub(r"[aeiouwy]", "", rest)
    return re.sub(r"(.)\1+", r"\1", first + rest)


@lru_cache(maxsize=200_000)
def _latin_reading(word: str) -> tuple[str, ...] | None:
    """How the ambiguous spellings of a folded Latin word are read, when not by the default
    rules: the reading whose skeleton is that of a name of the lexicon
    (:mod:`tawthiq.lang.name_lexicon`, learnt from data) and whose Arabic spelling the learnt
    transliteration model finds the Latin word the likeliest rendering of: Ahmet reads as أحمد,
    and Munther, once the lexicon holds منذر, as منذر rather than as منصور (Mansour, "mnsr" by the
    default th = ث/س); Rifat, whose default reading is its name رفعت, keeps it. ``None``: the
    default rules. (The matcher also tries every reading against the Arabic name it compares:
    :func:`reading_plausibility`.)"""
    w = re.sub(r"(?<=[aeiou])h$", "", word)
    spots = _AMBIGUOUS.findall(w)
    if not spots or len(spots) > 3:
        return None
    index = _lexicon_skeletons()
    best: tuple[str, ...] | None = None
    best_score = _READING_PLAUSIBLE
    for reading in itertools.product(*(_READINGS[spot] for spot in spots)):
        forms = index.get(_skeleton_of_letters(_latin_letters(word, _SKELETON_VOWELS, reading)), ())
        if not forms:
            continue
        # The model reads th and dh as written (it knows them for each of their letters); a final
        # t read as د is given to it as d: its sources (place names, the dev names) spell د with
        # a t too rarely for it to know the Turkish spellings.
        as_read = _as_read(w, reading)
        for form in forms:
            score = plausibility(form, as_read, as_written=True)
            if score > best_score:
                best, best_score = reading, score
    if best is None or all(choice == _READINGS[spot][0] for choice, spot in zip(best, spots)):
        return None
    return best


def _as_read(word: str, reading: tuple[str, ...]) -> str:
    """``word`` with a final t that ``reading`` reads as د written d, its th and dh as written."""
    choices = iter(reading)

    def one(match: re.Match[str]) -> str:
        choice = next(choices)
        return "d" if match.group() == "t" and choice == "D" else match.group()

    return _AMBIGUOUS.sub(one, word)


@lru_cache(maxsize=200_000)
def _latin_skeleton(word: str) -> str:
    return _skeleton_of_letters(_latin_letters(word, _SKELETON_VOWELS, _latin_reading(word)))


def is_ambiguous_latin(word: str) -> bool:
    """Whether a folded Latin word has a spelling that can be read more than one way
    (:data:`_AMBIGUOUS`: th, dh, a final t after a vowel)."""
    return word.isascii() and _AMBIGUOUS.search(re.sub(r"(?<=[aeiou])h$", "", word)) is not None


@lru_cache(maxsize=200_000)
def reading_plausibility(latin_word: str, arabic_word: str) -> float | None:
    """How plausibly (:func:`~tawthiq.lang.transliteration.plausibility`) a folded Latin word
    writes a folded Arabic one when some reading of its ambiguous spellings gives the Arabic
    word's skeleton (Adham and ادهم, th read as د+ه), whatever the key chose without the Arabic
    word at hand; ``None`` when no reading does."""
    w = re.sub(r"(?<=[aeiou])h$", "", latin_word)
    spots = _AMBIGUOUS.findall(w)
    if not spots or len(spots) > 3:
        return None
    target = _arabic_word_skeleton(arabic_word)
    best: float | None = None
    for reading in itertools.product(*(_READINGS[spot] for spot in spots)):
        if _skeleton_of_letters(_latin_letters(latin_word, _SKELETON_VOWELS, reading)) == target:
            score = plausibility(arabic_word, _as_read(w, reading), as_written=True)
            best = score if best is None else max(best, score)
    return best


def skeleton_readings(word: str) -> tuple[str, ...]:
    """Every skeleton a folded Latin word can have, one per reading of its ambiguous spellings
    (Munther: "mnsr" by the default th = ث/س, and "mnzr", منذر, th = ذ), its key's first: what
    a search of the archive by a Latin name looks for, since the key alone follows the lexicon."""
    key = _latin_skeleton(word)
    w = re.sub(r"(?<=[aeiou])h$", "", word)
    spots = _AMBIGUOUS.findall(w) if word.isascii() else []
    if not spots or len(spots) > 3:
        return (key,)
    others = (_skeleton_of_letters(_latin_letters(word, _SKELETON_VOWELS, reading))
              for reading in itertools.product(*(_READINGS[spot] for spot in spots)))
    return tuple(dict.fromkeys([key, *others]))


def key_readings(name: str, limit: int = 27) -> list[str]:
    """The cross-script keys a name can have, its own first (:func:`skeleton_readings` of each
    Latin word; an Arabic name has one): at most ``limit``."""
    parts = name_parts(name)
    if not parts.skeletons:
        return []
    options = [skeleton_readings(form) if form.isascii() and form.isalpha() and skeleton == _latin_skeleton(form) else (skeleton,)
               for skeleton, form in zip(parts.skeletons, parts.forms)]
    return [" ".join(choice) for choice in itertools.islice(itertools.product(*options), limit)]


def latin_skeleton(word: str) -> str:
    """The skeleton of one folded Latin word (cached)."""
    return _latin_skeleton(word)


@lru_cache(maxsize=200_000)
def _arabic_skeleton(word: str) -> str:
    return re.sub(r"(.)\1+", r"\1", "".join(consonant for consonant, _ in _arabic_letters(word)))


def _arabic_word_skeleton(word: str) -> str:
    """The skeleton of a whole Arabic name part. A final ه or ح is a letter, not a vowel ending,
    when it is the second of two (طه, Taha): no name is one consonant and a vowel; in a longer word
    it is the vowel ending or final h the Latin skeleton drops too (فاطمه Fatima, صالح Saleh)."""
    if len(word) == 2 and word[1] in "هح":
        return _arabic_skeleton(word[0]) + "h"
    return _arabic_skeleton(word)


def _arabic_letters(word: str) -> list[tuple[str, str]]:
    """Each letter of a folded Arabic word as (its skeleton consonant or "", its long vowel
    class or ""): و and ي after the first letter are long vowels, a leading alef or ‘ayn is
    the vowel mark."""
    out: list[tuple[str, str]] = []
    for index, ch in enumerate(word):
        last = index == len(word) - 1
        if index == 0 and ch in "اع":
            out.append((VOWEL_MARK, ""))
        elif ch in _AR_VOWELS and index > 0:
            # A final ي may be ى folded (مصطفى, Mustafa): a or i.
            out.append(("", "AI" if ch == "ي" and last else _AR_VOWELS[ch]))
        elif ch in "هح" and last and index > 0:
            # Taa marbuta (folded to ه) and a final ه or ح: transliterations write them as a
            # vowel or a final h that the Latin skeleton drops too (Fatima, Saleh / Salih).
            continue
        else:
            out.append((_AR_SKELETON.get(ch, ch if ch.isdigit() else ""), ""))
    return out


#: Vowel classes of Latin letters: "e" and "o" are written for several Arabic vowels
#: (Mohammed, Yousef, Omar), so they agree with any; w and y inside a word are long vowels
#: here, as are the digraphs ee, oo, ou and aa (marked "L": short vowels vary between
#: spellings of one name, Yusuf and Yousif, long ones do not).
_LATIN_VOWELS = {"a": "A", "i": "I", "y": "IL", "u": "U", "w": "UL", "e": "*", "o": "*", "1": "IL", "2": "UL", "3": "AL"}
_AR_VOWELS = {"ا": "A", "و": "U", "ي": "I"}


def _compatible(one: frozenset[str], other: frozenset[str]) -> bool:
    return "*" in one or "*" in other or bool(one & other)


@lru_cache(maxsize=100_000)
def vowel_slots(form: str) -> tuple[tuple[frozenset[str], ...], bool] | None:
    """The vowels written between the consonants of a simple name (one set of classes A, I,
    U per gap after each consonant of its skeleton), and whether it is in Arabic script.
    ``None`` for compounds, whose skeletons follow other rules. A Latin spelling is read as its
    skeleton reads it (:func:`_latin_reading`: Munther as منذر, Ahmet as أحمد). Latin ``ee``, ``ei`` and ``ai`` are a long i (Hussein, Said), ``ou`` and ``oo`` a long u.

    Arabic script writes long vowels only (ا، و، ي); Latin writes every vowel. Two names
    with one skeleton but vowels that cannot be the same (رامي Rami and ريم Reem, أسامة
    Osama and أسماء Asmaa, محمود and محمد, Hussein and Hasan) are different names: a brother
    and a sister, often. No name has a key of its own for this: the skeleton drops long
    vowels, and the written vowels tell such names apart wherever given and fathers' names
    are compared."""
    if not form or form.startswith(("abd", "abu", "umm", "عبد", "ابو", "ام")) or "din" in form \
            or form.endswith(("دين", "لله")):
        return None
    arabic = is_arabic(form)
    if arabic:
        skeleton = _arabic_skeleton(form)
        letters = _arabic_letters(form)  # (consonant or "", vowel class or "")
    else:
        if not form.isalpha():
            return None
        skeleton = _latin_skeleton(form)
        letters = []
        vowels = (("ou", "2"), ("ee", "1"), ("ei", "1"), ("ai", "1"), ("oo", "2"), ("aa", "3"))
        for index, ch in enumerate(_latin_letters(form, vowels, _latin_reading(form))):
            if index == 0 and ch in "aeiou123":
                # A leading vowel stands for alef or ‘ayn and for the vowel after it (Issa, عيسى).
                letters += [(VOWEL_MARK, ""), ("", _LATIN_VOWELS[ch])]
            elif ch in _LATIN_VOWELS and (index > 0 or ch not in "wy"):  # initial w, y: consonants
                letters.append(("", _LATIN_VOWELS[ch]))
            else:
                letters.append((ch, ""))
    consonants: list[str] = []
    slots: list[set[str]] = []
    for consonant, vowel in letters:
        if consonant:
            if consonants and consonants[-1] == consonant:
                continue  # doubled, or the same letter across a vowel: one consonant in the skeleton
            consonants.append(consonant)
            slots.append(set())
        elif vowel and slots:
            slots[-1].update(vowel)
    if "".join(consonants) != skeleton:
        return None
    return tuple(frozenset(slot) for slot in slots), arabic


def vowels_differ(one: str, other: str) -> bool:
    """Whether two written forms of one skeleton cannot be the same name by their vowels: a
    long vowel written in Arabic where the other has none or another one, two Latin
    spellings with plainly different vowels (a and i), or a final vowel on one side only."""
    left, right = vowel_slots(one), vowel_slots(other)
    if left is None or right is None or len(left[0]) != len(right[0]):
        return False
    (a_slots, a_arabic), (b_slots, b_arabic) = left, right
    last = len(a_slots) - 1
    for k, (a, b) in enumerate(zip(a_slots, b_slots)):
        if a and b:
            # Arabic vowels are long; a final Latin vowel is too (Hadi, Huda).
            long = a_arabic or b_arabic or k == last or "L" in a or "L" in b
            if long and not _compatible(a - {"L"}, b - {"L"}):
                return True
        elif a or b:
            present, present_arabic = (a, a_arabic) if a else (b, b_arabic)
            absent_arabic = b_arabic if a else a_arabic
            if present_arabic and not absent_arabic:
                return True  # Arabic writes a long vowel the Latin spelling leaves out
            if not present_arabic and not absent_arabic and (k == last or present - {"L"} <= {"A"}):
                # Latin spellings: an a written on one side only (Osama, Asmaa), or a final
                # vowel (Rami, Ram); an inner i or u may be left out (Fatima, Fatma).
                return True
            if present_arabic and absent_arabic:
                return True
    return False


@dataclass(frozen=True)
class NameParts:
    """A name split into its parts, each as a skeleton and as written (folded, in its own
    script): the written form tells a misspelling ("Waid") from another name that happens to
    share its skeleton (وضاح, "wd")."""

    skeletons: tuple[str, ...]
    forms: tuple[str, ...]

    @property
    def given(self) -> str:
        return self.skeletons[0] if self.skeletons else ""

    @property
    def family(self) -> str:
        return self.skeletons[-1] if len(self.skeletons) > 1 else ""

    @property
    def father(self) -> str:
        return self.skeletons[1] if len(self.skeletons) > 2 else ""

    @property
    def key(self) -> str:
        return " ".join(self.skeletons)


_AL_CONSONANT = re.compile(r"al[bcdfghjklmnpqrstvwxz]")


def _mend_article(words: list[str]) -> list[str]:
    """An article split in the wrong place by a slip of the space bar: "A lHassan" and
    "a-lHamoud" (the l carried over), "AlZ oabi" and "alD imasi" (a letter of the name carried
    back) are al-Hassan, al-Hamoud, al-Zoabi, al-Dimasi. Only an "al" followed by a consonant is
    mended: "Ali", "Ala" and "Ale" are names or another word."""
    out: list[str] = []
    i = 0
    while i < len(words):
        word, nxt = words[i], words[i + 1] if i + 1 < len(words) else None
        if nxt and word == "a" and nxt.startswith("l") and len(nxt) > 3:
            out += ["al", nxt[1:]]
            i += 2
            continue
        if nxt and len(word) == 3 and _AL_CONSONANT.fullmatch(word) and len(nxt) >= 3:
            out += ["al", word[2] + nxt]
            i += 2
            continue
        out.append(word)
        i += 1
    return out


def _latin_tokens(name: str) -> list[str]:
    words = [w for w in fold_latin(name).split() if not w.isdigit()]
    words = _mend_article(words)
    if len(words) > 1:
        # A lone letter is an initial or an article broken by a typo ("a-Jubouri"): no evidence.
        words = [w for w in words if len(w) > 1] or words
    # Titles only where titles stand, at the start ("Dr.", "Sheikh"): "al-Sheikh" and "Hajj"
    # at the end are family names.
    while len(words) > 2 and words[0] in latin.TITLE_WORDS:
        words = words[1:]
    tokens: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in latin.LINKS and tokens and i + 1 < len(words):
            # "son of" between two names; at the start or the end, "Ben" is a name.
            i += 1
            continue
        if latin.ARTICLE.match(word) and i + 1 < len(words):
            # "al Hussein", "as Saleh": the article belongs to the next word and is dropped.
            i += 1
            continue
        match = latin.ABD.match(word)
        if match and match.group(1) in latin.ABD_STANDALONE:
            match = None  # Abdo, Abdi, Abdan: names of their own (عبدو، عبدي، عبدان), not "Abd al-..."
        if match and word.startswith(("abd", "abed", "adb")):
            rest = match.group(1)
            if rest in ("u", "ul", "el", "al", "il", "ol", "oul") and i + 1 < len(words):
                rest = ""  # "Abdel Rahman", "Abdul Karim": the article was written onto "Abd"
            rest = re.sub(r"^(?:al|el|ul|ur|ar|as|an|ash)(?=[a-z]{3})", "", rest) if rest else rest
            if not rest and i + 1 >= len(words):
                tokens.append(word)  # "Abed" alone is a name (عابد), not "Abd al-..."
                i += 1
                continue
            if not rest and i + 1 < len(words):
                nxt = words[i + 1]
                if latin.ARTICLE.match(nxt) and i + 2 < len(words):
                    rest = words[i + 2]
                    i += 1
                else:
                    rest = nxt
                i += 1
            tokens.append("abd|" + rest)
            i += 1
            continue
        if word in ("abu", "abo", "umm", "um", "om") and i + 1 < len(words):
            nxt = words[i + 1]
            if latin.ARTICLE.match(nxt) and i + 2 < len(words):
                nxt = words[i + 2]
                i += 1
            tokens.append(("abu|" if word in ("abu", "abo") else "umm|") + nxt)
            i += 2
            continue
        word = _plain_word(word)
        if word in latin.DIN_WORDS and tokens:
            tokens[-1] += "din"
        else:
            tokens.append(_DIN_SUFFIX.sub("din", word))
        i += 1
    return tokens


_GLUED_ARTICLE = re.compile(r"^(?:al|el)[bcdfghjkmnpqrstvxz]")
_DIN_SUFFIX = re.compile(r"(?<=[a-z]{2})(?:eddin|iddin|uddin|addin|eddine|aldin|uldin|ud din)$")


@lru_cache(maxsize=100_000)
def _plain_word(word: str) -> str:
    """A Latin word with the article glued on ("Alhamoud") without it; "al" before a vowel or
    "l", "w", "y" ("Alwan", "Alyan", علوان، عليان) is part of the name."""
    return word[2:] if len(word) > 5 and _GLUED_ARTICLE.match(word) and word[2:5].isalpha() else word


def _arabic_tokens(name: str) -> list[str]:
    # آلان (Alan) folds to الان, which would look like the article: mark its alef as ‘ayn,
    # which the skeleton reads the same way (a leading vowel).
    name = re.sub(r"(^|[\s\-_])آل", r"\1عل", name)
    # Brackets, quotes and slashes (an alias "(الفرج)", alternatives "الخطيب/الحلبي") separate words.
    words = [w for w in re.split(r"[\s\-_|()\[\]\"'“”«»/,.،:]+", fold_arabic(name)) if w and not w.isdigit()]
    while len(words) > 2 and words[0] in arabic.TITLE_WORDS:
        words = words[1:]
    tokens: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in arabic.LINKS:
            i += 1
            continue
        if word == "العبد" and i + 1 < len(words):
            word = "عبد"  # the family name العبد الله is the compound عبد الله with the article
        # Compounds are joined with "|" so that a name that merely begins with the same
        # letters (آمنة folds to امنه, which begins like ام) is not taken for one.
        if word in ("عبد",) and i + 1 < len(words):
            tokens.append("عبد|" + words[i + 1])
            i += 2
            continue
        if word in ("ابو", "ام") and i + 1 < len(words):
            tokens.append(word + "|" + words[i + 1])
            i += 2
            continue
        if word in ("الدين", "الله") and tokens and "|" not in tokens[-1]:
            tokens[-1] += word[2:]  # نور الدين, عطا الله as one name, like Nureddin, Atallah
            i += 1
            continue
        if word.startswith("ال") and len(word) > 3 and (tokens or len(words) == 1):
            word = word[2:]  # but the given name keeps it: إلياس and إلهام are written الياس, الهام
        tokens.append(word)
        i += 1
    return tokens


@lru_cache(maxsize=500_000)
def name_parts(name: str | None) -> NameParts:
    """Split and normalise a name in any script (cached: names repeat a lot)."""
    if not name or not name.strip():
        return NameParts((), ())
    # A bracketed part is an alias, a kunya or a note ("Nader al-Hassan (Salloum)", "(أم هيثم)"),
    # which one source gives and another does not: the name is what stands outside it.
    if "(" in name or "[" in name:
        outside = re.sub(r"\([^)]*\)?|\[[^\]]*\]?", " ", name)
        if re.search(r"[A-Za-z\u0600-\u06FF]", outside):
            name = outside
    if is_arabic(name):
        # Mixed fields ("Ahmad أحمد") are read in the script most of their letters use.
        arabic_letters = len(re.findall(r"[\u0600-\u06FF]", name))
        latin_letters = len(re.findall(r"[A-Za-z]", name))
        if arabic_letters >= latin_letters:
            arabic_only = re.sub(r"[A-Za-z]+", " ", name)
            tokens = _arabic_tokens(arabic_only)
            skeletons = []
            for token in tokens:
                head, joined, rest = token.partition("|")
                if joined:
                    rest = rest[2:] if rest.startswith("ال") and len(rest) > 3 else rest
                    prefix = {"عبد": "bd", "ابو": "b", "ام": "m"}[head]
                    skeletons.append(prefix + _arabic_skeleton(rest))
                elif token.startswith("عبدال") and len(token) > 5:
                    # Written as one word (عبدالله, عبدالرحمن).
                    rest = token[3:]
                    rest = rest[2:] if rest.startswith("ال") and len(rest) > 3 else rest
                    skeletons.append("bd" + _arabic_skeleton(rest))
                else:
                    skeletons.append(_arabic_word_skeleton(token))
            kept = [(s, t.replace("|", "")) for s, t in zip(skeletons, tokens) if s]
            return NameParts(tuple(s for s, _ in kept), tuple(t for _, t in kept))
        name = re.sub(r"[\u0600-\u06FF]+", " ", name)
    tokens = _latin_tokens(name)
    skeletons = []
    for token in tokens:
        head, joined, rest = token.partition("|")
        if joined and head == "abd":
            skeletons.append("bd" + _latin_skeleton(re.sub(r"^(?:al|el|ul)(?=[a-z]{3})", "", rest)) if rest else "bd")
        elif joined:
            skeletons.append(("b" if head == "abu" else "m") + _latin_skeleton(rest))
        else:
            skeletons.append(_latin_skeleton(token))
    pairs = [(s, t.replace("|", "")) for s, t in zip(skeletons, tokens) if s]
    return NameParts(tuple(s for s, _ in pairs), tuple(t for _, t in pairs))


def same_given_and_family(one: NameParts, other: NameParts) -> bool:
    """Whether two names have the same given name and the same family name as written (folded
    in their own script: "عبد الله" and "عبدالله", "الحمود" and "حمود" alike), whatever
    stands between them. A name of one word is the same only as that one word."""
    left, right = one.forms, other.forms
    if not left or not right:
        return False
    if len(left) == 1 or len(right) == 1:
        return left == right
    return left[0] == right[0] and left[-1] == right[-1]


def normalize_name(name: str | None) -> str:
    """The cross-script key of a name: the same for "مصطفى محمد عجاج" and
    "Mustafa Muhammad Ajaj" (``mstf mhmd j``). Empty for an empty name."""
    return name_parts(name).key


@lru_cache(maxsize=1)
def _lexicon_skeletons() -> dict[str, tuple[str, ...]]:
    """The given and family names of :mod:`tawthiq.lang.name_lexicon` (single words: a compound's
    Latin spelling is read part by part) by their skeleton."""
    from .name_lexicon import FAMILY, GIVEN

    out: dict[str, list[str]] = {}
    for form in sorted(set(GIVEN) | set(FAMILY)):
        if form.startswith(("عبد", "ابو", "ام")) or form.endswith(("دين", "لله")):
            continue
        out.setdefault(_arabic_word_skeleton(form), []).append(form)
    return {skeleton: tuple(forms) for skeleton, forms in out.items()}


@lru_cache(maxsize=1)
def learnt_common_skeletons() -> frozenset[str]:
    """Skeletons of the common given names: those the dev data writes at least three times
    (:mod:`tawthiq.lang.name_lexicon`, learnt by ``scripts/build_name_lexicon.py``; a family name
    made of one, الحسن, has its skeleton too). Two of these one letter apart are two names
    (أحمد / محمد, حسن / حسين), never a misspelling of one another, however few records a batch
    holds: see ``NameScorer`` in ``engine.py``."""
    from .name_lexicon import GIVEN

    return frozenset(part for form in GIVEN for part in name_parts(form).skeletons)


@lru_cache(maxsize=1)
def common_skeletons() -> frozenset[str]:
    """Skeletons of the given names the extractors know a Latin given name by: the learnt ones
    (:func:`learnt_common_skeletons`) and those of the extractors' own given-name lexicon
    (:data:`tawthiq.lang.arabic.GIVEN_NAMES_AR`, which reads Arabic names), so that "Rami" is a
    given name in an English report though the dev data write رامي once."""
    return learnt_common_skeletons() | frozenset(part for form in arabic.GIVEN_NAMES_AR for part in name_parts(form).skeletons)
