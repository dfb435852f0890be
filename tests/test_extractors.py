"""Extraction (extractors/): news in English and Arabic, form submissions, and
bad input (truncated JSON, wrong encodings, hostile HTML, empty and huge items)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tawthiq.errors import DecodeError, EmptyItemError, ItemError, PayloadError
from tawthiq.extractors import extract_item, extract_path
from tawthiq.extractors.forms import replace_lone_surrogates
from tawthiq.lang.text import decode_bytes

PUBLISHED = dt.date(2021, 2, 13)  # a Saturday


def news(text: str, published: dt.date | None = PUBLISHED, content_type: str = "text/plain") -> list[dict]:
    result = extract_item("news", text.encode("utf-8"), content_type=content_type, published=published, name="test item")
    return [r.to_contract() for r in result.records]


def by_name(records: list[dict]) -> dict[str, dict]:
    return {r["full_name"]: r for r in records}


def test_daily_news_post_named_as() -> None:
    records = news(
        "A man from Theyban town in the eastern suburbs of Deir Ez-Zour governorate, named as Khaled Ibrahim al-Saleh, "
        "was shot dead on February 11, 2021, by Syrian Democratic Forces personnel. His brother, Ahmad al-Saleh, was "
        "injured in the incident. The local council head, Mahmoud Hassan, condemned the killing.")
    assert [r["full_name"] for r in records] == ["Khaled Ibrahim al-Saleh"]
    victim = records[0]
    assert victim["sex"] == "male" and victim["date_of_death"] == "2021-02-11"
    assert victim["place_of_death"] == {"governorate": "Deir Ez-Zour", "locality": "Theyban"}
    assert (victim["perpetrator"], victim["cause"], victim["category"]) == ("sdf", "shooting", "civilian")
    assert "named as Khaled Ibrahim al-Saleh" in victim["evidence"]


def test_weekday_without_year_and_relatives_and_unidentified_gunmen() -> None:
    records = by_name(news(
        "On Sunday, gunmen we have not yet been able to identify killed Rima Said Haddad, a 35-year-old woman from "
        "Afrin, and her two-year-old daughter Lana Haddad."))
    assert set(records) == {"Rima Said Haddad", "Lana Haddad"}
    rima, lana = records["Rima Said Haddad"], records["Lana Haddad"]
    assert (rima["sex"], rima["age"], rima["is_child"]) == ("female", 35, False)
    assert (lana["sex"], lana["age"], lana["is_child"]) == ("female", 2, True)
    assert rima["date_of_death"] == lana["date_of_death"] == "2021-02-07"  # the Sunday before publication
    assert rima["perpetrator"] == "unidentified"
    assert rima["place_of_death"]["governorate"] == "Aleppo"


def test_arabic_item_keeps_the_arabic_name() -> None:
    records = news("استشهد الطفل أحمد مصطفى عجاج إثر قصف مدفعي لقوات النظام على بلدة أريحا في ريف إدلب الجنوبي "
                   "يوم الثلاثاء 5 آذار 2024. وأصيب شقيقه محمد بجروح.", published=dt.date(2024, 3, 6))
    assert len(records) == 1
    victim = records[0]
    assert victim["name_ar"] == "أحمد مصطفى عجاج" and victim["full_name"] == "Ahmad Mustafa Ajaj"
    assert victim["is_child"] is True and victim["sex"] == "male"
    assert victim["date_of_death"] == "2024-03-05"
    assert victim["place_of_death"] == {"governorate": "Idlib", "locality": "Ariha"}
    assert (victim["perpetrator"], victim["cause"]) == ("syrian_regime", "shelling")


def test_the_injured_witnesses_and_detained_are_not_victims() -> None:
    records = news("Local sources said that Omar Khalil Nasser was wounded in the shelling and Yasser Adnan Fares was "
                   "arrested at a checkpoint, while the witness Samir Fouad Aziz told reporters what he saw.")
    assert records == []


def test_demo_pages_with_related_news_blocks(tmp_path) -> None:
    from tawthiq.demo import copy_samples

    copy_samples(tmp_path)
    found, incidents = {}, {}
    for page in sorted((tmp_path / "news").iterdir()):
        result = extract_path(page)
        found[page.name] = [r.full_name for r in result.records]
        incidents[page.name] = result.incidents
    # Every sample reports a death; the two "-unnamed" ones name nobody and reach people as incidents.
    assert all(names for name, names in found.items() if "unnamed" not in name), found
    assert all(len(items) == 1 and items[0].killed for items in incidents.values()), incidents
    for names in found.values():
        assert len(names) == len(set(names))  # one record per person per item


def test_form_submission_in_kobo_shape_keeps_submitter_out_of_the_record() -> None:
    payload = {"group_victim/victim_name": "Mustafa Mohamed Ajaj", "group_victim/sex": "male", "group_victim/age": "38",
               "group_death/date_of_death": "2024-03-02", "group_death/death_governorate": "Idlib",
               "group_death/death_locality": "Ariha", "group_death/cause": "airstrike", "group_death/perpetrator": "russian_forces",
               "group_submitter/submitter_name": "Bassel Ajaj", "group_submitter/submitter_phone": "+963 944 000 000"}
    result = extract_item("form", json.dumps(payload).encode(), name="kobo 1")
    [record] = [r.to_contract() for r in result.records]
    assert record["full_name"] == "Mustafa Mohamed Ajaj" and record["age"] == 38
    assert record["place_of_death"] == {"governorate": "Idlib", "locality": "Ariha"}
    assert (record["perpetrator"], record["cause"]) == ("russian_forces", "airstrike")
    assert "Bassel" not in json.dumps(record, ensure_ascii=False) and "944" not in json.dumps(record)


def test_form_answers_lose_markup_and_direction_overrides() -> None:
    payload = {"victim_name": "<script>alert(1)</script><b>Khaled</b> \u202eOmar Hamdan", "date_of_death": "2024-03-05"}
    [record] = extract_item("form", json.dumps(payload).encode(), name="hostile").records
    assert record.full_name == "Khaled Omar Hamdan"


# --- bad input ------------------------------------------------------------------------------------

def test_truncated_json_names_the_item() -> None:
    with pytest.raises(PayloadError, match="submission-7"):
        extract_item("form", b'{"victim_name": "Ahmad', name="submission-7")


@pytest.mark.parametrize("content", [b"", b"   \n", b"[1, 2, 3]", b'"just a string"'])
def test_empty_or_non_object_forms_are_item_errors(content: bytes) -> None:
    with pytest.raises(ItemError, match="form-x"):
        extract_item("form", content, name="form-x")


def test_json_nested_too_deeply_is_an_item_error_naming_the_item() -> None:
    with pytest.raises(PayloadError, match="^deep.json: JSON nested too deeply"):
        extract_item("form", b'{"g":' * 10_000 + b"1" + b"}" * 10_000, name="deep.json")


def test_a_deep_but_readable_submission_is_extracted() -> None:
    # 900 groups deep: within what the parser reads, so flattening must manage it too.
    content = (b'{"victim_name": "Ali Hasan", "group": {"age": "30", ' + b'"group": {' * 900
               + b'"date_of_death": "2024-03-02"' + b"}" * 900 + b"}}")
    [record] = extract_item("form", content, name="deep").records
    assert (record.full_name, record.age, record.date_of_death) == ("Ali Hasan", 30, "2024-03-02")


def test_lone_surrogate_escapes_become_replacement_characters() -> None:
    # Valid JSON that gives strings no database accepts: U+FFFD in their place, keys in order.
    content = b'{"victim_name": "Ali \\ud800Hasan", "group": {"notes\\udc00": ["x\\udc00"]}, "age": "30"}'
    [record] = extract_item("form", content, name="broken").records
    assert (record.full_name, record.age) == ("Ali \ufffdHasan", 30)
    payload = {"b\udc00": 1, "a": ["\ud800", {"c": "\udfff"}], "z": 2}
    assert replace_lone_surrogates(payload) == 3
    assert payload == {"b\ufffd": 1, "a": ["\ufffd", {"c": "\ufffd"}], "z": 2} and list(payload) == ["b\ufffd", "a", "z"]


def test_windows_1256_and_wrongly_declared_charsets_decode_right() -> None:
    arabic = "استشهد الشاب محمد خالد العبدالله في سرمين"
    text, encoding = decode_bytes(arabic.encode("cp1256"), "iso-8859-1", name="page")
    assert text == arabic and encoding in ("cp1256", "windows-1256")
    page = f'<html><head><meta charset="utf-8"></head><body><p>{arabic}</p></body></html>'.encode("cp1256")
    result = extract_item("news", page, content_type="text/html; charset=utf-8", name="page")
    assert arabic in (result.text or "")


def test_binary_and_empty_items_are_clear_errors() -> None:
    with pytest.raises(DecodeError, match="photo.jpg"):
        decode_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 20, name="photo.jpg")
    with pytest.raises(EmptyItemError, match="blank"):
        extract_item("news", b"", name="blank")


def test_hostile_html_gives_text_without_scripts() -> None:
    page = b"""<html><head><title>Killed in Sarmin</title><script>var x = "Adel Karim Mansour was killed";</script>
    <style>.x{}</style></head><body><!-- Hidden Person was killed --><nav>Home | News</nav><article>
    <p onclick="alert(1)">Syrian regime forces shelled Sarmin city in Idlib suburbs on February 11, 2021, killing a child named as
    Yamen Ali Darwish.<img src=x onerror=alert(1)></p></article><div class="related"><h3>Related News</h3>
    <p>Another man named as Fadi Nour Haddad was killed in Homs.</p></div></body></html>"""
    result = extract_item("news", page, content_type="text/html", name="hostile page")
    names = [r.full_name for r in result.records]
    assert names == ["Yamen Ali Darwish"]
    assert "alert" not in (result.text or "") and "var x" not in (result.text or "")


def test_text_with_no_victims_and_a_huge_text() -> None:
    assert news("The weather in Damascus was mild on Monday; markets were open.") == []
    huge = ("Markets were open and prices rose slightly in Damascus. " * 200_000)[:10 * 1024 * 1024]
    with pytest.raises(PayloadError, match="huge: text of 10,485,760 characters is over"):
        extract_item("news", huge.encode(), content_type="text/plain", name="huge")


def test_arabic_descriptions_and_figures_are_not_names() -> None:
    text = ("ذكر فريق الإسعاف أن الغارة على السوق أدت إلى مقتل امرأة حامل وطفلين صغيرين، وقتل كذلك عاملا إغاثة و9 مدنيين "
            "وإصابة 41 آخرين. واستشهد الطفل محمد أحمد الخلف (13 عاماً) متأثراً بجراحه.")
    records = extract_item("news", text.encode("utf-8"), content_type="text/plain", name="hrw-style").records
    assert [(r.name_ar, r.age) for r in records] == [("محمد أحمد الخلف", 13)]


def test_arabic_lists_one_name_per_line_and_quoted_names() -> None:
    post = ("قصف مدفعي على قرية الحلوبة بريف إدلب الجنوبي أدى لاستشهاد كل من\n"
            "1- سامر خالد الدرويش\n"
            "2- ريم خالد الدرويش 9 سنوات\n"
            "وإصابة آخرين بجروح.\n")
    names = [r.name_ar for r in extract_item("news", post.encode(), content_type="text/plain", name="post").records]
    assert names == ["سامر خالد الدرويش", "ريم خالد الدرويش"]
    heading = "غارة جوية على بلدة معرشورين.\nأسماء الضحايا:\nحسن علي القاسم 40 سنة\nفاطمة حسن القاسم 12سنة\n#إدلب"
    records = extract_item("news", heading.encode(), content_type="text/plain", name="heading").records
    assert [(r.name_ar, r.age) for r in records] == [("حسن علي القاسم", 40), ("فاطمة حسن القاسم", 12)]
    quoted = "أفاد شهود بأن الانفجار أدى إلى استشهاد المواطن “عمر سعيد الجاسم” أمام محله، ونُقل جاره إلى المستشفى."
    assert [r.name_ar for r in extract_item("news", quoted.encode(), content_type="text/plain", name="q").records] == ["عمر سعيد الجاسم"]


def test_arabic_prose_is_not_taken_for_names() -> None:
    text = ("ندعو إلى حماية الأهالي الذين لا ذنب لهم ومحاسبة من أمر بالقصف وتقديمهم للقضاء، "
            "وقد أدى القصف إلى مقتل مدنيين تم دفنهم في مقبرة البلدة. عظم الله أجركم.")
    assert extract_item("news", text.encode(), content_type="text/plain", name="prose").records == []


def test_rescuers_at_work_are_not_names() -> None:
    """"تنتشل القتلى وتسعف الجرحى" (recovering the dead, aiding the wounded) and "لمكان القصف"
    (to the place of the shelling) after "الدفاع المدني" are prose: the dead and the hurt as
    nouns, and the shelling with its article, never stand in a name."""
    text = ("ارتقى 9 مدنيين وسقط عشرات الجرحى، ظهر اليوم الأربعاء، نتيجة قصف صاروخي على مدينة الباب. "
            "وهرعت فرق الدفاع المدني لمكان القصف وهي تنتشل القتلى وتسعف الجرحى.")
    assert extract_item("news", text.encode(), content_type="text/plain", name="rescuers").records == []


def test_places_and_bodies_around_a_title_are_not_names() -> None:
    """"منطقة السيدة زينب ومحيط الفرقة الأولى" is a town and a base, "مالك شركة الفضل" the owner
    of a company; "السيدة زينب محمد العلي" is still a woman."""
    place = ("أفاد مراسلنا بأن القصف الإسرائيلي على مواقع في منطقة السيدة زينب ومحيط الفرقة الأولى بمنطقة الكسوة "
             "جنوب دمشق أسفر عن مقتل 9 عناصر.")
    assert extract_item("news", place.encode(), content_type="text/plain", name="place").records == []
    owner = "كما قتل مالك شركة الفضل للحوالات في القصف على حي كفرسوسة."
    assert extract_item("news", owner.encode(), content_type="text/plain", name="owner").records == []
    woman = "استشهدت السيدة زينب محمد العلي بقصف على مدينة دوما."
    assert [r.name_ar for r in extract_item("news", woman.encode(), content_type="text/plain", name="woman").records] == [
        "زينب محمد العلي"]


@pytest.mark.parametrize(("text", "expected"), [
    ("استهدفت منزلا يقطنه أمجد محمد الويس العايد “أبو عمر”، عند قرابة الساعة العاشرة مما أدى إلى مقتله.", ["أمجد محمد الويس العايد"]),
    ("قتل الشاب أمجد محمد الويس العايد (أبو عمر) برصاص مجهولين.", ["أمجد محمد الويس العايد"]),
    ("قتل الشاب أحمد خالد العلي و“أبو محمد الحسين” برصاص مجهولين.", ["أحمد خالد العلي", "أبو محمد الحسين"]),
    ("استشهد الشاب “أبو محمد الحسين” برصاص مجهولين.", ["أبو محمد الحسين"]),
])
def test_a_kunya_in_quotes_after_a_name_is_the_same_person(text: str, expected: list[str]) -> None:
    """"A “أبو عمر”" is A's kunya; after "و" it is a second person, after a title the name itself."""
    assert [r.name_ar for r in extract_item("news", text.encode(), content_type="text/plain", name="kunya").records] == expected


