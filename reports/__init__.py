"""Monthly and yearly figures from the verified archive, as a documentation team publishes them.

:func:`build_report` counts archived victims (status ``active``: decided by a documenter, not
merged away, not retracted) and returns a :class:`Report` of tables; :func:`render` writes it as
Markdown, HTML with charts, CSV or JSON. The counting rules are part of every report.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tawthiq.db.models import Incident, Source, Victim, VictimSource
from tawthiq.dedupe.files import safe_record, safe_row
from tawthiq.errors import ConfigError
from tawthiq.extractors.record import CHILD_AGE, GOVERNORATES, PERPETRATOR_LABELS

#: The main parties, reported one by one; every other perpetrator is broken down under "other parties".
MAIN_PARTIES = ("syrian_regime", "russian_forces", "isis", "hts", "sna", "sdf", "international_coalition")
FOREIGN = ("turkish_forces", "jordanian_forces", "lebanese_forces", "israeli_forces")
MASSACRE_SIZE = 5
RULES = [
    "Only victims in the verified archive are counted: every one was decided by a documenter; records merged into "
    "another or retracted are not counted.",
    "Victims are counted by place of death (governorate) and by date of death. Where the date of death is unknown, "
    "the date the victim was documented (archived) is used instead; the number of such victims is given.",
    "A child is under 18; a woman is an adult female. Victims whose age or sex is unknown are counted in the totals "
    "but not as children or women; their numbers are given.",
    "Victims whose names are not yet known are counted too (the anonymous archive): for each incident a documenter "
    "confirmed, its count of civilians killed less the named victims linked to it, with its children and women; where "
    "sources give a range, the lowest figure is counted. They are counted under the incident's date, place and perpetrator.",
    f"A massacre is one incident with {MASSACRE_SIZE} or more civilians killed: an archived incident whose confirmed "
    f"count is {MASSACRE_SIZE} or more, or named victims not linked to an incident with the same full date of death, "
    "place of death and perpetrator.",
]
#: The same rules in Arabic, in the same order (a report page read in Arabic).
RULES_AR = [
    "لا يُحتسب إلا الضحايا في الأرشيف المُتحقَّق منه: قرّر موثّق بشأن كلٍّ منهم؛ ولا تُحتسب السجلات المدموجة في سجل آخر "
    "أو المسحوبة.",
    "يُحتسب الضحايا حسب مكان الوفاة (المحافظة) وتاريخها. وإن كان تاريخ الوفاة مجهولاً يُستعمل تاريخ توثيق الضحية (أرشفتها) "
    "بدلاً منه، ويُذكر عدد هؤلاء الضحايا.",
    "الطفل من هو دون الثامنة عشرة، والمرأة أنثى بالغة. الضحايا المجهول عمرهم أو جنسهم يُحتسبون في المجموع لا في الأطفال "
    "أو النساء، وتُذكر أعدادهم.",
    "يُحتسب أيضاً الضحايا الذين لم تُعرف أسماؤهم بعد (الأرشيف المجهول): لكل حادثة أكّدها موثّق، عدد المدنيين الذين قُتلوا فيها "
    "ناقصاً الضحايا المسمّين المرتبطين بها، مع أطفالها ونسائها؛ وحيث تعطي المصادر نطاقاً يُحتسب الرقم الأدنى. ويُحتسبون "
    "بتاريخ الحادثة ومكانها والجهة الفاعلة فيها.",
    f"المجزرة حادثة واحدة قُتل فيها {MASSACRE_SIZE} مدنيين أو أكثر: حادثة مؤرشفة عددها المؤكَّد {MASSACRE_SIZE} أو أكثر، "
    "أو ضحايا مسمّون غير مرتبطين بحادثة يتشاركون تاريخ الوفاة الكامل ومكانها والجهة الفاعلة.",
]


@dataclass
class Report:
    period: str
    start: dt.date
    end: dt.date
    total: dict[str, int]
    by_perpetrator: list[dict[str, Any]]
    by_governorate: list[dict[str, Any]]
    by_month: list[dict[str, Any]]
    torture: list[dict[str, Any]]
    personnel: list[dict[str, Any]]
    massacres: list[dict[str, Any]]
    unknowns: dict[str, int]
    #: Every archived incident of the period: its count (a range where sources differ), how
    #: many of its dead are named and how many not yet, and how many sources back it.
    incidents: list[dict[str, Any]] = field(default_factory=list)
    rules: list[str] = field(default_factory=lambda: list(RULES))
    generated_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))

    TABLES = ("by_perpetrator", "by_governorate", "by_month", "torture", "personnel", "massacres", "incidents")

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        return data


#: The years a report can cover: those the archive's dates can hold (tawthiq.dedupe.parse_date).
FIRST_YEAR, LAST_YEAR = 1900, 2100


class PeriodError(ConfigError):
    """A month or year that cannot be reported: ``field`` is ``month``, ``year`` or None
    (neither or both given), ``problem`` is ``month``, ``year``, ``year_range`` or
    ``month_or_year`` (the review app words its message from these)."""

    def __init__(self, message: str, field: str | None, value: Any, problem: str) -> None:
        super().__init__(message)
        self.field, self.value, self.problem = field, value, problem


def parse_period(month: str | None = None, year: int | str | None = None) -> tuple[str, dt.date, dt.date]:
    """``("2024-03", first day, last day)`` for a month or ``("2024", ...)`` for a year, from
    :data:`FIRST_YEAR` to :data:`LAST_YEAR`; anything else is a :class:`PeriodError`."""
    if bool(month) == bool(year):
        raise PeriodError("give exactly one of --month YYYY-MM or --year YYYY", None, None, "month_or_year")
    if month:
        match = re.fullmatch(r"(\d{4})-(\d{2})", str(month).strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise PeriodError(f"--month {month!r}: write it as YYYY-MM, e.g. 2024-03", "month", month, "month")
        y, m = int(match.group(1)), int(match.group(2))
        if not FIRST_YEAR <= y <= LAST_YEAR:
            raise PeriodError(f"--month {month!r}: reports cover {FIRST_YEAR} to {LAST_YEAR}", "month", month, "year_range")
        end = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
        return f"{y:04d}-{m:02d}", dt.date(y, m, 1), end
    if not re.fullmatch(r"\d{4}", str(year).strip()):
        raise PeriodError(f"--year {year!r}: write it as YYYY, e.g. 2024", "year", year, "year")
    y = int(str(year).strip())
    if not FIRST_YEAR <= y <= LAST_YEAR:
        raise PeriodError(f"--year {year!r}: reports cover {FIRST_YEAR} to {LAST_YEAR}", "year", year, "year_range")
    return f"{y:04d}", dt.date(y, 1, 1), dt.date(y, 12, 31)


def _counted_date(victim: Victim) -> tuple[str | None, bool]:
    """The date a victim is counted under (``YYYY-MM-DD`` or shorter) and whether it is the
    date of documentation because the date of death is unknown."""
    if victim.date_of_death:
        return victim.date_of_death, False
    return victim.created_at.date().isoformat() if victim.created_at else None, True


def _in_period(date: str | None, period: str) -> bool:
    return bool(date and date.startswith(period))


def _is_child(v: Victim) -> bool:
    return bool(v.is_child) or (v.age is not None and v.age < CHILD_AGE)


def _is_woman(v: Victim) -> bool:
    return v.sex == "female" and not _is_child(v) and (v.age is not None or v.is_child is False)


def archived_victims(session: Session, period: str) -> list[Victim]:
    """The archived victims counted in ``period`` (``YYYY`` or ``YYYY-MM``)."""
    victims = session.scalars(select(Victim).where(Victim.status == "active").order_by(Victim.id)).all()
    return [v for v in victims if _in_period(_counted_date(v)[0], period)]


def archived_incidents(session: Session, period: str) -> list[Incident]:
    """The archived incidents dated in ``period``."""
    rows = session.scalars(select(Incident).where(Incident.status == "active", Incident.date.like(f"{period}%"))
                           .order_by(Incident.date, Incident.id)).all()
    return list(rows)


def anonymous_victims(session: Session, incidents: list[Incident]) -> list[Victim]:
    """One unsaved ``Victim`` per person of the anonymous archive: each incident's count less
    its named victims, children and women first as the incident gives them. They carry the
    incident's date, place and perpetrator, so every table counts them as it counts the named."""
    from tawthiq.db.incidents import anonymous

    out: list[Victim] = []
    for incident in incidents:
        left = anonymous(session, incident)
        children, women = min(left.children, left.minimum), min(left.women, max(0, left.minimum - left.children))
        for n in range(left.minimum):
            child = n < children
            woman = not child and n < children + women
            out.append(Victim(full_name=None, sex="female" if woman else None, is_child=True if child else (False if woman else None),
                              age=None, date_of_death=incident.date, death_governorate=incident.governorate,
                              death_locality=incident.locality, perpetrator=incident.perpetrator or "unknown",
                              cause=incident.cause or "unknown", category="civilian", status="active", incident_id=incident.id))
    return out


