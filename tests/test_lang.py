"""tawthiq.lang: one reading of Arabic and Latin names, places and numbers for extraction and
matching alike, and the boundary that keeps it so (neither package imports the other)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from tawthiq.extractors.names import clean_name
from tawthiq.lang import arabic, latin
from tawthiq.lang.names import name_parts, normalize_name
from tawthiq.lang.numbers import parse_number, to_ascii_digits
from tawthiq.lang.dates import parse_date
from tawthiq.lang.places import find_locality, governorate_of_locality, resolve_place

ROOT = Path(__file__).resolve().parents[1]


def _imported_modules(path: Path) -> set[str]:
    """Absolute module names imported by one source file (relative imports resolved)."""
    package = {"extractors": "tawthiq.extractors", "dedupe": "tawthiq.dedupe"}.get(path.parent.name, "tawthiq.lang")
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
                found.update(f"{module}.{alias.name}" for alias in node.names)
            elif node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize(("folder", "forbidden"), [
    ("extractors", ("tawthiq.dedupe",)),
    ("dedupe", ("tawthiq.extractors",)),
    ("tawthiq/lang", ("tawthiq.dedupe", "tawthiq.extractors")),
])
def test_extraction_and_matching_share_lang_and_never_import_each_other(folder: str, forbidden: tuple[str, ...]) -> None:
    offenders = {
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / folder).glob("*.py"))
        for module in _imported_modules(path)
        if module.startswith(forbidden)
    }
    assert not offenders


def test_one_arabic_folding() -> None:
    # Hamza seats, taa marbuta, alef maqsura, diacritics, tatweel, Persian letters, digits.
    assert arabic.fold_arabic("مُؤَيَّد") == arabic.fold_arabic("مويد") == "مويد"
    assert arabic.fold_arabic("فاطمة") == "فاطمه"
    assert arabic.fold_arabic("مصطفى") == "مصطفي"
    assert arabic.fold_arabic("شهـــيد") == "شهيد"
    assert arabic.fold_arabic("کریم") == arabic.fold_arabic("كريم")
    assert arabic.fold_arabic("٢٠٢٤") == "2024"


def test_given_name_lexicon_reads_every_spelling() -> None:
    assert arabic.is_given_name("احمد") and arabic.is_given_name("أحمد")
    assert arabic.is_given_name("مؤيد") and arabic.is_given_name("مويد")
    assert arabic.is_given_name("عبدالرحيم")  # an عبد compound written as one word
    assert not arabic.is_given_name("بلدة")
    assert arabic.sex_of_given_name("فاطمه") == "female"
    assert arabic.sex_of_given_name("خالد") == "male"
    assert arabic.sex_of_given_name("نور") is None  # given to both


def test_titles_are_the_same_for_extraction_and_matching() -> None:
    # Extraction strips a title from a name it found; matching drops it from a name's head.
    assert clean_name("الطبيبة ريم الأحمد") == "ريم الأحمد"
    assert clean_name("الطفل الشهيد محمد خالد") == "محمد خالد"
    assert clean_name("Hajj Ahmad al-Omar") == "Ahmad al-Omar"
    assert clean_name("Dr. Ahmad al-Ali") == "Ahmad al-Ali"
    assert clean_name("the child Omar Haddad,") == "Omar Haddad"
    assert clean_name("Sheikh") == "Sheikh"  # a title alone is left as found
    assert name_parts("الطبيبة ريم خالد الأحمد") == name_parts("ريم خالد الأحمد")
    assert normalize_name("Hajj Ahmad Khaled al-Omar") == normalize_name("Ahmad Khaled al-Omar")


def test_articles() -> None:
    assert latin.strip_article("al rastan") == "rastan"
    assert latin.strip_article("ash shaddadi") == "shaddadi"
    assert latin.strip_article("alhasakah") == "alhasakah"
    assert latin.strip_article("al") == "al"
    assert resolve_place("al-Rastan, Homs countryside").locality == resolve_place("Rastan").locality


@pytest.mark.parametrize(("words", "value"), [
    ("three", 3), ("twenty-two", 22), ("ثلاثة", 3), ("خمسة وعشرين", 25), ("أحد عشر", 11), ("١٢", 12), ("a dozen", 12),
])
def test_number_words(words: str, value: int) -> None:
    assert parse_number(words) == value


def test_ascii_digits() -> None:
    assert to_ascii_digits("قتل ٣ مدنيين في ۱۴ آب") == "قتل 3 مدنيين في 14 آب"


def test_persian_spellings_in_the_gazetteer_are_not_read_as_arabic() -> None:
    # GeoNames lists دیرالزور (Persian ی) for the city; folded, it would turn the glued
    # ديرالزور with which posts name the governorate into the city, ahead of the town named.
    assert find_locality("ديرالزور الريف الشرقي ذيبان") == ("Theyban", "Deir Ez-Zour")
    assert resolve_place("مدينة دير الزور").locality == "Deir ez-Zor"


@pytest.mark.parametrize("text, published, expected", [
    ("February 11, 2021", None, "2021-02-11"),
    ("11 February 2021", None, "2021-02-11"),
    ("on Thursday, February 11", dt.date(2021, 2, 13), "2021-02-11"),
    ("on Sunday", dt.date(2021, 2, 13), "2021-02-07"),
    ("5 آذار 2024", None, "2024-03-05"),
    ("٥ آذار ٢٠٢٤", None, "2024-03-05"),
    ("in March 2024", None, "2024-03"),
    ("no date here", None, None),
])
def test_dates(text: str, published: dt.date | None, expected: str | None) -> None:
    assert parse_date(text, published) == expected


@pytest.mark.parametrize("text, governorate, locality", [
    ("in Ariha city in Idlib suburbs", "Idlib", "Ariha"),
    ("in eastern rural Deir Ez-Zour", "Deir Ez-Zour", None),
    ("في بلدة طفس بريف درعا", "Daraa", "Tafas"),
    ("in Douma in Rural Damascus", "Rural Damascus", "Douma"),
])
def test_places(text: str, governorate: str, locality: str | None) -> None:
    place = resolve_place(text)
    assert place.governorate == governorate
    if locality:
        assert place.locality == locality


@pytest.mark.parametrize("name, governorate", [
    ("Saqba", "Rural Damascus"), ("سقبا", "Rural Damascus"), ("al-Rastan", "Homs"), ("Rastan", "Homs"), ("Tafas", "Daraa"),
    ("a village nobody lists", None), ("", None), (None, None),
])
def test_governorate_of_a_town_given_alone(name: str | None, governorate: str | None) -> None:
    assert governorate_of_locality(name) == governorate


def test_gazetteer_from_geonames_resolves_towns_in_both_scripts() -> None:
    assert resolve_place("تل تمر") == resolve_place("Tall Tamr")
    assert resolve_place("Tall Tamr").governorate == "Hasaka"
    assert resolve_place("Yabroud").governorate == "Rural Damascus"
    assert resolve_place("بلدة سلقين بريف إدلب").locality == "Salqin"


def test_relative_days_in_english_and_arabic() -> None:

    published = dt.date(2024, 5, 10)
    assert parse_date("was killed yesterday in Ariha", published) == "2024-05-09"
    assert parse_date("قتل فجر اليوم", published) == "2024-05-10"
    assert parse_date("في اليوم العالمي لحقوق الإنسان", published) is None
    assert parse_date("killed on March 3, 2021, and buried yesterday", published) == "2021-03-03"  # a date wins
    assert parse_date("قتل أمس", None) is None


def test_ambiguous_latin_spellings_are_read_by_the_learnt_models() -> None:
    """A Latin spelling that can be read more than one way (th, dh, a final t after a vowel) is
    read as the lexicon's name the transliteration model finds it likeliest to write, and by the
    default rules when no name of the lexicon fits."""
    from tawthiq.lang.names import _latin_reading, latin_skeleton, vowels_differ

    # Turkish spellings: the final t is د, for names the dev data write often (أحمد, محمد, مراد).
    assert normalize_name("Ahmet") == normalize_name("أحمد") and normalize_name("Mehmet") == normalize_name("محمد")
    assert normalize_name("Murat") == normalize_name("مراد") == "mrd" and _latin_reading("murat") == ("D",)
    assert vowels_differ("mehmet", "محمود") is False and vowels_differ("ahmet", "احمد") is False
    # رفعت, Rifat: no name of the lexicon reads rfd, the default reading stands.
    assert normalize_name("Rifat") == normalize_name("رفعت") == "rft" and _latin_reading("rifat") is None
    # th as ث where no name of the lexicon reads otherwise (هيثم, Haitham; Smith, a Latin name).
    assert normalize_name("Haitham") == normalize_name("هيثم") and latin_skeleton("smith") == "sms"
    # A two-letter Arabic name keeps its final ه: طه is Taha.
    assert normalize_name("طه") == normalize_name("Taha") == "th" and normalize_name("عبد الله") == normalize_name("Abdullah")


def test_common_given_names_come_from_the_learnt_lexicon() -> None:
    """The names a small batch must never take for typos of one another are the dev data's
    common given names (tawthiq/lang/name_lexicon.py), not a list written by hand."""
    from tawthiq.lang import name_lexicon
    from tawthiq.lang.names import common_skeletons, learnt_common_skeletons

    common = learnt_common_skeletons()
    assert common <= common_skeletons()  # the extractors also read their own given-name lexicon
    assert common == {skeleton for form in name_lexicon.GIVEN for skeleton in name_parts(form).skeletons}
    for one, other in (("أحمد", "محمد"), ("حسن", "حسين"), ("محمود", "محمد"), ("علي", "عيسى")):
        assert name_parts(one).given in common and name_parts(other).given in common
    assert min(name_lexicon.GIVEN.values()) >= name_lexicon.MIN_COUNT >= 3
    assert min(name_lexicon.FAMILY.values()) >= name_lexicon.MIN_COUNT
    assert all(" " not in form for form in (*name_lexicon.GIVEN, *name_lexicon.FAMILY))  # parts, never full names


def test_name_lexicon_script_counts_parts_of_a_dev_file(tmp_path: Path) -> None:
    import importlib.util
    import json

    spec = importlib.util.spec_from_file_location("build_name_lexicon", ROOT / "scripts" / "build_name_lexicon.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)

    def victim(latin: str, arabic: str) -> dict[str, str]:
        return {"name_original": latin, "name_local": arabic}

    incidents = [
        {"internal_id": "a", "victims": [victim("Ahmad Khaled al-Omar", "أحمد خالد العمر"), victim("Khaled Ahmad al-Omar", "خالد أحمد العمر"),
                                         victim("Son of Ahmad", "ابن أحمد")]},
        {"internal_id": "b", "victims": [victim("Ahmad Saleh Haddad", "أحمد صالح حداد"), victim("Omar Haddad", "عمر العمر")]},
        {"internal_id": "c", "victims": [victim("Ahmad Khaled al-Omar", "أحمد خالد العمر"), victim("Rare Name", "نادر جدا الفريد")]},
    ]
    data = tmp_path / "dev.jsonl"
    data.write_text("\n".join(json.dumps(incident, ensure_ascii=False) for incident in incidents), encoding="utf-8")
    out = tmp_path / "lexicon.py"
    assert script.main(["--data", str(data), "--out", str(out)]) == 0
    lexicon: dict[str, object] = {}
    exec(out.read_text(encoding="utf-8"), lexicon)  # noqa: S102 - the module the script just wrote
    # أحمد 4 times (given and father's name; the description «ابن أحمد» is no name), خالد 3;
    # the family name العمر once per incident: 3 incidents. Rare parts and full names: never.
    assert lexicon["GIVEN"] == {"احمد": 4, "خالد": 3}
    assert lexicon["FAMILY"] == {"عمر": 3}
    assert lexicon["MIN_COUNT"] == 3


def test_key_readings_hold_the_key_of_every_reading() -> None:
    """Each reading of th, dh and a final t is a key the archive search looks for, the name's own
    key first; an Arabic name and a Latin one without such spellings have one."""
    from tawthiq.lang.names import key_readings, name_parts

    readings = key_readings("Munther Fadhel")
    assert readings[0] == name_parts("Munther Fadhel").key
    assert name_parts("منذر فاضل").key in readings
    assert key_readings("منذر فاضل") == [name_parts("منذر فاضل").key]
    assert key_readings("Ahmad Ali") == [name_parts("Ahmad Ali").key]
    assert name_parts("رفعت").key in key_readings("Rifat")