def test_and_with_a_noun_is_not_the_head_of_a_name() -> None:
    """"وضرب عوامل الاستقرار" (and striking the factors of stability), "ومقاتلو مجلس منبج": "و" and
    a word that is no given name; "وضحة فارس العمر" and "وعبد الله ..." are names."""
    prose = ("ويأتي التصعيد استمرارا لسياسة ممنهجة باستهداف المدنيين وضرب عوامل الاستقرار، وقتلت امرأة بقصف صاروخي "
             "استهدف أطراف مدينة اعزاز.")
    assert extract_item("news", prose.encode(), content_type="text/plain", name="prose").records == []
    listed = "وأسفر القصف عن مقتل مدنيين ثلاثة هم: هادي سالم العمر، ووضحة فارس العمر، وعبد الله هادي العمر."
    assert [r.name_ar for r in extract_item("news", listed.encode(), content_type="text/plain", name="listed").records] == [
        "هادي سالم العمر", "وضحة فارس العمر", "عبد الله هادي العمر"]


def test_arabic_two_names_joined_by_and_and_bare_titles() -> None:
    two = "انتقل إلى رحمة ربه، في ذمة الله الشابان باسل يوسف العمر وعبد الله حسن الدباغ بعد استهداف سيارتهما قرب الميادين."
    assert [r.name_ar for r in extract_item("news", two.encode(), content_type="text/plain", name="two").records] == [
        "باسل يوسف العمر", "عبد الله حسن الدباغ"]
    bare = "صباح الأحد قُتل مدني (نبيل سمير القاسم) بقذيفة سقطت قرب منزله في تفتناز."
    assert [r.name_ar for r in extract_item("news", bare.encode(), content_type="text/plain", name="bare").records] == ["نبيل سمير القاسم"]
    waw = "استشهد الطفل وليد أحمد الحسن وأصيب شقيقه بجروح."
    assert [r.name_ar for r in extract_item("news", waw.encode(), content_type="text/plain", name="waw").records] == ["وليد أحمد الحسن"]


