"""The console's triggers, state machines and layers views (JSON API) on the triggers fixture: a worker
fed by an SQS queue, a topic, a pattern rule, an enabled and a disabled schedule, with a layer of its
own folder, and a state machine calling a function."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from samlite.cloud.local_cloud import LocalCloud
from samlite.console.pages.functions import layer_view
from samlite.model import LayerSpec
from tests.samlite.console.conftest import ConsoleClient
from tests.samlite.embedded import wait_until


def _by(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in rows}


# -- triggers -----------------------------------------------------------------------------------------


def test_every_event_source_is_listed(triggers_console: ConsoleClient) -> None:
    data = triggers_console.get("/triggers")  # the whole account's: moto's state is process-wide
    mappings = _by([m for m in data["mappings"] if m["function"] == "Worker"], "kind")
    assert set(mappings) == {"SQS", "DynamoDB stream"}
    queue, stream = mappings["SQS"], mappings["DynamoDB stream"]
    assert (queue["sourceLogicalId"], queue["function"], queue["state"]) == ("Jobs", "Worker", "Enabled")
    assert queue["batchSize"] == 5 and set(queue["queue"]) == {"visible", "inFlight"}
    assert (stream["function"], stream["batchSize"], stream["batchingWindowS"]) == ("Worker", 10, 1)
    assert stream["startingPosition"] == "LATEST" and stream["queue"] is None
    assert stream["sourceLogicalId"] == "Orders"
    assert ":table/" in stream["source"] and "/stream/" in stream["source"]
    [subscription] = [s for s in data["subscriptions"] if s["topicLogicalId"] == "Notices"]
    assert subscription["topicLogicalId"] == "Notices" and subscription["protocol"] == "lambda"
    assert subscription["target"]["function"] == "Worker"
    assert json.loads(subscription["filterPolicy"]) == {"kind": ["notice"]}
    [rule] = [r for r in data["rules"] if r["logicalId"] == "WorkerOrders"]
    assert rule["bus"] == "default" and rule["enabled"]
    assert rule["pattern"] == {"source": ["shop"], "detail-type": ["order placed"]}
    assert [t["function"] for t in rule["targets"]] == ["Worker"]


def test_a_queue_mapping_shows_what_it_has_in_flight(
    triggers_cloud: LocalCloud, triggers_console: ConsoleClient, tmp_path: Path
) -> None:
    """A message the mapping received stays in the queue, invisible, until the function's batch
    succeeds and Lambda deletes it ("Using Lambda with Amazon SQS")."""
    marker = tmp_path / "release"
    jobs = triggers_cloud.stack.resources["Jobs"].ref
    triggers_cloud.client("sqs").send_message(
        QueueUrl=jobs, MessageBody=json.dumps({"holdUntil": str(marker)})
    )

    def queue_counts() -> dict[str, int]:
        mappings = triggers_console.get("/triggers")["mappings"]
        return next(m["queue"] for m in mappings if m["sourceLogicalId"] == "Jobs")

    wait_until(lambda: queue_counts()["inFlight"] == 1, "the message in flight")
    marker.write_text("go")
    wait_until(lambda: queue_counts() == {"visible": 0, "inFlight": 0}, "the message deleted")


def test_schedules_show_their_expression_state_and_next_run(triggers_console: ConsoleClient) -> None:
    """A rule's rate() counts from when the rule is created; a Scheduler cron in its time zone (UTC
    here): "Creating an Amazon EventBridge rule that runs on a schedule", "Schedule types on
    EventBridge Scheduler". A disabled schedule does not run on its own (ScheduleV2 State)."""
    schedules = _by(triggers_console.get("/triggers")["schedules"], "logicalId")
    tick, nightly = schedules["WorkerTick"], schedules["WorkerNightly"]
    assert (tick["kind"], tick["expression"], tick["enabled"]) == ("rule", "rate(1 day)", True)
    assert tick["targets"][0]["function"] == "Worker" and json.loads(tick["targets"][0]["input"]) == {
        "tick": True
    }
    next_tick = datetime.fromisoformat(tick["nextRun"].replace("Z", "+00:00"))
    now = datetime.now(UTC)
    assert now + timedelta(hours=23) < next_tick <= now + timedelta(days=1, minutes=1)
    assert (nightly["kind"], nightly["expression"], nightly["state"]) == (
        "schedule",
        "cron(0 3 * * ? *)",
        "DISABLED",
    )
    assert not nightly["enabled"] and nightly["nextRun"].endswith("T03:00:00Z")
    assert nightly["triggerId"] == "WorkerNightly" and nightly["group"] == "default"


