"""Parsing of S3 notification events: key decoding, event names, validation of every field."""

from __future__ import annotations

from typing import Any

import pytest
from upload_catalog.controllers.events import parse_event, parse_record
from upload_catalog.controllers.sequencer import SEQUENCER_WIDTH
from upload_catalog.models import MAX_KEY_BYTES, Action, IgnoredEvent, ObjectEvent

from tests.unit.s3_event_factory import event, s3_record, test_event


@pytest.mark.parametrize(
    ("encoded", "decoded"),
    [
        ("my+photo.jpg", "my photo.jpg"),
        ("a%2Bb.txt", "a+b.txt"),
        ("c%2B%2B+notes%2Bv2.txt", "c++ notes+v2.txt"),
        ("%ED%95%9C%EA%B8%80+%ED%8C%8C%EC%9D%BC.png", "한글 파일.png"),
        ("photos/2026/%E5%86%99%E7%9C%9F.jpg", "photos/2026/写真.jpg"),
        ("100%25+done", "100% done"),
        ("emoji%F0%9F%98%80.gif", "emoji😀.gif"),
    ],
)
def test_keys_are_decoded_with_unquote_plus(encoded: str, decoded: str) -> None:
    parsed = parse_record(s3_record("ObjectCreated:Put", encoded, "0A", encoded=True))
    assert isinstance(parsed, ObjectEvent)
    assert parsed.key == decoded


def test_factory_encodes_like_s3() -> None:
    record = s3_record("ObjectCreated:Put", "한글 a+b.png", "0A")
    assert record["s3"]["object"]["key"] == "%ED%95%9C%EA%B8%80+a%2Bb.png"


def test_1024_byte_key_is_accepted_and_1025_is_not() -> None:
    key = "가" * 341 + "a"  # 3 bytes x 341 + 1 = 1024 bytes of UTF-8
    assert len(key.encode()) == MAX_KEY_BYTES
    parsed = parse_record(s3_record("ObjectCreated:Put", key, "0A"))
    assert isinstance(parsed, ObjectEvent) and parsed.key == key
    result = parse_event(event(s3_record("ObjectCreated:Put", key + "b", "0A")))
    assert result.objects == [] and "longer than 1024 bytes" in result.malformed[0].reason


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("ObjectCreated:Put", Action.CREATE),
        ("ObjectCreated:Post", Action.CREATE),
        ("ObjectCreated:Copy", Action.CREATE),
        ("ObjectCreated:CompleteMultipartUpload", Action.CREATE),
        ("ObjectRemoved:Delete", Action.REMOVE),
        ("ObjectRemoved:DeleteMarkerCreated", Action.REMOVE),
        ("s3:ObjectCreated:Put", Action.CREATE),
    ],
)
def test_event_names(name: str, action: Action) -> None:
    parsed = parse_record(s3_record(name, "k", "0A"))
    assert isinstance(parsed, ObjectEvent) and parsed.action is action


def test_delete_of_a_specific_version_reconciles() -> None:
    parsed = parse_record(s3_record("ObjectRemoved:Delete", "k", "0A", version_id="3HL4kqtJlcpXroDTDmJ"))
    assert isinstance(parsed, ObjectEvent)
    assert parsed.action is Action.RECONCILE and parsed.version_id == "3HL4kqtJlcpXroDTDmJ"


@pytest.mark.parametrize(
    "name",
    ["ObjectRestore:Completed", "ObjectTagging:Put", "LifecycleTransition", "Replication:OperationFailed"],
)
def test_unknown_event_names_are_ignored_not_failed(name: str) -> None:
    parsed = parse_event(event(s3_record(name, "k", "0A")))
    assert parsed.malformed == [] and parsed.objects == []
    assert parsed.ignored == [(0, IgnoredEvent(name, "uploads", "k"))]


