"""Secrets of the template (`AWS::SecretsManager::Secret`), with the ARN the template model gave them.

A secret's ARN ends in six random characters that Secrets Manager picks when it creates the secret;
the template model computes them (stably) before anything exists, because Ref returns the ARN and
policies, environments and outputs name it. So the secret is created with that suffix, through moto's
support for chosen ids (`moto_id_manager`), and its first version gets an id derived from the ARN.
The value is the one the template model settled (`SecretString`, or the generated password:
`samlite.template.secret_values`). Emptying (a test's reset) puts the secret back as provisioned:
later versions, rotations and a scheduled deletion are undone.
"""

from __future__ import annotations

from typing import Any

from samlite.model import AwsApi, Resource
from samlite.provisioning.resources.kinds import Provisioning, ResourceKind, fail, tag_list
from samlite.template.naming import stable_uuid


def secret_name_and_suffix(arn: str) -> tuple[str, str]:
    """`prod/db` and `AbCdEf` of `arn:...:secret:prod/db-AbCdEf`."""
    name, _, suffix = arn.split(":secret:", 1)[1].rpartition("-")
    return name, suffix


def _create(aws: AwsApi, resource: Resource) -> None:
    from moto.secretsmanager.utils import SecretsManagerSecretIdentifier
    from moto.utilities.id_generator import moto_id_manager

    props = resource.properties
    name, suffix = secret_name_and_suffix(resource.ref)
    identifier = SecretsManagerSecretIdentifier(aws.account_id, aws.region, name)
    moto_id_manager.set_custom_id(identifier, suffix)
    try:
        aws.backend("secretsmanager").create_secret(
            name=name,
            secret_string=props.get("SecretString"),
            secret_binary=None,
            description=props.get("Description"),
            tags=tag_list(props.get("Tags")) or None,
            kms_key_id=props.get("KmsKeyId"),
            client_request_token=stable_uuid(resource.ref, "version") if "SecretString" in props else None,
            replica_regions=[],  # one region locally: ReplicaRegions are not made
            force_overwrite=False,
        )
    finally:
        moto_id_manager.unset_custom_id(identifier)


def _secret(context: Provisioning, resource: Resource) -> None:
    try:
        _create(context.aws, resource)
    except Exception as error:
        raise fail(resource, f"cannot create secret {resource.ref!r}", error) from error


def _empty(aws: AwsApi, resource: Resource) -> None:
    secrets: Any = aws.backend("secretsmanager").secrets
    secrets.pop(resource.ref)
    _create(aws, resource)


def _remove(aws: AwsApi, resource: Resource) -> None:
    aws.backend("secretsmanager").secrets.pop(resource.ref)


KINDS = (ResourceKind("AWS::SecretsManager::Secret", _secret, rank=2, empty=_empty, remove=_remove),)