def _row(label: str, victims: list[Victim], total: int | None = None, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"label": label, **extra, "victims": len(victims), "children": sum(map(_is_child, victims)),
                           "women": sum(map(_is_woman, victims))}
    if total is not None:
        row["percent"] = round(100 * len(victims) / total, 1) if total else 0.0
    return row


def _perpetrator_group(code: str | None, cause: str | None) -> str:
    code = code or "unknown"
    if code in MAIN_PARTIES:
        return PERPETRATOR_LABELS.get(code, code)
    if code == "unidentified":
        kind = {"landmine": "landmines", "explosive_remnant": "landmines", "shooting": "gunfire",
                "bombing": "bombings"}.get(cause or "", "killings")
        return f"Other parties: unidentified {kind}"
    if code in FOREIGN:
        return f"Other parties: {PERPETRATOR_LABELS.get(code, code)}"
    if cause == "drowning":
        return "Other parties: drowning"
    if code == "unknown":
        return "Unknown perpetrator"
    return f"Other parties: {PERPETRATOR_LABELS.get(code, code)}"


def build_report(session: Session, month: str | None = None, year: int | str | None = None) -> Report:
    """Every table of the monthly (``month="YYYY-MM"``) or yearly report."""
    period, start, end = parse_period(month, year)
    named = archived_victims(session, period)
    incidents_in_period = archived_incidents(session, period)
    unnamed = anonymous_victims(session, incidents_in_period)
    victims = named + unnamed
    total = len(victims)
    groups: dict[str, list[Victim]] = defaultdict(list)
    for v in victims:
        groups[_perpetrator_group(v.perpetrator, v.cause)].append(v)
    order = [PERPETRATOR_LABELS.get(p, p) for p in MAIN_PARTIES]
    by_perpetrator = [_row(label, groups.get(label, []), total) for label in order]
    by_perpetrator += [_row(label, groups[label], total) for label in sorted(groups) if label not in order]

    by_gov: dict[str, list[Victim]] = defaultdict(list)
    for v in victims:
        by_gov[v.death_governorate if v.death_governorate in GOVERNORATES else "Unknown"].append(v)
    by_governorate = [_row(g, by_gov.get(g, []), total) for g in GOVERNORATES]
    if by_gov.get("Unknown"):
        by_governorate.append(_row("Unknown", by_gov["Unknown"], total))

    by_month_groups: dict[str, list[Victim]] = defaultdict(list)
    for v in victims:
        date = _counted_date(v)[0] or ""
        by_month_groups[date[:7] if len(date) >= 7 else "month unknown"].append(v)
    months = [f"{start.year:04d}-{m:02d}" for m in range(start.month, end.month + 1)]
    by_month = [_row(m, by_month_groups.get(m, []), total) for m in months]
    if by_month_groups.get("month unknown"):
        by_month.append(_row("month unknown", by_month_groups["month unknown"], total))

    torture_groups: dict[str, list[Victim]] = defaultdict(list)
    for v in victims:
        if v.cause == "torture":
            torture_groups[PERPETRATOR_LABELS.get(v.perpetrator or "unknown", v.perpetrator or "unknown")].append(v)
    torture = [_row(label, vs) for label, vs in sorted(torture_groups.items(), key=lambda kv: -len(kv[1]))]

    personnel_counts: dict[tuple[str, str], list[Victim]] = defaultdict(list)
    for v in victims:
        if v.category in ("medical", "media", "civil_defense"):
            personnel_counts[(v.category, PERPETRATOR_LABELS.get(v.perpetrator or "unknown", v.perpetrator or "unknown"))].append(v)
    personnel = [_row(perpetrator, vs, category=category) for (category, perpetrator), vs in sorted(personnel_counts.items())]

    massacres = []
    for incident in incidents_in_period:
        if incident.killed_min >= MASSACRE_SIZE:
            members = [v for v in victims if v.incident_id == incident.id]
            massacres.append(_row(PERPETRATOR_LABELS.get(incident.perpetrator, incident.perpetrator), members,
                                  date=incident.date or "", incident=incident.id,
                                  place=", ".join(x for x in (incident.locality, incident.governorate) if x)))
    incidents: dict[tuple, list[Victim]] = defaultdict(list)
    for v in named:
        if v.incident_id is None and v.date_of_death and len(v.date_of_death) == 10 and (v.death_locality or v.death_governorate):
            key = (v.date_of_death, (v.death_locality or "").strip().lower(), v.death_governorate or "", v.perpetrator or "unknown")
            incidents[key].append(v)
    massacres += [
        _row(PERPETRATOR_LABELS.get(key[3], key[3]), vs, date=key[0], incident=None,
             place=", ".join(x for x in (vs[0].death_locality, vs[0].death_governorate) if x))
        for key, vs in sorted(incidents.items()) if len(vs) >= MASSACRE_SIZE
    ]
    massacres.sort(key=lambda row: (row["date"], row["place"]))

    unknowns = {
        "date_of_death_unknown": sum(1 for v in victims if _counted_date(v)[1]),
        "governorate_unknown": len(by_gov.get("Unknown", [])),
        "sex_unknown": sum(1 for v in victims if v.sex not in ("male", "female")),
        "age_unknown": sum(1 for v in victims if v.age is None and v.is_child is None),
        "perpetrator_unknown": sum(1 for v in victims if (v.perpetrator or "unknown") == "unknown"),
    }
    totals = {"victims": total, "children": sum(map(_is_child, victims)), "women": sum(map(_is_woman, victims)),
              "massacres": len(massacres), "named": len(named), "not_yet_named": len(unnamed)}
    return Report(period, start, end, totals, by_perpetrator, by_governorate, by_month, torture, personnel, massacres, unknowns,
                  incidents=incident_rows(session, incidents_in_period))