def test_arabic_list_under_a_heading_after_a_massacre() -> None:
    post = ("قصف صاروخي فجر اليوم على حي سكني في سراقب راح ضحيته عدد من السكان\n"
            "عرف منهم :\n"
            "1_ مهند وليد الخطيب من #سراقب\n"
            "2_ هالة وليد الخطيب\n"
            "ولا يزال البحث جارياً...\n")
    records = extract_item("news", post.encode(), content_type="text/plain", name="massacre").records
    assert [r.name_ar for r in records] == ["مهند وليد الخطيب", "هالة وليد الخطيب"]


def test_arabic_common_misspelling_of_the_death_word() -> None:
    text = "خبر عاجل: إستشهاد الشابة سلمى نزار العكاري بشظايا قذيفة هاون في حي الضبيط."
    records = extract_item("news", text.encode(), content_type="text/plain", name="urgent").records
    assert [(r.name_ar, r.sex) for r in records] == [("سلمى نزار العكاري", "female")]


def _names(text: str, name: str = "item") -> list[str]:
    return [r.name_ar for r in extract_item("news", text.encode(), content_type="text/plain", name=name).records]


def test_arabic_comments_under_a_saved_post_are_not_victims() -> None:
    post = ("استشهد الشاب خالد عمر الحسين بقصف مدفعي على بلدة كفرنبل صباح اليوم."
            "All reactions:12 3 commentsLikeCommentMost relevant\ufeffسامر وليد العليالله يرحمه ويصبر أهله1y"
            "مازن خليل الأحمدرحمه الله1y")
    assert _names(post, "post") == ["خالد عمر الحسين"]


