"""The name tagger (extractors/tagger.py), its examples from decisions (db/labels.py) and the
`tawthiq tagger` commands. The sentences are invented in the shapes of real reports (a funeral
line, a farewell post) that no rule of extractors/news.py reads as a death."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tawthiq.cli import cli
from tawthiq.db import archive, incidents
from tawthiq.db.engine import read_scope, session_scope
from tawthiq.db.labels import decided_examples
from tawthiq.db.models import IncidentReport, RawItem, User
from tawthiq.errors import ConfigError
from tawthiq.extractors import extract_item
from tawthiq.extractors.tagger import Example, Tagger, add_tagged, labels, locate, read_meta, tokenize, train

from .test_pipeline import queue_folder

EN_NAMES = ["Walid Hassan Darwish", "Samer Ibrahim al-Masri", "Bassel Omar Haddad", "Fadi Mahmoud al-Rifai",
            "Omar Khaled al-Hamoud", "Hassan Youssef Ajaj", "Mustafa Ahmad al-Khatib", "Youssef Samer al-Omar"]
AR_NAMES = ["وليد حسن درويش", "سامر إبراهيم المصري", "باسل عمر حداد", "فادي محمود الرفاعي",
            "عمر خالد الحمود", "حسن يوسف عجاج", "مصطفى أحمد الخطيب", "يوسف سامر العمر"]
TOWNS = ["Binnish", "Sarmin", "Ariha", "Tafas", "Jasim", "Azaz", "Douma", "Talbiseh"]
TOWNS_AR = ["بنش", "سرمين", "أريحا", "طفس", "جاسم", "اعزاز", "دوما", "تلبيسة"]


def en_text(name: str, town: str) -> str:
    return (f"Mourners in {town} buried {name} on Friday after the strike on the market. "
            "The council said the market had been crowded with shoppers.")


def ar_text(name: str, town: str) -> str:
    return f"ودّع أهالي بلدة {town} يوم الجمعة {name} بعد الغارة على السوق، وقال المجلس المحلي إن السوق كان مزدحماً."


def examples() -> list[Example]:
    out = [Example(en_text(n, t), [n], language="en") for n, t in zip(EN_NAMES[:6], TOWNS)]
    out += [Example(ar_text(n, t), [n], language="ar") for n, t in zip(AR_NAMES[:6], TOWNS_AR)]
    return out


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tagger") / "model.crfsuite"
    train(examples(), path, threshold=0.3)
    return path


def test_words_of_both_scripts_keep_their_offsets() -> None:
    text = "named as Muhammad Nabil Ma’touq, a driver; وعمران سليمان الحشيش"
    tokens = tokenize(text)
    assert [t.text for t in tokens][:5] == ["named", "as", "Muhammad", "Nabil", "Ma’touq"]
    assert all(text[t.start:t.end] == t.text for t in tokens)
    assert "وعمران" in [t.text for t in tokens]


def test_a_name_is_located_exactly_folded_or_after_a_glued_waw() -> None:
    text = "قتل الشاب محمد أحمد العلي، وعمران سليمان الحشيش. named as Amer Muhammad al Nayef"
    assert [text[a:b] for a, b in locate(text, "عمران سليمان الحشيش")] == ["عمران سليمان الحشيش"]
    assert [text[a:b] for a, b in locate(text, "محمد أحمد العلى")] == ["محمد أحمد العلي"]  # alef maqsura folded
    assert [text[a:b] for a, b in locate(text, "محمد العلي")] == ["محمد أحمد العلي"]  # given and family name
    assert [text[a:b] for a, b in locate(text, "Amer al-Nayef")] == ["Amer Muhammad al Nayef"]
    assert locate(text, "خليل سليمان") == []


def test_labels_are_bio_over_the_tokens_a_name_covers() -> None:
    text = "Mourners buried Walid Hassan Darwish on Friday."
    tokens = tokenize(text)
    got = labels(tokens, locate(text, "Walid Hassan Darwish"))
    assert [(t.text, label) for t, label in zip(tokens, got) if label != "O"] == [("Walid", "B"), ("Hassan", "I"), ("Darwish", "I")]


def test_a_trained_model_finds_the_shape_it_was_taught_in_both_scripts(model: Path) -> None:
    tagger = Tagger(model)
    english = tagger.tag(en_text("Mustafa Ahmad al-Khatib", "Kafr Nabl"), language="en", rule_names=[])
    assert [t.name for t in english] == ["Mustafa Ahmad al-Khatib"] and english[0].confidence > 0.3
    arabic = tagger.tag(ar_text("مصطفى أحمد الخطيب", "كفرنبل"), language="ar", rule_names=[])
    assert [t.name for t in arabic] == ["مصطفى أحمد الخطيب"]
    assert tagger.tag("The council met on Friday to discuss the market.", language="en", rule_names=[]) == []


def test_train_and_tag_round_trip_through_the_model_file(model: Path, tmp_path: Path) -> None:
    meta = read_meta(model)
    assert meta is not None and meta["texts"] == 12 and meta["names"] == 12 and meta["by_language"] == {"en": 6, "ar": 6}
    assert meta["threshold"] == 0.3
    copy = tmp_path / "copy.crfsuite"
    copy.write_bytes(model.read_bytes())
    (tmp_path / "copy.crfsuite.json").write_text(json.dumps(meta), encoding="utf-8")
    text = en_text("Youssef Samer al-Omar", "Azaz")
    assert [t.name for t in Tagger(copy).tag(text, rule_names=[])] == [t.name for t in Tagger(model).tag(text, rule_names=[])]
    with pytest.raises(FileNotFoundError):
        Tagger(tmp_path / "missing.crfsuite")
    with pytest.raises(ValueError, match="nothing to learn"):
        train([Example("No name here at all.", ["Somebody Else"])], tmp_path / "empty.crfsuite")


def test_the_rules_verdict_is_a_feature_only_when_asked(model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """By default a model learns names from their context, not from whether the rules found
    them (a model that knows the rules' verdict copies it: tagger.train says why), so
    neither training nor tagging runs the rules; a model trained with ``rule_feature`` (and
    one described without the key, as models were before it) runs them and reads them."""
    import tawthiq.extractors.news as news

    assert read_meta(model)["rule_feature"] is False and Tagger(model).rule_feature is False
    calls: list[str] = []
    original = news.extract_text

    def counting(text: str, **kwargs: object) -> object:
        calls.append(text)
        return original(text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(news, "extract_text", counting)
    text = en_text("Youssef Samer al-Omar", "Azaz")
    assert [t.name for t in Tagger(model).tag(text)] == ["Youssef Samer al-Omar"]
    assert calls == []
    with_rules = tmp_path / "with-rules.crfsuite"
    train(examples(), with_rules, threshold=0.3, rule_feature=True)
    assert len(calls) == len(examples())
    meta = read_meta(with_rules)
    assert meta is not None and meta["rule_feature"] is True
    Tagger(with_rules).tag(text)
    assert len(calls) == len(examples()) + 1
    del meta["rule_feature"]
    (tmp_path / "with-rules.crfsuite.json").write_text(json.dumps(meta), encoding="utf-8")
    assert Tagger(with_rules).rule_feature is True


def test_a_name_only_the_tagger_found_is_added_and_flagged(model: Path) -> None:
    text = en_text("Youssef Samer al-Omar", "Azaz") + " Separately, Khaled Omar al-Saleh was shot dead in Ariha on Friday."
    result = extract_item("news", text.encode(), content_type="text/plain")
    assert [r.full_name for r in result.records] == ["Khaled Omar al-Saleh"]
    added = add_tagged(result, Tagger(model))
    assert [r.full_name for r in added] == ["Youssef Samer al-Omar"]
    assert [r.full_name for r in result.records] == ["Khaled Omar al-Saleh", "Youssef Samer al-Omar"]  # the rules' name once
    assert added[0].extra["found_by"] == "tagger" and "tagger" in added[0].field_evidence["full_name"]
    assert added[0].evidence.startswith("Mourners in Azaz buried")


def _decided_archive(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "shot.txt").write_text("Khaled Omar al-Saleh was shot dead in Ariha on March 3, 2024. His brother, "
                                    "Omar Khaled al-Saleh, was wounded.\n", encoding="utf-8")
    (inbox / "ar.txt").write_text("استشهد الطفل سامر إبراهيم المصري إثر قصف مدفعي على بلدة سرمين. وقتلت السيدة فاطمة خالد الحسين "
                                  "برصاص مسلحين مجهولين في البلدة. " + ar_text("وليد حسن درويش", "بنش") + "\n", encoding="utf-8")
    queue_folder(engine, inbox)
    with session_scope(engine) as session:
        amal = session.scalar(select(User).where(User.username == "amal"))
        while (task := archive.claim_next(session, amal)) is not None:
            if task.candidate.name_ar == "فاطمة خالد الحسين":
                archive.decide(session, task, amal, "not_victim", reason="combatant")
            else:
                archive.decide(session, task, amal, "new_victim")
        item = session.scalar(select(RawItem).where(RawItem.external_id.like("%ar.txt")))
        report = session.scalar(select(IncidentReport).where(IncidentReport.raw_item_id == item.id))
        incidents.add_victim_candidate(session, report, amal, "وليد حسن درويش", "selected in the text", {})


def test_decisions_and_added_victims_are_the_examples(engine, tmp_path: Path) -> None:
    _decided_archive(engine, tmp_path)
    with read_scope(engine) as session:
        found = {e.language: e for e in decided_examples(session)}
    assert set(found) == {"en", "ar"}
    assert found["en"].names == ["Khaled Omar al-Saleh"] and found["en"].negatives == []
    assert sorted(found["ar"].names) == ["سامر إبراهيم المصري", "وليد حسن درويش"] and found["ar"].negatives == ["فاطمة خالد الحسين"]


def test_tagger_train_status_and_extract_with_it(engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _decided_archive(engine, tmp_path)
    model = tmp_path / "models" / "tagger.crfsuite"
    monkeypatch.setenv("TAWTHIQ_TAGGER_MODEL", str(model))
    monkeypatch.delenv("TAWTHIQ_TAGGER", raising=False)
    runner = CliRunner()
    assert "no model at" in runner.invoke(cli, ["tagger", "status"]).output
    labelled = tmp_path / "labels.jsonl"
    rows = [{"id": f"en-{i}", "language": "en", "text": en_text(n, t), "victims": [{"name": n}]} for i, (n, t) in enumerate(zip(EN_NAMES, TOWNS))]
    rows.append({"id": "long", "language": "en", "text_sha256": "0" * 64, "victims": [{"name": "Nobody Here"}]})
    labelled.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["tagger", "train", "--labels", str(labelled), "--threshold", "0.3"])
    assert result.exit_code == 0, result.output
    assert "from the archive: 2 decided text(s)" in result.output and "8 labelled text(s) (1 without their text, skipped)" in result.output
    assert "trained on 10 text(s) (ar 1, en 9)" in result.output and str(model) in result.output and model.exists()
    status = runner.invoke(cli, ["tagger", "status", "--json"])
    data = json.loads(status.output)
    assert data["trained"] and data["texts"] == 10 and data["enabled_by_default"] is False and data["threshold"] == 0.3
    item = tmp_path / "funeral.txt"
    item.write_text(en_text("Hassan Ibrahim Haddad", "Kafr Nabl") + "\n", encoding="utf-8")
    plain = runner.invoke(cli, ["extract", "--victims-only", str(item)])
    assert plain.exit_code == 0 and plain.output.strip() == ""
    tagged = runner.invoke(cli, ["extract", "--victims-only", "--tagger", str(item)])
    (line,) = [json.loads(x) for x in tagged.output.strip().splitlines()]
    assert line["full_name"] == "Hassan Ibrahim Haddad" and line["found_by"] == "tagger"
    monkeypatch.setenv("TAWTHIQ_TAGGER", "on")
    assert json.loads(runner.invoke(cli, ["extract", "--victims-only", str(item)]).output)["found_by"] == "tagger"
    # A list of languages: the tagger reads the items of those only.
    ar_item = tmp_path / "funeral-ar.txt"
    ar_item.write_text(ar_text("حسن إبراهيم حداد", "كفرنبل") + "\n", encoding="utf-8")
    monkeypatch.setenv("TAWTHIQ_TAGGER", "en")
    assert json.loads(runner.invoke(cli, ["extract", "--victims-only", str(item)]).output)["found_by"] == "tagger"
    assert runner.invoke(cli, ["extract", "--victims-only", str(ar_item)]).output.strip() == ""
    assert json.loads(runner.invoke(cli, ["tagger", "status", "--json"]).output)["enabled_languages"] == ["en"]
    assert "by default for en items" in runner.invoke(cli, ["tagger", "status"]).output
    monkeypatch.setenv("TAWTHIQ_TAGGER", "en,fr")
    wrong = runner.invoke(cli, ["extract", str(item)])
    assert wrong.exit_code == 1 and "fr is not a language the tagger reads" in str(wrong.exception)
    monkeypatch.setenv("TAWTHIQ_TAGGER", "on")
    monkeypatch.setenv("TAWTHIQ_TAGGER_MODEL", str(tmp_path / "none.crfsuite"))
    missing = runner.invoke(cli, ["extract", "--tagger", str(item)])
    assert missing.exit_code == 1 and "tawthiq tagger train" in str(missing.exception)  # main() prints it as one line


def test_the_nightly_extract_step_uses_the_tagger_for_the_languages_asked(engine, model: Path, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch,
                                                                           caplog: pytest.LogCaptureFixture) -> None:
    """With TAWTHIQ_TAGGER naming English, the extract step (pipeline.read_item) stages the
    name only the tagger found in an English item, flagged, and gives the Arabic item the
    rules alone; with the model missing it warns and the rules read every item."""
    from tawthiq.db.models import Candidate

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "funeral-en.txt").write_text(en_text("Hassan Ibrahim Haddad", "Kafr Nabl") + "\n", encoding="utf-8")
    (inbox / "funeral-ar.txt").write_text(ar_text("حسن إبراهيم حداد", "كفرنبل") + "\n", encoding="utf-8")
    (inbox / "missing-model.txt").write_text(en_text("Bassel Omar Haddad", "Sarmin") + "\n", encoding="utf-8")
    monkeypatch.setenv("TAWTHIQ_TAGGER_MODEL", str(model))
    monkeypatch.setenv("TAWTHIQ_TAGGER", "en")
    from tawthiq import pipeline

    real_read = pipeline.read_item

    def read(item, label):  # type: ignore[no-untyped-def]
        if "missing-model" in label:
            monkeypatch.setenv("TAWTHIQ_TAGGER_MODEL", str(tmp_path / "none.crfsuite"))
        return real_read(item, label)

    monkeypatch.setattr(pipeline, "read_item", read)
    with caplog.at_level("WARNING", logger="tawthiq.pipeline"):
        queue_folder(engine, inbox)
    with read_scope(engine) as session:
        staged = {(c.raw_item.external_id.rsplit("/", 1)[-1], c.full_name, (c.extra or {}).get("found_by"))
                  for c in session.scalars(select(Candidate))}
        states = {i.external_id.rsplit("/", 1)[-1]: i.state for i in session.scalars(select(RawItem))}
    assert staged == {("funeral-en.txt", "Hassan Ibrahim Haddad", "tagger")}
    assert set(states.values()) == {"extracted"}
    assert "the rules read alone" in caplog.text and "none.crfsuite" in caplog.text
    monkeypatch.setenv("TAWTHIQ_TAGGER", "english")
    (inbox / "later.txt").write_text(en_text("Fadi Mahmoud al-Rifai", "Ariha") + "\n", encoding="utf-8")
    pipeline.pull(engine)
    with pytest.raises(ConfigError, match="english is not a language the tagger reads"):
        pipeline.extract_pending(engine)
    with read_scope(engine) as session:
        later = session.scalar(select(RawItem).where(RawItem.external_id.like("%later.txt")))
        assert later is not None and later.state == "new" and later.attempts == 0  # stored, not read, not failed


def test_the_tagger_commands_are_documented() -> None:
    for args in (["tagger", "--help"], ["tagger", "train", "--help"], ["tagger", "status", "--help"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0 and "Usage:" in result.output
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "tawthiq tagger train" in readme and "tawthiq tagger status" in readme and "--tagger" in readme
