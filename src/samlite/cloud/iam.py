"""IAM in the embedded AWS: the administrator, the template's roles, and each function's credentials.

moto enforces IAM over HTTP once `settings.INITIAL_NO_AUTH_ACTION_COUNT` is reached (the endpoint sets
it to 0): every request's SigV4 signature is checked against a known access key and the caller's
policies are evaluated, resource ARNs included. So the user's tools get the access key of an IAM user
allowed everything, and each function gets AssumeRole credentials of its own role, which carry
exactly that role's inline and attached policies, so a missing permission fails with AccessDenied as
on AWS.

Roles are assumed in-process through moto's STS backend rather than over HTTP: moto's trust-policy
check crashes on `Service` principals (`lambda.amazonaws.com`, which every Lambda role trusts), and
Lambda itself, not the function, is the one that assumes the role on AWS.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from samlite.cloud.credentials import Credentials
from samlite.cloud.errors import CredentialsError, ProvisionError
from samlite.model import FunctionSpec

if TYPE_CHECKING:
    from moto.iam.models import IAMBackend

    from samlite.cloud.endpoint import EmbeddedAws

ADMIN_USER_NAME = "samlite-admin"
ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
# Lambda's execution-role sessions last as long as the execution environment; AssumeRole's default
# session is one hour, renewed here well before it ends so a worker never holds expired credentials.
SESSION_SECONDS = 3600
RENEW_WHEN_LEFT_SECONDS = 600
AWS_MANAGED_POLICY_PREFIX = ":iam::aws:policy/"


def create_admin(iam: IAMBackend, region: str) -> Credentials:
    """Create the administrator user and its access key, allowed everything; reuse them if they exist.

    Several embedded endpoints in one process share moto's global backends (and IAM allows two keys
    per user), so a later start in the same process gets the same key.
    """
    if ADMIN_USER_NAME not in iam.users:
        iam.create_user(region_name=region, user_name=ADMIN_USER_NAME)
        iam.put_user_policy(ADMIN_USER_NAME, "samlite-admin-all", json.dumps(ADMIN_POLICY))
    user = iam.users[ADMIN_USER_NAME]
    key = user.access_keys[0] if user.access_keys else iam.create_access_key(ADMIN_USER_NAME)
    return Credentials(key.access_key_id, key.secret_access_key)


@dataclass(frozen=True)
class RoleDefinition:
    """An IAM role as provisioned: name, path, trust policy, inline policies and managed policy ARNs."""

    logical_id: str
    name: str
    assume_role_policy: Mapping[str, Any]
    inline_policies: Mapping[str, Mapping[str, Any]]
    managed_policy_arns: tuple[str, ...] = ()
    path: str = "/"
    max_session_duration: int | None = None


def create_role(iam: IAMBackend, role: RoleDefinition) -> str:
    """Create `role` with its policies in moto's IAM backend and return its ARN.

    AWS managed policies (`arn:aws:iam::aws:policy/...`) are loaded from moto's bundled copy on demand:
    moto only preloads them when MOTO_IAM_LOAD_MANAGED_POLICIES is set, which costs seconds at start.
    """
    existing = [r for r in iam.get_roles() if r.name == role.name]
    if existing:
        raise ProvisionError(
            f"{role.logical_id}: IAM role name {role.name!r} is already used by another resource"
        )
    try:
        created = iam.create_role(
            role_name=role.name,
            assume_role_policy_document=json.dumps(role.assume_role_policy),
            path=role.path,
            permissions_boundary=None,
            description="",
            tags=[],
            max_session_duration=str(role.max_session_duration) if role.max_session_duration else None,
        )
        for policy_name, document in role.inline_policies.items():
            iam.put_role_policy(role.name, policy_name, json.dumps(_with_version(document)))
        for arn in role.managed_policy_arns:
            _ensure_managed_policy(iam, arn, role.logical_id)
            iam.attach_role_policy(arn, role.name)
    except ProvisionError:
        raise
    except Exception as error:  # moto raises its own RESTError subclasses with a useful message
        message = getattr(error, "message", None) or str(error)
        raise ProvisionError(f"{role.logical_id}: cannot create IAM role {role.name!r}: {message}") from error
    return str(created.arn)


def _with_version(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """IAM accepts a policy without `Version` and reads it as 2008-10-17 (IAM JSON policy reference,
    "Version"); SAM's inline `Statement` policies have none. moto insists on one, so name the current
    version: the statements are evaluated the same, policy variables aside."""
    return document if "Version" in document else {"Version": "2012-10-17", **document}


def _ensure_managed_policy(iam: IAMBackend, arn: str, logical_id: str) -> None:
    if arn in iam.managed_policies:
        return
    if AWS_MANAGED_POLICY_PREFIX not in arn:
        raise ProvisionError(
            f"{logical_id}: ManagedPolicyArns names {arn!r}, which is neither an AWS managed policy nor "
            "a policy created by this template"
        )
    from moto.iam.models import AWSManagedPolicy

    name = arn.rsplit("/", 1)[-1]
    data = _aws_managed_policies().get(name)
    if data is None:
        raise ProvisionError(f"{logical_id}: unknown AWS managed policy {arn!r}")
    policy = AWSManagedPolicy.from_data(name, iam.account_id, iam.region_name, data)
    iam.managed_policies[policy.arn] = policy
    if policy.arn != arn:
        raise ProvisionError(f"{logical_id}: AWS managed policy {name!r} lives at {policy.arn}, not {arn}")


@lru_cache(maxsize=1)
def _aws_managed_policies() -> dict[str, Any]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    parsed: dict[str, Any] = json.loads(aws_managed_policies_data)
    return parsed


def role_name_from_arn(role_arn: str) -> str:
    """`arn:aws:iam::123456789012:role/path/Name` -> `Name` (role names are unique without the path)."""
    return role_arn.rsplit("/", 1)[-1]


class FunctionCredentials:
    """Credentials of each function's own role, for its workers' environment.

    `credentials_for(spec)` returns the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN
    mapping to put in a worker's environment. Sessions are cached per role and renewed when fewer than
    RENEW_WHEN_LEFT_SECONDS remain, so call it each time a worker starts. With IAM off, every function
    gets the administrator's key (moto then checks nothing anyway), and functions still run unchanged.
    """

    def __init__(self, aws: EmbeddedAws, *, session_seconds: int = SESSION_SECONDS) -> None:
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
