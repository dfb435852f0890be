"""Arabic script: folding, titles, name links, the given-name lexicon and a readable Latin
rendering of Arabic-script names.

Extraction (finding names in text) and matching (telling whether two records are one person)
both read Arabic names; this module is the one place that says how. :func:`fold_arabic` is the
single spelling-insensitive form: no diacritics or tatweel; alef, hamza seats, taa marbuta and
alef maqsura folded; Persian and Kurdish letters as their Arabic twins; Arabic-Indic digits as
ASCII digits. It keeps the text's length only up to those removals, so it is for comparing and
looking up, not for offsets into the original text.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")
_AR_DIACRITICS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]")
_AR_FOLD = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي",
    "ک": "ك", "گ": "ك", "ی": "ي", "ي": "ي", "پ": "ب", "چ": "ش", "ڤ": "ف", "ژ": "ز", "ڨ": "ق",
    "٠": "0", "١": "1", "٢": "2", "٣": "3", "٤": "4", "٥": "5", "٦": "6", "٧": "7", "٨": "8", "٩": "9",
    "۰": "0", "۱": "1", "۲": "2", "۳": "3", "۴": "4", "۵": "5", "۶": "6", "۷": "7", "۸": "8", "۹": "9",
})


def is_arabic(text: str | None) -> bool:
    """Whether ``text`` has any letter of the Arabic block."""
    return bool(ARABIC_LETTER.search(text or ""))


def fold_arabic(text: str) -> str:
    """Arabic script without diacritics or tatweel, with alef, hamza, taa marbuta, alef
    maqsura and Persian letters folded, and Arabic-Indic digits as ASCII digits."""
    return _AR_DIACRITICS.sub("", unicodedata.normalize("NFC", text)).translate(_AR_FOLD)


#: Words written before a name that are not part of it, as they are spelt in text. Extraction
#: strips them from a name it found; matching drops them (folded) from the head of a name.
TITLES = ("الطفل", "الطفلة", "الشاب", "الشابة", "السيدة", "المواطن", "المواطنة", "الشهيد", "الشهيدة", "الدكتور",
          "د.", "الحاج", "الحاجة", "الشيخ", "المهندس", "الطبيب", "الطبيبة")
#: Folded :data:`TITLES`, for word lookups (``د`` also bare, as split text leaves it).
TITLE_WORDS = frozenset(fold_arabic(title).rstrip(".") for title in TITLES)
#: "son of", "daughter of": links between the parts of a name, not parts themselves.
LINKS = frozenset({"بن", "ابن", "بنت"})


def is_abd_compound(word: str) -> bool:
    """An ``عبد`` compound written as one word ("عبدالرحيم"): a man's given name."""
    folded = fold_arabic(word)
    return folded.startswith("عبد") and len(folded) > 5


