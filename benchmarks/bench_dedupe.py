"""Matching benchmark: tawthiq's engine beside Splink (DuckDB) on the same generated casualty
lists, the incremental archive matcher, and cross-script F1 on real Airwars name pairs.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/bench_dedupe.py                  # 10k and 100k
    .venv/bin/python benchmarks/bench_dedupe.py --sizes 10000 100000 300000
    .venv/bin/python benchmarks/bench_dedupe.py --dense      # 50 family names only: a stress test

Each engine runs in its own process so that wall time and peak memory are its own. Splink
cannot compare Arabic script with Latin, so it is given the names as tawthiq's own
transliteration renders them in Latin (``anyascii`` after folding), split into given, father
and family columns: the best preprocessing a Splink user here could do with public tools.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

AIRWARS = HERE.parent.parent / "shared" / "data" / "airwars-syria-dev.jsonl"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def truth_pairs(path: Path) -> set[tuple[str, str]]:
    people: dict[str, list[str]] = defaultdict(list)
    with open(path, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            people[row["person"]].append(row["id"])
    return {tuple(sorted(pair)) for ids in people.values() for pair in combinations(ids, 2)}  # type: ignore[misc]


def score(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    tp = len(found & truth)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


#: Figures are given at tawthiq's default threshold (0.5: more likely than not) and at 0.9 (a
#: stricter one, for precision), for both engines.
THRESHOLDS = (0.5, 0.9)


# --- workers (run in their own process) ----------------------------------------------------------

def run_tawthiq(path: Path, out: Path) -> dict:
    from tawthiq.dedupe import dedupe_records, engine
    from tawthiq.dedupe.files import read_records, write_pairs

    started = time.perf_counter()
    records = read_records(path, "id", {"full_name": ["full_name"], "date_of_death": ["date_of_death"],
                                         "governorate": ["governorate"], "locality": ["locality"], "sex": ["sex"], "age": ["age"]})
    loaded = time.perf_counter()
    pairs = dedupe_records(records)
    matched = time.perf_counter()
    peak = peak_mb()  # before the blocking figures below, which build every pair again
    with open(out, "w", encoding="utf-8") as handle:
        write_pairs(pairs, handle)
    # Blocking figures, computed apart from the timed run.
    prepared = engine.prepare(records, engine.Vocabulary())
    candidates = engine.block_pairs(prepared)
    ids = prepared.ids
    blocked = {tuple(sorted((ids[i], ids[j]))) for i, j in candidates.tolist()}
    truth = truth_pairs(path)
    n = len(records)
    return {"load_s": loaded - started, "match_s": matched - loaded, "peak_mb": peak,
            "blocking_recall": len(blocked & truth) / len(truth), "candidate_pairs": len(blocked),
            "reduction_ratio": 1 - len(blocked) / (n * (n - 1) / 2)}


def _latin_parts(name: str) -> tuple[str | None, str | None, str | None]:
    """Given, father and family name in Latin letters (Arabic script transliterated)."""
    from tawthiq.dedupe.names import fold_latin, is_arabic
    from tawthiq.extractors.names import transliterate_name

    text = (transliterate_name(name) or "") if is_arabic(name) else name
    words = [w for w in fold_latin(text).replace("-", " ").split() if w not in ("al", "el")]
    given = words[0] if words else None
    family = words[-1] if len(words) > 1 else None
    father = words[1] if len(words) > 2 else None
    return given, father, family


def run_splink(path: Path, out: Path) -> dict:
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from tawthiq.dedupe import parse_date

    started = time.perf_counter()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    parts = [_latin_parts(name) for name in frame["full_name"]]
    frame["given"] = [p[0] for p in parts]
    frame["father"] = [p[1] for p in parts]
    frame["family"] = [p[2] for p in parts]
    dates = [parse_date(d) for d in frame["date_of_death"]]
    frame["date"] = [d if d and len(d) == 10 else None for d in dates]
    frame["year"] = [d[:4] if d else None for d in dates]
    for column in ("governorate", "locality", "sex"):
        frame[column] = frame[column].replace("", None)
    frame = frame[["id", "given", "father", "family", "date", "year", "governorate", "locality", "sex"]]
    loaded = time.perf_counter()
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="id",
        comparisons=[
            cl.NameComparison("given").configure(term_frequency_adjustments=True),
            cl.NameComparison("father"),
            cl.NameComparison("family").configure(term_frequency_adjustments=True),
            cl.AbsoluteDateDifferenceAtThresholds("date", input_is_string=True, metrics=["day", "day", "day"], thresholds=[1, 3, 31]),
            cl.ExactMatch("locality"),
            cl.ExactMatch("governorate"),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=[block_on("given", "family"), block_on("family", "year"), block_on("date", "governorate")],
    )
    linker = Linker(frame, settings, db_api=DuckDBAPI())
    linker.training.estimate_probability_two_random_records_match([block_on("given", "family", "date")], recall=0.6)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("family", "date"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given", "father"))
    predictions = linker.inference.predict(threshold_match_probability=min(THRESHOLDS)).as_pandas_dataframe()
    matched = time.perf_counter()
    with open(out, "w", encoding="utf-8") as handle:
        handle.write("left_id,right_id,probability\n")
        for left, right, p in zip(predictions["id_l"], predictions["id_r"], predictions["match_probability"]):
            handle.write(f"{left},{right},{p:.6f}\n")
    return {"load_s": loaded - started, "match_s": matched - loaded, "peak_mb": peak_mb()}


def run_incremental(path: Path, out: Path, new: int = 1000) -> dict:
    """Index all but ``new`` records as the archive, then match the ``new`` ones against it."""
    from tawthiq.dedupe import ArchiveMatcher
    from tawthiq.dedupe.files import read_records

    records = read_records(path, "id", {"full_name": ["full_name"], "date_of_death": ["date_of_death"],
                                         "governorate": ["governorate"], "locality": ["locality"], "sex": ["sex"], "age": ["age"]})
    started = time.perf_counter()
    matcher = ArchiveMatcher(records[new:])
    indexed = time.perf_counter()
    pairs = matcher.match(records[:new])
    matched = time.perf_counter()
    with open(out, "w", encoding="utf-8") as handle:
        for p in pairs:
            handle.write(f"{p.left_id},{p.right_id},{p.probability}\n")
    return {"index_s": indexed - started, "match_s": matched - indexed, "peak_mb": peak_mb(), "new": new}


WORKERS = {"tawthiq": run_tawthiq, "splink": run_splink, "incremental": run_incremental}


def worker_main(engine_name: str, path: str, out: str) -> None:
    print(json.dumps(WORKERS[engine_name](Path(path), Path(out))))


def run_worker(engine_name: str, path: Path, out: Path) -> dict:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, __file__, "--worker", engine_name, str(path), str(out)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        return {"error": result.stderr.strip().splitlines()[-1] if result.stderr.strip() else f"exit {result.returncode}"}
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["wall_s"] = time.perf_counter() - started
    return figures


def read_pairs(path: Path, minimum: float = 0.0) -> set[tuple[str, str]]:
    """Pairs of a left_id,right_id,probability file with a probability of at least ``minimum``."""
    with open(path, encoding="utf-8") as handle:
        next(handle)
        rows = (line.strip().split(",") for line in handle if line.strip())
        return {tuple(sorted(row[:2])) for row in rows if float(row[2]) >= minimum}  # type: ignore[misc]


# --- Airwars cross-script pairs ---------------------------------------------------------------------

def airwars() -> dict | None:
    """Latin names linked to Arabic names of the same incident (family members are the
    negatives: same date and place, often the same family name)."""
    if not AIRWARS.exists():
        return None
    import re

    from tawthiq.dedupe import MatchRecord, link_records

    left, right, truth = [], [], set()
    with open(AIRWARS, encoding="utf-8") as handle:
        for line in handle:
            incident = json.loads(line)
            for victim in incident.get("victims", []):
                latin = re.sub(r"\s+", " ", (victim.get("name_original") or "")).strip()
                arabic = re.sub(r"^[\s.\-–]+", "", victim.get("name_local") or "").strip()
                if not latin or not arabic or "unnamed" in latin.lower() or "unknown" in latin.lower():
                    continue
                key = f"{incident['internal_id']}#{victim.get('order')}"
                common = dict(date_of_death=incident.get("incident_date"), locality=incident.get("location_ar") or None)
                left.append(MatchRecord("L" + key, latin, **common))
                right.append(MatchRecord("R" + key, arabic, **common))
                truth.add(("L" + key, "R" + key))
    started = time.perf_counter()
    pairs = link_records(left, right, threshold=min(THRESHOLDS))
    elapsed = time.perf_counter() - started
    return {"pairs": len(truth), "seconds": elapsed,
            "at": {t: score({(p.left_id, p.right_id) for p in pairs if p.probability >= t}, truth) for t in THRESHOLDS}}


# --- main ---------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--no-splink", action="store_true", help="skip Splink (e.g. when it is not installed)")
    parser.add_argument("--dense", action="store_true",
                        help="only the 50 common family names: a stress test where many two-part names cannot be told apart")
    parser.add_argument("--worker", nargs=3, metavar=("ENGINE", "CSV", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(*args.worker)
        return
    from casualty_lists import casualty_list, write_csv

    print(f"tawthiq matching benchmark · {os.cpu_count()} cores · Python {sys.version.split()[0]}"
          f" · family names: {'50 common (dense stress test)' if args.dense else 'long tail'}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"list-{size}.csv"
            with open(path, "w", encoding="utf-8") as handle:
                write_csv(casualty_list(size, dense=args.dense), handle)
            truth = truth_pairs(path)
            print(f"\n== {size:,} records, {len(truth):,} true pairs")
            engines = ["tawthiq"] + ([] if args.no_splink else ["splink"])
            for name in engines:
                out = Path(tmp) / f"{name}-{size}.csv"
                figures = run_worker(name, path, out)
                if "error" in figures:
                    print(f"  {name:<8} failed: {figures['error']}")
                    continue
                print(f"  {name:<8} match {figures['match_s']:.1f} s (+ load {figures['load_s']:.1f} s, wall {figures['wall_s']:.1f} s)"
                      f"  peak {figures['peak_mb']:,.0f} MB")
                for threshold in THRESHOLDS:
                    quality = score(read_pairs(out, threshold), truth)
                    print(f"           at {threshold:.1f}: precision {quality['precision']:.4f}  recall {quality['recall']:.4f}"
                          f"  F1 {quality['f1']:.4f}")
                if name == "tawthiq":
                    print(f"           blocking recall {figures['blocking_recall']:.4f}  reduction ratio {figures['reduction_ratio']:.6f}"
                          f"  ({figures['candidate_pairs']:,} candidate pairs)")
            inc = run_worker("incremental", path, Path(tmp) / f"inc-{size}.csv")
            if "error" not in inc:
                print(f"  incremental: {inc['new']:,} new records against {size - inc['new']:,} archived in {inc['match_s']:.2f} s"
                      f" (index built once in {inc['index_s']:.1f} s)")
            else:
                print(f"  incremental failed: {inc['error']}")
    result = airwars()
    if result is None:
        print(f"\n== Airwars cross-script pairs: skipped ({AIRWARS} not found)")
    else:
        print(f"\n== Airwars cross-script pairs (real Latin ↔ Arabic names, {result['pairs']} victims), in {result['seconds']:.2f} s")
        for threshold, quality in result["at"].items():
            print(f"  at {threshold:.1f}: precision {quality['precision']:.4f}  recall {quality['recall']:.4f}  F1 {quality['f1']:.4f}")


if __name__ == "__main__":
    main()
