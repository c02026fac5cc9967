"""Compile the translations (.po) into what gettext reads (.mo), with Babel.

Run by the package build (hatch_build.py) and by `bash tools/translations.sh`; the .mo
files are built, never committed. A .po with a broken entry stops the build with its
file and line, rather than shipping a language with holes.
"""

from __future__ import annotations

import sys
from pathlib import Path


def compile_po(po: Path, target: Path | None = None) -> Path:
    """postured/locale/de/LC_MESSAGES/postured.po -> the .mo beside it (or ``target``)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source, locale=po.parent.parent.name, abort_invalid=True)
    errors = [(message, problem) for message, problems in catalog.check() for problem in problems]
    if errors:
        message, problem = errors[0]
        raise SystemExit(f"{po}:{message.lineno}: {problem}")
    mo = target or po.with_suffix(".mo")
    with mo.open("wb") as target:
        write_mo(target, catalog, use_fuzzy=False)
    return mo


def compile_all(locale_dir: Path) -> list[Path]:
    return [compile_po(po) for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))]


if __name__ == "__main__":
    built = compile_all(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "locale"))
    print(f"compiled {len(built)} catalogues")
