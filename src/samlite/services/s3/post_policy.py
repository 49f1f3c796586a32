"""S3 POST policy enforcement for browser-based (presigned POST) uploads, which moto does not do.

A presigned POST form carries a base64 JSON `policy` (`expiration` + `conditions`) signed by the
issuer; S3 refuses an upload that breaks it. moto 5.2.5 stores whatever is posted: a 13-byte file is
accepted against `["content-length-range", 5, 5]`. This module checks the form against its policy
before moto sees it, as S3 does (AWS "POST Policy", sigv4-HTTPPOSTConstructPolicy; the wire answers
below are the ones LocalStack recorded against AWS in tests/aws/services/s3/test_s3.py,
TestS3PresignedPost, and captures in issue trackers):

- expired policy: 403 AccessDenied "Invalid according to Policy: Policy expired.";
- a failed `eq` / `starts-with` / simple condition: 403 AccessDenied "Invalid according to Policy:
  Policy Condition failed: [...]" (simple conditions printed as `eq` arrays; condition names are
  case-insensitive, values case-sensitive; a condition on an absent field fails, even `starts-with ""`);
- `content-length-range` (bounds inclusive, numbers or numeric strings): 400 EntityTooLarge "Your
  proposed upload exceeds the maximum allowed size" with ProposedSize/MaxSizeAllowed, or 400
  EntityTooSmall "... smaller than the minimum allowed size" with ProposedSize/MinSizeAllowed;
- a form field no condition covers (other than `x-amz-signature`, `file`, `policy`, `x-ignore-*`, and
  SigV2's `AWSAccessKeyId` / `signature`): 403 AccessDenied "Invalid according to Policy: Extra input
  fields: <name>";
- a policy that is not base64 JSON of the documented shape: 400 InvalidPolicyDocument "Invalid
  Policy: ...";

The form is the one `samlite.wire.s3_request` read (fields after the `file` part are ignored, as S3
ignores them, and moto is handed exactly these fields), `${filename}` in `key` is replaced by the
file's name before `key` conditions are checked (the documented order), `bucket` is the bucket of
the URL, and a `starts-with` on Content-Type holds only when every comma-separated type starts with
the prefix (the POST Policy page). The signature itself is verified earlier by `samlite.iam.presigned`
(with IAM on); this module is about what the policy allows, so it runs with IAM on or off, as the
endpoint's `S3Check` (`check_request`).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from samlite.model import AwsError
from samlite.wire.s3_request import PostForm, S3Request

# Form fields no condition needs to name (AWS "POST Policy": "each form field that you specify in a
# form, except x-amz-signature, file, policy, and field names that have an x-ignore- prefix, must
# appear in the list of conditions"; SigV2 forms carry AWSAccessKeyId and signature instead).
_EXEMPT_FIELDS = frozenset({"x-amz-signature", "file", "policy", "awsaccesskeyid", "signature"})


class PolicyError(Exception):
    """The upload breaks its policy; `error` is S3's answer."""

    def __init__(self, error: AwsError) -> None:
        super().__init__(error.message)
        self.error = error


def check_request(
    environ: Mapping[str, Any], request: S3Request, now: datetime | None = None
) -> AwsError | None:
    """S3's refusal of a POST form upload that breaks its policy, else None (an `S3Check`)."""
    form = request.form
    if form is None or form.value("policy") is None:
        return None  # not a policy upload: moto (and the presigned check with IAM on) decide
    try:
        check_policy(form, request.address.bucket, now or datetime.now(UTC))
    except PolicyError as refused:
        return refused.error
    return None


def check_policy(form: PostForm, bucket: str, now: datetime) -> None:
    """Raise PolicyError with S3's answer when `form` breaks its own `policy` field."""
    policy = _decode_policy(form.value("policy") or "")
    expiration = _expiration(policy)
    if now >= expiration:
        raise PolicyError(_denied("Invalid according to Policy: Policy expired."))
    conditions = policy.get("conditions")
    if not isinstance(conditions, list):
        raise PolicyError(_invalid("Invalid Policy: Invalid 'conditions' value: it must be a list."))
    covered: set[str] = set()
    for condition in conditions:
        covered.add(_check_condition(condition, form, bucket))
    for name, _value in form.fields:
        lowered = name.lower()
        if lowered in _EXEMPT_FIELDS or lowered.startswith("x-ignore-") or lowered in covered:
            continue
        raise PolicyError(_denied(f"Invalid according to Policy: Extra input fields: {name}"))


