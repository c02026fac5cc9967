"""``postured report``: the record a person brings to an appointment, as PDF or HTML.

Only the CLI verb imports this package; the daemon never does. ``model`` works out the
figures (pure), ``charts`` draws them with Pillow, ``pdf`` (fpdf2) and ``html`` lay them out.
"""

from __future__ import annotations

from pathlib import Path

FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html"}


def format_of(path: Path) -> str:
    """"pdf" or "html" from the file name; ValueError names the extensions known."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        from postured.i18n import _

        raise ValueError(_("{name}: the report is written as .pdf or .html").format(name=repr(path.name))) from None


def render(report, kind: str) -> bytes:
    if kind == "pdf":
        from postured.report import pdf

        return pdf.render(report)
    from postured.report import html

    return html.render(report).encode("utf-8")
