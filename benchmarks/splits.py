"""The fixed split of ``../shared/data`` into a development part and a validation part.

Rules are written while reading the development part only; the validation part is scored, never
read, so its figures say how the rules do on texts they were not written for. An incident goes
to the validation part when the SHA-256 of its ``internal_id`` is 0 modulo 3 (about a third),
so the split is the same on every machine and does not move when the files grow.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
DEV, VALIDATION = "dev", "validation"


def part_of(internal_id: Any) -> str:
    """``"dev"`` or ``"validation"`` for one incident id."""
    digest = hashlib.sha256(str(internal_id).encode("utf-8")).digest()
    return VALIDATION if int.from_bytes(digest[:8], "big") % 3 == 0 else DEV


def read_incidents(name: str, part: str | None = None) -> Iterator[dict[str, Any]]:
    """The incidents of ``../shared/data/NAME`` (one JSON object a line), of one part or all."""
    with (SHARED / name).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                if part is None or part_of(row["internal_id"]) == part:
                    yield row


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson interval of a proportion: honest for small samples and for 0 or 1."""
    if not total:
        return (0.0, 0.0)
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return (max(0.0, centre - half), min(1.0, centre + half))
