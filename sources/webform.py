"""The built-in family form: its questions, their validation, and how a submission is stored.

The questions here are the standard family form. The review app renders them as the public
web form (``review/family_form.py``) and ``scripts/build_xlsform.py`` writes the same
questions as ``tawthiq/forms/family_form.xlsx`` for KoboToolbox and ODK Central, so the
question names a team collects under are the ones the default field mapping
(:data:`tawthiq.extractors.forms.DEFAULT_MAPPING`) reads, whichever tool they use.

A web-form submission is stored raw (submitter answers encrypted) the moment it arrives, in
the request's own transaction, so ``tawthiq pull`` has nothing to fetch for a ``form`` source.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Iterator

from tawthiq.extractors.record import CATEGORIES, CAUSES, GOVERNORATES, GOVERNORATES_AR, PERPETRATOR_LABELS, PERPETRATORS

from . import CursorUpdate, FetchedItem


@dataclass(frozen=True)
class Question:
    name: str
    type: str  # text | textarea | select | integer | date | file
    en: str
    ar: str
    required: bool = False
    choices: str | None = None
    group: str = "victim"
    hint_en: str = ""
    hint_ar: str = ""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


CAUSE_LABELS: dict[str, tuple[str, str]] = {
    "shooting": ("Shooting", "إطلاق نار"), "shelling": ("Shelling", "قصف مدفعي"), "airstrike": ("Airstrike", "غارة جوية"),
    "missile": ("Missile", "صاروخ"), "landmine": ("Landmine", "لغم أرضي"),
    "explosive_remnant": ("Explosive remnant of war", "مخلفات حرب متفجرة"), "bombing": ("Bombing / explosion", "تفجير"),
    "torture": ("Torture", "تعذيب"), "drowning": ("Drowning", "غرق"), "other": ("Other", "أخرى"), "unknown": ("Unknown", "غير معروف"),
}
PERPETRATOR_AR: dict[str, str] = {
    "syrian_regime": "قوات النظام السوري", "russian_forces": "القوات الروسية", "isis": "تنظيم داعش",
    "hts": "هيئة تحرير الشام", "sna": "المعارضة المسلحة / الجيش الوطني", "sdf": "قوات سوريا الديمقراطية",
    "international_coalition": "قوات التحالف الدولي", "turkish_forces": "القوات التركية", "jordanian_forces": "القوات الأردنية",
    "lebanese_forces": "القوات اللبنانية", "israeli_forces": "القوات الإسرائيلية", "unidentified": "جهات لم نتمكن من تحديدها",
    "other": "جهات أخرى", "unknown": "غير معروف",
}
CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    "civilian": ("Civilian", "مدني"), "medical": ("Medical worker", "كادر طبي"),
    "media": ("Media worker", "كادر إعلامي"), "civil_defense": ("Civil defence", "دفاع مدني"),
}

#: list name -> [(choice name, English label, Arabic label)]
CHOICES: dict[str, list[tuple[str, str, str]]] = {
    "sex": [("male", "Male", "ذكر"), ("female", "Female", "أنثى")],
    "yes_no": [("yes", "Yes", "نعم"), ("no", "No", "لا")],
    "yes_no_unknown": [("yes", "Yes", "نعم"), ("no", "No", "لا"), ("unknown", "Don't know", "لا أعرف")],
    "governorate": [(_slug(g), g, GOVERNORATES_AR[g]) for g in GOVERNORATES],
    "cause": [(c, *CAUSE_LABELS[c]) for c in CAUSES],
    "perpetrator": [(p, PERPETRATOR_LABELS[p], PERPETRATOR_AR[p]) for p in PERPETRATORS],
    "category": [(c, *CATEGORY_LABELS[c]) for c in CATEGORIES],
    "relation": [("parent", "Parent", "أب / أم"), ("child", "Son or daughter", "ابن / ابنة"), ("sibling", "Brother or sister", "أخ / أخت"),
                 ("spouse", "Husband or wife", "زوج / زوجة"), ("relative", "Other relative", "قريب آخر"),
                 ("friend", "Friend or neighbour", "صديق / جار"), ("other", "Other", "أخرى")],
}

QUESTIONS: tuple[Question, ...] = (
    Question("victim_name", "text", "Victim's full name", "الاسم الكامل للضحية", required=True,
             hint_en="As the family writes it: first name, father's name, family name", hint_ar="كما تكتبه العائلة: الاسم، اسم الأب، الكنية"),
    Question("victim_name_other", "text", "The name in the other script (Arabic or Latin), if known", "الاسم بالحروف الأخرى (العربية أو اللاتينية) إن وجد"),
    Question("father_name", "text", "Father's name", "اسم الأب"),
    Question("mother_name", "text", "Mother's name", "اسم الأم"),
    Question("sex", "select", "Sex", "الجنس", required=True, choices="sex"),
    Question("age", "integer", "Age at death (years)", "العمر عند الوفاة (بالسنوات)"),
    Question("date_of_birth", "date", "Date of birth, if age unknown", "تاريخ الميلاد إن لم يُعرف العمر"),
    Question("date_of_death", "date", "Date of death", "تاريخ الوفاة", group="death"),
    Question("date_of_death_approx", "text", "If the exact date is unknown: approximate date (e.g. December 2023)",
             "إن لم يُعرف التاريخ بدقة: التاريخ التقريبي (مثل كانون الأول 2023)", group="death"),
    Question("death_governorate", "select", "Governorate where they died", "المحافظة التي توفي فيها", required=True, choices="governorate", group="death"),
    Question("death_locality", "text", "Town or village where they died", "المدينة أو القرية التي توفي فيها", group="death"),
    Question("origin_governorate", "select", "Governorate of origin", "محافظة المنشأ", choices="governorate", group="death"),
    Question("origin_locality", "text", "Home town or village", "مدينة أو قرية المنشأ", group="death"),
    Question("cause", "select", "How did they die?", "كيف توفي؟", choices="cause", group="death"),
    Question("perpetrator", "select", "Who does the family hold responsible?", "من تحمّله العائلة المسؤولية؟", choices="perpetrator", group="death"),
    Question("category", "select", "Was the victim a medical, media or civil defence worker?", "هل كان الضحية من الكوادر الطبية أو الإعلامية أو الدفاع المدني؟",
             choices="category", group="death"),
    Question("died_in_detention", "select", "Did they die in detention?", "هل توفي في مكان احتجاز؟", choices="yes_no_unknown", group="death"),
    Question("account", "textarea", "What happened, in your words", "ماذا حدث، بكلماتك", group="death"),
    Question("photo_1", "file", "Photo or document", "صورة أو وثيقة", group="files"),
    Question("photo_2", "file", "Photo or document", "صورة أو وثيقة", group="files"),
    Question("photo_3", "file", "Photo or document", "صورة أو وثيقة", group="files"),
    Question("submitter_relation", "select", "Your relation to the victim", "صلتك بالضحية", required=True, choices="relation", group="submitter"),
    Question("submitter_name", "text", "Your name", "اسمك", group="submitter"),
    Question("submitter_contact", "text", "Phone, WhatsApp or e-mail to reach you", "هاتف أو واتساب أو بريد إلكتروني للتواصل معك", group="submitter"),
    Question("consent_follow_up", "select", "May a documenter contact you to follow up?", "هل تسمح بأن يتواصل معك أحد الموثقين للمتابعة؟",
             required=True, choices="yes_no", group="submitter"),
)

GROUPS: dict[str, tuple[str, str]] = {
    "victim": ("The victim", "الضحية"),
    "death": ("Their death", "الوفاة"),
    "files": ("Photos or documents (optional)", "صور أو وثائق (اختياري)"),
    "submitter": ("About you (kept separately and encrypted; never published)", "عنك (تُحفظ منفصلة ومشفرة ولا تُنشر أبداً)"),
}

MAX_TEXT = 200
MAX_ACCOUNT = 10_000
MAX_FILES = 3
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Magic bytes of the file types a family may attach (the declared type is not trusted).
FILE_TYPES: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"), (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"%PDF-", "application/pdf", ".pdf"), (b"RIFF", "image/webp", ".webp"),
)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("This answer is needed.", "هذه الإجابة مطلوبة."),
    "choice": ("Choose one of the options.", "اختر أحد الخيارات."),
    "too_long": ("This answer is too long.", "هذه الإجابة طويلة جداً."),
    "age": ("Write the age as a number of years between 0 and 120.", "اكتب العمر بالسنوات رقماً بين 0 و120."),
    "date": ("Write the date as YYYY-MM-DD or DD/MM/YYYY.", "اكتب التاريخ بالشكل يوم/شهر/سنة أو سنة-شهر-يوم."),
    "future": ("This date is in the future.", "هذا التاريخ في المستقبل."),
    "before_2011": ("This date is before March 2011; check the year.", "هذا التاريخ قبل آذار 2011؛ تحقق من السنة."),
    "death_date": ("Give the date of death, exact or approximate.", "اذكر تاريخ الوفاة، دقيقاً أو تقريبياً."),
    "birth_after_death": ("The date of birth is after the date of death.", "تاريخ الميلاد بعد تاريخ الوفاة."),
    "name": ("Write the name in letters.", "اكتب الاسم بالحروف."),
    "file_type": ("Attach a photo (JPEG, PNG, WebP) or a PDF.", "أرفق صورة (JPEG أو PNG أو WebP) أو ملف PDF."),
    "file_size": ("Each file may be at most 5 MB.", "الحد الأقصى لكل ملف 5 ميغابايت."),
}


def message(key: str, lang: str) -> str:
    en, ar = MESSAGES[key]
    return ar if lang == "ar" else en


def choice_names(list_name: str) -> set[str]:
    return {name for name, _, _ in CHOICES[list_name]}


def parse_form_date(value: str) -> dt.date | None:
    """``YYYY-MM-DD`` (what a date input sends) or ``DD/MM/YYYY`` / ``DD-MM-YYYY`` (what people
    type), with Arabic-Indic digits allowed; ``None`` when it is not a real date."""
    text = value.strip().translate(_DIGITS)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = re.fullmatch(r"(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})", text)
        if not match:
            return None
        day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


@dataclass
class Upload:
    field: str
    filename: str
    content: bytes


@dataclass
class Validated:
    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, str, bytes]] = field(default_factory=list)


def validate_submission(form: dict[str, str], uploads: list[Upload], lang: str = "en", today: dt.date | None = None) -> Validated:
    """Check a web-form submission the way a documenter would before accepting it, with
    messages in the family's language. Returns the clean answers, per-question errors and
    the accepted files as ``(name, media type, bytes)``."""
    from tawthiq.lang.text import strip_bidi_controls

    today = today or dt.date.today()
    result = Validated()
    for question in QUESTIONS:
        if question.type == "file":
            continue
        raw = strip_bidi_controls(str(form.get(question.name, "") or "")).replace("\x00", "").strip()
        if question.type != "textarea":
            raw = re.sub(r"\s+", " ", raw)
        if not raw:
            if question.required:
                result.errors[question.name] = message("required", lang)
            continue
        limit = MAX_ACCOUNT if question.type == "textarea" else MAX_TEXT
        if len(raw) > limit:
            result.errors[question.name] = message("too_long", lang)
            continue
        if question.type == "select":
            if raw not in choice_names(question.choices or ""):
                result.errors[question.name] = message("choice", lang)
                continue
        elif question.type == "integer":
            digits = raw.translate(_DIGITS)
            if not digits.isdigit() or not 0 <= int(digits) <= 120:
                result.errors[question.name] = message("age", lang)
                continue
            raw = int(digits)  # type: ignore[assignment]
        elif question.type == "date":
            parsed = parse_form_date(raw)
            if parsed is None:
                result.errors[question.name] = message("date", lang)
                continue
            if parsed > today:
                result.errors[question.name] = message("future", lang)
                continue
            if question.name == "date_of_death" and parsed < dt.date(2011, 3, 1):
                result.errors[question.name] = message("before_2011", lang)
                continue
            raw = parsed.isoformat()
        elif question.name in ("victim_name", "victim_name_other", "father_name", "mother_name"):
            if not re.search(r"[^\W\d_]", raw):
                result.errors[question.name] = message("name", lang)
                continue
        result.answers[question.name] = raw
    answers = result.answers
    if "date_of_death" not in answers and "date_of_death_approx" not in answers and "date_of_death" not in result.errors:
        result.errors["date_of_death"] = message("death_date", lang)
    if answers.get("date_of_birth") and answers.get("date_of_death") and answers["date_of_birth"] > answers["date_of_death"]:
        result.errors["date_of_birth"] = message("birth_after_death", lang)
    for upload in uploads[:MAX_FILES]:
        if not upload.content:
            continue
        if len(upload.content) > MAX_FILE_BYTES:
            result.errors[upload.field] = message("file_size", lang)
            continue
        kind = next(((media, ext) for magic, media, ext in FILE_TYPES if upload.content.startswith(magic)
                     and (media != "image/webp" or upload.content[8:12] == b"WEBP")), None)
        if kind is None:
            result.errors[upload.field] = message("file_type", lang)
            continue
        stem = re.sub(r"[^\w\-]+", "_", upload.filename.rsplit(".", 1)[0])[:60] or upload.field
        result.files.append((f"{upload.field}-{stem}{kind[1]}", kind[0], upload.content))
    return result


def new_receipt() -> str:
    """A receipt number a family can read out on the phone: ``TQ-XXXX-XXXX`` without
    letters that look alike (no 0/O, 1/I)."""
    body = "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(8))
    return f"TQ-{body[:4]}-{body[4:]}"


def web_submission_item(receipt: str, answers: dict[str, Any], files: list[tuple[str, str, bytes]], *, lang: str,
                        flagged: str | None = None) -> FetchedItem:
    """The item a web-form submission is stored as (see :func:`~.submissions.form_item`)."""
    from .submissions import form_item

    payload = {**answers, "_receipt": receipt, "_submission_time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
               "_language": lang, "_attachments": [name for name, _, _ in files]}
    item = form_item(receipt, payload, url=None, meta={"receipt": receipt, "language": lang}, attachments=files)
    if flagged:
        item.error = flagged
        item.meta["flagged"] = flagged
    return item


class WebFormConnector:
    """Web-form submissions are stored as they arrive; a pull only records that it looked."""

    kind = "form"

    def fetch(self, name: str, settings: dict[str, Any], cursor: dict[str, Any]) -> Iterator[FetchedItem | CursorUpdate]:
        yield CursorUpdate({**cursor, "last_checked": dt.datetime.now(dt.UTC).isoformat()})


# --- the same questions as an XLSForm (KoboToolbox, ODK Central) ---------------------------

XLSFORM_ID = "tawthiq_family_form"
XLSFORM_VERSION = "2026112501"
XLSFORM_GROUPS = {"victim": "group_victim", "death": "group_death", "files": "group_files", "submitter": "group_submitter"}
_XLS_TYPES = {"text": "text", "textarea": "text", "integer": "integer", "date": "date"}
_CONSTRAINTS: dict[str, tuple[str, str, str]] = {
    "age": (". >= 0 and . <= 120", MESSAGES["age"][0], MESSAGES["age"][1]),
    "date_of_death": (". <= today() and . >= date('2011-03-01')", MESSAGES["before_2011"][0], MESSAGES["before_2011"][1]),
    "date_of_birth": (". <= today()", MESSAGES["future"][0], MESSAGES["future"][1]),
}


def xlsform_rows() -> tuple[list[list[Any]], list[list[Any]], list[list[Any]]]:
    """``(survey, choices, settings)`` rows of the standard family form as an XLSForm."""
    survey: list[list[Any]] = [["type", "name", "label::English (en)", "label::Arabic (ar)", "hint::English (en)",
                                "hint::Arabic (ar)", "required", "constraint", "constraint_message::English (en)",
                                "constraint_message::Arabic (ar)", "appearance", "parameters"],
                               ["start", "start"] + [""] * 10, ["end", "end"] + [""] * 10]
    for group, (en, ar) in GROUPS.items():
        survey.append(["begin_group", XLSFORM_GROUPS[group], en, ar] + [""] * 6 + ["field-list", ""])
        for q in (q for q in QUESTIONS if q.group == group):
            if q.type == "select":
                kind = f"select_one {q.choices}"
            elif q.type == "file":
                kind = "image" if q.name != "photo_3" else "file"
            else:
                kind = _XLS_TYPES[q.type]
            required = "yes" if q.required else ""
            if q.name == "date_of_death":
                required = "${date_of_death_approx} = ''"
            constraint = _CONSTRAINTS.get(q.name, ("", "", ""))
            appearance = "multiline" if q.type == "textarea" else ""
            parameters = "max-pixels=1600" if kind == "image" else ""
            survey.append([kind, q.name, q.en, q.ar, q.hint_en, q.hint_ar, required, *constraint, appearance, parameters])
        survey.append(["end_group", ""] + [""] * 10)
    choices: list[list[Any]] = [["list_name", "name", "label::English (en)", "label::Arabic (ar)"]]
    for list_name, options in CHOICES.items():
        choices.extend([list_name, name, en, ar] for name, en, ar in options)
    settings = [["form_title", "form_id", "version", "default_language"],
                ["Family report of a death — الإبلاغ عن وفاة", XLSFORM_ID, XLSFORM_VERSION, "Arabic (ar)"]]
    return survey, choices, settings


def write_xlsform(path: str) -> None:
    """Write the standard family form as an XLSForm workbook a team can upload to
    KoboToolbox or ODK Central unchanged."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook()
    for index, (title, rows) in enumerate(zip(("survey", "choices", "settings"), xlsform_rows())):
        sheet = book.active if index == 0 else book.create_sheet()
        assert isinstance(sheet, Worksheet)  # a new workbook's sheets are all plain worksheets
        sheet.title = title
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    book.save(path)
