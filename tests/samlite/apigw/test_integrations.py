"""Integrations other than Lambda proxy on a whole local cloud (fixtures/integrations).

REST `AWS` integrations to SQS, SNS, DynamoDB, S3, Step Functions and a Lambda function with mapping
templates and integration responses, MOCK methods, gateway responses; HTTP API first-class
integrations to SQS, EventBridge and Step Functions; every service call signed with the
integration's role and checked by the embedded AWS's IAM.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from samlite.cloud.local_cloud import LocalCloud
from tests.samlite.embedded import running_cloud, unique

FIXTURE = Path(__file__).parent / "fixtures" / "integrations" / "template.yaml"
MACHINE = "samlite-integration-tests-machine"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    logs: list[str] = []
    sink = lambda source, line: logs.append(line)  # noqa: E731
    with running_cloud(
        FIXTURE, stack="integrations", state_dir=tmp_path_factory.mktemp("state"), log_sink=sink
    ) as started:
        started.test_logs = logs  # type: ignore[attr-defined]
        yield started


@pytest.fixture
def queue(cloud: LocalCloud) -> str:
    """The fixture queue, emptied."""
    url = cloud.outputs["QueueUrl"]
    sqs = cloud.client("sqs")
    while sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages"):
        pass
    cloud.reset()
    return url


def _receive(cloud: LocalCloud, url: str, deadline_s: float = 10.0) -> dict[str, Any]:
    """The next message of the queue, waited for with a deadline (SQS long polling)."""
    sqs = cloud.client("sqs")
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=1, MessageAttributeNames=["All"]
        ).get("Messages")
        if messages:
            return messages[0]
    raise AssertionError(f"no message arrived in {url} within {deadline_s} s")


# -- REST API: AWS integrations --------------------------------------------------------------------


def test_rest_api_queues_a_message_through_a_mapping_template(
    cloud: LocalCloud, rest: str, queue: str
) -> None:
    """ "Tutorial: Build a REST API as an Amazon SQS proxy" shape: a form-encoded SendMessage built by
    the request template ($util.urlEncode, $context.requestId), signed with the integration's role;
    the integration response selected by status ("2\\d{2}") and mapped from SQS's JSON answer."""
    body = {"order": 42, "note": "café & co"}
    response = requests.post(f"{rest}/messages", json=body, timeout=30)
    assert response.status_code == 202, response.text
    answer = response.json()
    message = _receive(cloud, queue)
    assert json.loads(message["Body"]) == body
    assert message["MessageId"] == answer["messageId"] and message["MD5OfBody"] == answer["md5"]
    assert message["MessageAttributes"]["requestId"]["StringValue"] == response.headers["x-amzn-RequestId"]


def test_passthrough_never_refuses_other_content_types(rest: str, queue: str) -> None:
    """ "Integration passthrough behaviors": NEVER with no template for text/plain is a 415."""
    response = requests.post(
        f"{rest}/messages", data="hello", headers={"Content-Type": "text/plain"}, timeout=30
    )
    assert response.status_code == 415 and response.json() == {"message": "Unsupported Media Type"}


def test_the_integration_role_is_held_to_its_policy(cloud: LocalCloud, rest: str, queue: str) -> None:
    """The integration's `credentials` role is what the service sees: without sqs:SendMessage, SQS
    answers AccessDenied (403), which the `4\\d{2}` integration response maps."""
    response = requests.post(f"{rest}/denied-messages", json={"a": 1}, timeout=30)
    assert response.status_code == 403, response.text
    assert "AccessDenied" in response.json()["code"]
    sqs = cloud.client("sqs")
    assert not sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=0).get("Messages")


