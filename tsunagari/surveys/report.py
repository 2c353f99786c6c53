"""The survey report in three forms: bar charts as inline SVG (HTML), a PDF (fpdf2) and an Excel workbook.

The PDF embeds IPAex Gothic, the Japanese font matplotlib-fontja ships (a locked dependency), so it
reads the same on every computer. Charts are drawn with our own rectangles rather than matplotlib:
a bar per option with its 95% interval is all a municipal report needs, and it stays crisp in print.
Only results.results() is drawn, so the report carries its privacy rules (withheld cells, no free text).
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import matplotlib_fontja
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.styles import Font

from tsunagari.lib.spreadsheet import safe_cell

from .models import Survey
from .references import Comparison, note
from .results import Result, SamplingErrors, table_rows

Compared = tuple[list[Comparison], list[Result]]

FONT = Path(matplotlib_fontja.__file__).parent / "fonts" / "ipaexg.ttf"
WITHHELD = "—"


def percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def cell(result: Result, value: float) -> str:
    return percent(value) if result.kind != "mean" else f"{value:.2f}"


def lines(result: Result, domain: str | None, min_cell: int) -> list[dict[str, str]]:
    """The table rows of one domain as shown: the share (or mean), its interval and n; withheld as —."""
    out = []
    for row in result.rows:
        if row.domain != domain:
            continue
        e = row.estimate
        published = row.published_n(min_cell)
        n = WITHHELD if published is None else str(published)
        if row.suppressed or math.isnan(e.estimate):
            out.append({"label": row.label, "value": WITHHELD, "interval": WITHHELD, "n": n})
        else:
            interval = f"{cell(result, e.ci95[0])}–{cell(result, e.ci95[1])}"
            out.append({"label": row.label, "value": cell(result, e.estimate), "interval": interval, "n": n})
    return out


def sampling_error_text(table: SamplingErrors) -> tuple[str, list[str], list[list[str]]]:
    """The 標本誤差早見表 as every format prints it: (note, header, rows), margins in percentage points."""
    header = [_("Base (respondents)"), *(f"{round(p * 100)}%（{round((1 - p) * 100)}%）" for p in table.proportions)]
    rows = [[f"{row.n:,}", *(f"±{h * 100:.1f}" for h in row.half_widths)] for row in table.rows]
    if table.clustered:
        note = _(
            "The 95%% margin of error of a share, in percentage points, by the number of respondents it rests on "
            "(the base) and the share found: ± 1.96 × √(design effect × (N − n)/(N − 1) × p(1 − p)/n). "
            "Design effect of the two-stage (clustered) design: %(deff)s, the mean over the survey's shares of "
            "their design variance divided by the simple random variance."
        ) % {"deff": f"{table.design_effect:.2f}"}
    else:
        note = _(
            "The 95%% margin of error of a share, in percentage points, by the number of respondents it rests on "
            "(the base) and the share found: ± 1.96 × √(design effect × (N − n)/(N − 1) × p(1 − p)/n). "
            "Design effect of the weights: %(deff)s."
        ) % {"deff": f"{table.design_effect:.2f}"}
    if table.population:
        note += " " + _("Finite population correction with a population of %(population)s.") % {
            "population": f"{table.population:,}"
        }
    else:
        note += " " + _("No finite population correction (the population is not entered).")
    return note, header, rows


def comparison_header() -> list[str]:
    return [
        _("Answer"),
        _("This survey"),
        _("95%% interval") % {},
        _("Published figure"),
        _("Published 95%% interval") % {},
        _("Reading"),
    ]


def comparison_text(comparison: Comparison) -> list[list[str]]:
    """The comparison's table as every format prints it: shares in %, withheld or not entered as —."""
    out = []
    for line in comparison.lines:
        local_ci = line.local_ci
        reference_ci = line.reference_ci
        out.append(
            [
                line.label,
                WITHHELD if line.local is None else percent(line.local),
                WITHHELD if local_ci is None else f"{percent(local_ci[0])}–{percent(local_ci[1])}",
                WITHHELD if line.reference is None else percent(line.reference),
                WITHHELD if reference_ci is None else f"{percent(reference_ci[0])}–{percent(reference_ci[1])}",
                line.verdict(),
            ]
        )
    return out


def comparison_title() -> str:
    return _("Comparison with published figures")


def missing_text(missing: list[Result]) -> str:
    """The sentence saying which standard questions have no published figure entered."""
    return _(
        "No published figure is entered for: %(titles)s. A coordinator enters them under Surveys → Published reference figures."
    ) % {"titles": "、".join(result.title for result in missing)}


