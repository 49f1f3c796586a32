"""The Lambda API calls tools make about the template's functions, on the embedded endpoint (IAM on),
through boto3, every answer checked against the Lambda API's own model (botocore's service-2.json:
"ListFunctions", "GetFunction", "GetFunctionConfiguration", "ListVersionsByFunction", "GetAlias",
"ListAliases", "UpdateFunctionConfiguration" in the Lambda API reference)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import urllib.request
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from samlite.services.awslambda.registry import Alias
from tests.samlite.embedded import (
    ACCOUNT,
    REGION,
    client,
    credentials_allowed,
    function_spec,
    running_endpoint,
    unique,
)
from tests.samlite.services.awslambda.lambda_shapes import shape_problems


@pytest.fixture(scope="module")
def endpoint():
    with running_endpoint(iam=True) as running:
        yield running


@pytest.fixture(scope="module")
def aws(endpoint):
    return endpoint.aws


@pytest.fixture(scope="module")
def code_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("code")
    (root / "app.py").write_text("def handler(event, context):\n    return event\n")
    (root / "pkg").mkdir()
    (root / "pkg" / "util.py").write_text("X = 1\n")
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"\0")
    (root / ".samlite").mkdir()
    (root / ".samlite" / "outputs.json").write_text("{}")
    return root


@pytest.fixture
def function(endpoint, code_dir):
    """A registered function with a version 1 and aliases `live` (-> 1) and `edge` (-> $LATEST)."""
    name = unique("fn")
    spec = replace(
        function_spec(name),
        logical_id=f"Fn{name[-10:]}",
        code_uri=code_dir,
        environment={"STAGE": "test"},
        memory_size=256,
        timeout=10,
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/{name}-role",
        reserved_concurrency=5,
    )
    registry = endpoint.services.functions
    properties = {"Tags": [{"Key": "team", "Value": "blue"}], "TracingConfig": {"Mode": "Active"}}
    registry.register(spec, properties, "a function")
    registry.publish_version(name, "1")
    registry.add_alias(name, Alias("live", "1", "production"))
    registry.add_alias(name, Alias("edge", "$LATEST"))
    return registry.find(name).spec


def _arn(name: str, qualifier: str | None = None) -> str:
    base = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    return f"{base}:{qualifier}" if qualifier else base


def _raw(lam: Any, operation: str, **kwargs: Any) -> dict[str, Any]:
    """The answer's JSON as sent (boto3 parses loosely), after checking it against the model."""
    seen: list[bytes] = []
    handler = lambda http_response, **_: seen.append(http_response.content)  # noqa: E731
    lam.meta.events.register(f"after-call.lambda.{operation}", handler)
    try:
        getattr(lam, _snake(operation))(**kwargs)
    finally:
        lam.meta.events.unregister(f"after-call.lambda.{operation}", handler)
    document = json.loads(seen[-1])
    assert shape_problems(operation, document) == []
    return document


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _listed(lam: Any, **kwargs: Any) -> list[dict[str, Any]]:
    functions, marker = [], None
    while True:
        page = _raw(lam, "ListFunctions", **({"Marker": marker} if marker else {}), **kwargs)
        functions += page["Functions"]
        marker = page.get("NextMarker")
        if not marker:
            return functions


def test_list_functions_answers_with_the_templates_functions_in_lambdas_shape(aws, function):
    [listed] = [f for f in _listed(client(aws, "lambda")) if f["FunctionName"] == function.function_name]
    assert listed["FunctionArn"] == _arn(function.function_name)
    assert listed["Version"] == "$LATEST"
    assert (listed["Handler"], listed["Runtime"], listed["MemorySize"], listed["Timeout"]) == (
        "app.handler",
        "python3.11",
        256,
        10,
    )
    assert listed["Environment"] == {"Variables": {"STAGE": "test"}}
    assert listed["Role"] == function.role_arn
    assert listed["Description"] == "a function"
    assert listed["TracingConfig"] == {"Mode": "Active"}
    assert listed["State"] == "Active" and listed["LastUpdateStatus"] == "Successful"
    assert listed["PackageType"] == "Zip"
    assert listed["LoggingConfig"] == {
        "LogFormat": "Text",
        "LogGroup": f"/aws/lambda/{function.function_name}",
    }