def incident_rows(session: Session, incidents: list[Incident]) -> list[dict[str, Any]]:
    """One row per archived incident: what was counted (the lowest figure, as the totals count
    it), the range the sources give, the named and the not yet named, and its sources."""
    from tawthiq.db.incidents import anonymous
    from tawthiq.db.models import IncidentSource

    rows = []
    for incident in incidents:
        left = anonymous(session, incident)
        sources = session.scalar(select(func.count()).select_from(IncidentSource).where(
            IncidentSource.incident_id == incident.id, IncidentSource.active.is_(True))) or 0
        rows.append({"label": PERPETRATOR_LABELS.get(incident.perpetrator, incident.perpetrator), "date": incident.date or "",
                     "incident": incident.id, "place": ", ".join(x for x in (incident.locality, incident.governorate) if x),
                     "cause": incident.cause, "victims": incident.killed_min, "killed_max": incident.killed_max,
                     "children": incident.children_killed, "women": incident.women_killed, "named": left.named,
                     "not_yet_named": left.minimum, "sources": sources})
    return rows


def victims_behind(session: Session, month: str | None = None, year: int | str | None = None, *,
                   perpetrator: str | None = None, governorate: str | None = None) -> list[dict[str, Any]]:
    """The victims behind a figure: names, date, place, perpetrator and sources. Never the
    submitters' details."""
    period, _, _ = parse_period(month, year)
    out = []
    for v in archived_victims(session, period):
        if perpetrator and v.perpetrator != perpetrator:
            continue
        if governorate and v.death_governorate != governorate:
            continue
        sources = session.execute(select(Source.name, VictimSource.url).join(Source, Source.id == VictimSource.source_id)
                                  .where(VictimSource.victim_id == v.id, VictimSource.active.is_(True))).all()
        date, documented = _counted_date(v)
        out.append({"id": v.id, "full_name": v.full_name, "name_ar": v.name_ar, "sex": v.sex, "age": v.age,
                    "date_of_death": v.date_of_death, "counted_date": date, "date_is_documentation_date": documented,
                    "governorate": v.death_governorate, "locality": v.death_locality, "perpetrator": v.perpetrator,
                    "cause": v.cause, "category": v.category,
                    "sources": "; ".join(f"{name}{' ' + url if url else ''}" for name, url in sources)})
    return out


