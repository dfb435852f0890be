"""Extraction benchmark: precision, recall and F1 of victims and the accuracy of each field on
the labelled set in ``extract_eval.py`` (English and Arabic), recall on real Arabic source
texts from Airwars (when ``../shared/data`` is there), and the time for a 70 KB report.

    .venv/bin/python benchmarks/bench_extract.py [--show-misses]

Incident counts are reported on the development and the validation part of ``../shared/data``
(benchmarks/splits.py); rules are written reading the development part only, and misses are
printed for it only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

from rapidfuzz import fuzz

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
AIRWARS = HERE.parent.parent / "shared" / "data" / "airwars-syria-dev.jsonl"


def _contract(record) -> dict:  # type: ignore[no-untyped-def]
    data = record.to_contract()
    return {"full_name": data["full_name"], "name_ar": data["name_ar"], "sex": data["sex"], "age": data["age"],
            "date_of_death": data["date_of_death"], "governorate": data["place_of_death"]["governorate"],
            "locality": data["place_of_death"]["locality"], "perpetrator": data["perpetrator"], "cause": data["cause"],
            "category": data["category"]}


def _same(expected: dict, found: dict) -> bool:
    if expected.get("name_ar") and found.get("name_ar"):
        return fuzz.ratio(expected["name_ar"], found["name_ar"]) >= 85
    return fuzz.token_sort_ratio(expected["full_name"] or "", found["full_name"] or "") >= 85


def evaluate(show_misses: bool = False) -> None:
    from extract_eval import FIELDS, build

    from tawthiq.extractors import extract_item

    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    fields: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    items = build()
    for item in items:
        result = extract_item("news", item.text.encode("utf-8"), content_type="text/plain", published=item.published, name=item.id)
        found = [_contract(r) for r in result.records]
        unmatched = list(found)
        for expected in item.victims:
            match = next((f for f in unmatched if _same(expected, f)), None)
            if match is None:
                counts[item.language]["fn"] += 1
                if show_misses:
                    print(f"  missed {item.id}: {expected['full_name']}  ← {item.text[:140]}")
                continue
            unmatched.remove(match)
            counts[item.language]["tp"] += 1
            for name in FIELDS:
                tally = fields[item.language][name]
                tally[1] += 1
                if match[name] == expected[name]:
                    tally[0] += 1
                elif show_misses:
                    print(f"  {item.id} {name}: expected {expected[name]!r}, got {match[name]!r}")
        counts[item.language]["fp"] += len(unmatched)
        if show_misses:
            for extra in unmatched:
                print(f"  extra {item.id}: {extra['full_name']}")
    print(f"== labelled set: {len(items)} items ({sum(len(i.victims) for i in items)} victims)")
    for language in sorted(counts):
        c = counts[language]
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"  {language}: precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}")
        print("      fields: " + "  ".join(f"{n} {ok / total:.2f}" for n, (ok, total) in fields[language].items() if total))


def _same_name_fewer_parts(a: str, b: str) -> bool:
    """One name is the other with a middle part left out ("سامر حداد" and "سامر خليل
    حداد"): same given name, same family name, and every word of the shorter in the longer.
    Airwars often lists a victim by given and family name where the text adds the father's."""
    short, long = sorted((a.split(), b.split()), key=len)
    return len(short) >= 2 and short[0] == long[0] and short[-1] == long[-1] and set(short) <= set(long)


def airwars_recall(show_misses: bool = False, language: str = "ar") -> None:
    """Of the victims a source text names (every word of the curated name, Arabic for Arabic
    texts and Latin for English ones, is in the text), the share extraction finds."""
    label = {"ar": "Arabic", "en": "English"}[language]
    field = "name_local" if language == "ar" else "name_original"
    if not AIRWARS.exists():
        print(f"== Airwars {label} texts: skipped ({AIRWARS} not found)")
        return
    from tawthiq.dedupe import normalize_name
    from tawthiq.extractors import extract_item
    from tawthiq.extractors.text import detect_language

    named = found = texts = extracted = on_list = 0
    sex = {"right": 0, "wrong": 0, "unknown": 0}
    started = time.perf_counter()
    with open(AIRWARS, encoding="utf-8") as handle:
        for line in handle:
            incident = json.loads(line)
            names = [re.sub(r"^[\s.\-–]+|\(.*?\)", "", v.get(field) or "").strip() for v in incident.get("victims", [])
                     if (v.get("status_original") or "killed").lower().startswith("kill")]
            names = [n for n in names if len(n.split()) >= 2 and "unnamed" not in n.lower()]
            for source in incident.get("sources_with_text", []):
                text = source.get("text_original") or ""
                if not text or detect_language(text) != language:
                    continue
                if language == "ar":
                    present = [n for n in names if all(word in text for word in n.split())]
                else:
                    folded = text.lower()
                    present = [n for n in names if all(word.lower() in folded for word in re.findall(r"[^\W\d_]{2,}", n))]
                if not present:
                    continue
                texts += 1
                published = None
                try:
                    import datetime as dt

                    published = dt.date.fromisoformat(incident["incident_date"])
                except (KeyError, ValueError, TypeError):
                    pass
                result = extract_item("news", text.encode("utf-8"), content_type="text/plain", published=published, name=source.get("original_url") or "airwars")
                shown = {normalize_name(r.name_ar or r.full_name): r.name_ar or r.full_name for r in result.records}
                keys = set(shown)
                listed = [normalize_name(re.sub(r"\(.*?\)", "", v.get(field) or "")) for v in incident.get("victims", [])]
                listed = [k for k in listed if k]
                victims = [(normalize_name(re.sub(r"\(.*?\)", "", v.get(field) or "")), v) for v in incident.get("victims", [])]
                for record in result.records:
                    key = normalize_name(record.name_ar or record.full_name)
                    listed_as = next((v for k, v in victims if k and fuzz.ratio(key, k) >= 85), None)
                    gender = (listed_as or {}).get("gender_original", "").lower()
                    if gender in ("male", "female"):
                        sex["unknown" if record.sex is None else "right" if record.sex == gender else "wrong"] += 1
                for key in keys:
                    extracted += 1
                    # Airwars' list may miss people a text names, so this is a lower bound.
                    if any(fuzz.ratio(key, k) >= 80 or key in k or k in key or _same_name_fewer_parts(key, k) for k in listed):
                        on_list += 1
                    elif show_misses:
                        print(f"  not on Airwars' list: {shown[key]}")
                for name in present:
                    named += 1
                    key = normalize_name(name)
                    if key in keys or any(fuzz.ratio(key, k) >= 85 or _same_name_fewer_parts(key, k) for k in keys):
                        found += 1
    elapsed = time.perf_counter() - started
    print(f"== Airwars {label} source texts: {texts} texts naming {named} victims; recall {found / named if named else 0:.3f}; "
          f"{on_list} of {extracted} names found are on Airwars' list (precision ≥ {on_list / extracted if extracted else 0:.3f}) "
          f"({elapsed:.1f} s)")
    if sum(sex.values()):
        print(f"   sex of the victims found, against Airwars' list: {sex['right']} right, {sex['wrong']} wrong, {sex['unknown']} not said")


def incident_counts(part: str, show_misses: bool = False) -> None:
    """Counts killed read from real source texts, against Airwars' range for the incident.

    For each incident of the ``part`` (splits.py) and each language, every source text in that
    language is extracted; of the incidents it gives, the one whose place and date agree with
    the Airwars incident is taken (as a documenter matching reports would). An incident's count
    is the median of its texts' counts; "within" means Airwars' min <= count <= max. Also: how
    many texts of incidents in which civilians died would have reached nobody before incidents
    existed (no named victim) and how many reach nobody now (no victim and no incident)."""
    import datetime as dt

    from splits import SHARED, read_incidents, wilson

    from tawthiq.extractors import extract_item
    from tawthiq.extractors.incidents import _same_place
    from tawthiq.extractors.places import resolve_place
    from tawthiq.extractors.text import detect_language

    name = "airwars-syria-incidents-dev.jsonl"
    if not (SHARED / name).exists():
        print(f"== incident counts ({part}): skipped ({SHARED / name} not found)")
        return
    stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    lost_examples: list[str] = []
    for incident in read_incidents(name, part):
        low, high = incident["civilian_deaths_min"], incident["civilian_deaths_max"]
        day = dt.date.fromisoformat(incident["incident_date"])
        where = resolve_place(incident.get("location_ar") or "")
        if where.is_empty():
            where = resolve_place(incident.get("location") or "")
        counts: dict[str, list[int]] = defaultdict(list)
        languages = set()
        for source in incident["sources_with_text"]:
            text = source.get("text_original") or ""
            if not text.strip():
                continue
            language = detect_language(text) or "en"
            languages.add(language)
            result = extract_item("news", text.encode("utf-8"), content_type="text/plain", published=day,
                                  name=source.get("original_url") or "airwars")
            row = stats[language]
            row["texts"] += 1
            if high:
                row["deadly_texts"] += 1
                row["unnamed_before"] += not result.records
                if not result.records and not result.incidents:
                    row["reach_nobody"] += 1
                    if len(lost_examples) < 5:
                        lost_examples.append(re.sub(r"\s+", " ", text[:110]))
            def close(i, day: dt.date = day) -> bool:  # type: ignore[no-untyped-def]
                if not i.date or len(i.date) < 10:
                    return True
                return abs((dt.date.fromisoformat(i.date) - day).days) <= 3
            picked = [i for i in result.incidents if i.killed is not None and _same_place(i.place, where) and close(i)]
            picked = picked or [i for i in result.incidents if i.killed is not None]
            if picked:
                killed = picked[0].killed
                assert killed is not None  # picked has only incidents with a count
                counts[language].append(killed)
                row["texts_with_count"] += 1
                ok = low is not None and low <= killed <= (high if high is not None else low)
                row["texts_within"] += ok
                if show_misses and not ok:
                    print(f"  {incident['internal_id']} [{low}, {high}] read {killed}: "
                          f"{picked[0].field_evidence.get('killed', '')[:120]}")
        for language in languages:
            row = stats[language]
            row["incidents"] += 1
            if counts[language]:
                row["with_count"] += 1
                median = sorted(counts[language])[len(counts[language]) // 2]
                row["within"] += low is not None and low <= median <= (high if high is not None else low)
    for language in sorted(stats):
        r = stats[language]
        lo, hi = wilson(r["within"], r["incidents"])
        print(f"== incident counts, {part} part, {language}: {r['incidents']} incidents; count within Airwars' range "
              f"{r['within'] / r['incidents']:.3f} (95% CI {lo:.2f}–{hi:.2f}); with a count {r['with_count'] / r['incidents']:.3f}; "
              f"per text {r['texts_within']}/{r['texts_with_count']} within")
        print(f"   {r['deadly_texts']} texts of incidents with civilian deaths: {r['unnamed_before']} name nobody (before: they "
              f"reached nobody); now {r['reach_nobody']} reach nobody (no death word, count or name in them)")
    if show_misses:
        for example in lost_examples:
            print(f"   reaches nobody: {example}")


def report_speed() -> None:
    from extract_eval import build

    from tawthiq.extractors import extract_item

    items = [item for item in build(20) if item.language == "en"]
    filler = ("The Syrian Network for Human Rights documented the killing of civilians across governorates this month, "
              "with aggregate figures by perpetrator and governorate set out in the tables below. ")
    text, i, expected = "", 0, set()
    while len(text.encode("utf-8")) < 70_000:
        item = items[i % len(items)]
        text += item.text + "\n\n" + filler * 3 + "\n\n"
        expected |= {v["full_name"] for v in item.victims}
        i += 1
    started = time.perf_counter()
    result = extract_item("news", text.encode("utf-8"), content_type="text/plain", name="report")
    elapsed = time.perf_counter() - started
    found = {r.full_name for r in result.records}
    print(f"== a {len(text.encode('utf-8')) / 1024:.0f} KB report: {len(result.records)} victims ({len(expected & found)} of the "
          f"{len(expected)} it names) in {elapsed:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show-misses", action="store_true", help="print every missed victim and wrong field")
    args = parser.parse_args()
    evaluate(args.show_misses)
    airwars_recall(args.show_misses, "ar")
    airwars_recall(args.show_misses, "en")
    for part in ("dev", "validation"):
        incident_counts(part, args.show_misses and part == "dev")  # never print the validation texts
    report_speed()


if __name__ == "__main__":
    main()
