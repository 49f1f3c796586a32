"""Sessions of roles that an AWS service assumes on the user's behalf (API Gateway's integration
`Credentials`), renewed before they expire.

As for function roles (`function_credentials`), the role is assumed in-process through moto's STS
backend: the service, not a caller, assumes it. The role must exist and its trust policy must let
the service principal (`apigateway.amazonaws.com`) assume it, as on AWS, where an integration whose
role does not trust API Gateway fails with "API Gateway does not have permission to assume the
provided role". With IAM off, the administrator's key stands in (moto checks nothing then).
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC
from typing import Any

from samlite.errors import CredentialsError
from samlite.model import AwsApi, Credentials

SESSION_SECONDS = 3600
RENEW_WHEN_LEFT_SECONDS = 600


class RoleSessions:
    """`credentials(role_arn, principal, session_name)`: a session of the role, cached per role."""

    def __init__(self, aws: AwsApi) -> None:
        self._aws = aws
        self._sessions: dict[str, Credentials] = {}
        self._lock = threading.Lock()

    def credentials(self, role_arn: str | None, principal: str, session_name: str) -> Credentials:
        if not self._aws.iam_enabled:
            return self._aws.admin_credentials
        if not role_arn:
            raise CredentialsError(f"no role is given for {principal} to assume (Credentials)")
        with self._lock:
            current = self._sessions.get(role_arn)
            if current is None or _expires_soon(current):
                current = self._assume(role_arn, principal, session_name)
                self._sessions[role_arn] = current
        return current

    def _assume(self, role_arn: str, principal: str, session_name: str) -> Credentials:
        iam = self._aws.backend("iam")
        try:
            role = iam.get_role_by_arn(role_arn)
        except Exception as error:
            raise CredentialsError(f"the role {role_arn} does not exist in the embedded AWS") from error
        if not _trusts(role.assume_role_policy_document, principal):
            raise CredentialsError(
                f"{principal} does not have permission to assume the role {role_arn}: its trust policy "
                f"(AssumeRolePolicyDocument) does not allow the service principal {principal}"
            )
        assumed = self._aws.backend("sts").assume_role(
            region_name=self._aws.region,
            role_session_name=session_name[:64],
            role_arn=role_arn,
            policy="",
            duration=SESSION_SECONDS,
            external_id="",
        )
        return Credentials(
            assumed.access_key_id, assumed.secret_access_key, assumed.session_token, assumed.expiration
        )


def _trusts(document: Any, principal: str) -> bool:
    try:
        policy = json.loads(document) if isinstance(document, str) else document
    except ValueError:
        return False
    statements = policy.get("Statement", []) if isinstance(policy, dict) else []
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if not any(action in ("sts:AssumeRole", "sts:*", "*") for action in actions):
            continue
        who = statement.get("Principal", {})
        if who == "*":
            return True
        services = who.get("Service", []) if isinstance(who, dict) else []
        services = [services] if isinstance(services, str) else services
        if principal in services:
            return True
    return False


def _expires_soon(credentials: Credentials) -> bool:
    if credentials.expiration is None:
        return False
    expiration = credentials.expiration
    if expiration.tzinfo is None:
        expiration = expiration.replace(tzinfo=UTC)
    return expiration.timestamp() - time.time() < RENEW_WHEN_LEFT_SECONDS