def _decode_policy(encoded: str) -> dict[str, Any]:
    try:
        document = json.loads(base64.b64decode(encoded, validate=False))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise PolicyError(_invalid("Invalid Policy: Invalid JSON.")) from None
    if not isinstance(document, dict):
        raise PolicyError(_invalid("Invalid Policy: Invalid JSON."))
    return document


def _expiration(policy: dict[str, Any]) -> datetime:
    raw = policy.get("expiration")
    if not isinstance(raw, str):
        raise PolicyError(_invalid("Invalid Policy: Policy missing expiration."))
    for layout in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(raw, layout).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise PolicyError(_invalid(f"Invalid Policy: Invalid 'expiration' value: '{raw}'"))


def _check_condition(condition: Any, form: PostForm, bucket: str) -> str:
    """Check one condition; return the (lowercased) form field it covers."""
    if isinstance(condition, dict):
        if len(condition) != 1:
            raise PolicyError(
                _invalid(
                    "Invalid Policy: Invalid Simple-Condition: "
                    "Simple-Conditions must have exactly one property specified."
                )
            )
        ((name, expected),) = condition.items()
        if not isinstance(expected, str):
            raise PolicyError(_invalid("Invalid Policy: Invalid Simple-Condition: value must be a string."))
        if _field(form, bucket, name) != expected:
            raise PolicyError(_condition_failed(["eq", f"${name}", expected]))
        return name.lower()
    if not isinstance(condition, list) or not condition or not isinstance(condition[0], str):
        raise PolicyError(
            _invalid("Invalid Policy: Invalid Condition: a condition is an object or an array.")
        )
    operator = condition[0].lower()
    if operator == "content-length-range":
        _check_length(condition, form)
        return ""
    if operator not in ("eq", "starts-with") or len(condition) != 3:
        raise PolicyError(_invalid(f"Invalid Policy: Invalid Condition: unknown operator {condition[0]!r}."))
    reference, expected = condition[1], condition[2]
    if not isinstance(reference, str) or not isinstance(expected, str) or not reference.startswith("$"):
        raise PolicyError(_condition_failed(condition))  # AWS: a field named without "$" fails
    name = reference[1:]
    actual = _field(form, bucket, name)
    if actual is None or not _holds(operator, name, actual, expected):
        raise PolicyError(_condition_failed(condition))
    return name.lower()


def _holds(operator: str, name: str, actual: str, expected: str) -> bool:
    if operator == "eq":
        return actual == expected
    if name.lower() == "content-type":  # "Content-Type: image/jpeg, image/png" must all match
        return all(part.strip().startswith(expected) for part in actual.split(","))
    return actual.startswith(expected)


def _field(form: PostForm, bucket: str, name: str) -> str | None:
    lowered = name.lower()
    if lowered == "bucket":
        return bucket
    return form.key if lowered == "key" else form.value(name)


def _check_length(condition: list[Any], form: PostForm) -> None:
    try:
        low, high = (int(bound) for bound in condition[1:3])
        if len(condition) != 3 or any(isinstance(bound, bool) for bound in condition[1:3]):
            raise ValueError
    except (TypeError, ValueError):
        raise PolicyError(_condition_failed(condition)) from None
    size = form.file_size
    if size > high:
        raise PolicyError(
            AwsError(
                400,
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed size",
                {"ProposedSize": str(size), "MaxSizeAllowed": str(high)},
            )
        )
    if size < low:
        raise PolicyError(
            AwsError(
                400,
                "EntityTooSmall",
                "Your proposed upload is smaller than the minimum allowed size",
                {"ProposedSize": str(size), "MinSizeAllowed": str(low)},
            )
        )


def _denied(message: str) -> AwsError:
    return AwsError(403, "AccessDenied", message)


def _invalid(message: str) -> AwsError:
    return AwsError(400, "InvalidPolicyDocument", message)


def _condition_failed(condition: Any) -> AwsError:
    return _denied(f"Invalid according to Policy: Policy Condition failed: {json.dumps(condition)}")
