"""Sentence shapes of casualty news that news extraction reads, in both languages: the killer as
subject, "claimed the lives of", "lost their lives", a counted group named, kinship, numbered
lists, SNHR-style headlines, page furniture and text stretched to dodge moderation. Every text
here is invented in the project's own words, in the shapes real reports take."""

from __future__ import annotations

import datetime as dt

import pytest

from tawthiq.extractors import extract_item

PUBLISHED = dt.date(2024, 8, 8)


def names(text: str, arabic: bool = False) -> list[str]:
    result = extract_item("news", text.encode("utf-8"), content_type="text/plain", published=PUBLISHED, name="shape")
    return [(r.name_ar if arabic else r.full_name) or "" for r in result.records]


@pytest.mark.parametrize(("text", "expected"), [
    ("Russian warplanes killed Omar Khaled Haddad and Sami Hamed al-Ali in Ariha on Monday.",
     ["Omar Khaled Haddad", "Sami Hamed al-Ali"]),
    ("A shell landed on the family's house in Sarmin, killing Rima Walid Darwish.", ["Rima Walid Darwish"]),
    ("The explosion claimed the lives of Nour Hassan al-Masri, Hiba Fadi al-Masri and Lina Fadi al-Masri.",
     ["Nour Hassan al-Masri", "Hiba Fadi al-Masri", "Lina Fadi al-Masri"]),
    ("Yousef Ibrahim Ajaj and Bassel Omar Ajaj lost their lives when the roof of their house fell in.",
     ["Yousef Ibrahim Ajaj", "Bassel Omar Ajaj"]),
    ("Gunmen opened fire on two men named Fadi Samer al-Rifai and Walid Samer al-Rifai, who were killed instantly.",
     ["Fadi Samer al-Rifai", "Walid Samer al-Rifai"]),
    ("A boy and a woman, identified respectively as Ahmad Nabil Qassem and Salma Jamal Qassem, were killed in the shelling.",
     ["Ahmad Nabil Qassem", "Salma Jamal Qassem"]),
    ("Regime artillery shelled the village, killing a farmer, Khaled Mahmoud al-Hamoud, and his daughter Hiba.",
     ["Khaled Mahmoud al-Hamoud", "Hiba"]),
])
def test_english_shapes(text: str, expected: list[str]) -> None:
    found = names(text)
    for name in expected:
        if len(name.split()) > 1:
            assert name in found
    assert all(any(name.split()[0] == f.split()[0] for f in found) for name in expected)


def test_killed_and_injured_in_one_sentence() -> None:
    assert names("An unknown dispute killed Nasser Fawaz al-Omar and injured Mansour Fawaz al-Omar and Raed Zaid al-Omar.") == [
        "Nasser Fawaz al-Omar"]


def test_snhr_headline_gives_name_date_and_place() -> None:
    result = extract_item("news", b"Man named Khaled Hassan al-Jasem killed by gunfire of unidentified source in E. Deir Ez-Zour "
                          b"governorate, August 7, 2024", content_type="text/plain", published=PUBLISHED, name="headline")
    [victim] = result.records
    assert victim.full_name == "Khaled Hassan al-Jasem" and victim.date_of_death == "2024-08-07"
    assert victim.place_of_death.governorate == "Deir Ez-Zour" and victim.sex == "male"


def test_headlines_that_are_no_death() -> None:
    assert names("Two girls named Rima Khaled and Salwa Hassan abducted by gunmen in Aleppo governorate, June 1, 2024") == []
    assert names("Gunmen arrest a man named Mahmoud Omar Hamed in Aleppo, September 12, 2024") == []
    assert names("Body of man Samer Adel al-Khatib found in E. Aleppo, April 24, 2024") == ["Samer Adel al-Khatib"]


def test_related_links_box_is_not_the_item() -> None:
    page = ("Two civilians injured in a drone attack in W. Aleppo, April 22, 2024\n\nRelated News\n\n"
            "Boy named Omar Walid Haddad killed by gunfire of unidentified source in N. Daraa, December 13, 2024\n\n"
            "A boy, identified as Omar Walid Haddad from Dael city...\n\n"
            "On April 22, 2024, a drone struck a car near Kafr Nouran, injuring two civilians, identified as Hassan Ali Naji "
            "and Mansour Ahmad Mansour. The area is under the control of armed opposition factions.")
    assert names(page) == []


def test_the_wounded_beside_the_dead() -> None:
    assert names("While the volunteer, Omar Sami al-Omar, and his wife were wounded, their two children died.") == []


def test_death_told_later_by_family_name() -> None:
    text = ("On Jan. 3, gunmen opened fire on Fadi Walid Qattan while he waited near a checkpoint in Samlin.\n"
            "Qattan, who was on his way to work, died instantly.")
    assert names(text) == ["Fadi Walid Qattan"]


def test_english_numbered_list() -> None:
    text = ("Russian warplanes struck the market in Ariha on Monday.\nThe names of the dead:\n1- Omar Khaled Haddad, 34\n"
            "2- Rima Sami Darwish (12)\n3. Walid Hassan al-Saleh – Ariha\nThe injured were taken to hospital.")
    result = extract_item("news", text.encode(), content_type="text/plain", published=PUBLISHED, name="list")
    assert [(r.full_name, r.age) for r in result.records] == [
        ("Omar Khaled Haddad", 34), ("Rima Sami Darwish", 12), ("Walid Hassan al-Saleh", None)]


def test_family_name_alone_is_merged_but_a_father_is_not() -> None:
    text = ("Abdullah Shafiq Abu Horan died of his wounds after he was shot by gunmen, a source said. "
            "Abu Horan was shot on Dec. 29 and died on Jan. 1.")
    assert names(text) == ["Abdullah Shafiq Abu Horan"]
    both = "The strike killed Omar Haddad and his daughter Rima Omar Haddad in Ariha."
    assert sorted(names(both)) == ["Omar Haddad", "Rima Omar Haddad"]


@pytest.mark.parametrize(("text", "expected"), [
    ("استشهد الشقيقان إبراهيم ومحمد الديك بقصف جوي على بلدة كفرومة.", ["إبراهيم الديك", "محمد الديك"]),
    ("قتل الطفلان أحمد ومحمود أبناء خالد العلي بانفجار لغم في ريف درعا.", ["أحمد خالد العلي", "محمود خالد العلي"]),
    ("استشهد المواطن سامر خليل الرحال وبنته ريماس بقصف مدفعي على أريحا.", ["سامر خليل الرحال", "ريماس الرحال"]),
    ("وثقت الشبكة مقتل كلٍّ من نور محمد الخليف من بلدة طفس، وعمران سليمان الحشيش، وعدنان محمد السرحان برصاص مجهولين.",
     ["نور محمد الخليف", "عمران سليمان الحشيش", "عدنان محمد السرحان"]),
    ("أطلق مسلحون مجهولون النار على الشاب نادر محمد الطبيش من قرية مسيكة أثناء تواجده في مدينة الحراك، ما أدّى إلى مقتله على الفور.",
     ["نادر محمد الطبيش"]),
    ("استشــ. ــاد الشاب فراس محمود العبدالله بقصــ.ـف على قريته.", ["فراس محمود العبدالله"]),
])
def test_arabic_shapes(text: str, expected: list[str]) -> None:
    assert names(text, arabic=True) == expected


def test_arabic_wounded_after_the_name_is_not_a_victim() -> None:
    text = ("توفي الشاب سامي صلاح الحشيش متأثرا بجراحه التي أصيب بها أمس برصاص مجهولين أطلقوا النار عليه مع الشاب "
            "نضال صدقي الحشيش الذي مازال مصابًا ووضعه حرج.")
    assert names(text, arabic=True) == ["سامي صلاح الحشيش"]


def test_arabic_list_with_places_after_an_ellipsis() -> None:
    text = ("أسفرت الغارات عن استشهاد 4 مدنيين.\nعرف من أسماء الشهداء:\n– محمد سمير زعرور… ادلب.\n– الطفلة مرام خالد الشبلي… قلب لوزة.\n"
            "– ريناد جمال …. حرش معانون.")
    assert names(text, arabic=True) == ["محمد سمير زعرور", "مرام خالد الشبلي", "ريناد جمال"]


def test_arabic_compound_names_keep_their_family_name() -> None:
    text = "من بين الشهداء في مدينة الباب : محمد عبد الرزاق الشيخ عيسى من أبناء مدينة الميادين."
    assert names(text, arabic=True) == ["محمد عبد الرزاق الشيخ عيسى"]


def test_bodies_found_and_named() -> None:
    text = "Residents found the bodies of Ahmad Khaled al-Hamad and Majed Sami al-Hamad on the road between two villages."
    assert names(text) == ["Ahmad Khaled al-Hamad", "Majed Sami al-Hamad"]


def test_capitalised_role_between_name_and_death() -> None:
    text = "On the same day Yousef Ali al-Hariri, Secretary of the local council of the town, was killed by unknown attackers."
    assert names(text) == ["Yousef Ali al-Hariri"]


