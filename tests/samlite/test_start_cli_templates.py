"""`samlite start` (a subprocess, as a user runs it) on templates with layers, unsupported features,
failing requirements and no Outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

READY_TIMEOUT_S = 90
LAYER_ARN = "arn:aws:lambda:us-east-1:999999999999:layer:private-deps:7"
APP = "def handler(event, context):\n    import private_dep\n    return private_dep.VALUE\n"


def _project(tmp_path: Path, template: str, requirements: str | None = None) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(APP)
    if requirements is not None:
        (tmp_path / "src" / "requirements.txt").write_text(requirements)
    (tmp_path / "template.yaml").write_text(textwrap.dedent(template))
    return tmp_path


def _start(project: Path, *args: str, until_ready: bool) -> tuple[int | None, str, str]:
    """Run `samlite start`; with `until_ready`, stop it with SIGTERM once it printed its ready line."""
    env = {
        **os.environ,
        "NO_COLOR": "1",
        "PYTHONUNBUFFERED": "1",
        "SAMLITE_CACHE_DIR": str(project / "cache"),
    }
    command = [sys.executable, "-m", "samlite", "start", "--port", "0", "--api-port", "0", "--no-watch"]
    command += ["--stack-name", f"cli-{uuid.uuid4().hex[:8]}", *args]
    process = subprocess.Popen(
        command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        if not until_ready:
            out, err = process.communicate(timeout=READY_TIMEOUT_S)
            return process.returncode, out, err
        assert process.stdout is not None
        lines = []
        for line in process.stdout:  # ends at the ready line, or when the process ends
            lines.append(line)
            if line.startswith("samlite ready"):
                break
        process.terminate()
        out, err = process.communicate(timeout=30)
        return process.returncode, "".join(lines) + out, err
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_an_unsupported_feature_is_one_line_and_exit_status_2(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        f"""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Uploads:
            Type: AWS::S3::Bucket
          OnUpload:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src/
              Handler: app.handler
              Runtime: python3.12
              Layers: [{LAYER_ARN}]
              Events:
                Upload:
                  Type: S3
                  Properties: {{Bucket: !Ref Uploads, Events: "s3:ObjectCreated:*"}}
        """,
    )
    status, out, err = _start(project, until_ready=False)
    assert status == 2
    assert err.count("\n") == 1, err  # one line, no traceback
    assert err.startswith(f"samlite start: error: Function 'OnUpload' property 'Layers': layer {LAYER_ARN}")
    assert "--layer-map ARN=DIR" in err
    assert "samlite ready" not in out  # never half a template that drops the upload's events


def test_a_mapped_layer_and_a_template_without_outputs(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        f"""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Uploads:
            Type: AWS::S3::Bucket
          Reader:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src/
              Handler: app.handler
              Runtime: python3.12
              Layers: [{LAYER_ARN}]
        """,
    )
    layer = tmp_path / "deps-layer"
    (layer / "python").mkdir(parents=True)
    (layer / "python" / "private_dep.py").write_text("VALUE = 'from the mapped layer'\n")
    prefix = LAYER_ARN.rsplit(":", 1)[0]  # every version of the layer
    status, out, err = _start(project, "--layer-map", f"{prefix}={layer}", until_ready=True)
    assert status == 0, err
    outputs = json.loads((project / ".samlite" / "outputs.json").read_text())
    names = outputs["samlite:local-names"]
    assert set(names) == {"functions", "buckets"}
    assert f"  function Reader: {names['functions']['Reader']}" in out
    assert f"  bucket Uploads: {names['buckets']['Uploads']}" in out
    assert (
        "Local names of the template's resources (also in outputs.json, under 'samlite:local-names'):" in out
    )


def test_pip_errors_are_one_block_naming_the_function(tmp_path: Path) -> None:
    broken = "BadOne"
    project = _project(
        tmp_path,
        f"""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          {broken}:
            Type: AWS::Serverless::Function
            Properties: {{CodeUri: src/, Handler: app.handler, Runtime: python3.12}}
        """,
        requirements="--no-index\nsamlite-package-that-does-not-exist==9.9\n",
    )
    status, out, err = _start(project, until_ready=False)
    assert status == 2
    first, *block = err.splitlines()
    assert first == f"samlite start: error: pip could not install the dependencies of function {broken}"
    assert block[0].startswith(f"--- function {broken}: pip could not install ")
    assert any("samlite-package-that-does-not-exist" in line for line in block)
    assert f"getting dependencies ready for {broken}" in out and "samlite ready" not in out
