"""IAM for S3 requests without an Authorization header: presigned URLs, presigned POST, anonymous.

moto's IAM enforcement reads the SigV4 `Authorization` header and fails with a 500 (KeyError) when a
request has none, which is how presigned URLs and browser form uploads (presigned POST) arrive. With
IAM on, the middleware settles such S3 requests here, as S3 does:
- presigned POST: the form's signature must be the HMAC of its `policy` with the signer's key (SigV4
  `x-amz-signature`, AWS "Authenticating Requests in Browser-Based Uploads Using POST", or SigV2
  `signature`), and the signer needs `s3:PutObject` on the key (the policy's conditions are moto's);
- presigned URL (SigV4 `X-Amz-*` or SigV2 `AWSAccessKeyId`/`Expires`): not expired, and the signer
  needs the permission of the call (`s3:GetObject`, `s3:PutObject`, ...); its query signature is
  recomputed from the request as received and must match;
- anonymous: AccessDenied (samlite applies no bucket policies or ACLs that could make a bucket public).
An allowed request is then served by moto with its own check skipped for that request only
(`skip_moto_auth`), through a hook on moto's private `_authenticate_and_authorize_action`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import re
import threading
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from samlite.cloud.lambda_api import ApiResponse

_skip = threading.local()
_patch_lock = threading.Lock()
_UNKNOWN_KEY = "The AWS Access Key Id you provided does not exist in our records."
_FORM_FIELD = re.compile(rb'name="([^"]+)"\r\n(?:[^\r\n]+\r\n)*\r\n(.*?)\r\n--', re.DOTALL)


def install_moto_hook() -> None:
    """Let `skip_moto_auth` switch off moto's IAM check for the current thread's request (idempotent)."""
    from moto.core.authorization import ActionAuthenticatorMixin

    with _patch_lock:
        original = ActionAuthenticatorMixin._authenticate_and_authorize_action
        if getattr(original, "_samlite_hook", False):
            return

        def checked(self: Any, iam_request_cls: type, resource: str = "*") -> None:
            if getattr(_skip, "active", False):
                return
            original(self, iam_request_cls, resource)

        checked._samlite_hook = True  # type: ignore[attr-defined]
        ActionAuthenticatorMixin._authenticate_and_authorize_action = checked  # type: ignore[method-assign]


@contextlib.contextmanager
def skip_moto_auth() -> Iterator[None]:
    _skip.active = True
    try:
        yield
    finally:
        _skip.active = False


def needs_settling(environ: Mapping[str, Any]) -> bool:
    """An S3 request moto cannot authorize itself: no Authorization header (IAM on)."""
    if environ.get("HTTP_AUTHORIZATION"):
        return False
    path = str(environ.get("PATH_INFO", ""))
    return not path.startswith("/moto-api")


def settle(account_id: str, environ: Mapping[str, Any], body: bytes) -> ApiResponse | None:
    """None when the request may go on to moto (with its check skipped), else S3's XML error."""
    query = dict(parse_qsl(str(environ.get("QUERY_STRING", "")), keep_blank_values=True))
    method = str(environ.get("REQUEST_METHOD", "GET"))
    bucket = _bucket_and_key(str(environ.get("PATH_INFO", "")))[0]
    if method == "POST" and str(environ.get("CONTENT_TYPE", "")).startswith("multipart/form-data"):
        return _settle_post(account_id, body, bucket)
    if "X-Amz-Credential" in query and "X-Amz-Signature" in query:
        return _settle_presigned_url(account_id, environ, query)
    if "AWSAccessKeyId" in query and "Signature" in query:  # SigV2 query auth (boto3's default presign)
        return _settle_presigned_v2(account_id, environ, query)
    return s3_error(403, "AccessDenied", "Access Denied")