def test_arabic_names_run_together_in_posts() -> None:
    assert _names("وفاة سيدة تدعى #رقيةالحسن جراء قصف مدفعي على أطراف عفرين.") == ["رقية الحسن"]
    assert _names("مقتل شابين وإصابة آخر برصاص مسلحين مجهولين قرب الرقة، والشابان هما:1- سامر فواز الخلف2- ماجد فواز الخلف.") == [
        "سامر فواز الخلف", "ماجد فواز الخلف"]
    assert _names("توفي الحاج سليم عبد الرزاق الحمويالعمر 70 سنة جراء القصف على المدينة.") == ["سليم عبد الرزاق الحموي"]


def test_arabic_names_without_a_title_are_found_by_their_given_name() -> None:
    text = "قُتل خلال القصف على البلدة أحد العاملين في الفرن، ياسين محمود الحمدان متأثراً بجراحه."
    assert _names(text) == ["ياسين محمود الحمدان"]
    # A speaker, a place named after a person and the injured are not victims.
    assert _names("وقال رامي خالد العلي إن القصف أدى إلى مقتل ثلاثة مدنيين في عين عيسى ظهر اليوم.") == []
    assert _names("أصيب فراس أحمد الحسن بجروح في القصف الذي أدى أيضاً إلى مقتل امرأة.") == []


def test_arabic_caption_line_with_the_death_told_below() -> None:
    post = "الملازم مهند سعيد الأحمد\n\nمن أبناء مدينة سلقين\nاستهدفته طائرة مسيرة صباح اليوم\n\nرحمه الله"
    assert _names(post) == ["مهند سعيد الأحمد"]
    injured = "رائد محمد الشيخ علي\nالعمر 40 سنة\nأصيب بقصف على أطراف قرية البارة"
    assert _names(injured) == []
    byline = "غارات على ريف إدلب\n\nنبيل حداد\n\nقتل ثلاثة مدنيين في غارات على ريف إدلب الجنوبي اليوم."
    assert _names(byline) == []


