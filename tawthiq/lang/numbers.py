"""Numbers in English and Arabic text: digits of either kind, number words ("three",
"twenty-two", "ثلاثة", "خمسة وعشرين", "أحد عشر") and the patterns that find them.

Incident extraction reads counts with these ("three civilians, including two women"); any
other reader of counts should too, so that "ثلاث" means 3 everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Arabic-Indic and Persian digits as ASCII digits.
ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def to_ascii_digits(text: str) -> str:
    """``text`` with Arabic-Indic and Persian digits written as ASCII digits."""
    return text.translate(ARABIC_DIGITS)


EN_NUMBERS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "a dozen": 12, "dozen": 12, "a": 1, "an": 1,
}
AR_UNITS: dict[str, int] = {
    "واحد": 1, "واحدة": 1, "اثنان": 2, "اثنين": 2, "إثنين": 2, "اثنتين": 2, "اثنتان": 2, "ثلاث": 3, "ثلاثة": 3,
    "أربع": 4, "اربع": 4, "أربعة": 4, "اربعة": 4, "خمس": 5, "خمسة": 5, "ست": 6, "ستة": 6, "سبع": 7, "سبعة": 7,
    "ثمان": 8, "ثماني": 8, "ثمانية": 8, "تسع": 9, "تسعة": 9, "عشر": 10, "عشرة": 10,
}
AR_TENS: dict[str, int] = {
    "عشرون": 20, "عشرين": 20, "ثلاثون": 30, "ثلاثين": 30, "أربعون": 40, "أربعين": 40, "اربعين": 40,
    "خمسون": 50, "خمسين": 50, "ستون": 60, "ستين": 60, "سبعون": 70, "سبعين": 70, "ثمانون": 80, "ثمانين": 80,
    "تسعون": 90, "تسعين": 90, "مئة": 100, "مائة": 100,
}
AR_TEENS: dict[str, int] = {"أحد عشر": 11, "احد عشر": 11, "إحدى عشرة": 11, "احدى عشرة": 11, "اثنا عشر": 12,
                             "اثني عشر": 12, "اثنتا عشرة": 12, "اثنتي عشرة": 12}
for _word, _value in list(AR_UNITS.items()):
    if 3 <= _value <= 9:
        AR_TEENS[f"{_word} عشر"] = 10 + _value
        AR_TEENS[f"{_word} عشرة"] = 10 + _value


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, longest first, spaces matching any run of spaces."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


NUMBER_EN = rf"(?:(?<![\d,.])\d{{1,4}}(?![\d,]\d)|{alternation(k for k in EN_NUMBERS if k not in ('a', 'an'))})(?:[- ](?:{alternation(['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'])}))?"
NUMBER_AR = (rf"(?:(?<![\d,.])\d{{1,4}}(?![\d,]\d)|{alternation(AR_TEENS)}|(?:(?:{alternation(AR_UNITS)})\s+و\s*)?(?:{alternation(AR_TENS)})|"
              rf"{alternation(AR_UNITS)})(?![\u0621-\u064A])")
def parse_number(text: str) -> int | None:
    """The value of one number phrase in either language ("twenty-two", "خمسة وعشرين", "١٢")."""
    raw = to_ascii_digits(text.strip()).lower()
    raw = re.sub(r"\s+", " ", raw)
    if raw.isdigit():
        return int(raw)
    if raw in EN_NUMBERS:
        return EN_NUMBERS[raw]
    tens_units = re.fullmatch(r"(\w+)[- ](\w+)", raw)
    if tens_units and tens_units.group(1) in EN_NUMBERS and tens_units.group(2) in EN_NUMBERS:
        return EN_NUMBERS[tens_units.group(1)] + EN_NUMBERS[tens_units.group(2)]
    if raw in AR_TEENS:
        return AR_TEENS[raw]
    compound = re.fullmatch(r"(\S+)\s+و\s*(\S+)", raw)
    if compound and compound.group(1) in AR_UNITS and compound.group(2) in AR_TENS:
        return AR_UNITS[compound.group(1)] + AR_TENS[compound.group(2)]
    return AR_UNITS.get(raw) or AR_TENS.get(raw)
