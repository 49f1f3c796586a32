"""FilterCriteria on SQS, Kinesis and DynamoDB records, with the event-pattern grammar.

AWS Lambda Developer Guide, "Lambda event filtering" (the data key per source: `body`, `data`,
`dynamodb`; "If an event satisfies any one of these filters, Lambda sends the event"; the SQS table
of body formats: a plain string against a JSON pattern, or JSON against a plain pattern, drops the
message; the Kinesis/DynamoDB table: non-JSON data with a JSON data pattern drops the record, a data
pattern that is not JSON is refused at creation), "Using event filtering with a Kinesis event source"
and "... with a DynamoDB event source" (patterns on `data`, on `dynamodb.Keys` / `NewImage`, with
`eventName`).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from samlite.errors import ProvisionError
from samlite.services.awslambda.event_sources.filtering import Filters, check_filters


def sqs(body: str, **attributes: str) -> dict[str, Any]:
    return {"messageId": "m1", "body": body, "attributes": {"ApproximateReceiveCount": "1", **attributes}}


def kinesis(data: bytes, key: str = "1") -> dict[str, Any]:
    return {
        "kinesis": {"partitionKey": key, "sequenceNumber": "49", "data": base64.b64encode(data).decode()},
        "eventName": "aws:kinesis:record",
        "awsRegion": "us-east-2",
    }


def dynamodb(name: str, new: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"Keys": {"CustomerName": {"S": "AnyCompany Industries"}}}
    if new is not None:
        body["NewImage"] = new
    return {"eventName": name, "dynamodb": body}


def test_without_filters_every_record_goes_to_the_function() -> None:
    assert Filters("sqs", []).keeps(sqs("x"))


def test_a_json_body_is_matched_as_json() -> None:
    filters = Filters("sqs", [{"body": {"RequestCode": ["AAAA"]}}])
    assert filters.keeps(sqs(json.dumps({"RequestCode": "AAAA", "other": 1})))
    assert not filters.keeps(sqs(json.dumps({"RequestCode": "BBBB"})))


def test_a_plain_body_is_matched_as_a_string() -> None:
    filters = Filters("sqs", [{"body": [{"prefix": "order-"}]}])
    assert filters.keeps(sqs("order-17"))
    assert not filters.keeps(sqs("refund-3"))


def test_a_body_in_the_other_format_than_the_pattern_is_dropped() -> None:
    """Plain string against a JSON pattern, JSON against a plain pattern: Lambda drops the message."""
    assert not Filters("sqs", [{"body": {"a": ["1"]}}]).keeps(sqs("a"))
    assert not Filters("sqs", [{"body": ['{"a": "1"}']}]).keeps(sqs('{"a": "1"}'))


def test_metadata_filters_ignore_the_body_format() -> None:
    filters = Filters("sqs", [{"attributes": {"ApproximateReceiveCount": ["1"]}}])
    assert filters.keeps(sqs("plain")) and filters.keeps(sqs('{"json": true}'))


def test_any_matching_filter_is_enough() -> None:
    filters = Filters("sqs", [{"body": {"kind": ["a"]}}, {"body": {"kind": ["b"]}}])
    assert filters.keeps(sqs('{"kind": "b"}')) and not filters.keeps(sqs('{"kind": "c"}'))


def test_kinesis_data_is_decoded_and_matched_as_json_with_the_kinesis_metadata() -> None:
    filters = Filters("kinesis", [{"partitionKey": ["1"], "data": {"Location": ["Los Angeles"]}}])
    assert filters.keeps(kinesis(b'{"Location": "Los Angeles"}', key="1"))
    assert not filters.keeps(kinesis(b'{"Location": "Los Angeles"}', key="2"))
    assert not filters.keeps(kinesis(b'{"Location": "Seattle"}', key="1"))
    numeric = Filters("kinesis", [{"data": {"Temperature": [{"numeric": [">", 50, "<=", 60]}]}}])
    assert numeric.keeps(kinesis(b'{"Temperature": 55}')) and not numeric.keeps(
        kinesis(b'{"Temperature": 61}')
    )


def test_kinesis_data_that_is_not_json_matches_no_data_filter_but_metadata_ones() -> None:
    assert not Filters("kinesis", [{"data": {"a": ["1"]}}]).keeps(kinesis(b"plain text"))
    assert Filters("kinesis", [{"partitionKey": ["1"]}]).keeps(kinesis(b"plain text"))
    assert Filters("kinesis", [{"eventName": ["aws:kinesis:record"]}]).keeps(kinesis(b"\xff\xfe binary"))


def test_dynamodb_records_are_matched_on_the_dynamodb_key_and_the_event_name() -> None:
    keys = Filters("dynamodb", [{"dynamodb": {"Keys": {"CustomerName": {"S": ["AnyCompany Industries"]}}}}])
    assert keys.keeps(dynamodb("INSERT"))
    inserts = Filters(
        "dynamodb", [{"eventName": ["INSERT"], "dynamodb": {"NewImage": {"id": {"BOOL": [True]}}}}]
    )
    assert inserts.keeps(dynamodb("INSERT", {"id": {"BOOL": True}}))
    assert not inserts.keeps(dynamodb("MODIFY", {"id": {"BOOL": True}}))
    exists = Filters("dynamodb", [{"dynamodb": {"NewImage": {"PaymentTerms": [{"exists": False}]}}}])
    assert exists.keeps(dynamodb("INSERT", {"id": {"S": "1"}}))


def test_patterns_lambda_would_refuse() -> None:
    with pytest.raises(
        ProvisionError, match=r"M \(AWS::Lambda::EventSourceMapping\): FilterCriteria.Filters\[0\].Pattern"
    ):
        check_filters("M", "AWS::Lambda::EventSourceMapping", "sqs", [{"body": {"a": []}}])
    with pytest.raises(ProvisionError, match="the pattern of 'data' must be a JSON object"):
        check_filters("M", "AWS::Lambda::EventSourceMapping", "kinesis", [{"data": ["text"]}])
    with pytest.raises(ProvisionError, match="the pattern of 'dynamodb' must be a JSON object"):
        check_filters("M", "AWS::Lambda::EventSourceMapping", "dynamodb", [{"dynamodb": [1]}])
    with pytest.raises(ProvisionError, match="11 filters; Lambda allows at most 10"):
        check_filters("M", "AWS::Lambda::EventSourceMapping", "sqs", [{"body": ["x"]}] * 11)


def test_more_than_the_default_quota_of_five_is_a_warning() -> None:
    assert check_filters("M", "T", "sqs", [{"body": ["x"]}] * 5) == []
    (warning,) = check_filters("M", "T", "sqs", [{"body": ["x"]}] * 6)
    assert "AWS allows 5 per event source unless the account's quota was raised" in warning