def test_arabic_family_listed_by_first_names_and_a_child_named_after_a_parent() -> None:
    post = ("أسماء شهداء القصف على قرية الزيارة في سهل الغاب\nمساء أمس\n\n"
            "عائلة سامي محمود العبيد\nسلمى طفلة\nعلي طفل\nالجرحى ثلاثة من الجيران")
    assert _names(post) == ["سلمى العبيد", "علي العبيد"]
    kin = "استشهد المزارع خليل إبراهيم الرحال وابنه عمر، إثر قصف استهدف أرضهما غربي جسر الشغور."
    assert _names(kin) == ["خليل إبراهيم الرحال", "عمر الرحال"]


def test_arabic_death_told_in_the_next_sentence() -> None:
    text = "هاجم مسلحون مجهولون منزل الشاب أيمن سالم الفارس في قرية الكرامة. وقاموا بقتله أمام عائلته."
    assert _names(text) == ["أيمن سالم الفارس"]


def _latin(text: str) -> list[str]:
    return [r.full_name for r in extract_item("news", text.encode(), content_type="text/plain", name="en").records]


def test_english_victim_introduced_by_origin_then_death() -> None:
    text = ("Mrs. Salma Khaled al-Omar, from Hama governorate, died in Kafr Zita town in the northern suburbs of Hama "
            "governorate on March 3, 2024, of wounds she sustained in a shelling two days earlier.")
    assert _latin(text) == ["Salma Khaled al-Omar"]


def test_english_list_on_its_own_line_and_named_the_dead_as() -> None:
    post = ("Two civilians were killed by a landmine west of Saraqib:\n"
            "Ahmad Yasin Hamdan and Fadi Jamil Qaddour were killed when the mine exploded under their tractor.")
    assert _latin(post) == ["Ahmad Yasin Hamdan", "Fadi Jamil Qaddour"]
    statement = ("Three people were killed in the strike. In a statement, the council named the dead as Rima Hasan Saleh, "
                 "head of the women's office; Karim Adel Mansour, a driver; and Lina Fares Haddad, a nurse.")
    assert _latin(statement) == ["Rima Hasan Saleh", "Karim Adel Mansour", "Lina Fares Haddad"]


def test_english_role_before_the_name() -> None:
    text = ("The drone hit a car near Amuda on Tuesday, killing the owner of the local bakery, Yaser Nabil Qassem, and his "
            "nephew, Omar Ziad Hallak, as well as a passer-by.")
    assert _latin(text) == ["Yaser Nabil Qassem", "Omar Ziad Hallak"]


def test_english_page_sections_are_not_captions() -> None:
    page = "Discover Popular Videos | Facebook\nJoint Security Operation | Forces dismantle a cell near Raqqa\n"
    assert _latin(page) == []


def test_arabic_places_named_after_martyrs_are_not_victims() -> None:
    assert _names("سقطت قذيفة على مدرسة الشهيد باسل الأحمد في المدينة ما أدى إلى مقتل طفل.") == []
    assert _names("استشهد الطفل عمر خالد الحسن في قصف على مشفى الشهيد محمد الرفاعي.") == ["عمر خالد الحسن"]


def test_arabic_subject_of_a_verb_is_not_a_victim() -> None:
    assert _names("محمد العلي يدين مقتل المدنيين في القصف على إدلب.") == []
    assert _names("قتل ثلاثة مدنيين بقصف قوات بشار الأسد على بلدة كفرنبل.") == []  # forces named after a man
    assert _names("قُتل الطبيب سامر خليل الأحمد في غارة على سراقب، ويتفقد نبيل الصالح منزل جاره المدمر.") == ["سامر خليل الأحمد"]


def test_arabic_injured_then_died_and_what_is_not_a_name() -> None:
    text = ("وأشارت مصادر إلى أن المدعو سامر خليل الحسن، وهو مزارع من البلدة، أصيب في ضربة استهدفت أرضه، "
            "وتوفي بعد نقله إلى المستشفى.")
    assert _names(text) == ["سامر خليل الحسن"]
    # Words after a death word or in a list after one are not names unless they start like one.
    assert _names("أدى القصف إلى مقتل سائق صهريج نفط، وخلف أضرار مادية: استهدف منزلا سكنيا، ودمر محطة للكهرباء.") == []
    assert _names("وأسفر القصف عن مقتل مدنيين اثنين هما: هادي سالم العمر، ووضحة فارس العمر.") == ["هادي سالم العمر", "وضحة فارس العمر"]


def _records(text: str, published: dt.date | None = None) -> list:  # type: ignore[type-arg]
    return extract_item("news", text.encode(), content_type="text/plain", name="snhr", published=published).records


