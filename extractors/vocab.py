"""Perpetrator, cause and category from the words a report uses (DESIGN.md vocabularies).

Rules are ordered phrase patterns, most specific first, in English and Arabic. Each
``classify_*`` returns the vocabulary value and, through ``classify_*_with_evidence``, the
phrase that decided it, so a documenter sees why ("gunmen we have not yet been able to
identify" → ``unidentified``).
"""

from __future__ import annotations

import re

_P = lambda *alts: re.compile("|".join(alts), re.I)  # noqa: E731

PERPETRATOR_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("unidentified", _P(r"not (yet )?been able to identify", r"unidentified (gunmen|perpetrators?|part(y|ies)|assailants?|persons?)", r"\b(?:of|from|by) (?:an? )?unidentified (?:source|origin)",
                        r"unknown (gunmen|assailants|persons|perpetrators)", r"gunmen whose identit(y|ies)",
                        r"unable to identify the (party|perpetrator|gunmen)", r"identit(y|ies) (has|have|haven['’]t|hasn['’]t)( not)?( yet)? been (identified|revealed)",
                        r"(landmine|land mine|mine)s? (planted|left) by (an )?unidentified", r"مسلحين? مجهولين?", r"مجهولين", r"جهة مجهولة", r"لم نتمكن من تحديد")),
    ("russian_forces", _P(r"russian (forces|warplanes?|air ?force|aircraft|jets?|military|troops)", r"\brussian\b.*\b(air ?strike|warplane)",
                          r"(القوات|الطائرات|الطيران) (الحربي )?الروس(ية|ي)", r"الروسي", r"الروسية")),
    ("syrian_regime", _P(r"syrian regime", r"regime forces", r"\bregime (shelling|bombardment|strikes?|air ?strikes?|troops|army|drones?)", r"assad regime", r"pro-(?:assad|regime)", r"assad forces", r"syrian (army|government) forces", r"government forces",
                         r"\bSAA\b", r"regime (warplanes?|helicopters?|artillery|militias?)", r"قوات النظام", r"النظام السوري", r"قوات الأسد",
                         r"الطيران المروحي", r"ميليشيات النظام", r"قوات الحكومة", r"الجيش السوري")),
    ("isis", _P(r"\bISIS\b", r"\bISIL\b", r"islamic state", r"\bdaesh\b", r"تنظيم الدولة", r"داعش")),
    ("hts", _P(r"hay'?at tahrir al[- ]sham", r"\bHTS\b", r"tahrir al[- ]sham", r"nusra", r"هيئة تحرير الشام", r"جبهة النصرة")),
    ("sdf", _P(r"syrian democratic forces", r"\bSDF\b", r"\bYPG\b", r"\bPYD\b", r"قوات سوريا الديمقراطية", r"\bقسد\b")),
    ("sna", _P(r"syrian national army", r"\bSNA\b", r"armed opposition", r"opposition factions?", r"free syrian army", r"\bFSA\b",
               r"الجيش الوطني", r"فصائل المعارضة", r"المعارضة المسلحة", r"الجيش الحر")),
    ("international_coalition", _P(r"international coalition", r"coalition (forces|warplanes?|air ?strike|drone)", r"us[- ]led coalition",
                                   r"التحالف الدولي")),
    ("turkish_forces", _P(r"turkish (forces|army|drone|warplanes?|artillery|border guards?|gendarmerie)", r"turkey'?s (forces|army)",
                          r"القوات التركية", r"الجندرمة", r"الجيش التركي")),
    ("jordanian_forces", _P(r"jordanian (forces|army|warplanes?|border)", r"القوات الأردنية", r"الجيش الأردني")),
    ("lebanese_forces", _P(r"lebanese (forces|army)", r"hezbollah", r"hizbullah", r"حزب الله", r"الجيش اللبناني")),
    ("israeli_forces", _P(r"israeli (forces|army|warplanes?|air ?strike|drone|occupation)", r"\bIDF\b", r"الاحتلال الإسرائيلي",
                          r"القوات الإسرائيلية", r"إسرائيلي")),
)

