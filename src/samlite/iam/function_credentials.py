"""Each function's credentials: an AssumeRole session of its own role, renewed before it expires.

Roles are assumed in-process through moto's STS backend rather than over HTTP: on AWS, Lambda itself
(the `lambda.amazonaws.com` service principal every execution role trusts) assumes the role, and STS
refuses that role to an IAM user such as samlite's administrator (`samlite.moto_changes.sts_trust_policy`).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC

from samlite.errors import CredentialsError
from samlite.model import AwsApi, Credentials, FunctionSpec

# Lambda's execution-role sessions last as long as the execution environment; AssumeRole's default
# session is one hour, renewed here well before it ends so a worker never holds expired credentials.
SESSION_SECONDS = 3600
RENEW_WHEN_LEFT_SECONDS = 600


class FunctionCredentials:
    """Credentials of each function's own role, for its workers' environment.

    `credentials_for(spec)` returns the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN
    mapping to put in a worker's environment. Sessions are cached per role and renewed when fewer than
    RENEW_WHEN_LEFT_SECONDS remain, so call it each time a worker starts. With IAM off, every function
    gets the administrator's key (moto then checks nothing anyway), and functions still run unchanged.
    """

    def __init__(self, aws: AwsApi, *, session_seconds: int = SESSION_SECONDS) -> None:
        self._aws = aws
        self._session_seconds = session_seconds
        self._sessions: dict[str, Credentials] = {}
        self._lock = threading.Lock()

    def credentials_for(self, spec: FunctionSpec) -> dict[str, str]:
        if not self._aws.iam_enabled:
            return self._aws.admin_credentials.as_env()
        if not spec.role_arn:
            raise CredentialsError(f"{spec.logical_id}: the function has no execution role (Role)")
        with self._lock:
            current = self._sessions.get(spec.role_arn)
            if current is None or _expires_soon(current):
                current = self._assume(spec)
                self._sessions[spec.role_arn] = current
        return current.as_env()

    def _assume(self, spec: FunctionSpec) -> Credentials:
        assert spec.role_arn is not None
        iam = self._aws.backend("iam")
        try:
            iam.get_role_by_arn(spec.role_arn)
        except Exception as error:
            raise CredentialsError(
                f"{spec.logical_id}: execution role {spec.role_arn} does not exist in the embedded AWS"
            ) from error
        sts = self._aws.backend("sts")
        # Lambda names the session after the function (the log shows assumed-role/<Role>/<Function>).
        assumed = sts.assume_role(
            region_name=self._aws.region,
            role_session_name=spec.function_name[:64],
            role_arn=spec.role_arn,
            policy="",
            duration=self._session_seconds,
            external_id="",
        )
        return Credentials(
            assumed.access_key_id, assumed.secret_access_key, assumed.session_token, assumed.expiration
        )


def _expires_soon(credentials: Credentials) -> bool:
    if credentials.expiration is None:
        return False
    expiration = credentials.expiration
    if expiration.tzinfo is None:
        expiration = expiration.replace(tzinfo=UTC)
    return expiration.timestamp() - time.time() < RENEW_WHEN_LEFT_SECONDS
