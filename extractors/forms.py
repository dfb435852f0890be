"""Family form submissions to victim records: the field mapping.

A submission arrives as JSON from the built-in form, KoboToolbox (flat keys with group paths,
``group_victim/victim_name``), ODK Central (nested objects per group) or a partner's file. Each
is flattened to ``question -> value`` and read through a mapping from victim fields to
question names. The default mapping is the question names of the standard family form shipped
with tawthiq (``tawthiq/forms/family_form.xlsx``); a source may override any entry.

Submitter details (relation, name, contact, consent) are never part of the victim record: see
:data:`SUBMITTER_FIELDS` and :func:`split_submitter`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from tawthiq.errors import EmptyItemError, PayloadError
from tawthiq.lang.numbers import to_ascii_digits

from .record import CAUSES, CATEGORIES, PERPETRATORS, Place, VictimRecord

EXTRACTOR_NAME = "form"
EXTRACTOR_VERSION = "1.0.0"

#: victim field -> question names that may carry it (first non-empty wins).
DEFAULT_MAPPING: dict[str, list[str]] = {
    "full_name": ["victim_name", "full_name", "name", "victim_full_name"],
    "name_other_script": ["victim_name_other", "name_other_script", "victim_name_ar", "victim_name_en"],
    "father_name": ["father_name"],
    "mother_name": ["mother_name"],
    "sex": ["sex", "gender", "victim_sex"],
    "age": ["age", "victim_age", "age_years"],
    "date_of_birth": ["date_of_birth", "birth_date"],
    "date_of_death": ["date_of_death", "death_date"],
    "date_of_death_approx": ["date_of_death_approx", "death_date_approx"],
    "death_governorate": ["death_governorate", "governorate_of_death", "governorate"],
    "death_locality": ["death_locality", "place_of_death", "locality", "town"],
    "origin_governorate": ["origin_governorate", "governorate_of_origin"],
    "origin_locality": ["origin_locality", "place_of_origin", "hometown"],
    "cause": ["cause", "cause_of_death"],
    "perpetrator": ["perpetrator", "responsible_party", "responsible"],
    "category": ["category", "victim_category", "occupation_category"],
    "died_in_detention": ["died_in_detention", "detention"],
    "account": ["account", "narrative", "what_happened", "description"],
}

#: Questions about the submitter, kept apart from the victim data (and encrypted at rest).
SUBMITTER_FIELDS: tuple[str, ...] = (
    "submitter_relation",
    "submitter_name",
    "submitter_phone",
    "submitter_email",
    "submitter_contact",
    "consent_follow_up",
)

_SEX = {
    "male": "male", "m": "male", "man": "male", "boy": "male", "ذكر": "male", "رجل": "male",
    "female": "female", "f": "female", "woman": "female", "girl": "female", "أنثى": "female",
    "انثى": "female", "امرأة": "female",
}
_YES = {"yes", "y", "true", "1", "نعم"}
_NO = {"no", "n", "false", "0", "لا"}
_SYSTEM_KEYS = re.compile(r"^(_|meta/|__system|formhub/|@odata)")


def parse_submission(data: bytes | str, *, name: str = "submission") -> dict[str, Any]:
    """Parse a submission's bytes as a JSON object, with an error naming ``name`` and the
    place where the JSON breaks (truncated uploads are common)."""
    if isinstance(data, bytes):
        if not data.strip():
            raise EmptyItemError(f"{name}: the file is empty")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PayloadError(f"{name}: not UTF-8 JSON (invalid byte at offset {exc.start})") from exc
    else:
        text = data
    if not text.strip():
        raise EmptyItemError(f"{name}: the file is empty")
    try:
        payload = json.loads(text)
    except RecursionError as exc:  # the parser recurses once per level; a form is a few levels deep
        raise PayloadError(f"{name}: JSON nested too deeply to be a form submission") from exc
    except json.JSONDecodeError as exc:
        hint = " (the file looks truncated)" if exc.pos >= len(text.rstrip()) - 1 else ""
        reason = re.sub(r" at$", "", exc.msg)
        raise PayloadError(
            f"{name}: not valid JSON ({reason}, line {exc.lineno} column {exc.colno}){hint}"
        ) from exc
    if not isinstance(payload, dict):
        raise PayloadError(f"{name}: expected one JSON object per submission, got {type(payload).__name__}")
    # "\ud800" is valid JSON but no character: no database stores it, and one broken emoji
    # must not keep a family's testimony out. The raw item keeps the escape as it came.
    replace_lone_surrogates(payload)
    return payload


_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_lone_surrogates(payload: Any) -> int:
    """Replace, in place, every lone surrogate in the keys and strings of a parsed JSON value
    with U+FFFD (as decoding broken UTF-8 with ``errors="replace"`` would), keeping the order
    of keys; walked without recursion. Returns how many keys and strings changed."""
    changed = 0
    stack = [payload]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            if any(isinstance(key, str) and _SURROGATE.search(key) for key in current):
                entries = list(current.items())
                current.clear()
                for key, value in entries:
                    if isinstance(key, str) and _SURROGATE.search(key):
                        key, changed = _SURROGATE.sub("\ufffd", key), changed + 1
                    current[key] = value
            slots: Any = current.items()
        elif isinstance(current, list):
            slots = enumerate(current)
        else:
            continue
        for slot, value in list(slots):
            if isinstance(value, str):
                if _SURROGATE.search(value):
                    current[slot] = _SURROGATE.sub("\ufffd", value)
                    changed += 1
            elif isinstance(value, dict | list):
                stack.append(value)
    return changed


def flatten(payload: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested groups (ODK) to ``group/question`` keys (the KoboToolbox shape), in the
    order the questions come. Walked with a stack rather than by recursion: any nesting the
    JSON parser accepted is flattened, where recursing would run out of stack a few levels
    short of the parser's limit."""
    flat: dict[str, Any] = {}
    stack = [(prefix, iter(payload.items()))]
    while stack:
        path_prefix, entries = stack[-1]
        for key, value in entries:
            path = f"{path_prefix}{key}"
            if isinstance(value, dict):
                stack.append((path + "/", iter(value.items())))
                break
            flat[path] = value
        else:
            stack.pop()
    return flat


