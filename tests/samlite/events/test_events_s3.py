"""S3 notification records in AWS's shape (S3 User Guide, "Event message structure", version 2.1)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import unquote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samlite.events import S3EventRecord, encode_s3_key, s3_event, s3_records_event, s3_test_event

RECORD_KEYS = {
    "eventVersion",
    "eventSource",
    "awsRegion",
    "eventTime",
    "eventName",
    "userIdentity",
    "requestParameters",
    "responseElements",
    "s3",
}


def _record(event: dict) -> dict:
    assert list(event) == ["Records"] and len(event["Records"]) == 1
    return event["Records"][0]


def test_put_record_has_every_documented_field() -> None:
    record = _record(
        s3_event(
            "put",
            bucket="uploads",
            key="a/b.txt",
            size=12,
            etag="abc",
            sequencer="00AB",
            version_id="v1",
            region="eu-west-1",
        )
    )
    assert set(record) == RECORD_KEYS
    assert record["eventVersion"] == "2.1" and record["eventSource"] == "aws:s3"
    assert record["awsRegion"] == "eu-west-1"
    assert record["eventName"] == "ObjectCreated:Put"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["eventTime"])
    assert record["userIdentity"]["principalId"]
    assert record["requestParameters"] == {"sourceIPAddress": "127.0.0.1"}
    assert re.fullmatch(r"[0-9A-F]{16}", record["responseElements"]["x-amz-request-id"])
    assert record["responseElements"]["x-amz-id-2"]
    s3 = record["s3"]
    assert s3["s3SchemaVersion"] == "1.0" and s3["configurationId"]
    assert s3["bucket"] == {
        "name": "uploads",
        "ownerIdentity": {"principalId": s3["bucket"]["ownerIdentity"]["principalId"]},
        "arn": "arn:aws:s3:::uploads",
    }
    assert s3["object"] == {
        "key": "a/b.txt",
        "size": 12,
        "eTag": "abc",
        "versionId": "v1",
        "sequencer": "00AB",
    }


def test_delete_has_no_size_or_etag() -> None:
    obj = _record(s3_event("delete", bucket="b", key="k"))["s3"]["object"]
    assert set(obj) == {"key", "sequencer"}
    assert _record(s3_event("delete", bucket="b", key="k"))["eventName"] == "ObjectRemoved:Delete"


def test_unversioned_put_has_no_version_id() -> None:
    assert "versionId" not in _record(s3_event("put", bucket="b", key="k", size=1))["s3"]["object"]


@pytest.mark.parametrize(
    ("key", "encoded"),
    [
        ("red flower.jpg", "red+flower.jpg"),  # the documented example
        ("c++/pkg 1+1.tar", "c%2B%2B/pkg+1%2B1.tar"),
        ("dt=2018-05-04/_SUCCESS", "dt%3D2018-05-04/_SUCCESS"),  # aws-sam-cli#379
        ("photos/(1) copy.jpg", "photos/%281%29+copy.jpg"),
        ("café/日本.txt", "caf%C3%A9/%E6%97%A5%E6%9C%AC.txt"),
        ("a/b/c", "a/b/c"),  # S3 keeps slashes (minio#11665)
    ],
)
def test_keys_are_form_encoded_like_s3(key: str, encoded: str) -> None:
    assert _record(s3_event("put", bucket="b", key=key))["s3"]["object"]["key"] == encoded
    assert unquote_plus(encoded) == key


def test_1024_byte_key_round_trips_and_1025_is_refused() -> None:
    key = "é" * 512  # 1024 bytes of UTF-8
    record = _record(s3_event("put", bucket="b", key=key))
    assert unquote_plus(record["s3"]["object"]["key"]) == key
    with pytest.raises(ValueError, match="at most 1024 bytes"):
        s3_event("put", bucket="b", key=key + "a")


@given(st.text(min_size=1, max_size=200).filter(lambda k: len(k.encode("utf-8", "surrogatepass")) <= 1024))
def test_any_key_round_trips_through_unquote_plus(key: str) -> None:
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return  # lone surrogates are not valid S3 keys
    assert unquote_plus(encode_s3_key(key)) == key


def test_sequencers_increase_and_requests_are_fresh() -> None:
    first, second = (_record(s3_event("put", bucket="b", key="k")) for _ in range(2))
    assert int(second["s3"]["object"]["sequencer"], 16) > int(first["s3"]["object"]["sequencer"], 16)
    assert first["responseElements"]["x-amz-request-id"] != second["responseElements"]["x-amz-request-id"]


def test_event_time_is_utc_with_milliseconds() -> None:
    moment = datetime(2024, 5, 1, 12, 34, 56, 789123, tzinfo=UTC)
    record = S3EventRecord("s3:ObjectCreated:Copy", "b", "k", event_time=moment).to_dict()
    assert record["eventTime"] == "2024-05-01T12:34:56.789Z"
    assert record["eventName"] == "ObjectCreated:Copy"  # the "s3:" prefix is not part of the record


def test_kinds_and_full_names() -> None:
    assert _record(s3_event("delete-marker", bucket="b", key="k"))["eventName"] == (
        "ObjectRemoved:DeleteMarkerCreated"
    )
    assert (
        _record(s3_event("s3:ObjectCreated:Post", bucket="b", key="k"))["eventName"] == "ObjectCreated:Post"
    )
    with pytest.raises(ValueError, match="unknown S3 event kind 'upload'"):
        s3_event("upload", bucket="b", key="k")


@pytest.mark.parametrize(("bucket", "key", "message"), [("", "k", "bucket"), ("b", "", "key")])
def test_missing_bucket_or_key(bucket: str, key: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        s3_event("put", bucket=bucket, key=key)


def test_batch_and_test_event() -> None:
    batch = s3_records_event([S3EventRecord("ObjectCreated:Put", "b", f"k{i}") for i in range(3)])
    assert [r["s3"]["object"]["key"] for r in batch["Records"]] == ["k0", "k1", "k2"]
    test_event = s3_test_event("b")
    assert test_event["Event"] == "s3:TestEvent" and test_event["Service"] == "Amazon S3"
    assert test_event["Bucket"] == "b"
