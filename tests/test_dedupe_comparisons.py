"""Matching rules that must hold on names the engine was never tuned on: comparisons as
specifications (levels owning condition and label), and what the engine learns from the list
itself (whether different given names mean relatives or errors, which role a one-word name
plays)."""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from tawthiq.dedupe import MatchRecord, dedupe_records, engine, link_records
from tawthiq.dedupe.comparisons import COMPARISONS, Pairs

GIVEN = ["james", "olivia", "noah", "amelia", "liam", "chloe", "jack", "grace", "henry", "zoe", "oscar", "ruby", "lucas",
         "ella", "mason", "isla", "leo", "mia", "harvey", "sienna"]
SURNAMES = ["anderson", "brennan", "castellano", "dimitriou", "eastwood", "fitzgerald", "gallagher", "hendricks", "ingram",
            "jankowski", "kowalczyk", "lindqvist", "mcallister", "nakamura", "oconnell", "papadopoulos", "quinlan",
            "rasmussen", "szymanski", "thorburn", "underwood", "vanderberg", "whitcombe", "yarwood", "zielinski"]
TOWNS = ["ashfield", "bankstown", "carlton", "dandenong", "elwood", "fitzroy", "glenelg", "hawthorn", "ivanhoe", "kew"]


def register(seed: int = 3) -> tuple[list[MatchRecord], list[MatchRecord], set[tuple[str, str]]]:
    """Two copies of a register of unrelated people (one person each, own birth date), the second
    with errors: a letter off, and for some a given name replaced outright."""
    rng = random.Random(seed)
    left, right, truth = [], [], set()
    for n in range(100):
        given, family = rng.choice(GIVEN), f"{rng.choice(SURNAMES)}{n % 4 or ''}"
        day = f"19{rng.randrange(20, 99)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
        town = rng.choice(TOWNS)
        left.append(MatchRecord(f"a{n}", f"{given} {family}", date_of_death=day, locality=town))
        copy = given if n % 10 else rng.choice([g for g in GIVEN if g != given])  # every tenth given name replaced
        right.append(MatchRecord(f"b{n}", f"{copy} {family}", date_of_death=day, locality=town))
        truth.add((f"a{n}", f"b{n}"))
    return left, right, truth


def test_a_register_without_relatives_links_a_replaced_given_name() -> None:
    """In a list whose records agreeing on family name, day and town nearly always agree on the
    given name too, a different given name is an error in a copy: the engine learns that from
    the list and links the pair on the rest."""
    left, right, truth = register()
    found = {(p.left_id, p.right_id) for p in link_records(left, right)}
    assert {pair for pair in truth if pair[0] in ("a0", "a10", "a20", "a30")} <= found
    assert len(found & truth) >= 98 and len(found - truth) <= 1


def test_a_list_of_relatives_keeps_different_given_names_apart() -> None:
    """The same engine on a casualty list, where brothers and sisters share family name, day and
    town: records that differ only in the given name are two people, however many agree."""
    common: list[dict[str, Any]] = [dict(date_of_death=f"2016-0{1 + k % 9}-1{k % 10}", locality=TOWNS[k % 10]) for k in range(40)]
    records = []
    for k, place in enumerate(common):
        family = SURNAMES[k % len(SURNAMES)] + str(k)
        for given in ("Omar", "Hiba", "Khaled"):  # three siblings, each reported twice
            records += [MatchRecord(f"{k}-{given}-1", f"{given} Ahmad {family}", **place),
                        MatchRecord(f"{k}-{given}-2", f"{given} Ahmad {family}", **place)]
    pairs = {frozenset((p.left_id, p.right_id)) for p in dedupe_records(records)}
    assert pairs == {frozenset((f"{k}-{g}-1", f"{k}-{g}-2")) for k in range(40) for g in ("Omar", "Hiba", "Khaled")}


