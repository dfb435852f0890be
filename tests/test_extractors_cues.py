"""The cue table of news extraction (extractors/cues.py): every cue matches each of its positive
examples and none of its negative ones, so a pattern edited for one phrasing cannot silently
lose the phrasings it was written for."""

from __future__ import annotations

import pytest

from tawthiq.extractors.cues import CUES, KINDS, Cue

CASES = [(c, text, True) for c in CUES for text in c.positive] + [(c, text, False) for c in CUES for text in c.negative]


@pytest.mark.parametrize(("cue", "text", "expected"), CASES, ids=[f"{c.id}:{'+' if e else '-'}:{t[:30]}" for c, t, e in CASES])
def test_cue_examples(cue: Cue, text: str, expected: bool) -> None:
    assert bool(cue.regex.search(text)) is expected


@pytest.mark.parametrize("cue", CUES, ids=[c.id for c in CUES])
def test_cue_is_well_formed(cue: Cue) -> None:
    assert cue.kind in KINDS and cue.language in ("en", "ar") and cue.positive
    assert cue.id.startswith(cue.language + ".")
