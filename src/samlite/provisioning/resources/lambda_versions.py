"""Published versions and aliases of the template's functions (`AWS::Lambda::Version`,
`AWS::Lambda::Alias`, and the pair SAM's `AutoPublishAlias` generates), registered with the Lambda API.

A version is the function's configuration as provisioned, with its own number (`samlite.template.
versions`) and its own warm workers; an alias names a version. Both come after the functions they name
(rank 8 and 9; functions are 7), aliases after the versions they point at. A version or alias of a
function samlite cannot run is left out with that function's reason.
References: "AWS::Lambda::Version", "AWS::Lambda::Alias" (CloudFormation template reference).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from samlite.errors import ProvisionError
from samlite.model import Resource
from samlite.provisioning.resources.kinds import Provisioning, ResourceKind, UnsupportedResource
from samlite.services.awslambda.registry import Alias, FunctionNotFound, QualifierConflict


def _function_name(context: Provisioning, resource: Resource) -> str | None:
    """The registered function `FunctionName` names; None (left out) when samlite cannot run it."""
    name = resource.properties.get("FunctionName")
    where = f"{resource.logical_id} ({resource.type}) property 'FunctionName'"
    if not isinstance(name, str) or not name:
        raise ProvisionError(f"{where}: must name a function of the template, not {name!r}")
    try:
        return context.functions.find(name).entry.name
    except (FunctionNotFound, QualifierConflict):
        pass
    reasons: Mapping[str, str] = getattr(context.stack, "unsupported_functions", {}) or {}
    for logical_id, reason in reasons.items():
        function = context.stack.resources.get(logical_id)
        if function is not None and name in (function.ref, function.attributes.get("Arn"), logical_id):
            context.result.unsupported.append(UnsupportedResource(resource.logical_id, resource.type, reason))
            return None
    raise ProvisionError(f"{where}: {name!r} is not a function of this template")


def _version(context: Provisioning, resource: Resource) -> None:
    function = _function_name(context, resource)
    if function is None:
        return
    description = resource.properties.get("Description")
    try:
        context.functions.publish_version(
            function, str(resource.attributes["Version"]), None if description is None else str(description)
        )
    except ValueError as error:
        raise ProvisionError(f"{resource.logical_id} ({resource.type}): {error}") from error


def _weights(resource: Resource) -> dict[str, float]:
    routing = resource.properties.get("RoutingConfig") or {}
    weights: dict[str, float] = {}
    for index, item in enumerate(routing.get("AdditionalVersionWeights") or []):
        where = (
            f"{resource.logical_id} (AWS::Lambda::Alias) property "
            f"'RoutingConfig.AdditionalVersionWeights[{index}]'"
        )
        try:
            weight = float(_item(item, "FunctionWeight"))
        except (TypeError, ValueError):
            raise ProvisionError(f"{where}: FunctionWeight must be a number between 0.0 and 1.0") from None
        if not 0.0 <= weight <= 1.0:
            raise ProvisionError(f"{where}: FunctionWeight {weight} is not between 0.0 and 1.0")
        weights[str(_item(item, "FunctionVersion"))] = weight
    return weights


def _item(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, Mapping) else None


def _alias(context: Provisioning, resource: Resource) -> None:
    function = _function_name(context, resource)
    if function is None:
        return
    props = resource.properties
    alias = Alias(
        name=str(props.get("Name") or ""),
        function_version=str(props.get("FunctionVersion") or ""),
        description=str(props.get("Description") or ""),
        additional_weights=_weights(resource),
    )
    try:
        context.functions.add_alias(function, alias)
    except ValueError as error:
        raise ProvisionError(f"{resource.logical_id} (AWS::Lambda::Alias): {error}") from error


KINDS = (
    ResourceKind("AWS::Lambda::Version", _version, rank=8),
    ResourceKind("AWS::Lambda::Alias", _alias, rank=9),
)
