"""IAM for the Lambda calls samlite answers itself, refused as Lambda refuses them.

With IAM on, every call is checked by moto's engine (`samlite.iam.request_auth`): the signature
against the caller's key, then the caller's policies against the action and the resource ARN. moto
names its failures as IAM does; Lambda names the same failures in its own words, which is what SDKs
and tests match on:

- an unknown access key (dummy credentials such as `test`/`test`): 403 `UnrecognizedClientException`,
  "The security token included in the request is invalid.";
- a wrong secret key: 403 `InvalidSignatureException`;
- an unsigned request: 403 `MissingAuthenticationTokenException`;
- a caller whose policies do not allow the action on the resource: 403 `AccessDeniedException`.

With IAM off nothing is checked, so any credentials work (`samlite start --no-iam`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from samlite.endpoint.aws_errors import json_code
from samlite.iam.request_auth import check_request
from samlite.model import AwsError


def authorize(
    account_id: str, environ: Mapping[str, Any], body: bytes, action: str, resource: str
) -> AwsError | None:
    """None when the caller may perform `action` (`lambda:GetFunction`...) on `resource` (an ARN or
    "*"), else the error Lambda answers."""
    denied = check_request(account_id, environ, body, action, resource)
    if denied is None:
        return None
    return AwsError(denied.status, json_code(denied.code), denied.message)
