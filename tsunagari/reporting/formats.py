"""The report written as PDF (fpdf2, IPAex Gothic embedded) and as an Excel workbook (openpyxl).

Both follow the national programme's order: activities by item, KPIs against targets, spending
against budget, achievements, issues, next year. Charts: horizontal bars drawn in the PDF itself
and native Excel bar charts, so no image library is needed.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

WITHHELD = "<10"


@cache
def font_path() -> str:
    import matplotlib_fontja

    return str(Path(matplotlib_fontja.__file__).parent / "fonts" / "ipaexg.ttf")


def shown(value: Any, data: dict[str, Any], *, available: bool = True) -> str:
    """A count as the report prints it: withheld small counts and missing figures say so."""
    if not available:
        return _("not available")
    if value is None:
        below = data.get("suppressed_below")
        return f"<{below}" if below else "–"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def title(data: dict[str, Any]) -> str:
    return _("%(platform)s: programme report for FY %(year)s") % {
        "platform": data["platform"]["name"],
        "year": data["fiscal_year"],
    }


def sections(data: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """The report's tables as (heading, header, rows) of text: what PDF and Excel both print."""
    out: list[tuple[str, list[str], list[list[str]]]] = []
    for item in data["items"]:
        heading = ("◎ " if item["required"] else "") + item["label"]
        rows = [
            [_("Activity"), a["title"], a["timing"], a["carried_out_on"] or _("not yet"), a["result"]]
            for a in item["activities"]
        ]
        for f in item["figures"]:
            rows.append([_("Figure"), f["label"], "", shown(f["value"], data, available=f["available"]), f["source"]])
            # Its breakdown (members by type, referrals by outcome, top needs), one line each.
            rows += [["", "・" + b["label"], "", shown(b["value"], data), ""] for b in f["breakdown"]]
        out.append(
            (
                heading,
                [
                    _("Kind"),
                    pgettext("report column", "What"),
                    pgettext("report column", "When"),
                    _("Result"),
                    _("Notes"),
                ],
                rows,
            )
        )
    out.append(
        (
            _("KPIs against targets"),
            [_("Item"), _("Indicator"), _("Target"), _("Result"), _("Achieved"), _("How it is counted")],
            [
                [
                    k["item"],
                    k["name"],
                    f"{k['target']:,}",
                    shown(k["actual"], data),
                    f"{k['percent']}%" if k["percent"] is not None else "–",
                    k["how"],
                ]
                for k in data["kpis"]
            ],
        )
    )
    total = data["budget_total"]
    out.append(
        (
            _("Spending against budget (yen)"),
            [_("Budget line"), _("Item"), _("Budget"), _("Spent"), _("Spent (%)")],
            [[b["name"], b["item"], f"{b['budget']:,}", f"{b['spent']:,}", _pct(b["percent"])] for b in data["budget"]]
            + [[_("Total"), "", f"{total['budget']:,}", f"{total['spent']:,}", _pct(total["percent"])]],
        )
    )
    out.append(
        (
            _("Milestones"),
            [_("Milestone"), _("Due on"), _("Reached on")],
            [[m["title"], m["due_on"], m["done_on"] or (_("late") if m["late"] else "")] for m in data["milestones"]],
        )
    )
    return out


def _pct(value: int | None) -> str:
    return f"{value}%" if value is not None else "–"


def texts(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (_("Aims of the year"), data["summary"]),
        (_("Achievements"), data["achievements"]),
        (_("Issues"), data["issues"]),
        (_("Plans for next year"), data["next_year"]),
    ]


def bars(data: dict[str, Any]) -> list[tuple[str, int]]:
    """(label, percent achieved) of each KPI with a result: the chart of the report."""
    return [(k["name"], k["percent"]) for k in data["kpis"] if k["percent"] is not None]


