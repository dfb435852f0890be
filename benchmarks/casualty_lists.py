"""A generator of realistic casualty lists with known truth, for the matching benchmark.

Every generated person is reported by one to four sources. Each report spells the name its own
way: another Latin transliteration ("Mohammad", "Muhammad", "Mohamed"), Arabic script, a typo,
the father's name dropped, "al-" written or not. Dates are off by a few days, or given only as
month or year; places go missing. Families killed together (same family name, father, date and
place, different given names) are the hard negatives.

Family names follow a long tail, as in real lists: the 50 common ones above most often, then
"al-" + a given name (al-Khaled, al-Mustafa) and nisbas of Syrian towns (al-Saraqibi,
al-Darbasi) built from the GeoNames gazetteer the extractor ships. ``dense=True`` (``--dense``)
keeps only the 50 common family names: a stress test in which 300,000 records share 3,750
given+family combinations, so that many two-part names without a date cannot be told apart
by anyone.

    python benchmarks/casualty_lists.py 10000 > records.csv           # columns: id,person,full_name,...
    python benchmarks/casualty_lists.py 10000 --dense > records.csv
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import sys
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

#: (Arabic, Latin spellings). Spellings are the ones found in real casualty lists.
MALE = [
    ("محمد", ["Mohammad", "Muhammad", "Mohamed", "Mohammed", "Mohamad", "Muhammed"]),
    ("أحمد", ["Ahmad", "Ahmed", "Ahmet"]), ("مصطفى", ["Mustafa", "Moustafa", "Mostafa", "Mustapha"]),
    ("خالد", ["Khaled", "Khalid", "Khaled"]), ("عمر", ["Omar", "Umar", "Omer"]), ("علي", ["Ali", "Aly"]),
    ("حسن", ["Hassan", "Hasan"]), ("حسين", ["Hussein", "Husain", "Hussain", "Houssein"]),
    ("يوسف", ["Youssef", "Yousef", "Yusuf", "Yousif"]), ("إبراهيم", ["Ibrahim", "Ebrahim", "Ibraheem"]),
    ("عبد الرحمن", ["Abdulrahman", "Abd al-Rahman", "Abdel Rahman", "Abdurrahman"]),
    ("عبد الله", ["Abdullah", "Abdallah", "Abd Allah"]), ("عبد الكريم", ["Abdulkarim", "Abdel Karim", "Abd al-Karim"]),
    ("محمود", ["Mahmoud", "Mahmud", "Mahmood"]), ("سعيد", ["Said", "Saeed", "Saied"]), ("وليد", ["Walid", "Waleed"]),
    ("عادل", ["Adel", "Adil"]), ("فادي", ["Fadi", "Fady"]), ("سامر", ["Samer", "Samir"]), ("ياسر", ["Yasser", "Yaser", "Yasir"]),
    ("جمال", ["Jamal", "Gamal"]), ("رامي", ["Rami", "Ramy"]), ("بسام", ["Bassam", "Basam"]), ("زياد", ["Ziad", "Ziyad"]),
    ("طارق", ["Tarek", "Tariq", "Tarik"]), ("ماهر", ["Maher", "Mahir"]), ("نبيل", ["Nabil", "Nabeel"]),
    ("هيثم", ["Haitham", "Haytham"]), ("أسامة", ["Osama", "Usama", "Oussama"]), ("عماد", ["Imad", "Emad"]),
    ("منير", ["Mounir", "Munir"]), ("قاسم", ["Qasim", "Kassem", "Qassem"]), ("جهاد", ["Jihad", "Jehad"]),
    ("شادي", ["Shadi", "Chadi"]), ("باسل", ["Bassel", "Basel"]), ("أيمن", ["Ayman", "Aymen"]),
    ("مؤيد", ["Moayed", "Moyaed", "Muayad"]), ("عبد القادر", ["Abdulqader", "Abdel Kader", "Abd al-Qadir"]),
    ("صالح", ["Saleh", "Salih"]), ("ناصر", ["Nasser", "Naser"]), ("هشام", ["Hisham", "Hesham"]), ("أنس", ["Anas"]),
    ("حمزة", ["Hamza", "Hamzah"]), ("بلال", ["Bilal", "Belal"]), ("عثمان", ["Othman", "Uthman", "Osman"]),
    ("إسماعيل", ["Ismail", "Ismael", "Esmail"]), ("موسى", ["Mousa", "Musa", "Moussa"]), ("عيسى", ["Issa", "Eisa"]),
    ("يحيى", ["Yahya", "Yehia"]), ("زكريا", ["Zakaria", "Zakariya"]), ("سليمان", ["Suleiman", "Sulaiman", "Soliman"]),
]
FEMALE = [
    ("فاطمة", ["Fatima", "Fatma", "Fatemah"]), ("عائشة", ["Aisha", "Aysha", "Aicha"]), ("مريم", ["Maryam", "Mariam", "Meryem"]),
    ("زينب", ["Zainab", "Zeinab", "Zaynab"]), ("خديجة", ["Khadija", "Khadijah", "Khadeeja"]), ("سلمى", ["Salma", "Selma"]),
    ("هبة", ["Hiba", "Heba"]), ("نور", ["Nour", "Noor", "Nur"]), ("رنا", ["Rana"]), ("ريم", ["Reem", "Rim"]),
    ("هند", ["Hind", "Hend"]), ("سارة", ["Sara", "Sarah"]), ("لينا", ["Lina", "Leena"]), ("رهف", ["Rahaf"]),
    ("آمنة", ["Amina", "Aminah", "Amneh"]), ("سعاد", ["Souad", "Suad"]), ("نجلاء", ["Najla", "Najlaa"]),
    ("أسماء", ["Asmaa", "Asma"]), ("إيمان", ["Iman", "Eman"]), ("دعاء", ["Doaa", "Duaa"]), ("رقية", ["Ruqaya", "Roqaya"]),
    ("حلا", ["Hala"]), ("جنى", ["Jana", "Janna"]), ("بتول", ["Batoul", "Batul"]), ("غزل", ["Ghazal"]),
]
FAMILY = [
    ("العبد الله", ["al-Abdullah", "Al Abdallah", "Abdullah"]), ("الحسين", ["al-Hussein", "Al-Hussain", "Hussein"]),
    ("الأحمد", ["al-Ahmad", "Al Ahmed", "Ahmad"]), ("الخطيب", ["al-Khatib", "Al-Khateeb", "Khatib"]),
    ("الحمود", ["al-Hamoud", "Al Hammoud", "Hamoud"]), ("الشيخ", ["al-Sheikh", "Al-Shaikh", "Sheikh"]),
    ("المصري", ["al-Masri", "Al Masry", "Masri"]), ("القاسم", ["al-Qasim", "Al-Kassem", "Qassem"]),
    ("عجاج", ["Ajaj", "Ajjaj", "Ajaaj"]), ("الصالح", ["al-Saleh", "Al Salih", "Saleh"]), ("حداد", ["Haddad", "Hadad"]),
    ("الرفاعي", ["al-Rifai", "Al-Refaai", "Rifai"]), ("الحمصي", ["al-Homsi", "Al Homsy", "Homsi"]),
    ("الحلبي", ["al-Halabi", "Al Halaby", "Halabi"]), ("الإدلبي", ["al-Idlibi", "Al Edlibi", "Idlibi"]),
    ("العمر", ["al-Omar", "Al Omar", "Omar"]), ("الجاسم", ["al-Jassem", "Al Jasim", "Jassem"]),
    ("الدرويش", ["Darwish", "Al-Darwish", "Darweesh"]), ("الزعبي", ["al-Zoubi", "Al Zoabi", "Zoubi"]),
    ("المحمد", ["al-Mohammad", "Al Muhammad", "Mohammad"]), ("الأسعد", ["al-Asaad", "Al-Assad", "Asaad"]),
    ("قدور", ["Qaddour", "Kaddour", "Qadour"]), ("النجار", ["al-Najjar", "Al Najar", "Najjar"]),
    ("العلي", ["al-Ali", "Al Aly", "Ali"]), ("الحسن", ["al-Hasan", "Al Hassan", "Hasan"]),
    ("الخليل", ["al-Khalil", "Al Khaleel", "Khalil"]), ("شعبان", ["Shaaban", "Chaaban", "Shaban"]),
    ("المنصور", ["al-Mansour", "Al Mansur", "Mansour"]), ("الطويل", ["al-Tawil", "Al-Taweel", "Tawil"]),
    ("العثمان", ["al-Othman", "Al Uthman", "Othman"]), ("البكري", ["al-Bakri", "Al Bakry", "Bakri"]),
    ("حمادة", ["Hamada", "Hamadeh", "Hammadeh"]), ("الكردي", ["al-Kurdi", "Al Kurdy", "Kurdi"]),
    ("السيد", ["al-Sayed", "Al Sayyid", "Sayed"]), ("الفارس", ["al-Fares", "Al Faris", "Fares"]),
    ("الحريري", ["al-Hariri", "Al Hareeri", "Hariri"]), ("المصطفى", ["al-Mustafa", "Al Moustafa", "Mustafa"]),
    ("الدباغ", ["al-Dabbagh", "Al Dabagh", "Dabbagh"]), ("الحاج", ["al-Hajj", "Al Haj", "Hajj"]),
    ("الشامي", ["al-Shami", "Al Shamy", "Shami"]), ("الجبوري", ["al-Jubouri", "Al Jabouri", "Jubouri"]),
    ("العزو", ["al-Azzo", "Al Azo", "Azzo"]), ("الراشد", ["al-Rashed", "Al Rashid", "Rashed"]),
    ("النعسان", ["al-Naasan", "Al Nasan", "Naasan"]), ("الموسى", ["al-Mousa", "Al Musa", "Mousa"]),
    ("السلوم", ["al-Salloum", "Al Saloum", "Salloum"]), ("الخلف", ["al-Khalaf", "Al Khalaf", "Khalaf"]),
    ("البيطار", ["al-Bitar", "Al Baytar", "Bitar"]), ("العبيد", ["al-Obaid", "Al Ubaid", "Obeid"]),
    ("الحمدان", ["al-Hamdan", "Al Hamadan", "Hamdan"]), ("الرحمون", ["al-Rahmoun", "Al Rahmun", "Rahmoun"]),
]
PLACES = [
    ("Idlib", ["Ariha", "Sarmin", "Maarrat al-Numan", "Saraqib", "Kafr Nabl", "Jisr al-Shughur", "Binnish", "Taftanaz"]),
    ("Aleppo", ["Atarib", "Afrin", "Azaz", "al-Bab", "Manbij", "Jarabulus", "Anadan", "Hreitan"]),
    ("Daraa", ["Tafas", "Nawa", "Inkhil", "Busra al-Sham", "Jasim", "al-Hirak", "Daraa al-Balad"]),
    ("Rural Damascus", ["Douma", "Harasta", "Zamalka", "Arbin", "Saqba", "Kafr Batna", "Daraya"]),
    ("Hama", ["Kafr Zita", "Latamina", "Morek", "Kafr Nabuda", "Salamiyah", "Halfaya"]),
    ("Homs", ["al-Rastan", "Talbiseh", "al-Houla", "Tadmur", "al-Qusayr"]),
    ("Deir Ez-Zour", ["Theyban", "al-Mayadin", "Hajin", "al-Busayrah", "al-Shuhail"]),
    ("Raqqa", ["al-Tabqa", "Tal Abyad", "al-Mansoura", "Ain Issa"]),
    ("Hasaka", ["al-Qamishli", "Ras al-Ain", "al-Shaddadi"]),
    ("Damascus", ["Jobar", "al-Qaboun", "Barzeh", "al-Yarmouk"]),
    ("Latakia", ["Kabani", "Salma"]), ("Quneitra", ["Khan Arnabeh"]), ("Suwayda", ["Shahba"]), ("Tartus", ["Baniyas"]),
]
_KEYBOARD_SWAPS = "aeiouy"
GAZETTEER = Path(__file__).resolve().parent.parent / "extractors" / "data" / "gazetteer.json"


def _nisba(arabic: str, latin: str) -> tuple[str, list[str]] | None:
    """The family name "from <town>" in both scripts ("سراقب" → "السراقبي", "al-Saraqibi")."""
    base_ar = arabic[2:] if arabic.startswith("ال") else arabic
    base_ar = base_ar[:-2] if base_ar.endswith("ية") else base_ar[:-1] if base_ar.endswith("ة") else base_ar
    base = re.sub(r"^(?:Al|Ad|Ar|As|Ash|At|Az|An|Adh)\s+", "", latin)
    base = re.sub(r"(?:iyah|iyeh|iyya|ieh|iya|ah|eh|a|e|i|y)$", "", base)
    if len(base_ar) < 3 or len(base) < 3 or not base.isalpha():
        return None
    nisba = base + "i"
    return ("ال" + base_ar + "ي", [f"al-{nisba}", f"Al {nisba}", nisba])


def family_names(dense: bool = False) -> tuple[list[tuple[str, list[str]]], list[float]]:
    """Family names and their weights: the common ones first, then a long tail."""
    from tawthiq.dedupe import normalize_name

    names = list(FAMILY)
    if not dense:
        seen = {normalize_name(n[0]) for n in names}
        extra: list[tuple[str, list[str]]] = []
        for arabic, spellings in MALE:
            if " " not in arabic:
                extra.append(("ال" + arabic, [f"al-{spellings[0]}", f"Al {spellings[-1]}", spellings[0]]))
        if GAZETTEER.exists():
            for place in json.loads(GAZETTEER.read_text(encoding="utf-8"))["localities"]:
                place_ar = next((n for n in place["names"] if re.fullmatch(r"[\u0621-\u064A]+", n)), None)
                place_latin = next((n for n in place["names"] if re.fullmatch(r"(?:(?:Al|Ad|Ar|As|Ash|At|Az|An) )?[A-Z][a-z]{3,}", n)), None)
                made = _nisba(place_ar, place_latin) if place_ar and place_latin else None
                # Only nisbas whose two scripts the matcher reads alike: the generator's truth
                # must be something a careful reader could see.
                if made and normalize_name(made[0]) == normalize_name(made[1][0]):
                    extra.append(made)
        for name in extra:
            key = normalize_name(name[0])
            if key not in seen:
                seen.add(key)
                names.append(name)
    # A long tail: the n-th name about 1/n^0.7 as frequent as the first.
    weights = [1 / (rank + 1) ** 0.7 for rank in range(len(names))]
    return names, weights


@dataclass
class Person:
    person: int
    sex: str
    given: tuple[str, list[str]]
    father: tuple[str, list[str]]
    grandfather: tuple[str, list[str]] | None
    family: tuple[str, list[str]]
    age: int | None
    date: dt.date
    governorate: str
    locality: str


def people(count: int, rng: random.Random, dense: bool = False) -> Iterator[Person]:
    """``count`` distinct people; about a third die with relatives (same family, father, date
    and place), which is what makes casualty lists hard to deduplicate."""
    families, weights = family_names(dense)
    made = 0
    start = dt.date(2012, 1, 1)
    seen: set[tuple] = set()
    while made < count:
        # The dense stress test draws uniformly from the 50 names, as the first benchmarks did.
        family = rng.choice(FAMILY) if dense else rng.choices(families, weights)[0]
        governorate, localities = rng.choice(PLACES)
        locality = rng.choice(localities)
        date = start + dt.timedelta(days=rng.randrange(0, 12 * 365))
        father = rng.choice(MALE)
        grandfather = rng.choice(MALE)
        size = rng.choice([1, 1, 1, 1, 2, 3, 4, 6])
        for _ in range(min(size, count - made)):
            sex = "female" if rng.random() < 0.3 else "male"
            given = rng.choice(FEMALE if sex == "female" else MALE)
            key = (given[0], father[0], grandfather[0], family[0], date, locality)
            if key in seen:
                continue
            seen.add(key)
            age = rng.choice([None, rng.randrange(0, 18), rng.randrange(18, 80), rng.randrange(18, 80)])
            yield Person(made, sex, given, father, grandfather, family, age, date, governorate, locality)
            made += 1


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.4 and word[i].lower() in _KEYBOARD_SWAPS:
        return word[:i] + rng.choice(_KEYBOARD_SWAPS) + word[i + 1:]
    if kind < 0.7:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + word[i + 1:]


def report(p: Person, rng: random.Random) -> dict[str, str]:
    """One source's record of person ``p``, with that source's spelling and omissions."""
    arabic = rng.random() < 0.3
    parts = [p.given, p.father] + ([p.grandfather] if p.grandfather and rng.random() < 0.2 else []) + [p.family]
    if rng.random() < 0.2:
        parts = [p.given, p.family]  # father's name dropped
    if arabic:
        name = " ".join(part[0] for part in parts)
    else:
        words = [rng.choice(part[1]) for part in parts]
        if rng.random() < 0.15:
            k = rng.randrange(len(words))
            words[k] = _typo(words[k], rng)
        name = " ".join(words)
        if rng.random() < 0.1:
            name = name.upper() if rng.random() < 0.5 else name.lower()
    roll = rng.random()
    if roll < 0.55:
        date = p.date.isoformat()
    elif roll < 0.75:
        date = (p.date + dt.timedelta(days=rng.choice([-2, -1, 1, 2, 3]))).isoformat()
    elif roll < 0.87:
        date = p.date.strftime("%Y-%m")
    elif roll < 0.95:
        date = p.date.strftime("%d/%m/%Y")
    else:
        date = ""
    return {
        "person": str(p.person),
        "full_name": name,
        "date_of_death": date,
        "governorate": p.governorate if rng.random() < 0.9 else "",
        "locality": p.locality if rng.random() < 0.7 else "",
        "sex": p.sex if rng.random() < 0.6 else "",
        "age": str(p.age) if p.age is not None and rng.random() < 0.5 else "",
    }


def casualty_list(records: int, seed: int = 7, dense: bool = False) -> list[dict[str, str]]:
    """About ``records`` reports of about ``records / 1.8`` people, shuffled, with ids."""
    rng = random.Random(seed)
    out: list[dict[str, str]] = []
    for person in people(max(1, int(records / 1.8)), rng, dense):
        for _ in range(rng.choice([1, 1, 2, 2, 2, 3, 4])):
            out.append(report(person, rng))
            if len(out) >= records:
                break
        if len(out) >= records:
            break
    rng.shuffle(out)
    for i, row in enumerate(out):
        row["id"] = f"r{i}"
    return out


FIELDS = ["id", "person", "full_name", "date_of_death", "governorate", "locality", "sex", "age"]


def write_csv(rows: list[dict[str, str]], out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


if __name__ == "__main__":
    sizes = [a for a in sys.argv[1:] if a.isdigit()]
    write_csv(casualty_list(int(sizes[0]) if sizes else 10_000, dense="--dense" in sys.argv), sys.stdout)
