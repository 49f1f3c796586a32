"""The Lambda Invoke API on the embedded endpoint, through boto3, with a fake runtime."""

from __future__ import annotations

import base64
import http.client
import io
import json

import pytest
from botocore.exceptions import ClientError

from samlite.endpoint.aws_errors import render
from samlite.endpoint.local_apis import ApiResponse
from samlite.model import AwsError
from samlite.services.awslambda.invoke_api import CallableInvokeHandler, LambdaInvokeApi
from samlite.services.awslambda.registry import FunctionRegistry
from tests.samlite.embedded import (
    ACCOUNT,
    FakeRuntime,
    client,
    credentials_allowed,
    function_spec,
    running_endpoint,
    unique,
)


@pytest.fixture(scope="module")
def endpoint():
    with running_endpoint(iam=True) as running:
        yield running


@pytest.fixture(scope="module")
def aws(endpoint):
    return endpoint.aws


@pytest.fixture
def runtime(endpoint):
    fake = FakeRuntime()
    endpoint.services.lambda_api.handler = fake
    return fake


@pytest.fixture
def function(endpoint):
    spec = function_spec(unique("fn"))
    endpoint.services.functions.register(spec)
    return spec


def test_request_response_returns_the_function_payload(aws, runtime, function):
    response = client(aws, "lambda").invoke(FunctionName=function.function_name, Payload=b'{"a": 1}')
    assert response["StatusCode"] == 200
    assert response["Payload"].read() == b'{"ok": true}'
    assert response["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in response
    assert runtime.calls == [(function.function_name, b'{"a": 1}')]


def test_request_id_client_context_and_trace_header_reach_the_runtime(aws, runtime, function):
    lam = client(aws, "lambda")
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1"
    lam.meta.events.register(
        "before-sign.lambda.Invoke", lambda request, **_: request.headers.add_header("X-Amzn-Trace-Id", trace)
    )
    context = base64.b64encode(json.dumps({"custom": {"k": "v"}}).encode()).decode()
    response = lam.invoke(FunctionName=function.function_name, Payload=b"{}", ClientContext=context)
    seen = runtime.contexts[-1]
    assert seen["request_id"] == response["ResponseMetadata"]["RequestId"]
    assert json.loads(seen["client_context"]) == {"custom": {"k": "v"}}
    assert seen["trace_id"] == trace


def test_client_context_that_is_not_base64_json_is_rejected(aws, runtime, function):
    with pytest.raises(ClientError) as raised:
        client(aws, "lambda").invoke(FunctionName=function.function_name, Payload=b"{}", ClientContext="%%%")
    assert (
        raised.value.response["Error"]["Message"]
        == "Client context must be a valid Base64-encoded JSON object."
    )
    assert runtime.calls == []


def test_function_error_is_200_with_unhandled_header(aws, runtime, function):
    runtime.error_type = "ValueError"
    runtime.payload = b'{"errorMessage": "bad", "errorType": "ValueError"}'
    response = client(aws, "lambda").invoke(FunctionName=function.function_name, Payload=b"{}")
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(response["Payload"].read())["errorType"] == "ValueError"


def test_log_type_tail_returns_the_log_base64(aws, runtime, function):
    response = client(aws, "lambda").invoke(
        FunctionName=function.function_name, Payload=b"{}", LogType="Tail"
    )
    log = base64.b64decode(response["LogResult"]).decode()
    assert log == "START RequestId: r1\nhello\nEND RequestId: r1\n"


def test_log_tail_keeps_only_the_last_4_kb(aws, runtime, function):
    runtime.log_lines = [f"line {n:05d} " + "x" * 90 for n in range(100)]
    response = client(aws, "lambda").invoke(
        FunctionName=function.function_name, Payload=b"{}", LogType="Tail"
    )
    log = base64.b64decode(response["LogResult"])
    assert len(log) == 4096
    assert log.endswith(b"x\n") and b"line 00099" in log and b"line 00000" not in log


def test_event_invocation_is_queued_with_202(aws, runtime, function):
    response = client(aws, "lambda").invoke(
        FunctionName=function.function_name, InvocationType="Event", Payload=b'{"e": 1}'
    )
    assert response["StatusCode"] == 202
    assert response["Payload"].read() == b""
    assert runtime.calls == []
    request_id = response["ResponseMetadata"]["RequestId"]
    assert runtime.async_calls == [(function.function_name, b'{"e": 1}', request_id)]


def test_dry_run_is_204_and_runs_nothing(aws, runtime, function):
    response = client(aws, "lambda").invoke(FunctionName=function.function_name, InvocationType="DryRun")
    assert response["StatusCode"] == 204
    assert runtime.calls == [] and runtime.async_calls == []


def test_unknown_function_is_404_in_lambdas_error_shape(aws, runtime):
    with pytest.raises(ClientError) as raised:
        client(aws, "lambda").invoke(FunctionName="no-such-function", Payload=b"{}")
    error = raised.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error["Error"]["Code"] == "ResourceNotFoundException"
    assert (
        error["Error"]["Message"]
        == f"Function not found: arn:aws:lambda:us-east-1:{ACCOUNT}:function:no-such-function"
    )


def test_unknown_function_raw_body_is_message_and_type(aws, runtime):
    # The body Lambda sends: {"Message": ..., "Type": "User"} (seen in aarondfrancis/sidecar#23).
    connection = http.client.HTTPConnection("127.0.0.1", aws.port, timeout=10)
    try:
        request = client(aws, "lambda")
        # Sign through boto3's machinery by capturing the prepared request.
        captured = {}

        def capture(request, **_kwargs):
            captured["headers"] = dict(request.headers)

        request.meta.events.register("before-send.lambda.Invoke", capture)
        with pytest.raises(ClientError):
            request.invoke(FunctionName="missing-fn", Payload=b"{}")
        headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in captured["headers"].items()}
        connection.request(
            "POST", "/2015-03-31/functions/missing-fn/invocations", body=b"{}", headers=headers
        )
        response = connection.getresponse()
        body = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == 404
    assert response.getheader("x-amzn-ErrorType") == "ResourceNotFoundException"
    assert body == {
        "Type": "User",
        "Message": f"Function not found: arn:aws:lambda:us-east-1:{ACCOUNT}:function:missing-fn",
    }