def test_list_functions_pages_with_max_items_and_lists_versions_with_function_version_all(
    aws, endpoint, function
):
    endpoint.services.functions.register(function_spec(unique("second")))
    lam = client(aws, "lambda")
    first = _raw(lam, "ListFunctions", MaxItems=1)
    assert len(first["Functions"]) == 1
    second = _raw(lam, "ListFunctions", MaxItems=1, Marker=first["NextMarker"])
    assert second["Functions"][0]["FunctionName"] != first["Functions"][0]["FunctionName"]
    with pytest.raises(ClientError) as raised:
        lam.list_functions(MaxItems=10001)
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValueException"
    names = [(f["FunctionName"], f["Version"]) for f in _listed(lam, FunctionVersion="ALL", MaxItems=2)]
    assert (function.function_name, "$LATEST") in names
    assert (function.function_name, "1") in names
    versions = [f for f in _listed(lam, FunctionVersion="ALL") if f["FunctionName"] == function.function_name]
    assert [f["FunctionArn"] for f in versions] == [
        _arn(function.function_name),
        _arn(function.function_name, "1"),
    ]


def test_list_functions_includes_functions_created_through_the_api(aws, function):
    """Functions made with CreateFunction live in moto's backend; they are listed too."""
    lam = client(aws, "lambda")
    iam = client(aws, "iam")
    role = iam.create_role(RoleName=unique("made-role"), AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(e, c):\n    return e\n")
    made = unique("made")
    lam.create_function(
        FunctionName=made,
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": buffer.getvalue()},
    )
    names = [f["FunctionName"] for f in _listed(lam)]
    assert made in names and function.function_name in names
    assert lam.get_function(FunctionName=made)["Configuration"]["FunctionName"] == made  # moto answers it


def test_get_function_gives_configuration_code_tags_and_concurrency(aws, function, code_dir):
    lam = client(aws, "lambda")
    answer = _raw(lam, "GetFunction", FunctionName=function.function_name)
    assert answer["Configuration"]["FunctionArn"] == _arn(function.function_name)
    assert answer["Tags"] == {"team": "blue"}
    assert answer["Concurrency"] == {"ReservedConcurrentExecutions": 5}
    assert answer["Code"]["RepositoryType"] == "S3"
    with urllib.request.urlopen(answer["Code"]["Location"]) as download:
        package = download.read()
    configuration = answer["Configuration"]
    assert configuration["CodeSize"] == len(package)
    assert configuration["CodeSha256"] == base64.b64encode(hashlib.sha256(package).digest()).decode()
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        assert sorted(archive.namelist()) == ["app.py", "pkg/util.py"]  # no caches, no dot folders
        assert archive.read("app.py") == (code_dir / "app.py").read_bytes()


def test_the_package_changes_when_the_code_does(aws, function, code_dir):
    lam = client(aws, "lambda")
    before = lam.get_function_configuration(FunctionName=function.function_name)["CodeSha256"]
    assert lam.get_function_configuration(FunctionName=function.function_name)["CodeSha256"] == before
    (code_dir / "pkg" / "new.py").write_text("Y = 2\n")
    try:
        after = lam.get_function_configuration(FunctionName=function.function_name)["CodeSha256"]
    finally:
        (code_dir / "pkg" / "new.py").unlink()
    assert after != before


@pytest.mark.parametrize(
    ("name", "qualifier", "arn_qualifier", "version"),
    [
        ("{name}", None, None, "$LATEST"),
        ("{name}", "live", "live", "1"),
        ("{name}:1", None, "1", "1"),
        ("{logical_id}:edge", None, "edge", "$LATEST"),
        ("{arn}:live", None, "live", "1"),
    ],
)
def test_get_function_configuration_of_a_version_or_alias(
    aws, function, name, qualifier, arn_qualifier, version
):
    lam = client(aws, "lambda")
    function_name = name.format(
        name=function.function_name, logical_id=function.logical_id, arn=_arn(function.function_name)
    )
    answer = _raw(
        lam,
        "GetFunctionConfiguration",
        FunctionName=function_name,
        **({"Qualifier": qualifier} if qualifier else {}),
    )
    assert answer["FunctionArn"] == _arn(function.function_name, arn_qualifier)
    assert answer["Version"] == version
    assert answer["FunctionName"] == function.function_name


def test_unknown_versions_aliases_and_functions_are_404(aws, function):
    lam = client(aws, "lambda")
    with pytest.raises(ClientError) as raised:
        lam.get_function(FunctionName=function.function_name, Qualifier="7")
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert (
        raised.value.response["Error"]["Message"]
        == f"Function not found: {_arn(function.function_name, '7')}"
    )
    with pytest.raises(ClientError) as raised:
        lam.get_alias(FunctionName=function.function_name, Name="beta")
    assert (
        raised.value.response["Error"]["Message"]
        == f"Cannot find alias arn: {_arn(function.function_name, 'beta')}"
    )
    with pytest.raises(ClientError) as raised:
        lam.get_function(FunctionName=unique("absent"))  # moto answers for functions samlite has not
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_list_versions_by_function_lists_latest_then_each_version(aws, function):
    answer = _raw(client(aws, "lambda"), "ListVersionsByFunction", FunctionName=function.function_name)
    assert [(v["Version"], v["FunctionArn"]) for v in answer["Versions"]] == [
        ("$LATEST", _arn(function.function_name, "$LATEST")),
        ("1", _arn(function.function_name, "1")),
    ]


def test_get_alias_and_list_aliases(aws, function):
    lam = client(aws, "lambda")
    alias = _raw(lam, "GetAlias", FunctionName=function.logical_id, Name="live")
    assert {k: alias[k] for k in ("AliasArn", "Name", "FunctionVersion", "Description")} == {
        "AliasArn": _arn(function.function_name, "live"),
        "Name": "live",
        "FunctionVersion": "1",
        "Description": "production",
    }
    listed = _raw(lam, "ListAliases", FunctionName=function.function_name)["Aliases"]
    assert [a["Name"] for a in listed] == ["edge", "live"]
    only_one = _raw(lam, "ListAliases", FunctionName=function.function_name, FunctionVersion="1")["Aliases"]
    assert [a["Name"] for a in only_one] == ["live"]


def test_update_function_configuration_changes_latest_only(aws, endpoint, function):
    lam = client(aws, "lambda")
    answer = _raw(
        lam,
        "UpdateFunctionConfiguration",
        FunctionName=function.function_name,
        Environment={"Variables": {"STAGE": "changed", "EXTRA": "1"}},
        Timeout=30,
        MemorySize=512,
        Description="updated",
    )
    assert answer["Environment"] == {"Variables": {"STAGE": "changed", "EXTRA": "1"}}
    assert (answer["Timeout"], answer["MemorySize"], answer["Description"]) == (30, 512, "updated")
    now = endpoint.services.functions.find(function.function_name).spec
    assert (now.timeout, now.memory_size, dict(now.environment)) == (
        30,
        512,
        {"STAGE": "changed", "EXTRA": "1"},
    )
    live = lam.get_function_configuration(FunctionName=function.function_name, Qualifier="live")
    assert (live["Timeout"], live["Environment"]) == (10, {"Variables": {"STAGE": "test"}})
    cleared = lam.update_function_configuration(
        FunctionName=function.function_name, Environment={"Variables": {}}
    )
    assert "Environment" not in cleared


def test_update_honours_revision_id(aws, function):
    lam = client(aws, "lambda")
    revision = lam.get_function_configuration(FunctionName=function.function_name)["RevisionId"]
    updated = lam.update_function_configuration(
        FunctionName=function.function_name, Timeout=20, RevisionId=revision
    )
    assert updated["RevisionId"] != revision
    with pytest.raises(ClientError) as raised:
        lam.update_function_configuration(
            FunctionName=function.function_name, Timeout=21, RevisionId=revision
        )
    assert raised.value.response["Error"]["Code"] == "PreconditionFailedException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        ({"Timeout": 901}, "ValidationException", "Member must have value less than or equal to 900"),
        ({"MemorySize": 20000}, "ValidationException", "less than or equal to 10240"),
        (
            {"Environment": {"Variables": {"AWS_REGION": "x"}}},
            "InvalidParameterValueException",
            "Reserved keys used in this request: AWS_REGION",
        ),
        # Lambda wants names of two characters or more: [a-zA-Z]([a-zA-Z0-9_])+
        (
            {"Environment": {"Variables": {"A": "x"}}},
            "ValidationException",
            "Map keys must satisfy constraint",
        ),
        (
            {"Environment": {"Variables": {"BIG": "x" * 5000}}},
            "InvalidParameterValueException",
            "exceeded the 4KB",
        ),
        ({"Runtime": "python3.13"}, "InvalidParameterValueException", "samlite cannot change Runtime"),
        ({"Layers": []}, "InvalidParameterValueException", "samlite cannot change Layers"),
    ],
)
def test_update_refuses_what_lambda_refuses_and_what_samlite_cannot_apply(
    aws, function, changes, code, message
):
    lam = client(aws, "lambda")
    with pytest.raises(ClientError) as raised:
        lam.update_function_configuration(FunctionName=function.function_name, **changes)
    assert raised.value.response["Error"]["Code"] == code
    assert message in raised.value.response["Error"]["Message"]
    assert lam.get_function_configuration(FunctionName=function.function_name)["Timeout"] == 10