def test_swapped_names_and_a_slipped_digit_in_a_register() -> None:
    """"Thorburn Oscar" is Oscar Thorburn with the family name first; 19150412 and 19105412 are
    one birth date with two digits swapped; a one-word name the list uses as a family name is one;
    "Whit combe" is Whitcombe with a space slipped in."""
    left, right, _ = register()
    left += [MatchRecord("s1", "oscar thorburn", date_of_death="19150412", locality="kew"),
             MatchRecord("s2", "grace whitcombe", date_of_death="19670302", locality="elwood"),
             MatchRecord("s3", "ruby whitcombe", date_of_death="19550817", locality="carlton")]
    right += [MatchRecord("t1", "thorburn oscar", date_of_death="19105412", locality="kew"),
              MatchRecord("t2", "whitcombe", date_of_death="19670302", locality="elwood"),
              MatchRecord("t3", "ruby whit combe", date_of_death="19550817", locality="carlton")]
    found = {(p.left_id, p.right_id): p for p in link_records(left, right)}
    assert ("s1", "t1") in found and ("s2", "t2") in found and ("s3", "t3") in found
    assert found["s1", "t1"].levels["given_name"] == "given and family names swapped"
    assert found["s1", "t1"].levels["date_of_death"] == "dates of death one digit apart"
    assert found["s2", "t2"].levels["family_name"] == "same family name"
    assert found["s3", "t3"].levels["family_name"] == "family name split in two"


def test_each_level_owns_its_condition_and_label() -> None:
    """A pair takes the first level whose condition holds, best first; labels are unique within
    a comparison and are what a stored link's labels are read back as."""
    for comparison in COMPARISONS:
        assert len(set(comparison.labels)) == len(comparison.labels), comparison.name
        assert comparison.level(len(comparison.levels) - 1) is comparison.levels[0]
    records = [MatchRecord("a", "Souad Yahya al-Maliki", date_of_death="2018-05-02", locality="Saqba"),
               MatchRecord("b", "سعاد يحيى المالكي", date_of_death="2018-05-04", locality="سقبا"),
               MatchRecord("c", "Souad Yahya al-Maliki", date_of_death="2018-02-05", governorate="Homs")]
    vocab = engine.Vocabulary()
    prepared = engine.prepare(records, vocab)
    names = engine.NameScorer(vocab.words, vocab.forms)
    names.count_parts(prepared)
    pairs = Pairs(prepared, prepared, np.array([0, 0]), np.array([1, 2]), names)
    date = next(c for c in COMPARISONS if c.name == "date_of_death")
    place = next(c for c in COMPARISONS if c.name == "place_of_death")
    assert [date.level(int(code)).label for code in date.codes(pairs)] == ["dates of death a few days apart", "day and month swapped"]
    assert [place.level(int(code)).label for code in place.codes(pairs)] == ["same town or village", "different governorates"]
    row = engine.levels_from_labels({"date_of_death": "day and month swapped"})
    assert date.level(int(row[COMPARISONS.index(date)])).label == "day and month swapped"


def test_pairs_dropped_on_their_names_alone_are_those_below_the_floor() -> None:
    """Scoring compares the names first and drops a pair the other fields could not lift to the
    floor: the pairs kept, their levels and probabilities are those of comparing everything."""
    left, right, _ = register()
    left += [MatchRecord("x1", "محمد أحمد العلي", date_of_death="2017-03-02", locality="Saqba", sex="male"),
             MatchRecord("x2", "Mohammad Ahmad al-Ali", date_of_death="2017-03-02", locality="سقبا", sex="male")]
    right += [MatchRecord("y1", "محمد احمد العلي", date_of_death="2017-03-02", locality="سقبا", sex="male"),
              MatchRecord("y2", "Fatima Ahmad al-Ali", date_of_death="2017-03-02", locality="Saqba", sex="female")]
    vocab = engine.Vocabulary()
    a, b = engine.prepare(left, vocab), engine.prepare(right, vocab)
    names = engine.NameScorer(vocab.words, vocab.forms)
    names.count_parts(a, b)
    pairs = np.array([(i, j) for i in range(len(left)) for j in range(len(right))], np.int64)
    model = engine.FellegiSunterModel.from_priors(match_rate=0.001)
    model.token_frequency = engine.term_frequencies(a, b)
    _, every_level, every = engine.score(model, a, b, pairs, names, 0.0)
    rows, levels, probabilities = engine.score(model, a, b, pairs, names, 0.5)
    assert len(rows) < len(pairs) / 5  # most pairs fall on their names
    assert set(rows.tolist()) >= set(np.nonzero(every >= 0.5)[0].tolist())
    assert np.array_equal(levels, every_level[rows]) and np.allclose(probabilities, every[rows])
    kept = {(left[i].id, right[j].id) for i, j in pairs[rows].tolist()}
    assert {("x1", "y1"), ("x2", "y1"), ("a0", "b0")} <= kept
    assert every[pairs.tolist().index([len(left) - 2, len(right) - 1])] < 0.5  # Mohammad and Fatima