#: Arabic-script given names common in Syria (Arab and Kurdish, men's and women's), written as
#: they are usually spelt. Extraction uses them as anchors: a phrase that starts with one is
#: very likely a person's name even with no title before it ("قتل خلال الغارات ... سامر نوفل").
#: Compiled by hand for this project; spelling variants of hamza, alef maqsura and taa marbuta
#: are folded by :func:`fold_arabic`, so each name is listed once.
MALE_NAMES_AR = frozenset("""
محمد أحمد محمود مصطفى خالد عمر علي حسن حسين يوسف إبراهيم إسماعيل عبد عبدالله عبدو عبيدة عبادة عبادي سعيد سعد سعود وليد
عادل فادي سامر سمير سامي ياسر جمال رامي بسام زياد طارق ماهر نبيل هيثم أسامة عماد منير قاسم جهاد شادي باسل أيمن مؤيد صالح
ناصر هشام أنس حمزة بلال عثمان موسى عيسى يحيى زكريا سليمان حامد حمد حمود حميد محسن مهند معاذ مجد ماجد أمجد أكرم كريم رضا رياض
فراس فارس فيصل فايز فواز فؤاد نادر نزار نضال نايف وائل وسيم وضاح هاني هادي غسان عدنان عمار عامر عمرو حازم حاتم حسام جاسم
جميل جلال رشيد راشد زاهر سالم سليم صبحي صلاح ضياء طه عاصم عصام علاء غياث لؤي مازن مالك مراد منذر منصور مهدي نور نوري
ياسين يامن بشار بشير بكري بكر جابر جعفر جواد حارث حافظ حكم حمدي خليل خضر خلف دياب راتب ربيع رائد رعد رفعت زهير زكي زيد
سفيان سلامة سلام شريف شعبان شكري صادق صفوان صهيب ضرار طلال ظافر عارف عاطف عبود عدي عزام عزت عقبة عكاشة غازي غانم غنام فتحي
فرحان فريد فهد فوزي قصي كمال كنان لطفي ماجد مأمون محي مرعي مروان مصعب معتز مؤمن مهيب ميسر نافع ناجي نجيب نعمان نواف هاشم
همام هلال وسام وحيد ياسر يزن يونس أيهم أدهم أسعد أشرف أنور إياد إيهاب باسم بدر برهان تامر تميم ثائر جودت حسان حمادة خطاب
دعار ذياب رجب رحمو ركان زين سامح سعدو شاكر شحادة صقر ضاحي طالب عبد عطا عطية عوض عيد غيث قتيبة كامل لورنس متعب محيي مخلف
مشعل مطر معن منيف نمر نوفل هزاع وجيه وحيد ويسي ياسر أبو ابو أم ام حج حاج
""".split()) - {"أبو", "ابو", "أم", "ام", "حج", "حاج", "عبد"}
#: Kurdish names, men's and women's alike here (some are both).
KURDISH_NAMES_AR = frozenset("""
جوان آزاد شيرو دلشاد شيار رودي آلان ريزان هوشنك كاوا روني بروسك زانا ديار سربست جكرخوين خبات شفان هفال ريناس رامان آراس
""".split())
FEMALE_NAMES_AR = frozenset("""
فاطمة عائشة مريم زينب خديجة سلمى هبة نور رنا ريم هند سارة لينا رهف آمنة سعاد نجلاء أسماء إيمان دعاء رقية حلا جنى بتول غزل هدى
منى سمر سميرة أمل آلاء إسراء بشرى جميلة حنان خلود دلال رغد روان زهرة سهام شهد صفاء عبير علا غادة فرح لمى ليلى مها ميساء
نادية نسرين نهى هالة وفاء ياسمين عزيزة رشا رزان سوزان نوال نجاح نعيمة حليمة حياة حسناء خولة دانة رؤى ريما سناء سلوى صباح
عفاف عليا غفران فدوى كوثر لبنى ماريا مروة ملك منال ميس نسمة هيام هيفاء وعد ولاء يسرى تركية وضحة شمسة حمدة صبحة عيدة مريانا
شهناز جيلان ناريمان هيفين روجين بيريفان زوزان روناهي برفين نارين ديلان هيلين أفين سولين ليلان بيملى جيهان روشين
""".split())
GIVEN_NAMES_AR = MALE_NAMES_AR | KURDISH_NAMES_AR | FEMALE_NAMES_AR | {"أبو", "ابو", "أم", "ام", "حج", "حاج", "عبد"}

_GIVEN_FOLDED = frozenset(fold_arabic(name) for name in GIVEN_NAMES_AR)
_MALE_FOLDED = frozenset(fold_arabic(name) for name in MALE_NAMES_AR)
_FEMALE_FOLDED = frozenset(fold_arabic(name) for name in FEMALE_NAMES_AR)


def sex_of_given_name(word: str) -> str | None:
    """"male" or "female" for an Arabic given name that is only one of them (خالد, فاطمة), or
    ``None`` (a name given to both, such as نور, or one not on the lists)."""
    folded = fold_arabic(word)
    male = folded in _MALE_FOLDED or is_abd_compound(folded)
    female = folded in _FEMALE_FOLDED
    return "male" if male and not female else "female" if female and not male else None


def is_given_name(word: str) -> bool:
    """Whether an Arabic-script word is a given name of :data:`GIVEN_NAMES_AR` (or an ``عبد``
    compound written as one word, "عبدالرحيم")."""
    folded = fold_arabic(word)
    return folded in _GIVEN_FOLDED or is_abd_compound(folded)


# --- a readable Latin rendering ------------------------------------------------------------
# ``transliterate_name`` follows the conventions Syrian documentation groups use in English
# ("محمد خالد العبدالله" -> "Mohammad Khaled al-Abdullah"): common given names from a table,
# the article as ``al-``, ``Abd al-`` compounds joined, and a letter-by-letter rendering
# (anyascii, ISC licence) only for the rest.