def test_arabic_quoted_name_the_lexicon_lacks_and_an_organisation_in_quotes() -> None:
    text = ("أفاد “تجمع أحرار حوران” بوفاة امرأة مسنّة (عريفة حيدر جمو) متأثرة بجراحها التي أصيبت بها إثر القصف على القرية.")
    assert names(text, arabic=True) == ["عريفة حيدر جمو"]


def test_arabic_named_in_the_next_sentence_by_the_same_noun() -> None:
    text = "قتلت امرأة مسنة وأصيب ثلاثة من أحفادها في قصف صاروخي على المدينة.\nالمرأة المسنة تدعى سلمى خليل الحمود، وعمرها 70 عاما."
    assert names(text, arabic=True) == ["سلمى خليل الحمود"]


def test_arabic_dual_verb_ends_the_name() -> None:
    text = "وقال ناشطون إن السيدة هدى الخطيب وابنها عمر الشاطر قتلا جراء قصف جوي على المدينة."
    assert names(text, arabic=True) == ["هدى الخطيب", "عمر الشاطر"]


def test_arabic_reporter_before_the_event_is_not_a_victim() -> None:
    text = "أفاد مراسلنا في حلب، سامر خالد العلي، بمقتل ثلاثة عناصر جراء استهداف موقع عسكري."
    assert names(text, arabic=True) == []


def test_arabic_family_of_the_dead() -> None:
    text = "اعتقلت دورية أمنية كامل عائلة وائل جمعة الحمود الذي ارتقى بغارة جوية صباح اليوم."
    assert names(text, arabic=True) == ["وائل جمعة الحمود"]


def test_english_the_victims_were_with_an_alias_and_a_role() -> None:
    text = ("The victims were Samer al-Khalaf (aka Abu Omar), a member of the local committee, and his cousin, Ziad. "
            "Also, gunmen opened fire on Fadi al-Hariri, a teacher, in the town of Um Walad in the Daraa countryside, killing him instantly.")
    found = names(text)
    assert "Samer al-Khalaf" in found and "Fadi al-Hariri" in found and "Um Walad" not in found


def test_english_older_brother_after_a_comma_and_assassinated() -> None:
    text = ("A child, named as Omar Ahmad al Hamad, was killed along with his older brother, Khaled, when shells hit the cemetery. "
            "The head of the council, Sami Ali Al-Khatib, was assassinated by unknown gunmen this week.")
    found = names(text)
    assert {"Omar Ahmad al Hamad", "Khaled al Hamad", "Sami Ali Al-Khatib"} <= set(found)


def test_english_identifying_them_as_and_the_name_of_the_dead() -> None:
    text = ("Security forces said three civilians were killed in the drone attack, identifying them as Yousef Ali Hamo, "
            "Sami Ali Hamo and Rami Ali Hamo.")
    assert names(text) == ["Yousef Ali Hamo", "Sami Ali Hamo", "Rami Ali Hamo"]
    assert names("Sources said the name of the civilian who was executed by the gunmen is Ali Hamed al-Issa.") == ["Ali Hamed al-Issa"]


def test_english_age_then_death_with_the_wounded_son_after() -> None:
    assert names("Muhammad Khaled al-Ali, 62, lost his life while his son was wounded, Qasim Muhammad al-Ali, 22, near the farm.") == [
        "Muhammad Khaled al-Ali"]


def test_arabic_name_after_a_kin_word_unknown_to_the_lexicon() -> None:
    text = "قتل المهرب المتهم عطالله شاتي الرمثان في ضربة جوية، وقالت مصادر محلية إنّ زوجته مرضية راشد الرمثان قتلت معه في الضربة."
    found = names(text, arabic=True)
    assert "مرضية راشد الرمثان" in found and "راشد الرمثان" not in found
    assert names("استشهد الشاب سامر خليل العمر وزوجته وأطفاله بقصف على المنزل.", arabic=True) == ["سامر خليل العمر"]


def test_english_one_of_the_dead_bodies_belonging_to_and_who_was_killed() -> None:
    text = ("On Saturday, three people were killed in the countryside of Daraa.\n"
            "One of them was identified as Mahmoud Omar al-Turk, a farmer from the town.\n"
            "Residents also found two bodies belonging to Muhammad Taha Qanbar and Khaled Abdullah Qanbar south of Dael.\n"
            "The rescue group mourned volunteer Ali Hassan Baradei who was killed in the line of duty.")
    assert names(text) == ["Mahmoud Omar al-Turk", "Muhammad Taha Qanbar", "Khaled Abdullah Qanbar", "Ali Hassan Baradei"]
    assert names("Another murdered was identified as Adnan Ahmed al-‘Amyan, 60, from Tel Shihab town, after three were killed.") == [
        "Adnan Ahmed al-‘Amyan"]


def test_english_name_then_a_long_relative_clause_then_its_death() -> None:
    # The clause between a name and its verb of dying may be long and hold one lower-case aside;
    # a name inside it ("his brother, Sami Haddad, was killed") is the one who died, not the speaker.
    assert names("According to a source, Firas Muhammad Khair al-Naasan, who was leading a local group working for the "
                 "air force intelligence after the settlement with the government, was killed by gunmen in Tasil.") == [
        "Firas Muhammad Khair al-Naasan"]
    assert names("Omar Khaled Haddad, who returned to the village, where his family lives, was shot dead on Monday.") == [
        "Omar Khaled Haddad"]
    assert names("Omar Khaled Haddad, who said that his brother, Sami Hamed Haddad, was killed in the raid, spoke to reporters.") == [
        "Sami Hamed Haddad"]
    assert names("Omar Khaled Haddad, who was leading the group in the town, was wounded by gunmen.") == []


def test_english_victims_beside_the_word_victims_and_a_dash_aside() -> None:
    assert names("Victims Walid Jamil Sourani (19) and Hussein Abdulrahman Sagher (25).\n\nGunmen killed two young men in the "
                 "countryside four months ago.") == ["Walid Jamil Sourani", "Hussein Abdulrahman Sagher"]
    assert names("The group admitted to the murder of two youths. The family of the victims, Hussein Abdulrahman Sagher (25) and "
                 "Walid Jamil Sourani (19), refused its offer.") == ["Hussein Abdulrahman Sagher", "Walid Jamil Sourani"]
    assert names("Rima Walid Darwish, who volunteered with the civil defence – known as the White Helmets – reportedly died "
                 "when her house was hit.") == ["Rima Walid Darwish"]
    assert names("The victims, most of them children, were taken to the hospital in Ariha, said Omar Khaled Haddad.") == []


def test_arabic_hurt_then_died_in_the_next_sentence() -> None:
    # One person named as hurt, the next sentence (here the next paragraph) says, with no
    # subject, that the hurt person died; another's death or a transfer is not theirs.
    text = ("أطلقت دورية النار على الشاب سامر خليل العمر قرب الحاجز، مما أدى إلى إصابته بجروح بليغة.\n"
            "ونقلته الدورية إلى مقرها بهدف اعتقاله، وتُوفي بعد لحظات من نقله.")
    assert names(text, arabic=True) == ["سامر خليل العمر"]
    assert names("أطلقت دورية النار على الشاب سامر خليل العمر، مما أدى إلى إصابته بجروح. ونقل إلى المشفى لتلقي العلاج.",
                 arabic=True) == []
    assert names("أصيب الشاب سامر خليل العمر بجروح في القصف. وتوفي شاب آخر في القصف نفسه.", arabic=True) == []


def test_arabic_wounded_and_dead_at_once_and_a_commander_titled() -> None:
    assert names("أطلق مسلحون النار على منزل الشاب عبد الله سامر العيدة، مما أدى إلى إصابته ووفاته على الفور.", arabic=True) == [
        "عبد الله سامر العيدة"]
    assert names("أطلق مسلحون النار على الشاب عبد الله سامر العيدة، مما أدى إلى إصابته بجروح.", arabic=True) == []
    result = extract_item("news", "تم اغتيال القيادي خلدون محمد الزعبي مع أربعة من عناصره قبل أيام.".encode(),
                          content_type="text/plain", published=PUBLISHED, name="shape")
    assert [(r.name_ar, (r.extra or {}).get("described_as")) for r in result.records] == [("خلدون محمد الزعبي", "combatant")]


def test_arabic_which_of_two_died_and_a_name_known_as() -> None:
    two = "أطلق عناصر الحاجز النار على الشابين عبد الله سامر الطحيمر وموسى خالد العرابي، ما أدى إلى مقتل {} وإصابة {} بجروح."
    assert names(two.format("الأول", "الثاني"), arabic=True) == ["عبد الله سامر الطحيمر"]
    assert names(two.format("الثاني", "الأول"), arabic=True) == ["موسى خالد العرابي"]
    assert names('وكان توفي الشاب "عصام محمد الزعبي" المعروف بـ"عصام الشمخة" متأثراً بجراحه في بلدة الطيبة.', arabic=True) == [
        "عصام محمد الزعبي"]