def test_em_on_a_sample_learns_what_em_on_every_pair_sampled_learns(monkeypatch: Any) -> None:
    """Above :data:`engine.EM_SAMPLE` candidate pairs, EM runs on a fixed sample: comparing only
    the sampled pairs gives the model that comparing all and sampling their levels gives."""
    monkeypatch.setattr(engine, "EM_SAMPLE", 2000)
    left, right, _ = register()
    vocab = engine.Vocabulary()
    a, b = engine.prepare(left, vocab), engine.prepare(right, vocab)
    names = engine.NameScorer(vocab.words, vocab.forms)
    names.count_parts(a, b)
    pairs = np.array([(i, j) for i in range(len(left)) for j in range(len(right))], np.int64)
    base = engine.FellegiSunterModel.from_priors(match_rate=0.01)
    u = engine.estimate_u(a, names, np.random.default_rng(1))
    whole = engine.train(engine.compare(a, b, pairs, names), u, base, pairs=pairs, total_pairs=len(pairs))
    sample = engine.em_sample(len(pairs))
    assert sample is not None and len(sample) == 2000
    sampled = engine.train(engine.compare(a, b, pairs[sample], names), u, base, pairs=pairs[sample], total_pairs=len(pairs),
                           population=len(pairs))
    assert whole.match_rate == sampled.match_rate
    assert all(np.array_equal(x, y) for x, y in zip(whole.m, sampled.m))


def test_a_name_mistyped_at_its_end_beside_another_error_is_still_proposed() -> None:
    """A family name mistyped at its end while the date is replaced and the town mistyped
    ("Bindoxff", "Hamiltpn") shares no whole field with its copy but the given name: the
    beginning of the family name (and, the other way round, of the given name) proposes the pair."""
    left, right, _ = register()
    left += [MatchRecord("m1", "braedon bindoxff", date_of_death="19581103", locality="hamiltpn"),
             MatchRecord("m2", "سلمى عمر القاسمي", date_of_death="2016-05-02", locality="Saqba")]
    right += [MatchRecord("n1", "braedon bindoff", date_of_death="19851103", locality="hamilton"),
              MatchRecord("n2", "سلمي عمر القاسم", date_of_death="2017-08-20", locality="Talbiseh")]
    vocab = engine.Vocabulary()
    a, b = engine.prepare(left, vocab), engine.prepare(right, vocab)
    pairs = {(left[i].id, right[j].id) for i, j in engine.block_link(a, b).tolist()}
    assert {("m1", "n1"), ("m2", "n2")} <= pairs


def test_names_in_another_order_with_a_typo_are_swapped_but_a_son_and_his_father_are_not() -> None:
    """"Fenwick Lukce" is Luke Fenwick, family name first and the given name mistyped; "Nikakis
    Sara Louise" is Sara Louise Nikakis. "Hasan Mohammad al-Ali" and "Mohammad Hasan al-Ali" keep
    their family name in its place: a son and his father, never one person swapped."""
    records = [MatchRecord("a", "fenwick lukce"), MatchRecord("b", "luke fenwick"),
               MatchRecord("c", "nikakis sara louise"), MatchRecord("d", "sara louise nikakis"),
               MatchRecord("e", "Hasan Mohammad al-Ali"), MatchRecord("f", "Mohammad Hasan al-Ali"),
               MatchRecord("g", "العلي حسن محمد"), MatchRecord("h", "حسن محمد العلي")]
    vocab = engine.Vocabulary()
    prepared = engine.prepare(records, vocab)
    names = engine.NameScorer(vocab.words, vocab.forms)
    names.count_parts(prepared)
    given = next(c for c in COMPARISONS if c.name == "given_name")
    pairs = Pairs(prepared, prepared, np.array([0, 2, 4, 6]), np.array([1, 3, 5, 7]), names)
    assert [given.level(int(code)).label for code in given.codes(pairs)][:3] == ["given and family names swapped"] * 2 + \
        ["given names differ"]
    assert given.level(int(given.codes(pairs)[3])).label == "given and family names swapped"


