"""Issue 11's acceptance, API part: the fixture under `samlite start` (a subprocess, as a user runs
it), every authorizer kind allowing and refusing, REST -> SQS and HTTP API -> SQS queueing.

The same fixture is where the state machine of issue 11 (Step Functions) joins; its paths are
tested by the Step Functions work.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "apis"
READY_TIMEOUT_S = 90


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    project = tmp_path_factory.mktemp("issue11")
    shutil.copytree(FIXTURE, project, dirs_exist_ok=True)
    env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "samlite", "start", "--port", "0", "--api-port", "0", "--no-watch"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if line.startswith("samlite ready"):
                break
        assert any(line.startswith("samlite ready") for line in lines), "\n".join(lines)
        assert not any("not enforced" in line or "not served" in line for line in lines), "\n".join(lines)
        outputs = json.loads((project / ".samlite" / "outputs.json").read_text())
        env_lines = (project / ".samlite" / "env").read_text().splitlines()
        aws_env = dict(line.removeprefix("export ").split("=", 1) for line in env_lines if "=" in line)
        yield {"outputs": outputs, "env": {k: v.strip("'\"") for k, v in aws_env.items()}}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _client(started: dict[str, Any], service: str) -> Any:
    env = started["env"]
    return boto3.client(
        service,
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env.get("AWS_DEFAULT_REGION", "us-east-1"),
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


@pytest.fixture(scope="module")
def tokens(started: dict[str, Any]) -> dict[str, str]:
    idp = _client(started, "cognito-idp")
    outputs = started["outputs"]
    email = "ann@example.com"
    idp.sign_up(ClientId=outputs["UserPoolClientId"], Username=email, Password="Passw0rd!Passw0rd")
    idp.admin_confirm_sign_up(UserPoolId=outputs["UserPoolId"], Username=email)
    result = idp.initiate_auth(
        ClientId=outputs["UserPoolClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": "Passw0rd!Passw0rd"},
    )["AuthenticationResult"]
    return {"id": result["IdToken"], "access": result["AccessToken"]}


def _receive(started: dict[str, Any]) -> dict[str, Any]:
    sqs = _client(started, "sqs")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        messages = sqs.receive_message(
            QueueUrl=started["outputs"]["OrdersQueueUrl"], WaitTimeSeconds=1, MessageAttributeNames=["All"]
        ).get("Messages")
        if messages:
            sqs.delete_message(
                QueueUrl=started["outputs"]["OrdersQueueUrl"], ReceiptHandle=messages[0]["ReceiptHandle"]
            )
            return messages[0]
    raise AssertionError("no order arrived in the queue")


def test_rest_authorizers(started: dict[str, Any], tokens: dict[str, str]) -> None:
    rest = started["outputs"]["RestApiUrl"]
    assert requests.get(f"{rest}/token", headers={"Authorization": "allow-1"}, timeout=30).status_code == 200
    assert requests.get(f"{rest}/token", headers={"Authorization": "deny-1"}, timeout=30).status_code == 403
    assert requests.get(f"{rest}/token", timeout=30).status_code == 401
    assert requests.get(f"{rest}/request", headers={"X-User": "allow-2"}, timeout=30).status_code == 200
    assert requests.get(f"{rest}/request", headers={"X-User": "deny-2"}, timeout=30).status_code == 403
    assert (
        requests.get(f"{rest}/cognito", headers={"Authorization": tokens["id"]}, timeout=30).status_code
        == 200
    )
    assert requests.get(f"{rest}/cognito", headers={"Authorization": "x.y.z"}, timeout=30).status_code == 401


def test_http_authorizers(started: dict[str, Any], tokens: dict[str, str]) -> None:
    http = started["outputs"]["HttpApiUrl"]
    assert requests.get(f"{http}/lambda", headers={"Authorization": "allow-3"}, timeout=30).status_code == 200
    assert requests.get(f"{http}/lambda", headers={"Authorization": "deny-3"}, timeout=30).status_code == 403
    for token in tokens.values():
        assert (
            requests.get(f"{http}/jwt", headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code
            == 200
        )
    assert (
        requests.get(f"{http}/jwt", headers={"Authorization": "Bearer x.y.z"}, timeout=30).status_code == 401
    )


def test_rest_api_to_sqs(started: dict[str, Any]) -> None:
    rest = started["outputs"]["RestApiUrl"]
    response = requests.post(
        f"{rest}/orders", json={"order": 1}, headers={"Authorization": "allow-ann"}, timeout=30
    )
    assert response.status_code == 202, response.text
    message = _receive(started)
    assert json.loads(message["Body"]) == {"order": 1} and message["MessageId"] == response.json()["queued"]
    assert message["MessageAttributes"]["principal"]["StringValue"] == "user-ann"
    assert requests.post(f"{rest}/orders", json={"order": 2}, timeout=30).status_code == 401


def test_http_api_to_sqs(started: dict[str, Any], tokens: dict[str, str]) -> None:
    http = started["outputs"]["HttpApiUrl"]
    response = requests.post(
        f"{http}/orders", data='{"order": 3}', headers={"Authorization": tokens["access"]}, timeout=30
    )
    assert response.status_code == 200, response.text
    message = _receive(started)
    assert message["Body"] == '{"order": 3}'
    assert message["MessageAttributes"]["Sub"]["StringValue"]  # the token's subject, mapped from $context
    assert requests.post(f"{http}/orders", data="{}", timeout=30).status_code == 401
