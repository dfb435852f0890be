"""Documenters' decisions as labelled texts, for the name tagger (``extractors/tagger.py``).

Each decision a documenter takes on a candidate found in a news item says something about a
name in that item's text: accepted (a new victim, or the same as an archived one) — a killed
person's name; rejected as not a victim — a name that is not one. A victim a documenter
selected in an incident's text (a candidate of extractor ``documenter``) is a name the rules
missed. A correction of a staged name is already in the candidate's name, which is the one
taken. Undone decisions do not count, and neither does a deferral.

An item is an example only when every candidate of it is decided: a pending one may be a
victim, and the tagger would learn its words as "not a name".
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from tawthiq.extractors.tagger import Example
from tawthiq.lang.arabic import is_arabic

from .models import Candidate, Decision, RawItem

ACCEPTED = ("new_victim", "same_as")
REJECTED = ("not_victim",)


def decided_examples(session: Session) -> list[Example]:
    """One example per news item whose candidates are all decided (or added by a documenter):
    its stored text, the accepted names as positives and the rejected ones as negatives, each
    as written in the item's script (the Arabic name for an Arabic text)."""
    latest: dict[int, str] = {}
    rows = session.execute(select(Decision.candidate_id, Decision.action).where(
        Decision.undone.is_(False), Decision.action != "undo").order_by(Decision.id))
    for candidate_id, decided in rows:
        latest[candidate_id] = decided
    by_item: dict[int, list[Candidate]] = defaultdict(list)
    items: dict[int, RawItem] = {}
    for candidate, item in session.execute(select(Candidate, RawItem).join(RawItem, Candidate.raw_item_id == RawItem.id).where(
            RawItem.kind == "news", RawItem.text.is_not(None)).order_by(Candidate.raw_item_id, Candidate.seq)).tuples():
        by_item[candidate.raw_item_id].append(candidate)
        items[candidate.raw_item_id] = item
    examples = []
    for raw_item_id, candidates in by_item.items():
        item = items[raw_item_id]
        assert item.text is not None  # the query asked for items with a text
        arabic = (item.language or "") == "ar" or is_arabic(item.text[:2000])
        names: list[str] = []
        negatives: list[str] = []
        complete = True
        for candidate in candidates:
            action = latest.get(candidate.id)
            name = ((candidate.name_ar if arabic else None) or candidate.full_name or candidate.name_ar or "")
            if action in REJECTED:
                negatives.append(name)
            elif action in ACCEPTED or candidate.extractor == "documenter":
                names.append(name)
            else:
                complete = False
        if complete and names:
            examples.append(Example(item.text, names, negatives, "ar" if arabic else "en", f"raw item {raw_item_id}"))
    return examples
