"""Issue 10's acceptance fixture (tests/samlite/functions_fixtures) starts, and its functions work
through the Lambda API: a local layer built from its ContentUri, the Powertools layer by ARN (rebuilt
from PyPI at the release that layer version carries), and inline code.

The Powertools layer is installed from PyPI once into samlite's cache (`~/.cache/samlite`, or
`$SAMLITE_CACHE_DIR`), shared across runs: the first run on a machine takes the time of that install.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from samlite.cloud.local_cloud import CloudOptions, LocalCloud
from tests.samlite.wheels import build_wheel

FIXTURE = Path(__file__).resolve().parent / "functions_fixtures"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    project = tmp_path_factory.mktemp("functions_fixture")
    shutil.copytree(FIXTURE, project, dirs_exist_ok=True)
    (project / "layers" / "shared" / "wheels").mkdir()
    build_wheel(project / "layers" / "shared" / "wheels", version="1.0")
    options = CloudOptions(
        template=project / "template.yaml",
        port=0,
        api_port=0,
        stack_name=f"fx-{uuid.uuid4().hex[:8]}",
        state_dir=project / ".samlite",
        watch=False,
    )
    with LocalCloud(options) as started:
        yield started


def _invoke(cloud: LocalCloud, function_name: str, payload: dict[str, Any]) -> dict[str, Any]:
    response = cloud.client("lambda").invoke(FunctionName=function_name, Payload=json.dumps(payload).encode())
    body = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, body
    return body


def test_the_layered_function_by_name_and_arn(cloud: LocalCloud) -> None:
    outputs = cloud.outputs
    for name in (outputs["LayeredFunctionName"], outputs["LayeredFunctionArn"]):
        body = _invoke(cloud, name, {"name": "samlite"})
        assert body["greeting"] == "hello samlite, from the shared layer"
        assert body["tinydep"] == "from tinydep 1.0"  # the layer's requirements.txt
        assert body["powertools"] == "3.4.1"  # AWSLambdaPowertoolsPythonV3-python312-x86_64:6
        assert Path(body["shared_util"]).parts[-2:] == ("python", "shared_util.py")  # /opt/python
    logged = [json.loads(line) for line in cloud.log_lines("LayeredFunction") if line.startswith("{")]
    assert any(entry.get("message") == "handled with Powertools" for entry in logged)
    assert outputs["SharedLayerArn"] == f"arn:aws:lambda:{cloud.options.region}:123456789012:layer:shared:1"


def test_the_inline_function_by_name_and_arn(cloud: LocalCloud) -> None:
    spec = cloud.stack.function("InlineFunction")
    arn = cloud.stack.resources["InlineFunction"].attributes["Arn"]
    for name in (spec.function_name, arn):
        assert _invoke(cloud, name, {"x": 1}) == {
            "inline": True,
            "name": spec.function_name,
            "event": {"x": 1},
        }
    assert (spec.code_uri / "index.py").is_file()


def test_every_dependency_was_ready_before_the_ready_line(cloud: LocalCloud) -> None:
    lines = cloud.log_lines("samlite")
    assert any(line.startswith("samlite: LayeredFunction: dependencies ready in ") for line in lines)
    assert cloud.invocations("LayeredFunction")[0].result.init_duration_ms is not None
