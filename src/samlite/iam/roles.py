"""The template's IAM roles and policies, created in moto's IAM backend as CloudFormation would.

Each function's role carries exactly its inline and attached policies, so its credentials
(`function_credentials`) are allowed what it would be allowed on AWS, and nothing more.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from samlite.errors import ProvisionError

if TYPE_CHECKING:
    from moto.iam.models import IAMBackend

AWS_MANAGED_POLICY_PREFIX = ":iam::aws:policy/"


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
    data = _aws_managed_policy(name)
    if data is None:
        raise ProvisionError(f"{logical_id}: unknown AWS managed policy {arn!r}")
    policy = AWSManagedPolicy.from_data(name, iam.account_id, iam.region_name, data)
    iam.managed_policies[policy.arn] = policy
    if policy.arn != arn:
        raise ProvisionError(f"{logical_id}: AWS managed policy {name!r} lives at {policy.arn}, not {arn}")


def _aws_managed_policy(name: str) -> dict[str, Any] | None:
    """One AWS managed policy's data from moto's bundled copy (a copy of its own for the caller), or
    None when there is no such policy."""
    found = _bundled_policy(name)
    return copy.deepcopy(found) if found is not None else None


@lru_cache(maxsize=256)
def _bundled_policy(name: str) -> dict[str, Any] | None:
    """The copy is one JSON document of ~1,600 policies (4.5 MB of text, ~13 MiB once parsed, read from
    moto's file when asked for: `moto_changes.iam_managed_policy_text`); a template names a handful.
    Each is read once, where its top-level key starts (moto writes the document with one-space
    indentation, so a top-level key is the only line `\n "Name":{`); should that layout change, the
    whole document is parsed, not kept, and the answer is the same.
    """
    from moto.iam.aws_managed_policies import aws_managed_policies_data as document

    start = document.find(f'\n "{name}":{{')
    if start >= 0:
        try:
            value, _ = _DECODER.raw_decode(document, start + len(name) + 5)
        except ValueError:
            value = None
        if isinstance(value, dict):
            return value
    found = json.loads(document).get(name)
    return found if isinstance(found, dict) else None


_DECODER = json.JSONDecoder()


def role_name_from_arn(role_arn: str) -> str:
    """`arn:aws:iam::123456789012:role/path/Name` -> `Name` (role names are unique without the path)."""
    return role_arn.rsplit("/", 1)[-1]