def _settle_post(account_id: str, body: bytes, bucket: str) -> ApiResponse | None:
    fields = {name.decode().lower(): value for name, value in _FORM_FIELD.findall(body)}
    policy = fields.get("policy", b"")
    key = fields.get("key", b"").decode()
    token = fields.get("x-amz-security-token", b"").decode() or None
    credential = fields.get("x-amz-credential", b"").decode()
    if credential:  # SigV4: hex HMAC-SHA256 of the policy with the derived signing key
        access_key_id, signature = credential.split("/", 1)[0], fields.get("x-amz-signature", b"").decode()
    else:  # SigV2 (boto3's default presigned POST): base64 HMAC-SHA1 of the policy with the secret
        access_key_id, signature = (
            fields.get("awsaccesskeyid", b"").decode(),
            fields.get("signature", b"").decode(),
        )
    if not access_key_id or not policy or not signature:
        return s3_error(403, "AccessDenied", "Access Denied")
    found = _access_key(account_id, access_key_id, token)
    if found is None:
        return s3_error(403, "InvalidAccessKeyId", _UNKNOWN_KEY)
    secret = found.create_credentials().secret_key
    if credential:
        expected = _sigv4_hmac(secret, credential, policy)
    else:
        expected = base64.b64encode(hmac.new(secret.encode(), policy, hashlib.sha1).digest()).decode()
    if not hmac.compare_digest(expected, signature):
        return _signature_mismatch()
    return _permitted(found, "s3:PutObject", f"arn:aws:s3:::{bucket}/{key}")


def _settle_presigned_url(
    account_id: str, environ: Mapping[str, Any], query: Mapping[str, str]
) -> ApiResponse | None:
    method = str(environ.get("REQUEST_METHOD", "GET"))
    bucket, key = _bucket_and_key(str(environ.get("PATH_INFO", "")))
    try:
        signed_at = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        expires = int(query.get("X-Amz-Expires", "604800"))
    except (KeyError, ValueError):
        return s3_error(400, "AuthorizationQueryParametersError", "X-Amz-Date or X-Amz-Expires is malformed")
    if datetime.now(UTC) > signed_at + timedelta(seconds=expires):
        return s3_error(403, "AccessDenied", "Request has expired")
    credential = query["X-Amz-Credential"]
    found = _access_key(account_id, credential.split("/", 1)[0], query.get("X-Amz-Security-Token"))
    if found is None:
        return s3_error(403, "InvalidAccessKeyId", _UNKNOWN_KEY)
    expected = _sigv4_hmac(
        found.create_credentials().secret_key, credential, _sigv4_string_to_sign(environ, query, method)
    )
    if not hmac.compare_digest(expected, query["X-Amz-Signature"]):
        return _signature_mismatch()
    return _permitted(found, *_action_and_resource(method, bucket, key))


def _sigv4_string_to_sign(environ: Mapping[str, Any], query: Mapping[str, str], method: str) -> bytes:
    """SigV4 query authentication's string to sign, from the request as received (S3 presign: the
    payload is UNSIGNED-PAYLOAD and the path is used as sent, not normalised)."""
    raw_uri = str(environ.get("RAW_URI") or environ.get("PATH_INFO", ""))
    raw_path, _, raw_query = raw_uri.partition("?")
    pairs = sorted(
        (quote(k, safe="-_.~"), quote(v, safe="-_.~"))
        for k, v in parse_qsl(raw_query, keep_blank_values=True)
        if k != "X-Amz-Signature"
    )
    signed = query.get("X-Amz-SignedHeaders", "host")
    headers = "".join(f"{name}:{_header(environ, name)}\n" for name in signed.split(";"))
    canonical = "\n".join(
        [method, raw_path, "&".join(f"{k}={v}" for k, v in pairs), headers, signed, "UNSIGNED-PAYLOAD"]
    )
    scope = query["X-Amz-Credential"].split("/", 1)[1]
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return f"AWS4-HMAC-SHA256\n{query['X-Amz-Date']}\n{scope}\n{digest}".encode()


def _header(environ: Mapping[str, Any], name: str) -> str:
    if name == "content-type":
        return str(environ.get("CONTENT_TYPE", "")).strip()
    if name == "content-length":
        return str(environ.get("CONTENT_LENGTH", "")).strip()
    return " ".join(str(environ.get("HTTP_" + name.upper().replace("-", "_"), "")).split())


def _signature_mismatch() -> ApiResponse:
    return s3_error(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided.",
    )