def test_vowels_read_by_table_and_by_sorting_agree() -> None:
    """Which written forms of one skeleton are two names by their vowels (رامي Rami and ريم Reem,
    Osama and Asmaa) is read by a table over a small vocabulary and by sorting over a big one:
    the two agree."""
    records = [MatchRecord(str(k), name) for k, name in enumerate(
        ["رامي العلي", "ريم العلي", "Rami al-Ali", "Reem al-Ali", "Osama Hamdan", "Asmaa Hamdan", "أسامة حمدان", "Usama Hamdan"])]
    vocab = engine.Vocabulary()
    prepared = engine.prepare(records, vocab)
    names = engine.NameScorer(vocab.words, vocab.forms)
    names.count_parts(prepared)
    i, j = np.triu_indices(len(records), k=1)
    form_a, form_b = prepared.forms[0][i], prepared.forms[0][j]
    by_table = names.vowels_differ(form_a, form_b)
    names.DENSE_CELLS, names.vowel_cache = 0, {}
    assert np.array_equal(by_table, names.vowels_differ(form_a, form_b))
    assert by_table[list(zip(i.tolist(), j.tolist())).index((2, 3))]  # Rami, Reem


def test_a_record_of_one_list_is_at_most_one_person_of_the_other() -> None:
    """Linking two lists, a left record whose match is found is not also linked to another
    person of the right list who shares its family name and date ("Amber Green" and "Lewis
    Green", born the same day): the two candidates compete. One person written twice in the
    right list is two candidates that do not compete, and both are linked."""
    left, right, _ = register()
    left += [MatchRecord("g1", "amber green", date_of_death="19530919", locality="kew")]
    right += [MatchRecord("h1", "amber green", date_of_death="19530919", locality="kew"),
              MatchRecord("h2", "lewis green", date_of_death="19530919", locality="kew")]
    found = {(p.left_id, p.right_id) for p in link_records(left, right)}
    assert ("g1", "h1") in found and ("g1", "h2") not in found
    right += [MatchRecord("h3", "amber green", date_of_death="19530919", locality="kew")]
    found = {(p.left_id, p.right_id) for p in link_records(left, right)}
    assert {("g1", "h1"), ("g1", "h3")} <= found


def test_a_slip_of_the_keyboard_and_a_name_moved_in_a_register() -> None:
    """"Macah" is Macha with two letters swapped though their skeletons differ (a consonant
    moved), and "Connor Bryce" is Bryce Dixon written family name first with the given name
    replaced: each is a level of its own, not "different"."""
    left, right, _ = register()
    left += [MatchRecord("m1", "george macha", date_of_death="19270326", locality="kew"),
             MatchRecord("m2", "bryce dixon", date_of_death="19301007", locality="elwood")]
    right += [MatchRecord("n1", "georbe macah", date_of_death="19270326", locality="kew"),
              MatchRecord("n2", "connor bryce", date_of_death="19301007", locality="elwood")]
    found = {(p.left_id, p.right_id): p for p in link_records(left, right, threshold=0.0)}
    assert found["m1", "n1"].levels["family_name"] == "family names differ by a letter or two"
    assert found["m2", "n2"].levels["given_name"] == "one name in the other's other place"


def test_a_name_moved_is_two_people_in_a_list_of_relatives() -> None:
    """In a casualty list, "Ali Hasan" (Ali son of Hasan) and "Hasan Mahmoud" are a son and his
    father: a name moved to the other place vetoes the pair as different given names do."""
    place: dict[str, Any] = dict(date_of_death="2016-03-12", locality="Saqba")
    records = [MatchRecord("a", "Ali Hasan", **place), MatchRecord("b", "Hasan Mahmoud", **place)]
    assert dedupe_records(records) == []