# --- rendering --------------------------------------------------------------------------------------

#: The tables' titles in Arabic (the review app's report page in Arabic).
TITLES_AR = {"by_perpetrator": "المدنيون الذين قُتلوا حسب الجهة الفاعلة", "by_governorate": "المدنيون الذين قُتلوا حسب محافظة الوفاة",
             "by_month": "المدنيون الذين قُتلوا حسب الشهر", "torture": "الوفيات بسبب التعذيب حسب الجهة الفاعلة",
             "personnel": "الكوادر الطبية والإعلامية وكوادر الدفاع المدني الذين قُتلوا، حسب الجهة الفاعلة",
             "massacres": f"المجازر (حوادث قُتل فيها {MASSACRE_SIZE} مدنيين أو أكثر)",
             "incidents": "الحوادث المؤرشفة: عدد القتلى والمسمّون ومن لم تُعرف أسماؤهم بعد"}
TITLES = {"by_perpetrator": "Civilians killed by perpetrator", "by_governorate": "Civilians killed by governorate of death",
          "by_month": "Civilians killed by month", "torture": "Deaths due to torture by perpetrator",
          "personnel": "Medical, media and civil-defence personnel killed, by perpetrator",
          "massacres": f"Massacres (incidents with {MASSACRE_SIZE} or more civilians killed)",
          "incidents": "Archived incidents: civilians killed, named and not yet named"}


