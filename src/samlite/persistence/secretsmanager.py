"""Secrets Manager's part of the snapshot: every secret, with every version of its value.

Per secret: name, ARN (its random suffix included: functions and `{{resolve:secretsmanager:...}}`
references name it), description, KMS key, tags, resource policy, rotation settings, dates, deletion
date (a secret scheduled for deletion stays scheduled) and its versions (id, stages, string or binary
value, creation date), so GetSecretValue by stage or version id answers after a restart as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from samlite.model import AwsApi, Resource
from samlite.persistence.codec import plain
from samlite.persistence.section import CaptureContext, RestoreContext, SavedResource

SECRET = "AWS::SecretsManager::Secret"
_FIELDS = (
    "description",
    "kms_key_id",
    "tags",
    "policy",
    "rotation_requested",
    "rotation_enabled",
    "rotation_lambda_arn",
    "auto_rotate_after_days",
    "deleted_date",
    "last_changed_date",
    "created_date",
    "next_rotation_date",
    "last_rotation_date",
    "secret_string",
    "secret_binary",
    "version_stages",
)


class SecretsManagerSection:
    name = "secretsmanager"
    types = (SECRET,)

    def template_name(self, resource: Resource) -> str | None:
        if resource.type != SECRET or ":secret:" not in resource.ref:
            return None
        return resource.ref.split(":secret:", 1)[1].rpartition("-")[0]

    def capture(self, context: CaptureContext) -> dict[str, Any]:
        store = context.aws.backend("secretsmanager").secrets
        secrets = []
        for name, secret in sorted(dict.items(store)):
            if not hasattr(secret, "versions"):
                continue  # a replica of another region's secret
            secrets.append(
                {
                    "name": name,
                    "logical_id": context.logical_id(SECRET, name),
                    "arn": secret.arn,
                    "fields": {f: plain(getattr(secret, f, None)) for f in _FIELDS},
                    "default_version_id": secret.default_version_id,
                    "versions": plain(dict(secret.versions)),
                }
            )
        return {"secrets": secrets}

    def saved(self, content: Mapping[str, Any]) -> list[SavedResource]:
        return [SavedResource(SECRET, s["name"], s.get("logical_id")) for s in content.get("secrets", [])]

    def refusal(self, content: Mapping[str, Any], saved: SavedResource, template: Resource) -> str | None:
        return None

    def discard(self, aws: AwsApi, saved: SavedResource) -> None:
        aws.backend("secretsmanager").secrets.pop(saved.name)

    def restore(self, context: RestoreContext, content: Mapping[str, Any]) -> None:
        backend = context.aws.backend("secretsmanager")
        count = 0
        for saved in content.get("secrets", []):
            decision = context.decide(SECRET, saved["name"])
            if decision == "drop":
                continue
            if saved["name"] not in backend.secrets:
                backend.create_secret(
                    name=saved["name"],
                    secret_string=None,
                    secret_binary=None,
                    description=None,
                    tags=None,
                    kms_key_id=None,
                    client_request_token=None,
                    replica_regions=[],
                    force_overwrite=False,
                )
            secret = dict.__getitem__(backend.secrets, saved["name"])
            secret.arn = saved["arn"]
            for field_name, value in saved["fields"].items():
                setattr(secret, field_name, value)
            secret.versions = {version_id: dict(version) for version_id, version in saved["versions"].items()}
            secret.default_version_id = saved.get("default_version_id")
            count += 1
        if count:
            context.summary.append(f"{count} secret{'s' * (count != 1)}")
