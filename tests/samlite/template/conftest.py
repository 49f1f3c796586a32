"""Fixtures for the template-model tests: fixture templates on disk and a writer for inline ones."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def write_template(tmp_path: Path) -> Callable[[str], Path]:
    """Write a template (dedented) next to a `src/` code directory and return its path."""

    def write(text: str, name: str = "template.yaml") -> Path:
        (tmp_path / "src").mkdir(exist_ok=True)
        (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return event\n")
        path = tmp_path / name
        path.write_text(textwrap.dedent(text))
        return path

    return write
