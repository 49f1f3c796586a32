"""`samlite start` on the triggers fixture (one function per trigger type), as a user runs it: the
schedules listed before the ready line (disabled ones as such), `samlite trigger` from a second
process with `.samlite/env`, SNS, EventBridge, SQS, a table's stream and Kinesis through the SDK, and
`--chaos` logged (issue 9's "done when": every trigger delivers under `samlite start`)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from tests.samlite.start_process import READY_TIMEOUT_S, OutputLines, spawn_start

FIXTURE = Path(__file__).resolve().parent / "push_fixtures"


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[Path, OutputLines]]:
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    process = spawn_start(
        tmp_path,
        "--port",
        "0",
        "--api-port",
        "0",
        "--no-watch",
        "--stack-name",
        f"cli-push-{uuid.uuid4().hex[:8]}",
        "--chaos",
        "delay=5ms,seed=3",
    )
    lines = OutputLines(process)
    try:
        yield tmp_path, lines
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def _env(project: Path) -> dict[str, str]:
    values = dict(os.environ)
    for line in (project / ".samlite" / "env").read_text().splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        values[name] = value.strip("'")
    return values


def test_every_pushed_trigger_delivers_under_samlite_start(running: tuple[Path, OutputLines]) -> None:
    project, lines = running
    lines.wait_for("samlite ready", READY_TIMEOUT_S)
    before_ready = "\n".join(lines.seen)
    assert "chaos on (duplicate=0,reorder=0,delay=5ms, seed 3)" in before_ready
    assert "schedule TickFunctionNightly (rule " in before_ready and "DISABLED" in before_ready
    assert "samlite trigger " in before_ready, "the banner says how to fire a schedule"
    env = _env(project)
    # From another process, as a developer's second shell (credentials from .samlite/env): the trigger,
    # then SNS and EventBridge through boto3.
    fired = subprocess.run(
        [sys.executable, "-m", "samlite", "trigger", "TickFunction.Nightly"],
        cwd=project,
        env={name: value for name, value in env.items() if not name.startswith("AWS_ENDPOINT")}
        | {"AWS_ENDPOINT_URL": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert fired.returncode == 0, fired.stderr
    assert json.loads(fired.stdout)["Kind"] == "rule"
    session = boto3.Session(
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=env["AWS_REGION"],
    )
    outputs = json.loads((project / ".samlite" / "outputs.json").read_text())
    sns = session.client("sns", endpoint_url=env["AWS_ENDPOINT_URL"])
    sns.publish(
        TopicArn=outputs["TopicArn"],
        Message="from the cli test",
        MessageAttributes={"color": {"DataType": "String", "StringValue": "red"}},
    )
    session.client("events", endpoint_url=env["AWS_ENDPOINT_URL"]).put_events(
        Entries=[{"Source": "plain", "DetailType": "x", "Detail": "{}"}]
    )
    endpoint = env["AWS_ENDPOINT_URL"]
    session.client("sqs", endpoint_url=endpoint).send_message(
        QueueUrl=outputs["WorkQueueUrl"], MessageBody="from the cli test"
    )
    session.client("dynamodb", endpoint_url=endpoint).put_item(
        TableName=outputs["LedgerName"], Item={"id": {"S": "from-the-cli-test"}}
    )
    session.client("kinesis", endpoint_url=endpoint).put_record(
        StreamName=outputs["ClicksName"], Data=b'{"clicked": 1}', PartitionKey="p"
    )
    wanted = {
        "TickFunction",
        "SnsFunction",
        "RuleFunction",
        "QueueFunction",
        "TableFunction",
        "StreamFunction",
    }
    sources: set[str] = set()
    while not wanted <= sources:  # wait_for raises after its deadline, with what it saw
        line = lines.wait_for("", 30)
        if " | " in line:
            sources.add(line.split(" | ", 1)[0].strip())
