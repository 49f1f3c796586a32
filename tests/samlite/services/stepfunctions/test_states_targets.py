"""A state machine as the target of a rule or schedule: an execution starts with the event as input.

SAM turns a state machine's Schedule and EventBridgeRule events into `AWS::Events::Rule`s whose
target is the state machine, with a role allowed `states:StartExecution` on it (SAM's
"AWS::Serverless::StateMachine" event sources; EventBridge's "Amazon EventBridge targets": a Step
Functions target starts an execution, the event, or the target's `Input`, being its input). The rules
are delivered by samlite's EventBridge and schedules; whatever delivers them hands the target ARN and
message to `MotoTargets`, which starts the execution. (The roles themselves: test_states_iam.py.)
"""

from __future__ import annotations

import json
import time
from typing import Any

from samlite.cloud.local_cloud import LocalCloud
from samlite.services.targets import MotoTargets, OutboundMessage
from tests.samlite.services.stepfunctions.conftest import arn_of, wait_until_done


def test_sam_gives_the_schedule_and_the_rule_the_state_machine_as_target(states_cloud: LocalCloud) -> None:
    resources = states_cloud.stack.resources
    hourly, ordered = resources["WorkflowHourly"], resources["WorkflowOrdered"]
    assert (hourly.type, ordered.type) == ("AWS::Events::Rule", "AWS::Events::Rule")
    assert hourly.properties["ScheduleExpression"] == "rate(1 hour)"
    assert ordered.properties["EventPattern"] == {
        "source": ["samlite.tests"],
        "detail-type": ["Order placed"],
    }
    for rule, role in ((hourly, "WorkflowHourlyRole"), (ordered, "WorkflowOrderedRole")):
        (target,) = rule.properties["Targets"]
        assert target["Arn"] == arn_of(states_cloud, "Workflow")
        assert target["RoleArn"] == resources[role].attributes["Arn"]
    assert json.loads(hourly.properties["Targets"][0]["Input"]) == {"value": 1, "items": []}


def test_a_message_to_a_state_machine_arn_starts_an_execution_with_it_as_input(
    states_cloud: LocalCloud, sfn: Any
) -> None:
    problems: list[str] = []
    targets = MotoTargets(account_id=states_cloud.stack.account_id, log=problems.append)
    workflow = arn_of(states_cloud, "Workflow")
    before = {e["executionArn"] for e in sfn.list_executions(stateMachineArn=workflow)["executions"]}

    targets(workflow, OutboundMessage(body=json.dumps({"value": 3, "items": [1]})))

    deadline = time.monotonic() + 10
    while not (
        new := [
            e
            for e in sfn.list_executions(stateMachineArn=workflow)["executions"]
            if e["executionArn"] not in before
        ]
    ):
        assert time.monotonic() < deadline, "no execution started"
        time.sleep(0.02)
    assert problems == []
    described = wait_until_done(sfn, new[0]["executionArn"])
    assert json.loads(described["input"]) == {"value": 3, "items": [1]}
    assert described["status"] == "SUCCEEDED"


def test_a_message_to_an_unknown_state_machine_is_logged(states_cloud: LocalCloud) -> None:
    problems: list[str] = []
    targets = MotoTargets(account_id=states_cloud.stack.account_id, log=problems.append)
    missing = arn_of(states_cloud, "Workflow") + "Gone"
    targets(missing, OutboundMessage(body="{}"))
    assert len(problems) == 1 and missing in problems[0]


def test_the_api_event_starts_an_execution_through_the_gateway(states_cloud: LocalCloud, sfn: Any) -> None:
    """SAM's Api event: a POST method whose `Type: AWS` integration calls StartExecution with the
    request body as input, signed as the role SAM generates for it; API Gateway answers with
    StartExecution's response ("AWS::Serverless::StateMachine" Api event source)."""
    import requests

    url = states_cloud.api_urls["ServerlessRestApi"] + "/workflow"
    response = requests.post(url, json={"value": 2, "items": [3]}, timeout=30)
    assert response.status_code == 200, response.text
    execution_arn = response.json()["executionArn"]
    assert execution_arn.startswith(arn_of(states_cloud, "Workflow").replace(":stateMachine:", ":execution:"))
    described = wait_until_done(sfn, execution_arn)
    assert json.loads(described["input"]) == {"value": 2, "items": [3]}
    assert described["status"] == "SUCCEEDED"


