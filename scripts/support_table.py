"""Rewrite README.md's "What samlite emulates" table from samlite's own list (src/samlite/model/support.py).

.venv/bin/python scripts/support_table.py          # rewrite the table in README.md
.venv/bin/python scripts/support_table.py --check  # exit 1 when README.md's table is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

from samlite.model.support import TABLE_BEGIN, TABLE_END, render_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def rewritten(text: str) -> str:
    start, end = text.index(TABLE_BEGIN), text.index(TABLE_END) + len(TABLE_END)
    return text[:start] + render_markdown() + text[end:]


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    if TABLE_BEGIN not in text or TABLE_END not in text:
        sys.stderr.write(f"{README}: no table markers ({TABLE_BEGIN} ... {TABLE_END})\n")
        return 2
    new = rewritten(text)
    if "--check" in argv:
        if new != text:
            sys.stderr.write(f"{README}: the support table is out of date; run {Path(__file__).name}\n")
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