def test_arabic_death_told_of_a_given_name_named_in_full_before() -> None:
    text = ('قطع مسلحون الطريق أمام الشابين "قاسم محمد المصري، وبهاء إبراهيم المصري" غربي درعا.\n'
            'وأوضحت المصادر أن الحادثة أسفرت عن مقتل الشاب "قاسم" وإصابة "بهاء" بجروح متفاوتة.')
    assert names(text, arabic=True) == ["قاسم محمد المصري"]
    # Two people named in full with that given name: which one died is not known, nobody is read.
    two = text.replace("بهاء إبراهيم المصري", "قاسم إبراهيم المصري")
    assert names(two, arabic=True) == []


def test_english_an_alias_is_not_a_second_victim() -> None:
    assert names("The strike killed Salwa Khaled Youssef (also called Salwa Yusuk) and Jwana Omar Hisso in Qamishli.") == [
        "Salwa Khaled Youssef", "Jwana Omar Hisso"]
    assert names("Mohammad Khaled Al-Zaher, also known as Abu Nasser Na'imi, was killed during shelling of Al-Buaida.") == [
        "Mohammad Khaled Al-Zaher"]
    # A role, then the only name the person goes by: that name is the victim's.
    assert names("Along with Abu Khaled Al-Shami, a media coordinator for HTS known as Abu Musab, was also killed.") == [
        "Abu Khaled Al-Shami", "Abu Musab"]


def test_english_list_of_the_dead_separated_by_semicolons_with_roles() -> None:
    assert names("The strike killed Salwa Khaled Youssef, a commander in the Counter-Terrorism Units (YAT); Jwana Omar Hisso, "
                 "a leader in the Women's Protection Units (YPJ); and YAT fighter Ruha Sami Bashar, the media center said.") == [
        "Salwa Khaled Youssef", "Jwana Omar Hisso", "Ruha Sami Bashar"]
    assert names("Russian warplanes killed farmer Omar Khaled Haddad and journalist Sami Hamed al-Ali in Ariha.") == [
        "Omar Khaled Haddad", "Sami Hamed al-Ali"]
    assert names("The strike killed Omar Khaled Haddad; Sami Hamed al-Ali was wounded.") == ["Omar Khaled Haddad"]


def test_english_one_of_the_dead_was_a_role_then_named() -> None:
    text = ("A drone killed four SDF fighters near Qamishlo on Thursday.\n"
            "One of the SDF fighters was a commander, Aram Muhammad Ibrahim, who fought against ISIS.")
    assert names(text) == ["Aram Muhammad Ibrahim"]
    # No death told before: "one of the volunteers" is not one of the dead.
    assert names("One of the volunteers was a local teacher, Rima Walid Darwish, who runs the school.") == []


def test_english_attacked_people_named_right_after_the_dead_were_counted() -> None:
    text = ("On May 17, two members of the government forces were killed in the eastern countryside of Daraa.\n"
            "The attackers directly fired Rami Muhammad and Omar Qasem, members of the division, in the village of Saida.")
    assert names(text) == ["Rami Muhammad", "Omar Qasem"]
    # Their own sentence tells a hurt: they are not the dead just counted.
    hurt = ("Two civilians were killed in the shelling of Daraa.\n"
            "Gunmen also shot Sami Hamed al-Ali, who was wounded and taken to hospital.")
    assert names(hurt) == []
    # No death told before: an attack alone does not say who died.
    assert names("Gunmen opened fire on Sami Hamed al-Ali near his home in Jasim on Monday.") == []


def test_including_after_a_death_count_and_arabic_epithets() -> None:
    assert names("The strike killed five civilians, including Omar Khaled Haddad and Sami Hamed al-Ali, in Ariha.") == [
        "Omar Khaled Haddad", "Sami Hamed al-Ali"]
    assert names("The strike injured five civilians, including Omar Khaled Haddad, in Ariha.") == []
    assert names("استشهد الشهيد البطل سامر خالد الحمود بقصف على بلدته.", arabic=True) == ["سامر خالد الحمود"]
    assert names("عثر الأهالي على جثة المغدور فراس محمد العلي قرب النهر.", arabic=True) == ["فراس محمد العلي"]


@pytest.mark.parametrize(("text", "arabic", "civilians", "fighters"), [
    # A fighter named beside a civilian: both staged, the fighter marked (the archive is of
    # civilians, but a documenter decides: the description may be wrong).
    ("قصفت المدفعية القرية ما أدى لمقتل المواطن سامر خالد الحسن، كما قتل إثر استهداف نقطة عسكرية العسكري يدعى “ماهر علي العبدالله”.",
     True, ["سامر خالد الحسن"], ["ماهر علي العبدالله"]),
    ("أسفرت الغارة عن مقتل قيادي في أحد الفصائل يدعى \"باسل عمر الحمود\" ومقتل الطفل يوسف أحمد الحمود.", True,
     ["يوسف أحمد الحمود"], ["باسل عمر الحمود"]),
    ("انفجرت عبوة ناسفة ما أدى لمقتل مازن فهد الخطيب، القيادي في إحدى الميليشيات.", True, [], ["مازن فهد الخطيب"]),
    ("A drone strike killed Omar Khaled Haddad, a member of the PKK, and Sami Hamed al-Ali near Qamishli.",
     False, ["Sami Hamed al-Ali"], ["Omar Khaled Haddad"]),
    ("The YPG commander Walid Samer Darwish was killed in the strike.", False, [], ["Walid Samer Darwish"]),
    # A place in apposition is no person at all.
    ("Civilians fleeing Kafr Halab, a town west of Aleppo, have been killed by the shelling.", False, [], []),
    ("Residents of the village of Kafr Halab were killed by the shelling on Monday.", False, [], []),
])
def test_fighters_are_marked_and_places_are_not_victims(text: str, arabic: bool, civilians: list[str], fighters: list[str]) -> None:
    result = extract_item("news", text.encode("utf-8"), content_type="text/plain", published=PUBLISHED, name="shape")
    by_name = {(r.name_ar if arabic else r.full_name) or "": r for r in result.records}
    assert sorted(by_name) == sorted(civilians + fighters)
    for name in fighters:
        assert by_name[name].extra["described_as"] == "combatant" and by_name[name].extra["described_as_words"]
        assert by_name[name].confidence <= 0.2
    for name in civilians:
        assert "described_as" not in by_name[name].extra


def test_one_mention_as_a_fighter_marks_the_merged_candidate() -> None:
    text = ("قتل المدني ماهر علي العبدالله بقصف على القرية اليوم. وكان ماهر علي العبدالله قد انشق، "
            "وقتل العسكري يدعى ماهر علي العبدالله بالقصف.")
    (record,) = extract_item("news", text.encode("utf-8"), content_type="text/plain", published=PUBLISHED, name="merge").records
    assert record.extra["described_as"] == "combatant" and record.confidence <= 0.2


def test_a_title_that_tells_a_death_and_a_lede_that_introduces_the_person() -> None:
    """A feed item or an SNHR page: a title stating one death, then a lede (often cut short)
    that opens with the person's name."""
    item = ("Farmer shot dead by unidentified gunmen in E. Daraa, September 13, 2024\n\n"
            "Khaled Omar al-Saleh, a 61-year-old man who was...")
    assert names(item) == ["Khaled Omar al-Saleh"]
    # The lede under a title about the wounded is not a death; nor is one that introduces no one.
    assert names("Farmer wounded by unidentified gunmen in E. Daraa, September 13, 2024\n\n"
                 "Khaled Omar al-Saleh, a 61-year-old man who was...") == []
    assert names("Farmer shot dead by unidentified gunmen in E. Daraa\n\nThe village, a farming area east of Daraa, was...") == []


@pytest.mark.parametrize(("text", "arabic", "expected"), [
    # The names after a colon, on the same line or on the next, run together with commas.
    ("Three civilians were killed in the raid: Omar Khaled Haddad, Sami Hamed al-Ali, and Walid Samer Darwish.", False,
     ["Omar Khaled Haddad", "Sami Hamed al-Ali", "Walid Samer Darwish"]),
    ("The gunfire killed three civilians, they are:\nOmar Khaled Haddad, his son Fadi Omar Haddad and Walid Samer Darwish, "
     "in an incident that angered residents.", False, ["Omar Khaled Haddad", "Fadi Omar Haddad", "Walid Samer Darwish"]),
    ("ما أدى إلى مقتل ثلاثة مدنيين، وهم:\nعمر خالد الحداد، وابنه فادي عمر الحداد، ووليد سامر درويش، في حادثة أثارت غضب الأهالي.", True,
     ["عمر خالد الحداد", "فادي عمر الحداد", "وليد سامر درويش"]),
    # A list of the arrested above the list of the dead is not read as the dead.
    ("أسفرت الحملة عن توقيف عدد من المدنيين، بينهم:\nسامي حامد العلي، ماجد فواز الخلف.\n\nوأدى إطلاق النار إلى مقتل مدنيين اثنين، هما:\n"
     "عمر خالد الحداد، ووليد سامر درويش، في البلدة.", True, ["عمر خالد الحداد", "وليد سامر درويش"]),
    ("Two were killed and three wounded: Omar Khaled Haddad and Sami Hamed al-Ali.", False, []),
])
def test_a_list_of_the_dead_after_a_colon(text: str, arabic: bool, expected: list[str]) -> None:
    assert names(text, arabic) == expected


