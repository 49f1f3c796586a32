"""KMS keys and aliases of the template (`AWS::KMS::Key`, `AWS::KMS::Alias`).

A key's id is Ref's value, so the template model computes it before the key exists (stable across
runs, UUID-shaped, `mrk-` for multi-Region keys) and the key moto creates takes that id. What the
template sets is applied: description, usage, spec, origin, policy, enabled, automatic rotation, tags.
Keys come before what names them (secrets, queues, tables); aliases right after their keys.
"""

from __future__ import annotations

import json
from typing import Any

from samlite.errors import ProvisionError
from samlite.model import AwsApi, Resource
from samlite.provisioning.resources.kinds import Provisioning, ResourceKind, fail, text


def _key(context: Provisioning, resource: Resource) -> None:
    props = resource.properties
    kms = context.aws.backend("kms")
    policy = props.get("KeyPolicy")
    try:
        key = kms.create_key(
            policy=policy if policy is None or isinstance(policy, str) else json.dumps(policy),
            key_usage=str(props.get("KeyUsage") or "ENCRYPT_DECRYPT"),
            key_spec=str(props.get("KeySpec") or "SYMMETRIC_DEFAULT"),
            description=str(props.get("Description") or ""),
            tags=None,
            multi_region=text(props.get("MultiRegion", False)) == "true",
            origin=str(props.get("Origin") or "AWS_KMS"),
        )
        _take_id(kms, key, resource.ref, str(resource.attributes["Arn"]))
        tags = [{"TagKey": str(t["Key"]), "TagValue": str(t["Value"])} for t in props.get("Tags") or []]
        if tags:
            kms.tagger.tag_resource(key.id, tags)
        if text(props.get("Enabled", True)) == "false":
            kms.disable_key(key.id)
        if text(props.get("EnableKeyRotation", False)) == "true":
            kms.enable_key_rotation(key.id)
    except Exception as error:
        raise fail(resource, "cannot create the KMS key", error) from error


def _take_id(kms: Any, key: Any, key_id: str, arn: str) -> None:
    """Give the key moto just made the id the template model computed."""
    kms.keys.pop(key.id)
    key.id, key.arn = key_id, arn
    if key.multi_region:
        key.multi_region_configuration["PrimaryKey"]["Arn"] = arn
    kms.keys[key_id] = key


def _alias(context: Provisioning, resource: Resource) -> None:
    name = resource.ref
    if not name.startswith("alias/") or name.startswith("alias/aws/"):
        raise ProvisionError(
            f"{resource.logical_id} (AWS::KMS::Alias) property 'AliasName': {name!r} must begin with "
            "'alias/' and not with 'alias/aws/' (reserved for AWS managed keys)"
        )
    target = resource.properties.get("TargetKeyId")
    try:
        context.aws.backend("kms").create_alias(str(target), name)
    except Exception as error:
        raise fail(resource, f"cannot create alias {name!r} of key {target!r}", error) from error


def _remove_key(aws: AwsApi, resource: Resource) -> None:
    aws.backend("kms").delete_key(resource.ref)


def _remove_alias(aws: AwsApi, resource: Resource) -> None:
    kms = aws.backend("kms")
    if kms.alias_exists(resource.ref):
        kms.delete_alias(resource.ref)


KINDS = (
    ResourceKind("AWS::KMS::Key", _key, rank=1, remove=_remove_key),
    ResourceKind("AWS::KMS::Alias", _alias, rank=2, remove=_remove_alias),
)
