"""The changes samlite makes to moto's Step Functions, each on its own (the end-to-end behaviour is in
tests/samlite/services/stepfunctions)."""

from __future__ import annotations

import datetime
import gc
import inspect
import os
import time
from types import SimpleNamespace
from typing import Any

import pytest

from samlite.moto_changes import (
    events_iam_resource,
    sns_iam_resource,
    stepfunctions_history,
    stepfunctions_iam_resource,
    stepfunctions_interpreter,
    stepfunctions_lambda_errors,
    stepfunctions_sdk_casing,
    stepfunctions_task_clients,
    stepfunctions_time_scale,
)
from samlite.moto_changes.seam import MotoChange, UserConfig


class _Params(SimpleNamespace):
    """Stands in for a moto response: `_get_param`, the region and account, the headers."""

    def _get_param(self, key: str) -> Any:
        return self.params.get(key)


def _response(params: dict[str, Any], **headers: str) -> _Params:
    return _Params(params=params, region="us-east-1", current_account="123456789012", headers=headers)


def test_the_interpreter_switch_is_set_while_applied_and_moto_s_section_is_back_after() -> None:
    from moto.core.config import default_user_config

    before = default_user_config["stepfunctions"]
    change = MotoChange("t", "t", (), settings=(UserConfig("stepfunctions", "execute_state_machine", True),))
    change.apply()
    try:
        assert default_user_config["stepfunctions"]["execute_state_machine"] is True
        assert before["execute_state_machine"] is False  # moto's own dict was not mutated
    finally:
        change.restore()
    assert default_user_config["stepfunctions"] is before
    assert (
        UserConfig("stepfunctions", "no_such_key", True).drift()
        == "moto's user config has no stepfunctions.no_such_key"
    )


def test_on_restore_runs_once_after_the_patches_are_out() -> None:
    calls: list[str] = []
    change = MotoChange(
        "t",
        "t",
        (),
        settings=(UserConfig("iam", "load_aws_managed_policies", False),),
        on_restore=lambda: calls.append("x"),
    )
    change.apply()
    change.restore()
    change.restore()
    assert calls == ["x"]


def test_the_interpreter_logger_is_quiet_while_applied_only() -> None:
    import logging

    logger = logging.getLogger("moto.stepfunctions.parser")
    level = logger.level
    stepfunctions_interpreter.CHANGE.apply()
    try:
        assert logger.level == logging.CRITICAL
    finally:
        stepfunctions_interpreter.CHANGE.restore()
    assert logger.level == level


def test_retry_intervals_are_scaled_where_moto_computes_them_last() -> None:
    """Canary: the scaling sits on the jitter step because moto evaluates it last, right before it
    sleeps on the interval; if moto reorders that, the scale would land on the wrong value."""
    from moto.stepfunctions.parser.asl.component.common.retry.retrier_decl import RetrierDecl

    source = inspect.getsource(RetrierDecl._eval_body)
    order = [
        source.index("self.max_delay_seconds.eval(env=env)"),
        source.index("self.jitter_strategy.eval(env=env)"),
        source.index("interval_seconds: float = env.stack.pop()"),
        source.index("time.sleep(interval_seconds)"),
    ]
    assert order == sorted(order)


def test_the_time_scale_must_be_positive() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        stepfunctions_time_scale.set_scale(0)


def test_a_timestamp_wait_is_measured_in_utc_whatever_the_local_time_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from moto.stepfunctions.parser.asl.component.common.string.string_expression import StringLiteral
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.timestamp import Timestamp

    monkeypatch.setenv("TZ", "Asia/Seoul")  # UTC+9, no daylight saving time
    time.tzset()
    try:
        in_an_hour = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
        wait = Timestamp(StringLiteral(literal_value=in_an_hour.strftime("%Y-%m-%dT%H:%M:%SZ")))
        env = SimpleNamespace(stack=[], is_running=lambda: True, next_field_name=None)
        stepfunctions_time_scale.CHANGE.apply()
        try:
            seconds = wait._get_wait_seconds(env)
        finally:
            stepfunctions_time_scale.CHANGE.restore()
        assert 3590 <= seconds <= 3600
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert "TZ" not in os.environ


def test_task_clients_come_from_the_newest_factory_that_answers_and_die_with_it() -> None:
    class Factory:
        def __init__(self, answer: Any) -> None:
            self.answer = answer

        def __call__(self, service: str, region: str, role_arn: str | None) -> Any:
            return self.answer

    older, newer, silent = Factory("older"), Factory("newer"), Factory(None)
    for factory in (older, newer, silent):
        stepfunctions_task_clients.use(factory)
    try:
        role = SimpleNamespace(role_arn="arn:aws:iam::123456789012:role/r")
        assert stepfunctions_task_clients.task_client("us-east-1", "sqs", role) == "newer"
        stepfunctions_task_clients.release(newer)
        assert stepfunctions_task_clients.task_client("us-east-1", "sqs", role) == "older"
        del older
        gc.collect()
        with pytest.raises(stepfunctions_task_clients.NoEndpoint, match="sqs calls"):
            stepfunctions_task_clients.task_client("us-east-1", "sqs", role)
    finally:
        stepfunctions_task_clients.release(silent)


