"""The reports page of the review app: pick a month or a year, read the tables and charts,
download them as HTML, Markdown, CSV or JSON, or the victim list behind them as CSV."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from tawthiq.db.models import User
from tawthiq.errors import ConfigError, ReviewError
from tawthiq.review.auth import current_user, get_session

from . import TITLES, Report, build_report, render, render_victims_csv, victims_behind

router = APIRouter()
MEDIA = {"html": "text/html", "md": "text/markdown", "csv": "text/csv", "json": "application/json"}


def _report(session: Session, month: str, year: str) -> Report:
    try:
        return build_report(session, month=month or None, year=year or None)
    except ConfigError as exc:
        raise ReviewError(str(exc)) from exc


@router.get("/reports")
def reports_page(request: Request, month: str = "", year: str = "", user: User = Depends(current_user),
                 session: Session = Depends(get_session)) -> Response:
    from tawthiq.review.app import render as render_page

    from .charts import bar_chart_svg

    report = _report(session, month, year) if (month or year) else None
    charts = {}
    if report is not None:
        for name in ("by_perpetrator", "by_governorate", "by_month"):
            rows = getattr(report, name)
            if name != "by_month" or len(rows) > 1:
                charts[name] = Markup(bar_chart_svg([r["label"] for r in rows], [r["victims"] for r in rows], TITLES[name]))
    return render_page(request, "reports.html", report=report, month=month, year=year, titles=TITLES, tables=Report.TABLES,
                       charts=charts, query=f"month={month}" if month else f"year={year}")


@router.get("/reports/export")
def export(month: str = "", year: str = "", format: str = "csv", user: User = Depends(current_user),
           session: Session = Depends(get_session)) -> Response:
    if format not in MEDIA:
        raise ReviewError(f"unknown format {format!r}; use html, md, csv or json")
    report = _report(session, month, year)
    return Response(render(report, format), media_type=f"{MEDIA[format]}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="report-{report.period}.{format}"'})


@router.get("/reports/victims")
def victims(month: str = "", year: str = "", perpetrator: str = "", governorate: str = "", user: User = Depends(current_user),
            session: Session = Depends(get_session)) -> Response:
    report = _report(session, month, year)
    rows = victims_behind(session, month or None, year or None, perpetrator=perpetrator or None, governorate=governorate or None)
    return Response(render_victims_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="victims-{report.period}.csv"'})
