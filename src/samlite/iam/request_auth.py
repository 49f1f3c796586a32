"""IAM checks for the API calls samlite answers itself (Lambda Invoke, DescribeStacks), with moto's engine.

moto checks every call it serves; requests that samlite answers without moto must be checked the same
way, so that a function without `lambda:InvokeFunction` on another function gets AccessDenied as on AWS.
This reuses moto's `IAMRequest`: SigV4 signature against the caller's key, then the caller's policies.
The answer is an `AwsError` (or None): the service that asked writes it in its own protocol's shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import EnvironHeaders

from samlite.model import AwsError


def check_request(
    account_id: str, environ: Mapping[str, Any], body: bytes, action: str, resource: str
) -> AwsError | None:
    """None when the signed caller may perform `action` (e.g. `lambda:InvokeFunction`) on `resource`."""
    from moto.core.exceptions import ServiceException
    from moto.iam.access_control import IAMRequest
    from werkzeug.exceptions import HTTPException

    headers = EnvironHeaders(dict(environ))
    if "Authorization" not in headers:
        return AwsError(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
    raw_path = str(environ.get("RAW_URI") or environ.get("PATH_INFO", ""))
    try:
        request = IAMRequest(
            account_id=account_id,
            method=str(environ.get("REQUEST_METHOD", "POST")),
            path=raw_path,  # with the query string, which the canonical request signs
            # moto signs over `body or data`: the query string must not stand in for an empty body
            # (a bodiless POST such as an Invoke with a Qualifier would never match).
            data={},
            body=body,
            headers=headers,  # type: ignore[arg-type]
            action=action.split(":", 1)[1],
        )
        request.check_signature()
        request.check_action_permitted(resource)
    except HTTPException as error:  # moto's IAM errors (AccessDenied, SignatureDoesNotMatch...)
        status = int(error.code or 403)
        return AwsError(status, str(getattr(error, "error_type", "AccessDenied")), _message(error))
    except ServiceException as error:
        return AwsError(403, str(error.code), str(error.message))
    return None


def _message(error: Any) -> str:
    return str(getattr(error, "message", None) or error)