CAUSE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("torture", _P(r"tortur", r"died in (detention|custody)", r"under torture", r"registered as having died", r"تحت التعذيب", r"التعذيب",
                   r"في مراكز الاحتجاز", r"في السجن", r"معتقلات النظام")),
    ("drowning", _P(r"drown", r"غرق", r"غرقا")),
    ("landmine", _P(r"land ?mine", r"\bmine (explosion|blast)", r"لغم", r"ألغام")),
    ("explosive_remnant", _P(r"remnants? of war", r"unexploded", r"cluster (sub)?munition", r"explosive remnant", r"leftover (shell|ordnance)",
                             r"\bERW\b", r"\bUXO\b", r"مخلفات", r"قنبلة عنقودية", r"ذخائر غير منفجرة")),
    ("bombing", _P(r"car bomb", r"\bIED\b", r"improvised explosive", r"explosive device", r"bomb(ing)? (explosion|blast|attack)",
                   r"booby[- ]trapped", r"suicide bomb", r"unexplained explosion", r"explosion of an? (bomb|device)", r"سيارة مفخخة", r"عبوة ناسفة",
                   r"تفجير", r"مفخخ", r"انفجار عبوة")),
    ("airstrike", _P(r"air ?strikes?", r"warplanes?", r"fixed[- ]wing", r"helicopters?", r"barrel bombs?", r"\bdrones?\b", r"aerial (bombardment|attack)",
                     r"bombed by (aircraft|planes)", r"غارة", r"الطيران", r"طائرة", r"البراميل المتفجرة", r"مسيّرة", r"مسيرة")),
    ("missile", _P(r"\bmissile", r"ballistic", r"rocket launcher.*missile", r"صاروخ بالستي", r"صواريخ (أرض|ارض)", r"قذيفة صاروخية موجهة")),
    ("shelling", _P(r"shell(ing|ed|s)\b", r"artillery", r"mortar", r"rockets?", r"rocket launcher", r"قصف مدفعي", r"قصف صاروخي", r"قذائف", r"قذيفة",
                    r"مدفعي", r"الهاون", r"راجمات")),
    ("shooting", _P(r"\bshot\b", r"shooting", r"gunfire", r"gunshots?", r"sniper", r"opened fire", r"bullets?", r"shot dead", r"execut(ed|ion)",
                    r"رصاص", r"برصاص", r"قنص", r"قناص", r"إطلاق النار", r"اطلاق النار", r"أعدم", r"إعدام")),
)

CATEGORY_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("civil_defense", _P(r"civil defen[cs]e", r"white helmets", r"rescuers?", r"الدفاع المدني", r"الخوذ البيضاء")),
    ("medical", _P(r"\bnurse", r"\bdoctor", r"\bdr\.", r"surgeon", r"physician", r"paramedic", r"pharmacist", r"medical (staff|worker|personnel)",
                   r"ambulance (driver|crew)", r"midwife", r"ممرض", r"طبيب", r"مسعف", r"صيدلاني", r"الكادر الطبي", r"كوادر طبية", r"جراح")),
    # "sources told reporters" names the press, not the victim's work.
    ("media", _P(r"(?<!told )(?<!told the )(?<!to )(?<!to the )(?:journalist|reporter|correspondent)", r"media (activist|worker)",
                 r"photographer", r"cameraman", r"citizen journalist",
                 r"صحفي", r"ناشط إعلامي", r"إعلامي", r"مصور", r"مراسل")),
)


def _first(rules: tuple[tuple[str, re.Pattern[str]], ...], text: str) -> tuple[str, str] | None:
    best: tuple[int, str, str] | None = None
    for value, pattern in rules:
        match = pattern.search(text)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), value, match.group(0))
    return (best[1], best[2]) if best else None


def _ordered(rules: tuple[tuple[str, re.Pattern[str]], ...], text: str) -> tuple[str, str] | None:
    """The first rule (in rule order) that matches: for causes, specificity beats position."""
    for value, pattern in rules:
        match = pattern.search(text)
        if match:
            return value, match.group(0)
    return None


#: "the town is controlled by Syrian Democratic Forces": who holds the area, not who killed.
_CONTROLLED_BY = re.compile(r"\b(?:controlled by|under the control of|held by|under the rule of)\s+(?:the\s+)?[A-Z][\w'’\- ]{1,40}?(?=[,.;)]|$| and | with )"
                            r"|(?:الخاضعة|الخاضع|تخضع|يخضع)\s+ل(?:سيطرة)?\s*[\u0621-\u064A]+(?:\s+[\u0621-\u064A]+){0,2}")


def classify_perpetrator_with_evidence(text: str) -> tuple[str, str] | None:
    if not text:
        return None
    text = _CONTROLLED_BY.sub(" ", text)
    unidentified = PERPETRATOR_RULES[0][1].search(text)
    if unidentified:
        return "unidentified", unidentified.group(0)
    return _first(PERPETRATOR_RULES[1:], text)


def classify_perpetrator(text: str | None) -> str | None:
    """A perpetrator value for ``text``, or ``None`` when nothing in it names one."""
    found = classify_perpetrator_with_evidence(text or "")
    return found[0] if found else None


def classify_cause_with_evidence(text: str) -> tuple[str, str] | None:
    return _ordered(CAUSE_RULES, text) if text else None


def classify_cause(text: str | None) -> str | None:
    found = classify_cause_with_evidence(text or "")
    return found[0] if found else None


def classify_category_with_evidence(text: str) -> tuple[str, str] | None:
    return _ordered(CATEGORY_RULES, text) if text else None


def classify_category(text: str | None) -> str | None:
    found = classify_category_with_evidence(text or "")
    return found[0] if found else None
