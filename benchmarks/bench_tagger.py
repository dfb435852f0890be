"""Does the statistical tagger (extractors/tagger.py) help the rules? Measured, not assumed.

    .venv/bin/python benchmarks/bench_tagger.py [--threshold P] [--show-misses] [--folds K]

Trains a model on the DEVELOPMENT parts only: the Airwars source texts of the dev part of
``../shared/data`` (benchmarks/splits.py), each labelled with the killed victims Airwars lists
for the incidents the text covers (a name counts where its words are written in the text;
the injured listed are negatives), plus the dev items of the real labelled set
(labels/real-casualty-texts.jsonl, those whose text is here). Then it scores, with the very
functions ``bench_extract.py`` scores the rules with (``airwars_victims``, ``real_set``: the
same texts, the same "given AND family name agree" metric), three extractors:

* ``rules``: the rules alone (what ``tawthiq extract`` does by default);
* ``tagger``: the tagger's names alone (the rules' names are one of its features);
* ``both``: the rules' records plus the names only the tagger found, at or above the
  threshold (what ``tawthiq extract --tagger`` does).

Dev figures of a model trained on dev are flattering, so ``--folds K`` (default 5) also
scores dev by K-fold cross-validation (each fold scored by a model that did not see it): that
is the dev figure to compare with validation, and the one the threshold is chosen on. The
validation part is scored, never read: misses are printed for dev only. Nothing of
``../shared/data`` is written anywhere; the model goes to a temporary directory.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

MODES = ("rules", "tagger", "both")


def airwars_examples(part: str) -> list[Any]:
    """One example per Airwars source text of ``part``: its language's killed victims of the
    incidents it covers, as labels (Arabic names for Arabic texts, Latin for English)."""
    from bench_extract import _killed, _listed
    from splits import read_incidents

    from tawthiq.extractors.tagger import Example, locate
    from tawthiq.lang.text import detect_language

    by_id = {row["internal_id"]: row for row in read_incidents("airwars-syria-dev.jsonl")}
    examples = []
    for incident in read_incidents("airwars-syria-dev.jsonl", part):
        for source in incident.get("sources_with_text", []):
            text = source.get("text_original") or ""
            language = detect_language(text) if text.strip() else None
            if language not in ("ar", "en"):
                continue
            field = "name_local" if language == "ar" else "name_original"
            covered = [incident] + [by_id[i] for i in source.get("other_incident_ids") or [] if i in by_id]
            victims = [v for inc in covered for v in inc.get("victims", [])]
            killed = [_listed(v.get(field) or "") for v in victims if _killed(v)]
            hurt = [_listed(v.get(field) or "") for v in victims if not _killed(v)]
            named = [n for n in killed if len(n.split()) >= 2 and "unnamed" not in n.lower()]
            # Airwars' list is a label of the text only where the text names someone on it: a
            # text naming nobody listed names people under other spellings, or other people,
            # and its every word left O would teach the tagger to doubt names it should trust.
            if not any(locate(text, n) for n in named):
                continue
            examples.append(Example(text, named, [n for n in hurt if n], language, f"airwars {incident['internal_id']}"))
    return examples


def real_examples(part: str = "dev") -> list[Any]:
    """The real labelled items of ``part`` whose text is here, as examples."""
    from extract_eval import real_items

    from tawthiq.extractors.tagger import Example

    return [Example(item.text, [v["name"] for v in item.victims], [], item.language, f"real {item.id}")
            for item in real_items() if item.part == part and item.text]


@contextlib.contextmanager
def extracting_with(mode: str, tagger: Any, threshold: float) -> Iterator[None]:
    """``tawthiq.extractors.extract_item`` as ``mode`` extracts, for as long as the block
    runs: bench_extract's scorers import it when they run, so they score this mode."""
    import tawthiq.extractors as extractors
    from tawthiq.extractors.tagger import add_tagged

    original = extractors.extract_item
    if mode == "rules":
        yield
        return

    def extract_item(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        add_tagged(result, tagger, threshold=threshold, replace=mode == "tagger")
        return result

    extractors.extract_item = extract_item  # type: ignore[assignment]
    try:
        yield
    finally:
        extractors.extract_item = original  # type: ignore[assignment]


def score(part: str, language: str, mode: str, tagger: Any, threshold: float, show: bool = False) -> dict[str, int]:
    """bench_extract's Airwars counts for one part, language and mode."""
    from bench_extract import airwars_victims

    with extracting_with(mode, tagger, threshold):
        return airwars_victims(part, language, show_misses=show)


def _figures(c: dict[str, int]) -> tuple[float, float]:
    recall = c["found"] / c["named"] if c["named"] else 0.0
    precision = c["on_list"] / c["extracted"] if c["extracted"] else 0.0
    return recall, precision


def _fold_of(example: Any, folds: int) -> int:
    return _fold_of_source(example.source, folds)


def _fold_of_source(source: str, folds: int) -> int:
    return int(hashlib.sha256(source.encode("utf-8")).hexdigest(), 16) % folds


def cross_validated(examples: list[Any], folds: int, thresholds: list[float], workdir: Path,
                    c1: float = 0.05, c2: float = 0.05, rule_feature: bool = False) -> dict[tuple[Any, ...], dict[str, int]]:
    """Dev counts by K-fold cross-validation: the Airwars dev incidents and the real labelled
    dev items are each split into K folds by a hash of their id; each fold is scored (both
    languages; the tagger alone and rules plus tagger at each threshold, and the rules) by a
    model trained on the other folds. Keys: ``("airwars", language, mode, threshold)`` with
    ``airwars_victims``' counts and ``("real", language, mode, threshold)`` with
    ``real_counts``' (the rules' under threshold 0)."""
    import splits
    from bench_extract import real_counts
    from extract_eval import real_items

    from tawthiq.extractors.tagger import Tagger, train

    totals: dict[tuple[Any, ...], dict[str, int]] = {}

    def add(key: tuple[Any, ...], counts: dict[str, int]) -> None:
        totals[key] = {k: totals.get(key, {}).get(k, 0) + v for k, v in counts.items()}

    original_part_of = splits.part_of
    airwars = [e for e in examples if e.source.startswith("airwars")]
    real = [e for e in examples if not e.source.startswith("airwars")]
    items = [i for i in real_items() if i.part == "dev" and i.text]
    for fold in range(folds):
        held = {e.source.split(" ", 1)[1] for e in airwars if _fold_of(e, folds) == fold}
        held_items = [i for i in items if _fold_of_source(f"real {i.id}", folds) == fold]
        path = workdir / f"fold{fold}.crfsuite"
        with contextlib.redirect_stdout(io.StringIO()):
            train([e for e in airwars + real if _fold_of(e, folds) != fold], path, c1=c1, c2=c2, rule_feature=rule_feature)
        tagger = Tagger(path)

        def held_part(internal_id: Any, held: set[str] = held) -> str:
            return "heldfold" if str(internal_id) in held else original_part_of(internal_id)

        for (language, _), c in real_counts(held_items).items():
            add(("real", language, "rules", 0.0), c)
        splits.part_of = held_part  # read_incidents (and so airwars_victims) read the fold as a part of its own
        try:
            for mode in ("tagger", "both"):
                for threshold in thresholds:
                    for language in ("ar", "en"):
                        add(("airwars", language, mode, threshold), score("heldfold", language, mode, tagger, threshold))
                    with extracting_with(mode, tagger, threshold):
                        for (language, _), c in real_counts(held_items).items():
                            add(("real", language, mode, threshold), c)
        finally:
            splits.part_of = original_part_of
    return totals


def _f1(recall: float, precision: float) -> float:
    return 2 * recall * precision / (recall + precision) if recall + precision else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threshold", type=float, default=None,
                        help="confidence for a tagger-only name (default: chosen on the cross-validated dev figures)")
    parser.add_argument("--folds", type=int, default=5, help="folds of the dev cross-validation (0: none)")
    parser.add_argument("--show-misses", action="store_true", help="print misses and extra names, dev part only")
    parser.add_argument("--dev-only", action="store_true", help="cross-validated dev figures only (while designing features)")
    parser.add_argument("--c1", type=float, default=0.05, help="L1 regularisation of the CRF")
    parser.add_argument("--c2", type=float, default=0.05, help="L2 regularisation of the CRF")
    parser.add_argument("--rule-feature", action="store_true",
                        help="give the model the rules' verdict as a feature (tagger.train's rule_feature; off by default)")
    args = parser.parse_args()

    from bench_extract import real_figures, real_set
    from splits import SHARED

    from tawthiq.extractors.tagger import Tagger, train

    if not (SHARED / "airwars-syria-dev.jsonl").exists():
        print(f"skipped: {SHARED / 'airwars-syria-dev.jsonl'} not found")
        return
    examples = airwars_examples("dev") + real_examples("dev")
    thresholds = [0.3, 0.5, 0.7]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        summary = train(examples, workdir / "dev.crfsuite", c1=args.c1, c2=args.c2, rule_feature=args.rule_feature)
        print(f"== trained on dev: {summary.texts} texts, {summary.names} names located in their texts ({summary.unlocated} listed "
              f"names are not written in a text that covers them), {summary.negatives} injured as negatives; by language {summary.by_language}")
        threshold = args.threshold
        if args.folds:
            cv = cross_validated(examples, args.folds, thresholds, workdir, args.c1, args.c2, args.rule_feature)
            print(f"== dev by {args.folds}-fold cross-validation (each fold scored by a model that did not see it), recall / precision:")
            for language in ("ar", "en"):
                recall, precision = real_figures(cv[("real", language, "rules", 0.0)])
                print(f"   real {language} rules: {recall:.3f} / {precision:.3f}")
            best: tuple[float, float] | None = None
            for threshold_ in thresholds:
                cells = []
                f1s = []
                for language in ("ar", "en"):
                    for mode in ("tagger", "both"):
                        recall, precision = _figures(cv[("airwars", language, mode, threshold_)])
                        cells.append(f"airwars {language} {mode} {recall:.3f} / {precision:.3f}")
                        real_recall, real_precision = real_figures(cv[("real", language, mode, threshold_)])
                        cells.append(f"real {language} {mode} {real_recall:.3f} / {real_precision:.3f}")
                        if mode == "both":
                            f1s += [_f1(recall, precision), _f1(real_recall, real_precision)]
                print(f"   threshold {threshold_:.1f}: " + "; ".join(cells))
                mean = sum(f1s) / len(f1s)
                if best is None or mean > best[1]:
                    best = (threshold_, mean)
            if threshold is None and best is not None:
                threshold = best[0]
                print(f"   chosen threshold (best mean F1 of rules+tagger on cross-validated dev, Airwars and real): {threshold:.1f}")
        if args.dev_only:
            return
        threshold = 0.5 if threshold is None else threshold
        tagger = Tagger(workdir / "dev.crfsuite", threshold=threshold)
        print(f"== Airwars, model trained on all of dev, threshold {threshold:.2f} (dev figures are on its own training texts)")
        figures: dict[tuple[str, str, str], tuple[float, float]] = {}
        for language in ("ar", "en"):
            for mode in MODES:
                for part in ("dev", "validation"):
                    c = score(part, language, mode, tagger, threshold, show=args.show_misses and part == "dev")
                    figures[(language, mode, part)] = _figures(c)
                    recall, precision = figures[(language, mode, part)]
                    print(f"   {language} {mode:6s} {part:10s}: recall {recall:.3f} of {c['named']:3d}; precision ≥ {precision:.3f} "
                          f"of {c['extracted']:3d} names")
                dev, val = figures[(language, mode, "dev")], figures[(language, mode, "validation")]
                print(f"   {language} {mode:6s} gap dev − validation: recall {dev[0] - val[0]:+.3f}, precision {dev[1] - val[1]:+.3f}")
                if args.folds and mode != "rules":
                    cv_recall, cv_precision = _figures(cv[("airwars", language, mode, threshold)]) if threshold in thresholds else (float("nan"),) * 2
                    print(f"   {language} {mode:6s} gap cross-validated dev − validation: recall {cv_recall - val[0]:+.3f}, "
                          f"precision {cv_precision - val[1]:+.3f}")
        for mode in MODES:
            print(f"== real labelled set, {mode} (its dev items are training texts of the model; held-out ones are not):")
            with extracting_with(mode, tagger, threshold):
                real_set(args.show_misses)


if __name__ == "__main__":
    main()
