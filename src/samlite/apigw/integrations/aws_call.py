"""The call an AWS service integration makes: a SigV4-signed HTTP request to the embedded AWS.

API Gateway calls the service's endpoint with the integration's role ("Credentials"), so on this
machine the request goes to the embedded AWS's one endpoint, signed with a session of that role
(`samlite.iam.role_sessions`), and moto's IAM enforcement decides as AWS would: a role without
`sqs:SendMessage` gets AccessDenied from SQS, which the integration response then maps.
The service is told apart by the signature's credential scope, as moto dispatches by it.
"""

from __future__ import annotations

import http.client
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from samlite.errors import CredentialsError
from samlite.iam.role_sessions import RoleSessions
from samlite.model import AwsApi

APIGATEWAY_PRINCIPAL = "apigateway.amazonaws.com"
CALL_TIMEOUT_S = 30.0


class ServiceCallFailed(Exception):
    """The embedded AWS could not be reached or the role not assumed (the message says which)."""


@dataclass(frozen=True)
class ServiceRequest:
    signing_name: str  # sqs, sns, dynamodb, states, s3, events, kinesis, ...
    method: str
    path: str  # percent-encoded, from the endpoint's root
    query: tuple[tuple[str, str], ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class ServiceResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)


class AwsCaller:
    """Sends service requests to `aws` under a role's session (`role_arn`)."""

    def __init__(self, aws: AwsApi) -> None:
        self.aws = aws
        self.sessions = RoleSessions(aws)

    @property
    def region(self) -> str:
        return self.aws.region

    @property
    def account_id(self) -> str:
        return self.aws.account_id

    def call(self, request: ServiceRequest, role_arn: str | None, session_name: str) -> ServiceResponse:
        try:
            credentials = self.sessions.credentials(role_arn, APIGATEWAY_PRINCIPAL, session_name)
        except CredentialsError as exc:
            raise ServiceCallFailed(str(exc)) from exc
        url = self.aws.url.rstrip("/") + request.path
        if request.query:
            url += "?" + urlencode(list(request.query))
        headers = {name: value for name, value in request.headers.items() if name.lower() != "host"}
        aws_request = AWSRequest(method=request.method, url=url, data=request.body, headers=headers)
        SigV4Auth(
            BotoCredentials(
                credentials.access_key_id, credentials.secret_access_key, credentials.session_token
            ),
            request.signing_name,
            self.aws.region,
        ).add_auth(aws_request)
        return _send(aws_request)


def _send(request: AWSRequest) -> ServiceResponse:
    target = urlsplit(request.url)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=CALL_TIMEOUT_S)
    path = target.path + (f"?{target.query}" if target.query else "")
    try:
        connection.request(
            request.method, path, body=request.body or None, headers=dict(request.headers.items())
        )
        reply = connection.getresponse()
        body = reply.read()
        return ServiceResponse(reply.status, tuple(reply.getheaders()), body)
    except OSError as exc:
        raise ServiceCallFailed(f"the embedded AWS at {target.netloc} did not answer: {exc}") from exc
    finally:
        connection.close()