def _by_question(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``question -> value`` by the last path segment, ignoring system fields."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        if _SYSTEM_KEYS.match(key):
            continue
        question = key.rsplit("/", 1)[-1]
        if value not in (None, "", []):
            out.setdefault(question, value)
    return out


def split_submitter(payload: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a flat submission into ``(victim_part, submitter_part)`` by question name."""
    victim: dict[str, Any] = {}
    submitter: dict[str, Any] = {}
    for key, value in flatten(payload).items():
        if key.rsplit("/", 1)[-1] in SUBMITTER_FIELDS:
            submitter[key] = value
        else:
            victim[key] = value
    return victim, submitter


def extract_submission(
    payload: Mapping[str, Any],
    *,
    mapping: Mapping[str, list[str]] | None = None,
    name: str = "submission",
) -> list[VictimRecord]:
    """Map one form submission to one :class:`VictimRecord` (a form reports one victim).

    Raises :class:`PayloadError` naming ``name`` when the victim's name is missing, since a
    record without a name cannot be verified or matched.
    """
    from tawthiq.lang.dates import parse_date
    from tawthiq.lang.places import canonical_governorate, resolve_place

    merged = {**DEFAULT_MAPPING, **(mapping or {})}
    answers = _by_question(flatten(payload))
    evidence: dict[str, str] = {}

    def get(field: str) -> Any:
        for question in merged.get(field, []):
            if question in answers:
                value = answers[question]
                evidence[field] = f"{question}: {value}"
                return value
        return None

    record = VictimRecord()
    primary = _text(get("full_name"))
    other = _text(get("name_other_script"))
    if not primary and not other:
        raise PayloadError(f"{name}: the victim's name is empty (question 'victim_name')")
    names = [n for n in (primary, other) if n]
    arabic = [n for n in names if _is_arabic(n)]
    latin = [n for n in names if not _is_arabic(n)]
    record.name_ar = arabic[0] if arabic else None
    record.full_name = latin[0] if latin else None
    if record.full_name is None and record.name_ar:
        from tawthiq.lang.arabic import transliterate_name

        record.full_name = transliterate_name(record.name_ar)
    record.sex = _SEX.get(str(get("sex") or "").strip().lower())
    record.age = _age(get("age"))
    dod = get("date_of_death") or get("date_of_death_approx")
    record.date_of_death = parse_date(str(dod)) if dod not in (None, "") else None
    if record.age is None and record.date_of_death and get("date_of_birth"):
        record.age = _age_from_dates(parse_date(str(get("date_of_birth"))), record.date_of_death)
    if record.age is not None:
        record.is_child = record.age < 18
    record.place_of_death = _place(get("death_governorate"), get("death_locality"), canonical_governorate, resolve_place)
    record.origin = _place(get("origin_governorate"), get("origin_locality"), canonical_governorate, resolve_place)
    record.cause = _vocab(get("cause"), CAUSES, "unknown")
    record.perpetrator = _vocab(get("perpetrator"), PERPETRATORS, "unknown")
    record.category = _vocab(get("category"), CATEGORIES, "civilian")
    detention = str(get("died_in_detention") or "").strip().lower()
    if detention in _YES:
        record.extra["died_in_detention"] = True
        if record.cause == "unknown":
            record.cause = "torture" if "tortur" in str(get("account") or "").lower() else record.cause
    elif detention in _NO:
        record.extra["died_in_detention"] = False
    for field in ("father_name", "mother_name", "account"):
        value = _text(get(field))
        if value:
            record.extra[field] = value
    record.field_evidence = evidence
    record.evidence = "; ".join(f"{k}: {answers[k]}" for k in list(answers)[:0]) or "; ".join(
        evidence[f] for f in ("full_name", "name_other_script", "date_of_death", "death_locality") if f in evidence
    )
    record.confidence = 0.9
    return [record]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    from tawthiq.lang.text import strip_bidi_controls

    # Answers are plain text: markup typed or pasted into a form is dropped (the raw
    # submission keeps it), and direction overrides that could disguise a name are removed.
    text = re.sub(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)", " ", strip_bidi_controls(str(value)), flags=re.I | re.S)
    text = re.sub(r"<[^>]{0,500}>", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text or None


def _is_arabic(text: str) -> bool:
    from tawthiq.lang.text import arabic_share

    return arabic_share(text) >= 0.5


def _age(value: Any) -> int | None:
    if value in (None, ""):
        return None
    match = re.search(r"\d{1,3}", to_ascii_digits(str(value)))
    if not match:
        return None
    age = int(match.group())
    return age if 0 <= age <= 120 else None


def _age_from_dates(born: str | None, died: str | None) -> int | None:
    if not born or not died or len(born) < 4 or len(died) < 4:
        return None
    years = int(died[:4]) - int(born[:4])
    if len(born) == 10 and len(died) == 10 and died[5:] < born[5:]:
        years -= 1
    return years if 0 <= years <= 120 else None


def _place(governorate: Any, locality: Any, canonical_governorate, resolve_place) -> Place:  # type: ignore[no-untyped-def]
    gov = canonical_governorate(str(governorate)) if governorate else None
    loc = _text(locality)
    if loc and not gov:
        resolved = resolve_place(loc)
        gov = resolved.governorate
    return Place(governorate=gov, locality=loc)


def _vocab(value: Any, vocabulary: tuple[str, ...], default: str) -> str:
    if value in (None, ""):
        return default
    key = re.sub(r"[\s\-]+", "_", str(value).strip().lower())
    if key in vocabulary:
        return key
    from .vocab import classify_cause, classify_perpetrator

    if vocabulary is PERPETRATORS:
        return classify_perpetrator(str(value)) or default
    if vocabulary is CAUSES:
        return classify_cause(str(value)) or default
    return default
