#!/usr/bin/env python
"""Build ``tawthiq/lang/transliteration_table.py``: the learnt model of how Arabic names are written in
Latin letters (learnt by :mod:`tawthiq.dedupe.transliteration`, read by :mod:`tawthiq.lang.transliteration`), from two sources of Arabic/Latin pairs:

* the Arabic and Latin names GeoNames gives for the same Syrian places
  (``tawthiq/lang/data/gazetteer.json``, shipped with tawthiq);
* the name parts of the victims of the **dev** part of the Airwars incidents
  (``../shared/data/airwars-syria-dev.jsonl``, benchmarks/splits.py), each listed with its
  Arabic name (``name_local``) and its Latin one (``name_original``): the parts of one name are
  paired in order when both have as many. The validation part is never read.

    .venv/bin/python scripts/build_transliteration.py            # both sources
    .venv/bin/python scripts/build_transliteration.py --no-dev   # the gazetteer only

The output holds the probabilities of character alignments only (Arabic letter -> Latin letters),
no name of either source. Run it again when either source grows.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def dev_pairs() -> list[tuple[str, str]]:
    """(Arabic, Latin) pairs of the name parts of the Airwars dev part's victims, one per
    occurrence (a common rendering weighs as often as it is written)."""
    from splits import DEV, SHARED, read_incidents

    from tawthiq.dedupe.transliteration import arabic_letters, latin_letters
    from tawthiq.lang.names import name_parts

    if not (SHARED / "airwars-syria-dev.jsonl").exists():
        print(f"{SHARED / 'airwars-syria-dev.jsonl'} not found: the gazetteer only", file=sys.stderr)
        return []
    out = []
    for incident in read_incidents("airwars-syria-dev.jsonl", DEV):
        for victim in incident.get("victims", []):
            latin, arabic = (victim.get("name_original") or "").strip(), (victim.get("name_local") or "").strip()
            if not latin or not arabic or "unnamed" in latin.lower() or "unknown" in latin.lower():
                continue
            left, right = name_parts(arabic).forms, name_parts(latin).forms
            if len(left) != len(right):
                continue
            for a, b in zip(left, right):
                a, b = arabic_letters(a), latin_letters(b)
                if 2 <= len(a) <= 14 and 2 <= len(b) <= 20:
                    out.append((a, b))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-dev", action="store_true", help="learn from the gazetteer only")
    args = parser.parse_args()
    from tawthiq.dedupe import transliteration
    from tawthiq.lang import places

    gazetteer = Path(places.__file__).resolve().parent / "data" / "gazetteer.json"
    places_pairs = transliteration.training_pairs(json.loads(gazetteer.read_text(encoding="utf-8"))["localities"])
    names = [] if args.no_dev else dev_pairs()
    sources = f"{len(places_pairs)} place-name pairs of tawthiq/lang/data/gazetteer.json (GeoNames, CC BY 4.0)"
    if names:
        sources += f"\nand {len(names)} name-part pairs of the Airwars dev part (benchmarks/splits.py)"
    out = transliteration.write_table(transliteration.learn(places_pairs + names), sources)
    print(f"{len(places_pairs)} + {len(names)} pairs -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
