"""Cognito user pools of the template (`AWS::Cognito::UserPool`, `UserPoolClient`, `UserPoolGroup`),
created in moto's cognito-idp backend under the ids the template model computed.

A user signed up and authenticated through `cognito-idp` (SignUp, AdminConfirmSignUp, InitiateAuth)
then gets tokens issued by `https://cognito-idp.{region}.amazonaws.com/{pool id}`, which the local
API gateway's Cognito and JWT authorizers accept, as on AWS. moto names pools and clients with
random ids; the pool and client are re-keyed to the ids `Ref` gave the rest of the template (the
functions' environment, the outputs, the authorizers' issuer URL).
"""

from __future__ import annotations

from typing import Any

from samlite.model import AwsApi, Resource
from samlite.provisioning.resources.kinds import Provisioning, ResourceKind, fail

_POOL = "AWS::Cognito::UserPool"
_CLIENT = "AWS::Cognito::UserPoolClient"
_GROUP = "AWS::Cognito::UserPoolGroup"
# CloudFormation properties that are not CreateUserPool parameters (or not ones moto reads).
_POOL_SKIPPED = {"UserPoolName", "UserPoolTags", "DeletionProtection"}


def _backend(aws: AwsApi) -> Any:
    return aws.backend("cognito-idp")


def _pool(context: Provisioning, resource: Resource) -> None:
    props = dict(resource.properties)
    pool_id = resource.ref
    name = str(props.get("UserPoolName") or resource.logical_id)
    config = {key: value for key, value in props.items() if key not in _POOL_SKIPPED}
    if "UserPoolTags" in props:
        config["UserPoolTags"] = props["UserPoolTags"]
    backend = _backend(context.aws)
    try:
        pool = backend.create_user_pool(name, config)
    except Exception as error:
        raise fail(resource, f"cannot create user pool {name!r}", error) from error
    backend.user_pools.pop(pool.id, None)
    pool.id = pool_id
    pool.arn = str(resource.attributes.get("Arn") or pool.arn)
    backend.user_pools[pool_id] = pool


def _client(context: Provisioning, resource: Resource) -> None:
    props = dict(resource.properties)
    pool_id = str(props.get("UserPoolId", ""))
    backend = _backend(context.aws)
    pool = backend.user_pools.get(pool_id)
    if pool is None:
        raise fail(
            resource, "property 'UserPoolId'", LookupError(f"no user pool {pool_id!r} in this template")
        )
    generate_secret = str(props.pop("GenerateSecret", "false")).lower() == "true"
    props.pop("UserPoolId", None)
    props.setdefault("ClientName", resource.logical_id)
    if "ReadAttributes" not in props:
        # A client without ReadAttributes reads every attribute on AWS (its ID tokens carry email,
        # custom:..., ...); moto puts only listed ReadAttributes into ID tokens, so list them all.
        props["ReadAttributes"] = sorted(pool.schema_attributes)
    try:
        client = backend.create_user_pool_client(pool_id, generate_secret, props)
    except Exception as error:
        raise fail(resource, "cannot create the user pool client", error) from error
    pool.clients.pop(client.id, None)
    client.id = resource.ref
    if generate_secret and resource.attributes.get("ClientSecret"):
        client.secret = str(resource.attributes["ClientSecret"])
    pool.clients[client.id] = client


def _group(context: Provisioning, resource: Resource) -> None:
    props = resource.properties
    pool_id = str(props.get("UserPoolId", ""))
    try:
        _backend(context.aws).create_group(
            pool_id,
            resource.ref,
            props.get("Description"),
            props.get("RoleArn"),
            props.get("Precedence"),
        )
    except Exception as error:
        raise fail(
            resource, f"cannot create group {resource.ref!r} in user pool {pool_id!r}", error
        ) from error


def _empty_pool(aws: AwsApi, resource: Resource) -> None:
    """Test isolation: the pool keeps its clients and groups, loses its users and their tokens."""
    pool = _backend(aws).user_pools.get(resource.ref)
    if pool is None:
        return
    pool.users.clear()
    pool.refresh_tokens.clear()
    pool.access_tokens.clear()
    pool.id_tokens.clear()
    for group in pool.groups.values():
        group.users.clear()


def _remove_pool(aws: AwsApi, resource: Resource) -> None:
    _backend(aws).user_pools.pop(resource.ref, None)


KINDS = (
    ResourceKind(_POOL, _pool, rank=5, empty=_empty_pool, remove=_remove_pool),
    ResourceKind(_CLIENT, _client, rank=6),
    ResourceKind(_GROUP, _group, rank=6),
)