def test_fire_now_runs_the_schedule_as_samlite_trigger_does(
    triggers_cloud: LocalCloud, triggers_console: ConsoleClient
) -> None:
    before = len(triggers_cloud.invocations("Worker"))
    answer = triggers_console.send("POST", "/triggers/fire", json={"id": "WorkerTick"})
    assert (answer["Id"], answer["Kind"]) == ("WorkerTick", "rule")
    assert answer["Targets"] == [triggers_cloud.provisioned.function_arns["Worker"]]
    record = wait_until(
        lambda: next(
            (r for r in triggers_cloud.invocations("Worker")[before:] if r.source == "schedule"), None
        ),
        "the scheduled invocation",
    )
    assert record.event == {"tick": True}  # the rule target's constant Input
    assert record.result.error_type is None
    rows = triggers_console.get("/functions/Worker/invocations")["invocations"]
    assert any(row["source"] == "schedule" and answer["Arn"] in row["trigger"] for row in rows)


def test_a_disabled_schedule_fires_too(triggers_cloud: LocalCloud, triggers_console: ConsoleClient) -> None:
    before = len(triggers_cloud.invocations("Worker"))
    answer = triggers_console.send("POST", "/triggers/fire", json={"id": "WorkerNightly"})
    assert answer["Kind"] == "schedule"
    wait_until(lambda: len(triggers_cloud.invocations("Worker")) > before, "the disabled schedule's run")


def test_fire_now_names_what_is_wrong(triggers_console: ConsoleClient) -> None:
    unknown = triggers_console.send("POST", "/triggers/fire", 404, json={"id": "NoSuchSchedule"})
    assert unknown["error"]["code"] == "ResourceNotFoundException"
    assert "NoSuchSchedule" in unknown["error"]["message"] and "WorkerTick" in unknown["error"]["message"]
    pattern = triggers_console.send("POST", "/triggers/fire", 400, json={"id": "WorkerOrders"})
    assert "event-pattern rule" in pattern["error"]["message"]
    missing = triggers_console.send("POST", "/triggers/fire", 400, json={})
    assert "'id'" in missing["error"]["message"]
    no_token = requests.post(triggers_console.url("/triggers/fire"), json={"id": "WorkerTick"}, timeout=10)
    assert no_token.status_code == 403 and no_token.json()["error"]["code"] == "MissingToken"


def test_the_trigger_route_keeps_its_own_iam_check(triggers_cloud: LocalCloud) -> None:
    """The console fires through the trigger API signed as the administrator; that API still refuses
    an unsigned call (the console never answers it)."""
    answer = requests.post(f"{triggers_cloud.url}/_samlite/trigger/WorkerTick", timeout=10)
    assert answer.status_code == 403 and "MissingToken" not in answer.text


# -- state machines -----------------------------------------------------------------------------------


def _succeeded(console: ConsoleClient, arn: str) -> dict[str, Any] | None:
    execution = console.get("/executions", params={"arn": arn})
    return execution if execution["status"] != "RUNNING" else None


def test_state_machines_are_listed_with_their_template_id(triggers_console: ConsoleClient) -> None:
    machines = triggers_console.get("/state-machines")["stateMachines"]
    [machine] = [m for m in machines if m["logicalId"] == "Doubler"]
    assert machine["type"] == "STANDARD"
    detail = triggers_console.get(f"/state-machines/{machine['name']}")
    assert detail["definition"]["StartAt"] == "Double" and detail["roleArn"]
    assert (
        triggers_console.get("/state-machines/Doubler")["arn"] == machine["arn"]
    )  # the logical id works too


