"""The reports page of the review app: pick a month or a year, read the tables and charts,
download them as HTML, Markdown, CSV or JSON, or the victim list behind them as CSV.

A month or year that cannot be reported, a format, perpetrator or governorate not offered
are 400 with a message in the page's language (review/params.py)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from tawthiq.db.models import User
from tawthiq.extractors.record import GOVERNORATES, PERPETRATORS
from tawthiq.review.auth import current_user, get_session
from tawthiq.review.params import BadParameter, parse_choice

from . import FIRST_YEAR, LAST_YEAR, TITLES, TITLES_AR, RULES, RULES_AR, PeriodError, Report, build_report, render, render_victims_csv, victims_behind

router = APIRouter()
MEDIA = {"html": "text/html", "md": "text/markdown", "csv": "text/csv", "json": "application/json"}


def _report(session: Session, month: str, year: str) -> Report:
    try:
        return build_report(session, month=month or None, year=year or None)
    except PeriodError as exc:
        raise BadParameter(exc.field or "month", exc.value, exc.problem, low=FIRST_YEAR, high=LAST_YEAR) from exc


@router.get("/reports")
def reports_page(request: Request, month: str = "", year: str = "", user: User = Depends(current_user),
                 session: Session = Depends(get_session)) -> Response:
    from tawthiq.review.app import render as render_page

    from .charts import bar_chart_svg

    from tawthiq.review.app import lang_of
    from tawthiq.review.i18n import translate

    lang = lang_of(request)
    report = _report(session, month, year) if (month or year) else None
    charts = {}
    titles = TITLES_AR if lang == "ar" else TITLES
    if report is not None:
        for name in ("by_perpetrator", "by_governorate", "by_month"):
            rows = getattr(report, name)
            if name != "by_month" or len(rows) > 1:
                charts[name] = Markup(bar_chart_svg([label_in(name, r["label"], lang) for r in rows], [r["victims"] for r in rows],
                                                    titles[name], translate("civilians_killed", lang)))
    return render_page(request, "reports.html", report=report, month=month, year=year, titles=titles, tables=Report.TABLES,
                       charts=charts, query=f"month={month}" if month else f"year={year}",
                       label_in=label_in, rules=RULES_AR if lang == "ar" and report is not None and report.rules == RULES else
                       (report.rules if report is not None else []))


def label_in(table: str, label: str, lang: str) -> str:
    """A row label of a report table in the page's language: perpetrators, governorates and the
    words the tables use for what is not known, in Arabic on an Arabic page."""
    if lang != "ar":
        return label
    from tawthiq.extractors.record import GOVERNORATES_AR, PERPETRATOR_LABELS
    from tawthiq.sources.webform import PERPETRATOR_AR

    if table == "by_governorate":
        return GOVERNORATES_AR.get(label, "غير معروف" if label == "Unknown" else label)
    if table == "by_month":
        return "الشهر غير معروف" if label == "month unknown" else label
    if table in ("by_perpetrator", "torture", "personnel", "massacres", "incidents"):
        keys = {shown: key for key, shown in PERPETRATOR_LABELS.items()}
        return PERPETRATOR_AR.get(keys.get(label, label), label)
    return label


@router.get("/reports/export")
def export(month: str = "", year: str = "", format: str = "csv", user: User = Depends(current_user),
           session: Session = Depends(get_session)) -> Response:
    chosen = parse_choice("format", format, MEDIA, required=True)
    report = _report(session, month, year)
    return Response(render(report, chosen), media_type=f"{MEDIA[chosen]}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="report-{report.period}.{chosen}"'})


@router.get("/reports/victims")
def victims(month: str = "", year: str = "", perpetrator: str = "", governorate: str = "", user: User = Depends(current_user),
            session: Session = Depends(get_session)) -> Response:
    perpetrator_code = parse_choice("perpetrator", perpetrator, PERPETRATORS)
    governorate_name = parse_choice("governorate", governorate, GOVERNORATES)
    report = _report(session, month, year)
    rows = victims_behind(session, month or None, year or None, perpetrator=perpetrator_code, governorate=governorate_name)
    return Response(render_victims_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="victims-{report.period}.csv"'})
