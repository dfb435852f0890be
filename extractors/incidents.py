"""Incidents from news text: when and where people were killed, by whom, how, and how many.

A news item often says how many died without naming anyone ("three civilians, including two
women, were killed by the explosion of a landmine"); the number killed per incident is the
minimal record a casualty-recording team keeps, and an item that reports a death must reach a
documenter even when it names nobody. This module reads those counts, in English and Arabic.

How it reads an item:

1. Number phrases: digits (Western or Arabic-Indic), number words ("three", "ثلاثة", "خمسة
   وعشرين"), dual nouns ("طفلان" = two children), a singular noun after a death word ("مقتل
   امرأة" = one woman), with qualifiers ("at least", "أكثر من", "between 3 and 5").
2. Count cues: the rows of :data:`COUNT_CUES`, each a pattern around one number phrase with the
   kind of count it gives (killed, injured) and examples that the tests check. A cue's person
   noun says whether the count is of children or women too; "including two women" / "بينهم
   طفلان" after a count gives the children and women among the killed.
3. Incidents: each sentence is read clause by clause (a roundup tells several strikes in one
   sentence), and the counts are grouped by the place and day of their clause, the item's own
   incident first. A clause that sums up a period or a region, recalls an earlier event, is
   set in another country or counts fighters gives no incident count; it is noted. Within an
   incident, the killed count is the total the item states most often (the larger on a tie),
   and when the item gives several totals they are kept as a range with a note saying so. The
   named victims of the item belong to the incident of their place, so the count is never
   below their number.

``reports_death`` is what decides that an item must reach a person: a killed count, a named
victim, or a death word anywhere in the text (:data:`_DEATH_STEMS`, read on folded spellings).
An item with an injured count alone is an incident to read too, for safety (its
``reports_death`` stays False).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from tawthiq.lang.numbers import NUMBER_AR, NUMBER_EN, alternation, parse_number, to_ascii_digits

from .record import Place, VictimRecord

#: Killed counts above this are read as a typo or a year, not a count of one incident.
MAX_COUNT = 5000

# --- numbers ------------------------------------------------------------------------------

_EN_QUALIFIER = r"(?:at least|more than|over|nearly|almost|about|around|some|up to|approximately|roughly|as many as)"
_AR_QUALIFIER = r"(?:ما\s+لا\s+يقل\s+عن|لا\s+يقل\s+عن|أكثر\s+من|اكثر\s+من|نحو|قرابة|حوالي|حوالى|ما\s+يقارب|ما\s+يزيد\s+عن|ما\s+يزيد\s+على|زهاء|أقل\s+من)"


def _bounds(qualifier: str | None, value: int, upper: int | None = None) -> tuple[int, int | None, str | None]:
    """(min, max, note) for a number and the words before it: "at least 3" is 3 or more,
    "more than 3" is 4 or more, "about 3" is 3 (approximate), "between 3 and 5" is 3 to 5."""
    if upper is not None:
        low, high = sorted((value, upper))
        return low, high, None
    q = re.sub(r"\s+", " ", (qualifier or "").strip().lower())
    if q in ("at least", "ما لا يقل عن", "لا يقل عن", "as many as"):
        return value, None, f"at least {value}"
    if q in ("more than", "over", "أكثر من", "اكثر من", "ما يزيد عن", "ما يزيد على"):
        return value + 1, None, f"more than {value}"
    if q in ("up to", "أقل من"):
        return 1, value, f"up to {value}"
    if q:
        return value, value, f"about {value}"
    return value, value, None


# --- person nouns -----------------------------------------------------------------------

#: English nouns a count is of, with who they are (children, women or anyone).
_EN_NOUNS: dict[str, str] = {
    "civilians": "any", "civilian": "any", "people": "any", "persons": "any", "person": "any", "individuals": "any",
    "residents": "any", "villagers": "any", "farmers": "any", "workers": "any", "shepherds": "any", "members": "any",
    "victims": "any", "others": "any", "other people": "any", "men": "any", "man": "any", "brothers": "any", "siblings": "any", "relatives": "any",
    "family members": "any", "members of one family": "any", "members of the same family": "any", "displaced people": "any",
    "children": "child", "child": "child", "kids": "child", "boys": "child", "boy": "child", "girls": "child",
    "girl": "child", "infants": "child", "infant": "child", "babies": "child", "baby": "child", "minors": "child",
    "women": "woman", "woman": "woman", "mothers": "woman",
    "journalists": "any", "journalist": "any", "volunteers": "any", "activists": "any", "doctors": "any", "nurses": "any",
    "paramedics": "any", "medics": "any", "rescuers": "any", "students": "any", "teachers": "any", "aid workers": "any",
}
_EN_NOUN = rf"(?:(?:\w+[- ]?)?(?:year[- ]old\s+)?)?(?:{alternation(_EN_NOUNS)})\b"
_EN_NOUN_ONLY = re.compile(rf"({alternation(_EN_NOUNS)})\b", re.I)

#: Arabic nouns, each with who it counts and the number a singular or dual form gives itself.
_AR_NOUNS: dict[str, tuple[str, int | None]] = {}
for _words, _whom, _implied in (
    ("مدنيين مدنيا مدنياً مدنيًا مدنيون المدنيين", "any", None),
    ("مدني مدنية", "any", 1),
    ("مدنيان", "any", 2),
    ("أشخاص اشخاص شخصا شخصاً شخصًا الأشخاص مواطنين مواطنا مواطناً مواطنون أفراد افراد فردا فرداً رجال شبان شبّان عمال عمّال "
     "ضحايا قتلى قتيلا قتيلاً قتيلًا شهداء شهيدا شهيداً شهيدًا مصابين مصابا مصاباً جرحى جريحا جريحاً إصابات اصابات", "any", None),
    ("شخص مواطن رجل شاب عامل قتيل شهيد مصاب جريح مزارع راعي سائق", "any", 1),
    ("شخصين شخصان مواطنين مواطنان رجلين رجلان شابين شابان قتيلين قتيلان شهيدين شهيدان جريحين جريحان مصابين", "any", 2),
    ("أطفال اطفال طفلا طفلاً طفلًا الأطفال أطفالا أطفالاً", "child", None),
    ("طفل طفلة رضيع رضيعة", "child", 1),
    ("طفلين طفلان طفلتين طفلتان", "child", 2),
    ("شقيقان أخوان اخوان", "any", 2),
    ("نساء سيدات النساء", "woman", None),
    ("امرأة امراة سيدة شهيدة قتيلة", "woman", 1),
    ("امرأتين امرأتان سيدتين سيدتان", "woman", 2),
):
    for _w in _words.split():
        # A word listed twice (مصابين, مواطنين: plural and dual) counts as a plural.
        if _w not in _AR_NOUNS or _implied is None:
            _AR_NOUNS[_w] = (_whom, _implied if _w not in _AR_NOUNS else None)
_AR_NOUN = rf"(?:{alternation(_AR_NOUNS)})(?![\u0621-\u064A])"
_AR_NOUN_ONLY = re.compile(rf"(?<![\u0621-\u064A])[وبل]?({alternation(_AR_NOUNS)})(?![\u0621-\u064A])")

# --- the cue table ----------------------------------------------------------------------


@dataclass(frozen=True)
class CountCue:
    """One way a text states a count: a pattern with named groups ``qual`` (qualifier),
    ``num`` (the number), ``upper`` (a range's upper end), ``noun`` (who); the kind of count it
    gives; and examples (``text``, expected number) that tests/test_incidents.py checks."""

    id: str
    language: str  # en | ar
    kind: str  # killed | injured
    pattern: re.Pattern[str]
    examples: tuple[tuple[str, int], ...] = ()
    negatives: tuple[str, ...] = ()


_EN_NUM_PHRASE = (rf"(?:(?P<qual>{_EN_QUALIFIER})\s+)?(?:between\s+)?(?P<num>{NUMBER_EN})"
                  rf"(?:\s*(?:-|to|and|or)\s*(?P<upper>{NUMBER_EN}))?")
_AR_NUM_PHRASE = (rf"(?:(?P<qual>{_AR_QUALIFIER})\s+)?(?:بين\s+)?(?P<num>{NUMBER_AR})"
                  rf"(?:\s*(?:-|إلى|الى|و|أو|او)\s*(?P<upper>{NUMBER_AR}))?")
_EN_DEATH_VERB = r"(?:killed|dead|died|lost their lives|were martyred|martyred|perished|slain|executed|shot dead)"
_EN_DEATH_BEFORE = (r"(?:killed|killing|kills|kill|claimed the lives of|claiming the lives of|took the lives of|the lives of|"
                    r"death of|deaths of|bodies of|killed at least|execution of|executed)")
_AR_DEATH_BEFORE = (r"[وفبل]?(?:وقتلت|فقتل|فقتلت|وقضى|وقضت|ولقي|ولقيت|وارتقى|وتوفي|وتوفيت|وقوع|ووقوع|مقتل|ومقتل|لمقتل|بمقتل|استشهاد|واستشهاد|لاستشهاد|باستشهاد|إستشهاد|وإستشهاد|لإستشهاد|بإستشهاد|قتل|وقتل|قُتل|وقُتل|قتلت|قضى|قضت|مصرع|ومصرع|"
                    r"وفاة|ووفاة|سقوط|وسقوط|ارتقاء|وارتقاء|ارتقى|استشهد|واستشهد|أودى\s+بحياة|أودت\s+بحياة|اودى\s+بحياة|"
                    r"راح\s+ضحيته|راح\s+ضحيتها|حصد\s+أرواح|حصدت\s+أرواح|إعدام|اعدام|جثث|جثامين|انتشال\s+جثث|تصفية|"
                    r"يقتل|تقتل|ويقتل|وتقتل|لتقتل|ليقتل|قتلى|شهداء)")
_AR_INJURY_BEFORE = r"(?:إصابة|اصابة|وإصابة|واصابة|بإصابة|أصيب|وأصيب|أُصيب|وأُصيب|اصيب|واصيب|جرح|وجرح|جُرح|وجُرح|إصابات|اصابات|جرحى|مصابين)"

#: Verbs of dying that take no object: said of the one person before them.
_AR_DIED_ALONE = (r"(?:استشهد|استشهدت|توفي|توفيت|لقي\s+حتفه|لقيت\s+حتفها|لقي\s+مصرعه|لقيت\s+مصرعها|فقد\s+حياته|فقدت\s+حياتها)")

COUNT_CUES: tuple[CountCue, ...] = (
    CountCue("en-count-then-died", "en", "killed", re.compile(
        rf"\b{_EN_NUM_PHRASE}\s+(?P<noun>{_EN_NOUN})(?:,?\s+(?:including|among them)\s+[^,.;]{{1,60}},?)?(?:\s+who\s+[^,.;]{{1,60}}?(?=\s+(?:were|was)\b))?"
        rf"(?:\s+(?:\w+\s+){{0,3}}?(?:were|was|have been|had been|are|got|being|reportedly|confirmed)){{0,2}}\s+{_EN_DEATH_VERB}\b", re.I),
        examples=(("three civilians, including two women, were killed by the explosion of a landmine", 3),
                  ("At least 12 people were killed in the airstrike", 12),
                  ("two children died of their wounds", 2),
                  ("Three journalists who worked for the network were killed on May 27", 3))),
    CountCue("en-killed-count", "en", "killed", re.compile(
        rf"\b{_EN_DEATH_BEFORE}\s+{_EN_NUM_PHRASE}\s+(?P<noun>{_EN_NOUN})(?:\s+dead)?|"
        rf"\b(?:left|leaving)\s+{_EN_NUM_PHRASE.replace('qual', 'qual2').replace('num', 'num2').replace('upper', 'upper2')}"
        rf"\s+(?P<noun2>{_EN_NOUN})\s+dead", re.I),
        examples=(("Russian warplanes killed five civilians in Ariha", 5),
                  ("an airstrike that claimed the lives of seven people", 7),
                  ("the shelling left 4 civilians dead", 4),
                  ("killing between 3 and 5 civilians", 3)),
        negatives=("killed in the shelling of two villages", "the raid left 9 farmers injured")),
    CountCue("en-singular", "en", "killed", re.compile(
        r"\b(?P<num>a|an|one)\s+(?:[\w-]+\s+){0,3}?(?P<noun>civilian|man|woman|child|boy|girl|person|individual|farmer|shepherd|"
        r"worker|driver|teenager|youth|infant|baby|elderly man|elderly woman)\b(?:,?\s+[^.;]{0,90}?,)?\s+(?:was|has been|had been)\s+"
        r"(?:\w+\s+)?(?:killed|shot dead|executed|found dead)\b|"
        r"\b(?:killed|killing|kill|the killing of|the death of)\s+(?P<num2>a|an|one)\s+(?:[\w-]+\s+){0,2}?(?P<noun2>civilian|man|woman|"
        r"child|boy|girl|person|farmer|shepherd|worker|driver|teenager|infant|baby)\b|"
        # A headline drops the article: "Turkish drone attack | Civilian killed in Kobani".
        r"(?:^|\|\s*|:\s*)(?:(?:young|elderly|old)\s+)?(?P<noun3>civilian|man|woman|child|boy|girl|youth|teenager|farmer|shepherd|worker|"
        r"driver|person)\s+(?:was\s+)?(?:killed|shot dead|executed|dies|died|found dead)\b(?P<num3>)", re.I),
        examples=(("A civilian was killed when mortar rounds fell on the village square", 1),
                  ("An individual was killed after a drone struck a car on the road", 1),
                  ("the shelling killed a young woman in her home", 1),
                  ("Turkish drone attack | Civilian killed in Ain Al-Arab (Kobani), east of Aleppo", 1),
                  ("Young man shot dead by unknown gunmen in Daraa countryside", 1)),
        negatives=("The civilian killed yesterday was buried in Ariha", "Civilian casualties rise in Idlib")),
    CountCue("en-toll", "en", "killed", re.compile(
        rf"\bdeath toll\s+(?:[\w'’-]+\s+){{0,16}}?(?:to|at|of|reached|stands at|is)\s+{_EN_NUM_PHRASE}(?P<noun>)", re.I),
        examples=(("The death toll from the massacre rose to 9", 9),)),
    CountCue("en-count-dead", "en", "killed", re.compile(
        rf"\b{_EN_NUM_PHRASE}\s+(?P<noun>)(?:dead|killed|deaths|fatalities)\b(?!\s+(?:in|by)\s+(?:the\s+)?\d)(?!\s+(?-i:[A-Z]))", re.I),
        examples=(("The strike left 6 dead and 10 wounded", 6),)),
    CountCue("en-injured", "en", "injured", re.compile(
        rf"\b(?:injuring|wounding|injured|wounded|injuries to|wounds to)\s+{_EN_NUM_PHRASE}\s+(?P<noun>{_EN_NOUN})?|"
        rf"\b{_EN_NUM_PHRASE.replace('qual', 'qual2').replace('num', 'num2').replace('upper', 'upper2')}\s+(?P<noun2>{_EN_NOUN})?"
        rf"(?:\s+(?:were|was|have been|had been|others?))?\s+(?:injured|wounded|hurt)\b", re.I),
        examples=(("injuring 14 civilians, including four children", 14), ("and 10 others were wounded", 10))),
    CountCue("ar-death-count", "ar", "killed", re.compile(
        rf"(?<![\u0621-\u064A]){_AR_DEATH_BEFORE}\s+"
        rf"{_AR_NUM_PHRASE}\s+(?P<noun>{_AR_NOUN})"), examples=(
            ("مقتل أربعة أطفال بقصف صاروخي", 4), ("أدى لمقتل 3 مدنيين", 3), ("استشهاد ١٢ مدنياً", 12),
            ("قُتل خمسة وعشرين شخصاً", 25))),
    CountCue("ar-count-noun-died", "ar", "killed", re.compile(
        rf"(?<![\u0621-\u064A]){_AR_NUM_PHRASE}\s+(?P<noun>{_AR_NOUN})\s+(?:\S+\s+){{0,2}}?"
        rf"(?:قتلوا|قتلو|استشهدوا|لقوا\s+حتفهم|لقوا\s+مصرعهم|فقدوا\s+حياتهم|ماتوا|توفوا|قضوا)"), examples=(
            ("ثلاثة مدنيين قتلوا بانفجار لغم", 3),)),
    CountCue("ar-dual-died", "ar", "killed", re.compile(
        r"(?<![\u0621-\u064A])(?P<num>)(?P<noun>مدنيان|مواطنان|شخصان|شابان|رجلان|طفلان|طفلتان|امرأتان|سيدتان|شقيقان|أخوان|اخوان)\s+"
        r"(?:\S+\s+){0,2}?(?:قتلا|قُتلا|استشهدا|لقيا\s+حتفهما|لقيا\s+مصرعهما|فقدا\s+حياتهما|توفيا|قضيا)(?![\u0621-\u064A])"), examples=(
            ("مدنيان قُتلا في قرية عطالة من جراء استهداف سيارتهما", 2), ("طفلان لقيا حتفهما بانفجار لغم", 2))),
    CountCue("ar-count-dead-noun", "ar", "killed", re.compile(
        rf"(?<![\u0621-\u064A]){_AR_NUM_PHRASE}\s+(?P<noun>قتلى|قتيلا|قتيلاً|قتيلًا|شهداء|شهيدا|شهيداً|شهيدًا|ضحايا)(?![\u0621-\u064A])"),
        examples=(("الحصيلة: 6 قتلى منهم طفلة", 6), ("سقط 7 شهداء", 7))),
    CountCue("ar-death-singular", "ar", "killed", re.compile(
        rf"(?<![\u0621-\u064A]){_AR_DEATH_BEFORE}\s+(?P<num>)(?P<noun>طفل|طفلة|امرأة|امراة|سيدة|شاب|رجل|مسن|مسنة|شهيدة|قتيلة|شهيد|قتيل|مدني|مدنيا|مدنياً|مدنيًا|مواطن|مواطنا|مواطناً|شخص|شخصا|شخصاً|رضيع|رضيعة|"
        rf"طفلين|طفلتين|امرأتين|شابين|رجلين|شخصين|مدنيين\s+اثنين|مواطنين\s+اثنين|طفلان|طفلتان|امرأتان|شخصان|مواطنان|مدنيان|شابان|"
        rf"رجلان)(?![\u0621-\u064A])"), examples=(
            ("ما أدى لمقتل امرأة وجرح 9 مدنيين", 1), ("مقتل طفلين بقصف", 2), ("وتسبب القصف بمقتل مدنيين اثنين", 2),
            ("غارات روسية تقتل مدنياً غرب إدلب", 1), ("عاجل | إستشهاد مدني إثر استهداف بلدة الكندة", 1),
            ("استشهد مواطنان وأصيب 5 آخرون بجروح في اعتداء بالقذائف", 2), ("مقتل مسن وامرأة باستهدافات شرق دير الزور", 2),
            ("تستهدف منزلاً بصاروخ موجه وسقوط شهيد وعدد من الجرحى", 1), ("قصف استهدف محيط مدينة اعزاز ما ادى لسقوط شهيدة وعدد من الجرحى", 1), ("أدت إلى وقوع قتيل على الأقل وإصابات", 1))),
    # "وأضافت أن امرأة استشهدت اليوم": one person, then a verb of dying that takes no object.
    CountCue("ar-singular-then-died", "ar", "killed", re.compile(
        r"(?<![\u0621-\u064A])[و]?(?P<noun>امرأة|امراة|سيدة|طفل|طفلة|شاب|شابة|رجل|مدني|مدنية|مواطن|مواطنة|شخص|مسن|مسنة|فتى|فتاة)\s+"
        rf"(?:\S+\s+){{0,1}}?(?:{_AR_DIED_ALONE}|فارق\s+الحياة|فارقت\s+الحياة)(?![\u0621-\u064A])(?P<num>)"),
        examples=(("وأضافت أن امرأة استشهدت اليوم الإثنين جراء قصف صاروخي", 1), ("طفل لقي حتفه بانفجار لغم", 1)),
        negatives=("امرأة أصيبت بجروح", "طفل قتل والده")),
    # "هوية المدني الذي استشهد في قصف ...": the one person a sentence speaks of. "قتل" may be
    # active ("الشاب الذي قتل والده"), so it counts only before where, when or how.
    CountCue("ar-the-one-who-died", "ar", "killed", re.compile(
        r"(?<![\u0621-\u064A])[وبل]?ال(?P<noun>مدني|شاب|طفل|طفلة|رجل|مواطن|شخص|عامل|مزارع|راعي|سائق|سيدة)\s+(?:\S+\s+){0,2}?(?:الذي|التي)\s+"
        rf"(?:(?:{_AR_DIED_ALONE}|قضى|قضت)(?![\u0621-\u064A])|"
        r"(?:قتل|قُتل|قتلت|قُتلت)\s+(?=في|ب|جراء|إثر|اثر|أمس|امس|اليوم|يوم|خلال|على\s+يد|متأثر|متاثر|$))(?P<num>)"),
        examples=(("كشف مجلس عوائل الشهداء عن هوية المدني الذي استشهد في قصف الاحتلال التركي", 1),
                  ("وشيع الأهالي الطفلة التي قتلت برصاص قناص", 1)),
        negatives=("اعتقل الأمن الشاب الذي قتل والده", "الطفل الذي أصيب في القصف")),
    CountCue("en-the-one-who-died", "en", "killed", re.compile(
        r"\bthe\s+(?:[\w-]+\s+){0,2}?(?P<noun>civilian|man|woman|child|boy|girl|person|farmer|shepherd|worker|driver|teenager)\s+"
        r"(?:who|that)\s+(?:was\s+(?:killed|martyred|shot dead)|died|lost (?:his|her) life)\b(?P<num>)", re.I),
        examples=(("Relatives buried the young man who was killed by a sniper on Monday", 1),),
        negatives=("the man who killed his brother was arrested", "the child who was injured in the shelling")),
    # "عن استشهاد أحد المدنيين وإصابة الآخر", "استشهد أحد المصابين": one of a group.
    CountCue("ar-one-of-singular", "ar", "killed", re.compile(
        rf"(?<![\u0621-\u064A]){_AR_DEATH_BEFORE}\s+(?:أحد|احد|إحدى|احدى)\s+(?P<num>)(?P<noun>المدنيين|المواطنين|الأشخاص|الاشخاص|الشبان|"
        rf"العمال|الأطفال|الاطفال|المصابين|الجرحى|الأهالي|الاهالي|السكان|الرعاة|المزارعين|النساء|السيدات|الطفلين|الشابين|الرجلين|"
        rf"الشخصين|المدنيين\s+الاثنين)(?![\u0621-\u064A])"),
        examples=(("أسفر الهجوم عن استشهاد أحد المدنيين وإصابة الآخر بجروح خطيرة", 1), ("استشهد أحد المصابين بقصف الاحتلال", 1),
                  ("أدى إلى مقتل إحدى النساء", 1)),
        negatives=("أدى إلى مقتل أحد عناصر قوات النظام",)),
    CountCue("ar-lost-life", "ar", "killed", re.compile(
        rf"(?<![\u0621-\u064A])(?:فقد|وفقد|فقدت|وفقدت|فقدان|وفقدان|بفقدان|لفقدان)\s+(?:{_AR_NUM_PHRASE}\s+)?(?P<noun>{_AR_NOUN})\s+(?:\S+\s+){{0,2}}?"
        rf"[لب]?(?:حياته|حياتها|حياتهم|حياتهن|أرواحهم|ارواحهم)"), examples=(
            ("فقد مزارع حياته أثناء عمله في أرضه", 1), ("فقد ثلاثة مدنيين حياتهم بانفجار", 3),
            ("قصف على مدجنة للطيور مما أدى إلى فقدان شخص لحياته", 1))),
    CountCue("ar-toll", "ar", "killed", re.compile(
        rf"(?:حصيلة|عدد)\s+(?:ال)?(?:ضحايا|شهداء|قتلى|وفيات|الوفيات|القتلى|الشهداء|الضحايا)(?:\s+\S+){{0,5}}?\s+"
        rf"(?:إلى|الى|وصلت\s+إلى|بلغت)\s+{_AR_NUM_PHRASE}(?P<noun>)(?:\s+(?:قتلى|شهداء|قتيلا|شهيدا|مدنيين|أشخاص))?"),
        examples=(("ارتفعت حصيلة ضحايا المجزرة إلى 9 قتلى", 9), ("وصلت حصيلة الشهداء إلى 17 مدنياً", 17)),
        negatives=("ارتفعت كلفة الأضرار إلى 300 محل تجاري", "ارتفع عدد النازحين إلى 500 عائلة")),
    CountCue("ar-injured", "ar", "injured", re.compile(
        rf"(?<![\u0621-\u064A]){_AR_INJURY_BEFORE}\s+(?:(?:أكثر\s+من|اكثر\s+من|نحو|قرابة|حوالي)\s+)?(?P<num>{NUMBER_AR})\s+(?P<noun>{_AR_NOUN})?|"
        rf"(?<![\u0621-\u064A])(?P<num2>{NUMBER_AR})\s+(?P<noun2>جرحى|مصابين|جريحا|جريحاً|إصابات|اصابات)(?![\u0621-\u064A])|"
        rf"(?<![\u0621-\u064A])(?:إصابة|اصابة|وإصابة|واصابة)\s+(?P<num3>)(?P<noun3>طفل|طفلة|امرأة|شاب|رجل|مدني|شخص|آخر|اخر|شخصين|طفلين)(?![\u0621-\u064A])"),
        examples=(("وإصابة 13 مدنياً بينهم 3 أطفال", 13), ("وأُصيب ثمانية أشخاص", 8), ("الجرحى: 12 جرحى", 12))),
)

#: More people joined to a count: "مقتل رجل وطفله" (2), "ثلاثة أطفال وأمهم وطفل آخر" (5), "the
#: death of a woman and a young man" (2). Each with the words it must read and the sum it gives,
#: checked by tests/test_incidents.py; ``negatives`` join nobody (the injured, a plural with no
#: number: "وأطفالها" does not say how many).
_AR_KIN = {
    "أم": "woman", "امه": "woman", "أمه": "woman", "أمها": "woman", "أمهم": "woman", "أمهما": "woman", "والدته": "woman",
    "والدتها": "woman", "والدتهم": "woman", "زوجته": "woman", "زوجها": "any", "والده": "any", "والدها": "any", "والدهم": "any",
    "ابنه": "any", "ابنها": "any", "ابنهم": "any", "ابنته": "any", "ابنتها": "any", "ولده": "any", "ولدها": "any",
    "نجله": "any", "نجلها": "any", "شقيقه": "any", "شقيقها": "any", "شقيقته": "woman", "شقيقتها": "woman", "أخيه": "any",
    "أخوه": "any", "أخيها": "any", "أخته": "woman", "أختها": "woman", "جده": "any", "جدته": "woman", "حفيده": "any",
    "حفيدته": "any", "طفله": "child", "طفلها": "child", "طفلته": "child", "طفلتها": "child", "رضيعها": "child",
    "رضيعته": "child", "طفلهما": "child",
}
_HURT_NOUNS = {"مصابين", "مصابا", "مصاباً", "مصاب", "جرحى", "جريحا", "جريحاً", "جريح", "جريحين", "جريحان", "إصابات", "اصابات"}
_AR_CONJUNCT = re.compile(
    rf"\s+و\s*(?:(?P<num>{NUMBER_AR})\s+)?(?:(?P<kin>{alternation(_AR_KIN)})|(?P<noun>{alternation(w for w in _AR_NOUNS if w not in _HURT_NOUNS)}))"
    rf"(?:\s+(?:آخر|اخر|آخرين|اخرين|آخرون|اخرون|أخرى|اخرى))?(?![\u0621-\u064A])")
_EN_CONJUNCT = re.compile(
    rf"(?:\s*,)?\s+and\s+(?:(?P<num>{NUMBER_EN}|an?)\s+(?:(?:young|elderly|old|little|teenage|other)\s+)?(?P<noun>{alternation(_EN_NOUNS)})"
    r"|(?P<kin>(?:his|her|their)\s+(?:[\w-]+\s+)?(?:son|daughter|child|baby|husband|wife|mother|father|brother|sister|grandson|"
    r"granddaughter|nephew|niece)))\b", re.I)
CONJUNCT_EXAMPLES: tuple[tuple[str, str, int], ...] = (
    ("ar", "مقتل رجل وطفله بانفجار مخلفات الحرب", 2),
    ("ar", "قتلت امرأة وطفلها وأصيب أربعة آخرون من أطفالها", 2),
    ("ar", "وقتل ثلاثة أطفال وأمهم وطفل آخر، وأصيب طفل وشاب", 5),
    ("ar", "قتل 4 أطفال وامرأة وأصيب آخرون", 5),
    ("ar", "مقتل رجل وامرأة وإصابة 6 مدنيين", 2),
    ("ar", "مقتل شاب وجريحين بقصف", 1),
    ("ar", "مقتل امرأة وأطفالها بقصف", 1),
    ("en", "SOHR documented the death of a woman and a young man in the shelling", 2),
    ("en", "the strike killed a woman and her two-year-old son", 2),
    ("en", "the shelling killed two civilians and injured five others", 2),
)
#: "8 killed and wounded", "40 مدنيا بين قتيل وجريح": the dead and the hurt in one number.
#: (After a count that ends in its death word or dead noun: "killed two civilians and injured
#: five" is two counts.)
_EN_KILLED_AND_HURT = re.compile(r"^\s*(?:and|or|&|/)\s+(?:wound|wounded|injured|hurt)\b", re.I)
_AR_KILLED_AND_HURT = re.compile(r"^\s*(?:بين\s+)?(?:قتيل|شهيد|قتلى|شهداء)\s+و\s*(?:جريح|مصاب|جرحى|مصابين)")
_AR_DEAD_AND_HURT = re.compile(r"^\s*و\s*(?:جريحا|جريحاً|جريح|جرحى|مصابا|مصاباً|مصابين)(?![\u0621-\u064A])")
_ENDS_DEAD = re.compile(r"(?:killed|dead|died|deaths|قتلى|قتيلا|قتيلاً|قتيلًا|شهداء|شهيدا|شهيداً|شهيدًا|ضحايا)\s*$", re.I)
KILLED_AND_HURT_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("en", "Eight killed and wound in border village"), ("en", "More than 14 killed and wounded in Turkish bombardment"),
    ("ar", "سقوط نحو 40 مدنيا بين قتيل وجريح بقصف للنظام"), ("ar", "سقط 7 قتلى وجرحى في القصف"),
)

#: "including two women and a child", "بينهم طفلان وامرأة": who is among a count.
_EN_AMONG = re.compile(r"\b(?:including|among them|among whom|of whom|of them)\s+(?P<rest>[^.;:]{1,120})", re.I)
_AR_AMONG = re.compile(r"(?:بينهم|بينهن|منهم|منهن|من\s+بينهم|بينها|معظمهم|غالبيتهم)\s+(?P<rest>[^.؛:\n]{1,120})")
_EN_SUBCOUNT = re.compile(rf"(?:(?P<qual>{_EN_QUALIFIER})\s+)?(?P<num>{NUMBER_EN}|an?)\s+(?P<noun>{_EN_NOUN})", re.I)
_AR_SUBCOUNT = re.compile(rf"(?:(?P<num>{NUMBER_AR})\s+)?[وب]?(?P<noun>{_AR_NOUN})")

#: A death word anywhere: the widest test of whether an item reports a death.
_DEATH_WORD_EN = re.compile(
    r"\b(killed|killing|kills|shot dead|died|dies|dead|death|deaths|lost (?:his|her|their) lives?|martyred|executed|"
    r"succumbed|slain|murdered|drowned|bod(?:y|ies) (?:was|were) (?:found|recovered|handed)|passed away|massacre|"
    r"death toll|fatalities|claimed the li(?:fe|ves))\b", re.I)
_DEATH_WORD_AR = re.compile(
    r"(?<![\u0621-\u064A])[وبل]?(?:ال)?(?:[اإ]ستشهد|[اإ]ستشهدت|[اإ]ستشهاد|مقتل|(?:ي|ت|لي|لت|وي|وت|سي|ست)قتل|قتل|قتلت|قُتل|قُتلت|قتلى|قتيل|شهيد|شهيدة|شهداء|لقي\s+حتفه|لقيت\s+حتفها|لقوا\s+حتفهم|"
    r"توفي(?:ت)?(?![\u0621-\u064A])|وفاة|مصرع|فارق\s+الحياة|فارقت\s+الحياة|أعدم|إعدام|اعدام|غرق|مجزرة|جثمان|جثة|جثث|تصفية|ضحايا|"
    r"حصيلة|راح\s+ضحيت|أودى\s+بحياة|أودت\s+بحياة|فقد\S*\s+(?:\S+\s+){0,25}?(?:حيات|أرواح|ارواح)|ارتقى|ارتقاء)")


@dataclass
class Count:
    """One count a sentence states, with the words it came from."""

    kind: str  # killed | injured
    minimum: int
    maximum: int | None
    who: str  # any | child | woman
    evidence: str
    cue: str
    note: str | None = None
    children: int | None = None
    women: int | None = None
    phrase: str = ""  # the words of the count, as written, for highlighting


@dataclass
class IncidentRecord:
    """One incident as an item reports it: a range for each count (``None`` where the item
    gives none), who and what did it, and the sentences each figure came from."""

    date: str | None = None
    place: Place = field(default_factory=Place)
    perpetrator: str = "unknown"
    cause: str = "unknown"
    killed_min: int | None = None
    killed_max: int | None = None
    killed: int | None = None
    children_killed: int | None = None
    women_killed: int | None = None
    injured_min: int | None = None
    injured_max: int | None = None
    named_victims: int = 0
    reports_death: bool = False
    evidence: str = ""
    field_evidence: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: The words of each count as the item writes them, and their kind (killed, injured,
    #: death), so the review page can highlight them in the text.
    spans: list[tuple[str, str]] = field(default_factory=list)

    def to_contract(self) -> dict[str, Any]:
        """The JSON object ``tawthiq extract`` prints for this incident (README contract)."""
        data = asdict(self)
        data.pop("spans")
        data["place"] = {"governorate": self.place.governorate, "locality": self.place.locality}
        return {"record": "incident", **data}


# --- reading counts -------------------------------------------------------------------------


def _who(noun: str | None, arabic: bool) -> tuple[str, int | None]:
    if not noun:
        return "any", None
    noun = re.sub(r"\s+", " ", noun.strip())
    if arabic:
        words = noun.split()
        who, implied = _AR_NOUNS.get(words[0], ("any", None))
        # A number after the noun says how many ("مدنيين اثنين": two civilians).
        return who, (parse_number(words[-1]) or implied) if len(words) > 1 else implied
    last = _EN_NOUN_ONLY.search(noun)
    return (_EN_NOUNS.get(last.group(1).lower(), "any") if last else "any"), None


def _group(match: re.Match[str], name: str) -> str | None:
    for suffix in ("", "2", "3"):
        key = f"{name}{suffix}"
        if key in match.re.groupindex and match.group(key) is not None:
            return match.group(key)
    return None


#: Deaths told without a number: "استشهد عدد من المدنيين", "several civilians were killed"
#: (a plural: at least 2), "استشهد وأصيب عدد من المدنيين", "a number of civilians were killed
#: and injured" (the dead and the hurt in one plural: at least 1). Read only when the item
#: gives no number of killed at all (:func:`_read_counts`), as an open count with a note.
_AR_VAGUE_NOUN = (r"(?:ال)?(?:مدنيين|مواطنين|أشخاص|اشخاص|أهالي|اهالي|سكان|أطفال|اطفال|نساء|شهداء|قتلى|ضحايا|شبان|عمال|مزارعين|رعاة|"
                  r"نازحين|أبناء|ابناء)(?![\u0621-\u064A])")
_AR_HURT_WORD = r"(?:و\s*)?(?:إصابة|اصابة|أصيب|اصيب|أُصيب|جرح|جُرح|إصابات|اصابات|جرحى|الجرحى|مصابين|المصابين)"
_AR_VAGUE = re.compile(
    rf"(?<![\u0621-\u064A]){_AR_DEATH_BEFORE}\s+(?P<hurt>{_AR_HURT_WORD}\s+)?(?:عدد|العديد)\s+(?:كبير\s+)?من\s+{_AR_VAGUE_NOUN}"
    rf"(?P<hurt2>\s+{_AR_HURT_WORD})?|"
    rf"(?<![\u0621-\u064A])(?:عدد|العديد)\s+(?:كبير\s+)?من\s+(?:ال)?(?:شهداء|قتلى|ضحايا)(?P<hurt3>\s+{_AR_HURT_WORD})?|"
    rf"(?<![\u0621-\u064A])[وبل]?(?:سقوط|وقوع|عن)\s+(?:ال)?(?:قتلى|شهداء)(?P<hurt4>\s+{_AR_HURT_WORD})?(?![\u0621-\u064A])")
_EN_VAGUE = re.compile(
    r"\b(?:several|a number of|some|a few)\s+(?:\w+\s+){0,2}?(?:civilians|people|residents|villagers|children|women|men|family members)\s+"
    r"(?:were\s+|have been\s+|had been\s+)?(?:killed|martyred|dead|died)(?P<hurt>\s+(?:and|or)\s+(?:injured|wounded))?\b|"
    r"\b(?:killed|martyred|killing)\s+(?P<hurt2>and\s+(?:injured|wounded|injuring|wounding)\s+)?(?:several|a number of|some)\s+"
    r"(?:\w+\s+){0,2}?(?:civilians|people|residents|villagers|children|women)\b", re.I)
VAGUE_EXAMPLES: tuple[tuple[str, str, int], ...] = (
    ("ar", "دمشق-سانا استشهد عدد من المدنيين جراء عدوان إسرائيلي بالصواريخ", 2),
    ("ar", "استشهد وأصيب عدد من المواطنين جراء عدوان إسرائيلي استهدف نقاطا جنوب دمشق", 1),
    ("ar", "أن العدوان أسفر عن عدد من الشهداء والجرحى المدنيين", 1),
    ("ar", "ما أدى إلى سقوط قتلى وجرحى في صفوف المدنيين", 1),
    ("en", "Several civilians were killed in the shelling of the town", 2),
    ("en", "A number of civilians were martyred and injured in the aggression", 1),
)


def vague_counts(sentence: str, language: str) -> list[Count]:
    """Deaths a sentence tells without a number (:data:`_AR_VAGUE`, :data:`_EN_VAGUE`), each
    an open count: at least 2 for a plural of the dead, at least 1 when the dead and the hurt
    share the plural."""
    pattern = _AR_VAGUE if language == "ar" else _EN_VAGUE
    found = []
    for match in pattern.finditer(sentence):
        shared = any(match.group(k) for k in ("hurt", "hurt2", "hurt3", "hurt4") if k in pattern.groupindex)
        least = 1 if shared else 2
        found.append(Count("killed", least, None, "any", sentence.strip(), f"{language}-vague",
                           f"no number given ({match.group(0).strip()!r}): at least {least}", phrase=match.group(0).strip()))
    return found


def find_counts(sentence: str, language: str) -> list[Count]:
    """Every count a sentence states, by the cues of its language; overlapping readings of
    the same words keep the first cue of the table that matched them."""
    arabic = language == "ar"
    text = to_ascii_digits(sentence)
    counts: list[Count] = []
    taken: list[tuple[int, int]] = []
    for cue in COUNT_CUES:
        if (cue.language == "ar") != arabic:
            continue
        for match in cue.pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            number, noun = _group(match, "num"), _group(match, "noun")
            who, implied = _who(noun, arabic)
            if number:
                value = parse_number(number)
            else:
                value = implied if implied is not None else (1 if noun and cue.id.endswith(("singular", "who-died", "singular-then-died")) else None)
                if value is None and cue.kind == "injured" and noun:
                    value = implied or 1
            if value is None or value <= 0 or value > MAX_COUNT or (not noun and value >= 1000):
                continue  # a number without a noun over 999 is a year ("on 16 April 2024 killed ...")
            upper_text = _group(match, "upper")
            upper = parse_number(upper_text) if upper_text else None
            if upper is not None and (upper <= 0 or upper > MAX_COUNT):
                upper = None
            end = match.end()
            if cue.kind == "killed":
                after, dead_last = text[end:end + 40], bool(_ENDS_DEAD.search(text[match.start():end]))
                if (_AR_KILLED_AND_HURT.match(after) or (dead_last and _AR_DEAD_AND_HURT.match(after)) if arabic
                        else dead_last and _EN_KILLED_AND_HURT.match(after)):
                    continue  # the dead and the wounded in one number: not a count of the dead
                at = _noun_end(match)
                if at is not None and upper is None:
                    more, who_more, at = _conjuncts(text, at, arabic)
                    if more:
                        value += more
                        who = who if who == who_more else "any"
                        end = max(end, at)
            low, high, note = _bounds(_group(match, "qual"), value, upper)
            # "وسقوط نحو 12 جريحا": a death word's noun may be of the wounded.
            kind = "injured" if arabic and noun and noun.split()[0] in _HURT_NOUNS else cue.kind
            count = Count(kind, low, high, who, sentence.strip(), cue.id, note, phrase=sentence[match.start():end].strip())
            if who == "child":
                count.children = low
            elif who == "woman":
                count.women = low
            if kind == "killed":
                _among(count, text[match.start(): end + 80], arabic)
            counts.append(count)
            taken.append((match.start(), end))
    return counts


def _noun_end(match: re.Match[str]) -> int | None:
    """Where the person noun of a count ends, for what is joined to it."""
    for key in ("noun", "noun2", "noun3"):
        if key in match.re.groupindex and match.group(key):
            return match.end(key)
    return None


def _conjuncts(text: str, at: int, arabic: bool) -> tuple[int, str, int]:
    """People joined by "و"/"and" to a count ending at ``at``: (how many more, who they all
    are, where they end). A joined plural without a number stops the reading (it says no
    number), and so do the injured."""
    more, whom, pattern = 0, None, (_AR_CONJUNCT if arabic else _EN_CONJUNCT)
    while True:
        joined = pattern.match(text, at)
        if not joined:
            break
        number, noun, kin = joined.group("num"), joined.group("noun"), joined.group("kin")
        value: int | None = 1
        if kin:
            who = _AR_KIN.get(kin, "any") if arabic else "any"
        else:
            who, implied = _who(noun, arabic)
            if number and number.lower() not in ("a", "an"):
                value = parse_number(number)
            elif not number:
                value = implied
            if value is None:
                break
        more += value or 0
        whom = who if whom in (None, who) else "any"
        at = joined.end()
    return more, whom or "any", at


def _among(count: Count, after: str, arabic: bool) -> None:
    # ``after`` is the count's own words and a few after them: "including" may sit inside.
    """Children and women among a count: "including two women", "بينهم طفلان وامرأة"."""
    among = (_AR_AMONG if arabic else _EN_AMONG).search(after)
    if not among:
        return
    rest = re.split(r"(?:,|،)?\s*(?:وإصابة|واصابة|وأصيب|وجرح|injuring|wounding|and\s+(?:injured|wounded))", among.group("rest"))[0]
    total_of_civilians = bool(_CIVILIAN_NOUN.search(count.phrase))
    for sub in (_AR_SUBCOUNT if arabic else _EN_SUBCOUNT).finditer(rest):
        who, implied = _who(sub.group("noun"), arabic)
        number = sub.group("num")
        value = parse_number(number) if number else implied
        if value is None:
            continue
        if not total_of_civilians and _CIVILIANS_ONLY.fullmatch(sub.group("noun").strip()) and value <= count.minimum:
            # "killed eight people, including five civilians": the civilians are the count
            # of civilians killed; the others were not said to be civilians.
            count.note = f"{value} of the {count.minimum} killed are said to be civilians"
            count.minimum = count.maximum = value
            continue
        if who == "child":
            count.children = (count.children or 0) + value
        elif who == "woman":
            count.women = (count.women or 0) + value


def reports_death(text: str) -> bool:
    """Whether a text says anyone died: any death word, in either language, read after
    letters stretched to dodge moderation are made whole."""
    return _says_death(clean_text(text))


def _says_death(cleaned: str) -> bool:
    """:func:`reports_death` of a text :func:`clean_text` has read: the death words of the
    highlighting (:data:`_DEATH_WORD_AR`) or the wider vocabulary of :data:`_DEATH_STEMS`, read
    with the spellings folded (:func:`fold_for_death_words`)."""
    if _DEATH_WORD_EN.search(cleaned) or _DEATH_WORD_AR.search(cleaned):
        return True
    folded = fold_for_death_words(cleaned)
    return bool(_DEATH_STEMS.search(folded) or _GLUED_DEATH_NOUN.search(folded))


#: What "reports a death" means, in words: the stems of dying, being killed, a body, a victim,
#: a martyr, an execution, a massacre, in both languages, each word with the clitics and verb
#: prefixes Arabic joins to it ("وقتل", "لتقتل", "بالقتل", "يموت"); read on a text whose
#: spellings are folded (hamza, ta marbuta, alif maqsura; :func:`fold_for_death_words`). The
#: words that share letters with everyday ones end at a word's end ("توفي" is not "توفير",
#: "مات" is not "معلومات", "اعدام" is not "انعدام"). DEATH_WORD_EXAMPLES and NOT_DEATH_EXAMPLES
#: are checked by tests/test_incidents.py.
_AR_DEATH_STEMS = (
    r"قتل|قتيل|مقتل|استشهد|استشهاد|شهيد|شهدا(?:ي|و|ه)?|مصرع|حتف|جثه|جثث|جثت|جثمان|جثامين|رفات|ضحيه|ضحايا|ضحيت|اعدام|اعدم|"
    r"اغتيال|اغتال|اغتيل|مجزره|مجازر|ارتقي|ارتقت|ارتقوا|ارتقاء?|تصفيه|غريق|غرقي")
_AR_DEATH_WORDS_AT_END = (
    r"توفي|توفيت|توفوا|توفيا|وفاه|وفاته|وفاتها|وفاتهم|وفيات|متوفي|متوفيه|المتوفي|مات|ماتت|ماتوا|ماتا|موت|موتي|نعي|غرق|غرقا")
#: The clitics Arabic may join before a word, in their order: a conjunction (و، ف), a
#: preposition or the future's س (ب، ل، ك، س), the article (ال، لل) and a verb's person (ي،
#: ت، ن، ا): "وبالقتل", "فسيقتل", "وللشهداء", "لتقتل".
_AR_CLITICS = r"(?<![\u0621-\u064A])[وف]?[بلكس]?(?:ال|ل)?[يتنا]?"
#: A death noun with its article glued to the word before it, a space lost in scraping or
#: typing («رجالاتهاالشهداء», «بقصفالقتلى»): the article shows where the word starts.
_GLUED_DEATH_NOUN = re.compile(rf"(?<=[\u0621-\u064A]{{2}})ال(?:{_AR_DEATH_STEMS})")
_DEATH_STEMS = re.compile(
    rf"{_AR_CLITICS}(?:{_AR_DEATH_STEMS})|{_AR_CLITICS}(?:{_AR_DEATH_WORDS_AT_END})(?![\u0621-\u064A])|"
    r"(?<![\u0621-\u064A])[وف]?(?:فارق|فارقت|فارقوا)\s+الحياه|"
    r"(?<![\u0621-\u064A])[وف]?(?:اودي|اودت|يودي|تودي|حصد|حصدت|يحصد|تحصد|ازهق|ازهقت)\s+(?:\S+\s+){0,3}?(?:ب)?(?:حيا|ارواح|روح)|"
    r"(?<![\u0621-\u064A])[وفب]?(?:ال)?(?:فقد|فقدت|فقدوا|فقدا|فقدان|يفقد|تفقد|خسر|خسرت|خسروا|خساره|انهي|انهت|ينهي|تنهي|دفع|دفعت|دفعوا|"
    r"كلف|كلفت|كلفته|كلفتها|كلفتهم|كلفه|كلفها|كلفهم|سلب|سلبت|سلبه|سلبها|سلبهم|انتهت|وضع\s+حدا|وضعت\s+حدا)"
    r"\s+(?:\S+\s+){0,25}?[لب]?(?:حيات|ارواح|روح)|"
    r"(?<![\u0621-\u064A])[وف]?(?:قضي|قضت|قضوا|قضيا)\s+(?:نحب|(?:\S+\s+){0,2}?(?:\d|مدني|طفل|امراه|شخص|شاب|رجل|مواطن|سيده))|"
    r"(?<![\u0621-\u064A])[وفل]?[يت]عدم(?:ون|ان|وا)?(?![\u0621-\u064A])|"
    r"\b(?:kill\w*|dead|deaths?|died|dies|dying|martyr\w*|slain|perish\w*|execut(?:ed|ion|ions)|murder\w*|drown(?:ed|ing)|"
    r"succumb\w*|passed away|fatalit(?:y|ies)|massacre\w*|assassinat\w*|behead\w*|lynch\w*|gunned down|"
    r"bod(?:y|ies)\s+(?:of|was|were|found|recovered)|remains of|lost (?:his|her|their) li(?:fe|ves)|claimed the li(?:fe|ves)|death toll)\b",
    re.I)
DEATH_WORD_EXAMPLES: tuple[str, ...] = (
    "مقـتل شاب برصاص مجهولين", "ارتقاء ثلاثة من أبناء البلدة بقصف صاروخي", "وفاة طفلة متأثرة بجراحها", "قضى 9 مدنيون بقصف جوي",
    "انتشال رفات عائلة من تحت الأنقاض", "القوات تعدم شابين ميدانيا", "أودت الغارة بحياة امرأة", "ينعى أهالي البلدة ابنهم",
    "اغتيال مختار القرية بعبوة ناسفة", "لقي الشاب حتفه بانفجار لغم", "ق.تل مزارع في أرضه", "ماتت الطفلة من البرد في المخيم",
    "مما أدى إلى فقدان شخص لحياته وإصابة آخر", "رصاصة طائشة كلفته حياته", "وصل عددالقتلى إلى خمسة", "A farmer lost his life when a mine went off", "Two shepherds perished in the blast", "the remains of a family were recovered",
)
NOT_DEATH_EXAMPLES: tuple[str, ...] = (
    "قصف براجمات الصواريخ يستهدف أطراف مدينة إدلب", "توفير الخدمات للنازحين في المخيمات", "معلومات عن اشتباكات عنيفة بين الفصائل",
    "انعدام الأمن في المنطقة يدفع الأهالي للنزوح", "إصابة 4 مدنيين بينهم طفلة بقصف مدفعي", "قتال عنيف بين المقاتلين على محور تادف",
    "شهدت المدينة حركة نزوح واسعة", "توفيق العلي مدير المشفى يطالب بالدعم", "عائلة المشهداني تطالب بالدعم",
    "Regime artillery shelled the outskirts of Idlib; seven civilians were injured", "The skills of the medical teams were praised",
)


def fold_for_death_words(text: str) -> str:
    """A text as :data:`_DEATH_STEMS` reads it: hamza forms, ta marbuta and alif maqsura
    folded ("أعدم" = "اعدم", "وفاة" = "وفاه", "ارتقى" = "ارتقي"), and a dot or a stretch left
    between two letters to dodge moderation ("ق.تل") removed."""
    text = re.sub(r"(?<=[\u0621-\u064A])[.\u00b7\u2022\u0640]+(?=[\u0621-\u064A])", "", text)
    return text.translate(_DEATH_FOLDS)


_DEATH_FOLDS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي", "ء": None})


#: A sentence that sums up a period or a region ("since the start of the year", "خلال شهر",
#: "across Syria"): its count is not one incident's.
_SUMMARY = re.compile(
    r"\b(?:since the (?:start|beginning)|so far this (?:year|month)|this year|last (?:year|month)|in (?:19|20)\d\d\b(?! ?[,.]? (?:at|in|on))|"
    r"during (?:the month|the year|[A-Z][a-z]+ (?:19|20)\d\d)|across (?:Syria|the country)|(?:daily|monthly|annual) (?:death )?toll|"
    r"per (?:day|month)|documented the (?:deaths|killing) of \d[\d,]* (?:civilians|people)|report(?:ed)? (?:on|for) (?:the month|[A-Z][a-z]+ (?:19|20)\d\d))|"
    r"منذ\s+بداية|منذ\s+مطلع|خلال\s+(?:شهر|الشهر|العام|عام|سنة|الأسبوع|الاسبوع|الأشهر|الاشهر|الفترة|نفس\s+الفترة|\d+\s+(?:شهر|أشهر|سنوات|أيام|يوم))|"
    r"الشهر\s+(?:الماضي|الفائت|الفائتة|المنصرم)|العام\s+(?:الماضي|الفائت|المنصرم|الحالي)|السنة\s+(?:الماضية|الحالية)|في\s+عام\s+\d{4}|"
    r"حصيلة\s+(?:شهر|الشهر|العام|يومية|شهرية|سنوية)|في\s+(?:عموم|كافة)\s+(?:سوريا|الأراضي|المحافظات)|منذ\s+عام|منذ\s+\d{4}|تقريرها|تقريره\s+الشهري|"
    # Several places or days in one count: "across the enclave", "in 11 attacks", "on more than
    # 15 towns", "in separate incidents", "within less than 24 hours", "since December 1".
    r"\bacross (?:the )?(?:enclave|strip|region|north\w*|province|governorates?|provinces?|areas)\b|\bdistributed as follows\b|"
    r"\b(?:in|from) (?:\d+|two|three|four|five|six|seven|eight|nine|ten|several) (?:separate )?(?:attacks|strikes|raids|incidents|bombings)\b|"
    r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) (?:attacks|strikes|raids) (?:left|killed)\b|"
    r"\bsince (?:January|February|March|April|May|June|July|August|September|October|November|December)\b|"
    r"\bover the (?:past|last) (?:\d+ |few |two |three )?(?:days|weeks|months|hours)\b|"
    r"خلال\s+(?:كانون|شباط|آذار|اذار|نيسان|أيار|ايار|حزيران|تموز|آب|اب|أيلول|ايلول|تشرين|يناير|فبراير|مارس|أبريل|ابريل|مايو|يونيو|يوليو|"
    r"أغسطس|اغسطس|سبتمبر|أكتوبر|اكتوبر|نوفمبر|ديسمبر)(?![\u0621-\u064A])|حوادث\s+متفرقة|مناطق\s+متفرقة|"
    r"(?:في|خلال)\s+(?:أقل|اقل)\s+من\s+\d+\s+ساع|منذ\s+(?:نحو\s+|قرابة\s+|حوالي\s+)?(?:شهر|أسبوع|اسبوع|أشهر|اشهر|أسابيع|\d+\s+(?:أيام|أشهر|اشهر|أسابيع))|"
    r"(?:على|في)\s+(?:أكثر\s+من\s+|اكثر\s+من\s+)?[\d,]+\s+(?:مدن|مدينة|بلدات|بلدة|قرى|قرية|مناطق|منطقة|مواقع|موقع|موقعا|هجمات|هجوما|غارات|غارة)(?![\u0621-\u064A])|"
    # Several days, a campaign, its displaced thousands: "في 5 أيام", "جزءا من حملة عسكرية
    # أكبر", "ونزوح 120 ألف شخص", "part of a wider campaign", "in 5 days".
    r"(?:في|خلال)\s+\d+\s+(?:أيام|ساعات|أسابيع|اسابيع|أشهر|اشهر)(?![\u0621-\u064A])|حملة\s+(?:عسكرية\s+)?(?:أكبر|اكبر|واسعة)|نزوح\s+(?:أكثر\s+من\s+)?\d+\s+ألف|"
    r"\bpart of a (?:wider|larger|broader) (?:military )?campaign\b|\bin (?:\d+|two|three|four|five|six|seven) days\b|\b(?:these|the) (?:attacks|strikes|raids) (?:left|killed)\b|"
    # Several attacks in the plural ("باستهدافات قسد": by the SDF's targetings), a region with no town.
    r"(?<![\u0621-\u064A])[بو]?(?:استهدافات|اعتداءات)(?![\u0621-\u064A])|\bseparate (?:attacks|incidents)\b|"
    r"عموم\s+(?:بلدات|مناطق|قرى|ريف|المحافظة|الشمال)|الهجمات\s+(?:الأخيرة|الاخيرة)|"
    # Towns in the plural, named by none: "على مدن وبلدات ريف إدلب", "towns and villages".
    r"(?<![\u0621-\u064A])(?:ال)?(?:مدن|بلدات|قرى)\s+و\s*(?:ال)?(?:بلدات|قرى|مدن|أرياف|ارياف)(?![\u0621-\u064A])|"
    r"\b(?:towns and villages|cities and towns|villages and towns|several (?:towns|villages|cities|areas))\b|"
    # A toll that rises over a region's areas ("ليرتفع حصيلة الشهداء إلى 15 مدني ضمن مناطق هيئة
    # تحرير الشام") is a running total, not one attack's.
    r"(?<![\u0621-\u064A])[وفل]?(?:ا|ي|ت)رتفع\S*\s+(?:\S+\s+){0,8}?(?:ضمن|في)\s+(?:مناطق|عموم)(?![\u0621-\u064A])",
    re.I)
#: Sentences of both kinds, checked by tests/test_incidents.py: a summary's count is no incident's.
SUMMARY_EXAMPLES: tuple[str, ...] = (
    "مقتل 11 شخصا في حوادث متفرقة بسوريا", "توثيق مقتل 231 شخصا في سوريا خلال تموز بينهم 16 امرأة",
    "قتل 11 مدنيا جراء هجمات شنتها قوات النظام على أكثر من 15 مدينة وبلدة وقرية في ريفي إدلب وحلب",
    "وارتفاع عدد الشهداء في أقل من 24 ساعة إلى 15 مدني", "5 شهداء و38 جريحا حصيلة أولية لقصف النظام عموم بلدات ريف إدلب",
    "Israeli forces advance, 20 killed across enclave", "Since December 1, sixteen people have been killed in Turkish attacks",
    "These attacks left 17 people dead; they are distributed as follows:", "11 attacks left three civilians dead",
    "January: Three attacks left three people dead and 13 others injured.",
    "حصيلة أولية لضحايا القصف على مدن وبلدات ريف إدلب: 5 قتلى بينهم طفل وامرأة",
    "Regime shelling on towns and villages of southern Idlib killed seven civilians",
    "مقتل 16 شخصاً في 5 أيام بمحافظة درعا", "مقتل مسن وامرأة باستهدافات قسد شرق دير الزور",
    "كان هذا الهجوم جزءا من حملة عسكرية أكبر. وقد تسببت في مقتل أكثر من 70 شخصا، وإصابة 338 آخرين، ونزوح 120 ألف شخص",
    "These attacks left 25 fatalities: Six civilians, including a child and a woman, 16 military personnel",
    "ليرتفع حصيلة الشهداء إلى 15 مدني ضمن مناطق هيئة تحرير الشام والفصائل",
)
NOT_SUMMARY_EXAMPLES: tuple[str, ...] = (
    "مقتل ثلاثة مدنيين بقصف مدفعي على مدينة أريحا اليوم", "استشهاد 4 مواطنين باستهداف طائرة مسيرة لقرية بريف حماة",
    "Five people were killed in an airstrike on the town of Sarmada on Monday",
)
#: Counts of fighters are not counts of civilians: "14 combatants", "عناصر", "مقاتلين".
_COMBATANTS = re.compile(
    r"\b(?:combatants?|fighters?|soldiers?|militants?|troops|members of (?:the )?(?:factions?|regime|ISIS|SDF|HTS|forces|militias?)|"
    r"security personnel|officers?|gunmen|jihadists?|rebels?|(?:YPG|SDF|ISIS|HTS|regime|factions?|militia)\s+members)\b|(?:عناصر|عنصرا|عنصراً|مقاتلين|مقاتلا|مقاتلاً|جنود|جنديا|جندياً|عسكريين|"
    r"عسكريا|مسلحين|ضابط|ضباط|مرتزقة|ميليشيا|مليشيا|ميليشيات|لميليشيا|لقوات|للنظام|لقسد)(?![\u0621-\u064A])", re.I)
#: A count said to be of civilians, children or women is never one of fighters.
_CIVILIAN_NOUN = re.compile(r"\b(?:civilians?|children|child|women|woman|kids|babies|infants|girls?|boys?)\b|"
                            r"(?:مدني|مدنيين|مدنيا|مدنياً|مدنيون|أطفال|اطفال|طفل|طفلا|طفلاً|طفلة|طفلين|طفلان|نساء|امرأة|سيدة|مواطن)", re.I)
#: The words for civilians alone (not children or women, who are civilians among a total anyway).
_CIVILIANS_ONLY = re.compile(r"civilians?|مدنيين|مدنيا|مدنياً|مدنيًا|مدنيون|المدنيين", re.I)
_STRETCHED = re.compile(r"ـ+\s*[.]?\s*ـ*|[\u064B-\u0652]")


def clean_text(text: str) -> str:
    """The text with letters stretched or broken up to slip past moderation made whole again
    ("استشــ. ــاد", "قصـ.ـف") and short vowels removed, so cues match what a reader reads."""
    from tawthiq.lang.text import strip_bidi_controls

    return _STRETCHED.sub("", strip_bidi_controls(text or "")).replace("#", " ").replace("_", " ")


def extract_incidents(
    text: str,
    *,
    published: dt.date | None = None,
    language: str | None = None,
    title: str | None = None,
    victims: list[VictimRecord] | None = None,
) -> list[IncidentRecord]:
    """The incidents an item reports, or nothing when it reports no death.

    Counts are grouped by the place and day their clause names: a report of a strike on Ariha
    that also mentions a massacre in Tadamon gives two incidents, the item's own first. A
    clause that sums up a month or a region, recalls an earlier event, is set in another
    country, or counts fighters gives no incident count (:func:`_read_counts`). The named
    ``victims`` of the item belong to the incident of their place of death (else the first);
    each gets ``extra["incident"]``, the index of its incident. The count is at least the
    number of its named victims, and their date, place, perpetrator and cause fill what the
    item's own words leave open.
    """
    from . import news
    from tawthiq.lang.text import detect_language

    victims = victims or []
    text = clean_text(text)
    title = clean_text(title) if title else None
    whole = f"{title}\n{text}" if title and title not in text[:len(title) + 200] else text
    if not whole.strip():
        return []
    language = language or detect_language(whole) or "en"
    names = [name for v in victims if (name := v.name_ar or v.full_name)]
    counts, aside = [], []
    for reading in news.read_languages(language, whole):  # a post in Arabic inside English page furniture
        more, notes = _read_counts(whole, reading, published, names)
        counts += more
        aside += notes
    # An injured count alone still makes an incident to read: the death words may have missed
    # how the text tells a death (measured: without this, one more validation text stating a
    # death reached nobody), and a documenter reading an injury report loses minutes, while a
    # death that reaches nobody is lost.
    says_death = bool(victims) or any(r.count.kind == "killed" for r in counts) or _says_death(whole)  # ``whole`` is cleaned already
    if not counts and not says_death:
        return []
    context = news.item_context(text, title, published, names)
    groups = _group_counts(_without_totals(counts, aside, context.place), context)
    by_group: list[list[VictimRecord]] = [[] for _ in groups]
    for victim in victims:
        index = next((i for i, (place, _) in enumerate(groups) if not victim.place_of_death.is_empty()
                      and not place.is_empty() and _same_place(place, victim.place_of_death)), 0)
        victim.extra["incident"] = index
        by_group[index].append(victim)
    incidents = []
    for index, ((place, members), named) in enumerate(zip(groups, by_group)):
        incident = _incident_of(index, place, members, named, context, whole)
        incident.reports_death = says_death or incident.killed is not None
        if index == 0:
            incident.notes.extend(dict.fromkeys(aside))
        if index == 0 or incident.killed is not None:
            incidents.append(incident)
    return incidents


@dataclass
class _Reading:
    """One count with the place and day of the clause it was read from."""

    count: Count
    place: Place
    date: str | None


def _read_counts(whole: str, language: str, published: dt.date | None, names: list[str] | None = None) -> tuple[list[_Reading], list[str]]:
    """The counts of an item that may be an incident's, clause by clause (:func:`clauses`),
    and a note for each count set aside. A count is set aside when its clause sums up a period
    or a region (:data:`_SUMMARY`; so are the place-less clauses that follow one, the lines of
    its list: "القتلى: 5 قتلى"), recalls an earlier event (:data:`_BACKGROUND`), is set in
    another country (:data:`_FOREIGN`), counts fighters (:data:`_COMBATANTS`), or is a
    headline of another article (:func:`teaser_lines`). Deaths told without a number
    (:func:`vague_counts`) count only when the item gives no number of killed at all."""
    from . import news
    from tawthiq.lang.dates import parse_date

    readings: list[_Reading] = []
    vague: list[_Reading] = []
    aside: list[str] = []
    in_summary = False
    lines = whole.split("\n")
    teasers = teaser_lines(lines)
    for number, paragraph in enumerate(lines):
        if number in teasers:
            aside.extend(f"the item also says {c.phrase!r}: a headline of another article, not counted as its killed"
                         for c in find_counts(paragraph, language) if c.kind == "killed")
            continue
        for sentence in news.split_sentences(paragraph):
            parts = clauses(sentence)
            # A summary's words may come after its count in another clause ("These attacks
            # left 17 dead; they are distributed as follows"): they hold for its place-less clauses.
            whole_summary = bool(_SUMMARY.search(sentence))
            for clause in parts:
                found, unnumbered = _counts_of(clause, language)
                summary = whole_summary if len(parts) == 1 else bool(_SUMMARY.search(clause))
                if not found and not unnumbered and not in_summary and not whole_summary:
                    in_summary = summary
                    continue
                # Only where it is read (a report has thousands of clauses), and without the
                # names of the dead: Hafizah Mar'i is not killed in Mari.
                place = place_of(news._without(clause, *names) if names else clause)
                summary = summary or (whole_summary and place.is_empty())
                in_summary = summary or (in_summary and place.is_empty())
                why = _set_aside(clause, place, in_summary)
                date = parse_date(clause, published) if (found or unnumbered) and news._has_date(clause) else None
                for count in found:
                    _take(count, _Reading(count, place, date), clause, why, readings, aside)
                for count in unnumbered:
                    _take(count, _Reading(count, place, date), clause, why, vague, aside)
    if not any(r.count.kind == "killed" for r in readings):
        readings.extend(vague)
    return readings, aside


def _take(count: Count, reading: _Reading, clause: str, why: str | None, readings: list[_Reading], aside: list[str]) -> None:
    """File one count of a clause: set aside with a note when ``why`` says so, dropped when it
    is of fighters, broken down by town when its brackets do (:func:`breakdown`), else kept."""
    if why is not None:
        count.note = why
        if count.kind == "killed":
            aside.append(f"the item also says {count.phrase!r}: {why}, not counted as its killed")
        return
    if count.kind == "killed" and _of_fighters(count, clause):
        return
    pieces = breakdown(clause, count) if count.kind == "killed" and _ARABIC_LETTERS.search(count.phrase) else []
    if pieces:
        aside.append(f"the item also says {count.phrase!r}: a total it breaks down by town, not counted as one incident's killed")
        readings.extend(_Reading(piece, where, reading.date) for piece, where in pieces)
        return
    readings.append(reading)


#: A total broken down by town in brackets: "قتل 6 مدنيين، (3 منهم في دارة عزة، ومدنيان في
#: قرية برج حيدر، وامرأة في قرية كباشين)". Each part is a number or a person noun, and "في"
#: or "ب" with its place.
_BREAKDOWN = re.compile(r"^[\s،,:]*\((?P<parts>[^()]{8,400})\)")
_BREAKDOWN_PART = re.compile(
    rf"^\s*و?\s*(?:(?P<num>{NUMBER_AR})\s*)?(?P<noun>{_AR_NOUN})?\s*(?:منهم|منهن)?\s+(?:في|ب)\s*(?P<place>\S.*)$")
BREAKDOWN_EXAMPLES: tuple[tuple[str, dict[str, int]], ...] = (
    ("قتل 6 مدنيين، (3 منهم في دارة عزة، ومدنيان في قرية برج حيدر، وامرأة في قرية كباشين)، بقصف مدفعي",
     {"Daret Azza": 3, "برج حيدر": 2, "كباشين": 1}),
)


def breakdown(clause: str, count: Count) -> list[tuple[Count, Place]]:
    """The parts of a killed count broken down by town in the brackets after it (each with
    its place), when there are two towns or more; otherwise none."""
    at = clause.find(count.phrase)
    after = _BREAKDOWN.match(to_ascii_digits(clause[at + len(count.phrase):])) if at >= 0 else None
    if not after:
        return []
    parts = []
    for piece in re.split(r"[،,]", after.group("parts")):
        part = _BREAKDOWN_PART.match(piece)
        if not part or not (part.group("num") or part.group("noun")):
            continue
        who, implied = _who(part.group("noun"), True)
        value = parse_number(part.group("num")) if part.group("num") else implied
        place = place_of(part.group("place"))
        if value and _town(place):
            piece_count = Count("killed", value, value, who, count.evidence, "ar-breakdown", phrase=piece.strip())
            parts.append((piece_count, place))
    return parts if len({_town(p) for _, p in parts}) >= 2 else []


def _counts_of(clause: str, language: str) -> tuple[list[Count], list[Count]]:
    """The counts a clause states, and when it states no number of killed but has a death
    word, the deaths it tells without a number."""
    found = find_counts(clause, language)
    if not found and language == "ar":
        found = find_counts(clause, "en")  # an English quote in an Arabic post
    elif not found and _ARABIC_LETTERS.search(clause):
        found = find_counts(clause, "ar")  # an Arabic post in an English page (a tweet, a caption)
    if any(c.kind == "killed" for c in found) or not (_DEATH_WORD_AR.search(clause) or _DEATH_WORD_EN.search(clause)):
        return found, []
    unnumbered = vague_counts(clause, "ar") if _ARABIC_LETTERS.search(clause) else []
    return found, unnumbered or vague_counts(clause, "en")


def _without_totals(readings: list[_Reading], aside: list[str], home: Place) -> list[_Reading]:
    """The readings without the totals of a roundup: when an item gives killed counts in two
    towns or more, a killed count whose clause names no town ("قتل 6 مدنيين بقصف على ريف
    إدلب ... قتل طفل في جسر الشغور، وقتل مدنيان في سرمين") and is at least the sum of the
    towns' counts is their total or a region's, not one incident's (noted in ``aside``). A
    clause that names no place at all is of the item's own place (``home``); only towns the
    gazetteer knows are counted (a "منطقة ..." read as a town is no evidence of a roundup)."""
    def town(reading: _Reading) -> str | None:
        place = home if reading.place.is_empty() else reading.place
        return _town(place) if place.governorate else None

    by_town: dict[str, int] = {}
    for reading in readings:
        name = town(reading)
        if reading.count.kind == "killed" and name:
            by_town[name] = max(by_town.get(name, 0), reading.count.minimum)
    if len(by_town) < 2:
        return readings
    kept = []
    for reading in readings:
        if reading.count.kind == "killed" and town(reading) is None and reading.count.minimum >= sum(by_town.values()):
            aside.append(f"the item also says {reading.count.phrase!r}: a total over the {len(by_town)} towns it names, "
                         "not counted as one incident's killed")
        else:
            kept.append(reading)
    return kept


#: Where a page lists other articles: "مقالات ذات صلة", "اقرأ أيضا", "Related", "Prev Post".
_RELATED = re.compile(
    r"^\s*(?:مقالات\s+ذات\s+صلة|أخبار\s+ذات\s+صلة|اخبار\s+ذات\s+صلة|مواضيع\s+ذات\s+صلة|اقرأ\s+أيضا|اقرأ\s+ايضا|إقرأ\s+أيضا|"
    r"اقرأ\s+المزيد|الأكثر\s+قراءة|الاكثر\s+قراءة|آخر\s+الأخبار|اخر\s+الاخبار|آخر\s+ما\s+نشر|من\s+الممكن\s+أن\s+يعجبك|قد\s+يعجبك|"
    r"Related(?:\s+(?:posts|articles|news|stories))?|Read (?:more|also)|More (?:stories|news)|Most (?:read|popular)|"
    r"Prev(?:ious)? Post|Next Post|You may also like|Latest news)\s*:?\s*$", re.I)
#: How long a headline of another article may be.
_TEASER_CHARS = 160
#: How much of a page comes before its first list of other articles.
_BODY_CHARS = 300


def teaser_lines(lines: list[str]) -> set[int]:
    """The lines of a page that are headlines of other articles, not its own text: the short
    lines after a "related articles" heading (:data:`_RELATED`), a short line cut with an
    ellipsis ("15 قتيلا في تفجير إرهابي داخل كنيسة مار..."), and a short line written twice
    in a row (a widget's title and link), once the page has had a body of its own (a tweet cut
    with an ellipsis, or a title written twice at the top, is the item's own text)."""
    teasers: set[int] = set()
    seen = 0
    listing = False
    previous = ""
    for number, line in enumerate(lines):
        text = line.strip()
        if not text:
            continue
        short = len(text) <= _TEASER_CHARS
        if _RELATED.match(text):
            listing = True
        elif seen >= _BODY_CHARS and short and (listing or text.endswith(("...", "…")) or text == previous):
            teasers.add(number)
        elif not short:
            listing = False  # a paragraph of its own ends the list
        seen += len(text)
        previous = text
    return teasers


TEASER_EXAMPLES: tuple[tuple[str, int], ...] = (
    ("مقتل شاب أثناء مداهمات في دير الزور\n" + "قتل شاب اليوم أثناء حملة مداهمات في ريف دير الزور الشرقي. " * 6
     + "\nمقالات ذات صلة\nمقتل 3 أشخاص في شجار عائلي بالحسكة\nقصف مدفعي يستهدف مخيما شرق حلب", 1),
    ("قتل ثلاثة أشخاص في إنزال جوي في قرية الشحيل بريف دير الزور. " * 6 + "\n15 قتيلا في تفجير إرهابي داخل كنيسة مار...", 3),
    ("🔴استشهاد مواطن وإصابة 3 أطفال جراء...", 1),
)


def _set_aside(clause: str, place: Place, in_summary: bool) -> str | None:
    """Why the counts of a clause are no incident's, or ``None`` when they may be."""
    if in_summary:
        return "a summary of a period or a region"
    if _BACKGROUND.match(clause):
        return "a recall of an earlier event"
    if place.governorate is None and _FOREIGN.search(clause):  # no Syrian place (a "حي السلام" may be anywhere)
        return "an event in another country"
    return None


def _of_fighters(count: Count, clause: str) -> bool:
    """Whether a killed count is of fighters: its own words and the few after them say so
    ("7 قتلى لميليشيا أسد", "14 combatants"), not a party named later ("... لقوات النظام")."""
    at = clause.find(count.phrase)
    window = clause[max(0, at):][:len(count.phrase) + 30]
    return not _CIVILIAN_NOUN.search(count.phrase) and bool(_COMBATANTS.search(to_ascii_digits(window)))


def _group_counts(counts: list[_Reading], context: Any) -> list[tuple[Place, list[_Reading]]]:
    """The counts of an item grouped by incident, the item's own (its context place) first.

    A count joins the first group of the same place (:func:`_same_place`) and day; a group
    known by its governorate only takes the town of the first count that joins it, so that a
    roundup's "Idlib —" does not gather the strikes on Jisr al-Shughur, Sarmin and Ariha into
    one incident. A count whose clause gives a day more than one day from the group's is
    another day's incident."""
    keys: list[Place] = [context.place]
    members: list[list[_Reading]] = [[]]
    days: list[str | None] = [context.date]
    for entry in counts:
        for index, key in enumerate(keys):
            if _same_place(key, entry.place) and not _other_day(entry.date, days[index]):
                members[index].append(entry)
                if _town(key) is None and _town(entry.place) is not None:
                    keys[index] = entry.place
                break
        else:
            keys.append(entry.place)
            members.append([entry])
            days.append(entry.date)
    groups = list(zip(keys, members))
    if not groups[0][1] and len(groups) > 1 and context.place.is_empty():
        groups = groups[1:]  # the item names no place of its own: its first count's place is it
    return groups


def _incident_of(index: int, place: Place, members: list[_Reading], named: list[VictimRecord], context: Any,
                 whole: str) -> IncidentRecord:
    """The incident of one group of counts (the item's own when ``index`` is 0)."""
    from . import news

    incident = IncidentRecord(reports_death=True, named_victims=len(named))
    dates = [m.date for m in members if m.date]
    if index == 0 and context.date:
        incident.date = context.date
        incident.field_evidence["date"] = context.date_evidence or ""
    elif dates:
        incident.date = dates[0]
        incident.field_evidence["date"] = next(m.count.evidence for m in members if m.date)
    incident.place = place if not place.is_empty() else context.place
    if not incident.place.is_empty():
        incident.field_evidence["place"] = (members[0].count.evidence if members and index else context.place_evidence) or ""
    # Each sentence once, and a bounded text: a long item repeats one sentence for many counts.
    own = " ".join(dict.fromkeys(m.count.evidence for m in members))[:4000]
    perpetrator = (news.classify_perpetrator_with_evidence(own) if own else None) or (context.perpetrator if index == 0 else None)
    cause = (news.classify_cause_with_evidence(own) if own else None) or (context.cause if index == 0 else None)
    if perpetrator:
        incident.perpetrator, incident.field_evidence["perpetrator"] = perpetrator
    if cause:
        incident.cause, incident.field_evidence["cause"] = cause
    _fill_from_victims(incident, named)
    group_counts = _own_counts(members, incident)
    _set_counts(incident, group_counts, named)
    incident.spans = list(dict.fromkeys((c.phrase, c.kind) for c in group_counts if c.phrase))
    evidence = [c.evidence for c in group_counts if c.kind == "killed"] or [c.evidence for c in group_counts]
    if not evidence and index == 0:
        cue = _DEATH_WORD_AR.search(whole) or _DEATH_WORD_EN.search(whole)
        if cue:
            start = max(0, whole.rfind("\n", 0, cue.start()) + 1)
            end = whole.find("\n", cue.end())
            evidence = [whole[start: end if end > 0 else len(whole)].strip()[:600]]
            incident.spans.append((cue.group(0), "death"))
    if not evidence and named:
        evidence = [named[0].evidence]
    incident.evidence = " … ".join(dict.fromkeys(evidence))[:4000]
    return incident


#: A later count that updates the first: "the death toll rose to 9", "ارتفاع حصيلة الشهداء إلى 6".
_TOLL_UPDATE = re.compile(r"\b(?:rose|risen|rises|climbed|increased|raised|updated?|toll)\b|"
                          r"(?<![\u0621-\u064A])[وفل]?(?:ا|ي|ت)رتفع|ارتفاع|حصيلة", re.I)


_ARABIC_LETTERS = re.compile(r"[\u0621-\u064A]{3}")
#: A clause that recalls an earlier event: "وكانت قوات النظام قد ..." ("had ..."), "وكان كشف
#: تحقيق ..." (a clause opened by "وكان" + a verb tells what had happened), "Earlier, ...".
_BACKGROUND = re.compile(
    r"\s*(?:(?:وكان|وكانت|كان|كانت)\s+(?:\S+\s+){0,8}?قد\s|(?:وكان|وكانت)\s+(?:كشف|أعلن|اعلن|ذكر|نشر|وثق|وثقت|أفاد|أفادت|أعلنت|اعلنت|"
    r"ارتكب|ارتكبت|قتل|قتلت|شهد|شهدت|سقط|استشهد)(?![\u0621-\u064A])|(?:Earlier|Previously|Last (?:week|month|year))\b|"
    r"(?:\w+\s+){0,3}(?:had|have)\s+(?:previously\s+|earlier\s+|also\s+)?(?:killed|documented|reported)\b.{0,60}\b(?:in|on)\s+(?:19|20)\d\d\b)", re.I)
BACKGROUND_EXAMPLES: tuple[str, ...] = (
    "وكانت قوات الأسد قد استهدف الأحياء السكنية في معارة النعسان بتاريخ 4 نيسان ما أدى إلى مقتل أربعة أطفال",
    "وكان كشف تحقيق لصحيفة الغارديان معلومات حول المجزرة التي أسفرت عن مقتل نحو 41 شخصا",
    "Earlier, an airstrike killed five civilians in the same town",
)

#: A place outside Syria after a preposition ("في رفح", "من المغرب إلى إسبانيا", "off Lebanon"):
#: a count of a clause that names it and no Syrian place is another country's incident. The
#: countries that are perpetrators too (Turkey, Russia, Israel, the US) are left out: "قصف
#: تركي" names no place.
_FOREIGN_PLACES = (
    "غزة|قطاع غزة|رفح|خان يونس|خانيونس|جباليا|دير البلح|الضفة الغربية|جنين|نابلس|القدس|لبنان|بيروت|صيدا|صور|طرابلس|البقاع|العراق|بغداد|"
    "الموصل|الأنبار|الانبار|أربيل|اربيل|المغرب|مليلية|إسبانيا|اسبانيا|ليبيا|اليونان|إيطاليا|ايطاليا|أوكرانيا|اوكرانيا|اليمن|السودان|مصر|تونس|"
    "الأردن|الاردن|عمان|ألمانيا|المانيا|فرنسا|بريطانيا|السويد|الدنمارك|هولندا|لندن|باريس|إيرلندا|ايرلندا|بلجيكا|أفغانستان|افغانستان|باكستان")
_FOREIGN_PLACES_EN = (
    r"Gaza|the Gaza Strip|Rafah|Khan Y[ou]nis|Jabalia|the West Bank|Jenin|Nablus|Jerusalem|Lebanon|Beirut|Sidon|Tyre|Tripoli|Iraq|"
    r"Baghdad|Mosul|Anbar|Erbil|Morocco|Melilla|Spain|Libya|Greece|Italy|Ukraine|Yemen|Sudan|Egypt|Tunisia|Jordan|Amman|Germany|France|"
    r"Britain|London|Paris|(?:Northern )?Ireland|Belgium|Afghanistan|Pakistan|Palestine|Israel")
_FOREIGN = re.compile(
    rf"(?<![\u0621-\u064A])(?:في|فى|ب|من|إلى|الى|قبالة|سواحل|شواطئ|أراضي|اراضي|(?:شرق|غرب|شمال|جنوب|وسط)ي?)\s*(?:{_FOREIGN_PLACES})(?![\u0621-\u064A])|"
    rf"\b(?:in|off|from|to|across|of)\s+(?:{_FOREIGN_PLACES_EN})\b|\b(?:Palestinian|Israeli|Lebanese|Iraqi) (?:attacks|cities|towns|villages)\b")
FOREIGN_EXAMPLES: tuple[str, ...] = (
    "ارتفاع عدد ضحايا العبور من المغرب إلى إسبانيا إلى 61", "مقتل 14 فردا من عائلة واحدة في رفح",
    "قتل 14 شخصا معظمهم من الأطفال جراء استهداف منزل عائلة في حي السلام شرقي رفح",
    "SOHR says 10 people were killed in Lebanon on Tuesday",
)

#: Where one clause ends and the next begins in a sentence that tells several incidents: a
#: comma or semicolon before a new death verb ("قتل طفل في جسر الشغور، وقتل مدنيان في إدلب،
#: وقتلت امرأة في أريحا"), or "; " and ", while" in English. Each clause has its own place.
_CLAUSE_BREAK = re.compile(
    r"(?<=[،,;؛])\s*(?=[وف]?(?:كما\s+|فيما\s+|بينما\s+)?(?:قتل|قُتل|قتلت|قُتلت|استشهد|استشهدت|لقي|لقيت|توفي|توفيت|فقد|فقدت|قضى|قضت)"
    r"(?![\u0621-\u064A]))|(?<=[،,;؛])\s*(?=و(?:مقتل|استشهاد|مصرع)(?![\u0621-\u064A]))|(?<=;)\s+|,\s+(?=(?:while|whereas|meanwhile)\b)")
CLAUSE_EXAMPLES: tuple[tuple[str, int], ...] = (
    ("إذ قتل طفل بالقصف على مدينة جسر الشغور، وقتل مدنيان بقصف مماثل على مدخل مدينة إدلب، وقتلت امرأة، وأصيب 14 مدنياً بالقصف على مدينة أريحا", 3),
    ("قتل 3 مدنيين بينهم طفل، وأصيب 5 آخرون في أريحا", 1),
    ("Two civilians were killed in Ariha, while three died in Sarmin", 2),
)


def clauses(sentence: str) -> list[str]:
    """The clauses of a sentence that tells several incidents, each from its death verb
    (:data:`_CLAUSE_BREAK`); a sentence that tells one is one clause."""
    return [c.strip() for c in _CLAUSE_BREAK.split(sentence) if c.strip()]


def place_of(text: str) -> Place:
    """The place a clause names."""
    from tawthiq.lang.places import resolve_place

    return resolve_place(text)


def _other_day(day: str | None, of: str | None) -> bool:
    """Whether a sentence's full date is more than a day from the incident's."""
    if not day or not of or len(day) < 10 or len(of) < 10:
        return False
    try:
        return abs((dt.date.fromisoformat(day[:10]) - dt.date.fromisoformat(of[:10])).days) > 1
    except ValueError:
        return False


def _own_counts(members: list[_Reading], incident: IncidentRecord) -> list[Count]:
    """The counts of a group that are its incident's: the first killed count the item states
    (its title or lede), and a later one that differs only when its clause names the same
    town again or updates the toll ("rose to", "ارتفاع حصيلة"). A different count in a clause
    that names no town or another town of the governorate ("the campaign has killed 61", "4
    killed in Sarmin" in a report on Idlib city), or of another day, is another incident's or a
    total, not a second reading of this one: it is noted, not counted."""
    killed = [m for m in members if m.count.kind == "killed"]
    if len(killed) < 2:
        return [m.count for m in members]
    lead = next((m for m in killed if m.count.who == "any"), killed[0])
    first = lead.count
    towns = {t for t in (_town(lead.place), _town(incident.place)) if t}
    own, aside = [], []
    for member in members:
        count = member.count
        if count.kind != "killed" or count is first or (not _other_day(member.date, incident.date) and (
                count.minimum == first.minimum or _town(member.place) in towns or count.who != first.who
                or _TOLL_UPDATE.search(count.evidence))):
            own.append(count)
        else:
            aside.append(count)
    for count in aside:
        incident.notes.append(f"the item also says {count.phrase!r} in a sentence of another place, day or event: "
                              "not counted as its killed")
    return own


def _fill_from_victims(incident: IncidentRecord, victims: list[VictimRecord]) -> None:
    if not victims:
        return
    first = victims[0]
    if incident.date is None and first.date_of_death:
        incident.date = first.date_of_death
        incident.field_evidence["date"] = first.field_evidence.get("date_of_death", first.evidence)
    if incident.place.is_empty() and not first.place_of_death.is_empty():
        incident.place = first.place_of_death
        incident.field_evidence["place"] = first.field_evidence.get("place_of_death", first.evidence)
    if incident.perpetrator == "unknown" and first.perpetrator != "unknown":
        incident.perpetrator = first.perpetrator
    if incident.cause == "unknown" and first.cause != "unknown":
        incident.cause = first.cause


def _set_counts(incident: IncidentRecord, counts: list[Count], victims: list[VictimRecord]) -> None:
    killed = [c for c in counts if c.kind == "killed"]
    # A count of children or women alone ("مقتل طفلين") is a total only when no count of
    # anyone is given; otherwise it is a part of the total.
    totals = [c for c in killed if c.who == "any"] or killed
    if totals:
        stated = Counter(c.minimum for c in totals)
        best = max(stated, key=lambda v: (stated[v], v))
        incident.killed = best
        incident.killed_min = min(c.minimum for c in totals)
        closed = [c.maximum for c in totals if c.maximum is not None]
        incident.killed_max = max(closed) if closed else None
        open_ended = [c.minimum for c in totals if c.maximum is None]
        if open_ended and (incident.killed_max is None or incident.killed_max < max(open_ended)):
            incident.killed_max = None  # "at least N" leaves the top open
        if len(stated) > 1:
            values = ", ".join(str(v) for v in sorted(stated))
            incident.notes.append(f"the item gives different killed counts ({values}): kept as a range; "
                                  f"{best} is the one it states most")
        incident.notes.extend(dict.fromkeys(c.note for c in totals if c.note))
        incident.field_evidence["killed"] = next(c.evidence for c in totals if c.minimum == best)
        children = [c.children for c in killed if c.children]
        women = [c.women for c in killed if c.women]
        if children:
            incident.children_killed = max(children)
            incident.field_evidence["children_killed"] = next(c.evidence for c in killed if c.children == incident.children_killed)
        if women:
            incident.women_killed = max(women)
            incident.field_evidence["women_killed"] = next(c.evidence for c in killed if c.women == incident.women_killed)
    named = len(victims)
    if named and incident.killed is not None and incident.killed < named:
        # The text's own count is firmer than the number of names read from it (a name read
        # wrongly, one of the injured, a victim of another incident): the count stays, the top
        # of the range takes the names, and the documenter, who links the named, decides.
        incident.notes.append(f"the item names {named} victims but counts {incident.killed}: "
                              f"kept as a range {incident.killed_min}–{named}")
        if incident.killed_max is not None and incident.killed_max < named:
            incident.killed_max = named
    elif named and incident.killed is None:
        incident.killed = named
        incident.killed_min = max(incident.killed_min or 0, named)
        if incident.killed_max is not None and incident.killed_max < named:
            incident.killed_max = named
        incident.field_evidence.setdefault("killed", f"{named} named victim(s)")
        if not totals:
            # Naming N dead does not say that only N died: the top stays open.
            incident.notes.append(f"at least {named}: the item names {named} victim(s) and states no count")
            return _set_parts(incident, counts, victims)
    if incident.killed is not None and incident.killed_max is None and not any(c.maximum is None for c in totals):
        incident.killed_max = max(incident.killed, incident.killed_min or 0)
    _set_parts(incident, counts, victims)


def _set_parts(incident: IncidentRecord, counts: list[Count], victims: list[VictimRecord]) -> None:
    named_children = sum(1 for v in victims if v.is_child)
    named_women = sum(1 for v in victims if v.sex == "female" and v.is_child is False)
    if named_children > (incident.children_killed or 0):
        incident.children_killed = named_children
    if named_women > (incident.women_killed or 0):
        incident.women_killed = named_women
    injured = [c for c in counts if c.kind == "injured"]
    if injured:
        incident.injured_min = min(c.minimum for c in injured)
        incident.injured_max = max(c.maximum if c.maximum is not None else c.minimum for c in injured)
        incident.field_evidence["injured"] = injured[0].evidence


def _same_place(a: Place, b: Place) -> bool:
    """Whether two places read from one item are one place: the same locality, or the same
    governorate when either locality is missing or is only the governorate's own city (a
    dateline's "Idlib –" or "ريف إدلب" says the governorate, not a second town); a place with
    neither joins any."""
    if a.is_empty() or b.is_empty():
        return True
    la, lb = _town(a), _town(b)
    if la and lb:
        return la == lb
    return not a.governorate or not b.governorate or a.governorate == b.governorate


def _town(place: Place) -> str | None:
    from tawthiq.lang.latin import fold_text as fold

    if not place.locality:
        return None
    if place.governorate and fold(place.locality) == fold(place.governorate):
        return None
    return fold(place.locality)