def test_english_daily_news_shapes_seen_in_real_posts() -> None:
    """Shapes of SNHR's daily English posts, in my own words: who holds the area is not who
    killed; the town he came from is not where he died; a body found; a pronoun gives the sex."""
    unidentified = ("A man from Hajin town in the eastern suburbs of Deir Ez-Zour governorate, named as Omar Faisal al Hamad, "
                    "was shot dead in the town on March 4, 2022 by gunmen whose identities have not yet been revealed; the town "
                    "is under the control of the Syrian Democratic Forces.")
    [r] = _records(unidentified)
    assert (r.full_name, r.perpetrator, r.cause, r.place_of_death.locality) == ("Omar Faisal al Hamad", "unidentified", "shooting", "Hajin")
    elsewhere = ("A man from Sarmin town in the eastern suburbs of Idlib governorate, named as Yasser Adel al Khatib, was killed "
                 "by Syrian regime artillery shelling in Ariha city in the southern suburbs of Idlib governorate on May 2, 2021.")
    [r] = _records(elsewhere)
    assert (r.place_of_death.locality, r.origin.locality, r.perpetrator, r.cause) == ("Ariha", "Sarmin", "syrian_regime", "shelling")
    body = ("The body of a man named as Ziad Kamal al Saleh, from al Mayadin city in the eastern suburbs of Deir Ez-Zour "
            "governorate, was found on June 5, 2022, bearing signs of gunshot wounds, in Theyban town in the same suburbs.")
    [r] = _records(body)
    assert (r.full_name, r.date_of_death, r.place_of_death.locality) == ("Ziad Kamal al Saleh", "2022-06-05", "Theyban")
    pronoun = ("A member of the local council, named as Fares Jamil al Hussein, from Nawa city in Daraa governorate, died on "
               "October 8, 2020, of wounds sustained a day earlier when gunmen opened fire on him in the city.")
    [r] = _records(pronoun)
    assert (r.sex, r.date_of_death) == ("male", "2020-10-08")


def test_english_deaths_in_detention() -> None:
    """Arrested, then tortured to death: the victim, with the date of death rather than the date
    of arrest; and a report that introduces a detainee and tells the death paragraphs later."""
    tortured = ("A 31-year-old man from Nawa city in the western suburbs of Daraa governorate, named as Hadi Samir al Zoubi, "
                "was arrested by Syrian regime forces on March 2, 2019 at a checkpoint near Jasim city and tortured to death in a "
                "detention centre in Damascus. On April 9, 2019, his body was handed over to his family.")
    [r] = _records(tortured)
    assert (r.full_name, r.sex, r.age, r.date_of_death, r.cause, r.perpetrator) == (
        "Hadi Samir al Zoubi", "male", 31, "2019-04-09", "torture", "syrian_regime")
    later = ("Mazen Adel al-Sayed, a teacher from Tafas town in the western suburbs of Daraa governorate, was arrested in May "
             "2018 by regime forces at a checkpoint.\n\n"
             "On June 2, 2021, Mazen's family received an official notice that he had died. His body was not handed over.")
    [r] = _records(later, published=dt.date(2021, 6, 10))
    assert (r.full_name, r.date_of_death) == ("Mazen Adel al-Sayed", "2021-06-02")


@pytest.mark.parametrize("text, expected", [
    ("killed by pro-Assad shelling on the town", "syrian_regime"),
    ("shot dead by gunmen whose identities have not yet been identified; the town is controlled by Syrian Democratic Forces",
     "unidentified"),
    ("the area is controlled by the SDF, with SNHR so far unable to identify the party responsible", "unidentified"),
    ("قتل برصاص قسد في القرية الخاضعة لسيطرة قوات النظام", "sdf"),
    ("the village is held by the Syrian National Army", None),
])
def test_perpetrator_is_who_killed_not_who_holds_the_area(text: str, expected: str | None) -> None:
    from tawthiq.extractors.vocab import classify_perpetrator

    assert classify_perpetrator(text) == expected


def test_arabic_today_yesterday_and_sex_from_the_given_name() -> None:
    """"اليوم" and "أمس" count from the day the item was published; a given name that is only a
    man's or only a woman's gives the sex when no word does, and says so in the evidence."""
    published = dt.date(2024, 5, 10)
    [r] = _records("أفاد مراسلنا باستشهاد “ياسر خالد الحمدان” من سرمين مساء أمس متأثرا بإصابته.", published)
    assert (r.name_ar, r.date_of_death, r.sex) == ("ياسر خالد الحمدان", "2024-05-09", "male")
    [r] = _records("مقتل ياسر خالد الحمدان أمس بقصف على سرمين.", published)
    assert (r.sex, r.field_evidence["sex"]) == ("male", "given name ياسر")
    [r] = _records("استشهدت فاطمة عمر الحسين اليوم إثر قصف مدفعي على بنش.", published)
    assert (r.date_of_death, r.sex) == ("2024-05-10", "female")
    [r] = _records("مقتل نور خالد العلي بقصف على أريحا اليوم.", published)
    assert r.sex is None  # نور is a man's and a woman's name


def test_namesakes_in_one_report_stay_two_people() -> None:
    """A report names relatives and namesakes: different fathers, or Mohammad and Mahmoud, are
    different people; a caption that spells a name a little differently, or leaves the father
    out, is the same person, and the fuller name is kept."""
    report = ("Hassan Bassel al-Khatib, 34, was killed by Syrian regime shelling on Ariha on March 3, 2023.\n\n"
              "On the same day Hassan Youssef al-Khatib, 52, was killed by a Russian airstrike on Sarmin.\n\n"
              "The victim Hassan al-Khatib – photo taken by his family\n\n"
              "Moayed Walid Haddad was shot dead by gunmen we have not yet been able to identify in Binnish on March 5, 2023.\n\n"
              "The victim Moyaed Haddad – photo")
    names = [r.full_name for r in _records(report)]
    assert names[:2] == ["Hassan Bassel al-Khatib", "Hassan Youssef al-Khatib"]
    assert "Moayed Walid Haddad" in names and "Moyaed Haddad" not in names
    arabic = "الشهداء\n١_محمد محمد العمر رجل مسن\n٢_الشاب محمود العمر"
    assert _names(arabic) == ["محمد محمد العمر", "محمود العمر"]