def test_update_of_a_version_is_refused(aws, function):
    with pytest.raises(ClientError) as raised:
        client(aws, "lambda").update_function_configuration(
            FunctionName=f"{function.function_name}:1", Timeout=5
        )
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_the_reserved_variables_are_lambdas():
    """Checked against cfn-lint's copy of Lambda's list ("Defined runtime environment variables")."""
    import cfnlint

    from samlite.services.awslambda.function_updates import RESERVED_VARIABLES

    path = (
        Path(cfnlint.__file__).parent
        / "data/schemas/extensions/aws_lambda_function/environment_variable_keys.json"
    )
    lambdas_list = set(json.loads(path.read_text())["propertyNames"]["not"]["enum"])
    assert lambdas_list == RESERVED_VARIABLES


# -- IAM: refused as Lambda refuses --------------------------------------------------------------


def test_dummy_credentials_are_refused_with_lambdas_unrecognized_client_error(aws, function):
    dummy = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    for call in (
        lambda lam: lam.list_functions(),
        lambda lam: lam.get_function(FunctionName=function.function_name),
        lambda lam: lam.invoke(FunctionName=function.function_name),
    ):
        with pytest.raises(ClientError) as raised:
            call(client(aws, "lambda", dummy))
        assert raised.value.response["Error"]["Code"] == "UnrecognizedClientException"
        assert (
            raised.value.response["Error"]["Message"]
            == "The security token included in the request is invalid."
        )
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_a_wrong_secret_key_is_an_invalid_signature(aws, function):
    key = aws.admin_credentials.access_key_id
    with pytest.raises(ClientError) as raised:
        client(aws, "lambda", {"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": "wrong"}).list_functions()
    assert raised.value.response["Error"]["Code"] == "InvalidSignatureException"


