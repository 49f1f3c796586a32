"""Published versions and aliases of the template's functions: `AWS::Lambda::Version`,
`AWS::Lambda::Alias`, and what SAM's `AutoPublishAlias` generates (one of each per function).

Versions are numbered per function, as Lambda numbers the versions it publishes: 1, 2, ...
CloudFormation publishes a stack's versions in the order it creates them, which a template does not
fix; samlite numbers a function's versions in logical-id order (one version per function, the common
case and all that AutoPublishAlias makes, is "1" either way).

A qualified ARN in the template (an S3 notification's `Function`, an API integration's `uri`, a
permission's `FunctionName`) names a version or an alias; `qualified_target` says which version of
which function it reaches, for the parts that read the template before anything runs (the gateway).
References: "AWS::Lambda::Version" and "AWS::Lambda::Alias" in the CloudFormation template reference;
"AutoPublishAlias" in the AWS::Serverless::Function reference.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from samlite.model import LATEST_VERSION, Resource

VERSION_TYPE = "AWS::Lambda::Version"
ALIAS_TYPE = "AWS::Lambda::Alias"
FUNCTION_TYPE = "AWS::Lambda::Function"
_QUALIFIED = re.compile(
    r"^(?P<function>arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+)(?::(?P<qualifier>[^:]+))?$"
)


def version_numbers(cfn_resources: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """(logical id, version number) of every AWS::Lambda::Version of the translated template."""
    by_function: dict[str, list[str]] = {}
    for logical_id, resource in cfn_resources.items():
        if isinstance(resource, Mapping) and resource.get("Type") == VERSION_TYPE:
            function = (resource.get("Properties") or {}).get("FunctionName")
            by_function.setdefault(json.dumps(function, sort_keys=True, default=str), []).append(logical_id)
    return tuple(
        (logical_id, str(number))
        for ids in by_function.values()
        for number, logical_id in enumerate(sorted(ids), start=1)
    )


@dataclass(frozen=True)
class QualifiedTarget:
    """The function (logical id) and version a qualified ARN of the template reaches."""

    function_id: str
    version: str


def qualified_target(resources: Mapping[str, Resource], arn: str) -> QualifiedTarget | None:
    """What a function, version or alias ARN of this stack reaches, or None when it names none."""
    match = _QUALIFIED.match(arn)
    if match is None:
        return None
    function_arn, qualifier = match["function"], match["qualifier"]
    function_id = next(
        (
            logical_id
            for logical_id, resource in resources.items()
            if resource.type == FUNCTION_TYPE and resource.attributes.get("Arn") == function_arn
        ),
        None,
    )
    if function_id is None:
        return None
    if qualifier in (None, LATEST_VERSION):
        return QualifiedTarget(function_id, LATEST_VERSION)
    for resource in resources.values():
        if resource.type == VERSION_TYPE and resource.ref == arn:
            return QualifiedTarget(function_id, str(resource.attributes["Version"]))
        if resource.type == ALIAS_TYPE and resource.ref == arn:
            return QualifiedTarget(
                function_id, str(resource.properties.get("FunctionVersion", LATEST_VERSION))
            )
    return None


def alias_warnings(resources: Mapping[str, Resource]) -> list[str]:
    """What an alias asks for that samlite does not do: weighted routing between versions."""
    warnings = []
    for logical_id, resource in resources.items():
        if resource.type != ALIAS_TYPE:
            continue
        weights = (resource.properties.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or []
        if weights:
            warnings.append(
                f"Resource '{logical_id}' property 'RoutingConfig': weighted routing is not applied "
                f"locally; every invocation of alias '{resource.properties.get('Name')}' runs version "
                f"{resource.properties.get('FunctionVersion')}"
            )
    return warnings
