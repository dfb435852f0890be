"""Extraction evaluation: the victim metric, the real labelled set, and a template set.

* :func:`same_victim` — whether an extracted name is a labelled victim: the same given name AND
  the same family name (each folded in its own script), not a whole-string ratio, under which
  "دلال سليمان" and "خليل سليمان" (two people sharing a family name) scored 85.7 and counted
  as found.
* :func:`real_items` — real public casualty reports and posts (SNHR daily headlines and
  reports, other monitors), each labelled by hand in ``labels/real-casualty-texts.jsonl`` with
  its address. Only short headlines are kept there as text; a longer text is referred to by
  its address and the SHA-256 of the version that was labelled, and is read from a local cache
  outside the repository (``build/real-texts.jsonl``, see :data:`TEXT_CACHE`) when it is there.
  Each item is in the ``dev`` part (read while writing rules) or the ``heldout`` part (scored
  only, never printed).
* :func:`build` — items built from templates in the shapes of real casualty news, with their
  traps. They are the extractor's own regression set and its speed test; they score near 1.00
  by construction, so they are not a quality figure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels" / "real-casualty-texts.jsonl"
#: Texts of the real labelled set that are not kept in the repository, one JSON object a line
#: ({"id": ..., "text": ...}); outside version control (build/ is ignored).
TEXT_CACHE = HERE.parent / "build" / "real-texts.jsonl"

MALE = [("Khaled", "خالد"), ("Omar", "عمر"), ("Ahmad", "أحمد"), ("Mustafa", "مصطفى"), ("Youssef", "يوسف"), ("Ibrahim", "إبراهيم"),
        ("Walid", "وليد"), ("Hassan", "حسن"), ("Mahmoud", "محمود"), ("Bassel", "باسل"), ("Fadi", "فادي"), ("Samer", "سامر")]
FEMALE = [("Fatima", "فاطمة"), ("Salma", "سلمى"), ("Hiba", "هبة"), ("Rima", "ريما"), ("Nour", "نور"), ("Maryam", "مريم"),
          ("Zainab", "زينب"), ("Lina", "لينا")]
FAMILY = [("al-Saleh", "الصالح"), ("Haddad", "حداد"), ("al-Hussein", "الحسين"), ("al-Khatib", "الخطيب"), ("Ajaj", "عجاج"),
          ("al-Hamoud", "الحمود"), ("al-Masri", "المصري"), ("al-Rifai", "الرفاعي"), ("Darwish", "درويش"), ("al-Omar", "العمر")]
PLACES = [("Ariha", "أريحا", "Idlib", "إدلب"), ("Sarmin", "سرمين", "Idlib", "إدلب"), ("Binnish", "بنش", "Idlib", "إدلب"),
          ("Tafas", "طفس", "Daraa", "درعا"), ("Jasim", "جاسم", "Daraa", "درعا"), ("Atarib", "الأتارب", "Aleppo", "حلب"),
          ("Azaz", "اعزاز", "Aleppo", "حلب"), ("Douma", "دوما", "Rural Damascus", "دمشق"), ("Kafr Zita", "كفرزيتا", "Hama", "حماة"),
          ("Talbiseh", "تلبيسة", "Homs", "حمص"), ("al-Mayadin", "الميادين", "Deir Ez-Zour", "دير الزور")]
PERPETRATORS = {"syrian_regime": ("Syrian regime forces", "قوات النظام"), "russian_forces": ("Russian warplanes", "الطيران الروسي"),
                "sdf": ("Syrian Democratic Forces personnel", "عناصر قوات سوريا الديمقراطية"),
                "unidentified": ("gunmen we have not yet been able to identify", "مسلحين مجهولين")}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
MONTHS_AR = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WEEKDAYS_AR = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]
FIELDS = ("sex", "age", "date_of_death", "governorate", "locality", "perpetrator", "cause", "category")


@dataclass
class Item:
    id: str
    language: str
    published: dt.date
    text: str
    victims: list[dict[str, Any]] = field(default_factory=list)


def same_victim(label: str | None, found: str | None) -> bool:
    """Whether ``found`` (an extracted name) names the person ``label`` names: the same given
    name and the same family name, each folded in its own script, whatever stands between
    them (:func:`tawthiq.lang.names.same_given_and_family`)."""
    from tawthiq.lang.names import name_parts, same_given_and_family

    return same_given_and_family(name_parts(label), name_parts(found))


@dataclass
class RealItem:
    """One real text and its hand labels. ``victims`` are the people the text says were killed
    (as written in it); ``text`` is None when it is neither kept nor cached here."""

    id: str
    url: str
    language: str
    part: str
    published: dt.date | None
    victims: list[dict[str, Any]]
    text: str | None
    note: str = ""


def real_items(path: Path = LABELS, cache: Path = TEXT_CACHE) -> list[RealItem]:
    """The real labelled set, with each text taken from the label file or the local cache (a
    cached text whose SHA-256 is not the labelled version's is not used: labels would not fit)."""
    cached: dict[str, str] = {}
    if cache.exists():
        for line in cache.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                cached[row["id"]] = row["text"]
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("//"):
            continue
        row = json.loads(line)
        text = row.get("text") or cached.get(row["id"])
        if text is not None and row.get("text_sha256") and hashlib.sha256(text.encode("utf-8")).hexdigest() != row["text_sha256"]:
            text = None
        published = dt.date.fromisoformat(row["published"]) if row.get("published") else None
        items.append(RealItem(row["id"], row["url"], row["language"], row["part"], published, row["victims"], text,
                              row.get("note", "")))
    return items


def _en_date(d: dt.date) -> str:
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


def _ar_date(d: dt.date) -> str:
    return f"{d.day} {MONTHS_AR[d.month - 1]} {d.year}"


def _victim(name: str, sex: str | None, age: int | None, date: dt.date, place: tuple, perpetrator: str, cause: str,
            category: str = "civilian", name_ar: str | None = None) -> dict[str, Any]:
    return {"full_name": name, "name_ar": name_ar, "sex": sex, "age": age, "date_of_death": date.isoformat(),
            "governorate": place[2], "locality": place[0], "perpetrator": perpetrator, "cause": cause, "category": category}


def build(count_per_template: int = 6, seed: int = 11) -> list[Item]:
    """The template set (the same on every run: fixed seed)."""
    rng = random.Random(seed)
    items: list[Item] = []

    def person(female: bool = False) -> tuple[str, str]:
        given = rng.choice(FEMALE if female else MALE)
        father, family = rng.choice(MALE), rng.choice(FAMILY)
        return f"{given[0]} {father[0]} {family[0]}", f"{given[1]} {father[1]} {family[1]}"

    def day() -> dt.date:
        return dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(0, 1200))

    for k in range(count_per_template):
        # 1. daily post, "named as", with the injured brother and an official who condemned it
        place, date = rng.choice(PLACES), day()
        name, _ = person()
        brother, _ = person()
        official, _ = person()
        perpetrator = rng.choice(["sdf", "unidentified", "syrian_regime"])
        text = (f"A man from {place[0]} town in the suburbs of {place[2]} governorate, named as {name}, was shot dead on "
                f"{_en_date(date)}, by {PERPETRATORS[perpetrator][0]}. His brother, {brother}, was injured in the incident. "
                f"The head of the local council, {official}, condemned the killing.")
        items.append(Item(f"en-daily-{k}", "en", date + dt.timedelta(days=1), text,
                          [_victim(name, "male", None, date, place, perpetrator, "shooting")]))

        # 2. weekday without a year, a woman and her child named after the relation
        place, date = rng.choice(PLACES), day()
        published = date + dt.timedelta(days=rng.randrange(1, 6))
        mother, _ = person(female=True)
        child_given = rng.choice(FEMALE)[0]
        child = f"{child_given} {mother.split()[-1]}"
        age, child_age = rng.randrange(25, 50), rng.randrange(2, 12)
        text = (f"On {WEEKDAYS[date.weekday()]}, Syrian regime forces shelled {place[0]} city in {place[2]} suburbs with a rocket "
                f"launcher, killing {mother}, a {age}-year-old woman, and her {child_age}-year-old daughter {child}.")
        items.append(Item(f"en-weekday-{k}", "en", published, text, [
            _victim(mother, "female", age, date, place, "syrian_regime", "shelling"),
            _victim(child, "female", child_age, date, place, "syrian_regime", "shelling")]))

        # 3. wire item, two named dead, a witness who spoke
        place, date = rng.choice(PLACES), day()
        a, _ = person()
        b, _ = person()
        witness, _ = person()
        text = (f"Local sources told reporters that {a} and {b} were killed on {_en_date(date)} when Russian warplanes struck "
                f"{place[0]} in {place[2]} suburbs. A resident, {witness}, said the strike hit a crowded street.")
        items.append(Item(f"en-wire-{k}", "en", date + dt.timedelta(days=1), text, [
            _victim(a, None, None, date, place, "russian_forces", "airstrike"),
            _victim(b, None, None, date, place, "russian_forces", "airstrike")]))

        # 4. died of wounds from an earlier attack
        place, date = rng.choice(PLACES), day()
        earlier = date - dt.timedelta(days=rng.randrange(3, 20))
        name, _ = person()
        age = rng.randrange(18, 70)
        text = (f"{name}, {age}, from {place[0]} in {place[2]} suburbs, died on {_en_date(date)} of wounds sustained on "
                f"{_en_date(earlier)} when Syrian regime forces shelled the town with artillery.")
        items.append(Item(f"en-wounds-{k}", "en", date + dt.timedelta(days=2), text,
                          [_victim(name, None, age, date, place, "syrian_regime", "shelling")]))

        # 5. torture death learnt years later
        place, date = rng.choice(PLACES), day() - dt.timedelta(days=900)
        learned = date + dt.timedelta(days=rng.randrange(400, 900))
        name, _ = person()
        text = (f"SNHR documented the death of {name}, from {place[0]} in {place[2]} governorate, due to torture in a Syrian "
                f"regime detention centre. He had been arrested at a checkpoint in 2017. His family learned in "
                f"{MONTHS[learned.month - 1]} {learned.year} that he had been registered as having died on {_en_date(date)}.")
        items.append(Item(f"en-torture-{k}", "en", learned + dt.timedelta(days=10), text,
                          [_victim(name, "male", None, date, place, "syrian_regime", "torture")]))

        # 6. a nurse
        place, date = rng.choice(PLACES), day()
        name, _ = person(female=True)
        text = (f"{name}, a nurse at the hospital in {place[0]} in {place[2]} suburbs, was killed on {_en_date(date)} when "
                f"Russian warplanes fired missiles at the hospital. Two other staff members were injured.")
        items.append(Item(f"en-medical-{k}", "en", date + dt.timedelta(days=1), text,
                          [_victim(name, None, None, date, place, "russian_forces", "airstrike", "medical")]))

        # 7. Arabic: a child killed by shelling, his brother injured
        place, date = rng.choice(PLACES), day()
        name, name_ar = person()
        _, brother_ar = person()
        text = (f"استشهد الطفل {name_ar} إثر قصف مدفعي لقوات النظام على بلدة {place[1]} في ريف {place[3]} يوم "
                f"{WEEKDAYS_AR[date.weekday()]} {_ar_date(date)}، وأصيب شقيقه {brother_ar.split()[0]} بجروح.")
        items.append(Item(f"ar-child-{k}", "ar", date + dt.timedelta(days=1), text,
                          [_victim(name, "male", None, date, place, "syrian_regime", "shelling", name_ar=name_ar)]))

        # 8. Arabic: a woman shot by unidentified gunmen
        place, date = rng.choice(PLACES), day()
        name, name_ar = person(female=True)
        age = rng.randrange(20, 60)
        text = (f"قتلت السيدة {name_ar} البالغة من العمر {age} عاما برصاص مسلحين مجهولين في مدينة {place[1]} بريف {place[3]} "
                f"بتاريخ {_ar_date(date)}.")
        items.append(Item(f"ar-woman-{k}", "ar", date + dt.timedelta(days=1), text,
                          [_victim(name, "female", age, date, place, "unidentified", "shooting", name_ar=name_ar)]))

        # 9. from one town, killed in another; the force holding the area is not the killer
        home, place = rng.sample([p for p in PLACES if p[2] == "Idlib"] or PLACES, 2)
        date = day()
        name, _ = person()
        text = (f"A man from {home[0]} town in the suburbs of {home[2]} governorate, named as {name}, was shot dead in "
                f"{place[0]} town on {_en_date(date)} by gunmen whose identities have not yet been revealed; the town is "
                f"controlled by Syrian Democratic Forces.")
        items.append(Item(f"en-elsewhere-{k}", "en", date + dt.timedelta(days=2), text,
                          [_victim(name, "male", None, date, place, "unidentified", "shooting")]))

        # 10. arrested, tortured to death, the body returned later: the death is dated by the body
        place, arrested = rng.choice(PLACES), day()
        returned = arrested + dt.timedelta(days=rng.randrange(20, 400))
        age = rng.randrange(18, 60)
        name, _ = person()
        text = (f"A {age}-year-old man from {place[0]} town in the suburbs of {place[2]} governorate, named as {name}, was "
                f"arrested by Syrian regime forces on {_en_date(arrested)} at a checkpoint and tortured to death in a "
                f"detention centre. On {_en_date(returned)}, his body was handed over to his family.")
        items.append(Item(f"en-detention-{k}", "en", returned + dt.timedelta(days=3), text,
                          [_victim(name, "male", age, returned, place, "syrian_regime", "torture")]))

        # 11. a body found, bearing gunshot wounds, in a town that is not the victim's own
        home, place = rng.sample(PLACES, 2)
        date = day()
        name, _ = person()
        text = (f"The body of a man named as {name}, from {home[0]} town in {home[2]} governorate, was found on "
                f"{_en_date(date)}, bearing signs of gunshot wounds, in {place[0]} town in {place[2]} governorate. "
                f"The party responsible has not been identified; we have not yet been able to identify the gunmen.")
        items.append(Item(f"en-body-{k}", "en", date + dt.timedelta(days=1), text,
                          [_victim(name, "male", None, date, place, "unidentified", "shooting")]))
    return items
