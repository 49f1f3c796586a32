"""Presigned POST uploads are held to their policy (samlite.services.s3.post_policy), as S3 holds them.

Real multipart requests (boto3's generate_presigned_post + requests) against EmbeddedAws(port=0);
the expected answers are S3's as recorded against AWS (LocalStack's validated TestS3PresignedPost
snapshots, tests/aws/services/s3/test_s3.py): 400 EntityTooLarge/EntityTooSmall with ProposedSize
and Max/MinSizeAllowed, 403 AccessDenied "Invalid according to Policy: ...", 400
InvalidPolicyDocument for a policy that is not one.
"""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from samlite.endpoint.embedded_aws import EmbeddedAws
from samlite.services.s3.post_policy import PolicyError, check_policy, check_request
from samlite.wire.s3_request import PostForm, read_s3_request
from tests.samlite.embedded import client, running_endpoint, unique


@pytest.fixture(scope="module")
def aws() -> Iterator[EmbeddedAws]:
    with running_endpoint() as endpoint:  # the POST-policy check is one of samlite's S3 additions
        yield endpoint.aws


@pytest.fixture(scope="module")
def s3(aws: EmbeddedAws) -> Any:
    return client(aws, "s3")


@pytest.fixture
def bucket(s3: Any) -> str:
    name = unique("post")
    s3.create_bucket(Bucket=name)
    return name


def _post(post: dict[str, Any], content: bytes, **overrides: str) -> requests.Response:
    fields = {**post["fields"], **overrides}
    return requests.post(post["url"], data=fields, files={"file": ("f.bin", content)}, timeout=10)


def _error(response: requests.Response) -> dict[str, str]:
    root = ET.fromstring(response.content)
    return {child.tag: child.text or "" for child in root}


