"""The cost model on its own: request classes, DynamoDB request units, and the report's arithmetic.

Pages that pin the rules: "Amazon S3 pricing" (request tiers; DELETE and CANCEL free), the DynamoDB
developer guide's "Item sizes and formats" and "DynamoDB read and write operations" (1 KB per WRU,
4 KB per RRU, half for eventually consistent reads, double for transactions, Query/Scan rounded per
page, BatchGetItem per item), "AWS Lambda pricing" (GB-seconds = billed seconds x memory / 1024)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from samlite.console.cost.item_size import item_size
from samlite.console.cost.meter import RequestMeter
from samlite.console.cost.model import MILLION, cost_report, gb_seconds, lambda_usage
from samlite.console.cost.prices import PRICES
from samlite.console.cost.request_classes import FREE, TIER1, TIER2, dynamodb_units, s3_request
from samlite.model import InvocationResult, ServedRequest
from tests.samlite.embedded import served_request


@pytest.mark.parametrize(
    ("method", "path", "query", "expected"),
    [
        ("PUT", "/b/k", "", TIER1),  # PutObject
        ("PUT", "/b/k", "partNumber=1&uploadId=u", TIER1),  # UploadPart
        ("POST", "/b", "", TIER1),  # POST object (form)
        ("POST", "/b/k", "uploads", TIER1),  # CreateMultipartUpload
        ("GET", "/", "", TIER1),  # ListBuckets
        ("GET", "/b", "list-type=2&prefix=a", TIER1),  # ListObjectsV2
        ("GET", "/b/", "", TIER1),  # ListObjects
        ("GET", "/b", "versions", TIER1),  # ListObjectVersions
        ("GET", "/b/k", "uploadId=u", TIER1),  # ListParts
        ("GET", "/b/k", "", TIER2),  # GetObject
        ("HEAD", "/b/k", "", TIER2),  # HeadObject
        ("GET", "/b", "location", TIER2),  # GetBucketLocation
        ("GET", "/b", "notification", TIER2),
        ("DELETE", "/b/k", "", FREE),
        ("POST", "/b", "delete", FREE),  # DeleteObjects
        ("DELETE", "/b/k", "uploadId=u", FREE),  # AbortMultipartUpload (a CANCEL)
    ],
)
def test_s3_requests_are_classed_as_s3_bills_them(method: str, path: str, query: str, expected: str) -> None:
    assert s3_request(method, "127.0.0.1:4566", path, query)[1] == expected


def test_s3_virtual_hosted_requests_name_their_bucket() -> None:
    assert s3_request("GET", "photos.s3.localhost:4566", "/a.png", "") == ("photos", TIER2)


def test_item_sizes_follow_dynamodbs_rules() -> None:
    assert item_size({"name": {"S": "abc"}}) == 4 + 3
    assert item_size({"n": {"N": "12345"}}) == 1 + 3 + 1  # 5 significant digits: 3 bytes, plus 1
    assert item_size({"n": {"N": "0.0001200"}}) == 1 + 1 + 1  # zeros trimmed: "12"
    assert item_size({"b": {"B": "AAEC"}}) == 1 + 3  # base64 of three bytes
    assert item_size({"ok": {"BOOL": True}, "no": {"NULL": True}}) == 2 + 1 + 2 + 1
    assert item_size({"l": {"L": [{"S": "ab"}, {"N": "1"}]}}) == 1 + 3 + (1 + 2) + (1 + 2)
    assert item_size({"m": {"M": {"k": {"S": "v"}}}}) == 1 + 3 + (1 + 1 + 1)
    assert item_size({"s": {"SS": ["a", "bc"]}}) == 1 + 3


def test_writes_are_one_unit_per_kilobyte_rounded_up() -> None:
    small = {"TableName": "t", "Item": {"k": {"S": "x"}}}
    big = {"TableName": "t", "Item": {"k": {"S": "x" * 1500}}}
    assert dynamodb_units("PutItem", small, {})[0].units == 1
    assert dynamodb_units("PutItem", big, {})[0].units == 2
    transact = {"TransactItems": [{"Put": big}, {"Delete": {"TableName": "t", "Key": {"k": {"S": "y"}}}}]}
    assert [u.units for u in dynamodb_units("TransactWriteItems", transact, {})] == [4, 2]
    batch = {"RequestItems": {"t": [{"PutRequest": big}, {"DeleteRequest": {"Key": {"k": {"S": "z"}}}}]}}
    assert dynamodb_units("BatchWriteItem", batch, {})[0].units == 3


def test_reads_are_four_kilobytes_per_unit_halved_when_eventually_consistent() -> None:
    item = {"k": {"S": "x" * 5000}}
    assert dynamodb_units("GetItem", {"TableName": "t"}, {"Item": item})[0].units == 1.0  # 2 units, halved
    assert dynamodb_units("GetItem", {"TableName": "t", "ConsistentRead": True}, {"Item": item})[0].units == 2
    assert dynamodb_units("GetItem", {"TableName": "t"}, {})[0].units == 0.5  # the minimum
    page = {"Items": [{"k": {"S": "x" * 1000}}] * 5}  # 5 KB in all: rounded once per page
    assert dynamodb_units("Query", {"TableName": "t", "ConsistentRead": True}, page)[0].units == 2
    batch = {"Responses": {"t": [{"k": {"S": "x" * 1000}}] * 5}}  # rounded per item
    assert dynamodb_units("BatchGetItem", {"RequestItems": {"t": {}}}, batch)[0].units == 2.5
    assert dynamodb_units("DescribeTable", {"TableName": "t"}, {}) == []


def _served(service: str, **fields: Any) -> ServedRequest:
    return served_request(service, **{"method": "POST", **fields})


def test_the_meter_counts_the_applications_requests_not_the_consoles() -> None:
    meter = RequestMeter()
    meter.observe(_served("s3", method="PUT", path="/b/k"))
    meter.observe(_served("s3", method="PUT", path="/b/k", headers={"User-Agent": "Boto3/1 samlite-console"}))
    meter.observe(_served("s3", method="GET", path="/_samlite/api/stack"))
    put = b'{"TableName": "t", "Item": {"k": {"S": "x"}}}'
    target = {"X-Amz-Target": "DynamoDB_20120810.PutItem"}
    meter.observe(_served("dynamodb", headers=target, body=put))
    failed = b'{"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"}'
    meter.observe(_served("dynamodb", headers=target, body=put, status=400, response_body=failed))
    meter.observe(
        _served(
            "dynamodb",
            headers=target,
            body=put,
            status=400,
            response_body=b'{"__type": "x#ValidationException"}',
        )
    )
    meter.observe(
        _served("sqs", headers={"X-Amz-Target": "AmazonSQS.SendMessage"}, body=b'{"QueueUrl": "u/q.fifo"}')
    )
    meter.observe(_served("sns", body=b"Action=Publish&Message=" + b"x" * 70_000))
    meter.api_request("abc", "REST")
    reading = meter.reading()
    assert reading.get("s3", "b", TIER1) == 1
    assert reading.get("dynamodb", "t", "write") == 2  # a failed condition consumes its units
    assert reading.get("sqs", "fifo", "requests") == 1
    assert reading.get("sns", "", "requests") == 2  # two 64 KB chunks
    assert reading.get("apigateway", "abc", "rest") == 1
    meter.clear()
    assert meter.reading().counts == {}


@dataclass
class _Record:
    result: InvocationResult
    memory_size: int
    architecture: str


def _result(billed: int, init: float | None = None) -> InvocationResult:
    return InvocationResult("id", b"{}", billed_duration_ms=billed, init_duration_ms=init)


def test_lambda_cost_is_requests_plus_billed_gb_seconds_by_architecture() -> None:
    records = {
        "Fn": [_Record(_result(120, init=100.0), 512, "x86_64"), _Record(_result(8), 512, "x86_64")],
        "Arm": [_Record(_result(1000), 1024, "arm64")],
    }
    usage = lambda_usage(records)
    assert [(u.function_id, u.invocations, u.cold_starts, u.billed_ms) for u in usage] == [
        ("Arm", 1, 0, 1000),
        ("Fn", 2, 1, 128),
    ]
    assert gb_seconds(128, 512) == pytest.approx(0.064)
    meter = RequestMeter()
    meter.observe(_served("s3", method="PUT", path="/b/k"))
    report = cost_report(PRICES, usage, meter.reading())
    fn = next(f for f in report["functions"] if f["functionId"] == "Fn")
    assert fn["gbSeconds"] == pytest.approx(0.064)
    assert fn["cost"] == pytest.approx(2 * 0.20 / MILLION + 0.064 * 0.0000166667)
    assert fn["perMillion"] == pytest.approx(0.20 + 64 / 1000 * 0.5 * MILLION * 0.0000166667)
    assert fn["perMillionWarm"] == pytest.approx(0.20 + 8 / 1000 * 0.5 * MILLION * 0.0000166667)
    arm = next(f for f in report["functions"] if f["functionId"] == "Arm")
    assert arm["cost"] == pytest.approx(0.20 / MILLION + 1.0 * 0.0000133334)
    assert arm["perMillionWarm"] == pytest.approx(arm["perMillion"])
    s3_line = next(line for line in report["lines"] if line["service"] == "S3")
    assert s3_line["cost"] == pytest.approx(0.005 / 1000)
    assert report["total"] == pytest.approx(fn["cost"] + arm["cost"] + 0.005 / 1000)
    assert report["perMillionInvocations"] == pytest.approx(report["total"] * MILLION / 3)
    assert report["prices"]["region"] == "us-east-1" and report["prices"]["asOf"]
    assert all(url.startswith("https://aws.amazon.com/") for url in report["prices"]["sources"])


def test_no_invocations_means_no_per_million_figure() -> None:
    report = cost_report(PRICES, [], RequestMeter().reading())
    assert report["total"] == 0 and report["perMillionInvocations"] is None
