"""IAM checks for the API calls samlite answers itself (the Lambda Invoke API), with moto's engine.

moto checks every call it serves; requests that samlite answers without moto must be checked the same
way, so that a function without `lambda:InvokeFunction` on another function gets AccessDenied as on AWS.
This reuses moto's `IAMRequest`: SigV4 signature against the caller's key, then the caller's policies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.datastructures import EnvironHeaders

from samlite.cloud.lambda_api import ApiResponse, lambda_error


@dataclass(frozen=True)
class Denial:
    """Why moto's IAM engine refused a request: HTTP status, AWS error code, message."""

    status: int
    code: str
    message: str


def check_request(
    account_id: str, environ: Mapping[str, Any], body: bytes, action: str, resource: str
) -> Denial | None:
    """None when the signed caller may perform `action` (e.g. `lambda:InvokeFunction`) on `resource`."""
    from moto.core.exceptions import ServiceException
    from moto.iam.access_control import IAMRequest
    from werkzeug.exceptions import HTTPException

    headers = EnvironHeaders(dict(environ))
    if "Authorization" not in headers:
        return Denial(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
    raw_path = str(environ.get("RAW_URI") or environ.get("PATH_INFO", ""))
    try:
        request = IAMRequest(
            account_id=account_id,
            method=str(environ.get("REQUEST_METHOD", "POST")),
            path=raw_path,
            data=dict(parse_qsl(str(environ.get("QUERY_STRING", "")))),
            body=body,
            headers=headers,  # type: ignore[arg-type]
            action=action.split(":", 1)[1],
        )
        request.check_signature()
        request.check_action_permitted(resource)
    except HTTPException as error:  # moto's IAM errors (AccessDenied, SignatureDoesNotMatch...)
        status = int(error.code or 403)
        return Denial(status, str(getattr(error, "error_type", "AccessDenied")), _message(error))
    except ServiceException as error:
        return Denial(403, str(error.code), str(error.message))
    return None


def _message(error: Any) -> str:
    return str(getattr(error, "message", None) or error)


class IamAuthorizer:
    """Authorizer for LambdaInvokeApi: None when allowed, else Lambda's JSON error response."""

    def __init__(self, account_id: str) -> None:
        self._account_id = account_id

    def __call__(
        self, environ: Mapping[str, Any], body: bytes, action: str, resource: str
    ) -> ApiResponse | None:
        denial = check_request(self._account_id, environ, body, f"lambda:{action}", resource)
        if denial is None:
            return None
        # moto's IAM errors say "AccessDenied"; Lambda's own name for it is AccessDeniedException.
        code = "AccessDeniedException" if denial.code == "AccessDenied" else denial.code
        return lambda_error(denial.status, code, denial.message, "")
