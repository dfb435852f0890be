"""Text clean-up, the first stage of news extraction: what is not the item, and what hides it.

* :func:`drop_comment_thread` — a saved social-media page ends in its readers' comments, whose
  names run into their prayers for the dead; a commenter is not a victim.
* :func:`drop_furniture` — page furniture: a related-links box (a "Related News" heading, then
  other items' headlines and truncated teasers). Its headlines name other items' victims.
* :func:`clean_arabic_paragraph` — letters stretched with tatweel or broken with dots to slip
  past moderation («استشــ. ــاد», «قُـ.ـتل»), short vowels, quotation marks around names, the
  common misspelling «إستشهاد», hashtags and underscores, words glued after a taa marbuta,
  numbered lists run into one line («هما:1- A2- B») and «بإذن الله» between a title and a name.

Pure functions of text; the cues they use are in :mod:`.cues`.
"""

from __future__ import annotations

import functools
import re

from .cues import cue, pattern

_COMMENT_THREAD = cue("en.comment_thread")
_RELATED_HEADING = cue("en.related_heading")
_TEASER = cue("en.teaser")


def drop_comment_thread(text: str) -> str:
    """The post without the comments under it."""
    cut = _COMMENT_THREAD.search(text)
    return text[:cut.start()] if cut else text


_POST_HEADER = cue("en.post_header")
_AR_DEATH = cue("ar.death")
_EN_DEATH = re.compile(r"\b(?:kill\w*|dead|died|death|martyr\w*)\b", re.I)


def drop_post_headers(text: str) -> str:
    """The text without the poster's name and date at the head of a scraped Facebook or X post
    ("أحمد الرمضان Verified accountDecember 21, 2025 · Shared with Public", "Osama
    Alshamy@OsamaAlshamy166"): the account that posted is not a person the post is about. A
    line whose words before the date or handle tell a death keeps them; the date stays (it
    dates the post, and so "today" in it)."""
    def drop(match: re.Match[str]) -> str:
        header = match.group("who") is not None
        before = match.group("who") if header else match.group("handle_of") or ""
        if _AR_DEATH.search(before) or _EN_DEATH.search(before):
            return match.group(0)
        return re.sub(r"^\s*(?:Verified account)?\s*", " ", match.group(0)[len(before):]) if header else ""

    return _POST_HEADER.sub(drop, text)


def drop_furniture(lines: list[str]) -> list[str]:
    """The lines of an item without its related-links boxes: from a heading such as "Related
    News" or «أخبار ذات صلة», every short line (a headline, under 200 characters) and every
    truncated teaser (ending in "..." or "…") until the first line that is neither — the body
    of the item. A teaser standing alone is furniture too, except right under the item's first
    line (a feed's title and truncated description); a headline standing alone is kept (it may
    be the item's own title)."""
    kept: list[str] = []
    in_box = False
    for line in lines:
        if _RELATED_HEADING.search(line):
            in_box = True
            continue
        teaser = bool(_TEASER.search(line)) and len(line) < 300
        if in_box and (teaser or len(line) < 200):
            continue
        in_box = False
        # The lede under the item's own title ("Man shot dead in ...\n\nX, a 68-year-old man who
        # was..."), as feeds and listing pages cut it, is the item, not furniture.
        own_lede = len(kept) == 1 and len(kept[0]) < 200
        if teaser and re.search(r"\w(?:\.\.\.|…)\s*$", line) and _looks_truncated(line) and not own_lede:
            continue
        kept.append(line)
    return kept


def _looks_truncated(line: str) -> bool:
    """A teaser cut off mid-sentence ("A man, identified as X, was..."), not a line that ends
    on an ellipsis by style after a full stop or in a list of names (« محمد العلي… ادلب»)."""
    return bool(re.search(r"\b(?:was|were|as|a|an|the|of|by|in|on|from|who|and|to|that|bearing)\s*(?:\.\.\.|…)\s*$", line, re.I))


