"""Extraction benchmark.

    .venv/bin/python benchmarks/bench_extract.py [--show-misses]

Reports, in this order:

* victim recall and precision on the real labelled set (``labels/real-casualty-texts.jsonl``,
  see ``extract_eval.py``), dev and held-out parts, per language;
* victim recall and precision on the Airwars source texts of ``../shared/data`` (when it is
  there), on the development and the validation part (benchmarks/splits.py), per language,
  each with a 95 % Wilson interval, and the gap between the two parts;
* the template set of ``extract_eval.py`` (a regression check: it scores near 1.00 by
  construction and is not a quality figure), field accuracy on it;
* incident counts on both parts, and the time for a 70 KB report.

A victim is found when the given name and the family name agree (``extract_eval.same_victim``).
Rules are written reading the development parts only: misses are printed for them only.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _contract(record) -> dict:  # type: ignore[no-untyped-def]
    data = record.to_contract()
    return {"full_name": data["full_name"], "name_ar": data["name_ar"], "sex": data["sex"], "age": data["age"],
            "date_of_death": data["date_of_death"], "governorate": data["place_of_death"]["governorate"],
            "locality": data["place_of_death"]["locality"], "perpetrator": data["perpetrator"], "cause": data["cause"],
            "category": data["category"]}


def _same(expected: dict, found: dict) -> bool:
    from extract_eval import same_victim

    if expected.get("name_ar") and found.get("name_ar"):
        return same_victim(expected["name_ar"], found["name_ar"])
    return same_victim(expected["full_name"], found["full_name"])


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
    print(f"== template set (regression only, not a quality figure): {len(items)} items ({sum(len(i.victims) for i in items)} victims)")
    for language in sorted(counts):
        c = counts[language]
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"  {language}: precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}")
        print("      fields: " + "  ".join(f"{n} {ok / total:.2f}" for n, (ok, total) in fields[language].items() if total))


def _listed(name: str) -> str:
    """A curated name without its alias in brackets and stray leading dots ("(الفرج)", ". عامر")."""
    return re.sub(r"^[\s.\-–]+|\(.*?\)", "", name or "").strip()


#: Verdicts of the adjudication (benchmarks/adjudication.py) that take a listed name out of the
#: recall of one text: that text does not state this person's death.
_UNSTATED = frozenset({"not_killed", "earlier", "not_a_person"})


def _killed(victim: dict) -> bool:
    return (victim.get("status_original") or "killed").lower().startswith("kill")


@dataclass
class ScoredText:
    """One Airwars source text the victim score reads: its incident, address (``url``, also the
    name the extractor is given), the listed killed victims whose every name word it holds
    (``present``), what extraction gave (``records``, and ``names`` in the language's script),
    and the killed and hurt names on the lists of every incident the source covers."""

    incident: dict
    url: str
    present: list[str]
    records: list
    names: list[str]
    listed: list[str]
    hurt: list[str]


def scored_texts(part: str | None, language: str) -> Iterator[ScoredText]:
    """The Airwars source texts of one part (or of all, ``None``) and one language that name a
    listed killed victim, each read by the extractor as the pipeline reads a news item.
    ``airwars_victims`` scores them; ``adjudication.py`` lists their pairs for a reader."""
    import datetime as dt

    from splits import read_incidents

    from tawthiq.extractors import extract_item
    from tawthiq.lang.text import detect_language

    field = "name_local" if language == "ar" else "name_original"
    by_id = {row["internal_id"]: row for row in read_incidents("airwars-syria-dev.jsonl")}
    for incident in read_incidents("airwars-syria-dev.jsonl", part):
        killed = [_listed(v.get(field) or "") for v in incident.get("victims", []) if _killed(v)]
        killed = [n for n in killed if len(n.split()) >= 2 and "unnamed" not in n.lower()]
        for source in incident.get("sources_with_text", []):
            text = source.get("text_original") or ""
            if not text or detect_language(text) != language:
                continue
            # Every word of the curated name is a whole word of the text (not a part of one:
            # "براء" is in "براءة", another spelling the extractor rightly reads as written).
            tokens = {w.lower() for w in re.findall(r"[^\W\d_]+", text)}
            if language == "ar":
                present = [n for n in killed if all(word in tokens for word in n.split())]
            else:
                present = [n for n in killed if all(w.lower() in tokens for w in re.findall(r"[^\W\d_]{2,}", n))]
            if not present:
                continue
            try:
                published = dt.date.fromisoformat(incident["incident_date"])
            except (KeyError, ValueError, TypeError):
                published = None
            url = source.get("original_url") or "airwars"
            result = extract_item("news", text.encode("utf-8"), content_type="text/plain", published=published, name=url)
            names = [(r.name_ar or r.full_name or "") if language == "ar" else (r.full_name or "") for r in result.records]
            covered = [incident] + [by_id[i] for i in source.get("other_incident_ids") or [] if i in by_id]
            yield ScoredText(incident, url, present, result.records, names,
                             [_listed(v.get(field) or "") for inc in covered for v in inc.get("victims", []) if _killed(v)],
                             [_listed(v.get(field) or "") for inc in covered for v in inc.get("victims", []) if not _killed(v)])


def airwars_victims(part: str, language: str, show_misses: bool = False) -> dict[str, int]:
    """Victims named in the Airwars source texts of one part, found or not.

    Recall: of the killed victims on an incident's curated list whose every name word is in one
    of its source texts (Arabic names for Arabic texts, Latin for English), the share that
    extraction of that text finds. Precision: of the names extracted from those texts, the
    share that are a killed victim on the list of the incident (or of the other incidents the
    source covers); Airwars' list may miss people a text names, so it is a lower bound. The
    adjudicated figures (benchmarks/adjudication.py) use a reader's verdicts on each (text,
    name) pair instead: a listed name the text does not state killed leaves that text's recall,
    an unlisted name the text states killed (and not as a fighter) counts as correct; a
    candidate marked as a fighter (``described_as``) counts in every precision except the last,
    "not marked as fighters", which is what a documenter's queue of civilians holds. A
    name is found when given AND family name agree (``same_victim``). Misses are printed only
    for the dev part: the validation part is scored, never read."""
    from extract_eval import same_victim

    from adjudication import load, pair_key

    verdicts = load()
    counts = {"texts": 0, "named": 0, "found": 0, "extracted": 0, "on_list": 0, "injured": 0,
              "adj_named": 0, "adj_found": 0, "adj_correct": 0, "unjudged": 0,
              "marked": 0, "marked_correct": 0}
    show = show_misses and part == "dev"
    for scored in scored_texts(part, language):
        incident, url, names = scored.incident, scored.url, scored.names
        counts["texts"] += 1
        for name in scored.present:
            counts["named"] += 1
            found = any(same_victim(name, got) for got in names)
            counts["found"] += found
            if verdicts.get(pair_key(incident["internal_id"], url, name)) not in _UNSTATED:
                counts["adj_named"] += 1
                counts["adj_found"] += found
            if not found and show:
                print(f"   [{part} {language}] missed {name}  ({incident['internal_id']})")
        marks = [bool(r.extra.get("described_as")) for r in scored.records]
        for name, marked in zip(names, marks):
            counts["extracted"] += 1
            counts["marked"] += marked
            if any(same_victim(n, name) for n in scored.listed if n):
                counts["on_list"] += 1
                # Listed, but the reader found that this text does not state the death (an
                # earlier text's injured): not right for the adjudicated precision either.
                unstated = any(verdicts.get(pair_key(incident["internal_id"], url, n)) in _UNSTATED
                               for n in scored.present if same_victim(n, name))
                counts["adj_correct"] += not unstated
                counts["marked_correct"] += marked and not unstated
            else:
                verdict = verdicts.get(pair_key(incident["internal_id"], url, name))
                counts["adj_correct"] += verdict == "killed"
                counts["marked_correct"] += marked and verdict == "killed"
                counts["unjudged"] += verdict is None
                counts["injured"] += any(same_victim(n, name) for n in scored.hurt if n)
                if show:
                    print(f"   [{part} {language}] not on the list: {name}  ({incident['internal_id']})")
    return counts


def airwars_report(show_misses: bool = False) -> dict[str, dict[str, float]]:
    """Victim recall and precision on the dev and validation parts, per language, each with its
    95 % Wilson interval, and the dev − validation gap. The interval treats every (text, victim)
    pair as independent; names of one incident are not, so it is somewhat too narrow."""
    from splits import SHARED, wilson

    if not (SHARED / "airwars-syria-dev.jsonl").exists():
        print(f"== Airwars victims: skipped ({SHARED / 'airwars-syria-dev.jsonl'} not found)")
        return {}
    figures: dict[str, dict[str, float]] = {}
    for language in ("ar", "en"):
        started = time.perf_counter()
        rows = {part: airwars_victims(part, language, show_misses) for part in ("dev", "validation")}
        for part, c in rows.items():
            recall = c["found"] / c["named"] if c["named"] else 0.0
            precision = c["on_list"] / c["extracted"] if c["extracted"] else 0.0
            r_lo, r_hi = wilson(c["found"], c["named"])
            p_lo, p_hi = wilson(c["on_list"], c["extracted"])
            adj_recall = c["adj_found"] / c["adj_named"] if c["adj_named"] else 0.0
            adj_precision = c["adj_correct"] / c["extracted"] if c["extracted"] else 0.0
            a_lo, a_hi = wilson(c["adj_found"], c["adj_named"])
            b_lo, b_hi = wilson(c["adj_correct"], c["extracted"])
            civilian, civilian_correct = c["extracted"] - c["marked"], c["adj_correct"] - c["marked_correct"]
            civ_precision = civilian_correct / civilian if civilian else 0.0
            figures[f"{language}-{part}"] = {"recall": recall, "precision": precision,
                                             "adj_recall": adj_recall, "adj_precision": adj_precision, "civ_precision": civ_precision}
            print(f"== Airwars {language} {part:10s}: {c['texts']:3d} texts naming {c['named']:3d} victims; "
                  f"recall {recall:.3f} ({r_lo:.2f}–{r_hi:.2f}); precision ≥ {precision:.3f} ({p_lo:.2f}–{p_hi:.2f}) "
                  f"of {c['extracted']} names ({c['injured']} of the others are listed as injured)")
            print(f"   adjudicated: recall {adj_recall:.3f} ({a_lo:.2f}–{a_hi:.2f}) of {c['adj_named']} the texts state killed; "
                  f"precision {adj_precision:.3f} ({b_lo:.2f}–{b_hi:.2f}); {c['unjudged']} extracted names not yet judged "
                  f"(scored against the list); of the {civilian} not marked as fighters, precision {civ_precision:.3f}")
        dev, val = figures[f"{language}-dev"], figures[f"{language}-validation"]
        print(f"   {language} gap dev − validation: recall {dev['recall'] - val['recall']:+.3f}, "
              f"precision {dev['precision'] - val['precision']:+.3f}; adjudicated recall "
              f"{dev['adj_recall'] - val['adj_recall']:+.3f}, precision {dev['adj_precision'] - val['adj_precision']:+.3f}"
              f"  ({time.perf_counter() - started:.1f} s)")
    return figures


def real_counts(items: list[Any], show_misses: bool = False) -> dict[tuple[str, str], dict[str, int]]:
    """Victims found (``tp``), missed (``fn``) and names extracted that are nobody labelled
    (``fp``) on real labelled ``items`` with their text, per (language, part); each item
    extracted as ``tawthiq extract`` does. Misses are printed for dev items only."""
    from extract_eval import same_victim

    from tawthiq.extractors import extract_item

    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"tp": 0, "fn": 0, "fp": 0})
    for item in items:
        assert item.text is not None
        result = extract_item("news", item.text.encode("utf-8"), content_type="text/plain", published=item.published, name=item.id)
        names = [r.name_ar or r.full_name or "" for r in result.records] if item.language == "ar" else [r.full_name or "" for r in result.records]
        c = counts[(item.language, item.part)]
        show = show_misses and item.part == "dev"
        unmatched = list(names)
        for victim in item.victims:
            match = next((n for n in unmatched if same_victim(victim["name"], n)), None)
            if match is None:
                c["fn"] += 1
                if show:
                    print(f"   [real {item.id}] missed {victim['name']}")
            else:
                unmatched.remove(match)
                c["tp"] += 1
        c["fp"] += len(unmatched)
        if show:
            for name in unmatched:
                print(f"   [real {item.id}] extra {name}")
    return dict(counts)


def real_figures(c: dict[str, int]) -> tuple[float, float]:
    """Recall and precision of one cell of :func:`real_counts` (0.0 where nothing to divide)."""
    recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
    return recall, precision


def print_real_counts(counts: dict[tuple[str, str], dict[str, int]]) -> None:
    """One line per (language, part): recall and precision with their 95% intervals."""
    from splits import wilson

    for (language, part), c in sorted(counts.items()):
        recall, precision = real_figures(c)
        r_lo, r_hi = wilson(c["tp"], c["tp"] + c["fn"])
        p_lo, p_hi = wilson(c["tp"], c["tp"] + c["fp"])
        print(f"   {language} {part:8s}: recall {recall:.3f} ({r_lo:.2f}–{r_hi:.2f}) of {c['tp'] + c['fn']}; "
              f"precision {precision:.3f} ({p_lo:.2f}–{p_hi:.2f}) of {c['tp'] + c['fp']}")


def real_set(show_misses: bool = False) -> None:
    """Victim recall and precision on the real labelled set (labels/real-casualty-texts.jsonl),
    dev and held-out parts, per language. Misses are printed for the dev part only."""
    from extract_eval import real_items

    items = real_items()
    usable = [i for i in items if i.text]
    print(f"== real labelled set: {len(items)} items, {len(usable)} with their text here "
          f"({sum(len(i.victims) for i in usable)} victims)")
    print_real_counts(real_counts(usable, show_misses))


#: A death stated in a text, by the benchmark's own wide word list (independent of the
#: extractor's cues, so that "reports a death but reaches nobody" is not judged by the rules it
#: checks). Arabic is read with hamza, ta marbuta and alif maqsura folded and with the letters
#: stretched or broken to dodge moderation joined again; a word is read from its start (its
#: clitics and article allowed, or an article glued to the word before), so that the letters
#: of a death word inside another word (شهدا in the family name المشهداني) are not a death.
_BENCH_DEATH = re.compile(
    r"\b(?:kill(?:ed|ing|s)?|dead|died|dies|deaths?|martyr(?:ed|s)?|slain|perished|executed|murdered|drowned|"
    r"lost (?:his|her|their) li(?:fe|ves)|death toll|fatalit(?:y|ies)|bod(?:y|ies) of)\b|"
    r"(?:(?<![\u0621-\u064A])[وف]?[بلك]?(?:ال|ل)?[يتنا]?|(?<=[\u0621-\u064A])ال)"
    r"(?:قتل|مقتل|قتلي|قتيل|استشهد|استشهاد|شهيد|شهدا|مصرع|وفاه|توفي|جثه|جثث|جثمان|ضحايا|ضحيه|حتفه|حتفها|حتفهم|"
    r"اعدام|اعدم|فارق الحياه|ارتقا|ارتقي|اودي بحياه|اودت بحياه|حياتهم|حياته|حياتها)", re.I)


def _fold_for_death_words(text: str) -> str:
    text = re.sub(r"[\u064B-\u0652\u0640]", "", text)
    text = re.sub(r"(?<=[\u0621-\u064A])\.(?=[\u0621-\u064A])", "", text)
    folds: dict[str, str | int | None] = {"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي", "ء": ""}
    return text.translate(str.maketrans(folds))


def states_death(text: str) -> bool:
    """Whether a text says anyone died, by the benchmark's own word list (``_BENCH_DEATH``)."""
    return bool(_BENCH_DEATH.search(_fold_for_death_words(text)))