#: Arabic sentence shapes of casualty posts: the manner of death after a name (مقتولاً، غرقاً،
#: بتهمة، فارقت), «لقي ... حتفه», «قضى كل من», «اغتال», kin after a parent (وطفلتها), titles of
#: aid workers and rescuers, numbered lists, quoted names. Invented in the project's own words.
@pytest.mark.parametrize(("text", "expected"), [
("استشهد الشاب محمد أحمد العلي برصاص قناص في درعا", ["محمد أحمد العلي"]),
 ("ارتقى الطفل أحمد خالد الحسين (10 سنوات) جراء قصف مدفعي على بلدة كفرنبل", ["أحمد خالد الحسين"]),
 ("وثقت الشبكة مقتل المواطن سليم حسن الجاسم على يد مسلحين مجهولين", ["سليم حسن الجاسم"]),
 ("قضى كل من محمود العبد الله وسامر العبد الله بانفجار لغم أرضي", ["محمود العبد الله", "سامر العبد الله"]),
 ("الشهيد البطل خالد محمد الرجب رحمه الله", ["خالد محمد الرجب"]),
 ("عثر الأهالي على جثة الشاب ياسر فواز الحمد مقتولاً بطلق ناري", ["ياسر فواز الحمد"]),
 ("توفي المعتقل عمر سعيد الخطيب تحت التعذيب في سجون النظام", ["عمر سعيد الخطيب"]),
 ("قُتلت السيدة فاطمة علي الحسن وطفلتها هبة بقصف جوي", ["فاطمة علي الحسن", "هبة الحسن"]),
 ("مقتل الشقيقين أحمد ومحمد خالد العلي بقصف صاروخي", ["أحمد خالد العلي", "محمد خالد العلي"]),
 ("مقتل عامل الإغاثة يوسف إبراهيم الصالح بغارة جوية", ["يوسف إبراهيم الصالح"]),
 ("استشهاد المتطوع في الدفاع المدني عبد الرحمن حسين الأحمد أثناء عمله", ["عبد الرحمن حسين الأحمد"]),
 ("نعت عائلة الحمود ابنها الشاب باسل فهد الحمود الذي قضى بقصف للنظام", ["باسل فهد الحمود"]),
 ("أعدم تنظيم داعش المدني حسين علي الخلف بتهمة التعامل مع التحالف", ["حسين علي الخلف"]),
 ("الطفلة ريم ماهر السيد فارقت الحياة متأثرة بجراحها", ["ريم ماهر السيد"]),
 ("لقي الشاب مصطفى عادل النجار حتفه إثر انفجار عبوة ناسفة", ["مصطفى عادل النجار"]),
 ("قتل المسعف حسام الدين يوسف إثر استهداف سيارة الإسعاف", ["حسام الدين يوسف"]),
 ("أصيب الشاب محمد العلي بجروح خطيرة، فيما استشهد شقيقه أحمد العلي", ["أحمد العلي"]),
 ("استشهاد الإعلامي أنس محمد الدياب بغارة روسية", ["أنس محمد الدياب"]),
 ("وفاة الطفل عبد الله أحمد الخضر غرقاً في مخيم الركبان", ["عبد الله أحمد الخضر"]),
 ("قتل كل من: 1- أحمد محمد العلي 2- خالد محمد العلي 3- سامر حسن العلي", ["أحمد محمد العلي", "خالد محمد العلي", "سامر حسن العلي"]),
 ("قضت المسنة خديجة محمد الأسعد (75 عاماً) بقصف مدفعي", ["خديجة محمد الأسعد"]),
 ("اغتال مسلحون مجهولون المختار عبد الكريم صالح العيسى في ريف درعا", ["عبد الكريم صالح العيسى"]),
 ("قُتل الشاب “محمد حسين الزعبي” برصاص مجهولين", ["محمد حسين الزعبي"]),
 ("وقتل في الغارة كل من المدنيين مروان سعيد الحاج وابن أخيه وائل الحاج", ["مروان سعيد الحاج", "وائل الحاج"]),
 ("قتلت الطفلة لمى ياسر العمر والطفل زيد ياسر العمر جراء سقوط قذيفة على منزلهما", ["لمى ياسر العمر", "زيد ياسر العمر"]),
 ("قتل الشاب سامر خالد الحسن مساء أمس جراء استهدافه بالرصاص المباشر في بلدة الطيبة", ["سامر خالد الحسن"]),
 ("لقي الشاب ماجد فواز الخلف المنحدر من بلدة الشحيل حتفه بانفجار لغم", ["ماجد فواز الخلف"]),
 ("قتل الشاب أحمد يوسف القاسم بإطلاق نار من مسلحين مجهولين", ["أحمد يوسف القاسم"]),
 ("فقد المواطن عدنان شمس الدين حسين حياته إثر مشادة مع مسلحين", ["عدنان شمس الدين حسين"]),
 ("وقال أحد السكان إن الطفلين نادية العياش (8 أعوام)، وعلي العياش (6 أعوام)، فقدا حياتهما جراء قصف مدفعي", ["نادية العياش", "علي العياش"]),
 ("وحول الأهالي تشييع الشاب محمد إسماعيل أبازيد إلى مظاهرة", ["محمد إسماعيل أبازيد"]),
 ("وبحسب مصادر محلية فإن الشاب غازي شحادة الزيابي من أبناء مدينة إنخل، قضى اليوم جراء إطلاق الرصاص عليه", ["غازي شحادة الزيابي"]),
])
def test_arabic_shapes_of_casualty_posts(text: str, expected: list[str]) -> None:
    assert names(text, arabic=True) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("A man, identified as 27-year-old Omar Khaled Haddad from Daraa al-Balad, was shot dead on June 7.", ["Omar Khaled Haddad"]),
    ("The death of the civilian Sami Hamed al-Ali, from Sarmin village, in a shooting by gunmen.", ["Sami Hamed al-Ali"]),
    ("Walid Samer Darwish, 16-year-old child from al-Dwair village, he was killed on February 20 by a landmine.", ["Walid Samer Darwish"]),
    ("Two young boys, 10-year-old Fadi Omar Haddad, and 11-year-old Sami Omar Haddad, were killed by a landmine.",
     ["Fadi Omar Haddad", "Sami Omar Haddad"]),
    ("The day before, Omar Khaled Haddad, a journalist who headed the local council, was killed by a sniper.", ["Omar Khaled Haddad"]),
    ("Later reports said that Sami Hamed al-Ali, an engineer, was also among the dead.", ["Sami Hamed al-Ali"]),
    ("The group named the protesters killed on Friday by the security forces :\n\nDr. Omar Haddad , Jamal abi Zaid , "
     "Sami Ajaj, ( of the Hammadi family) , Walid Darwish", ["Omar Haddad", "Jamal abi Zaid", "Sami Ajaj", "Walid Darwish"]),
])
def test_english_shapes_of_monitors_reports(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("The group also announced the death of their former director in Ghouta, Omar Khaled Haddad, in the strike.", ["Omar Khaled Haddad"]),
    ("A 20-year-old youth by the name of Sami Hamed al-Ali was shot by border guards and died.", ["Sami Hamed al-Ali"]),
    ("Civilian from Daraa dies under torture in a detention center\n\nWalid Samer Darwish, aged 23, from al-Mzayreeb town, "
     "was arrested in 2020.", ["Walid Samer Darwish"]),
])
def test_english_roles_and_names_before_the_death(text: str, expected: list[str]) -> None:
    assert names(text) == expected


def test_siblings_named_by_given_name_take_the_family_name_written_once() -> None:
    assert names("Two brothers Abdul Qader and Khalifa Ali al Khalifa, from al Soor town, were shot and killed by gunmen.") == [
        "Abdul Qader al Khalifa", "Khalifa Ali al Khalifa"]
    assert names("The brothers Omar and Sami Hamed Haddad were killed by shrapnel.") == ["Omar Haddad", "Sami Hamed Haddad"]
    assert names("The brothers Omar and Sami Hamed Haddad were wounded by shrapnel.") == []


