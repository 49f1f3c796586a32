"""Fixtures of the template tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.template.sam_template import load_template, transform_offline


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def transformed(template: dict[str, Any]) -> dict[str, Any]:
    """template.yaml after aws-sam-translator, i.e. the resources (and IAM roles) AWS creates."""
    return transform_offline(template)
