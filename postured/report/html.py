"""The report as one self-contained HTML file: styles inline, charts as data: URIs, no
JavaScript; prints on A4 like the PDF."""

from __future__ import annotations

import base64
from html import escape

from postured import i18n
from postured.i18n import _
from postured.report import charts, text
from postured.report.model import Report

STYLE = """
@page { size: A4; margin: 16mm 18mm 18mm; }
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; color: #212529; max-width: 174mm;
       margin: 2em auto; font-size: 10.5pt; line-height: 1.4; }
h1 { font-size: 17pt; margin: 0; } h2 { font-size: 13pt; margin: 1.4em 0 0.4em; }
.period { font-size: 12pt; font-weight: bold; margin: 0.2em 0; } .muted { color: #5a626a; }
.note { background: #f1f3f5; padding: 0.6em 0.8em; } .glance { font-weight: bold; font-size: 11.5pt; }
.pain h2, .pain th { color: #b02020; } small, .small { font-size: 9pt; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; margin: 0.3em 0 0.6em; }
th { background: #e9ecef; text-align: left; } th, td { padding: 0.25em 0.4em; border-bottom: 1px solid #ced4da; }
td.n, th.n { text-align: right; } img { width: 100%; } .dose { break-inside: avoid; }
"""


def render(report: Report) -> str:
    r = report
    title = _(text.TITLE)
    parts = [f"<h1>{escape(title)}</h1>", f'<p class="period">{escape(text.period(r))}</p>',
             f'<p class="muted">{escape(text.meta(r))}</p>', f'<p class="note">{escape(_(text.NOTE))}</p>',
             f'<p class="glance">{escape(text.glance(r))}</p>']

    parts.append(f'<section class="pain"><h2>{escape(_(text.PAIN_TITLE))} ({text.number(len(r.pain))})</h2>')
    if r.pain:
        parts.append(_table(text.pain_columns(), [text.incident_row(i) for i in r.pain], numbers=()))
        parts.append(f'<p class="small muted">{escape(text.pain_after(r))}</p>')
    else:
        parts.append(f"<p>{escape(text.pain_none())}</p>")
    parts += [f'<p class="small">{escape(c)}</p>' for c in r.cautions]
    parts.append("</section>")

    parts.append(f"<h2>{escape(_(text.TOO_HARD_TITLE))} ({text.number(len(r.too_hard))})</h2>")
    if r.too_hard:
        parts.append(_table(text.too_hard_columns(), [text.incident_row(i) for i in r.too_hard], numbers=()))
        parts.append(f'<p class="small muted">{escape(text.too_hard_after())}</p>')
    else:
        parts.append(f"<p>{escape(text.too_hard_none())}</p>")

    parts.append(f"<h2>{escape(_(text.PROGRAM_TITLE))}</h2>")
    lines = text.program_lines(r)
    parts.append(f"<p>{escape(text.no_program())}</p>" if lines is None else _table(None, lines, numbers=()))

    parts.append(f"<h2>{escape(_(text.WEEKS_TITLE))}</h2>")
    parts.append(_table(text.week_columns(), [*(text.week_row(w) for w in r.weeks), text.total_row(r)]))
    parts.append(f"<p><b>{escape(_(text.WEEKS_CHART))}</b></p>")
    parts.append(_image(charts.weekly(r), _(text.WEEKS_CHART)))
    parts.append(f'<p class="small muted">{escape(text.terms(r))}</p>')

    parts.append(f"<h2>{escape(_(text.EXERCISES_TITLE))}</h2>")
    if r.exercises:
        parts.append(_table(text.exercise_columns(), [text.exercise_row(e) for e in r.exercises], numbers=range(1, 5)))
    else:
        parts.append(f"<p>{escape(text.no_exercises())}</p>")

    drawn = [e for e in r.exercises if e.levels > 1 and e.steps]
    if drawn:
        parts.append(f"<h2>{escape(_(text.DOSE_TITLE))}</h2>")
        parts.append(f'<p class="small muted">{escape(text.dose_explained())}</p>')
        for record in drawn:
            parts.append(f'<div class="dose"><p><b>{escape(text.dose_heading(record))}</b></p>'
                         f'{_image(charts.dose_steps(record, r), text.dose_chart(record))}</div>')
    parts.append(f'<p class="small muted">{escape(text.footer(r))}</p>')
    body = "\n".join(parts)
    # The language tag of HTML (BCP 47) writes pt_BR as pt-BR.
    lang = i18n.language().replace("_", "-")
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>\n")


def _table(headings, rows, numbers=None) -> str:
    width = len(rows[0]) if rows else len(headings or ())
    numeric = set(range(1, width) if numbers is None else numbers)
    out = ["<table>"]
    if headings:
        out.append("<tr>" + "".join(f'<th{_n(i, numeric)}>{escape(h)}</th>' for i, h in enumerate(headings)) + "</tr>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td{_n(i, numeric)}>{escape(c)}</td>" for i, c in enumerate(row)) + "</tr>")
    out.append("</table>")
    return "".join(out)


def _n(index: int, numeric: set[int]) -> str:
    return ' class="n"' if index in numeric else ""


def _image(data: bytes, alt: str) -> str:
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{base64.b64encode(data).decode("ascii")}">'