def test_start_execution_then_read_its_output_and_history(triggers_console: ConsoleClient) -> None:
    """StartExecution with the edited input; DescribeExecution's input / output and
    GetExecutionHistory's events ("GetExecutionHistory", Step Functions API reference)."""
    started = triggers_console.send(
        "POST", "/state-machines/Doubler/executions", json={"input": {"value": 21}, "name": "twenty-one"}
    )
    assert started["executionArn"].endswith(":twenty-one")
    done = wait_until(lambda: _succeeded(triggers_console, started["executionArn"]), "the execution's end")
    assert done["status"] == "SUCCEEDED" and done["stopDate"]
    assert done["input"] == {"value": 21} and done["output"] == {"doubled": 42}
    types = [event["type"] for event in done["events"]]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded"
    assert "LambdaFunctionSucceeded" in types and "PassStateExited" in types
    assert done["events"][0]["details"]["input"] == {"value": 21}
    listed = triggers_console.get("/state-machines/Doubler")["executions"]
    assert listed[0]["name"] == "twenty-one" and listed[0]["output"] == {"doubled": 42}
    machines = triggers_console.get("/state-machines")["stateMachines"]
    assert next(m for m in machines if m["logicalId"] == "Doubler")["last"]["name"] == "twenty-one"


def test_a_failed_execution_shows_its_error(triggers_console: ConsoleClient) -> None:
    started = triggers_console.send(
        "POST", "/state-machines/Doubler/executions", json={"input": {"value": "x"}}
    )
    done = wait_until(lambda: _succeeded(triggers_console, started["executionArn"]), "the execution's end")
    assert done["status"] == "FAILED" and done["error"] == "ValueError"
    assert "invalid literal" in done["cause"]["errorMessage"]


def test_start_execution_names_what_is_wrong(triggers_console: ConsoleClient) -> None:
    missing = triggers_console.send("POST", "/state-machines/Doubler/executions", 400, json={})
    assert "'input'" in missing["error"]["message"]
    unknown = triggers_console.send("POST", "/state-machines/Nope/executions", 404, json={"input": {}})
    assert "Nope" in unknown["error"]["message"]
    bad_name = triggers_console.send(
        "POST", "/state-machines/Doubler/executions", 400, json={"input": {}, "name": "has space"}
    )
    assert bad_name["error"]["code"] == "InvalidName"
    no_arn = triggers_console.send("GET", "/executions", 400)
    assert "'arn'" in no_arn["error"]["message"]


# -- layers -------------------------------------------------------------------------------------------


def test_the_function_page_lists_its_layers_in_order(triggers_console: ConsoleClient) -> None:
    [layer] = triggers_console.get("/functions/Worker")["layers"]
    assert layer["name"] == "Greeting" and layer["origin"] == "template"
    assert layer["arn"].endswith(":layer:greeting:1")
    assert Path(layer["folder"]).parts[-2:] == ("layers", "greeting") and layer["optPath"] == "/opt"
    assert triggers_console.get("/functions/Double")["layers"] == []


def test_layer_views_say_where_each_layer_comes_from(tmp_path: Path) -> None:
    powertools = LayerSpec(
        arn="arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7",
        name="Powertools for AWS Lambda (Python) 3.4.1",
        packages=("aws-lambda-powertools[all]==3.4.1",),
        origin="powertools",
    )
    mapped = LayerSpec(
        arn="arn:aws:lambda:us-east-1:111122223333:layer:shared:3",
        name="shared",
        content=tmp_path,
        origin="layer-map",
    )
    built = LayerSpec(
        arn="arn:l:2",
        name="Deps",
        content=tmp_path,
        content_prefix="python",
        requirements=tmp_path / "requirements.txt",
    )
    assert layer_view(powertools)["powertoolsVersion"] == "3.4.1"
    assert layer_view(powertools)["folder"] is None
    assert (layer_view(mapped)["origin"], layer_view(mapped)["folder"]) == ("layer-map", str(tmp_path))
    assert layer_view(mapped)["powertoolsVersion"] is None
    assert layer_view(built)["optPath"] == "/opt/python"
    assert layer_view(built)["requirements"] == str(tmp_path / "requirements.txt")
