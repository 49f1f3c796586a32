"""A function's role credentials, handed out by a running `samlite start` to `samlite invoke`.

`samlite invoke --endpoint-url URL` runs one function in its own process against a running
`samlite start`. With IAM on, that stack accepts only keys it issued, and the function must act with
its own role's permissions, as it does inside the stack. On AWS, Lambda itself assumes the execution
role; no user can, since the role trusts only `lambda.amazonaws.com` (and moto's AssumeRole cannot
check such a trust policy). So the running stack answers one call of its own:

    POST /_samlite/functions/{FunctionName or logical id}/role-credentials

signed with SigV4 by a caller allowed `iam:PassRole` on the role (what giving a role to a function
takes on AWS; the administrator of `.samlite/env` is allowed everything), and returns the same
session credentials the function's own workers get: `{"AccessKeyId", "SecretAccessKey",
"SessionToken", "Expiration"}`. With IAM off no signature is checked. `fetch_role_credentials` is the
caller's side.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from samlite.endpoint.aws_errors import REST_JSON
from samlite.endpoint.local_apis import ApiResponse
from samlite.errors import CredentialsError, SamliteError
from samlite.iam.request_auth import check_request
from samlite.model import AwsError, FunctionSpec
from samlite.services.awslambda.registry import FunctionRegistry

ROLE_CREDENTIALS_PATH = re.compile(r"^/_samlite/functions/(?P<name>[^/]+)/role-credentials$")
TIMEOUT_S = 10.0

CredentialsFor = Callable[[FunctionSpec], Mapping[str, str]]


class RoleCredentialsApi:
    """The route above, as a `LocalApi`; `credentials_for` is set by the local cloud once it runs."""

    protocol = REST_JSON

    def __init__(self, registry: FunctionRegistry, iam_account_id: str | None = None) -> None:
        self.registry = registry
        self.credentials_for: CredentialsFor | None = None
        self._iam_account_id = iam_account_id

    def match(self, environ: Mapping[str, Any], body: bytes) -> str | None:
        if environ.get("REQUEST_METHOD") != "POST":
            return None
        found = ROLE_CREDENTIALS_PATH.match(str(environ.get("PATH_INFO", "")))
        return unquote(found["name"]) if found else None

    def handle(self, environ: Mapping[str, Any], body: bytes, name: str) -> ApiResponse | AwsError:
        spec = self.registry.resolve(name) or _by_logical_id(self.registry, name)
        if spec is None:
            return AwsError(404, "ResourceNotFoundException", f"Function not found: {name}")
        if not spec.role_arn:
            return AwsError(404, "ResourceNotFoundException", f"Function {name} has no execution role")
        if self._iam_account_id is not None:
            denied = check_request(self._iam_account_id, environ, body, "iam:PassRole", spec.role_arn)
            if denied is not None:
                code = "AccessDeniedException" if denied.code == "AccessDenied" else denied.code
                return AwsError(denied.status, code, denied.message)
        if self.credentials_for is None:
            return AwsError(503, "ServiceException", "samlite: the local cloud is not running functions")
        try:
            credentials = self.credentials_for(spec)
        except CredentialsError as error:
            return AwsError(500, "ServiceException", str(error))
        document = {
            "FunctionName": spec.function_name,
            "RoleArn": spec.role_arn,
            "AccessKeyId": credentials["AWS_ACCESS_KEY_ID"],
            "SecretAccessKey": credentials["AWS_SECRET_ACCESS_KEY"],
            "SessionToken": credentials.get("AWS_SESSION_TOKEN"),
        }
        return ApiResponse(200, [("Content-Type", "application/json")], json.dumps(document).encode())


def _by_logical_id(registry: FunctionRegistry, logical_id: str) -> FunctionSpec | None:
    return next((spec for spec in registry if spec.logical_id == logical_id), None)


@dataclass(frozen=True)
class RoleCredentials:
    """What the running stack gave: the function's name there, its role, and the session's keys."""

    function_name: str
    role_arn: str
    env: dict[str, str]


class RoleCredentialsError(SamliteError):
    """The running stack did not give the function's role credentials; the message says why."""


def fetch_role_credentials(
    endpoint_url: str, function_id: str, caller: Mapping[str, str], region: str
) -> RoleCredentials:
    """Ask the stack at `endpoint_url` for `function_id`'s role credentials, signing with `caller`'s keys
    (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN); RoleCredentialsError otherwise."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = f"{endpoint_url.rstrip('/')}/_samlite/functions/{quote(function_id, safe='')}/role-credentials"
    request = AWSRequest(method="POST", url=url, data=b"", headers={"Content-Type": "application/json"})
    keys = Credentials(
        caller["AWS_ACCESS_KEY_ID"], caller["AWS_SECRET_ACCESS_KEY"], caller.get("AWS_SESSION_TOKEN")
    )
    SigV4Auth(keys, "lambda", region).add_auth(request)
    prepared = urllib.request.Request(url, data=b"", method="POST", headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(prepared, timeout=TIMEOUT_S) as response:
            document = json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise RoleCredentialsError(f"{error.code} {_error_message(error)}") from error
    except (OSError, ValueError) as error:
        raise RoleCredentialsError(f"no answer from {endpoint_url}: {error}") from error
    env = {"AWS_ACCESS_KEY_ID": document["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": document["SecretAccessKey"]}
    if document.get("SessionToken"):
        env["AWS_SESSION_TOKEN"] = document["SessionToken"]
    return RoleCredentials(document["FunctionName"], document["RoleArn"], env)


def _error_message(error: urllib.error.HTTPError) -> str:
    try:
        document = json.loads(error.read())
    except ValueError:
        return str(error.reason)
    return str(document.get("message") or document.get("Message") or error.reason)