def _stored(s3: Any, bucket: str, key: str) -> bool:
    return any(o["Key"] == key for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def test_size_outside_content_length_range_is_refused_with_s3s_error(s3: Any, bucket: str) -> None:
    post = s3.generate_presigned_post(bucket, "exact.txt", Conditions=[["content-length-range", 5, 5]])
    too_large = _post(post, b"thirteen byte")
    assert too_large.status_code == 400
    assert _error(too_large) | {"RequestId": "", "HostId": ""} == {
        "Code": "EntityTooLarge",
        "Message": "Your proposed upload exceeds the maximum allowed size",
        "ProposedSize": "13",
        "MaxSizeAllowed": "5",
        "RequestId": "",
        "HostId": "",
    }
    too_small = _post(post, b"1")
    assert too_small.status_code == 400
    assert (_error(too_small)["Code"], _error(too_small)["MinSizeAllowed"]) == ("EntityTooSmall", "5")
    assert not _stored(s3, bucket, "exact.txt")
    assert _post(post, b"five!").status_code == 204  # the bounds are inclusive
    assert s3.get_object(Bucket=bucket, Key="exact.txt")["Body"].read() == b"five!"


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_content_type_conditions_eq_and_starts_with(
    aws: EmbeddedAws, s3: Any, bucket: str, signature_version: str
) -> None:
    signer = client(aws, "s3", signature_version=signature_version)  # SigV4 or SigV2 POST forms
    exact = signer.generate_presigned_post(
        bucket, "a.png", Fields={"Content-Type": "image/png"}, Conditions=[{"Content-Type": "image/png"}]
    )
    refused = _post(exact, b"png", **{"Content-Type": "image/gif"})
    assert refused.status_code == 403
    assert _error(refused)["Code"] == "AccessDenied"
    assert _error(refused)["Message"] == (
        'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "image/png"]'
    )
    assert _post(exact, b"png").status_code == 204

    prefix = signer.generate_presigned_post(
        bucket,
        "b.img",
        Fields={"Content-Type": "image/jpeg"},
        Conditions=[["starts-with", "$Content-Type", "image/"]],
    )
    assert _post(prefix, b"jpg").status_code == 204
    assert _post(prefix, b"txt", **{"Content-Type": "text/plain"}).status_code == 403
    # Every comma-separated type must start with the prefix (AWS "POST Policy", condition matching).
    assert _post(prefix, b"two", **{"Content-Type": "image/png, text/html"}).status_code == 403
    assert s3.head_object(Bucket=bucket, Key="b.img")["ContentType"] == "image/jpeg"


def test_key_and_bucket_are_held_to_the_policy(s3: Any, bucket: str) -> None:
    other = unique("other")
    s3.create_bucket(Bucket=other)
    post = s3.generate_presigned_post(bucket, "uploads/mine.txt")
    moved = _post(post, b"x", key="uploads/theirs.txt")
    assert moved.status_code == 403
    assert _error(moved)["Message"].endswith('["eq", "$key", "uploads/mine.txt"]')
    elsewhere = requests.post(
        post["url"].replace(bucket, other), data=post["fields"], files={"file": b"x"}, timeout=10
    )
    assert elsewhere.status_code == 403
    assert _error(elsewhere)["Message"].endswith(f'["eq", "$bucket", "{bucket}"]')
    assert not _stored(s3, other, "uploads/mine.txt")


def test_filename_variable_is_filled_in_before_the_key_condition(s3: Any, bucket: str) -> None:
    post = s3.generate_presigned_post(bucket, "in/${filename}")  # boto3: ["starts-with", "$key", "in/"]
    response = requests.post(
        post["url"], data=post["fields"], files={"file": ("photo one.png", b"PNG!")}, timeout=10
    )
    assert response.status_code == 204
    assert s3.get_object(Bucket=bucket, Key="in/photo one.png")["Body"].read() == b"PNG!"


def test_fields_no_condition_covers_are_refused_except_x_ignore(s3: Any, bucket: str) -> None:
    post = s3.generate_presigned_post(bucket, "extra.txt")
    extra = _post(post, b"x", **{"x-amz-meta-owner": "eve"})
    assert extra.status_code == 403
    assert _error(extra)["Message"] == "Invalid according to Policy: Extra input fields: x-amz-meta-owner"
    assert _post(post, b"x", **{"x-ignore-tracking": "1"}).status_code == 204


def test_fields_after_the_file_are_ignored(s3: Any, bucket: str) -> None:
    post = s3.generate_presigned_post(bucket, "late.txt")
    parts: list[tuple[str, Any]] = [(name, (None, value)) for name, value in post["fields"].items()]
    parts += [("file", ("late.txt", b"body")), ("x-amz-meta-late", (None, "uncovered"))]
    assert requests.post(post["url"], files=parts, timeout=10).status_code == 204


def test_a_key_sent_after_the_file_is_no_key(s3: Any, bucket: str) -> None:
    post = s3.generate_presigned_post(bucket, "keyed.txt")
    fields = {name: value for name, value in post["fields"].items() if name != "key"}
    parts: list[tuple[str, Any]] = [(name, (None, value)) for name, value in fields.items()]
    parts += [("file", ("keyed.txt", b"body")), ("key", (None, "keyed.txt"))]
    response = requests.post(post["url"], files=parts, timeout=10)
    assert response.status_code == 400
    assert (_error(response)["Code"], _error(response)["ArgumentName"]) == ("InvalidArgument", "key")


def test_success_action_status_is_a_condition_too(s3: Any, bucket: str) -> None:
    post = s3.generate_presigned_post(
        bucket,
        "status.txt",
        Fields={"success_action_status": "201"},
        Conditions=[{"success_action_status": "201"}],
    )
    assert _post(post, b"x", success_action_status="200").status_code == 403
    assert _post(post, b"x").status_code == 201


def test_expired_policy_is_refused(s3: Any, bucket: str) -> None:
    post = s3.generate_presigned_post(bucket, "late.txt", ExpiresIn=-1)  # expired a second ago
    response = _post(post, b"x")
    assert response.status_code == 403
    assert _error(response)["Message"] == "Invalid according to Policy: Policy expired."


# --- the policy rules, without HTTP -----------------------------------------------------------------


def _form(policy: dict[str, Any], size: int = 3, **fields: str) -> PostForm:
    """A form with `policy` and a key "k" (S3 requires a key; the policy gets a condition covering it)."""
    if isinstance(policy.get("conditions"), list):
        policy = {**policy, "conditions": [*policy["conditions"], ["starts-with", "$key", ""]]}
    encoded = base64.b64encode(json.dumps(policy).encode()).decode()
    fields.setdefault("key", "k")
    return PostForm(
        fields=(("policy", encoded), *fields.items()),
        file_name="f.txt",
        file_content_type=None,
        content=b"x" * size,
    )


NOW = datetime(2026, 1, 1, tzinfo=UTC)
LATER = (NOW + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _refusal(form: PostForm) -> tuple[int, str]:
    with pytest.raises(PolicyError) as refused:
        check_policy(form, "bkt", NOW)
    error = refused.value.error
    return error.status, f"{error.code}: {error.message}"


def test_policy_document_errors() -> None:
    garbage = PostForm(
        fields=(("policy", "not base64 json!"), ("key", "k")),
        file_name="",
        file_content_type=None,
        content=b"x",
    )
    assert _refusal(garbage) == (400, "InvalidPolicyDocument: Invalid Policy: Invalid JSON.")
    two = _form({"expiration": LATER, "conditions": [{"bucket": "bkt", "key": "k"}]}, key="k")
    assert _refusal(two)[0] == 400 and "exactly one property" in _refusal(two)[1]
    number = _form({"expiration": LATER, "conditions": [{"key": 5}]}, key="5")
    assert _refusal(number) == (
        400,
        "InvalidPolicyDocument: Invalid Policy: Invalid Simple-Condition: value must be a string.",
    )
    no_expiry = _form({"conditions": []})
    assert _refusal(no_expiry)[0] == 400


def test_condition_rules() -> None:
    ok = {"expiration": LATER, "conditions": [["content-length-range", "1", "10"], {"bucket": "bkt"}]}
    check_policy(_form(ok), "bkt", NOW)  # numeric strings are accepted as bounds
    bad_range = {"expiration": LATER, "conditions": [["content-length-range", "test", "10"]]}
    assert _refusal(_form(bad_range)) == (
        403,
        "AccessDenied: Invalid according to Policy: Policy Condition failed: "
        '["content-length-range", "test", "10"]',
    )
    # Condition names are case-insensitive, values are not; an absent field fails even starts-with "".
    named = {"expiration": LATER, "conditions": [["eq", "$content-type", "text/plain"]]}
    check_policy(_form(named, **{"Content-Type": "text/plain"}), "bkt", NOW)
    assert _refusal(_form(named, **{"Content-Type": "TEXT/PLAIN"}))[0] == 403
    anything = {"expiration": LATER, "conditions": [["starts-with", "$x-amz-meta-tag", ""]]}
    assert "Policy Condition failed" in _refusal(_form(anything))[1]
    check_policy(_form(anything, **{"x-amz-meta-tag": "v"}), "bkt", NOW)
    no_dollar = {"expiration": LATER, "conditions": [["eq", "key", "k"]]}
    assert _refusal(_form(no_dollar, key="k"))[0] == 403
    expired = {"expiration": "2025-12-31T23:59:59Z", "conditions": []}
    assert _refusal(_form(expired)) == (403, "AccessDenied: Invalid according to Policy: Policy expired.")


def test_the_check_lets_other_requests_through_and_refuses_an_expired_form() -> None:
    plain = read_s3_request("PUT", "localhost", "/bkt/k", "", content_type="text/plain", body=b"data")
    assert check_request({}, plain) is None
    policy = base64.b64encode(json.dumps({"expiration": "2000-01-01T00:00:00Z", "conditions": []}).encode())
    form = (
        b'--B\r\nContent-Disposition: form-data; name="key"\r\n\r\nk\r\n'
        b'--B\r\nContent-Disposition: form-data; name="policy"\r\n\r\n' + policy + b"\r\n"
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\nx\r\n--B--\r\n'
    )
    expired = read_s3_request(
        "POST", "localhost", "/bkt", "", content_type="multipart/form-data; boundary=B", body=form
    )
    refused = check_request({}, expired)
    assert refused is not None
    assert (refused.status, refused.message) == (403, "Invalid according to Policy: Policy expired.")
