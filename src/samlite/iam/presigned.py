"""IAM for S3 requests without an Authorization header: presigned URLs, presigned POST, anonymous.

moto's IAM enforcement reads the SigV4 `Authorization` header and fails with a 500 (KeyError) when a
request has none, which is how presigned URLs and browser form uploads (presigned POST) arrive. With
IAM on, the endpoint settles such S3 requests here, as S3 does:
- presigned POST: the form's signature must be the HMAC of its `policy` with the signer's key (SigV4
  `x-amz-signature`, AWS "Authenticating Requests in Browser-Based Uploads Using POST", or SigV2
  `signature`), and the signer needs `s3:PutObject` on the key the form stores;
- presigned URL (SigV4 `X-Amz-*` or SigV2 `AWSAccessKeyId`/`Expires`): not expired, and the signer
  needs the permission of the call (`s3:GetObject`, `s3:PutObject`, ...); its query signature is
  recomputed by botocore's own signers over the request as received and must match;
- anonymous: AccessDenied (samlite applies no bucket policies or ACLs that could make a bucket public).
Bucket, key and form are the ones `samlite.wire.s3_request` read, the same every other part uses.
An allowed request is then served by moto with its own check skipped (`moto_changes.auth_skip`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from samlite.model import AwsError
from samlite.wire.s3_request import PostForm, S3Address

_UNKNOWN_KEY = "The AWS Access Key Id you provided does not exist in our records."
_DENIED = AwsError(403, "AccessDenied", "Access Denied")
_MISMATCH = AwsError(
    403,
    "SignatureDoesNotMatch",
    "The request signature we calculated does not match the signature you provided.",
)


def needs_settling(environ: Mapping[str, Any]) -> bool:
    """An S3 request moto cannot authorize itself: no Authorization header (IAM on)."""
    if environ.get("HTTP_AUTHORIZATION"):
        return False
    return not str(environ.get("PATH_INFO", "")).startswith("/moto-api")


def settle(
    account_id: str, environ: Mapping[str, Any], address: S3Address, form: PostForm | None
) -> AwsError | None:
    """None when the request may go on to moto (with its check skipped), else S3's error."""
    if form is not None:
        return _settle_post(account_id, form, address.bucket)
    query = dict(parse_qsl(str(environ.get("QUERY_STRING", "")), keep_blank_values=True))
    if "X-Amz-Credential" in query and "X-Amz-Signature" in query:
        return _settle_presigned_url(account_id, environ, query, address)
    if "AWSAccessKeyId" in query and "Signature" in query:  # SigV2 query auth (boto3's default presign)
        return _settle_presigned_v2(account_id, environ, query, address)
    return _DENIED


def _settle_post(account_id: str, form: PostForm, bucket: str) -> AwsError | None:
    policy = form.value("policy") or ""
    credential = form.value("x-amz-credential") or ""
    if credential:
        access_key_id, signature = credential.split("/", 1)[0], form.value("x-amz-signature") or ""
    else:  # SigV2 (boto3's default presigned POST): base64 HMAC-SHA1 of the policy with the secret
        access_key_id, signature = form.value("awsaccesskeyid") or "", form.value("signature") or ""
    if not access_key_id or not policy or not signature or form.key is None:
        return _DENIED
    found = _access_key(account_id, access_key_id, form.value("x-amz-security-token"))
    if found is None:
        return AwsError(403, "InvalidAccessKeyId", _UNKNOWN_KEY)
    credentials = found.create_credentials()
    if credential:
        expected = _sigv4_post_signature(credentials, credential, policy)
    else:
        digest = hmac.new(credentials.secret_key.encode(), policy.encode(), hashlib.sha1).digest()
        expected = base64.b64encode(digest).decode()
    if expected is None or not hmac.compare_digest(expected, signature):
        return _MISMATCH
    return _permitted(found, "s3:PutObject", S3Address(bucket, form.key).arn)


def _sigv4_post_signature(credentials: Any, credential: str, policy: str) -> str | None:
    """What botocore's S3SigV4PostAuth signs a policy with, for this credential scope."""
    from botocore.auth import S3SigV4PostAuth
    from botocore.awsrequest import AWSRequest

    try:
        _, date, region, service, _terminator = credential.split("/")
    except ValueError:
        return None
    request = AWSRequest(method="POST", url="http://localhost/")
    request.context["timestamp"] = f"{date}T000000Z"
    return str(S3SigV4PostAuth(credentials, service, region).signature(policy, request))


def _settle_presigned_url(
    account_id: str, environ: Mapping[str, Any], query: Mapping[str, str], address: S3Address
) -> AwsError | None:
    try:
        signed_at = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        expires = int(query.get("X-Amz-Expires", "604800"))
        _, _date, region, service, _terminator = query["X-Amz-Credential"].split("/")
    except (KeyError, ValueError):
        return AwsError(
            400,
            "AuthorizationQueryParametersError",
            "X-Amz-Date, X-Amz-Expires or X-Amz-Credential is malformed",
        )
    if datetime.now(UTC) > signed_at + timedelta(seconds=expires):
        return AwsError(403, "AccessDenied", "Request has expired")
    credential = query["X-Amz-Credential"]
    found = _access_key(account_id, credential.split("/", 1)[0], query.get("X-Amz-Security-Token"))
    if found is None:
        return AwsError(403, "InvalidAccessKeyId", _UNKNOWN_KEY)
    expected = _sigv4_query_signature(found.create_credentials(), environ, query, region, service)
    if not hmac.compare_digest(expected, query["X-Amz-Signature"]):
        return _MISMATCH
    return _permitted(found, *_action_and_resource(environ, address))