def test_test_event_is_acknowledged() -> None:
    parsed = parse_event(test_event("uploads"))
    assert parsed.ignored == [(-1, IgnoredEvent("s3:TestEvent", "uploads"))]
    assert parsed.objects == [] and parsed.malformed == []


def test_delete_records_have_no_size_or_etag() -> None:
    parsed = parse_record(s3_record("ObjectRemoved:Delete", "gone.txt", "0B"))
    assert isinstance(parsed, ObjectEvent)
    assert parsed.size is None and parsed.etag is None and parsed.action is Action.REMOVE


def test_fields_are_normalised() -> None:
    parsed = parse_record(s3_record("ObjectCreated:Put", "k", "005aed6dcd90281e5", size=12, etag='"abc"'))
    assert isinstance(parsed, ObjectEvent)
    assert parsed.sequencer == "005AED6DCD90281E5".ljust(SEQUENCER_WIDTH, "0")
    assert parsed.etag == "abc" and parsed.size == 12 and parsed.event_time.startswith("2026-11-25T10")


def _mutate(path: str, value: Any) -> dict[str, Any]:
    record = s3_record("ObjectCreated:Put", "k", "0A", size=1, etag="e")
    *parents, last = path.split(".")
    target = record
    for part in parents:
        target = target[part]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return record


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        ("eventSource", "aws:sqs", "eventSource is 'aws:sqs'"),
        ("eventName", KeyError, "eventName is missing"),
        ("eventName", 7, "eventName is int 7"),
        ("eventTime", "yesterday", "eventTime 'yesterday' is not an ISO 8601"),
        ("eventTime", KeyError, "eventTime is missing"),
        ("s3", KeyError, "s3 is missing"),
        ("s3.bucket", "uploads", "s3.bucket is str"),
        ("s3.bucket.name", KeyError, "s3.bucket.name is missing"),
        ("s3.object.key", KeyError, "s3.object.key is missing"),
        ("s3.object.key", "", "s3.object.key is str ''"),
        ("s3.object.key", ["a"], "s3.object.key is list"),
        ("s3.object.sequencer", KeyError, "s3.object.sequencer is missing"),
        ("s3.object.sequencer", "xyz", "not a hexadecimal string"),
        ("s3.object.sequencer", "F" * 65, "longer than 64 hex digits"),
        ("s3.object.size", "12", "s3.object.size is str '12'"),
        ("s3.object.size", -1, "s3.object.size is int -1"),
        ("s3.object.size", True, "s3.object.size is bool"),
        ("s3.object.eTag", 5, "s3.object.eTag is int 5"),
    ],
)
def test_malformed_records_name_the_field(path: str, value: Any, reason: str) -> None:
    parsed = parse_event(event(_mutate(path, value)))
    assert parsed.objects == []
    assert len(parsed.malformed) == 1
    assert parsed.malformed[0].index == 0
    assert reason in parsed.malformed[0].reason


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (None, "event is a NoneType"),
        ([], "event is a list"),
        ({}, "no 'Records' list"),
        ({"Records": "x"}, "no 'Records' list"),
        ({"Records": [42]}, "record is a int"),
        ({"Records": [{"EventSource": "aws:sns", "Sns": {}}]}, "eventSource is None"),
    ],
)
def test_events_that_are_not_s3_notifications(payload: Any, reason: str) -> None:
    parsed = parse_event(payload)
    assert parsed.objects == [] and reason in parsed.malformed[0].reason


def test_multi_record_event_keeps_indexes_of_each_kind() -> None:
    parsed = parse_event(
        event(
            s3_record("ObjectCreated:Put", "a", "01"),
            _mutate("s3.object.sequencer", KeyError),
            s3_record("ObjectRestore:Completed", "b", "02"),
            s3_record("ObjectRemoved:Delete", "c", "03"),
        )
    )
    assert [i for i, _ in parsed.objects] == [0, 3]
    assert [i for i, _ in parsed.ignored] == [2]
    assert [m.index for m in parsed.malformed] == [1]
