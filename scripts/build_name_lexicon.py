#!/usr/bin/env python
"""Build ``tawthiq/lang/name_lexicon.py``: how often each Arabic given name and family name is
written among the victims of the **dev** part of the Airwars incidents
(``../shared/data/airwars-syria-dev.jsonl``, benchmarks/splits.py; the validation part is never
read), as :func:`tawthiq.lang.names.name_parts` writes the parts of their Arabic names
(``name_local``: folded, compounds joined).

    .venv/bin/python scripts/build_name_lexicon.py
    .venv/bin/python scripts/build_name_lexicon.py --min-count 3 --data OTHER.jsonl --out PATH

A given name is every part but the last of a name of two parts or more (the father's and
grandfather's names are given names too), or a name's only part; a family name is the last part,
counted once per incident (a family killed together writes its name many times, and says nothing
of how common it is). Only parts written at least ``--min-count`` times (3) are kept, with their
counts: a common name identifies nobody; no full name and no rare part is ever written out.
Descriptions that stand where a name should ("Daughter of Mahmoud", «ابنة محمود», "Unnamed
child") are not names and are left out. Run it again when the dev data grows.
"""

from __future__ import annotations

import argparse
import pprint
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
OUT = ROOT / "tawthiq" / "lang" / "name_lexicon.py"
#: Latin words that say the field describes a person instead of naming one.
_DESCRIPTION = re.compile(r"\b(?:of|unnamed|unknown|unidentified)\b", re.IGNORECASE)


def count_parts(incidents: Iterable[dict[str, Any]]) -> tuple[Counter[str], Counter[str]]:
    """(given names, family names) of the victims of ``incidents``, as written (folded), with how
    often each is written: given names once per victim and place in the name, family names once
    per incident."""
    from tawthiq.lang.names import is_arabic, name_parts

    given: Counter[str] = Counter()
    family: Counter[str] = Counter()
    for incident in incidents:
        families: set[str] = set()
        for victim in incident.get("victims", []):
            arabic, latin = (victim.get("name_local") or "").strip(), (victim.get("name_original") or "").strip()
            if not arabic or not is_arabic(arabic) or _DESCRIPTION.search(latin):
                continue
            forms = [form for form in name_parts(arabic).forms if is_arabic(form)]
            if not forms:
                continue
            given.update(forms[:-1] if len(forms) > 1 else forms)
            if len(forms) > 1:
                families.add(forms[-1])
        family.update(families)
    return given, family


def write_lexicon(given: Counter[str], family: Counter[str], min_count: int, sources: str, out: Path = OUT) -> Path:
    """Write the parts written at least ``min_count`` times as a Python module."""
    def kept(counts: Counter[str]) -> dict[str, int]:
        return dict(sorted(((form, n) for form, n in counts.items() if n >= min_count), key=lambda item: (-item[1], item[0])))

    out.write_text(
        '"""Learnt by ``scripts/build_name_lexicon.py`` from ' + sources + '.\n'
        'Do not edit: re-run it. How often each Arabic given name (GIVEN: given, father\'s and\n'
        'grandfather\'s names) and family name (FAMILY: once per incident) is written, folded as\n'
        f'``name_parts`` writes it; only parts written at least {min_count} times."""\n\n'
        f"MIN_COUNT = {min_count}\n"
        f"GIVEN: dict[str, int] = {pprint.pformat(kept(given), width=120, sort_dicts=False)}\n"
        f"FAMILY: dict[str, int] = {pprint.pformat(kept(family), width=120, sort_dicts=False)}\n",
        encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help="a JSONL file of incidents (default: the Airwars dev part)")
    parser.add_argument("--min-count", type=int, default=3, help="keep parts written at least this often (3)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"the module to write ({OUT.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    from splits import DEV, SHARED, read_incidents

    if args.data is not None:
        import json

        lines = args.data.read_text(encoding="utf-8").splitlines()
        incidents: Iterable[dict[str, Any]] = [json.loads(line) for line in lines if line.strip()]
        sources = f"the victims of {args.data.name}"
    else:
        if not (SHARED / "airwars-syria-dev.jsonl").exists():
            print(f"{SHARED / 'airwars-syria-dev.jsonl'} not found", file=sys.stderr)
            return 1
        incidents = read_incidents("airwars-syria-dev.jsonl", DEV)
        sources = "the victims of the Airwars dev part\n(benchmarks/splits.py)"
    given, family = count_parts(incidents)
    out = write_lexicon(given, family, args.min_count, sources, args.out)
    print(f"{sum(1 for n in given.values() if n >= args.min_count)} given names, "
          f"{sum(1 for n in family.values() if n >= args.min_count)} family names -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