def _new_executions(sfn: Any, workflow: str, before: set[str], timeout: float = 10.0) -> list[dict[str, Any]]:
    """The executions of `workflow` started since `before` was read, once there is one (a deadline)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [
            e
            for e in sfn.list_executions(stateMachineArn=workflow)["executions"]
            if e["executionArn"] not in before
        ]
        if found:
            return found
        assert time.monotonic() < deadline, f"no execution of {workflow} started within {timeout} s"
        time.sleep(0.02)


def _executions(sfn: Any, workflow: str) -> set[str]:
    return {e["executionArn"] for e in sfn.list_executions(stateMachineArn=workflow)["executions"]}


def test_the_schedule_event_fired_by_samlite_trigger_starts_an_execution_with_its_input(
    states_cloud: LocalCloud, sfn: Any
) -> None:
    """SAM's Schedule event of a state machine: the rule's target is the state machine, and its `Input`
    is the execution's input ("Schedule" event source of AWS::Serverless::StateMachine; EventBridge's
    "Amazon EventBridge targets": Step Functions). `samlite trigger` fires the rule now."""
    workflow = arn_of(states_cloud, "Workflow")
    before = _executions(sfn, workflow)

    fired = states_cloud.trigger("WorkflowHourly")

    assert fired is not None
    (execution,) = _new_executions(sfn, workflow, before)
    described = wait_until_done(sfn, execution["executionArn"])
    assert json.loads(described["input"]) == {"value": 1, "items": []}
    assert described["status"] == "SUCCEEDED"


def test_an_event_matching_the_eventbridge_rule_event_starts_an_execution_with_the_event(
    states_cloud: LocalCloud, sfn: Any
) -> None:
    """SAM's EventBridgeRule event of a state machine: a PutEvents entry that matches the pattern starts
    an execution whose input is the whole event, as EventBridge sends it to a Step Functions target
    ("Amazon EventBridge targets"; "Amazon EventBridge events": the event's envelope); one that does
    not match starts nothing."""
    workflow = arn_of(states_cloud, "Workflow")
    events = states_cloud.client("events")
    before = _executions(sfn, workflow)

    events.put_events(
        Entries=[
            {"Source": "samlite.tests", "DetailType": "Order cancelled", "Detail": json.dumps({"value": 9})},
            {
                "Source": "samlite.tests",
                "DetailType": "Order placed",
                "Detail": json.dumps({"value": 4, "items": [5]}),
            },
        ]
    )

    (execution,) = _new_executions(sfn, workflow, before)
    described = wait_until_done(sfn, execution["executionArn"])
    event = json.loads(described["input"])
    assert (event["source"], event["detail-type"], event["detail"]) == (
        "samlite.tests",
        "Order placed",
        {"value": 4, "items": [5]},
    )
    assert {"version", "id", "account", "time", "region", "resources"} <= set(event)
    assert _executions(sfn, workflow) - before == {execution["executionArn"]}  # the other did not match


def test_the_schedule_v2_event_fired_by_samlite_trigger_starts_an_execution_with_its_input(
    states_cloud: LocalCloud, sfn: Any
) -> None:
    """SAM's ScheduleV2 event of a state machine: an EventBridge Scheduler schedule whose templated
    target is the state machine, its `Input` the execution's input ("ScheduleV2" event source of
    AWS::Serverless::StateMachine; EventBridge Scheduler's "Using templated targets": StartExecution)."""
    schedule = states_cloud.stack.resources["WorkflowNightly"]
    assert schedule.type == "AWS::Scheduler::Schedule"
    workflow = arn_of(states_cloud, "Workflow")
    before = _executions(sfn, workflow)

    states_cloud.trigger("WorkflowNightly")

    (execution,) = _new_executions(sfn, workflow, before)
    described = wait_until_done(sfn, execution["executionArn"])
    assert json.loads(described["input"]) == {"value": 6, "items": [7]}
    assert described["status"] == "SUCCEEDED"