@pytest.mark.parametrize(
    "name_form",
    [
        "{name}",
        "arn:aws:lambda:us-east-1:123456789012:function:{name}",
        "123456789012:function:{name}",
        "{name}:$LATEST",
    ],
)
def test_function_names_arns_and_partial_arns_resolve(aws, runtime, function, name_form):
    name = name_form.format(name=function.function_name)
    response = client(aws, "lambda").invoke(FunctionName=name, Payload=b"{}")
    assert response["StatusCode"] == 200


def test_a_qualifier_other_than_latest_is_not_found(aws, runtime, function):
    with pytest.raises(ClientError) as raised:
        client(aws, "lambda").invoke(FunctionName=function.function_name, Qualifier="live", Payload=b"{}")
    assert raised.value.response["Error"]["Message"].endswith(f"function:{function.function_name}:live")


def test_a_payload_that_is_not_json_is_rejected(aws, runtime, function):
    with pytest.raises(ClientError) as raised:
        client(aws, "lambda").invoke(FunctionName=function.function_name, Payload=b"not json")
    assert raised.value.response["Error"]["Code"] == "InvalidRequestContentException"
    assert runtime.calls == []


def test_a_runtime_failure_is_a_service_exception(aws, runtime, function):
    runtime.raise_error = RuntimeError("worker pool closed")
    with pytest.raises(ClientError) as raised:
        client(aws, "lambda").invoke(FunctionName=function.function_name, Payload=b"{}")
    assert raised.value.response["Error"]["Code"] == "ServiceException"
    assert "worker pool closed" in raised.value.response["Error"]["Message"]


def _role_credentials(aws, function, statements):
    return credentials_allowed(aws, statements)


