"""Places in text (tawthiq/lang/places.py): the gazetteer read around Arabic punctuation, and
which governorate a town takes when a text names several."""

from __future__ import annotations

import pytest

from tawthiq.lang.places import Place, find_governorate, resolve_place


def test_a_place_followed_by_arabic_punctuation_is_found() -> None:
    assert find_governorate("قصف على مدينة إدلب، اليوم") == "Idlib"
    assert resolve_place("قصف على مدينة سرمين، اليوم") == Place(governorate="Idlib", locality="Sarmin")
    assert resolve_place("هل قصفت سرمين؟") == Place(governorate="Idlib", locality="Sarmin")
    # A word that only begins like a town is still not the town.
    assert resolve_place("قصف على بلدة سرمينة").locality != "Sarmin"


def test_a_towns_own_governorate_wins_over_one_named_in_another_sentence() -> None:
    text = "قتلت امرأة بقصف استهدف أطراف مدينة اعزاز اليوم. وارتكبت الطائرات مجزرة في ريف إدلب، يوم الجمعة."
    assert resolve_place(text) == Place(governorate="Aleppo", locality="Azaz")
    # In its own sentence, a governorate named explicitly still wins (the gazetteer may be wrong).
    assert resolve_place("قصف على سرمين في ريف حلب").governorate == "Aleppo"


@pytest.mark.parametrize(("text", "expected"), [
    ("Vicinity of Tal Brak", Place(None, None)),  # not al-Tall: "Tal" begins many names
    ("a drone struck near Tell Shaeer", Place(None, None)),
    ("shelling on al-Tall, north of Damascus", Place("Rural Damascus", "al-Tall")),
    ("التل", Place("Rural Damascus", "al-Tall")),
    ("Tell Abyad", Place("Raqqa", "Tal Abyad")),
])
def test_a_generic_place_noun_alone_is_no_town(text: str, expected: Place) -> None:
    """Tal, Tell, Deir, Kafr, Ain ... begin many place names; without the article they are no key
    of the one town also called by them."""
    assert resolve_place(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("مدنيان قتلا في قرية عطالة من جراء استهداف سيارتهما", "عطالة"),
    ("قتل شاب في قرية الشركة اليوم", "الشركة"),
    ("استهدفت مسيرة سيارة في قرية خانا سري الواقعة جنوب ديرك", "خانا سري"),
    ("قصفت القوات منزلا في قرية عرب حسن، أدى إلى مقتل مدني", "عرب حسن"),
])
def test_a_village_the_gazetteer_lacks_keeps_its_name_and_no_word_after_it(text: str, expected: str) -> None:
    """A village named after "قرية" that the gazetteer does not know keeps a two-word name
    ("خانا سري"), but not a preposition or a time word that follows a one-word name."""
    assert resolve_place(text).locality == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("استهداف منزلهم في قرية الدابس بريف جرابلس بصاروخ", Place("Aleppo", "الدابس")),
    ("استشهد 12 مدنيا في قرية المستريحة التابعة لمدينة عين عيسى", Place("Raqqa", "المستريحة")),
    ("قصف على قرية كفرعويد جنوب إدلب", Place("Idlib", "كفرعويد")),
    ("قصف على بلدة سرمين شرق إدلب", Place("Idlib", "Sarmin")),  # a known town stays itself
    ("في مدينة الباب بريف حلب", Place("Aleppo", "al-Bab")),
    ("غارات على منطقة السيدة زينب بريف دمشق", Place("Rural Damascus", "Sayyidah Zaynab")),
])
def test_a_village_placed_by_a_known_town_is_the_place_the_town_gives_the_governorate(text: str, expected: Place) -> None:
    """"قرية الدابس بريف جرابلس": it happened in the village, which the gazetteer lacks; Jarablus
    only says where the village is."""
    assert resolve_place(text) == expected
