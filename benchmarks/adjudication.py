"""A reader's verdicts on the Airwars (text, name) pairs the extraction benchmark scores.

Airwars' per-incident victim lists are noisy labels for "whom does this text say was killed":
a roundup names the dead of other incidents the list lacks (so precision against the list is a
lower bound), and the list marks someone killed whom an earlier text only calls injured (so that
text cannot be expected to yield them). ``labels/airwars-adjudicated.jsonl`` holds, for each pair
``benchmarks/bench_extract.py``'s ``airwars_victims`` looks at, the verdict of a reader who judged
from the text alone, without seeing the extractor's rules. Only a hash of each pair is kept (the
texts' licences keep their content out of the repository, and the validation part must stay
unread by the people writing rules).

    .venv/bin/python benchmarks/adjudication.py pairs   # writes /tmp/adjudication-pairs.jsonl

``pairs`` lists every pair to judge, of both parts and both languages, as ``airwars_victims``
builds them: each killed victim on an incident's list whose every name word is in one of its
source texts (kind ``listed``), and each name extracted from those texts that is on none of the
covered incidents' lists (kind ``extracted``). It prints counts only, never a text or a name.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels" / "airwars-adjudicated.jsonl"
PAIRS = Path("/tmp/adjudication-pairs.jsonl")

#: ``killed``: the text states this person was killed and does not describe them as a fighter;
#: ``combatant``: stated killed, described as a fighter, soldier or member of an armed group;
#: ``not_killed``: the text does not state this person died (injured, arrested, targeted with the
#: outcome unstated, a speaker...); ``earlier``: killed, but in a clearly earlier, different event
#: the text mentions in passing; ``not_a_person``: a place, an organisation or a phrase;
#: ``unclear``: the text does not let a careful reader decide.
VERDICTS = ("killed", "combatant", "not_killed", "earlier", "not_a_person", "unclear")

_SHORT_VOWELS = re.compile("[\u064b-\u0652\u0640]")  # tanwin, harakat, shadda, sukun; tatweel
_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي"})


def _fold(name: str) -> str:
    """A name in a stable comparable form: NFKC, casefolded, without Arabic short vowels and
    tatweel, hamza-carrying alefs as bare alef, taa marbuta as haa, alef maqsura as yaa, without
    punctuation (deleted, not spaced), whitespace collapsed. Self-contained on purpose: the keys
    in the labels file must not move when tawthiq's own folding changes."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = _SHORT_VOWELS.sub("", text).translate(_LETTERS)
    text = "".join(c for c in text if not unicodedata.category(c).startswith("P"))
    return " ".join(text.split())


def pair_key(internal_id: str, source_url: str, name: str) -> str:
    """The SHA-256 (hex) that stands for one (incident, source text, name) pair in the labels."""
    return hashlib.sha256(f"{internal_id}|{source_url}|{_fold(name)}".encode()).hexdigest()


def load(path: Path = LABELS) -> dict[str, str]:
    """The verdicts of ``labels/airwars-adjudicated.jsonl``: ``{pair_key: verdict}``. A pair not in
    it has not been judged (a name a newer extractor finds, say): score it against the list."""
    verdicts: dict[str, str] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if row["verdict"] not in VERDICTS:
                raise ValueError(f"{path}:{number}: unknown verdict {row['verdict']!r}")
            verdicts[row["key"]] = row["verdict"]
    return verdicts


def pairs() -> list[dict[str, Any]]:
    """Every pair ``airwars_victims`` scores, of both parts and both languages, each once: the
    very texts it scores, read as it reads them (``bench_extract.scored_texts``)."""
    sys.path.insert(0, str(HERE))
    from bench_extract import scored_texts
    from extract_eval import same_victim
    from splits import part_of

    out: dict[str, dict[str, Any]] = {}
    for language in ("ar", "en"):
        for scored in scored_texts(None, language):
            iid = scored.incident["internal_id"]
            found = [(n, "listed") for n in scored.present]
            found += [(n, "extracted") for n in scored.names if n and not any(same_victim(m, n) for m in scored.listed if m)]
            for name, kind in found:
                key = pair_key(iid, scored.url, name)
                out.setdefault(key, {"key": key, "internal_id": iid, "part": part_of(iid), "language": language,
                                     "url": scored.url, "name": name, "kind": kind})
    return sorted(out.values(), key=lambda row: (row["part"], row["language"], row["kind"], row["internal_id"]))


def main(argv: list[str]) -> None:
    """``pairs``: write every pair to judge to /tmp/adjudication-pairs.jsonl and print counts."""
    if argv != ["pairs"]:
        sys.exit("usage: adjudication.py pairs")
    rows = pairs()
    # Validation names are in it: readable by its owner only, and never written through a link.
    descriptor = os.open(PAIRS, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    tally: dict[tuple[str, str, str], int] = {}
    for row in rows:
        group = (row["part"], row["language"], row["kind"])
        tally[group] = tally.get(group, 0) + 1
    for (part, language, kind), count in sorted(tally.items()):
        print(f"{part} {language} {kind}: {count}")
    print(f"{len(rows)} pairs → {PAIRS}")


if __name__ == "__main__":
    main(sys.argv[1:])