#: English sentence shapes of monitors' and agencies' reports: the dead as object after a
#: person noun or an age, "among those killed was", the victims "identified as" with kin, a
#: body found, siblings sharing one family name, a child hurt beside a dead parent. Invented.
@pytest.mark.parametrize(("text", "expected"), [
("Syrian regime forces killed Omar Khaled Haddad, 34, in Ariha on Monday.", ["Omar Khaled Haddad"]),
 ("A child, Sami Hamed al-Ali, was killed when a shell hit his home.", ["Sami Hamed al-Ali"]),
 ("Activists identified the victims as Omar Haddad, his wife Rima Khalil and their son Fadi.", ["Omar Haddad", "Rima Khalil", "Fadi Haddad"]),
 ("The dead include Walid Darwish, a teacher, and his brother Bassel Darwish.", ["Walid Darwish", "Bassel Darwish"]),
 ("Among those killed was Hiba Omar al-Masri, a nurse at the local hospital.", ["Hiba Omar al-Masri"]),
 ("SOHR said that Mahmoud al-Hussein died of his wounds on Tuesday.", ["Mahmoud al-Hussein"]),
 ("Mahmoud al-Hussein, who was wounded in last week's shelling, died in hospital on Tuesday.", ["Mahmoud al-Hussein"]),
 ("The body of Khaled al-Omar was found near the village of Tafas.", ["Khaled al-Omar"]),
 ("Gunmen shot dead Ahmad Saleh al-Rifai as he left his house in Jasim.", ["Ahmad Saleh al-Rifai"]),
 ("A landmine explosion killed shepherd Youssef Ibrahim Ajaj in the Badia.", ["Youssef Ibrahim Ajaj"]),
 ("Local sources said Fadi al-Khatib, a father of three, was killed by a sniper.", ["Fadi al-Khatib"]),
 ("The victims were named as Lina Haddad (7) and her sister Maryam Haddad (5).", ["Lina Haddad", "Maryam Haddad"]),
 ("Omar Haddad was killed, and his son Sami was wounded.", ["Omar Haddad"]),
 ("Turkish drone strike kills civilian Ahmad Hassan in Qamishli", ["Ahmad Hassan"]),
 ("Mustafa Ajaj, 60, and his wife Fatima Ajaj, 55, died when their house collapsed after the airstrike.", ["Mustafa Ajaj", "Fatima Ajaj"]),
 ("In Daraa, unidentified gunmen assassinated Abdullah Shafiq Abu Horan, a former opposition commander.", ["Abdullah Shafiq Abu Horan"]),
 ("The journalist Anas al-Dyab was killed in a Russian airstrike on Khan Sheikhoun.", ["Anas al-Dyab"]),
 ("White Helmets volunteer Khaled Omar Harah was killed while rescuing people in Aleppo.", ["Khaled Omar Harah"]),
 ("Two children, Rami and Hadi Khalil, died in the fire.", ["Rami Khalil", "Hadi Khalil"]),
 ("Nour Hassan, 12, died of her injuries two days after the attack.", ["Nour Hassan"]),
 ("Ahmad and Omar al-Masri were among five civilians killed in the strike.", ["Ahmad al-Masri", "Omar al-Masri"]),
 ("A shell killed Sara Ajaj and injured her mother.", ["Sara Ajaj"]),
 ("The strike killed 12-year-old Hamza Darwish.", ["Hamza Darwish"]),
 ("Regime shelling on Idlib city on 16 April 2024 killed Ahmad Khalil al-Omar, 30, and Omar Saeed Haddad, 25.", ["Ahmad Khalil al-Omar", "Omar Saeed Haddad"]),
])
def test_english_shapes_of_agency_reports(text: str, expected: list[str]) -> None:
    assert names(text) == expected


#: More English shapes: the verb first ("Killed in the strike were A, ..."), "a woman, A, and
#: her two sons were killed", "killed two men, A and B", "pulled dead from the rubble". A
#: mother's daughter named by given name alone is not given the mother's family name (children
#: carry their father's). Invented.
@pytest.mark.parametrize(("text", "expected"), [
("Omar Haddad, from Ariha, was killed by regime shelling on Monday.", ["Omar Haddad"]),
 ("On Tuesday, a civilian named Sami Ajaj was shot dead by gunmen in Tafas.", ["Sami Ajaj"]),
 ("Walid Darwish died in hospital from wounds sustained in the airstrike.", ["Walid Darwish"]),
 ("The Syrian Network for Human Rights documented the death of Hiba al-Khatib, a child, in Idlib.", ["Hiba al-Khatib"]),
 ("Ahmad al-Saleh was killed and three others were wounded when a car bomb exploded in Azaz.", ["Ahmad al-Saleh"]),
 ("Killed in the strike were Rima Darwish, 40, her daughter Lana, 8, and a neighbour, Omar Ajaj.", ["Rima Darwish", "Omar Ajaj"]),
 ("A woman, Fatima al-Hamoud, and her two sons were killed.", ["Fatima al-Hamoud"]),
 ("Russian warplanes struck the market, killing at least 10 people, including Bassel Omar and his father Omar Hamed.", ["Bassel Omar", "Omar Hamed"]),
 ("Khaled al-Masri, a 45-year-old baker, was among the victims.", ["Khaled al-Masri"]),
 ("The shelling killed Nour al-Din Haddad and wounded his brother.", ["Nour al-Din Haddad"]),
 ("Sniper fire claimed the life of 17-year-old Yousef Darwish in Daraa al-Balad.", ["Yousef Darwish"]),
 ("Mohammad Abdul Rahman al-Ali was tortured to death in Saydnaya prison, his family said.", ["Mohammad Abdul Rahman al-Ali"]),
 ("Hassan al-Omar, the mukhtar of the village, was assassinated by unknown gunmen on Sunday.", ["Hassan al-Omar"]),
 ("A drone strike on a car near Sarmada killed two men, Omar Haddad and Sami Ajaj.", ["Omar Haddad", "Sami Ajaj"]),
 ("ISIS executed Ali Hussein al-Khalaf, accusing him of working with the coalition.", ["Ali Hussein al-Khalaf"]),
 ("Activists said Maryam Ajaj, 6, was pulled dead from the rubble.", ["Maryam Ajaj"]),
 ("Omar Haddad lost his life in the explosion of a landmine.", ["Omar Haddad"]),
 ("Local media reported the killing of Ahmad Darwish by SDF gunfire.", ["Ahmad Darwish"]),
])
def test_more_english_shapes(text: str, expected: list[str]) -> None:
    assert names(text) == expected


#: More Arabic shapes: «قضى المدني», occupations and kin as titles (المزارع، المختار، الأب), a
#: list after «ضحايا القصف:», «ارتقى ثلاثة شهداء هم:». Invented.
@pytest.mark.parametrize(("text", "expected"), [
("وثقت الشبكة السورية لحقوق الإنسان مقتل الطفلة سارة محمد العلي إثر قصف مدفعي على قرية البارة", ["سارة محمد العلي"]),
 ("قتل مدنيان هما عمر خالد الحسن وسامي أحمد العبد بقصف صاروخي", ["عمر خالد الحسن", "سامي أحمد العبد"]),
 ("استشهد اليوم الشاب باسل ياسين الخطيب متأثراً بجراحه التي أصيب بها قبل أيام", ["باسل ياسين الخطيب"]),
 ("قضى المدني حسن علي الرجب برصاص مجهولين في ريف درعا الغربي", ["حسن علي الرجب"]),
 ("مقتل الشاب محمود الحمد وإصابة شقيقه أحمد بجروح", ["محمود الحمد"]),
 ("أعلنت مديرية الصحة وفاة الطفل يامن عبد الحميد السيد إثر إصابته بشظايا", ["يامن عبد الحميد السيد"]),
 ("توفيت السيدة زينب محمود الأحمد متأثرة بجروحها", ["زينب محمود الأحمد"]),
 ("ضحايا القصف: محمد العلي، أحمد الحسن، خالد العمر", ["محمد العلي", "أحمد الحسن", "خالد العمر"]),
 ("ارتقى ثلاثة شهداء هم: الشاب فراس الحموي والطفلة رهف الحموي والسيدة أمل الصالح", ["فراس الحموي", "رهف الحموي", "أمل الصالح"]),
 ("عثر على جثة المواطن عدنان حسين الجاسم في أطراف بلدة الكرك الشرقي", ["عدنان حسين الجاسم"]),
 ("قتل عمر سعيد الحلبي (٣٥ عاماً) برصاص قناص", ["عمر سعيد الحلبي"]),
 ("نعى ناشطون الصحفي ماجد سليمان الأحمد الذي قتل بغارة جوية", ["ماجد سليمان الأحمد"]),
 ("قتل الأب سالم الحسين وابنته ريم بقصف على منزلهما", ["سالم الحسين", "ريم الحسين"]),
 ("استشهاد الممرضة هدى يوسف الخالد أثناء عملها في المشفى", ["هدى يوسف الخالد"]),
])
def test_more_arabic_shapes(text: str, expected: list[str]) -> None:
    assert names(text, arabic=True) == expected


def test_brothers_whose_names_share_a_key_stay_two_people() -> None:
    """محمد and محمود (حسن and حسين) share a cross-script key; in one report, told in two
    sentences, they are two brothers, not one person named twice."""
    text = ("استشهد الشاب محمود خالد العلي بقصف على البلدة. "
            "وفي القصف نفسه استشهد الشاب محمد خالد العلي أمام منزله.")
    assert names(text, arabic=True) == ["محمود خالد العلي", "محمد خالد العلي"]
    text = "Hassan Ali Jassem was killed in the shelling. Hussein Ali Jassem was killed later that day."
    assert names(text) == ["Hassan Ali Jassem", "Hussein Ali Jassem"]