def test_arabic_the_one_an_attack_is_told_on_after_a_death_and_a_dual_verb() -> None:
    """"قتل قيادي سابق ... . إن مجهولين استهدفوا القيادي السابق ... X في حين أصيب الشاب Y": X is the
    dead just told, Y is hurt; with no death told before, an attack names nobody dead. A dual
    verb of dying far after two names ("A، و B، وهما مدنيان ...، قتلا أمس") is said of both."""
    attack = ("قتل قيادي سابق في الجيش السوري الحر وأصيب اثنان بحادثتي اغتيال منفصلتين في محافظة درعا. وقالت مصادر محلية "
              "إن مجهولين استهدفوا القيادي السابق في الجيش الحر طراد تركي الشحادات في حين أصيب الشاب طعمة الشحادات بجروح خطيرة.")
    assert [r.name_ar for r in extract_item("news", attack.encode(), content_type="text/plain", name="attack").records] == [
        "طراد تركي الشحادات"]
    alone = "قصف مدفعي على درعا. وقالت مصادر إن مجهولين استهدفوا القيادي السابق طراد تركي الشحادات بالرصاص."
    assert extract_item("news", alone.encode(), content_type="text/plain", name="alone").records == []
    dual = ("وقالت مصادر محلية إن كلا من المسن “إسماعيل خلوف حمادي الشاهر”، و المسن “عبد الله حسن العلوان الشبلي”، "
            "وهما مدنيان لا ينتميان لأي جهة عسكرية، قتلا أمس الإثنين، جراء سقوط قذائف هاون.")
    assert [r.name_ar for r in extract_item("news", dual.encode(), content_type="text/plain", name="dual").records] == [
        "إسماعيل خلوف حمادي الشاهر", "عبد الله حسن العلوان الشبلي"]


@pytest.mark.parametrize(("text", "expected"), [
    # Three names joined by و, in quotes, the last quote glued to its و.
    ("وأسفر إطلاق النار عن مقتل طفل يدعى “أحمد صدام اللاحج” و “عايد شعلان السويجي” و”جمعة الحوام”، وإصابة كل من “صالح خلف الخريصي”.",
     ["أحمد صدام اللاحج", "عايد شعلان السويجي", "جمعة الحوام"]),
    # A titled name, then the next sentence tells the death of the same title noun.
    ("وقال مصدر محلي إن الطفل “يزن حاج باكير” كان يساعد جده في العمل ببستان. وأضاف أن الطفل أصيب برصاصة في الصدر، "
     "وباءت محاولات إسعافه بالفشل، إذ فقد حياته إثر الإصابة البليغة.", ["يزن حاج باكير"]),
    ("وقال مصدر محلي إن الطفل “يزن حاج باكير” كان يساعد جده في العمل. وأضاف أن الطفل أصيب برصاصة في الصدر ونقل إلى المشفى.", []),
    # A village and a faction in quotes or brackets are no people.
    ("استهدفت طائرة مسيرة سيارة مدنية بقرية “تل جمال” بريف مدينة ديرك، ما أسفر عن استشهاد مدنيين اثنين.", []),
    ("لقي الشاب “صطوف متعب الفضي” حتفه جراء التعذيب من قبل ميليشيا الجيش الوطني (سليمان شاه العمشات ، لواء العزة) في عفرين.",
     ["صطوف متعب الفضي"]),
])
def test_arabic_shapes_of_other_outlets(text: str, expected: list[str]) -> None:
    """Shapes read in Horrya, North Press, Kurdipedia and VDC reports of the real labelled set."""
    assert [r.name_ar for r in extract_item("news", text.encode(), content_type="text/plain", name="shape").records] == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("وأودى الانفجار بحياة الطفلين (محمد نور وعمر عبدو الأسود) من أبناء قرية العلاني، والطفل (ابراهيم كاجو) نازح مع عائلته.",
     ["محمد نور", "عمر عبدو الأسود", "ابراهيم كاجو"]),
    ("اغتال مجهولون اليوم أحد عناصر التسوية في ريف درعا الغربي. وقال موقع محلي إن مجهولين أطلقوا النار بشكل مباشرعلى "
     "“مناضل الساعدي” في بلدة المزيريب.", ["مناضل الساعدي"]),
    ("وأشار المصدر، إلى أن الضحايا هما مياس طعمة وقصي حوا، شابان قاصران لا يتجاوز عمرهما 18 عامًا، كانا يعملان داخل المحل "
     "في لحظة وقوع الحادث.", ["مياس طعمة", "قصي حوا"]),
    ("في العام الماضي، حاول عناصر الميليشيا قتل “أنس حوا”، وعندما فشلوا في ذلك فجروا المحل.", []),
    ("أسفر القصف عن فقدان أربعة أشخاص بينهم الطفلان أحمد شيبي (14 عاما) و آهنك (16 عاماً) لحياتهم.", ["أحمد شيبي"]),
    ("وقال الدفاع المدني عبر صفحته الرسمية إن الطفل “عمر هيثم حاج علي” توفي غرقا أثناء السباحة.", ["عمر هيثم حاج علي"]),
    # "وإصابة شخص آخر يدعى X": the other one hurt is the one "يدعى" names.
    ("مما أدى إلى فقدان شخص لحياته يدعى يوسف الحايك البالغ من العمر 30 عاماً وإصابة شخص آخر يدعى عبد الرحمن الحايك "
     "البالغ من العمر 16 عاماً يتلقى العلاج.", ["يوسف الحايك"]),
    ("استهدفت غارة مقرا لميليشيا حزب الله اللبناني قرب دمشق ما أدى لمقتل عناصر.", []),
])
def test_arabic_shapes_of_daily_news(text: str, expected: list[str]) -> None:
    """«أودى الانفجار بحياة», a shot fired «بشكل مباشر على» a quoted name after a death was told, the
    dual «هما» counting two, an attempt on a life, «لحياتهم» after the names, «عبر» ends a name."""
    assert [r.name_ar for r in extract_item("news", text.encode(), content_type="text/plain", name="shape").records] == expected