def test_sns_publish_with_query_parameters(cloud: LocalCloud, rest: str) -> None:
    """`action/Publish` with integration.request.querystring.* mapped from a static value and the
    method request body."""
    sqs, sns = cloud.client("sqs"), cloud.client("sns")
    inbox = sqs.create_queue(QueueName=unique("inbox"))["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(
        TopicArn=cloud.outputs["TopicArn"],
        Protocol="sqs",
        Endpoint=inbox_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    response = requests.post(
        f"{rest}/notifications", data="ping", headers={"Content-Type": "text/plain"}, timeout=30
    )
    assert response.status_code == 200, response.text
    assert response.json()["messageId"]
    assert _receive(cloud, inbox)["Body"] == "ping"


def test_dynamodb_put_and_get_with_templates(cloud: LocalCloud, rest: str) -> None:
    """JSON-protocol actions (X-Amz-Target), templates walking $input.path with #foreach, and a
    response template that overrides the status ($context.responseOverride.status)."""
    item = unique("item")
    put = requests.put(f"{rest}/items/{item}", json={"name": 'Ann "A"', "tags": ["x", "y", "z"]}, timeout=30)
    assert put.status_code == 201, put.text
    assert put.json() == {"stored": item}
    stored = cloud.client("dynamodb").get_item(TableName=cloud.outputs["TableName"], Key={"id": {"S": item}})
    assert stored["Item"]["name"] == {"S": 'Ann "A"'} and set(stored["Item"]["tags"]["SS"]) == {"x", "y", "z"}
    got = requests.get(f"{rest}/items/{item}", timeout=30)
    assert got.status_code == 200 and got.json() == {"id": item, "name": 'Ann "A"', "tags": 3}
    missing = requests.get(f"{rest}/items/{unique('none')}", timeout=30)
    assert missing.status_code == 404 and "no item" in missing.json()["error"]


def test_s3_put_and_get_by_path_override(cloud: LocalCloud, rest: str) -> None:
    """`path/{bucket}/{key}` with integration.request.path.key mapped from the method's path, the
    body passed through (no template), and response headers mapped from the integration response."""
    name = unique("file") + ".txt"
    put = requests.put(
        f"{rest}/files/{name}", data=b"hello s3", headers={"Content-Type": "text/plain"}, timeout=30
    )
    assert put.status_code == 200, put.text
    assert put.json() == {"stored": True} and put.headers["ETag"]
    body = cloud.client("s3").get_object(Bucket=cloud.outputs["BucketName"], Key=name)["Body"].read()
    assert body == b"hello s3"
    got = requests.get(f"{rest}/files/{name}", timeout=30)
    assert got.status_code == 200 and got.content == b"hello s3"
    assert got.headers["Content-Type"].startswith("text/plain")
    assert requests.get(f"{rest}/files/{unique('none')}", timeout=30).status_code == 404


def test_step_functions_start_execution(cloud: LocalCloud, rest: str) -> None:
    """`states:action/StartExecution` with the whole body as the execution input
    ($util.escapeJavaScript($input.json('$')))."""
    machine = _state_machine(cloud)
    response = requests.post(f"{rest}/executions", json={"order": 7, "items": ["a"]}, timeout=30)
    assert response.status_code == 200, response.text
    execution = response.json()["executionArn"]
    described = cloud.client("stepfunctions").describe_execution(executionArn=execution)
    assert described["stateMachineArn"] == machine
    assert json.loads(described["input"]) == {"order": 7, "items": ["a"]}


def test_non_proxy_lambda_integration_selects_on_the_error_message(cloud: LocalCloud, rest: str) -> None:
    """ "Handle Lambda errors in API Gateway": the selection pattern is matched against errorMessage;
    success takes the default response, with the function's output as the body."""
    ok = requests.post(f"{rest}/sum", json={"a": 2, "b": 3}, timeout=30)
    assert ok.status_code == 200 and ok.json() == {"sum": 5, "caller": "127.0.0.1"}
    bad = requests.post(f"{rest}/sum", json={"a": "two", "b": 3}, timeout=30)
    assert bad.status_code == 400 and bad.json()["error"].startswith("Bad input")
    event = cloud.invocations("CalculatorFunction")[-1].event
    assert event == {"a": "two", "b": 3, "caller": "127.0.0.1"}


# -- REST API: MOCK and gateway responses ---------------------------------------------------------------


def test_mock_integration_status_comes_from_the_request_template(rest: str) -> None:
    """ "Set up mock integrations": the request template's statusCode selects the response."""
    ok = requests.get(f"{rest}/mock?scope=internal", timeout=30)
    assert ok.status_code == 200 and ok.json() == {"message": "Go ahead without me.", "stage": "Prod"}
    assert ok.headers["X-Scope"] == "internal"
    refused = requests.get(f"{rest}/mock?scope=public", timeout=30)
    assert refused.status_code == 500
    assert refused.json() == {"message": "The invoked method is not supported on the API resource."}


def test_gateway_responses_restyle_api_gateways_own_answers(rest: str) -> None:
    """ "Gateway responses in API Gateway": MISSING_AUTHENTICATION_TOKEN with its own status and a
    non-VTL template ($context.error.*), and DEFAULT_4XX headers on every other 4XX answer."""
    unknown = requests.get(f"{rest}/nowhere", timeout=30)
    assert unknown.status_code == 404
    assert unknown.json() == {
        "error": "Missing Authentication Token",
        "type": "MISSING_AUTHENTICATION_TOKEN",
        "path": "/Prod/nowhere",
    }
    refused = requests.post(f"{rest}/messages", data="x", headers={"Content-Type": "text/plain"}, timeout=30)
    assert (
        refused.status_code == 415 and refused.headers["Access-Control-Allow-Origin"] == "https://example.com"
    )
    assert "Access-Control-Allow-Origin" not in requests.get(f"{rest}/echo", timeout=30).headers


# -- HTTP API first-class integrations --------------------------------------------------------------------


def test_http_api_sqs_send_message(cloud: LocalCloud, http: str, queue: str) -> None:
    """ "Integration subtype reference", SQS-SendMessage: QueueUrl from a stage variable, the body
    passed as MessageBody, MessageAttributes as JSON; the answer is SQS's, in the query API's JSON."""
    response = requests.post(f"{http}/messages", data='{"hello": "http"}', timeout=30)
    assert response.status_code == 200, response.text
    result = response.json()["SendMessageResponse"]["SendMessageResult"]
    assert set(result) >= {"MessageId", "MD5OfMessageBody", "MD5OfMessageAttributes", "SequenceNumber"}
    message = _receive(cloud, queue)
    assert message["Body"] == '{"hello": "http"}' and message["MessageId"] == result["MessageId"]
    assert message["MessageAttributes"]["Source"]["StringValue"] == "http-api"


def test_http_api_parameters_from_a_json_path_and_the_query_string(
    cloud: LocalCloud, http: str, queue: str
) -> None:
    """$request.body.message (a JSON path) and $request.querystring.delay typed as an integer."""
    response = requests.post(f"{http}/messages/g1?delay=0", json={"message": "from the body"}, timeout=30)
    assert response.status_code == 200, response.text
    assert _receive(cloud, queue)["Body"] == "from the body"
    missing = requests.post(f"{http}/messages/g1", json={"other": 1}, timeout=30)
    assert missing.status_code == 400 and missing.json() == {"message": "Bad Request"}


def test_http_api_eventbridge_put_events(cloud: LocalCloud, http: str) -> None:
    """EventBridge-PutEvents: Detail, DetailType (from a header) and Source reach the default bus."""
    sqs, events = cloud.client("sqs"), cloud.client("events")
    inbox = sqs.create_queue(QueueName=unique("events"))["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    rule = unique("rule")
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["samlite.tests"]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "inbox", "Arn": inbox_arn}])
    response = requests.post(
        f"{http}/events", json={"order": 1}, headers={"X-Detail-Type": "OrderPlaced"}, timeout=30
    )
    assert response.status_code == 200, response.text
    assert response.json()["FailedEntryCount"] == 0
    delivered = json.loads(_receive(cloud, inbox)["Body"])
    assert delivered["detail-type"] == "OrderPlaced" and delivered["detail"] == {"order": 1}


def test_http_api_step_functions_start_execution(cloud: LocalCloud, http: str) -> None:
    """StepFunctions-StartExecution: StateMachineArn from a stage variable, the body as Input."""
    _state_machine(cloud)
    response = requests.post(f"{http}/executions", json={"go": True}, timeout=30)
    assert response.status_code == 200, response.text
    arn = response.json()["executionArn"]
    described = cloud.client("stepfunctions").describe_execution(executionArn=arn)
    assert json.loads(described["input"]) == {"go": True}


def _state_machine(cloud: LocalCloud) -> str:
    """The state machine the fixture's integrations start (created once, as the template names it)."""
    sfn = cloud.client("stepfunctions")
    arn = f"arn:aws:states:us-east-1:123456789012:stateMachine:{MACHINE}"
    try:
        sfn.describe_state_machine(stateMachineArn=arn)
    except sfn.exceptions.StateMachineDoesNotExist:
        sfn.create_state_machine(
            name=MACHINE,
            definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
            roleArn="arn:aws:iam::123456789012:role/samlite-integration-tests-api-role",
        )
    return arn
