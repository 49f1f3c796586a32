"""SSM Parameter Store's part of the snapshot: every parameter with its history of versions.

Per version: name, type, value (a SecureString as moto keeps it, encrypted), description, allowed
pattern, KMS key, data type, tier, policies, labels and last modified date; so GetParameterHistory,
labels and `{{resolve:ssm:name:version}}` references see after a restart what they saw before.
AWS's public parameters (`/aws/service/...`, loaded by moto on demand) are not kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from samlite.model import AwsApi, Resource
from samlite.persistence.codec import time_of, time_text
from samlite.persistence.section import CaptureContext, RestoreContext, SavedResource

PARAMETER = "AWS::SSM::Parameter"
_FIELDS = (
    "parameter_type",
    "description",
    "allowed_pattern",
    "keyid",
    "version",
    "data_type",
    "tier",
    "policies",
)


class SsmSection:
    name = "ssm"
    types = (PARAMETER,)

    def template_name(self, resource: Resource) -> str | None:
        return resource.ref if resource.type == PARAMETER else None

    def capture(self, context: CaptureContext) -> dict[str, Any]:
        store = context.aws.backend("ssm")._parameters
        parameters = []
        for name, versions in sorted(dict(store).items()):
            if name.startswith("/aws/"):
                continue
            parameters.append(
                {
                    "name": name,
                    "logical_id": context.logical_id(PARAMETER, name),
                    "versions": [_version(v) for v in list(versions)],
                }
            )
        return {"parameters": parameters}

    def saved(self, content: Mapping[str, Any]) -> list[SavedResource]:
        return [
            SavedResource(PARAMETER, p["name"], p.get("logical_id")) for p in content.get("parameters", [])
        ]

    def refusal(self, content: Mapping[str, Any], saved: SavedResource, template: Resource) -> str | None:
        return None

    def discard(self, aws: AwsApi, saved: SavedResource) -> None:
        aws.backend("ssm")._parameters.pop(saved.name, None)

    def restore(self, context: RestoreContext, content: Mapping[str, Any]) -> None:
        from moto.ssm.models import Parameter

        ssm = context.aws.backend("ssm")
        count = 0
        for saved in content.get("parameters", []):
            if context.decide(PARAMETER, saved["name"]) == "drop" or not saved.get("versions"):
                continue
            versions = []
            for entry in saved["versions"]:
                parameter = Parameter(
                    account_id=ssm.account_id,
                    name=saved["name"],
                    value="",
                    parameter_type="String",  # the saved value is put as moto kept it (encrypted if secure)
                    description=None,
                    allowed_pattern=None,
                    keyid=None,
                    last_modified_date=_moment(entry["last_modified"]),
                    version=1,
                    data_type="text",
                )
                for field_name in _FIELDS:
                    setattr(parameter, field_name, entry.get(field_name))
                parameter.value = entry["value"]
                parameter.labels = list(entry.get("labels") or [])
                versions.append(parameter)
            ssm._parameters[saved["name"]] = versions  # the history as it was, template version included
            count += 1
        if count:
            context.summary.append(f"{count} parameter{'s' * (count != 1)}")


def _version(parameter: Any) -> dict[str, Any]:
    entry = {field_name: getattr(parameter, field_name, None) for field_name in _FIELDS}
    entry["value"] = parameter.value
    entry["labels"] = list(parameter.labels or [])
    moment = parameter.last_modified_date
    entry["last_modified"] = time_text(moment) if hasattr(moment, "isoformat") else moment
    return entry


def _moment(saved: Any) -> Any:
    """moto keeps a naive UTC datetime (its utcnow); a number is kept as it was."""
    return time_of(saved, naive=True) if isinstance(saved, str) else saved
