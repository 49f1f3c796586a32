"""template.yaml passes cfn-lint (no error, no warning) and checkov (no failed check; skips justified)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.template.sam_template import TEMPLATE

REPO = TEMPLATE.parent


def checkov_executable() -> Path:
    """CHECKOV from the environment, else the repository's separate checkov virtualenv."""
    configured = os.environ.get("CHECKOV")
    path = Path(configured) if configured else REPO / ".venv-checkov" / "bin" / "checkov"
    if not path.is_file():
        pytest.fail(
            f"checkov not found at {path}: run `make install` (it creates .venv-checkov), "
            "or set CHECKOV to a checkov executable"
        )
    return path


def test_cfn_lint_reports_nothing() -> None:
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run(
        [str(cfn_lint), "--format", "parseable", str(TEMPLATE)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    # Any error, warning or informational match is a finding: none is accepted.
    assert result.stdout.strip() == "" and result.returncode == 0, result.stdout + result.stderr


def test_checkov_has_no_failed_check(template: dict[str, Any]) -> None:
    result = subprocess.run(
        [
            str(checkov_executable()),
            "--file",
            str(TEMPLATE),
            "--framework",
            "cloudformation",
            "--output",
            "json",
            "--skip-download",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=REPO,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"},
    )
    assert result.stdout.strip(), (
        f"checkov printed nothing (exit {result.returncode}): {result.stderr[-2000:]}"
    )
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    failed = [c for r in reports for c in r.get("results", {}).get("failed_checks", [])]
    assert failed == [], [(c["check_id"], c["resource"], c["check_name"]) for c in failed]
    passed = sum(r.get("summary", {}).get("passed", 0) for r in reports)
    assert passed >= 10, "checkov ran no meaningful checks"


def test_every_checkov_skip_carries_a_reason(template: dict[str, Any]) -> None:
    skips = [
        (logical_id, skip)
        for logical_id, res in template["Resources"].items()
        for skip in res.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips, "expected the documented skips"
    for logical_id, skip in skips:
        assert skip.get("id", "").startswith("CKV_"), (logical_id, skip)
        assert len(skip.get("comment", "").split()) >= 8, (
            f"{logical_id} skips {skip.get('id')} without a reason"
        )
