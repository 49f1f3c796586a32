"""Resource-level IAM for Secrets Manager in moto: policies scoped to a secret's ARN work as on AWS.

moto checks Secrets Manager calls against the resource "*" (its response class has no
`_determine_resource`), so a policy allowing `secretsmanager:GetSecretValue` on one secret's ARN,
exactly what SAM's AWSSecretsManagerGetSecretValuePolicy template expands to, would deny the call.
This gives the handler the resource AWS authorizes: the full ARN of the secret `SecretId` names (a
name, partial ARN or ARN), or the ARN without its random suffix for a secret that does not exist
(yet: CreateSecret's `Name`); calls naming no secret (ListSecrets, GetRandomPassword) stay "*".
Reference: "Actions, resources, and condition keys for AWS Secrets Manager".
"""

from __future__ import annotations

from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target


def _determine_resource(self: Any) -> str:
    secret_id = self._get_param("SecretId") or self._get_param("Name")
    if not isinstance(secret_id, str) or not secret_id:
        return "*"
    secret = self.backend.secrets.get(secret_id)
    if secret is not None:
        return str(secret.arn)
    if secret_id.startswith("arn:"):
        return secret_id
    return f"arn:aws:secretsmanager:{self.region}:{self.current_account}:secret:{secret_id}"


CHANGE = MotoChange(
    name="secretsmanager-iam-resource",
    reason="moto checks every Secrets Manager call against resource '*', so secret-scoped policies deny all",
    # moto's SecretsManagerResponse defines no `_determine_resource` (BaseResponse then checks "*").
    patches=(
        Patch(
            Target("moto.secretsmanager.responses:SecretsManagerResponse._determine_resource", None),
            lambda _: _determine_resource,
        ),
    ),
    service="secretsmanager",
)