def named_in(place: Any, incident: dict[str, Any]) -> bool:
    """Whether Airwars' location of ``incident`` names the town of ``place``: the Arabic town
    inside its Arabic location (letters folded), or a Latin word of its English location that
    reads as the town's Arabic name (or is it, for a Latin town)."""
    from rapidfuzz import fuzz

    from tawthiq.lang.arabic import fold_arabic, is_arabic, transliterate_word

    town = (place.locality or "").strip()
    if len(town) < 3 or town == place.governorate:
        return False
    where_ar, where_en = incident.get("location_ar") or "", incident.get("location") or ""
    if is_arabic(town):
        if fold_arabic(town) in fold_arabic(where_ar):
            return True
        latin = re.sub(r"^al", "", re.sub(r"[^a-z]", "", transliterate_word(town.split()[0]).lower()))
        words = [re.sub(r"[^a-z]", "", w.lower()) for w in re.split(r"[\s,()\[\]/-]+", where_en)]
        return len(latin) >= 4 and any(len(w) >= 4 and fuzz.ratio(latin, re.sub(r"^al", "", w)) >= 80 for w in words)
    return town.lower() in where_en.lower()


def incident_counts(part: str, show_misses: bool = False) -> dict[str, dict[str, float]]:
    """Counts killed read from real source texts, against Airwars' range for the incident.

    For each incident of the ``part`` (splits.py) and each language, every source text in that
    language is extracted; of the incidents it gives, the one whose place and date agree with
    the Airwars incident is taken (as a documenter matching reports would), else the first with
    a count. Airwars' min–max is for the whole incident over all its sources; each text's count
    is one source's evidence. Two readings of "the incident's count" are printed side by side:

    * old ("median"): the median of the texts' point counts (``killed``, the count a text
      states most) must lie in Airwars' [min, max]; every incident with a text in the language
      is in the denominator, including those whose texts are only page furniture ("Log in",
      "This page isn't available") and state no death at all.
    * new ("merged"): the incident's count as the archive keeps it after merging its sources
      (db/incidents.py widens to the least of the sources' lows and the most of their highs):
      the range [least killed_min, most killed_max] of the texts that give a closed count. It
      is within when its top (the fullest count a source gives) lies in Airwars' [min, max] and
      every open count ("at least N", or a text that only names N victims) has its N at most
      Airwars' max (an open N above the closed counts is the top). With open counts only, the
      count is the largest N, within when it lies in Airwars' [min, max]. A low end below Airwars' min is allowed here: early reports give
      partial tolls ("حصيلة أولية": 4, then 5, then 9) that the archive keeps as the range's
      low end. The strict reading, both ends in Airwars' range, is printed too. The denominator
      is the incidents with at least one text in the language that states a death
      (``states_death``, the benchmark's own word list); the others are counted apart.

    Also, per text: how many texts that state a death (``states_death``) reach nobody (no
    named victim and no incident), how many that state none reach a documenter all the same
    (the queue's cost of the wide reading of "reports a death"), and the old figure, which counted every text of an incident
    with civilian deaths (page furniture and shelling alerts that state no death included)."""
    import datetime as dt

    from splits import SHARED, read_incidents, wilson

    from tawthiq.extractors import extract_item
    from tawthiq.extractors.incidents import _same_place
    from tawthiq.lang.places import resolve_place
    from tawthiq.lang.text import detect_language

    name = "airwars-syria-incidents-dev.jsonl"
    if not (SHARED / name).exists():
        print(f"== incident counts ({part}): skipped ({SHARED / name} not found)")
        return {}
    stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    lost_examples: list[str] = []
    misses: list[str] = []
    for incident in read_incidents(name, part):
        low, high = incident["civilian_deaths_min"], incident["civilian_deaths_max"]
        high = high if high is not None else low
        day = dt.date.fromisoformat(incident["incident_date"])
        where = resolve_place(incident.get("location_ar") or "")
        if where.is_empty():
            where = resolve_place(incident.get("location") or "")
        counts: dict[str, list[int]] = defaultdict(list)
        ranges: dict[str, list[tuple[int, int | None]]] = defaultdict(list)
        evidence: dict[str, list[str]] = defaultdict(list)
        languages, deadly, reachable = set(), set(), set()
        for source in incident["sources_with_text"]:
            text = source.get("text_original") or ""
            if not text.strip():
                continue
            language = detect_language(text) or "en"
            languages.add(language)
            states = states_death(text)
            if states:
                deadly.add(language)
            result = extract_item("news", text.encode("utf-8"), content_type="text/plain", published=day,
                                  name=source.get("original_url") or "airwars")
            row = stats[language]
            row["texts"] += 1
            reached = bool(result.records or result.incidents)
            if high:
                row["deadly_texts"] += 1
                row["unnamed_before"] += not result.records
                row["reach_nobody_old"] += not reached
            if not states:
                # The other side of "no silent drop": texts that state no death and still
                # reach a documenter (page furniture, shelling or injury alerts) are queue work.
                row["silent_texts"] += 1
                row["silent_reached"] += reached
            if states:
                row["stating_texts"] += 1
                if not reached:
                    row["reach_nobody"] += 1
                    if len(lost_examples) < 10:
                        lost_examples.append(re.sub(r"\s+", " ", text[:160]))
            if low is not None and any(i.killed is not None and low <= i.killed <= high for i in result.incidents):
                reachable.add(language)
            def close(i, day: dt.date = day) -> bool:  # type: ignore[no-untyped-def]
                if not i.date or len(i.date) < 10:
                    return True
                return abs((dt.date.fromisoformat(i.date) - day).days) <= 3
            # As a documenter matching reports would: first an incident whose town Airwars'
            # location names (a village the gazetteer lacks: "عرب حسن", "Kabashin"), then one
            # of the same place and day, then the first with a count.
            picked = [i for i in result.incidents if i.killed is not None and close(i) and named_in(i.place, incident)]
            picked = picked or [i for i in result.incidents if i.killed is not None and _same_place(i.place, where) and close(i)]
            picked = picked or [i for i in result.incidents if i.killed is not None]
            if picked:
                one = picked[0]
                killed = one.killed
                assert killed is not None  # picked has only incidents with a count
                counts[language].append(killed)
                least = one.killed_min if one.killed_min is not None else killed
                ranges[language].append((least, one.killed_max))
                row["texts_with_count"] += 1
                ok = low is not None and low <= killed <= high
                row["texts_within"] += ok
                top = one.killed_max if one.killed_max is not None else "…"
                said = re.sub(r"\s+", " ", one.field_evidence.get("killed", ""))[:150]
                evidence[language].append(f"[{least}–{top}] {said}")
        for language in languages:
            row = stats[language]
            row["incidents"] += 1
            row["stating"] += language in deadly
            row["reachable"] += language in reachable and language in deadly
            if counts[language]:
                row["with_count"] += 1
                median = sorted(counts[language])[len(counts[language]) // 2]
                row["within"] += low is not None and low <= median <= high
                closed = [(a, b) for a, b in ranges[language] if b is not None]
                opened = [a for a, b in ranges[language] if b is None]
                if closed:
                    least, most = min(a for a, _ in closed), max(b for _, b in closed if b is not None)
                    most = max([most, *opened])  # "at least 9" above a closed 4 is the fuller count
                else:
                    least = most = max(opened)
                merged_ok = low is not None and low <= most <= high and all(n <= high for n in opened)
                row["merged_within"] += merged_ok and language in deadly
                row["strict_within"] += merged_ok and low <= least and language in deadly
                row["merged_with_count"] += language in deadly
                if show_misses and not merged_ok:
                    misses.append(f"  {language} {incident['internal_id']} Airwars [{low}, {high}] merged [{least}, {most}]"
                                  f"{' open ' + str(opened) if opened else ''}\n"
                                  + "\n".join(f"      {e}" for e in evidence[language]))
            elif show_misses and language in deadly:
                misses.append(f"  {language} {incident['internal_id']} Airwars [{low}, {high}]: no count")
    figures: dict[str, dict[str, float]] = {}
    for language in sorted(stats):
        r = stats[language]
        lo, hi = wilson(r["within"], r["incidents"])
        n = r["stating"]
        m_lo, m_hi = wilson(r["merged_within"], n)
        figures[language] = {"median": r["within"] / r["incidents"], "merged": r["merged_within"] / n if n else 0.0,
                             "with_count": r["merged_with_count"] / n if n else 0.0, "reach_nobody": r["reach_nobody"]}
        print(f"== incident counts, {part} part, {language}: {r['incidents']} incidents, {n} with a text that states a death")
        print(f"   new (merged range's top within Airwars', of {n} stating a death): {figures[language]['merged']:.3f} "
              f"(95% CI {m_lo:.2f}–{m_hi:.2f}); with a count {figures[language]['with_count']:.3f}; "
              f"strict (both ends within) {r['strict_within'] / n if n else 0.0:.3f}")
        print(f"   within reach: {r['reachable'] / n if n else 0.0:.3f} of them have, in some text, an incident whose count "
              "lies in Airwars' range (the most any choice among the counts read could give)")
        print(f"   old (median within Airwars', of all {r['incidents']}): {r['within'] / r['incidents']:.3f} "
              f"(95% CI {lo:.2f}–{hi:.2f}); with a count {r['with_count'] / r['incidents']:.3f}; "
              f"per text {r['texts_within']}/{r['texts_with_count']} within")
        print(f"   {r['silent_texts']} texts state no death: {r['silent_reached']} of them reach a documenter all the same "
              f"({r['silent_reached'] / r['silent_texts'] if r['silent_texts'] else 0.0:.3f})")
        print(f"   {r['stating_texts']} texts state a death: {r['reach_nobody']} reach nobody. (Old figure: of {r['deadly_texts']} "
              f"texts of incidents with civilian deaths, {r['unnamed_before']} name nobody and {r['reach_nobody_old']} give "
              f"nothing, most of them page furniture or shelling alerts that state no death.)")
    if show_misses:
        print("\n".join(misses))
        for example in lost_examples:
            print(f"   states a death, reaches nobody: {example}")
    return figures


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
    # A list of hundreds of names in one sentence, no full stop between them (a hostile or
    # badly scraped page): every name's fields come from the one sentence.
    rng = random.Random(7)
    given = ["Ahmad", "Omar", "Khalid", "Yusuf", "Hasan", "Mahmoud", "Ali", "Ibrahim", "Saeed", "Walid", "Fadi", "Samer"]
    family = ["Khalil", "Haddad", "Saleh", "Hamoud", "Jasim", "Najjar", "Darwish", "Qassem", "Rifai", "Masri", "Halabi"]
    listed = ", ".join(f"{rng.choice(given)} {rng.choice(given)} {rng.choice(family)}" for _ in range(400))
    text = f"Regime shelling on Idlib city on 16 April 2024 killed {listed}."
    started = time.perf_counter()
    result = extract_item("news", text.encode("utf-8"), content_type="text/plain", name="list")
    print(f"== one sentence listing 400 names ({len(text.encode('utf-8')) / 1024:.0f} KB): {len(result.records)} victims "
          f"in {time.perf_counter() - started:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show-misses", action="store_true", help="print every missed victim and wrong field")
    args = parser.parse_args()
    real_set(args.show_misses)
    airwars_report(args.show_misses)
    evaluate(args.show_misses)
    parts = {part: incident_counts(part, args.show_misses and part == "dev") for part in ("dev", "validation")}  # never print the validation texts
    for language in sorted(set(parts["dev"]) & set(parts["validation"])):
        dev, val = parts["dev"][language], parts["validation"][language]
        print(f"   incident counts, {language} gap dev − validation: new {dev['merged'] - val['merged']:+.3f}, "
              f"old {dev['median'] - val['median']:+.3f}")
    report_speed()


if __name__ == "__main__":
    main()