def test_each_call_needs_its_own_action(aws, function):
    name = function.function_name
    lam = client(
        aws,
        "lambda",
        credentials_allowed(
            aws, [{"Effect": "Allow", "Action": "lambda:GetFunction", "Resource": _arn(name)}]
        ),
    )
    assert lam.get_function(FunctionName=name)["Configuration"]["FunctionName"] == name
    for call in (
        lam.list_functions,
        lambda: lam.get_function_configuration(FunctionName=name),
        lambda: lam.update_function_configuration(FunctionName=name, Timeout=5),
        lambda: lam.list_versions_by_function(FunctionName=name),
        lambda: lam.get_alias(FunctionName=name, Name="live"),
    ):
        with pytest.raises(ClientError) as raised:
            call()
        assert raised.value.response["Error"]["Code"] == "AccessDeniedException"


def test_a_version_or_alias_is_authorized_on_its_qualified_arn(aws, function):
    """An unqualified ARN in a policy covers the unqualified function only; `function:NAME*` (what
    SAM's LambdaInvokePolicy writes) covers its versions and aliases too ("Resources and conditions
    for Lambda actions")."""
    name = function.function_name
    exact = client(
        aws,
        "lambda",
        credentials_allowed(aws, [{"Effect": "Allow", "Action": "lambda:*", "Resource": _arn(name)}]),
    )
    assert exact.get_function(FunctionName=name)["Configuration"]["Version"] == "$LATEST"
    with pytest.raises(ClientError) as raised:
        exact.get_function(FunctionName=name, Qualifier="live")
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
    with pytest.raises(ClientError):
        exact.get_alias(FunctionName=name, Name="live")
    wildcard = client(
        aws,
        "lambda",
        credentials_allowed(aws, [{"Effect": "Allow", "Action": "lambda:*", "Resource": f"{_arn(name)}*"}]),
    )
    assert wildcard.get_function(FunctionName=name, Qualifier="live")["Configuration"]["Version"] == "1"
    assert wildcard.get_alias(FunctionName=name, Name="live")["FunctionVersion"] == "1"
    assert wildcard.list_versions_by_function(FunctionName=name)["Versions"]