#: Letters stretched or broken up to slip past moderation ("قُـ.ـتل", "مقتـل", "يفـ ـقـ ـد"), and short vowels.
_AR_STRETCH = re.compile(r"ـ+\s*[.]?\s*ـ*|[\u064B-\u0652]")
AR_QUOTES = re.compile(r"[“”\"«»„‟()]")
#: A quotation mark or bracket right after a letter closes what it encloses ("“عمر الجاسم” أمام
#: محله"); Arabic texts use “ and ” either way round, so the position decides, not the mark.
#: A mark glued to a lone "و" opens the next name («و”جمعة الحوام”»), it closes nothing.
_AR_CLOSING = re.compile(r"(?<=[\u0621-\u064A])(?<!\sو)(?<!^و)[“”\"«»„‟)]")


_QUOTED = re.compile(r"[“”\"«(]\s*([\u0621-\u064A][\u0621-\u064A\s]{3,50}?)\s*[”“\"»)]")


def quoted_spans(paragraph: str) -> list[str]:
    """The Arabic phrases of two to four words a paragraph puts in quotation marks or brackets
    ("الشاب “أحمد مأمون أبو جيش”", "امرأة مسنّة (عريفة حيدر جمو)"), with short vowels and
    stretching taken out as :func:`clean_arabic_paragraph` takes them out."""
    found = []
    for match in _QUOTED.finditer(_AR_STRETCH.sub("", paragraph)):
        words = match.group(1).split()
        if 2 <= len(words) <= 4:
            found.append(" ".join(words))
    return found


#: A kunya in quotes or brackets right after a name ("أمجد محمد العايد “أبو عمر”", "(أم محمد)"),
#: not after "و" or "مع" (a second person): another name of the same person, taken out.
_KUNYA_ALIAS = re.compile(r"(?<=[\u0621-\u064A])(?<!\sو)(?<!^و)(?<!\sمع)\s*[“”\"«(]\s*(?:أبو|ابو|أبي|ابي|أم|ام)\s+[\u0621-\u064A]+"
                          r"(?:\s+[\u0621-\u064A]+)?\s*[“”\"»)]")


#: Words after which a quoted kunya is the person's only name ("الشاب “أبو محمد”"), not an alias.
_BEFORE_A_NAME = re.compile(r"(?:^|\s)[وبل]?(?:ال)?(?:شاب|شابة|طفل|طفلة|رجل|مواطن|مواطنة|مدني|مدنية|سيدة|امرأة|مرأة|شهيد|شهيدة|قيادي|قائد|"
                            r"عنصر|مقاتل|مسن|مسنة|شيخ|حاج|حاجة|ناشط|ناشطة|صحفي|صحفية|إعلامي|اعلامي|طبيب|طبيبة|دكتور|معلم|معلمة|"
                            r"مدعو|مدعوة|يدعى|تدعى|ملقب|ملقبة|المعروف|المعروفة)\s*$")


def drop_kunya_aliases(text: str) -> str:
    """The text without the kunyas that follow a name in quotes or brackets (:data:`_KUNYA_ALIAS`);
    after a title or a person noun ("الشاب “أبو محمد”") the kunya is the name and stays."""
    return _KUNYA_ALIAS.sub(lambda m: m.group(0) if _BEFORE_A_NAME.search(text[:m.start()]) else "", text)


def unquote(text: str) -> str:
    """Quotation marks and brackets around a name out of the way; a closing one kept as a
    comma so the name ends there."""
    return AR_QUOTES.sub(" ", _AR_CLOSING.sub(" ، ", text))


