"""A state machine's Amazon States Language definition, from its CloudFormation properties.

`AWS::StepFunctions::StateMachine` takes the definition as `Definition` (an object in the template),
`DefinitionString` (JSON text; SAM's `Definition` and `DefinitionUri` become this, with intrinsic
functions moved into substitutions) or `DefinitionS3Location` (an object in S3, which samlite cannot
read: `DefinitionInS3`). `DefinitionSubstitutions` replaces each `${key}` of the definition with its
value, as CloudFormation does before creating the state machine (CloudFormation template reference,
AWS::StepFunctions::StateMachine, "DefinitionSubstitutions"); a placeholder without a substitution is
left as written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from samlite.errors import ProvisionError
from samlite.model import Resource

_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")


class DefinitionInS3(Exception):
    """The definition is an S3 object (`DefinitionS3Location`): not readable locally."""


JSONATA_REASON = (
    "QueryLanguage JSONata: moto's interpreter evaluates JSONata with a Java runtime it does not ship "
    "(JSONPath states run)"
)


def uses_jsonata(definition: str) -> bool:
    """Whether the state machine, or any of its states, is written in JSONata (`QueryLanguage`)."""

    def found(value: Any) -> bool:
        if isinstance(value, Mapping):
            return value.get("QueryLanguage") == "JSONata" or any(found(item) for item in value.values())
        if isinstance(value, list):
            return any(found(item) for item in value)
        return False

    return found(json.loads(definition))


def definition_of(resource: Resource, props: Mapping[str, Any]) -> str:
    """The definition to create the state machine with, substitutions applied, as JSON text;
    `props` holds the resource's Definition* properties."""
    where = f"{resource.logical_id} ({resource.type})"
    if "Definition" in props:
        if not isinstance(props["Definition"], Mapping):
            raise ProvisionError(f"{where}: property 'Definition' must be an object")
        text = json.dumps(props["Definition"])
    elif "DefinitionString" in props:
        if not isinstance(props["DefinitionString"], str):
            raise ProvisionError(f"{where}: property 'DefinitionString' must be a string")
        text = props["DefinitionString"]
    elif "DefinitionS3Location" in props:
        raise DefinitionInS3(
            "definition in S3 (DefinitionS3Location / DefinitionUri s3://): samlite reads "
            "Definition, DefinitionString or a local DefinitionUri file"
        )
    else:
        raise ProvisionError(
            f"{where}: one of Definition, DefinitionString or DefinitionS3Location is required"
        )
    text = substitute(text, props.get("DefinitionSubstitutions") or {}, where)
    try:
        json.loads(text)
    except ValueError as error:
        raise ProvisionError(
            f"{where}: the definition is not valid JSON after substitutions: {error}"
        ) from error
    return text


def substitute(text: str, substitutions: Any, where: str) -> str:
    if not isinstance(substitutions, Mapping):
        raise ProvisionError(f"{where}: property 'DefinitionSubstitutions' must be a map")
    values: dict[str, str] = {}
    for key, value in substitutions.items():
        if isinstance(value, Mapping | list):
            raise ProvisionError(
                f"{where}: DefinitionSubstitutions.{key} must be a string, number or boolean, not {value!r}"
            )
        values[str(key)] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return _PLACEHOLDER.sub(lambda found: values.get(found[1], found[0]), text)
