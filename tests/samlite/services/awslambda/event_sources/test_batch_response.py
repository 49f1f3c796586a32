"""A function's answer to a batch, read with Lambda's rules for partial batch responses.

AWS Lambda Developer Guide, "Handling errors for an SQS event source in Lambda" (success: an empty or
null batchItemFailures list, an empty or null response; failure: an invalid JSON response, an empty
string, null or badly named itemIdentifier, an identifier that is no message of the batch; "If your
function throws an exception, the entire batch is considered a complete failure"), "Configuring
partial batch response with Kinesis Data Streams and Lambda" (the same for streams), and "Using
tumbling windows" (a response without `state` is a failed invocation).
"""

from __future__ import annotations

import json

import pytest

from samlite.model import InvocationResult
from samlite.services.awslambda.event_sources.batch_response import NO_STATE, judge

IDS = ["id1", "id2", "id3", "id4", "id5"]


def answer(response: object) -> InvocationResult:
    payload = response if isinstance(response, bytes) else json.dumps(response).encode()
    return InvocationResult("r", payload)


def error() -> InvocationResult:
    return InvocationResult(
        "r", b'{"errorMessage": "boom", "errorType": "ValueError"}', error_type="ValueError"
    )


def test_without_report_batch_item_failures_the_response_is_ignored() -> None:
    outcome = judge(
        answer({"batchItemFailures": [{"itemIdentifier": "id2"}]}), IDS, report_item_failures=False
    )
    assert outcome.succeeded


def test_an_error_fails_the_whole_batch_either_way() -> None:
    for report in (False, True):
        outcome = judge(error(), IDS, report_item_failures=report)
        assert outcome.whole and outcome.function_error and outcome.failed == (0, 1, 2, 3, 4)
        assert outcome.reason == "ValueError: boom"


@pytest.mark.parametrize("response", [{"batchItemFailures": []}, {"batchItemFailures": None}, {}, None, b""])
def test_complete_success(response: object) -> None:
    assert judge(answer(response), IDS, report_item_failures=True).succeeded


def test_the_listed_messages_failed_and_the_others_succeeded() -> None:
    response = {"batchItemFailures": [{"itemIdentifier": "id4"}, {"itemIdentifier": "id2"}]}
    outcome = judge(answer(response), IDS, report_item_failures=True)
    assert outcome.failed == (1, 3) and not outcome.whole
    assert outcome.reason == "batchItemFailures: id2, id4"


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (b"not json", "not valid JSON"),
        (["id1"], "a JSON list, not an object"),
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, "no itemIdentifier"),
        ({"batchItemFailures": [{"itemIdentifier": None}]}, "no itemIdentifier"),
        ({"batchItemFailures": [{"itemIdentifer": "id1"}]}, "no itemIdentifier"),
        ({"batchItemFailures": [{"itemIdentifier": "id9"}]}, "'id9' is not an item of the batch"),
        ({"batchItemFailures": "id1"}, "not a list"),
    ],
)
def test_complete_failure(response: object, reason: str) -> None:
    outcome = judge(answer(response), IDS, report_item_failures=True)
    assert outcome.whole and outcome.failed == (0, 1, 2, 3, 4) and not outcome.function_error
    assert reason in outcome.reason


def test_a_tumbling_window_needs_state_in_the_response() -> None:
    kept = judge(answer({"state": {"n": 2}}), IDS, report_item_failures=False, needs_state=True)
    assert kept.succeeded and kept.state == {"n": 2}
    missing = judge(answer({"n": 2}), IDS, report_item_failures=False, needs_state=True)
    assert missing.whole and "must contain a 'state' property" in missing.reason
    assert judge(answer(None), IDS, report_item_failures=True).state is NO_STATE
