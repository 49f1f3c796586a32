"""Fixtures for the template-model tests: fixture templates on disk and a writer for inline ones."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.samlite.projects import write_project

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def write_template(tmp_path: Path) -> Callable[[str], Path]:
    """Write a template (dedented) next to a `src/` code directory and return its path."""

    def write(text: str, name: str = "template.yaml") -> Path:
        return write_project(tmp_path, textwrap.dedent(text), name)

    return write