def _settle_presigned_v2(
    account_id: str, environ: Mapping[str, Any], query: Mapping[str, str]
) -> ApiResponse | None:
    method = str(environ.get("REQUEST_METHOD", "GET"))
    bucket, key = _bucket_and_key(str(environ.get("PATH_INFO", "")))
    try:
        expires = datetime.fromtimestamp(int(query.get("Expires", "0")), UTC)
    except ValueError:
        return s3_error(400, "InvalidArgument", "Expires is malformed")
    if datetime.now(UTC) > expires:
        return s3_error(403, "AccessDenied", "Request has expired")
    token = query.get("x-amz-security-token")
    found = _access_key(account_id, query["AWSAccessKeyId"], token)
    if found is None:
        return s3_error(403, "InvalidAccessKeyId", _UNKNOWN_KEY)
    if not hmac.compare_digest(_sigv2_signature(found, environ, method, query), query["Signature"]):
        return _signature_mismatch()
    return _permitted(found, *_action_and_resource(method, bucket, key))


def _sigv2_signature(
    access_key: Any, environ: Mapping[str, Any], method: str, query: Mapping[str, str]
) -> str:
    """SigV2 query authentication, computed by botocore's own HmacV1Auth over the received request."""
    from botocore.auth import HmacV1Auth
    from botocore.awsrequest import HTTPHeaders

    raw_uri = str(environ.get("RAW_URI") or environ.get("PATH_INFO", ""))
    headers = HTTPHeaders()
    for name in ("Content-MD5", "Content-Type"):
        value = environ.get("HTTP_CONTENT_MD5" if name == "Content-MD5" else "CONTENT_TYPE")
        if value:
            headers[name] = str(value)
    expires = query["Expires"]

    class ExpiresSigner(HmacV1Auth):  # type: ignore[misc]
        """Query authentication signs Expires where header authentication signs the Date."""

        def _get_date(self) -> str:
            return expires

    signer = ExpiresSigner(access_key.create_credentials())  # adds x-amz-security-token itself
    return str(signer.get_signature(method, urlsplit(raw_uri), headers))


def _action_and_resource(method: str, bucket: str, key: str) -> tuple[str, str]:
    if not key:
        return "s3:ListBucket", f"arn:aws:s3:::{bucket}"
    action = {"GET": "GetObject", "HEAD": "GetObject", "DELETE": "DeleteObject"}.get(method, "PutObject")
    return f"s3:{action}", f"arn:aws:s3:::{bucket}/{key}"


def _access_key(account_id: str, access_key_id: str, token: str | None) -> Any:
    from moto.iam.access_control import CreateAccessKeyFailure, create_access_key

    headers = {"X-Amz-Security-Token": token} if token else {}
    try:
        return create_access_key(account_id, "aws", access_key_id, headers)
    except CreateAccessKeyFailure:
        return None


def _permitted(access_key: Any, action: str, resource: str) -> ApiResponse | None:
    from moto.iam.access_control import IAMPolicy, PermissionResult

    permitted = False
    for policy in access_key.collect_policies():
        result = IAMPolicy(policy).is_action_permitted(action, resource)
        if result == PermissionResult.DENIED:
            return s3_error(403, "AccessDenied", "Access Denied")
        permitted = permitted or result == PermissionResult.PERMITTED
    return None if permitted else s3_error(403, "AccessDenied", "Access Denied")


def _sigv4_hmac(secret: str, credential: str, string_to_sign: bytes) -> str:
    _, date, region, service, _terminator = credential.split("/")
    signing_key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        signing_key = hmac.new(signing_key, part.encode(), hashlib.sha256).digest()
    return hmac.new(signing_key, string_to_sign, hashlib.sha256).hexdigest()


def _bucket_and_key(path: str) -> tuple[str, str]:
    bucket, _, key = path.lstrip("/").partition("/")
    return bucket, key


def s3_error(status: int, code: str, message: str) -> ApiResponse:
    request_id = uuid.uuid4().hex[:16].upper()
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Error>"
    )
    return ApiResponse(
        status, [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)], xml.encode()
    )