#: The columns of each table's own CSV file, the same whether the table has rows or not.
TABLE_COLUMNS: dict[str, list[str]] = {
    "by_perpetrator": ["label", "victims", "children", "women", "percent"],
    "by_governorate": ["label", "victims", "children", "women", "percent"],
    "by_month": ["label", "victims", "children", "women", "percent"],
    "torture": ["label", "victims", "children", "women"],
    "personnel": ["label", "category", "victims", "children", "women"],
    "massacres": ["label", "date", "incident", "place", "victims", "children", "women"],
    "incidents": ["label", "date", "incident", "place", "cause", "victims", "killed_max", "children", "women", "named",
                  "not_yet_named", "sources"],
}


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    return list(rows[0]) if rows else ["label", "victims", "children", "women"]


def render_markdown(report: Report) -> str:
    lines = [f"# Civilian deaths documented: {report.period}", "",
             f"{report.total['victims']} civilians killed, including {report.total['children']} children and "
             f"{report.total['women']} women; {report.total['massacres']} massacres. "
             f"{report.total.get('not_yet_named', 0)} of the dead are not yet named.", ""]
    for name in Report.TABLES:
        rows = getattr(report, name)
        lines += [f"## {TITLES[name]}", ""]
        if not rows:
            lines += ["None recorded.", ""]
            continue
        columns = _columns(rows)
        lines.append("| " + " | ".join(columns) + " |")
        lines.append("|" + "---|" * len(columns))
        for row in rows:
            lines.append("| " + " | ".join(str(row[c]) for c in columns) + " |")
        lines.append("")
    lines += ["## Unknown fields", ""] + [f"- {k.replace('_', ' ')}: {v}" for k, v in report.unknowns.items()] + [""]
    lines += ["## Counting rules", ""] + [f"- {rule}" for rule in report.rules] + ["", f"Generated {report.generated_at}."]
    return "\n".join(lines) + "\n"


# Every CSV below passes its cells through tawthiq.dedupe.files.spreadsheet_safe (safe_row,
# safe_record): a place or a name sent in as "=HYPERLINK(...)" is written "'=HYPERLINK(...)".
# The counts and percentages are ints and floats, which it leaves as they are.