def _sigv4_query_signature(
    credentials: Any, environ: Mapping[str, Any], query: Mapping[str, str], region: str, service: str
) -> str:
    """botocore's S3SigV4QueryAuth over the request as received: the raw path (S3 signs it as sent),
    every query parameter but the signature, the signed headers, UNSIGNED-PAYLOAD."""
    from botocore.auth import S3SigV4QueryAuth
    from botocore.awsrequest import AWSRequest

    raw_uri = str(environ.get("RAW_URI") or environ.get("PATH_INFO", ""))
    raw_path, _, raw_query = raw_uri.partition("?")
    signed = [name.strip().lower() for name in query.get("X-Amz-SignedHeaders", "host").split(";")]
    headers = {name: _header(environ, name) for name in signed}
    request = AWSRequest(method=str(environ.get("REQUEST_METHOD", "GET")), url="http://host" + raw_path)
    for name, value in headers.items():
        request.headers[name] = value
    request.params = [
        (name, value)
        for name, value in parse_qsl(raw_query, keep_blank_values=True)
        if name != "X-Amz-Signature"
    ]
    request.context["timestamp"] = query["X-Amz-Date"]
    signer = S3SigV4QueryAuth(credentials, service, region)
    canonical = signer.canonical_request(request)
    return str(signer.signature(signer.string_to_sign(request, canonical), request))


def _header(environ: Mapping[str, Any], name: str) -> str:
    if name == "content-type":
        return str(environ.get("CONTENT_TYPE", "")).strip()
    if name == "content-length":
        return str(environ.get("CONTENT_LENGTH", "")).strip()
    return str(environ.get("HTTP_" + name.upper().replace("-", "_"), ""))


def _settle_presigned_v2(
    account_id: str, environ: Mapping[str, Any], query: Mapping[str, str], address: S3Address
) -> AwsError | None:
    try:
        expires = datetime.fromtimestamp(int(query.get("Expires", "0")), UTC)
    except ValueError:
        return AwsError(400, "InvalidArgument", "Expires is malformed")
    if datetime.now(UTC) > expires:
        return AwsError(403, "AccessDenied", "Request has expired")
    found = _access_key(account_id, query["AWSAccessKeyId"], query.get("x-amz-security-token"))
    if found is None:
        return AwsError(403, "InvalidAccessKeyId", _UNKNOWN_KEY)
    if not hmac.compare_digest(_sigv2_signature(found, environ, query), query["Signature"]):
        return _MISMATCH
    return _permitted(found, *_action_and_resource(environ, address))


def _sigv2_signature(access_key: Any, environ: Mapping[str, Any], query: Mapping[str, str]) -> str:
    """SigV2 query authentication, computed by botocore's own HmacV1Auth over the received request."""
    from botocore.auth import HmacV1Auth
    from botocore.awsrequest import HTTPHeaders

    raw_uri = str(environ.get("RAW_URI") or environ.get("PATH_INFO", ""))
    headers = HTTPHeaders()
    for name, variable in (("Content-MD5", "HTTP_CONTENT_MD5"), ("Content-Type", "CONTENT_TYPE")):
        value = environ.get(variable)
        if value:
            headers[name] = str(value)
    expires = query["Expires"]

    class ExpiresSigner(HmacV1Auth):  # type: ignore[misc]
        """Query authentication signs Expires where header authentication signs the Date."""

        def _get_date(self) -> str:
            return expires

    signer = ExpiresSigner(access_key.create_credentials())  # adds x-amz-security-token itself
    method = str(environ.get("REQUEST_METHOD", "GET"))
    return str(signer.get_signature(method, urlsplit(raw_uri), headers))


def _action_and_resource(environ: Mapping[str, Any], address: S3Address) -> tuple[str, str]:
    if not address.key:
        return "s3:ListBucket", address.arn
    method = str(environ.get("REQUEST_METHOD", "GET"))
    action = {"GET": "GetObject", "HEAD": "GetObject", "DELETE": "DeleteObject"}.get(method, "PutObject")
    return f"s3:{action}", address.arn


def _access_key(account_id: str, access_key_id: str, token: str | None) -> Any:
    from moto.iam.access_control import CreateAccessKeyFailure, create_access_key

    headers = {"X-Amz-Security-Token": token} if token else {}
    try:
        return create_access_key(account_id, "aws", access_key_id, headers)
    except CreateAccessKeyFailure:
        return None


def _permitted(access_key: Any, action: str, resource: str) -> AwsError | None:
    from moto.iam.access_control import IAMPolicy, PermissionResult

    permitted = False
    for policy in access_key.collect_policies():
        result = IAMPolicy(policy).is_action_permitted(action, resource)
        if result == PermissionResult.DENIED:
            return _DENIED
        permitted = permitted or result == PermissionResult.PERMITTED
    return None if permitted else _DENIED
