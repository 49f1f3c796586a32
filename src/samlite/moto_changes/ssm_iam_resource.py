"""Resource-level IAM for SSM Parameter Store in moto: policies scoped to a parameter's ARN work.

moto checks SSM calls against the resource "*", so a policy allowing `ssm:GetParameter` on
`arn:aws:ssm:REGION:ACCOUNT:parameter/app/db-host`, what SAM's SSMParameterReadPolicy template expands
to, would deny the call. This gives the handler the resource AWS authorizes: the ARN of the parameter
`Name` names (a name, with or without a `:version` or `:label` selector, or an ARN); for a call on
several (`Names`), the first one's, a documented gap as for DynamoDB's batches; `Path` calls the
path's ARN. Reference: "Actions, resources, and condition keys for AWS Systems Manager".
"""

from __future__ import annotations

from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target


def parameter_arn(name: str, region: str, account: str) -> str:
    """The ARN of a parameter named (or ARN'd) `name`, its version or label selector left off."""
    if name.startswith("arn:"):
        return ":".join(name.split(":")[:6])
    return f"arn:aws:ssm:{region}:{account}:parameter/{name.split(':', 1)[0].lstrip('/')}"


def _determine_resource(self: Any) -> str:
    names = self._get_param("Names")
    name = (
        self._get_param("Name")
        or self._get_param("Path")
        or (names[0] if isinstance(names, list) and names else None)
    )
    if not isinstance(name, str) or not name:
        return "*"
    return parameter_arn(name, self.region, self.current_account)


CHANGE = MotoChange(
    name="ssm-iam-resource",
    reason="moto checks every SSM call against resource '*', so parameter-scoped policies deny all",
    patches=(
        Patch(
            Target("moto.ssm.responses:SimpleSystemManagerResponse._determine_resource", None),
            lambda _: _determine_resource,
        ),
    ),
    service="ssm",
)
