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
- no `key` field before the file: 400 InvalidArgument "Bucket POST must contain a field named 'key'..."
  with ArgumentName `key` (as captured from S3 in 2014 and 2020).

Fields after the `file` part are ignored (S3 ignores them), `${filename}` in `key` is replaced by the
file's name before `key` conditions are checked (the documented order), `bucket` is the bucket of
the URL, and a `starts-with` on Content-Type holds only when every comma-separated type starts with
the prefix (the POST Policy page). The signature itself is verified earlier by `presigned_auth`
(with IAM on); this module is about what the policy allows, so it runs with IAM on or off.
`enforce_post_policies(app)` wraps moto's WSGI application (see EmbeddedAws.start).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from samlite.cloud.lambda_api import ApiResponse

WsgiApp = Callable[..., Iterable[bytes]]

# Form fields no condition needs to name (AWS "POST Policy": "each form field that you specify in a
# form, except x-amz-signature, file, policy, and field names that have an x-ignore- prefix, must
# appear in the list of conditions"; SigV2 forms carry AWSAccessKeyId and signature instead).
_EXEMPT_FIELDS = frozenset({"x-amz-signature", "file", "policy", "awsaccesskeyid", "signature"})
_BOUNDARY = re.compile(r'boundary="?([^";,]+)"?', re.IGNORECASE)
_DISPOSITION_PARAM = re.compile(r';\s*([a-zA-Z*]+)="((?:[^"\\]|\\.)*)"')
_HEADER_END = b"\r\n\r\n"


class PolicyError(Exception):
    """The upload breaks its policy; `response` is S3's answer."""

    def __init__(self, response: ApiResponse) -> None:
        super().__init__(response.status)
        self.response = response


@dataclass
class PostForm:
    """A multipart POST form as S3 reads it: the fields before the file, and the file."""

    fields: list[tuple[str, str]] = field(default_factory=list)
    file_name: str | None = None
    file_size: int | None = None

    def value(self, name: str) -> str | None:
        """The first field named `name` (form field names are case-insensitive)."""
        lowered = name.lower()
        for field_name, value in self.fields:
            if field_name.lower() == lowered:
                return value
        return None


def enforce_post_policies(app: WsgiApp) -> WsgiApp:
    """`app` (moto's WSGI application), refusing presigned POST uploads that break their policy."""

    def enforcing(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        refused = check_request(environ)
        if refused is None:
            return app(environ, start_response)
        start_response(f"{refused.status} {_REASONS[refused.status]}", refused.headers)
        return [refused.body]

    return enforcing


def check_request(environ: dict[str, Any], now: datetime | None = None) -> ApiResponse | None:
    """None when the request is not a POST form upload with a policy, or its policy allows it."""
    content_type = str(environ.get("CONTENT_TYPE", ""))
    if environ.get("REQUEST_METHOD") != "POST" or not content_type.lower().startswith("multipart/form-data"):
        return None
    body = _body(environ)
    form = parse_form(content_type, body)
    if form is None or form.value("policy") is None:
        return None  # not a policy upload: moto (and presigned_auth with IAM on) decide
    try:
        check_policy(form, _bucket(environ), now or datetime.now(UTC))
    except PolicyError as refused:
        return refused.response
    return None


def check_policy(form: PostForm, bucket: str, now: datetime) -> None:
    """Raise PolicyError with S3's answer when `form` breaks its own `policy` field."""
    if form.value("key") is None:  # a key after the file part is as good as none (S3 ignores it)
        raise PolicyError(
            _s3_error(
                400,
                "InvalidArgument",
                "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of"
                " the fields.",
                {"ArgumentName": "key", "ArgumentValue": ""},
            )
        )
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


def parse_form(content_type: str, body: bytes) -> PostForm | None:
    """The fields before the `file` part, and the file's name and size; None if not multipart."""
    match = _BOUNDARY.search(content_type)
    if match is None:
        return None
    delimiter = b"--" + match[1].encode("latin-1")
    form = PostForm()
    for part in body.split(b"\r\n" + delimiter)[:-1] if body.startswith(delimiter) else []:
        header_end = part.find(_HEADER_END)
        if header_end < 0:
            continue
        headers = part[:header_end].decode("utf-8", "replace")
        content = part[header_end + len(_HEADER_END) :]
        params = _disposition(headers)
        name = params.get("name")
        if name is None:
            continue
        if name.lower() == "file":
            form.file_name = params.get("filename")
            form.file_size = len(content)
            break  # S3 ignores every field after the file
        form.fields.append((name, content.decode("utf-8", "replace")))
    return form


def _disposition(headers: str) -> dict[str, str]:
    for line in headers.split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-disposition":
            return {key.lower(): text.replace('\\"', '"') for key, text in _DISPOSITION_PARAM.findall(value)}
    return {}


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
    value = form.value(name)
    if lowered == "key" and value is not None and form.file_name is not None:
        value = value.replace("${filename}", form.file_name)
    return value


def _check_length(condition: list[Any], form: PostForm) -> None:
    try:
        low, high = (int(bound) for bound in condition[1:3])
        if len(condition) != 3 or any(isinstance(bound, bool) for bound in condition[1:3]):
            raise ValueError
    except (TypeError, ValueError):
        raise PolicyError(_condition_failed(condition)) from None
    size = form.file_size or 0
    if size > high:
        raise PolicyError(
            _s3_error(
                400,
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed size",
                {"ProposedSize": str(size), "MaxSizeAllowed": str(high)},
            )
        )
    if size < low:
        raise PolicyError(
            _s3_error(
                400,
                "EntityTooSmall",
                "Your proposed upload is smaller than the minimum allowed size",
                {"ProposedSize": str(size), "MinSizeAllowed": str(low)},
            )
        )


def _body(environ: dict[str, Any]) -> bytes:
    """The request body, leaving `wsgi.input` readable from the start for moto."""
    stream = environ["wsgi.input"]
    getvalue = getattr(stream, "getvalue", None)
    if getvalue is not None:
        return bytes(getvalue())
    import io

    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = stream.read(length) if length > 0 else stream.read()
    environ["wsgi.input"] = io.BytesIO(body)
    return bytes(body)


def _bucket(environ: dict[str, Any]) -> str:
    """The bucket of a path-style (`/bucket`) or virtual-hosted (`bucket.s3...`) POST."""
    path_bucket = str(environ.get("PATH_INFO", "")).lstrip("/").split("/", 1)[0]
    if path_bucket:
        return path_bucket
    host = str(environ.get("HTTP_HOST", ""))
    return host.split(".s3.", 1)[0] if ".s3." in host else ""


def _denied(message: str) -> ApiResponse:
    return _s3_error(403, "AccessDenied", message)


def _invalid(message: str) -> ApiResponse:
    return _s3_error(400, "InvalidPolicyDocument", message)


def _condition_failed(condition: Any) -> ApiResponse:
    return _denied(f"Invalid according to Policy: Policy Condition failed: {json.dumps(condition)}")


def _s3_error(status: int, code: str, message: str, extra: dict[str, str] | None = None) -> ApiResponse:
    """S3's XML error document, with the code's own elements (ProposedSize...) when it has some."""
    request_id = uuid.uuid4().hex[:16].upper()
    elements = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in (extra or {}).items())
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{escape(message)}</Message>{elements}"
        f"<RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>"
    )
    return ApiResponse(
        status, [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)], xml.encode()
    )


_REASONS = {400: "Bad Request", 403: "Forbidden"}