def pdf(data: dict[str, Any]) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    document = FPDF(orientation="P", unit="mm", format="A4")
    document.set_creation_date(_fixed_date(data))
    document.set_title(title(data))
    document.add_font("ipaexg", "", font_path())
    document.set_font("ipaexg", size=10)
    document.set_auto_page_break(True, margin=15)
    document.add_page()
    document.set_font_size(15)
    document.multi_cell(0, 8, title(data), new_x="LMARGIN", new_y="NEXT")
    document.set_font_size(9)
    document.multi_cell(
        0,
        5,
        _("Period: %(start)s to %(end)s.") % data["period"]
        + (
            " "
            + _("Counts from 1 to %(n)s are withheld (shown as <%(n1)s).")
            % {"n": data["suppressed_below"] - 1, "n1": data["suppressed_below"]}
            if data["suppressed_below"]
            else ""
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if data["gaps"]:
        labels = {item["key"]: item["label"] for item in data["items"]}
        document.multi_cell(
            0,
            5,
            _("Required items with nothing done by the end of September: %(items)s")
            % {"items": "、".join(labels[g] for g in data["gaps"])},
            new_x="LMARGIN",
            new_y="NEXT",
        )
    heading_style = FontFace(fill_color=(225, 232, 242))
    for heading, header, rows in sections(data):
        document.ln(3)
        document.set_font_size(12)
        document.multi_cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
        document.set_font_size(8)
        if not rows:
            document.multi_cell(0, 5, _("Nothing entered."), new_x="LMARGIN", new_y="NEXT")
            continue
        with document.table(headings_style=heading_style, line_height=4.5) as table:
            table.row(header)
            for row in rows:
                table.row([cell or "" for cell in row])
    chart = bars(data)
    if chart:
        document.ln(3)
        document.set_font_size(12)
        document.multi_cell(0, 7, _("KPIs: share of the target reached"), new_x="LMARGIN", new_y="NEXT")
        document.set_font_size(8)
        for label, value in chart:
            y = document.get_y()
            document.set_xy(document.l_margin, y)
            document.cell(60, 5, label[:30])
            document.set_fill_color(59, 110, 165)
            document.rect(document.l_margin + 62, y + 1, min(value, 150) * 0.8, 3.5, style="F")
            document.set_xy(document.l_margin + 64 + min(value, 150) * 0.8, y)
            document.cell(20, 5, f"{value}%", new_x="LMARGIN", new_y="NEXT")
    for heading, text in texts(data):
        document.ln(3)
        document.set_font_size(12)
        document.multi_cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
        document.set_font_size(9)
        document.multi_cell(0, 5, text or _("Nothing entered."), new_x="LMARGIN", new_y="NEXT")
    if data["evidence"]:
        document.ln(3)
        document.set_font_size(12)
        document.multi_cell(0, 7, _("Evidence attached"), new_x="LMARGIN", new_y="NEXT")
        document.set_font_size(9)
        for e in data["evidence"]:
            document.multi_cell(0, 5, f"・{e['name']}（{e['kind']}）", new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


def _fixed_date(data: dict[str, Any]) -> Any:
    """The PDF's creation date: the report's last day, so the same report gives the same file."""
    import datetime

    return datetime.datetime.fromisoformat(data["period"]["end"]).replace(tzinfo=datetime.UTC)


def xlsx(data: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font, PatternFill

    from tsunagari.lib.spreadsheet import safe_cell

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Report")[:31]
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E1E8F2")
    sheet.append([title(data)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("Period: %(start)s to %(end)s.") % data["period"]])
    if data["suppressed_below"]:
        sheet.append([_("Counts below %(n)s are withheld.") % {"n": data["suppressed_below"]}])
    for heading, header, rows in sections(data):
        sheet.append([])
        sheet.append([heading])
        sheet.cell(sheet.max_row, 1).font = bold
        sheet.append(header)
        for cell in sheet[sheet.max_row]:
            cell.fill = fill
        for row in rows:
            sheet.append([safe_cell(cell) for cell in row])
    for heading, text in texts(data):
        sheet.append([])
        sheet.append([heading])
        sheet.cell(sheet.max_row, 1).font = bold
        sheet.append([safe_cell(text)])
    for column, width in zip("ABCDEF", (28, 40, 14, 14, 14, 50), strict=True):
        sheet.column_dimensions[column].width = width

    # Plain numbers for people who want to compute, and the charts drawn from them.
    figures = book.create_sheet(_("Figures")[:31])
    figures.append([_("Item"), _("Figure"), _("Count"), _("Counted from")])
    for item in data["items"]:
        for f in item["figures"]:
            value = (
                f["value"]
                if f["available"] and f["value"] is not None
                else shown(f["value"], data, available=f["available"])
            )
            figures.append([item["label"], f["label"], value, f["source"]])
            for b in f["breakdown"]:
                part = b["value"] if b["value"] is not None else shown(None, data)
                figures.append([item["label"], f"{f['label']}：{b['label']}", part, ""])
    kpis = book.create_sheet(_("KPIs")[:31])
    kpis.append([_("Indicator"), _("Target"), _("Result"), _("Achieved (%)")])
    for k in data["kpis"]:
        kpis.append([safe_cell(k["name"]), k["target"], k["actual"], k["percent"]])
    if data["kpis"]:
        chart = BarChart()
        chart.type = "bar"
        chart.title = _("KPIs: share of the target reached")
        chart.add_data(Reference(kpis, min_col=4, min_row=1, max_row=len(data["kpis"]) + 1), titles_from_data=True)
        chart.set_categories(Reference(kpis, min_col=1, min_row=2, max_row=len(data["kpis"]) + 1))
        kpis.add_chart(chart, "F2")
    budget = book.create_sheet(_("Budget")[:31])
    budget.append([_("Budget line"), _("Budget"), _("Spent")])
    for b in data["budget"]:
        budget.append([safe_cell(b["name"]), b["budget"], b["spent"]])
    if data["budget"]:
        chart = BarChart()
        chart.title = _("Spending against budget (yen)")
        chart.add_data(
            Reference(budget, min_col=2, max_col=3, min_row=1, max_row=len(data["budget"]) + 1), titles_from_data=True
        )
        chart.set_categories(Reference(budget, min_col=1, min_row=2, max_row=len(data["budget"]) + 1))
        budget.add_chart(chart, "E2")
    book.properties.created = _fixed_date(data).replace(tzinfo=None)
    book.properties.modified = book.properties.created
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
