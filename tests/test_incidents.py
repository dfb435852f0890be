"""Incidents: counts read from news text (extractors/incidents.py), incidents compared
(dedupe/incidents.py), and the queue, decisions and anonymous archive (db/incidents.py), on
SQLite and PostgreSQL. Texts are in the shapes of real monitors' posts, in my own words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tawthiq import pipeline
from tawthiq.db import archive, incidents, repo
from tawthiq.db.engine import session_scope
from tawthiq.db.models import Candidate, Incident, IncidentHistory, IncidentReport, IncidentTask, RawItem, ReviewTask, Victim
from tawthiq.dedupe.incidents import IncidentFacts, compare_incidents
from tawthiq.errors import ReviewError
from tawthiq.extractors import extract_item
from tawthiq.extractors.incidents import (
    BACKGROUND_EXAMPLES,
    BREAKDOWN_EXAMPLES,
    CLAUSE_EXAMPLES,
    CONJUNCT_EXAMPLES,
    DEATH_WORD_EXAMPLES,
    FOREIGN_EXAMPLES,
    COUNT_CUES,
    KILLED_AND_HURT_EXAMPLES,
    NOT_DEATH_EXAMPLES,
    NOT_SUMMARY_EXAMPLES,
    SUMMARY_EXAMPLES,
    TEASER_EXAMPLES,
    VAGUE_EXAMPLES,
    clauses,
    extract_incidents,
    find_counts,
    parse_number,
    reports_death,
)

# --- extraction ---------------------------------------------------------------------------


@pytest.mark.parametrize("cue,text,expected", [(c, t, n) for c in COUNT_CUES for t, n in c.examples],
                         ids=lambda v: getattr(v, "id", None) or (v[:30] if isinstance(v, str) else str(v)))
def test_every_cue_reads_its_examples(cue, text: str, expected: int) -> None:
    counts = [c for c in find_counts(text, cue.language) if c.kind == cue.kind]
    assert counts and counts[0].minimum == expected, f"{cue.id}: {text!r} gave {[(c.cue, c.minimum) for c in counts]}"


@pytest.mark.parametrize("cue,text", [(c, t) for c in COUNT_CUES for t in c.negatives], ids=lambda v: getattr(v, "id", str(v)[:30]))
def test_cue_negatives_give_no_count(cue, text: str) -> None:
    assert not [c for c in find_counts(text, cue.language) if c.cue == cue.id]


@pytest.mark.parametrize("language,text,expected", CONJUNCT_EXAMPLES, ids=lambda v: str(v)[:30])
def test_people_joined_to_a_count_are_added_to_it(language: str, text: str, expected: int) -> None:
    killed = [c.minimum for c in find_counts(text, language) if c.kind == "killed"]
    assert killed == [expected], f"{text!r} gave {killed}"


@pytest.mark.parametrize("language,text", KILLED_AND_HURT_EXAMPLES, ids=lambda v: str(v)[:30])
def test_the_dead_and_wounded_in_one_number_are_no_count_of_the_dead(language: str, text: str) -> None:
    assert not [c for c in find_counts(text, language) if c.kind == "killed"]


@pytest.mark.parametrize("text,summary", [(t, True) for t in SUMMARY_EXAMPLES] + [(t, False) for t in NOT_SUMMARY_EXAMPLES],
                         ids=lambda v: str(v)[:30])
def test_a_count_over_several_places_or_days_is_no_incident_count(text: str, summary: bool) -> None:
    found = [i for i in extract_incidents(text, published=dt.date(2024, 5, 4)) if i.killed is not None]
    assert (not found) == summary, found


@pytest.mark.parametrize("text,expected", CLAUSE_EXAMPLES, ids=lambda v: str(v)[:30])
def test_a_sentence_telling_several_incidents_is_read_clause_by_clause(text: str, expected: int) -> None:
    assert len(clauses(text)) == expected, clauses(text)


def test_each_clause_of_a_roundup_is_the_incident_of_its_own_town() -> None:
    text = ("قتل 11 مدنياً جراء هجمات شنتها قوات النظام على مدن وبلدات ريف إدلب اليوم. "
            "إذ قتل طفل بالقصف الصاروخي على مدينة جسر الشغور، وقتل مدنيان بقصف مماثل على مدينة سرمين، "
            "وقتلت امرأة، وأصيب 14 مدنياً بالقصف على مدينة أريحا.")
    found = {i.place.locality: i.killed for i in extract_incidents(text, published=dt.date(2023, 10, 5))}
    assert {k: v for k, v in found.items() if v is not None} == {"Jisr al-Shughour": 1, "Sarmin": 2, "Ariha": 1}, found


def test_a_count_with_no_town_is_a_roundups_total_only_when_it_sums_its_towns() -> None:
    total = "قتل 6 مدنيين بقصف على ريف إدلب. وقتل طفل في مدينة جسر الشغور، وقتل مدنيان في مدينة سرمين."
    found = extract_incidents(total, published=dt.date(2023, 10, 5))
    assert sorted(i.killed for i in found if i.killed is not None) == [1, 2], found
    assert any("total over the 2 towns" in note for note in found[0].notes)
    own = "مقتل تسعة مدنيين بقصف مدفعي اليوم. وقتل مدني في مدينة تفتناز. وقتل 12 مدنيا في مدينة سرمين."
    assert 9 in [i.killed for i in extract_incidents(own, published=dt.date(2023, 11, 25))]


@pytest.mark.parametrize("text,expected", TEASER_EXAMPLES, ids=lambda v: str(v)[:30])
def test_headlines_of_other_articles_on_a_page_give_no_count(text: str, expected: int) -> None:
    found = [i.killed for i in extract_incidents(text, published=dt.date(2022, 11, 23)) if i.killed is not None]
    assert found == [expected], found


@pytest.mark.parametrize("language,text,least", VAGUE_EXAMPLES, ids=lambda v: str(v)[:30])
def test_deaths_told_without_a_number_are_an_open_count(language: str, text: str, least: int) -> None:
    incident = _one(text)
    assert (incident.killed, incident.killed_min, incident.killed_max) == (least, least, None), incident
    assert any("no number given" in note for note in incident.notes)


def test_a_number_anywhere_in_the_item_wins_over_deaths_told_without_one() -> None:
    incident = _one("استشهد عدد من المدنيين جراء قصف على مدينة أريحا. وقال الدفاع المدني إن القصف أدى لمقتل ثلاثة مدنيين في أريحا.")
    assert (incident.killed, incident.killed_min, incident.killed_max) == (3, 3, 3)


@pytest.mark.parametrize("text,expected", BREAKDOWN_EXAMPLES, ids=lambda v: str(v)[:30])
def test_a_total_broken_down_by_town_is_one_incident_per_town(text: str, expected: dict[str, int]) -> None:
    found = extract_incidents(text, published=dt.date(2024, 1, 1))
    assert {i.place.locality: i.killed for i in found if i.killed is not None} == expected, found


def test_the_list_under_a_roundups_heading_is_the_roundups() -> None:
    text = "حصيلة أولية لضحايا القصف على مدن وبلدات ريف إدلب اليوم الخميس.\nالعدد الكلي للقتلى والجرحى:\nالقتلى: 5 قتلى بينهم طفل وامرأة"
    (incident,) = extract_incidents(text, published=dt.date(2023, 10, 5))
    assert incident.killed is None and incident.reports_death
    assert any("5 قتلى" in note and "summary" in note for note in incident.notes)


@pytest.mark.parametrize("text", BACKGROUND_EXAMPLES, ids=lambda v: str(v)[:30])
def test_a_recalled_earlier_event_gives_no_count_of_the_item(text: str) -> None:
    lead = "قتل مدني بقصف على بلدة معارة النعسان اليوم. " if "ء" <= text[0] <= "ي" else "A civilian was killed in Sarmin today. "
    found = extract_incidents(lead + text, published=dt.date(2022, 7, 4))
    assert [(i.killed_min, i.killed_max) for i in found] == [(1, 1)], found


@pytest.mark.parametrize("text", FOREIGN_EXAMPLES, ids=lambda v: str(v)[:30])
def test_a_count_in_another_country_is_no_syrian_incident(text: str) -> None:
    found = [i for i in extract_incidents(text, published=dt.date(2024, 5, 4)) if i.killed is not None]
    assert not found, found


def test_a_count_of_another_day_is_another_incident() -> None:
    text = ("وقتلت امرأة بقصف صاروخي استهدف أطراف مدينة اعزاز اليوم الاثنين 25 تموز. "
            "وارتكبت الطائرات الحربية الروسية مجزرة في ريف إدلب، يوم الجمعة 22 تموز، راح ضحيتها 7 مدنيين بينهم 4 أطفال.")
    found = extract_incidents(text, published=dt.date(2022, 7, 25))
    assert [(i.date, i.place.governorate, i.killed) for i in found] == [("2022-07-25", "Aleppo", 1), ("2022-07-22", "Idlib", 7)], found


def test_a_later_count_of_another_town_or_no_town_is_noted_not_counted() -> None:
    text = ("مقتل ثلاثة مدنيين بقصف مدفعي لقوات النظام على مدينة أريحا جنوبي إدلب. "
            "وكانت الحملة قد أسفرت عن مقتل 61 مدنيا. وفي سرمين قتل أربعة مدنيين بغارة جوية.")
    incident = extract_incidents(text, published=dt.date(2024, 5, 4))[0]
    assert (incident.killed, incident.killed_min, incident.killed_max) == (3, 3, 3)
    assert any("61" in note and "not counted" in note for note in incident.notes)
    earlier = _one("مقتل ثلاثة مدنيين بقصف على مدينة أريحا. وكانت قوات النظام قد قصفت المدينة الشهر الماضي ما أدى لمقتل سبعة مدنيين في أريحا.")
    assert (earlier.killed_min, earlier.killed_max) == (3, 3)
    rising = _one("مقتل ثلاثة مدنيين بقصف على مدينة أريحا. وارتفعت حصيلة الضحايا إلى خمسة مدنيين بعد وفاة جريحين.")
    assert (rising.killed_min, rising.killed_max) == (3, 5)


@pytest.mark.parametrize("words,value", [
    ("three", 3), ("twenty-two", 22), ("ثلاثة", 3), ("خمسة وعشرين", 25), ("أحد عشر", 11), ("ثلاثة عشر", 13),
    ("١٢", 12), ("12", 12), ("a dozen", 12),
])
def test_number_words_in_both_languages(words: str, value: int) -> None:
    assert parse_number(words) == value


def _one(text: str, published: dt.date | None = dt.date(2024, 5, 4), **kw):  # type: ignore[no-untyped-def]
    found = extract_incidents(text, published=published, **kw)
    assert len(found) == 1, found
    return found[0]


def test_the_commonest_sentence_of_a_report() -> None:
    incident = _one("Three civilians, including two women, were killed by the explosion of a landmine in Daraa governorate on May 3.")
    assert (incident.killed, incident.killed_min, incident.killed_max, incident.women_killed) == (3, 3, 3, 2)
    assert (incident.cause, incident.date, incident.place.governorate) == ("landmine", "2024-05-03", "Daraa")
    assert incident.named_victims == 0 and incident.reports_death


def test_arabic_count_with_children_women_and_injured() -> None:
    incident = _one("قُتل خمسة مدنيين بينهم طفلان وامرأة، وأصيب ثمانية آخرون، جراء قصف مدفعي لقوات النظام على مدينة أريحا.")
    assert (incident.killed, incident.children_killed, incident.women_killed) == (5, 2, 1)
    assert (incident.injured_min, incident.injured_max) == (8, 8)
    assert (incident.perpetrator, incident.cause) == ("syrian_regime", "shelling")


def test_singular_and_dual_nouns_are_counts() -> None:
    assert _one("وتسبب القصف بمقتل امرأة وجرح 11 مدنياً بينهم 3 أطفال").killed == 1
    assert _one("مقتل طفلين بقصف على بلدة سرمين").killed == 2


def test_at_least_leaves_the_top_open_and_more_than_raises_the_floor() -> None:
    least = _one("At least 12 people were killed in the airstrike on the market.")
    assert (least.killed_min, least.killed_max) == (12, None) and "at least 12" in least.notes
    more = _one("مقتل أكثر من 10 مدنيين بقصف صاروخي على المدينة")
    assert (more.killed_min, more.killed_max) == (11, None)


def test_contradictory_counts_are_kept_as_a_range_and_said() -> None:
    incident = _one("Five civilians were killed in the shelling of Ariha. Later the civil defence said seven people were killed in the shelling of Ariha.")
    assert (incident.killed_min, incident.killed_max) == (5, 7)
    assert any("different killed counts (5, 7)" in note for note in incident.notes)


def test_named_victims_belong_to_the_incident_and_raise_its_count() -> None:
    text = "Regime shelling on Idlib city on 16 April 2024 killed Ahmad Khalil al-Omar, 30, and Omar Saeed Haddad, 25."
    result = extract_item("news", text.encode(), content_type="text/plain", published=dt.date(2024, 4, 17))
    (incident,) = result.incidents  # named or not, the item reaches a documenter
    assert incident.reports_death and incident.perpetrator == "syrian_regime" and incident.date == "2024-04-16"
    assert incident.killed != 2024  # the year is not a count
    assert (incident.killed or 0) >= len(result.records) and all(r.extra.get("incident") == 0 for r in result.records)


def test_named_victims_set_the_count_when_the_text_gives_none() -> None:
    text = "Mohammad Khaled al-Abdullah, 34, was killed by regime shelling on Sarmin on March 5, 2024."
    result = extract_item("news", text.encode(), content_type="text/plain", published=dt.date(2024, 3, 6))
    assert len(result.records) == 1
    (incident,) = result.incidents
    assert (incident.killed, incident.named_victims) == (1, 1) and incident.field_evidence["killed"] == "1 named victim(s)"
    # Naming one dead does not say only one died: at least one, the top open.
    assert (incident.killed_min, incident.killed_max) == (1, None) and any("at least 1" in n for n in incident.notes)


def test_more_names_than_the_stated_count_widen_the_top_not_the_count() -> None:
    from tawthiq.extractors.record import VictimRecord

    # The text's own "a civilian" is firmer than two names read from it (one may be injured).
    named = [VictimRecord(full_name="Ahmad Khalil al-Omar", evidence="..."), VictimRecord(full_name="Omar Saeed Haddad", evidence="...")]
    incident = _one("Regime shelling on Sarmin killed a civilian and wounded another.", victims=named)
    assert (incident.killed, incident.killed_min, incident.killed_max, incident.named_victims) == (1, 1, 2, 2)
    assert any("kept as a range 1–2" in note for note in incident.notes)


@pytest.mark.parametrize("text,language,killed", [
    ("Shelling on the market of al-Bab killed eight people, including five civilians, the Observatory said", "en", 5),
    ("أدى القصف لمقتل 5 أشخاص بينهم 3 مدنيين في ريف الحسكة", "ar", 3),
    ("قُتل خمسة مدنيين بينهم طفلان وامرأة بقصف مدفعي", "ar", 5),  # a total of civilians keeps its count
])
def test_the_civilians_among_a_total_of_people_are_the_count(text: str, language: str, killed: int) -> None:
    assert [c.minimum for c in find_counts(text, language) if c.kind == "killed"] == [killed]


def test_a_summary_of_a_month_is_not_an_incident_count() -> None:
    incident = _one("قتل طفل بقصف على بلدة سرمين اليوم. ووثقت الشبكة مقتل 47 مدنياً خلال شهر أيار في عموم سوريا.")
    assert incident.killed == 1


def test_fighters_are_not_counted_as_civilians() -> None:
    assert _one("The drone strike killed 8 SDF members near the river.").killed is None


def test_a_death_word_without_a_count_or_name_is_still_a_report() -> None:
    incident = _one("Local sources reported that a shepherd died when a landmine exploded near the village.")
    assert incident.reports_death and incident.evidence


def test_items_that_report_no_death_give_no_incident() -> None:
    assert extract_incidents("Regime artillery shelled the outskirts of Idlib this morning; no casualties were reported yet.") == []
    assert extract_incidents("قصف براجمات الصواريخ يستهدف أطراف مدينة إدلب") == []
    assert extract_incidents("") == []


@pytest.mark.parametrize("text", [
    "#عاجل إستشهاد امرأة إثر قصف صاروخي استهدف قرية منطف",  # hamza under the alif
    "غارات روسية تقتل مدنياً غرب إدلب", "داهمت القوات البلدة لتقتل عدداً من الشبان",
    "آثار القصف الذي طال منزل المواطن الشهيد محمد عارف في قرية حليصة",
    "وفقد على إثرها كل من الشابة زهرة علي، 23 عاماً، وأخيها أحمد علي، 20 عاماً، حياتهم",
    "نداء للتبرع بالدم بعد سقوط عدد كبير من الضحايا بالقصف الصاروخي",
])
def test_deaths_told_in_other_words_reach_a_documenter(text: str) -> None:
    assert reports_death(text) and extract_incidents(text)


@pytest.mark.parametrize("text,death", [(t, True) for t in DEATH_WORD_EXAMPLES] + [(t, False) for t in NOT_DEATH_EXAMPLES],
                         ids=lambda v: str(v)[:30])
def test_what_reports_a_death(text: str, death: bool) -> None:
    assert reports_death(text) == death
    incidents = extract_incidents(text, published=dt.date(2024, 5, 4))
    assert any(i.reports_death for i in incidents) == death
    if not death:  # at most an injury report to read, never a death
        assert all(i.killed is None and not i.reports_death for i in incidents)


def test_an_injured_count_alone_is_still_an_incident_to_read() -> None:
    """For safety: the death words may miss how a text tells a death, and an item with an
    injured count reaches a documenter, marked as reporting no death."""
    (incident,) = extract_incidents("إصابة 4 مدنيين بينهم طفلة بقصف مدفعي على أطراف البلدة", published=dt.date(2024, 5, 4))
    assert not incident.reports_death and incident.killed is None and incident.injured_min == 4


def test_stretched_letters_that_dodge_moderation_are_read() -> None:
    assert reports_death("استشــ.ــهاد شاب بقصـ.ـف على البلدة")
    assert _one("استشـ.ـهاد ثلاثة مدنيين بقصـ.ـف مدفعي").killed == 3


def test_a_toll_raised_by_a_death_from_wounds_is_the_incidents_count() -> None:
    """SOHR's shape: one more death from wounds, "وبذلك يرتفع عدد الشهداء إلى 10" (present
    tense) is the incident's fuller count; a toll rising "ضمن مناطق ..." is a region's total."""
    text = ("استشهاد مدني متأثرا بجراحه بقصف على مدينة إدلب. استشهد شاب متأثرا بجراحه التي أصيب بها جراء قصف صاروخي "
            "لقوات النظام استهدف المنطقة الصناعية في مدينة إدلب. وبذلك يرتفع عدد الشهداء إلى 10.")
    found = extract_incidents(text, published=dt.date(2023, 12, 12))
    assert found[0].killed_max == 10
    regional = ("مقتل طفل بقصف صاروخي على مدينة أريحا اليوم. ليرتفع حصيلة الشهداء إلى 15 مدني ضمن مناطق هيئة تحرير الشام "
                "والفصائل.")
    one = extract_incidents(regional, published=dt.date(2023, 10, 5))[0]
    assert (one.killed, one.killed_max) == (1, 1)
    assert any("15" in note for note in one.notes)


def test_two_places_are_two_incidents_the_items_own_first() -> None:
    text = ("مقتل طفل بقصف مدفعي على مدينة أريحا. وفي سياق آخر، قُتل ثلاثة مدنيين بانفجار لغم في مدينة الباب.")
    found = extract_incidents(text, published=dt.date(2024, 5, 4))
    assert [i.killed for i in found] == [1, 3]
    assert found[0].place.locality != found[1].place.locality


@pytest.mark.parametrize("content", [
    b"\xff\xfe\x00garbage" * 50,
    b"<script>alert(1)</script> killed 99999999 people",
    ("مقتل " * 20000).encode(),
    b"<html><body><p>Two civilians were killed <b>in</b> <i>Sarmin</i>",
])
def test_hostile_input_never_raises_and_counts_stay_sane(content: bytes) -> None:
    from tawthiq.errors import ItemError

    try:
        result = extract_item("news", content, content_type=None, published=dt.date(2024, 5, 4))
    except ItemError:
        return  # stored as failed with a message, as any unreadable item
    for incident in result.incidents:
        assert incident.killed is None or 0 < incident.killed <= 5000


# --- comparing incidents ------------------------------------------------------------------


def test_same_day_and_town_is_the_same_incident_another_town_is_not() -> None:
    a = IncidentFacts("a", "2024-05-03", "Idlib", "Ariha", "shelling", "syrian_regime")
    b = IncidentFacts("b", "2024-05-03", "Idlib", "Ariha", "shelling", "unknown")
    c = IncidentFacts("c", "2024-05-03", "Idlib", "Sarmin", "shelling", "syrian_regime")
    d = IncidentFacts("d", "2024-05-20", "Idlib", "Ariha", "shelling", "syrian_regime")
    assert compare_incidents(a, b).probability > 0.9
    assert compare_incidents(a, c).probability < 0.5
    assert compare_incidents(a, d).probability < 0.5
    assert any("place: same locality" in line for line in compare_incidents(a, b).explanation)


# --- the queue and the archive -------------------------------------------------------------

UNNAMED = "Published: 2024-05-04\n\nThree civilians, including two women, were killed by a landmine near Tafas town in Daraa governorate on Friday.\n"
SECOND = "Published: 2024-05-05\n\nThe death toll of the landmine explosion near Tafas town in Daraa governorate on Friday rose to 4.\n"
NAMED = ("Published: 2024-05-06\n\nThe two civilians killed by the landmine explosion near Tafas town in Daraa governorate on May 3 "
         "were named as Salma Yousef al-Hariri, 40, and Khaled Adnan al-Hariri, 12.\n")


def _inbox(tmp_path: Path, files: dict[str, str]) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    for name, text in files.items():
        (inbox / name).write_text(text, encoding="utf-8")
    return inbox


def _run(engine, tmp_path: Path, files: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    inbox = _inbox(tmp_path, files)
    with session_scope(engine) as session:
        if not repo.list_sources(session):
            repo.add_source(session, "folder", "wire", {"path": str(inbox)})
    for step in (pipeline.pull, pipeline.extract_pending, pipeline.match_pending, pipeline.queue_pending):
        step(engine)


def _user(session, name: str = "amal", role: str = "documenter"):  # type: ignore[no-untyped-def]
    return session.scalar(select(repo.User).where(repo.User.username == name)) or repo.add_user(session, name, "a long password", role)


def _task_of(session, external_id: str) -> IncidentTask:  # type: ignore[no-untyped-def]
    return session.scalar(select(IncidentTask).join(IncidentReport).join(RawItem).where(RawItem.external_id == external_id))


def test_an_item_that_names_nobody_reaches_a_documenter(engine, tmp_path) -> None:
    _run(engine, tmp_path, {"unnamed.txt": UNNAMED})
    with session_scope(engine) as session:
        counts = repo.status_counts(session)
        assert counts["candidates"] == 0 and counts["queue_incidents"] == 1
        task = _task_of(session, "unnamed.txt")
        assert task.state == "open" and task.report.killed == 3 and task.report.women_killed == 2
        assert task.report.state == "queued" and task.report.evidence.startswith("Three civilians")
    _run(engine, tmp_path, {})  # a re-run queues nothing twice
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(IncidentTask)) == 1


def test_decide_new_then_same_incident_widens_the_range_with_history(engine, tmp_path) -> None:
    _run(engine, tmp_path, {"unnamed.txt": UNNAMED, "second.txt": SECOND})
    with session_scope(engine) as session:
        user = _user(session)
        first = _task_of(session, "unnamed.txt")
        incidents.decide(session, first, user, "new_incident", values=incidents.parse_values({}, first.report))
        incident = session.scalar(select(Incident))
        assert (incident.killed_min, incident.killed_max, incident.women_killed, incident.governorate) == (3, 3, 2, "Daraa")
        second = _task_of(session, "second.txt")
        (pair, suggested), *_ = incidents.suggestions(session, second.report)
        assert suggested.id == incident.id and pair.probability >= 0.5
        incidents.decide(session, second, user, "same_incident", incident_id=incident.id,
                         values=incidents.parse_values({}, second.report))
        assert (incident.killed_min, incident.killed_max) == (3, 4)
        actions = [h.action for h in session.scalars(select(IncidentHistory).order_by(IncidentHistory.id))]
        assert actions == ["created", "source_added"]
        assert len(incident.sources) == 2 and first.state == second.state == "done"


def test_named_victims_arriving_later_reduce_the_anonymous_count(engine, tmp_path) -> None:
    _run(engine, tmp_path, {"unnamed.txt": UNNAMED})
    with session_scope(engine) as session:
        user = _user(session)
        task = _task_of(session, "unnamed.txt")
        incidents.decide(session, task, user, "new_incident", values=incidents.parse_values({}, task.report))
        incident = session.scalar(select(Incident))
        assert incidents.anonymous(session, incident).minimum == 3
    _run(engine, tmp_path, {"named.txt": NAMED})
    with session_scope(engine) as session:
        user = _user(session)
        report_task = _task_of(session, "named.txt")
        incident = session.scalar(select(Incident))
        # The later report is of the same incident (the documenter keeps the count at 3); its
        # named victims join it when they are decided.
        assert report_task.report.killed == 2
        incidents.decide(session, report_task, user, "same_incident", incident_id=incident.id,
                         values=incidents.parse_values({"killed_min": "3"}, report_task.report))
        people = session.scalars(select(ReviewTask).join(Candidate).where(Candidate.incident_report_id == report_task.report.id)).all()
        assert len(people) == 2
        for person in people:
            assert archive.claim(session, person.id, user)
            archive.decide(session, person, user, "new_victim")
        left = incidents.anonymous(session, incident)
        assert (left.named, left.minimum) == (2, 1)
        notes = [h.note for h in session.scalars(select(IncidentHistory).where(IncidentHistory.action == "victim_named"))]
        assert notes[-1].endswith("anonymous 2 → 1")


def test_victims_decided_before_the_incident_join_it_when_it_is_archived(engine, tmp_path) -> None:
    _run(engine, tmp_path, {"named.txt": NAMED})
    with session_scope(engine) as session:
        user = _user(session)
        for person in session.scalars(select(ReviewTask)).all():
            assert archive.claim(session, person.id, user)
            archive.decide(session, person, user, "new_victim")
        task = _task_of(session, "named.txt")
        incidents.decide(session, task, user, "new_incident", values=incidents.parse_values({"killed_min": "3"}, task.report))
        incident = session.scalar(select(Incident))
        assert {v.incident_id for v in session.scalars(select(Victim))} == {incident.id}
        assert incidents.anonymous(session, incident).minimum == 1


def test_bad_counts_and_missing_reasons_are_refused_with_the_field_named(engine, tmp_path) -> None:
    _run(engine, tmp_path, {"unnamed.txt": UNNAMED})
    with session_scope(engine) as session:
        user = _user(session)
        task = _task_of(session, "unnamed.txt")
        with pytest.raises(ReviewError, match="killed min: 'three' is not a count"):
            incidents.parse_values({"killed_min": "three"}, task.report)
        with pytest.raises(ReviewError, match="below the least"):
            incidents.parse_values({"killed_min": "5", "killed_max": "2"}, task.report)
        with pytest.raises(ReviewError, match="governorate"):
            incidents.parse_values({"governorate": "Gaza"}, task.report)
        with pytest.raises(ReviewError, match="choose why"):
            incidents.decide(session, task, user, "not_death")
        incidents.decide(session, task, user, "not_death", reason="combatants_only")
        assert task.state == "done" and session.scalar(select(func.count()).select_from(Incident)) == 0


def test_a_changed_item_retires_its_old_incident_report(engine, tmp_path) -> None:
    _run(engine, tmp_path, {"unnamed.txt": UNNAMED})
    _run(engine, tmp_path, {"unnamed.txt": UNNAMED.replace("Three civilians", "Four civilians")})
    with session_scope(engine) as session:
        states = sorted((r.killed, r.state, r.task.state) for r in session.scalars(select(IncidentReport)))
        assert states == [(3, "superseded", "superseded"), (4, "queued", "open")]


def test_reports_count_the_anonymous_and_take_massacres_from_incidents(engine, tmp_path) -> None:
    from tawthiq.reports import build_report, render_markdown

    five = ("Published: 2024-05-04\n\nFive civilians, including two children and a woman, were killed by regime shelling "
            "on Tafas town in Daraa governorate on Friday.\n")
    _run(engine, tmp_path, {"five.txt": five, "named.txt": NAMED})
    with session_scope(engine) as session:
        user = _user(session)
        first = _task_of(session, "five.txt")
        incidents.decide(session, first, user, "new_incident", values=incidents.parse_values({}, first.report))
        incident = session.scalar(select(Incident))
        assert (incident.killed_min, incident.children_killed, incident.women_killed) == (5, 2, 1)
        second = _task_of(session, "named.txt")
        incidents.decide(session, second, user, "same_incident", incident_id=incident.id,
                         values=incidents.parse_values({"killed_min": "5"}, second.report))
        for person in session.scalars(select(ReviewTask)).all():
            assert archive.claim(session, person.id, user)
            archive.decide(session, person, user, "new_victim")
        report = build_report(session, month="2024-05")
    # Two named (a woman and a child), three not yet named (one child), five in all: one massacre.
    assert report.total["victims"] == 5 and report.total["named"] == 2 and report.total["not_yet_named"] == 3
    assert report.total["children"] == 2 and report.total["women"] == 1
    (massacre,) = report.massacres
    assert (massacre["victims"], massacre["date"], massacre["incident"]) == (5, "2024-05-03", incident.id)
    daraa = next(row for row in report.by_governorate if row["label"] == "Daraa")
    assert daraa["victims"] == 5
    assert "3 of the dead are not yet named" in render_markdown(report)
    (row,) = report.incidents  # the incidents table: counted, named, not yet named, sources
    assert (row["incident"], row["victims"], row["named"], row["not_yet_named"], row["sources"]) == (incident.id, 5, 2, 3, 2)


# --- undo of incident decisions -------------------------------------------------------------


def test_undoing_the_origin_of_an_incident_keeps_it_for_the_report_still_backing_it(engine, tmp_path) -> None:
    _run(engine, tmp_path, {"unnamed.txt": UNNAMED, "second.txt": SECOND})
    with session_scope(engine) as session:
        user, editor = _user(session), _user(session, "chadi", "editor")
        first, second = _task_of(session, "unnamed.txt"), _task_of(session, "second.txt")
        made = incidents.decide(session, first, user, "new_incident", values=incidents.parse_values({}, first.report))
        incident = session.scalar(select(Incident))
        later = incidents.decide(session, second, user, "same_incident", incident_id=incident.id,
                                 values=incidents.parse_values({}, second.report))
        assert (incident.killed_min, incident.killed_max) == (3, 4)
        with pytest.raises(ReviewError, match="needs the editor role"):
            incidents.undo(session, made.id, _user(session, "bassel"))  # not theirs
        incidents.undo(session, made.id, editor, "the first post was of another landmine")
        # The second report now backs the incident alone: its count is the incident's.
        assert incident.status == "active" and (incident.killed_min, incident.killed_max) == (4, 4)
        assert first.state == "open" and first.report.state == "queued" and first.report.incident_id is None
        assert {s.report_id for s in incident.sources if s.active} == {second.report.id}
        assert f"decision {later.id} is now its origin" in incident.history[-1].note
        incidents.undo(session, later.id, editor)
        assert incident.status == "retracted" and second.state == "open"
        with pytest.raises(ReviewError, match="already undone"):
            incidents.undo(session, later.id, editor)


def test_undoing_an_incident_takes_its_named_victims_out_of_it(engine, tmp_path) -> None:
    _run(engine, tmp_path, {"named.txt": NAMED})
    with session_scope(engine) as session:
        user = _user(session)
        for person in session.scalars(select(ReviewTask)).all():
            assert archive.claim(session, person.id, user)
            archive.decide(session, person, user, "new_victim")
        task = _task_of(session, "named.txt")
        made = incidents.decide(session, task, user, "new_incident", values=incidents.parse_values({"killed_min": "3"}, task.report))
        incident = session.scalar(select(Incident))
        incidents.undo(session, made.id, user, "pressed by mistake")  # their own, within the window
        assert incident.status == "retracted"
        assert {v.incident_id for v in session.scalars(select(Victim))} == {None}
        assert [h.action for h in incident.history][-3:] == ["victim_unnamed", "victim_unnamed", "undone"]
        # Decided again, the report's victims join the new incident.
        assert incidents.claim_task(session, task.id, user)
        incidents.decide(session, task, user, "new_incident", values=incidents.parse_values({"killed_min": "3"}, task.report))
        again = session.scalars(select(Incident).where(Incident.status == "active")).one()
        assert {v.incident_id for v in session.scalars(select(Victim))} == {again.id}
