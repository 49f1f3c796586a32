"""Amazon States Language state types run as documented, and their history is AWS's.

The fixture's `Workflow` (from a local DefinitionUri, function ARNs given by DefinitionSubstitutions)
has a Task, a Choice, a Map over the input's items, a Parallel with a branch whose Task is retried
then caught, and a branch whose Task fails into a Catch. References: the Amazon States Language
specification ("Task", "Choice", "Map", "Parallel" states, "Errors": Retry and Catch, "Paths":
ItemsPath, ResultPath), "Handling errors in Step Functions workflows" (the `Error` / `Cause` output
of a Catcher; a Lambda function's error as `errorType`, its payload as the cause), and the
GetExecutionHistory / HistoryEvent API reference (event types; ids numbered from one;
previousEventId).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from samlite.cloud.local_cloud import LocalCloud
from tests.samlite.services.stepfunctions.conftest import details, history, run

TOP_LEVEL = ("Double", "Big", "Each", "Both")


@pytest.fixture(scope="module")
def small(states_cloud: LocalCloud, sfn: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """value 2 is doubled to 4: not above 10, so the Choice goes to the Map over [1, 2]."""
    described = run(states_cloud, sfn, "Workflow", {"value": 2, "items": [1, 2]})
    return described, history(sfn, described["executionArn"])


def _named(events: list[dict[str, Any]], name: str) -> list[str]:
    return [event["type"] for event in events if details(event).get("name") == name]


def _by_id(events: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {event["id"]: event for event in events}


def test_the_execution_succeeds_with_each_branch_output_in_order(small: Any) -> None:
    described, _ = small
    assert described["status"] == "SUCCEEDED"
    # Parallel: an array of the branches' outputs, in branch order. Branch 1 caught FlakyError and
    # its Pass picked the Catcher's Error; branch 2 caught ValueError and its Pass gave a Result.
    assert json.loads(described["output"]) == [{"recovered": "FlakyError"}, "handled"]


def _function_arn(cloud: LocalCloud, logical_id: str) -> str:
    return str(cloud.stack.resources[logical_id].attributes["Arn"])


def test_events_are_numbered_from_one_and_point_back_to_earlier_ones(
    small: Any, states_cloud: LocalCloud
) -> None:
    _, events = small
    assert [event["id"] for event in events] == list(range(1, len(events) + 1))
    assert all(0 <= event["previousEventId"] < event["id"] for event in events)
    assert events[0]["type"] == "ExecutionStarted"
    started = details(events[0])
    assert json.loads(started["input"]) == {"value": 2, "items": [1, 2]}
    assert started["roleArn"] == states_cloud.stack.resources["WorkflowRole"].attributes["Arn"]  # SAM's role
    assert events[-1]["type"] == "ExecutionSucceeded"
    assert [e["timestamp"] for e in events] == sorted(e["timestamp"] for e in events)


def test_top_level_states_are_entered_and_exited_in_definition_order(small: Any) -> None:
    _, events = small
    top = [
        (event["type"], details(event)["name"]) for event in events if details(event).get("name") in TOP_LEVEL
    ]
    top = [(kind, name) for kind, name in top if kind.endswith(("StateEntered", "StateExited"))]
    assert top == [
        ("TaskStateEntered", "Double"),
        ("TaskStateExited", "Double"),
        ("ChoiceStateEntered", "Big"),
        ("ChoiceStateExited", "Big"),
        ("MapStateEntered", "Each"),
        ("MapStateExited", "Each"),
        ("ParallelStateEntered", "Both"),
        ("ParallelStateExited", "Both"),
    ]


def test_a_lambda_task_is_scheduled_started_and_succeeds_between_entering_and_exiting(
    small: Any, states_cloud: LocalCloud
) -> None:
    _, events = small
    entered = next(i for i, e in enumerate(events) if e["type"] == "TaskStateEntered")
    assert [e["type"] for e in events[entered : entered + 5]] == [
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
        "TaskStateExited",
    ]
    scheduled = details(events[entered + 1])
    assert scheduled["resource"] == _function_arn(states_cloud, "Double")  # DefinitionSubstitutions
    assert json.loads(scheduled["input"]) == {"value": 2, "items": [1, 2]}
    assert json.loads(details(events[entered + 4])["output"]) == {"value": 4, "items": [1, 2]}


def test_map_runs_one_iteration_per_item_and_collects_results_at_result_path(small: Any) -> None:
    _, events = small
    by_id = _by_id(events)
    kinds = [e["type"] for e in events]
    assert kinds.count("MapStateStarted") == 1
    assert details(events[kinds.index("MapStateStarted")]) == {"length": 2}
    started = {details(e)["index"]: e for e in events if e["type"] == "MapIterationStarted"}
    succeeded = {details(e)["index"]: e for e in events if e["type"] == "MapIterationSucceeded"}
    assert set(started) == set(succeeded) == {0, 1}
    for index, iteration in started.items():
        assert details(iteration)["name"] == "Each"
        # The iteration's first step follows its start; its end follows the iteration's last step.
        first = next(e for e in events if e["previousEventId"] == iteration["id"])
        assert (first["type"], details(first)["name"]) == ("TaskStateEntered", "DoubleItem")
        assert json.loads(details(first)["input"]) == {"value": index + 1}  # $$.Map.Item.Value
        last = by_id[succeeded[index]["previousEventId"]]
        assert (last["type"], details(last)["name"]) == ("TaskStateExited", "DoubleItem")
    order = [
        kinds.index(kind)
        for kind in ("MapStateEntered", "MapStateStarted", "MapStateSucceeded", "MapStateExited")
    ]
    assert order == sorted(order)
    exited = next(e for e in events if e["type"] == "MapStateExited")
    assert json.loads(details(exited)["output"])["doubled"] == [{"value": 2}, {"value": 4}]


def test_parallel_starts_every_branch_and_succeeds_after_the_last(small: Any) -> None:
    _, events = small
    kinds = [e["type"] for e in events]
    parallel_started = events[kinds.index("ParallelStateStarted")]
    firsts = [e for e in events if e["previousEventId"] == parallel_started["id"]]
    assert sorted(details(e)["name"] for e in firsts) == ["Caught", "Retried"]
    last_steps = [e["id"] for e in events if e["type"] == "PassStateExited"]  # Recovered and Handled
    assert len(last_steps) == 2
    assert events[kinds.index("ParallelStateSucceeded")]["id"] > max(last_steps)
    assert kinds[-3:] == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]


def test_retry_makes_max_attempts_more_attempts_then_the_catcher_takes_the_error(
    small: Any, states_cloud: LocalCloud
) -> None:
    _, events = small
    flaky = _function_arn(states_cloud, "Flaky")
    attempts = [
        e for e in events if e["type"] == "LambdaFunctionScheduled" and details(e)["resource"] == flaky
    ]
    assert len(attempts) == 3  # the first attempt and MaxAttempts (2) retries
    failures = [
        e for e in events if e["type"] == "LambdaFunctionFailed" and details(e)["error"] == "FlakyError"
    ]
    assert len(failures) == 3
    # Each retry is scheduled after the previous failure, never in parallel with it.
    for failure, retry in zip(failures, attempts[1:], strict=False):
        assert retry["id"] > failure["id"]
    assert _named(events, "Retried") == ["TaskStateEntered", "TaskStateExited"]
    exited = next(e for e in events if e["type"] == "TaskStateExited" and details(e)["name"] == "Retried")
    error = json.loads(details(exited)["output"])["error"]  # the Catcher's ResultPath
    assert error["Error"] == "FlakyError"
    assert json.loads(error["Cause"])["errorMessage"] == "always flaky"
    assert _named(events, "Recovered") == ["PassStateEntered", "PassStateExited"]


def test_a_failing_task_is_caught_with_the_functions_error_as_error_and_cause(small: Any) -> None:
    _, events = small
    failed = next(
        e for e in events if e["type"] == "LambdaFunctionFailed" and details(e)["error"] == "ValueError"
    )
    cause = json.loads(details(failed)["cause"])  # Lambda's error payload, as the function raised it
    assert cause["errorType"] == "ValueError"
    assert cause["errorMessage"] == "boom: 4"
    assert {"requestId", "stackTrace"} <= set(cause)
    exited = next(e for e in events if e["previousEventId"] == failed["id"])
    assert (exited["type"], details(exited)["name"]) == ("TaskStateExited", "Caught")
    output = json.loads(details(exited)["output"])
    assert output["error"]["Error"] == "ValueError"
    assert json.loads(output["error"]["Cause"]) == cause
    assert output["value"] == 4  # ResultPath $.error keeps the state's input beside the error
    handled = next(e for e in events if e["previousEventId"] == exited["id"])
    assert (handled["type"], details(handled)["name"]) == ("PassStateEntered", "Handled")


def test_choice_takes_the_first_matching_rule_and_skips_the_map(states_cloud: LocalCloud, sfn: Any) -> None:
    described = run(states_cloud, sfn, "Workflow", {"value": 6, "items": [1, 2, 3]})
    events = history(sfn, described["executionArn"])
    kinds = [e["type"] for e in events]
    assert described["status"] == "SUCCEEDED"
    assert not any(kind.startswith("Map") for kind in kinds)
    choice_exit = kinds.index("ChoiceStateExited")
    assert (kinds[choice_exit + 1], details(events[choice_exit + 1])["name"]) == (
        "ParallelStateEntered",
        "Both",
    )
