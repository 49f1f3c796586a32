"""`samlite start` refuses a broken template with one line naming the resource and property, exit 2.

The templates are the ones an adversarial run found starting anyway (or hanging); what AWS documents
for each rule is named in tests/samlite/template/test_template_validation.py and
test_template_handler_check.py. How long each refusal takes is a figure of `make bench`
(bench/bench_template_refusals.py); here a generous timeout only catches a hang.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.samlite.broken_templates import BROKEN_TEMPLATES, write_broken


@pytest.mark.parametrize("name", sorted(BROKEN_TEMPLATES))
def test_a_broken_template_is_one_line_and_exit_status_2(tmp_path: Path, name: str) -> None:
    template, expected = write_broken(tmp_path, name)
    env = {**os.environ, "NO_COLOR": "1"}
    completed = subprocess.run(
        [sys.executable, "-m", "samlite", "start", "-t", str(template), "--port", "0", "--api-port", "0"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr.count("\n") == 1, completed.stderr
    assert completed.stderr.startswith("samlite start: error: ")
    assert expected in completed.stderr
    assert "Traceback" not in completed.stderr and "samlite ready" not in completed.stdout