#: English shapes of documentation reports: a source named first ("According to the family,
#: A was shot ... and died"), "The deceased, A, ...", a detainee dying in custody. Invented.
@pytest.mark.parametrize(("text", "expected"), [
("SNHR documented the killing of a civilian, Omar Haddad, by a landmine explosion in Daraa.", ["Omar Haddad"]),
 ("Omar Haddad, a resident of Tafas, died on Monday after being shot by gunmen.", ["Omar Haddad"]),
 ("Syrian regime forces shelled the town, killing a woman named Rima Darwish and her son.", ["Rima Darwish"]),
 ("According to the family, Sami Ajaj was shot in the head and died instantly.", ["Sami Ajaj"]),
 ("The deceased, Walid al-Khatib, was buried in his hometown of Sarmin.", ["Walid al-Khatib"]),
 ("A car bomb exploded in Azaz on Thursday, killing Hassan Darwish, 50, a vegetable seller.", ["Hassan Darwish"]),
 ("Human rights groups said detainee Bassel Omar al-Saleh died in custody.", ["Bassel Omar al-Saleh"]),
 ("Mohammad al-Ali was killed while Ahmad al-Ali survived with injuries.", ["Mohammad al-Ali"]),
 ("Nour Haddad, Sami Haddad and Hiba Haddad were killed; their mother was wounded.", ["Nour Haddad", "Sami Haddad", "Hiba Haddad"]),
 ("A child, 8-year-old Lana Omar Darwish, was among the dead.", ["Lana Omar Darwish"]),
 ("Ibrahim al-Hussein succumbed to wounds he sustained in a drone strike last week.", ["Ibrahim al-Hussein"]),
])
def test_english_shapes_of_documentation_reports(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(("text", "arabic", "expected"), [
    # The killers described as soldiers are not the dead; civil defence volunteers are civilians.
    ("A farmer was shot dead by regime soldiers, Omar Khaled Haddad, 34, on Monday.", False, ["Omar Khaled Haddad"]),
    ("قتل ثلاثة مدنيين برصاص عناصر من قوات النظام في درعا، وهم: عمر خالد الحداد، وسامي حامد العلي، ووليد سامر درويش.", True,
     ["عمر خالد الحداد", "سامي حامد العلي", "وليد سامر درويش"]),
    ("استشهد اثنان من عناصر الدفاع المدني وهما: عمر خالد الحداد ووليد سامر درويش", True, ["عمر خالد الحداد", "وليد سامر درويش"]),
    ("Sami Hamed al-Ali, a member of the Civil Defence forces, was killed in the strike.", False, ["Sami Hamed al-Ali"]),
    ("Fatima Khalil, a soldier's widow, was killed in the shelling.", False, ["Fatima Khalil"]),
    # A person described with a place noun is still a person.
    ("Omar Haddad, the village mukhtar, was killed by a sniper in Sarmin.", False, ["Omar Haddad"]),
    ("Rima Khalil, a camp resident, died in the fire.", False, ["Rima Khalil"]),
    ("Ahmad Hamoud, a town council member, was shot dead.", False, ["Ahmad Hamoud"]),
    # إمام without hamza is a family name.
    ("قتل الشاب محمد عادل امام بقصف على البلدة", True, ["محمد عادل امام"]),
])
def test_civilians_next_to_words_of_fighters_and_places_stay_civilian_victims(text: str, arabic: bool, expected: list[str]) -> None:
    result = extract_item("news", text.encode("utf-8"), content_type="text/plain", published=PUBLISHED, name="civilians")
    assert [(r.name_ar if arabic else r.full_name) for r in result.records] == expected
    assert not any(r.extra.get("described_as") for r in result.records)


def test_the_dotted_break_is_read_from_a_words_start_only() -> None:
    """A letter hidden behind a dot is restored from the start of the word it is in; a run of
    letters or spaces with no dot is not scanned again from every position (speed is measured in
    the benchmark, not here: this checks the anchoring that keeps it linear)."""
    from tawthiq.extractors.clean import _DOTTED

    assert [m.group(0) for m in _DOTTED.finditer("استشــ. ــاد الشاب")] == ["استشــ. ــاد"]
    assert _DOTTED.search("ب" * 2000) is None and _DOTTED.search(" " * 2000) is None
    assert names("استشــ. ــاد الشاب عمر خالد الحداد بقصف على البلدة", arabic=True) == ["عمر خالد الحداد"]


def test_names_of_the_dead_are_not_read_as_places() -> None:
    """A victim's family or father's name that is also a town (al-Jasem / Jasim, Mar'i / Mari,
    غندوره / Al Ghandurah) does not become where anyone in the item was killed."""
    result = extract_item("news", b"Regime warplanes killed Ahmad Omar Khalil and Rami Saeed al-Jasem in an air strike.",
                          content_type="text/plain", published=PUBLISHED, name="list")
    assert [r.full_name for r in result.records] == ["Ahmad Omar Khalil", "Rami Saeed al-Jasem"]
    assert all(r.place_of_death.locality != "Jasim" for r in result.records)
    assert all(i.place.locality != "Jasim" for i in result.incidents)
    result = extract_item("news", "الشهيد مصطفى وضاح غندوره\n\nاستشهد خلال القصف على اريحا قبل قليل".encode(),
                          content_type="text/plain", published=PUBLISHED, name="post")
    [victim] = result.records
    assert victim.place_of_death.locality == "Ariha" and victim.place_of_death.governorate == "Idlib"
    result = extract_item("news", "بالمجزرة المروعة في قرية المستريحة محمود محمد ابراهيم العيدو ومصطفى محمد ابراهيم العيدو شهداء".encode(),
                          content_type="text/plain", published=PUBLISHED, name="post")
    assert {r.place_of_death.locality for r in result.records} == {"المستريحة"}


def test_a_long_unpunctuated_list_reads_its_sentence_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hundreds of names in one sentence: its place is read once for all of them, not once a
    name over the whole sentence (which made an 8 KB list take 15 s)."""
    import extractors.news as news

    given = ["Ahmad", "Omar", "Khalid", "Yusuf", "Hasan", "Mahmoud", "Ibrahim", "Saeed", "Walid", "Fadi"]
    family = ["Khalil", "Haddad", "Saleh", "Hamoud", "Najjar", "Darwish", "Qassem", "Rifai", "Halabi", "Masri"]
    victims = [f"{g} {f2} {f}" for g in given for f2 in given[:3] for f in family[:2]]
    text = "Regime shelling on Idlib city on 16 April 2024 killed " + ", ".join(victims) + "."
    calls: list[str] = []
    real = news.resolve_place
    def counted(text: str):  # type: ignore[no-untyped-def]
        calls.append(text)
        return real(text)

    monkeypatch.setattr(news, "resolve_place", counted)
    result = extract_item("news", text.encode(), content_type="text/plain", published=PUBLISHED, name="list")
    assert {r.full_name for r in result.records} == set(victims)
    assert {r.place_of_death.governorate for r in result.records} == {"Idlib"}
    assert len(calls) <= 5


@pytest.mark.parametrize(("text", "expected"), [
    ("استشهد الشاب أحمد محمد الخطيب يعمل في مجال البناء جراء قصف على إدلب", ["أحمد محمد الخطيب"]),
    ("استشهاد المواطن عمر سعيد الأحمد يعمل مزارعاً", ["عمر سعيد الأحمد"]),
    ("مقتل الشابة سلمى خالد العمر تدرس في جامعة حلب برصاص قناص", ["سلمى خالد العمر"]),
    ("استشهاد الطفل يعرب محمد الحسن بقصف على ريف إدلب", ["يعرب محمد الحسن"]),
])
def test_a_verb_describing_the_person_ends_the_arabic_name(text: str, expected: list[str]) -> None:
    """«... الخطيب يعمل في مجال البناء»: the verb goes on to say who the person was; it is no
    part of the name, and a given name that looks like a verb (يعرب) still is one."""
    assert names(text, arabic=True) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("أحمد الرمضان Verified accountDecember 21, 2025 · Shared with Public سوريا دير الزور مقتل ثلاثة أشخاص صباح اليوم، "
     "قتل غنام الصبوح ونجله مأمون في بلدة ذيبان", ["غنام الصبوح", "مأمون الصبوح"]),
    ("مرصد الحسكةDecember 17, 2025 · Shared with Public الحسكة سلمت قوات قسد جثمان الشاب محمود سالم النزال", ["محمود سالم النزال"]),
    ("Osama Alshamy@OsamaAlshamy166مقتل الشاب خالد حسن العبيد برصاص قناص في دير الزور", ["خالد حسن العبيد"]),
])
def test_the_poster_of_a_scraped_post_is_no_victim(text: str, expected: list[str]) -> None:
    """The account name at the head of a scraped Facebook or X post is who posted it."""
    assert names(text, arabic=True) == expected


def test_the_post_date_is_read_once_its_header_is_cut() -> None:
    result = extract_item("news", "مرصد الحسكة Verified accountDecember 17, 2025 · Shared with Public سلمت قسد جثمان الشاب محمود سالم النزال "
                          "بعد أن قضى برصاصها".encode(), content_type="text/plain", name="post")
    [victim] = result.records
    assert victim.date_of_death == "2025-12-17"


def test_unnamed_others_are_not_names() -> None:
    """«وآخر مجهول الهوية» (and another, unidentified) and a signature («الخبر منقول») name nobody."""
    assert names("أن شخصا اسمه محمد فاتح خلف الدهام وآخر مجهول الهوية، قتلا باشتباك إثر عملية إنزال جوي", arabic=True) == [
        "محمد فاتح خلف الدهام"]


@pytest.mark.parametrize(("text", "expected"), [
    ("انفجرت عبوة ناسفة استهدفت محمود الرحال ، القيادي في الفصيل ما أدى لإصابته ومقتل اثنين من مرافقيه.", []),
    ("استهدف قناص الشاب خالد حسن العبيد ما أدى لإصابته بجروح خطيرة ومقتل طفل كان بجانبه.", []),
    ("استهدف قناص الشاب خالد حسن العبيد ما أدى لإصابته بجروح بليغة توفي على إثرها في المشفى.", ["خالد حسن العبيد"]),
    ("استهدف قناص الشاب خالد حسن العبيد ما أدى لمقتله وإصابة طفل كان بجانبه.", ["خالد حسن العبيد"]),
])
def test_the_named_persons_own_outcome_decides(text: str, expected: list[str]) -> None:
    """«ما أدى لإصابته ومقتل اثنين من مرافقيه»: the pronoun says the person named was wounded;
    the dead told beside it are others."""
    assert names(text, arabic=True) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("استشهد الشاب نور الدين غفير مع طفله مجد بقصف على إدلب", ["نور الدين غفير", "مجد غفير"]),
    ('قتل الطبيب خالد العمر مع ابنته "سلمى" بقصف روسي', ["خالد العمر", "سلمى العمر"]),
])
def test_a_child_killed_with_a_parent(text: str, expected: list[str]) -> None:
    """«X مع طفله مجد»: the child, named by given name, carries the parent's family name."""
    assert names(text, arabic=True) == expected


def test_arabic_inside_english_page_furniture_is_read_in_arabic() -> None:
    """A scraped tweet: the page's English furniture outweighs the Arabic post by its letters,
    and the post is read all the same."""
    text = ("Copy link to Tweet Embed Tweet استشهاد احمد علي العامر غزلان وبلال محمد الهلال غزلان جراء القصف العنيف "
            "الذي تعرض له حي طريق السد بصواريخ أرض أرض 2 Likes Back to top Loading seems to be taking a while. Twitter may "
            "be over capacity or experiencing a momentary hiccup. Try again or visit Twitter Status for more information.")
    result = extract_item("news", text.encode(), content_type="text/plain", published=PUBLISHED, name="tweet")
    assert result.language == "en"
    assert {r.name_ar for r in result.records} == {"احمد علي العامر غزلان", "بلال محمد الهلال غزلان"}
    [incident] = result.incidents
    assert incident.killed == 2


def test_an_english_report_quoting_an_arabic_statement() -> None:
    text = ("Local activists published a statement in Arabic after the strike on Sarmin on Monday:\n"
            "استشهد الشاب سامر عادل الحسين والطفل محمد خالد العمر جراء القصف المدفعي على مدينة سرمين")
    result = extract_item("news", text.encode(), content_type="text/plain", published=PUBLISHED, name="report")
    assert {r.name_ar for r in result.records} == {"سامر عادل الحسين", "محمد خالد العمر"}


@pytest.mark.parametrize(("text", "expected"), [
    ("مقتل شخصين خلال عملية الانزال هما صابر سنجار الفهد وسامي الدكليس العون في بلدة هجين",
     ["صابر سنجار الفهد", "سامي الدكليس العون"]),
    ('مقتل شخصين خلال عملية الانزال هما " صابر سنجار الفهد وسامي الدكليس العون" في بلدة هجين',
     ["صابر سنجار الفهد", "سامي الدكليس العون"]),
    ("العثور على جثة خالد السنجار وابن عمه سامي العون مقتولين بعدة طلقات نارية", ["خالد السنجار", "سامي العون"]),
    ("ارتكب من قبل 5 مجازر راح ضحيتها العشرات بين شهيد وجريح، وهم كل من (مجزرة الصفاوية، ومجزرتي الدبس، ومزرعة قرطاج)", []),
])
def test_a_list_that_names_the_people_it_counts(text: str, expected: list[str]) -> None:
    """«مقتل شخصين ... هما A وB»: as many names as people counted are names, on the given-name
    lexicon or not; a list of massacres is not; «نجا» inside «سنجار» is no escape from death."""
    assert names(text, arabic=True) == expected


@pytest.mark.parametrize("text", [
    "شهداء\nارتقاء احمد علي العامر غزلان\nبلال محمد الهلال غزلان\nجراء القصف العنيف الذي تعرض له حي طريق السد",
    "احمد علي العامر غزلان بلال محمد الهلال غزلان في ذمة الله جراء القصف العنيف",
])
def test_names_one_after_another_without_a_separator(text: str) -> None:
    """A name on the line under one the death word introduced, or right after a four-part name
    with no «و» between: the next of the dead."""
    assert sorted(names(text, arabic=True)) == ["احمد علي العامر غزلان", "بلال محمد الهلال غزلان"]


@pytest.mark.parametrize(("text", "expected"), [
    # The person a sentence is about, then "He was killed" right after it.
    ("Anas Walid al-Dyab, a photographer in his early 20s, was a member of the White Helmets.\n"
     "He was killed in Russian air strikes in the town of Khan Sheikhun, rescuers said.", ["Anas Walid al-Dyab"]),
    # The family name later, not at the head of its sentence.
    ("The group mourned Anas Walid al-Dyab, a volunteer. Raed al-Saleh said Dyab was killed while filming.", ["Anas Walid al-Dyab"]),
    # The given name alone later, when no one else named has it.
    ("This statement by the husband of Asma Kayali, 25, sums up the situation. Asma was killed with her three children.",
     ["Asma Kayali"]),
    # Quotation marks inside the verb; the funeral of the dead.
    ("Raed Fares and Hamod Jnaid were “shot dead by unknown assailants” in Kafr Nabl, the station said.", ["Raed Fares", "Hamod Jnaid"]),
    ("Mourners attend the funeral of Raed Fares in the village of Kafranbel.", ["Raed Fares"]),
    ("It said Abdul Basset Ahmed Abdel-Khalek “fell victim to a missile deliberately aimed at the car”.",
     ["Abdul Basset Ahmed Abdel-Khalek"]),
    ("Suhaib Dib was the victim of a targeted killing by the security forces in Al-Meliha.", ["Suhaib Dib"]),
    ("The deaths of citizen journalist Mohamed Hamdo Hallaq during the shelling of Azaz have been confirmed.", ["Mohamed Hamdo Hallaq"]),
    # A kinship word with a comma inside a list of the dead; a rank before the name; Turkish letters.
    ("The victims were Moaz Arnous, his brother Baraa Arnous and their cousin, Osama Arnous, a friend told Reuters.",
     ["Moaz Arnous", "Baraa Arnous", "Osama Arnous"]),
    ("Among the four fighters killed was Commander Aram Muhammad İbrahim, who had lost an arm.", ["Aram Muhammad İbrahim"]),
    ("The child – 8 year-old Azize Kuno – was struck in the abdomen by shrapnel and later died in hospital.", ["Azize Kuno"]),
    # Kin listed between dashes: a compound given name alone takes the last one's family name.
    ("Two of his brothers – Abdel Ghani, another citizen-journalist, and Ahmed Kaake – were previously killed.",
     ["Abdel Ghani Kaake", "Ahmed Kaake"]),
    ("Two of his brothers – Abdel Ghani, another citizen-journalist, and Ahmed Kaake – were arrested last year.", []),
    # An apposition that runs to the next name ("... Sunday Times and B, a French photographer").
    ("Marie Colvin, an American who worked for Britain's Sunday Times and Remi Ochlik, a French photographer, were killed in Homs.",
     ["Marie Colvin", "Remi Ochlik"]),
    ("Omar Khaled Haddad, a member of the Syrian Democratic Forces and YAT, was killed in Qamishli.", ["Omar Khaled Haddad"]),
    ("The Movement is shocked by the deaths of Syrian Arab Red Crescent volunteers Quteiba Abdallah and Wassim Mohammed Qassoha.",
     ["Quteiba Abdallah", "Wassim Mohammed Qassoha"]),
    # As many names as the sentence before counted dead, telling no hurt of them.
    ("Three journalists who worked for the network were killed on May 27, a representative told CPJ. Ammar Mohamed Suhail Zado, "
     "the director in Homs, Ahmed Adnan al-Ashlaq, a correspondent, and Lawrence Fahmy al-Naimi, the head of live streaming, "
     "were filming the clashes when their building was shelled.",
     ["Ammar Mohamed Suhail Zado", "Ahmed Adnan al-Ashlaq", "Lawrence Fahmy al-Naimi"]),
    ("Two people were killed in the shelling. Omar Khaled Haddad and Sami Hamed al-Ali were wounded and taken to hospital.", []),
    ("Three people were killed in the shelling. Omar Khaled Haddad and Sami Hamed al-Ali were filming the clashes.", []),
    # A verb series ending in a death; "killed include"; a dash before the verb; a dash list.
    ("Another, Alaa Al-Din Hassan Al-Douri, was arrested, tortured and killed by Syrian forces, the centre said.",
     ["Alaa Al-Din Hassan Al-Douri"]),
    ("Other citizen journalists killed include Ahmed Abdallah Fakhriyeh and Samir Shalab Al-Sham Abu Mohamed.",
     ["Ahmed Abdallah Fakhriyeh", "Samir Shalab Al-Sham Abu Mohamed"]),
    ("Father of Kifa’ Samra, 13 and Sakarya Samra, 11 - killed in Aleppo on 11 August", ["Kifa’ Samra", "Sakarya Samra"]),
    ("An activist said that two men — Yasser Nseirat and Jamal Qanbar — who were part of the funeral cortege heading for "
     "the town were shot dead by security forces.", ["Yasser Nseirat", "Jamal Qanbar"]),
    ("Al-Manar named those killed as reporter Hamza Al-Hajj Hassan, cameraman Mohamed Mantach and technician Halim Aloua.",
     ["Hamza Al-Hajj Hassan", "Mohamed Mantach", "Halim Aloua"]),
    # A role as the object and the name set off after it; "A and four members of his entourage".
    ("On 14 April, a Turkish drone also killed a senior People’s Protection Units (YPG) official, Mihemed Sari (Baran Nisêbîn).",
     ["Mihemed Sari"]),
    ("The Syrian regime killed former opposition leader Khaldoun Badawi Al-Zoubi on Thursday night near Daraa city.",
     ["Khaldoun Badawi Al-Zoubi"]),
    ("Khaldoun Badawi Al-Zoubi and four members of his entourage were killed while returning from a meeting.",
     ["Khaldoun Badawi Al-Zoubi"]),
    # An office of capitalised words before a name; a role in the glue of a list.
    ("Syrian Defense Minister Dawood Rajha, his deputy, Assef Shawkat, and senior military official Hassan Turkmani were killed.",
     ["Dawood Rajha", "Assef Shawkat", "Hassan Turkmani"]),
    ("The official, Khaled Hamoud, said the strike killed two children.", []),
    # An aside set off by dashes between the name and its verb.
    ("Salwa Yusuf Hamed — along with 2 fellow female fighters — was killed in an attack near Qamishli.", ["Salwa Yusuf Hamed"]),
    ("Salwa Yusuf Hamed — who leads the council — was injured in an attack near Qamishli.", []),
    # "executions of ..., including A, his brother B, and their cousin C".
    ("Videos show fighters conducting graphic executions of Druze civilians, including Moaz Arnous, his brother Baraa Arnous, "
     "and their cousin Osama Arnous.", ["Moaz Arnous", "Baraa Arnous", "Osama Arnous"]),
    # "A and B are the two civilians who lost their life"; "A who was tortured ... has been found killed".
    ("Naif Abdulkadir Hayawi and Rima Ismail Hayawi are the two civilians who lost their life in the bombing, while Rahaf "
     "Qataf Hayawi and Judi Omar Hayawi are the civilians who have been wounded.", ["Naif Abdulkadir Hayawi", "Rima Ismail Hayawi"]),
    ("47-year-old Syrian activist Mazen Hamada who was tortured for years by the regime has been found killed inside Sednaya prison.",
     ["Mazen Hamada"]),
    # "A, a 60-year-old guard ..., being gunned down by two fighters".
    ("Another video shows Mounir al-Rajma, a 60-year-old guard at a communal water well, being gunned down by two young fighters.",
     ["Mounir al-Rajma"]),
    # "has died", "had died" after a name; a family name that is also a place's first word.
    ("Responding to news that the British surgeon Dr Abbas Khan has died in custody in Syria, the campaign manager said:",
     ["Abbas Khan"]),
    ("Kurdish journalist Saad Ahmed, a reporter for the local news agency Hawar News, had died of his wounds shortly after.",
     ["Saad Ahmed"]),
    ("This is the second time in less than a month that a member of the Red Crescent has been killed while on duty.", []),
    # ", lost his life," is the name's verb, not an apposition.
    ("The two-year-old child, Allam Ali al-Issa, lost his life, and his 5-year old sister, Ola Ali al-Issa, were seriously "
     "injured in the bombing.", ["Allam Ali al-Issa"]),
    # A business named after a person is no victim.
    ("The explosion killed 3 Assyrians and injured 20. The second blast targeted Joseph Bakery.", []),
    # Not names: a sentence opener, a region.
    ("Dyab chose to remain. But Dyab Hamed chose to remain with his fellow volunteers till today.", []),
    ("Four officers overseeing operations in the Middle East were killed Monday in Damascus.", []),
])
def test_english_shapes_of_real_reports_from_other_outlets(text: str, expected: list[str]) -> None:
    """Shapes read in AFP, VOA, Reuters, Amnesty, IFEX and ANF reports of the real labelled set."""
    assert names(text) == expected


def test_english_list_of_the_wounded_and_a_martyr() -> None:
    """"disclosed the names of the wounded and a martyr:": only the line that says it died."""
    text = ("The hospital disclosed the names of the wounded and a martyr, while the other martyr's identity is not known:\n"
            "Hani al-Ahmed al-Rawi, 25 years old got martyred.\n"
            "Ali Hamid al-Hilal, 45 years old.\n"
            "Tareq al-Ahmed, 30 years old.\n")
    assert names(text) == ["Hani al-Ahmed al-Rawi"]


def test_english_memorial_with_a_heading_for_each_of_the_dead() -> None:
    """"Seven volunteers were assassinated ... their stories follow below", then each name as a
    heading over a paragraph about that person; a byline or a lone heading is no list."""
    text = ("Seven White Helmet volunteers were assassinated in Sarmin on Saturday. Their stories follow below.\n"
            "Mohammad Dib Al-Harr\n"
            "Mohammad Dib Al-Harr’s courage earned him the nickname Abu Kifah, and he was a tiler before the revolution.\n"
            "Ziad Hassan Qadhanoun\n"
            "Ziad Hassan Qadhanoun was a father to many, with one son and four daughters, and worked as a builder.\n")
    assert names(text) == ["Mohammad Dib Al-Harr", "Ziad Hassan Qadhanoun"]
    one = ("A volunteer was killed in Sarmin on Saturday.\n"
           "Mohammad Dib Al-Harr\n"
           "Mohammad Dib Al-Harr is the head of the centre and spoke to reporters about the attack on the team.\n")
    assert names(one) == []


def test_english_run_of_names_in_a_sentence_of_death() -> None:
    """Three names or more listed in a sentence that tells a death and nothing else are the dead,
    whatever joins them to the verb; with a hurt, an arrest or a speaker in it, they are not."""
    dead = ("In the strike on the market, Omar Khaled Haddad, Sami Hamed al-Ali, Rima Walid Darwish and Hiba Omar Haddad, "
            "all of the same family, lost their lives.")
    assert names(dead) == ["Omar Khaled Haddad", "Sami Hamed al-Ali", "Rima Walid Darwish", "Hiba Omar Haddad"]
    hurt = ("After the strike that killed two people, Omar Khaled Haddad, Sami Hamed al-Ali and Rima Walid Darwish were "
            "taken to hospital wounded.")
    assert names(hurt) == []


def test_english_bulleted_names_after_a_line_that_says_a_list_follows() -> None:
    """"The Church has published the names of 21 Assyrians killed by ISIS ... I’m listing the names
    below ...", then a bulleted name a line: the dead. Under a line about the missing, not."""
    text = ("SYRIA: The Syriac Orthodox Church has published the names of 21 Assyrians killed by ISIS in Qaryatain.\n"
            "I’m listing the names below, because names mean more than numbers.\n"
            "  • Hani Moussa Khazaal, 25\n"
            "  • George Al-Khazaal, 31\n"
            "  • Jalal Al-Gharib, 30\n")
    assert names(text) == ["Hani Moussa Khazaal", "George Al-Khazaal", "Jalal Al-Gharib"]
    missing = ("Three men were killed in Qaryatain last week.\n"
               "The names of those still missing are listed below:\n"
               "  • Hani Moussa Khazaal, 25\n"
               "  • George Al-Khazaal, 31\n"
               "  • Jalal Al-Gharib, 30\n")
    assert names(missing) == []