def test_invoke_needs_lambda_invoke_function_permission(aws, runtime, function):
    creds = _role_credentials(aws, function, [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}])
    with pytest.raises(ClientError) as raised:
        client(aws, "lambda", creds).invoke(FunctionName=function.function_name, Payload=b"{}")
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert runtime.calls == []


def test_invoke_allowed_on_the_functions_arn(aws, runtime, function):
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{function.function_name}"
    creds = _role_credentials(
        aws, function, [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": arn}]
    )
    response = client(aws, "lambda", creds).invoke(FunctionName=function.function_name, Payload=b"{}")
    assert response["StatusCode"] == 200


def _environ(name: str, invocation_type: str = "RequestResponse") -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": f"/2015-03-31/functions/{name}/invocations",
        "QUERY_STRING": "",
        "HTTP_X_AMZ_INVOCATION_TYPE": invocation_type,
        "wsgi.input": io.BytesIO(b"{}"),
    }


def _answer(api: LambdaInvokeApi, environ: dict, body: bytes) -> ApiResponse:
    """The response the endpoint sends for `api`'s answer (its errors rendered in Lambda's shape)."""
    answer = api.handle(environ, body, api.match(environ, body))
    return render(answer, api.protocol) if isinstance(answer, AwsError) else answer


def test_without_a_runtime_attached_invoke_is_a_503():
    registry = FunctionRegistry(region="us-east-1", account_id=ACCOUNT)
    registry.register(function_spec("lonely"))
    response = _answer(LambdaInvokeApi(registry), _environ("lonely"), b"{}")
    assert response.status == 503
    assert json.loads(response.body)["Message"].startswith("samlite: no Lambda runtime")


def test_invalid_invocation_type_is_400():
    registry = FunctionRegistry(region="us-east-1", account_id=ACCOUNT)
    registry.register(function_spec("typed"))
    api = LambdaInvokeApi(registry)
    api.handler = FakeRuntime()
    response = _answer(api, _environ("typed", "Sometimes"), b"{}")
    assert response.status == 400
    assert ("x-amzn-ErrorType", "InvalidParameterValueException") in response.headers


def test_sync_payload_over_6_mb_is_413():
    registry = FunctionRegistry(region="us-east-1", account_id=ACCOUNT)
    registry.register(function_spec("big"))
    api = LambdaInvokeApi(registry)
    api.handler = FakeRuntime()
    payload = b'"' + b"x" * (6 * 1024 * 1024) + b'"'
    response = _answer(api, _environ("big"), payload)
    assert response.status == 413
    assert api.handler.calls == []


def test_callable_handler_adapts_a_runtime_and_a_queue():
    queued = []
    handler = CallableInvokeHandler(
        run=lambda spec, payload, **context: FakeRuntime(payload=payload).invoke(spec, payload, **context),
        enqueue=lambda spec, payload, request_id: queued.append((spec.function_name, request_id)),
    )
    registry = FunctionRegistry(region="us-east-1", account_id=ACCOUNT)
    registry.register(function_spec("adapted"))
    api = LambdaInvokeApi(registry)
    api.handler = handler
    assert _answer(api, _environ("adapted"), b'{"x": 1}').body == b'{"x": 1}'
    assert _answer(api, _environ("adapted", "Event"), b"{}").status == 202
    assert [name for name, _ in queued] == ["adapted"]


def test_registry_rejects_other_regions_accounts_and_name_clashes():
    registry = FunctionRegistry(region="us-east-1", account_id=ACCOUNT)
    spec = function_spec("shared-name")
    registry.register(spec)
    assert registry.resolve("arn:aws:lambda:eu-west-1:123456789012:function:shared-name") is None
    assert registry.resolve("arn:aws:lambda:us-east-1:999999999999:function:shared-name") is None
    assert registry.resolve("shared-name:$LATEST", "$LATEST") is spec
    assert registry.resolve("shared-name:1") is None
    assert registry.resolve("not a name!") is None
    clash = function_spec("shared-name")
    object.__setattr__(clash, "logical_id", "OtherFunction")
    with pytest.raises(ValueError, match="OtherFunction"):
        registry.register(clash)
