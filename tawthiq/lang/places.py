"""Places: Syria's 14 governorates and their towns, in Arabic and Latin spellings.

``canonical_governorate`` maps any spelling ("Deir ez-Zor", "Dayr al-Zawr", "دير الزور",
"Deir Ezzor governorate") to the canonical name used everywhere in tawthiq (DESIGN.md).
``resolve_place`` reads a place phrase ("Theyban town in the eastern suburbs of Deir Ez-Zour",
"eastern rural Idlib", "بلدة سرمين بريف إدلب") into locality + governorate using the gazetteer.

The gazetteer is ``tawthiq/lang/data/gazetteer.json`` when present (built by
``scripts/build_gazetteer.py`` from GeoNames, CC BY 4.0) merged with the curated list below of
towns that appear often in casualty reporting.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from .arabic import fold_arabic, is_arabic
from .latin import fold_text as fold
from .latin import strip_article

#: Syria's governorates, canonical names (DESIGN.md's vocabulary).
GOVERNORATES: tuple[str, ...] = (
    "Aleppo",
    "Damascus",
    "Rural Damascus",
    "Daraa",
    "Deir Ez-Zour",
    "Hama",
    "Hasaka",
    "Homs",
    "Idlib",
    "Latakia",
    "Quneitra",
    "Raqqa",
    "Suwayda",
    "Tartus",
)

GOVERNORATES_AR: dict[str, str] = {
    "Aleppo": "حلب",
    "Damascus": "دمشق",
    "Rural Damascus": "ريف دمشق",
    "Daraa": "درعا",
    "Deir Ez-Zour": "دير الزور",
    "Hama": "حماة",
    "Hasaka": "الحسكة",
    "Homs": "حمص",
    "Idlib": "إدلب",
    "Latakia": "اللاذقية",
    "Quneitra": "القنيطرة",
    "Raqqa": "الرقة",
    "Suwayda": "السويداء",
    "Tartus": "طرطوس",
}

@dataclass
class Place:
    """A place as locality + governorate; either may be unknown (None)."""

    governorate: str | None = None
    locality: str | None = None

    def is_empty(self) -> bool:
        return not self.governorate and not self.locality


#: Spellings of each governorate (lower-case Latin, and Arabic), beyond its canonical name.
GOVERNORATE_ALIASES: dict[str, tuple[str, ...]] = {
    "Aleppo": ("aleppo", "halab", "haleb", "alep", "حلب"),
    "Damascus": ("damascus", "dimashq", "damas", "al-sham", "دمشق"),
    "Rural Damascus": ("rural damascus", "damascus suburbs", "damascus countryside", "rif dimashq", "reef dimashq",
                       "rif damascus", "reef damascus", "damascus rural", "ريف دمشق"),
    "Daraa": ("daraa", "dara'a", "deraa", "dar'a", "dera'a", "daraâ", "درعا"),
    "Deir Ez-Zour": ("deir ez-zour", "deir ez-zor", "deir ezzor", "deir al-zour", "deir al-zor", "deir el-zour",
                     "deir ez zour", "deir ez zor", "dayr al-zawr", "dayr az-zawr", "deir-ez-zor", "deir ezzour",
                     "deir-ez-zour", "deirezzor", "deir al zour", "deir zor", "دير الزور", "ديرالزور"),
    "Hama": ("hama", "hamah", "hamat", "حماة", "حماه"),
    "Hasaka": ("hasaka", "hasakah", "hassakeh", "al-hasakah", "al-hasaka", "hasakeh", "al-hassakeh", "hassaka", "الحسكة"),
    "Homs": ("homs", "hims", "حمص"),
    "Idlib": ("idlib", "idleb", "edlib", "إدلب", "ادلب"),
    "Latakia": ("latakia", "lattakia", "al-ladhiqiyah", "ladhiqiyah", "lattaquié", "اللاذقية"),
    "Quneitra": ("quneitra", "al-quneitra", "qunaytirah", "kuneitra", "القنيطرة"),
    "Raqqa": ("raqqa", "al-raqqa", "ar-raqqah", "raqqah", "rakka", "الرقة"),
    "Suwayda": ("suwayda", "sweida", "as-suwayda", "al-suwayda", "suwaida", "sweida'", "swaida", "السويداء"),
    "Tartus": ("tartus", "tartous", "tartous", "tartoos", "طرطوس"),
}

#: Curated towns and villages: (Latin spellings, Arabic spellings, governorate).
TOWNS: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = (
    (("Sarmin", "Sarmeen"), ("سرمين",), "Idlib"),
    (("Saraqeb", "Saraqib"), ("سراقب",), "Idlib"),
    (("Ariha",), ("أريحا", "اريحا"), "Idlib"),
    (("Maarrat al-Numan", "Ma'arrat al-Nu'man", "Maarat al-Numan", "Maarrat Al Nouman"), ("معرة النعمان",), "Idlib"),
    (("Jisr al-Shughour", "Jisr ash-Shughur", "Jisr al-Shoghour"), ("جسر الشغور",), "Idlib"),
    (("Kafr Nabl", "Kafranbel", "Kafr Nubl"), ("كفرنبل",), "Idlib"),
    (("Sarmada",), ("سرمدا",), "Idlib"),
    (("Binnish", "Binnsh", "Benesh"), ("بنش",), "Idlib"),
    (("Khan Shaykhun", "Khan Sheikhoun", "Khan Shaykhoun"), ("خان شيخون",), "Idlib"),
    (("Dana", "al-Dana"), ("الدانا",), "Idlib"),
    (("Harem", "Harim"), ("حارم",), "Idlib"),
    (("Al-Bara", "al-Bara"), ("البارة",), "Idlib"),
    (("Atarib", "al-Atarib", "Al Atareb", "Atareb"), ("الأتارب", "الاتارب"), "Aleppo"),
    (("Afrin", "Afreen"), ("عفرين",), "Aleppo"),
    (("Azaz", "A'zaz", "Azaz city"), ("أعزاز", "اعزاز"), "Aleppo"),
    (("al-Bab", "Al Bab"), ("الباب",), "Aleppo"),
    (("Manbij", "Menbij"), ("منبج",), "Aleppo"),
    (("Jarablus",), ("جرابلس",), "Aleppo"),
    (("Daret Azza", "Darat Izza", "Daret Izza"), ("دارة عزة",), "Aleppo"),
    (("Anadan",), ("عندان",), "Aleppo"),
    (("Tal Rifaat", "Tal Rifat"), ("تل رفعت",), "Aleppo"),
    (("Ain al-Arab", "Kobani", "Kobane"), ("عين العرب", "كوباني"), "Aleppo"),
    (("Tafas",), ("طفس",), "Daraa"),
    (("Daraa al-Balad",), ("درعا البلد",), "Daraa"),
    (("Nawa",), ("نوى",), "Daraa"),
    (("Jasim",), ("جاسم",), "Daraa"),
    (("Busra al-Sham", "Bosra"), ("بصرى الشام",), "Daraa"),
    (("Inkhil", "Inkhel"), ("إنخل", "انخل"), "Daraa"),
    (("al-Sanamayn", "Sanamayn"), ("الصنمين",), "Daraa"),
    (("Dael",), ("داعل",), "Daraa"),
    (("al-Ghariya al-Sharqiya", "Ghariyah al-Sharqiyah"), ("الغارية الشرقية",), "Daraa"),
    (("Muzayrib", "al-Muzayrib"), ("المزيريب",), "Daraa"),
    (("Theyban", "Dhiban", "Thiban", "Diban"), ("ذيبان",), "Deir Ez-Zour"),
    (("al-Mayadin", "Mayadin", "Al Mayadeen"), ("الميادين",), "Deir Ez-Zour"),
    (("Albu Kamal", "Abu Kamal", "al-Bukamal", "Bukamal"), ("البوكمال",), "Deir Ez-Zour"),
    (("Hajin",), ("هجين",), "Deir Ez-Zour"),
    (("al-Shuhayl", "Shuhail", "al-Shheil"), ("الشحيل",), "Deir Ez-Zour"),
    (("al-Busayrah", "Busayra", "al-Busayra"), ("البصيرة",), "Deir Ez-Zour"),
    (("Kafr Zita", "Kafr Zeita", "Kafrzita"), ("كفرزيتا", "كفر زيتا"), "Hama"),
    (("Kafr Nabuda", "Kafr Nbouda", "Kafrnabuda"), ("كفرنبودة", "كفر نبودة"), "Hama"),
    (("al-Latamina", "Latamneh", "al-Lataminah"), ("اللطامنة",), "Hama"),
    (("Muhradah", "Mhardeh"), ("محردة",), "Hama"),
    (("Salamiyah", "Salamiyeh", "Salamiya"), ("السلمية", "سلمية"), "Hama"),
    (("Qalaat al-Madiq", "Qal'at al-Madiq"), ("قلعة المضيق",), "Hama"),
    (("Douma", "Duma"), ("دوما",), "Rural Damascus"),
    (("Harasta",), ("حرستا",), "Rural Damascus"),
    (("Darayya", "Daraya"), ("داريا",), "Rural Damascus"),
    (("Zamalka",), ("زملكا",), "Rural Damascus"),
    (("Jobar",), ("جوبر",), "Damascus"),
    (("al-Tall", "Al Tal"), ("التل",), "Rural Damascus"),
    (("Madaya",), ("مضايا",), "Rural Damascus"),
    (("Zabadani", "al-Zabadani"), ("الزبداني",), "Rural Damascus"),
    (("Kafr Batna",), ("كفربطنا", "كفر بطنا"), "Rural Damascus"),
    (("Saqba",), ("سقبا",), "Rural Damascus"),
    (("Sednaya", "Saydnaya", "Sednaya prison", "Saydnaya prison"), ("صيدنايا",), "Rural Damascus"),
    (("Yarmouk", "Yarmouk camp"), ("اليرموك", "مخيم اليرموك"), "Damascus"),
    (("al-Qaboun", "Qaboun"), ("القابون",), "Damascus"),
    (("Barzeh", "Barza"), ("برزة",), "Damascus"),
    (("Sayyidah Zaynab", "Sayyida Zaynab", "Sayyida Zeinab", "Sayeda Zeinab"), ("السيدة زينب",), "Rural Damascus"),
    (("Kafr Sousa", "Kafarsouseh", "Kafr Souseh"), ("كفرسوسة", "كفر سوسة"), "Damascus"),
    (("al-Rastan", "Rastan"), ("الرستن",), "Homs"),
    (("Talbiseh", "Talbisa"), ("تلبيسة",), "Homs"),
    (("al-Houla", "Houla"), ("الحولة",), "Homs"),
    (("Palmyra", "Tadmur"), ("تدمر",), "Homs"),
    (("al-Qusayr", "Qusayr"), ("القصير",), "Homs"),
    (("al-Waer", "Waer"), ("الوعر",), "Homs"),
    (("Tabqa", "al-Tabqa"), ("الطبقة",), "Raqqa"),
    (("Tal Abyad", "Tell Abyad"), ("تل أبيض", "تل ابيض"), "Raqqa"),
    (("Ain Issa",), ("عين عيسى",), "Raqqa"),
    (("Qamishli", "al-Qamishli", "Qamishlo"), ("القامشلي",), "Hasaka"),
    (("Ras al-Ain", "Ras al-Ayn", "Serekaniye"), ("رأس العين",), "Hasaka"),
    (("al-Hol", "al-Hawl"), ("الهول",), "Hasaka"),
    (("Jableh", "Jabla"), ("جبلة",), "Latakia"),
    (("Kabani", "Kabbana"), ("كبانة",), "Latakia"),
    (("Baniyas", "Banias"), ("بانياس",), "Tartus"),
    (("Safita",), ("صافيتا",), "Tartus"),
    (("Shahba",), ("شهبا",), "Suwayda"),
    (("Khan Arnabah", "Khan Arnaba"), ("خان أرنبة",), "Quneitra"),
)

_LOCALITY_WORDS = r"(?:town|village|city|neighbourhood|neighborhood|district|area|camp|suburb|countryside)"
_AR_LOCALITY_WORDS = ("بلدة", "قرية", "مدينة", "حي", "مخيم", "منطقة", "ناحية")


_PERSIAN_LETTER = re.compile("[یکگپچژۀ]")


#: Nouns that begin many place names (Tal Brak, Tell Abyad, Deir Hafer, Kafr Nabl, Ain Issa): on
#: their own, without the article, they name no one town, so they are no key of the town whose
#: name they also are (al-Tall, "Tal"): "Tal Brak" is not al-Tall.
_GENERIC_PLACE_NOUNS = frozenset({"tal", "tall", "tell", "tel", "deir", "dayr", "der", "kafr", "kfar", "ain", "ayn", "jisr", "ras",
                                  "khan", "bir", "qasr", "jabal", "jebel", "wadi", "tal'at", "maarat", "umm", "abu"})


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """(governorate alias -> canonical, locality key -> (display name, governorate))."""
    govs: dict[str, str] = {}
    for canonical, aliases in GOVERNORATE_ALIASES.items():
        for alias in (canonical, *aliases):
            key = fold_arabic(alias) if is_arabic(alias) else fold(alias)
            govs[key] = canonical
    towns: dict[str, tuple[str, str]] = {}
    for latin, arabic, gov in TOWNS:
        for name in latin:
            for key in (fold(name), strip_article(fold(name))):
                if key not in _GENERIC_PLACE_NOUNS:
                    towns.setdefault(key, (latin[0], gov))
        for name in arabic:
            towns.setdefault(fold_arabic(name), (latin[0], gov))
    try:
        data = json.loads((files("tawthiq.lang") / "data" / "gazetteer.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, OSError, ValueError, ModuleNotFoundError):
        data = {}
    found: dict[str, set[str]] = {}
    display: dict[str, str] = {}
    for entry in data.get("localities", []):
        gov = entry.get("governorate")
        if gov not in GOVERNORATES:
            continue
        for name in entry.get("names", []):
            if _PERSIAN_LETTER.search(name):
                # GeoNames also lists Persian and Urdu spellings (دیرالزور). Folded into Arabic
                # letters they would become Arabic spellings no Arabic source uses for the
                # town, and glued ديرالزور is how posts write the governorate.
                continue
            keys = [fold_arabic(name)] if is_arabic(name) else [fold(name), strip_article(fold(name))]
            for key in keys:
                # Short keys and names of towns in two governorates (there are two Surans) say
                # nothing certain about a place; the curated list above settles the common ones.
                if len(key) >= 4 and key not in towns and key not in _GENERIC_PLACE_NOUNS:
                    found.setdefault(key, set()).add(gov)
                    display.setdefault(key, entry.get("name") or name)
    for key, govs_of_key in found.items():
        if len(govs_of_key) == 1:
            towns[key] = (display[key], next(iter(govs_of_key)))
    return govs, towns


@lru_cache(maxsize=10_000)
def canonical_governorate(name: str | None) -> str | None:
    """One of the 14 canonical governorate names for any spelling, or ``None``. Never raises."""
    if not name or not isinstance(name, str):
        return None
    govs, _ = _gazetteer()
    text = name.strip()
    if is_arabic(text):
        key = fold_arabic(re.sub(r"^(محافظة|ريف)\s+", lambda m: "ريف " if m.group(1) == "ريف" else "", text))
        if key in govs:
            return govs[key]
        key = fold_arabic(re.sub(r"^محافظة\s+", "", text))
        return govs.get(key)
    key = fold(text)
    key = re.sub(r"\b(governorate|province|muhafazat|city)\b", "", key).strip()
    key = re.sub(r"^(the)\s+", "", key)
    if key in govs:
        return govs[key]
    if key.startswith(("rural ", "reef ", "rif ")) or key.endswith(("suburbs", "countryside")):
        base = re.sub(r"^(rural|reef|rif)\s+|\s+(suburbs|countryside)$", "", key).strip()
        if govs.get(base) == "Damascus":
            return "Rural Damascus"
        return govs.get(base)
    return None


@lru_cache(maxsize=20_000)
def governorate_of_locality(name: str | None) -> str | None:
    """The governorate of a town or village given on its own ("Saqba", "سقبا", "al-Rastan"),
    when the gazetteer knows it in one governorate only; ``None`` otherwise. Never raises."""
    if not name or not isinstance(name, str):
        return None
    _, towns = _gazetteer()
    if is_arabic(name):
        keys = [fold_arabic(name.strip())]
    else:
        key = fold(name)
        keys = [key, strip_article(key)]
    for key in keys:
        if key in towns:
            return towns[key][1]
    return None


#: What continues a word, around a place name: letters and digits of any script (``\w``),
#: Arabic short vowels and tatweel. Not Arabic punctuation: «إدلب،» is إدلب and a comma (the
#: Arabic block U+0600–U+06FF holds the comma ، the semicolon ؛ and the question mark ؟ too).
_WORD_CHAR = r"[\w\u064B-\u065F\u0670\u0640]"


def find_governorate(text: str) -> str | None:
    """The first governorate named anywhere in ``text``."""
    if not text:
        return None
    govs, _ = _gazetteer()
    best: tuple[int, str] | None = None
    folded_latin = fold(text)
    folded_ar = fold_arabic(text)
    damascus_rural = re.search(r"(rural|reef|rif)\s+damascus|damascus\s+(suburbs|countryside)|ريف دمشق", f"{folded_latin} {folded_ar}")
    for key, canonical in govs.items():
        haystack = folded_ar if is_arabic(key) else folded_latin
        match = re.search(rf"(?<!{_WORD_CHAR}){re.escape(key)}(?!{_WORD_CHAR})", haystack)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), canonical)
    if best and best[1] == "Damascus" and damascus_rural:
        return "Rural Damascus"
    return best[1] if best else None


@lru_cache(maxsize=1)
def _locality_patterns() -> tuple[re.Pattern[str] | None, re.Pattern[str] | None, dict[str, tuple[str, str]]]:
    """One alternation per script over every known locality, longest first (so that at one
    position the longest name wins), compiled once: a report is scanned once, not once per
    town."""
    _, towns = _gazetteer()
    latin = sorted((k for k in towns if not is_arabic(k)), key=len, reverse=True)
    arabic = sorted((k for k in towns if is_arabic(k)), key=len, reverse=True)
    latin_re = re.compile(r"(?<![\w])(" + "|".join(map(re.escape, latin)) + r")(?!" + _WORD_CHAR + ")") if latin else None
    # Arabic prefixes (ب، ل، و، ف) attach to the word: allow them before a locality.
    arabic_re = re.compile(r"(?<!" + _WORD_CHAR + r")[وفبل]?(" + "|".join(map(re.escape, arabic)) + r")(?!" + _WORD_CHAR + ")") if arabic else None
    return latin_re, arabic_re, towns


def find_locality(text: str) -> tuple[str, str] | None:
    """The first known town or village in ``text`` as (name, governorate)."""
    found = _locality_in(text)
    return found[2] if found else None


def _locality_in(text: str) -> tuple[str, int, tuple[str, str]] | None:
    """The first known town or village in ``text``: the folded text it was found in, where,
    and (name, governorate)."""
    if not text:
        return None
    latin_re, arabic_re, towns = _locality_patterns()
    best: tuple[int, int, tuple[str, str], str] | None = None
    for pattern, haystack in ((latin_re, fold(text)), (arabic_re, fold_arabic(text))):
        match = pattern.search(haystack) if pattern is not None else None
        if match:
            key = match.group(1)
            candidate = (match.start(1) - (1 if match.start(1) > match.start() else 0), -len(key), towns[key], haystack)
            if best is None or candidate[:2] < best[:2]:
                best = candidate
    return (best[3], best[0], best[2]) if best else None


def _sentence_at(text: str, position: int) -> str:
    """The sentence of ``text`` that holds ``position``."""
    starts = [m.end() for m in re.finditer(r"[.!?؟\n]", text[:position])]
    end = re.search(r"[.!?؟\n]", text[position:])
    return text[(starts[-1] if starts else 0):position + (end.start() if end else len(text))]


def resolve_place(text: str | None) -> Place:
    """Locality + governorate from a place phrase; unknown parts stay ``None``. Never raises."""
    if not text or not isinstance(text, str):
        return Place()
    governorate = find_governorate(text)
    found = _locality_in(text)
    if found:
        haystack, position, (name, gov) = found
        village = _village_of(text, name)
        if village:
            return Place(governorate=gov, locality=village)
        # "Daraa al-Balad" is a locality of Daraa; a town's own governorate wins over a
        # governorate mentioned in passing (in another sentence: "... اعزاز اليوم. وفي ريف
        # إدلب ...") unless its own sentence names another explicitly.
        if governorate is not None and governorate != gov:
            governorate = find_governorate(_sentence_at(haystack, position))
        if governorate is None or governorate == gov or (gov == "Rural Damascus" and governorate == "Damascus"):
            return Place(governorate=gov, locality=name)
        return Place(governorate=governorate, locality=name)
    if governorate:
        return Place(governorate=governorate, locality=_named_locality(text, governorate))
    return Place(locality=_named_locality(text, None))


#: Words after a place word's name that are not the name's second word ("قرية عطالة من جراء
#: ...", "بلدة ذيبان اليوم"): prepositions, times, relatives.
_AR_NOT_IN_NAME_PREFIXES = ("في", "ب", "شرق", "غرب", "شمال", "جنوب")
_AR_NOT_IN_NAME = frozenset({"من", "على", "إلى", "الى", "عن", "مع", "جراء", "إثر", "اثر", "بعد", "قبل", "خلال", "اليوم", "أمس", "امس",
                             "التابعة", "الواقعة", "الذي", "التي", "ضمن", "قرب", "بين", "وسط", "ريف", "منذ", "حيث", "مما", "ما",
                             "وذلك", "وقد", "أثناء", "اثناء", "عند", "لدى", "حين"})


def _village_name(phrase: str) -> str:
    """The name of one or two words read after a place word, without a second word that is a
    preposition, a time or a relative (:data:`_AR_NOT_IN_NAME`): "عطالة من" is "عطالة"."""
    words = phrase.split()
    return words[0] if len(words) > 1 and (words[1].startswith(_AR_NOT_IN_NAME_PREFIXES) or words[1] in _AR_NOT_IN_NAME) else phrase


#: A village the gazetteer lacks, placed by a known town after it: "قرية الدابس بريف جرابلس",
#: "بلدة كفرعويد شرق سراقب", "قرية المستريحة التابعة لمدينة عين عيسى". The village is where it
#: happened; the town gives the governorate.
_VILLAGE_OF_TOWN = re.compile(
    r"(?:^|(?<=[\s،,(]))[وفبل]?(?:ال)?(?:قرية|بلدة|مزرعة)\s+([\u0621-\u064A]+(?:\s+[\u0621-\u064A]+)?)\s*[،,]?\s+"
    r"(?:(?:في|ب|من)\s*)?(?:(?:ال)?ريف|منطقة|ناحية|(?:شرق|غرب|شمال|جنوب)ي?|قرب|بالقرب\s+من|التابعة\s+(?:لمنطقة|لمدينة|لناحية|ل))\s*")


def _village_of(text: str, town: str) -> str | None:
    """The unknown village just before the first known ``town`` of ``text``, when the words
    between place it there (:data:`_VILLAGE_OF_TOWN`), else ``None``."""
    for match in _VILLAGE_OF_TOWN.finditer(text):
        after = _locality_in(text[match.end():match.end() + 60])
        if after is None or after[2][0] != town or after[1] > 3:
            continue
        name = _village_name(match.group(1))
        if canonical_governorate(name) is None and _locality_in(name) is None and name not in _AR_NOT_IN_NAME:
            return name
    return None


def _named_locality(text: str, governorate: str | None) -> str | None:
    """A locality named with a place word ("Kafr Owaid village", "بلدة كفرعويد") that the
    gazetteer does not know."""
    match = re.search(rf"\b((?:al-|Al-|el-)?[A-Z][\w'\-]+(?:\s+(?:al-)?[A-Z][\w'\-]+){{0,2}})\s+{_LOCALITY_WORDS}\b", text)
    if match:
        name = match.group(1)
        if canonical_governorate(name) is None and name.lower() not in ("the", "a"):
            return name
    for word in _AR_LOCALITY_WORDS:
        match = re.search(rf"(?:^|\s|[بلو]){word}\s+([\u0621-\u064A]+(?:\s+(?:ال)?[\u0621-\u064A]+)?)", text)
        if match:
            name = _village_name(match.group(1))
            if canonical_governorate(name) is None:
                return name
    return None
