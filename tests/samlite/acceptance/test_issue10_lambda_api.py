"""Issue 10's acceptance fixture on a running local cloud (IAM on, real workers): every function works
through the Lambda API by logical id, name, ARN and alias; the alias, the secret, the SSM parameter
and the KMS key behave as on AWS; the local layer, the Powertools layer by ARN (rebuilt from PyPI at
the release that layer version carries, once, into samlite's cache shared across runs) and the inline
code run as Lambda runs them.

One cloud for the module (a start costs about 2 s); tests that change state reset it first.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from samlite.cloud.local_cloud import LocalCloud
from tests.samlite.embedded import copy_project, running_cloud
from tests.samlite.wheels import build_wheel

FIXTURE = Path(__file__).resolve().parent / "issue10"
STARTUP_LINES: list[str] = []  # samlite's own lines, kept across the resets the tests make


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    project = copy_project(FIXTURE, tmp_path_factory.mktemp("issue10"))
    (project / "layers" / "shared" / "wheels").mkdir()
    build_wheel(
        project / "layers" / "shared" / "wheels", version="1.0"
    )  # what the layer's requirements install
    sink = lambda source, line: STARTUP_LINES.append(line) if source == "samlite" else None  # noqa: E731
    with running_cloud(
        project / "template.yaml", stack="i10", state_dir=project / ".samlite", log_sink=sink
    ) as started:
        STARTUP_LINES.append("(start returned)")
        yield started


def _invoke(cloud: LocalCloud, name: str, **kwargs: Any) -> tuple[dict[str, Any], Any]:
    response = cloud.client("lambda").invoke(FunctionName=name, Payload=b'{"probe": true}', **kwargs)
    body = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, body
    return response, body


def _names(cloud: LocalCloud, logical_id: str) -> list[tuple[str, str]]:
    """(how, FunctionName) for every way a test written for Lambda or for `sam local` names it."""
    spec = cloud.stack.functions[logical_id]
    arn = str(cloud.stack.resources[logical_id].attributes["Arn"])
    return [
        ("logical id", logical_id),
        ("name", spec.function_name),
        ("ARN", arn),
        ("alias ARN", f"{arn}:live"),
        ("alias", f"{spec.function_name}:live"),
    ]


def test_every_function_works_by_logical_id_name_arn_and_alias(cloud: LocalCloud) -> None:
    assert cloud.stack.functions, "the fixture declares functions"
    for logical_id in cloud.stack.functions:
        for how, name in _names(cloud, logical_id):
            response, _ = _invoke(cloud, name)
            expected = "1" if "alias" in how else "$LATEST"
            assert response["ExecutedVersion"] == expected, f"{logical_id} by {how}"


def test_every_function_is_listed_with_its_alias_and_versions(cloud: LocalCloud) -> None:
    lam = cloud.client("lambda")
    listed = {f["FunctionName"] for f in lam.list_functions()["Functions"]}
    for logical_id, spec in cloud.stack.functions.items():
        assert spec.function_name in listed
        assert lam.get_alias(FunctionName=logical_id, Name="live")["FunctionVersion"] == "1"
        versions = lam.list_versions_by_function(FunctionName=spec.function_name)["Versions"]
        assert [v["Version"] for v in versions] == ["$LATEST", "1"]
        configuration = lam.get_function(FunctionName=spec.function_name, Qualifier="live")["Configuration"]
        assert configuration["FunctionArn"].endswith(":live")


def test_the_reader_reads_its_secret_parameter_and_key_with_its_own_role(cloud: LocalCloud) -> None:
    _, report = _invoke(cloud, "Reader", Qualifier="live")
    outputs = cloud.outputs
    assert report["greeting_env"] == report["parameter"] == "hello from parameter store"
    assert report["token_user_env"] == "reader"
    token = report["token"]
    assert token["user"] == "reader"
    assert len(token["token"]) == 24 and token["token"].isalnum()  # PasswordLength, ExcludePunctuation
    assert report["other_secret"] == "AccessDeniedException"  # its policy names ApiToken only
    assert report["decrypted"] == "sealed"
    assert report["version"] == "1"
    assert report["invoked_arn"] == outputs["ReaderAliasArn"]
    secret = cloud.client("secretsmanager").get_secret_value(SecretId=outputs["ApiTokenArn"])
    assert json.loads(secret["SecretString"]) == token
    assert secret["ARN"] == outputs["ApiTokenArn"]


def test_an_s3_event_for_the_alias_reaches_version_1(cloud: LocalCloud) -> None:
    cloud.reset()
    bucket = cloud.stack.resources["Uploads"].ref
    cloud.client("s3").put_object(Bucket=bucket, Key="hello.txt", Body=b"hi")
    assert cloud.wait_idle(30)
    [record] = [r for r in cloud.invocations("Reader") if r.source == "s3"]
    assert not record.result.failed, record.result.payload
    assert json.loads(record.result.payload)["version"] == "1"
    assert "dropped" not in " ".join(cloud.log_lines("samlite"))


def test_the_api_integration_on_the_alias_reaches_version_1(cloud: LocalCloud) -> None:
    url = cloud.api_urls["ServerlessRestApi"] + "/read"
    with urllib.request.urlopen(url, timeout=30) as response:
        report = json.loads(response.read())
    assert report["version"] == "1"
    assert report["parameter"] == "hello from parameter store"


def test_update_function_configuration_reaches_the_warm_workers_and_reset_undoes_it(
    cloud: LocalCloud,
) -> None:
    cloud.reset()
    lam = cloud.client("lambda")
    _invoke(cloud, "Reader")  # a warm worker of $LATEST
    current = lam.get_function_configuration(FunctionName="Reader")["Environment"]["Variables"]
    lam.update_function_configuration(
        FunctionName="Reader", Environment={"Variables": {**current, "GREETING": "updated"}}, Timeout=20
    )
    _, report = _invoke(cloud, "Reader")
    assert report["greeting_env"] == "updated"
    _, pinned = _invoke(cloud, "Reader:live")  # a published version keeps its configuration
    assert pinned["greeting_env"] == "hello from parameter store"
    assert cloud.log_lines("Reader")  # every call logged under its function
    cloud.reset()
    assert lam.get_function_configuration(FunctionName="Reader")["Timeout"] == 10
    _, report = _invoke(cloud, "Reader")
    assert report["greeting_env"] == "hello from parameter store"


def test_the_layered_function_sees_its_layers_where_lambda_puts_them(cloud: LocalCloud) -> None:
    _, body = _invoke(cloud, "Layered")
    assert body["greeting"] == "hello you, from the shared layer"
    assert body["tinydep"] == "from tinydep 1.0"  # the layer's requirements.txt, built as sam build does
    assert body["powertools"] == "3.4.1"  # AWSLambdaPowertoolsPythonV3-python311-x86_64:6
    assert Path(body["shared_util"]).parts[-2:] == ("python", "shared_util.py")  # /opt/python
    logged = [json.loads(line) for line in cloud.log_lines("Layered") if line.startswith("{")]
    assert any(entry.get("message") == "handled with Powertools" for entry in logged)
    region = cloud.options.region
    assert cloud.outputs["SharedLayerArn"] == f"arn:aws:lambda:{region}:123456789012:layer:shared:1"


def test_the_inline_function_runs_its_index_py(cloud: LocalCloud) -> None:
    spec = cloud.stack.functions["Inline"]
    _, body = _invoke(cloud, spec.function_name)
    assert body == {"inline": True, "name": spec.function_name, "event": {"probe": True}}
    assert (spec.code_uri / "index.py").is_file()


def test_every_dependency_was_ready_before_the_ready_line(cloud: LocalCloud) -> None:
    ready = STARTUP_LINES.index("(start returned)")
    prepared = [line for line in STARTUP_LINES if line.startswith("samlite: Layered: dependencies ready in ")]
    assert prepared and STARTUP_LINES.index(prepared[0]) < ready