def test_a_failing_history_observer_does_not_fail_the_execution() -> None:
    seen: list[str] = []

    def broken(ref: Any, event: Any) -> None:
        raise RuntimeError("observer bug")

    def working(ref: Any, event: Any) -> None:
        seen.append(event["type"])

    publish = stepfunctions_history._observed(
        lambda self, *args: self._history_event_list.append({"type": "X"})
    )
    manager = SimpleNamespace(
        _history_event_list=[], samlite_execution=stepfunctions_history.ExecutionRef("e", "n", "s")
    )
    stepfunctions_history.observe(broken)
    stepfunctions_history.observe(working)
    try:
        publish(manager, 1, 0, "X", None, None)
    finally:
        stepfunctions_history.unobserve(broken)
        stepfunctions_history.unobserve(working)
    assert seen == ["X"]


def test_lambda_errors_are_named_after_the_exception_lambda_models_or_aws_lambda_exception() -> None:
    denied = {
        "Error": {"Code": "AccessDeniedException", "Message": "User: x is not authorized"},
        "ResponseMetadata": {"HTTPStatusCode": 403, "RequestId": "r-1"},
    }
    name, cause = stepfunctions_lambda_errors.error_and_cause(denied)
    assert name == "Lambda.AWSLambdaException"
    assert cause == (
        "User: x is not authorized (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException; "
        "Request ID: r-1; Proxy: null)"
    )
    missing = {
        "Error": {"Code": "ResourceNotFoundException", "Message": "Function not found"},
        "ResponseMetadata": {},
    }
    assert stepfunctions_lambda_errors.error_and_cause(missing)[0] == "Lambda.ResourceNotFoundException"


def test_results_of_integrations_are_pascal_cased_with_epoch_millisecond_dates() -> None:
    operation = stepfunctions_sdk_casing.operation_model("stepfunctions", "start_execution")
    assert operation is not None and operation.name == "StartExecution"
    assert stepfunctions_sdk_casing.operation_model("no-such-service", "x") is None
    moment = datetime.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.UTC)
    assert stepfunctions_sdk_casing._epoch_millis({"StartDate": moment, "Nested": [moment]}) == {
        "StartDate": 1704164645678,
        "Nested": [1704164645678],
    }


@pytest.mark.parametrize(
    ("params", "resource"),
    [
        (
            {"stateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:m"},
            "arn:aws:states:us-east-1:1:stateMachine:m",
        ),
        (
            {"executionArn": "arn:aws:states:us-east-1:1:execution:m:e"},
            "arn:aws:states:us-east-1:1:execution:m:e",
        ),
        ({"maxResults": 10}, "*"),
    ],
)
def test_step_functions_calls_are_authorized_on_the_arn_they_name(
    params: dict[str, Any], resource: str
) -> None:
    assert stepfunctions_iam_resource._determine_resource(_response(params)) == resource


@pytest.mark.parametrize(
    ("params", "resource"),
    [
        ({"Action": "Publish", "TopicArn": "arn:aws:sns:us-east-1:1:t"}, "arn:aws:sns:us-east-1:1:t"),
        (
            {"Action": "Unsubscribe", "SubscriptionArn": "arn:aws:sns:us-east-1:1:t:abc"},
            "arn:aws:sns:us-east-1:1:t",
        ),
        ({"Action": "CreateTopic", "Name": "t"}, "arn:aws:sns:us-east-1:123456789012:t"),
        ({"Action": "Publish", "PhoneNumber": "+15555550100"}, "*"),
    ],
)
def test_sns_calls_are_authorized_on_their_topic(params: dict[str, Any], resource: str) -> None:
    assert sns_iam_resource._determine_resource(_response(params)) == resource


@pytest.mark.parametrize(
    ("target", "params", "resource"),
    [
        (
            "AWSEvents.PutEvents",
            {"Entries": [{"Source": "s"}]},
            "arn:aws:events:us-east-1:123456789012:event-bus/default",
        ),
        (
            "AWSEvents.PutEvents",
            {"Entries": [{"EventBusName": "orders"}]},
            "arn:aws:events:us-east-1:123456789012:event-bus/orders",
        ),
        ("AWSEvents.PutRule", {"Name": "r"}, "arn:aws:events:us-east-1:123456789012:rule/r"),
        (
            "AWSEvents.PutTargets",
            {"Rule": "r", "EventBusName": "orders"},
            "arn:aws:events:us-east-1:123456789012:rule/orders/r",
        ),
        ("AWSEvents.ListRules", {}, "*"),
    ],
)
def test_eventbridge_calls_are_authorized_on_their_bus_or_rule(
    target: str, params: dict[str, Any], resource: str
) -> None:
    assert events_iam_resource._determine_resource(_response(params, **{"X-Amz-Target": target})) == resource


def test_a_definition_is_parsed_once_and_another_one_anew() -> None:
    from samlite.moto_changes import stepfunctions_parse_cache

    first = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}'
    second = '{"StartAt": "Q", "States": {"Q": {"Type": "Pass", "End": true}}}'
    program = stepfunctions_parse_cache.parsed(first)
    assert stepfunctions_parse_cache.parsed(first) is program
    assert stepfunctions_parse_cache.parsed(second) is not program
    assert program.start_at.start_at_name == "P"
