"""benchmarks/adjudication.py: the keys of the reader's verdicts on Airwars (text, name) pairs are
stable and fold spelling variants; load() reads the labels file. Needs neither ../shared nor
the extractor."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("adjudication", ROOT / "benchmarks" / "adjudication.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


adjudication = _module()


def test_pair_key_is_stable() -> None:
    # A key written to the labels file must never move: this is its value today.
    assert adjudication.pair_key("airwars-1", "https://example.org/a", "Ahmad al-Ali") == (
        "052f8d18f5fe47c471e8e6c8daf7f0fd45f59c97cbfbce995f27db818a8bc2c9")


def test_pair_key_folds_spelling_variants() -> None:
    key = adjudication.pair_key
    assert key("i", "u", "أحمد إبراهيم آل حمزة") == key("i", "u", "احمد ابراهيم ال حمزه")
    assert key("i", "u", "مُحَمَّد  الحسـين") == key("i", "u", "محمد الحسين")  # harakat, tatweel, spaces
    assert key("i", "u", "مصطفى") == key("i", "u", "مصطفي")
    assert key("i", "u", "«Ahmad al-Ali»,") == key("i", "u", "ahmad alali")
    assert key("i", "u", "Ahmad") != key("j", "u", "Ahmad") != key("i", "v", "Ahmad")
    assert key("i", "u", "محمد") != key("i", "u", "محمود")


def test_load_reads_verdicts(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    rows = [{"key": "a" * 64, "verdict": "killed"}, {"key": "b" * 64, "verdict": "not_killed"}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    assert adjudication.load(path) == {"a" * 64: "killed", "b" * 64: "not_killed"}


def test_load_refuses_an_unknown_verdict(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps({"key": "a" * 64, "verdict": "maybe"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="maybe"):
        adjudication.load(path)


def test_the_labels_file_holds_hashes_and_verdicts_only() -> None:
    verdicts = adjudication.load()
    assert verdicts
    assert all(len(k) == 64 and set(k) <= set("0123456789abcdef") for k in verdicts)
    lines = (ROOT / "benchmarks" / "labels" / "airwars-adjudicated.jsonl").read_text(encoding="utf-8").splitlines()
    assert all(set(json.loads(line)) == {"key", "verdict"} for line in lines)
    assert [json.loads(line)["key"] for line in lines] == sorted(verdicts)