def render_csv(report: Report) -> str:
    """All tables in one CSV, the table named in the first column."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["table", "label", "category", "date", "place", "victims", "children", "women", "percent"])
    writer.writerow(["total", "all civilians", "", "", "", report.total["victims"], report.total["children"], report.total["women"], 100.0 if report.total["victims"] else 0.0])
    for name in Report.TABLES:
        for row in getattr(report, name):
            writer.writerow(safe_row([name, row["label"], row.get("category", ""), row.get("date", ""), row.get("place", ""),
                                      row["victims"], row["children"], row["women"], row.get("percent", "")]))
    return buffer.getvalue()


def render_victims_csv(rows: Iterable[dict[str, Any]]) -> str:
    """The victim list behind a figure (:func:`victims_behind`) as CSV."""
    buffer = io.StringIO()
    columns = ["id", "full_name", "name_ar", "sex", "age", "date_of_death", "counted_date", "date_is_documentation_date",
               "governorate", "locality", "perpetrator", "cause", "category", "sources"]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(safe_record(row) for row in rows)
    return buffer.getvalue()


def render_html(report: Report) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from .charts import bar_chart_svg

    env = Environment(loader=FileSystemLoader(str(Path(__file__).parent / "templates")), autoescape=select_autoescape())
    charts = {
        "by_perpetrator": bar_chart_svg([r["label"] for r in report.by_perpetrator], [r["victims"] for r in report.by_perpetrator],
                                        "Civilians killed by perpetrator"),
        "by_governorate": bar_chart_svg([r["label"] for r in report.by_governorate], [r["victims"] for r in report.by_governorate],
                                        "Civilians killed by governorate"),
    }
    if len(report.by_month) > 1:
        charts["by_month"] = bar_chart_svg([r["label"] for r in report.by_month], [r["victims"] for r in report.by_month],
                                           "Civilians killed by month")
    from markupsafe import Markup

    return env.get_template("report.html").render(report=report, titles=TITLES, tables=Report.TABLES, columns=_columns,
                                                   charts={k: Markup(v) for k, v in charts.items()})


def render(report: Report, fmt: str) -> str:
    """The report as ``md``, ``html``, ``csv`` or ``json`` text."""
    if fmt == "md":
        return render_markdown(report)
    if fmt == "html":
        return render_html(report)
    if fmt == "csv":
        return render_csv(report)
    if fmt == "json":
        return json.dumps(report.as_dict(), ensure_ascii=False, indent=2)
    raise ConfigError(f"unknown report format {fmt!r}; use md, html, csv or json")


def write_report(report: Report, fmt: str, out: Path, victims: list[dict[str, Any]] | None = None) -> list[Path]:
    """Write the report in ``fmt``, one CSV per table (``report-PERIOD-TABLE.csv``), its
    charts as PNG and SVG, and the victim list when given, into the directory ``out``;
    returns the files written."""
    from .charts import bar_chart_png, bar_chart_svg

    out.mkdir(parents=True, exist_ok=True)
    stem = f"report-{report.period}"
    written = [out / f"{stem}.{fmt}"]
    written[0].write_text(render(report, fmt), encoding="utf-8")
    # One CSV per table whatever the format, for those who reuse the figures in a spreadsheet.
    for name in Report.TABLES:
        path = out / f"{stem}-{name}.csv"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=TABLE_COLUMNS[name], lineterminator="\n")
            writer.writeheader()
            writer.writerows(safe_record(row) for row in getattr(report, name))
        written.append(path)
    for name in ("by_perpetrator", "by_governorate", "by_month"):
        rows = getattr(report, name)
        labels, values = [r["label"] for r in rows], [r["victims"] for r in rows]
        for suffix, data in (("png", bar_chart_png(labels, values, TITLES[name])), ("svg", bar_chart_svg(labels, values, TITLES[name]))):
            path = out / f"{stem}-{name}.{suffix}"
            path.write_bytes(data) if isinstance(data, bytes) else path.write_text(data, encoding="utf-8")
            written.append(path)
    if victims is not None:
        path = out / f"{stem}-victims.csv"
        path.write_text(render_victims_csv(victims), encoding="utf-8")
        written.append(path)
    return written
