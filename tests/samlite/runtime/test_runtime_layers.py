"""Layers in real workers: where Lambda's Python runtime finds them, in the order Lambda merges them.

- "Packaging your layer content" (Lambda developer guide), layer paths: `python` and
  `python/lib/python3.x/site-packages` on the Python path, `bin` on PATH, `lib` on LD_LIBRARY_PATH;
- the Python runtime's bootstrap precedence: LAMBDA_TASK_ROOT, then
  /opt/python/lib/pythonN.N/site-packages, then /opt/python ("Working with .zip file archives for
  Python Lambda functions": the deployment package, where `sam build` installs requirements, first);
- "Adding layers to functions": layers merge in the order the function lists them;
- "Building Lambda layers in AWS SAM": a `BuildMethod: python3.x` layer's files and requirements
  under python/.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import pytest

from samlite.model import LayerSpec
from samlite.model.layers import UNDER_PYTHON
from samlite.runtime import LambdaRuntime
from tests.samlite.runtime.runtime_specs import make_spec
from tests.samlite.wheels import build_wheel

HANDLER = """\
import os, subprocess, sys

def handler(event, context):
    import shared, pkg.a, pkg.b, sitemod, util3, tinydep
    tool = subprocess.run(["hello-layer"], capture_output=True, text=True, check=True).stdout.strip()
    return {
        "path": sys.path,
        "shared": shared.VALUE,
        "pkg": [pkg.a.__file__, pkg.b.__file__],
        "sitemod": sitemod.__file__,
        "util3": util3.__file__,
        "tinydep": tinydep.VALUE,
        "tool": tool,
        "ld": os.environ["LD_LIBRARY_PATH"].split(os.pathsep),
    }
"""
VERSION = f"python{sys.version_info.major}.{sys.version_info.minor}"


def _files(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.fixture
def project(tmp_path: Path) -> dict[str, Path]:
    code = _files(tmp_path / "code", {"app.py": HANDLER})
    first = _files(
        tmp_path / "first",
        {
            "python/shared.py": "VALUE = 'first'\n",
            "python/pkg/__init__.py": "",
            "python/pkg/a.py": "",
            f"python/lib/{VERSION}/site-packages/sitemod.py": "",
            "bin/hello-layer": "#!/bin/sh\necho hello from the first layer\n",
            "lib/.keep": "",
        },
    )
    (first / "bin" / "hello-layer").chmod(0o755)
    second = _files(tmp_path / "second", {"python/shared.py": "VALUE = 'second'\n", "python/pkg/b.py": ""})
    built = _files(
        tmp_path / "built",
        {"util3.py": "", "requirements.txt": "--no-index\n--find-links ./wheels\ntinydep==1.0\n"},
    )
    (built / "wheels").mkdir()
    build_wheel(built / "wheels", version="1.0")
    return {"code": code, "first": first, "second": second, "built": built}


def _layers(project: dict[str, Path]) -> tuple[LayerSpec, ...]:
    return (
        LayerSpec(
            arn="arn:aws:lambda:us-east-1:123456789012:layer:first:1", name="First", content=project["first"]
        ),
        LayerSpec(
            arn="arn:aws:lambda:us-east-1:123456789012:layer:second:1",
            name="Second",
            content=project["second"],
        ),
        LayerSpec(
            arn="arn:aws:lambda:us-east-1:123456789012:layer:built:1",
            name="Built",
            content=project["built"],
            content_prefix=UNDER_PYTHON,
            requirements=project["built"] / "requirements.txt",
        ),
    )


def test_layers_are_where_lambda_puts_them_in_lambda_order(project: dict[str, Path], tmp_path: Path) -> None:
    spec = make_spec("app.handler", logical_id="Layered", code_uri=project["code"], layers=_layers(project))
    with LambdaRuntime(cache_dir=tmp_path / "cache") as runtime:
        preparation = runtime.prepare(spec)
        result = runtime.invoke(spec, b"{}")
    assert not result.failed, result.payload
    body = json.loads(result.payload)
    assert body["shared"] == "second"  # the later layer's file wins
    assert [Path(f).name for f in body["pkg"]] == ["a.py", "b.py"]  # a package two layers provide merges
    assert body["tinydep"] == "from tinydep 1.0" and body["tool"] == "hello from the first layer"
    opt = Path(body["sitemod"]).parents[4]  # .../opt/<key>/python/lib/pythonX.Y/site-packages/sitemod.py
    assert Path(body["util3"]) == opt / "python" / "util3.py"
    assert str(opt / "lib") in body["ld"] and str(project["code"]) == body["ld"][0]
    path = [Path(entry) for entry in body["path"]]
    site = opt / "python" / "lib" / VERSION / "site-packages"
    assert path.index(project["code"]) < path.index(site) < path.index(opt / "python")
    assert opt.is_relative_to(tmp_path / "cache" / "opt")
    assert [what for what, installed in preparation.installs if installed.installed_now] == [
        "layer Built requirements.txt"
    ]


def test_the_functions_own_requirements_win_over_a_layer(project: dict[str, Path], tmp_path: Path) -> None:
    (project["code"] / "wheels").mkdir()
    build_wheel(project["code"] / "wheels", version="2.0")
    (project["code"] / "requirements.txt").write_text("--no-index\n--find-links ./wheels\ntinydep==2.0\n")
    spec = make_spec("app.handler", logical_id="OwnDeps", code_uri=project["code"], layers=_layers(project))
    with LambdaRuntime(cache_dir=tmp_path / "cache") as runtime:
        result = runtime.invoke(spec, b"{}")
    assert json.loads(result.payload)["tinydep"] == "from tinydep 2.0", result.payload


def test_recycling_rebuilds_the_merged_view(project: dict[str, Path], tmp_path: Path) -> None:
    (project["code"] / "app.py").write_text(
        "def handler(event, context):\n    import late\n    return late.X\n"
    )
    spec = make_spec("app.handler", logical_id="Late", code_uri=project["code"], layers=_layers(project)[:2])
    with LambdaRuntime(cache_dir=tmp_path / "cache") as runtime:
        assert runtime.invoke(spec, b"{}").error_type == "ModuleNotFoundError"
        (project["first"] / "python" / "late.py").write_text("X = 'late'\n")  # python/ is merged: a snapshot
        runtime.recycle("Late")
        result = runtime.invoke(spec, b"{}")
    assert json.loads(result.payload) == "late", result.payload


def test_a_layer_whose_requirements_fail_names_the_function_and_the_layer(project, tmp_path: Path) -> None:
    (project["built"] / "requirements.txt").write_text("--no-index\nsamlite-no-such-package==1\n")
    spec = make_spec("app.handler", logical_id="Broken", code_uri=project["code"], layers=_layers(project))
    with LambdaRuntime(cache_dir=tmp_path / "cache") as runtime, pytest.raises(Exception) as raised:
        runtime.prepare(dataclasses.replace(spec))
    error = raised.value
    assert getattr(error, "headline", "").startswith("function Broken: pip could not install layer Built's ")
    assert "samlite-no-such-package" in getattr(error, "output", "")