def untangle(paragraph: str) -> str:
    """Undo what social-media posts do to names: hashtags ("#سلمىالأحمد", "#قرية_الزيارة"), words
    run together after a taa marbuta (a letter that only ends a word), numbered lists run into
    one line ("هما:1- A2- B"), and the pious "بإذن الله" between "الشهيد" and the name."""
    paragraph = re.sub(r"ب[إا]ذن\s+الله(?:\s+تعالى)?", " ", paragraph)
    paragraph = re.sub(r"#|(?<=[\u0621-\u064A])_(?=[\u0621-\u064A])", " ", paragraph)
    paragraph = re.sub(r"ة(?=[\u0621-\u064A])", "ة ", paragraph)
    paragraph = re.sub(r"(?<=[\u0621-\u064A])(العمر|البالغ|البالغة)(?=\s*[0-9\u0660-\u0669])", r" \1", paragraph)
    # "الحموي العمر 70 سنة": العمر before a figure is the age, not the family name العمر.
    paragraph = re.sub(r"(?<=[\u0621-\u064A])\s+(العمر)(?=\s*[0-9\u0660-\u0669])", r" ، \1", paragraph)
    return re.sub(r"(?<=[\u0621-\u064A:.])\s*[0-9\u0660-\u0669]{1,2}\s*[-–)]\s*(?=[\u0621-\u064A])", " ، ", paragraph)


_HARAKAT = re.compile(r"[\u064B-\u0652]")
#: A word broken by tatweel and a dot ("استشــ. ــاد", "قُـ.ـتل"): the dot may stand for a letter.
# Letters without the tatweel (U+0640), which sits inside the Arabic letter block.
_L = r"[\u0621-\u063F\u0641-\u064A]"
# Anchored at a word's start and with the space bounded: unanchored, a run of letters or of
# spaces with no dot was scanned again from every position (100 KB took minutes).
_DOTTED = re.compile(rf"(?<!{_L})(?:({_L}*)ـ+[ \t]{{0,3}}\.[ \t]{{0,3}}ـ*({_L}*)|({_L}*)ـ*[ \t]{{0,3}}\.[ \t]{{0,3}}ـ+({_L}*))")
_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


@functools.lru_cache(maxsize=1)
def _cue_vocabulary() -> frozenset[str]:
    """The single words of the Arabic death, injury and title cues (استشهاد, مقتل, الشهيد ...):
    the words a dotted break is meant to hide from a moderation filter."""
    found: set[str] = set()
    for cue_id in ("ar.death", "ar.hurt", "ar.title", "ar.bare_title", "ar.death_after"):
        found.update(w for w in re.findall(r"[\u0621-\u064A]+", pattern(cue_id)) if len(w) >= 3)
    return frozenset(found | {"الشهيد", "الشهيدة", "الشهداء", "شهيد", "شهداء", "قصف", "بقصف", "غارة", "مجزرة"})


def _undot(match: re.Match[str]) -> str:
    left = match.group(1) if match.group(1) is not None else match.group(3) or ""
    right = match.group(2) if match.group(1) is not None else match.group(4) or ""
    joined = left + right
    vocabulary = _cue_vocabulary()
    if joined in vocabulary or not left or not right:
        return joined
    # "استش" + "اد" is no word; with the hidden letter it is استشهاد, a cue word.
    for letter in _LETTERS:
        if left + letter + right in vocabulary:
            return left + letter + right
    return joined


def clean_arabic_paragraph(paragraph: str) -> str:
    """One Arabic paragraph with stretching, short vowels, quotes, the «إست» misspelling and
    the social-media tangles above undone; a letter hidden behind a dot is restored when that
    makes a cue word."""
    paragraph = _DOTTED.sub(_undot, _HARAKAT.sub("", paragraph))
    # Quotation marks around a name ("استشهد المواطن “عمر ياسين الدباغ”") only get in the way.
    paragraph = unquote(drop_kunya_aliases(_AR_STRETCH.sub("", paragraph)))
    # "إستشهاد" (a common misspelling of استشهاد) reads as the word it means.
    paragraph = re.sub(r"(?<![\u0621-\u064A])إست", "است", paragraph)
    return untangle(paragraph)