COMMON: dict[str, str] = {
    "محمد": "Mohammad", "أحمد": "Ahmad", "احمد": "Ahmad", "محمود": "Mahmoud", "مصطفى": "Mustafa", "خالد": "Khaled",
    "علي": "Ali", "عمر": "Omar", "حسن": "Hassan", "حسين": "Hussein", "يوسف": "Youssef", "إبراهيم": "Ibrahim",
    "ابراهيم": "Ibrahim", "عبد": "Abd", "عبدالله": "Abdullah", "عبد الله": "Abdullah", "عبدالرحمن": "Abdulrahman",
    "عبد الرحمن": "Abdulrahman", "عبد الكريم": "Abdulkarim", "عبدالكريم": "Abdulkarim", "عبد القادر": "Abdulqader",
    "عبدالقادر": "Abdulqader", "عبد العزيز": "Abdulaziz", "عبدالعزيز": "Abdulaziz", "عبد الحميد": "Abdulhamid",
    "فاطمة": "Fatima", "عائشة": "Aisha", "مريم": "Maryam", "خديجة": "Khadija", "زينب": "Zainab", "هدى": "Huda",
    "سلمى": "Salma", "نور": "Nour", "هبة": "Hiba", "رنا": "Rana", "ريم": "Reem", "سارة": "Sara", "ليلى": "Laila",
    "سامي": "Sami", "سمير": "Samir", "سامر": "Samer", "وليد": "Walid", "جمال": "Jamal", "فارس": "Fares",
    "زياد": "Ziad", "عادل": "Adel", "صالح": "Saleh", "سعيد": "Said", "حمد": "Hamad", "حامد": "Hamed",
    "قاسم": "Qasim", "عمار": "Ammar", "ياسر": "Yasser", "طارق": "Tareq", "بشار": "Bashar", "باسل": "Bassel",
    "فادي": "Fadi", "رامي": "Rami", "ماهر": "Maher", "منير": "Munir", "نبيل": "Nabil", "هشام": "Hisham",
    "عماد": "Imad", "جميل": "Jamil", "كريم": "Karim", "عثمان": "Othman", "سليمان": "Suleiman", "داود": "Dawood",
    "موسى": "Musa", "عيسى": "Issa", "أسامة": "Osama", "اسامة": "Osama", "أنس": "Anas", "معاذ": "Muaz",
    "حمزة": "Hamza", "بلال": "Bilal", "عبيدة": "Obaida", "مؤيد": "Moayad", "أيمن": "Ayman", "ايمن": "Ayman",
    "شيخ": "Sheikh", "الشيخ": "al-Sheikh", "عجاج": "Ajaj", "حداد": "Haddad", "العمر": "al-Omar",
    "الحسين": "al-Hussein", "العبدالله": "al-Abdullah", "الحمود": "al-Hamoud", "القاسم": "al-Qasim",
    "الخطيب": "al-Khatib", "الرفاعي": "al-Rifai", "الصالح": "al-Saleh", "المصري": "al-Masri", "الأحمد": "al-Ahmad",
    "الاحمد": "al-Ahmad", "العلي": "al-Ali", "الحسن": "al-Hassan", "الخليل": "al-Khalil", "بن": "bin", "ابن": "ibn",
    "أبو": "Abu", "ابو": "Abu", "أم": "Umm", "ام": "Umm",
}

_LETTERS = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d",
    "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "", "غ": "gh",
    "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "ou", "ي": "i", "ى": "a", "ة": "a",
    "ء": "", "ئ": "e", "ؤ": "o", "پ": "p", "چ": "ch", "ڤ": "v", "گ": "g", "ک": "k", "ی": "i",
}


def _letters(word: str) -> str:
    out = []
    for index, ch in enumerate(word):
        if ch == "و" and index == 0:
            out.append("w")
        elif ch == "ي" and index == 0:
            out.append("y")
        elif ch == "ي" and 0 < index < len(word) - 1 and word[index - 1] in "اوي":
            out.append("y")
        elif ch == "و" and 0 < index < len(word) - 1 and word[index - 1] == "ا":
            out.append("w")
        else:
            out.append(_LETTERS.get(ch, anyascii(ch)))
    text = "".join(out)
    text = re.sub(r"([aeiou])\1+", r"\1", text)
    return text[:1].upper() + text[1:] if text else text


def transliterate_word(word: str) -> str:
    word = _AR_DIACRITICS.sub("", word)
    if word in COMMON:
        return COMMON[word]
    if word.startswith("ال") and len(word) > 3:
        rest = word[2:]
        return "al-" + (COMMON.get(rest) or _letters(rest))
    if word.startswith("عبد") and len(word) > 4:
        rest = word[3:]
        if rest.startswith("ال"):
            return "Abdul" + (COMMON.get(rest[2:]) or _letters(rest[2:])).lower()
    return _letters(word)


def transliterate_name(name: str | None) -> str | None:
    """A readable Latin rendering of an Arabic-script name; Latin input comes back tidied."""
    if not name:
        return None
    name = re.sub(r"\s+", " ", name).strip()
    if not is_arabic(name):
        return name
    words = name.split(" ")
    out: list[str] = []
    i = 0
    while i < len(words):
        pair = " ".join(words[i:i + 2])
        if i + 1 < len(words) and pair in COMMON:
            out.append(COMMON[pair])
            i += 2
            continue
        if words[i] in ("عبد",) and i + 1 < len(words) and words[i + 1].startswith("ال"):
            rest = words[i + 1][2:]
            out.append("Abdul" + (COMMON.get(rest) or _letters(rest)).lower())
            i += 2
            continue
        out.append(transliterate_word(words[i]))
        i += 1
    return " ".join(w for w in out if w)