@pytest.mark.parametrize(("text", "expected"), [
    # Items of a list of the dead closed by full stops, with ranks.
    ("والشهداء هم: العقيد مهدي محمد ابراهيم من حمص. الملازم أول محمد عبد السلام أبو عساف من دمشق. "
     "المجند حسان خليل العوض من حماة. واكد ذوو الشهداء أن أبناءهم ضحوا بأرواحهم.",
     ["مهدي محمد ابراهيم", "محمد عبد السلام أبو عساف", "حسان خليل العوض"]),
    # "أسماء الشهداء:" and names joined by commas; the injured listed apart.
    ("سجلت حصيلة مروعة بلغت 13 شهيدا.\nأسماء الشهداء: وسام فهد رضوان، عمران موفق رضوان، ساطع رضا رضوان، خلدون رضوان.\n"
     "الجرحى: وائل رضا رضوان، أسعد وائل رضوان.", ["وسام فهد رضوان", "عمران موفق رضوان", "ساطع رضا رضوان", "خلدون رضوان"]),
    # "عرف منهم الأطفال: (A، وB)".
    ("ومقتل تسعة مدنيين بينهم ستة أطفال، عرف منهم الأطفال: (آية رمضان، وسهيلة رمضان، وشيماء حسينو)، بالإضافة إلى آخرين.",
     ["آية رمضان", "سهيلة رمضان", "شيماء حسينو"]),
    # Dash-separated details after each name of a list; an alias in brackets.
    ("سجل مقتل عدد من الشبان المنحدرين من محافظة درعا، عرف منهم:\n- عدي خالد الشنا – من مدينة نوى، منتسب إلى وزارة الدفاع.\n"
     "- عبد الرحمن العيد (الملقب أبو الزبير) – من بلدة الشجرة.\n- أحمد زعل الغزالي – من بلدة قرفا.",
     ["عدي خالد الشنا", "عبد الرحمن العيد", "أحمد زعل الغزالي"]),
    # Each of a list's items with its own verb: the hurt one is no victim.
    ("والضحايا هما: غنام فرج الشيخ علي، طفل يبلغ من العمر 14 عاماً، قتل نتيجة القصف، وناصر الخلف، طفل يبلغ من العمر "
     "15 عاماً، أصيب بجروح جراء الاستهداف نفسه.", ["غنام فرج الشيخ علي"]),
    # A village with a title in its name; a manner of killing; a group's name; a verb ending a name.
    ("واستشهد أول أمس كل من الشاب “فؤاد الغزالي” من بلدة الشيخ سعد عربي درعا.", ["فؤاد الغزالي"]),
    ("تسود موجة غضب بعد مقتل طفلة بطريقة وحشية في ريف حلب الشمالي بعد ساعات من خطفها.", []),
    ("استهدفت طائرة مسيرة تابعة لقوات السلطة (هيئة تحرير الشام) قرية الدرة ما أسفر عن مقتل طفل.", []),
    # Two named, then another clause hurts others: both named are dead.
    ("أسفر القصف عن استشهاد مدنيين اثنين، هما “نايف عبد القادر حياوي” و”ريما أحمد إسماعيل حياوي”، كما أصيب خمسة مواطنين آخرين.",
     ["نايف عبد القادر حياوي", "ريما أحمد إسماعيل حياوي"]),
    # A role after a name ends it: "خالد أحمد منسق الفعاليات".
    ("واسفرت التفجيرات عن استشهاد ثلاثة مدنيين وهم: “خالد أحمد منسق الفعاليات في هيئة الثقافة، الإعلامية زوزان شيخو”.",
     ["خالد أحمد", "زوزان شيخو"]),
    # The perpetrator of a massacre is no victim.
    ("نشرت الصحيفة تحقيقا عن أمجد يوسف منفذ مجزرة التضامن التي قتل فيها العشرات.", []),
])
def test_arabic_lists_of_the_dead(text: str, expected: list[str]) -> None:
    """Lists of the dead as SANA, local and Druze outlets write them."""
    assert [r.name_ar for r in extract_item("news", text.encode(), content_type="text/plain", name="list").records] == expected
