"""The shape of one extracted victim record and the vocabularies it uses.

Every extractor (form submissions, news text, Arabic text, partner CSV files) returns
:class:`VictimRecord` objects, the matcher compares them, the review app shows them and the
archive stores their values. The vocabularies are the ones in DESIGN.md and are shared by
extraction, review and reports, so they live here, in one place.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# The governorates and Place live with the gazetteer that reads them; they are part of this
# module's vocabularies all the same, and are imported from here.
from tawthiq.lang.places import GOVERNORATES as GOVERNORATES
from tawthiq.lang.places import GOVERNORATES_AR as GOVERNORATES_AR
from tawthiq.lang.places import Place as Place

PERPETRATORS: tuple[str, ...] = (
    "syrian_regime",
    "russian_forces",
    "isis",
    "hts",
    "sna",
    "sdf",
    "international_coalition",
    "turkish_forces",
    "jordanian_forces",
    "lebanese_forces",
    "israeli_forces",
    "unidentified",
    "other",
    "unknown",
)

PERPETRATOR_LABELS: dict[str, str] = {
    "syrian_regime": "Syrian regime forces",
    "russian_forces": "Russian forces",
    "isis": "ISIS",
    "hts": "Hay'at Tahrir al-Sham",
    "sna": "Armed opposition / SNA",
    "sdf": "Syrian Democratic Forces",
    "international_coalition": "International coalition forces",
    "turkish_forces": "Turkish forces",
    "jordanian_forces": "Jordanian forces",
    "lebanese_forces": "Lebanese forces",
    "israeli_forces": "Israeli forces",
    "unidentified": "Unidentified parties",
    "other": "Other parties",
    "unknown": "Unknown",
}

CAUSES: tuple[str, ...] = (
    "shooting",
    "shelling",
    "airstrike",
    "missile",
    "landmine",
    "explosive_remnant",
    "bombing",
    "torture",
    "drowning",
    "other",
    "unknown",
)

CATEGORIES: tuple[str, ...] = ("civilian", "medical", "media", "civil_defense")

SEXES: tuple[str, ...] = ("male", "female")

#: The fields of the `tawthiq extract` contract, in the order they are printed.
CONTRACT_FIELDS: tuple[str, ...] = (
    "full_name",
    "name_ar",
    "sex",
    "age",
    "is_child",
    "date_of_death",
    "place_of_death",
    "origin",
    "perpetrator",
    "cause",
    "category",
    "evidence",
)

#: Age under which a victim is counted as a child (DESIGN.md: a child is under 18).
CHILD_AGE = 18


@dataclass
class VictimRecord:
    """One person reported killed, as an extractor found them in one item.

    ``field_evidence`` maps a field name to the sentence or form field it came from, so a
    documenter can see why each value is there; ``evidence`` is the sentence(s) naming the
    person. ``extra`` carries source-specific facts that have no column of their own
    (father's and mother's names, died in detention, date the family learnt of the death).
    """

    full_name: str | None = None
    name_ar: str | None = None
    sex: str | None = None
    age: int | None = None
    is_child: bool | None = None
    date_of_death: str | None = None
    place_of_death: Place = field(default_factory=Place)
    origin: Place = field(default_factory=Place)
    perpetrator: str = "unknown"
    cause: str = "unknown"
    category: str = "civilian"
    evidence: str = ""
    confidence: float = 0.5
    field_evidence: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.place_of_death, dict):
            self.place_of_death = Place(**self.place_of_death)
        if isinstance(self.origin, dict):
            self.origin = Place(**self.origin)
        if self.age is not None and self.is_child is None:
            self.is_child = self.age < CHILD_AGE

    def to_contract(self) -> dict[str, Any]:
        """The JSON object `tawthiq extract` prints for this record (DESIGN.md contract)."""
        data = asdict(self)
        return {name: data[name] for name in CONTRACT_FIELDS}

    def to_dict(self) -> dict[str, Any]:
        """Every field, for storage in a candidate row."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VictimRecord:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    @property
    def display_name(self) -> str:
        return self.full_name or self.name_ar or ""