def bar_chart(result: Result, domain: str | None) -> SafeString:
    """An accessible inline SVG: one bar per option with its interval; withheld bars are left out and named."""
    if result.kind == "mean":
        return mark_safe("")
    rows = [r for r in result.rows if r.domain == domain]
    width, label_width, bar_height, gap = 640, 240, 18, 8
    height = len(rows) * (bar_height + gap) + gap
    scale = width - label_width - 70
    parts = [
        f'<svg class="survey-chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(result.title)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, row in enumerate(rows):
        y = gap + i * (bar_height + gap)
        label = row.label if len(row.label) <= 18 else row.label[:17] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height - 4}" text-anchor="end" font-size="12">{escape(label)}</text>'
        )
        e = row.estimate
        if row.suppressed or math.isnan(e.estimate):
            parts.append(
                f'<text x="{label_width + 4}" y="{y + bar_height - 4}" font-size="12" fill="#555">{WITHHELD}</text>'
            )
            continue
        w = max(1.0, e.estimate * scale)
        lo, hi = label_width + e.ci95[0] * scale, label_width + e.ci95[1] * scale
        parts.append(f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="#1f5fa8"/>')
        parts.append(
            f'<line x1="{lo:.1f}" x2="{hi:.1f}" y1="{y + bar_height / 2}" y2="{y + bar_height / 2}" stroke="#000" stroke-width="1.5"/>'
        )
        parts.append(
            f'<text x="{label_width + w + 6:.1f}" y="{y + bar_height - 4}" font-size="12">{percent(e.estimate)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text inside is escaped above


class _PDF(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("ipaexg", size=8)
        self.cell(0, 8, f"{self.page_no()}", align="C")


def pdf(
    survey: Survey,
    found: list[Result],
    weights: str = "",
    *,
    min_cell: int,
    sampling: SamplingErrors | None = None,
    compared: Compared = ([], []),
) -> bytes:
    """The report as a PDF; `min_cell` is the reader's threshold (results.smallest_shown)."""
    document = _PDF(format="A4")
    document.add_font("ipaexg", fname=str(FONT))
    document.set_auto_page_break(True, margin=16)
    document.add_page()
    document.set_font("ipaexg", size=16)
    document.multi_cell(0, 9, survey.title, new_x="LMARGIN", new_y="NEXT")
    document.set_font("ipaexg", size=9)
    document.multi_cell(
        0,
        5,
        _(
            "Shares of respondents who answered each question, with 95%% confidence intervals. Results resting "
            "on fewer than %(min)s respondents are not shown (—). Made on %(date)s."
        )
        % {"min": min_cell, "date": timezone.localdate().isoformat()},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if weights:
        document.multi_cell(0, 5, weights, new_x="LMARGIN", new_y="NEXT")
    if sampling is not None:
        _pdf_sampling_errors(document, sampling)
    _pdf_comparisons(document, compared)
    for result in found:
        for domain in result.domains():
            rows = [r for r in result.rows if r.domain == domain]
            needed = 14 + 6 * len(rows)
            if document.get_y() + needed > document.h - 20:
                document.add_page()
            document.ln(3)
            document.set_font("ipaexg", size=11)
            title = result.title if domain is None else f"{result.title}（{domain}）"
            document.multi_cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
            document.set_font("ipaexg", size=8)
            for row in rows:
                e = row.estimate
                y = document.get_y()
                document.set_x(12)
                document.cell(70, 5, row.label[:36])
                if row.suppressed or math.isnan(e.estimate):
                    document.cell(20, 5, WITHHELD)
                    document.ln(5.5)
                    continue
                text = cell(result, e.estimate)
                interval = f"[{cell(result, e.ci95[0])}–{cell(result, e.ci95[1])}]"
                document.cell(18, 5, text, align="R")
                document.cell(34, 5, interval, align="R")
                if result.kind != "mean":
                    document.set_fill_color(31, 95, 168)
                    document.rect(136, y + 1, max(0.3, 60 * e.estimate), 3, style="F")
                document.ln(5.5)
            document.set_x(12)
            document.cell(0, 5, _("respondents: %(n)s") % {"n": _n(rows, min_cell)})
            document.ln(5)
    return bytes(document.output())


def _pdf_comparisons(document: FPDF, compared: Compared) -> None:
    comparisons, missing = compared
    if not comparisons and not missing:
        return
    document.ln(3)
    document.set_font("ipaexg", size=11)
    document.multi_cell(0, 6, comparison_title(), new_x="LMARGIN", new_y="NEXT")
    document.set_font("ipaexg", size=8)
    document.multi_cell(0, 4.5, note(), new_x="LMARGIN", new_y="NEXT")
    for comparison in comparisons:
        document.ln(2)
        document.set_font("ipaexg", size=9)
        document.multi_cell(0, 5, comparison.result.title, new_x="LMARGIN", new_y="NEXT")
        document.set_font("ipaexg", size=7)
        # fpdf2's table wraps each cell and breaks pages between rows, so a long reading never overlaps.
        with document.table(
            col_widths=(40, 18, 30, 18, 30, 54), line_height=4, headings_style=FontFace(emphasis="NONE")
        ) as table:
            for line in [comparison_header(), *comparison_text(comparison)]:
                row = table.row()
                for text in line:
                    row.cell(text)
        document.multi_cell(0, 4, comparison.citation(), new_x="LMARGIN", new_y="NEXT")
    if missing:
        document.ln(2)
        document.multi_cell(0, 4.5, missing_text(missing), new_x="LMARGIN", new_y="NEXT")


def _pdf_sampling_errors(document: FPDF, sampling: SamplingErrors) -> None:
    note, header, rows = sampling_error_text(sampling)
    document.ln(3)
    document.set_font("ipaexg", size=11)
    document.multi_cell(0, 6, sampling_error_title(), new_x="LMARGIN", new_y="NEXT")
    document.set_font("ipaexg", size=8)
    document.multi_cell(0, 4.5, note, new_x="LMARGIN", new_y="NEXT")
    widths = [34] + [24] * (len(header) - 1)
    for line in [header, *rows]:
        document.set_x(12)
        for width, text in zip(widths, line, strict=True):
            document.cell(width, 5, text, border=1, align="R")
        document.ln(5)


def sampling_error_title() -> str:
    return _("Sampling error (標本誤差早見表)")


def _n(rows: list[Any], min_cell: int) -> str:
    published = [row.published_n(min_cell) for row in rows]
    if not published or any(n is None for n in published):
        return WITHHELD
    return str(max(n for n in published if n is not None))


HEADER = [
    "question",
    "question_label",
    "category",
    "category_label",
    "domain",
    "n",
    "estimate",
    "se",
    "ci95_low",
    "ci95_high",
    "suppressed",
]


def xlsx(
    survey: Survey,
    found: list[Result],
    weights: str = "",
    *,
    min_cell: int,
    sampling: SamplingErrors | None = None,
    compared: Compared = ([], []),
) -> bytes:
    """The report as an Excel workbook; `min_cell` is the reader's threshold (results.smallest_shown)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "結果"
    sheet.append([safe_cell(survey.title)])
    sheet.append([_("Results resting on fewer than %(min)s respondents are withheld (empty).") % {"min": min_cell}])
    sheet.append([safe_cell(weights)])
    sheet.append(HEADER)
    for cell_ in sheet[4]:
        cell_.font = Font(bold=True)
    for row in table_rows(found, min_cell):
        sheet.append([safe_cell(row[key]) for key in HEADER])
    for column, width in zip("ABCDEFGHIJK", (18, 40, 10, 30, 16, 8, 10, 10, 10, 10, 10), strict=True):
        sheet.column_dimensions[column].width = width
    if sampling is not None:
        _xlsx_sampling_errors(workbook, sampling)
    _xlsx_comparisons(workbook, compared)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_comparisons(workbook: Workbook, compared: Compared) -> None:
    """A sheet 公表値との比較: each comparison's table and its source, or which questions have none."""
    comparisons, missing = compared
    if not comparisons and not missing:
        return
    sheet = workbook.create_sheet("公表値との比較")
    sheet.append([comparison_title()])
    sheet.append([note()])
    for comparison in comparisons:
        sheet.append([])
        sheet.append([safe_cell(comparison.result.title)])
        sheet.append(comparison_header())
        for cell_ in sheet[sheet.max_row]:
            cell_.font = Font(bold=True)
        for line in comparison_text(comparison):
            sheet.append([safe_cell(text) for text in line])
        sheet.append([safe_cell(comparison.citation())])
    if missing:
        sheet.append([])
        sheet.append([safe_cell(missing_text(missing))])
    sheet.column_dimensions["A"].width = 30


def _xlsx_sampling_errors(workbook: Workbook, sampling: SamplingErrors) -> None:
    """A sheet 標本誤差早見表: the base n and the margins in percentage points, as numbers."""
    note, header, _rows = sampling_error_text(sampling)
    sheet = workbook.create_sheet("標本誤差早見表")
    sheet.append([sampling_error_title()])
    sheet.append([note])
    sheet.append(header)
    for cell_ in sheet[3]:
        cell_.font = Font(bold=True)
    for row in sampling.rows:
        sheet.append([row.n, *(round(h * 100, 1) for h in row.half_widths)])
    sheet.column_dimensions["A"].width = 18
