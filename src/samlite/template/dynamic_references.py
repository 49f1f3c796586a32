"""Dynamic references (`{{resolve:ssm:...}}`, `{{resolve:secretsmanager:...}}`) resolved as
CloudFormation resolves them, against the parameters and secrets the template itself creates.

CloudFormation resolves them in resource properties after the SAM transform (SAM passes them through
as literal strings), wherever they sit in a string; Outputs keep them literal (CloudFormation does not
resolve secrets there: aws-cloudformation/cloudformation-coverage-roadmap#689). samlite's embedded AWS
starts empty, so what a reference can name is what the template creates: an `AWS::SSM::Parameter`
(by its Name, version 1) or an `AWS::SecretsManager::Secret` (by name, ARN or partial ARN; its
`SecretString` or generated value, the stage AWSCURRENT). Anything else is an error that names the
resource, the property and the reference, so a template never starts with a literal `{{resolve:...}}`
where a value belongs. A function's environment is resolved after `--env-vars` applied, so a variable
set there needs no parameter. Syntax, from "Get values stored in other services using dynamic
references" (CloudFormation user guide):

- `{{resolve:ssm:parameter-name}}`, `{{resolve:ssm:parameter-name:version}}`;
- `{{resolve:ssm-secure:parameter-name[:version]}}` (SecureString parameters, which CloudFormation
  cannot create: always outside the template);
- `{{resolve:secretsmanager:secret-id:SecretString:json-key:version-stage:version-id}}`, every
  segment after the secret id optional.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from samlite.model import FunctionSpec, Resource
from samlite.template.locations import Location
from samlite.template.secret_values import initial_secret_string

_REFERENCE = re.compile(r"\{\{resolve:(?P<service>[^:}]*):(?P<key>[^}]*)\}\}")
SECRET_TYPE = "AWS::SecretsManager::Secret"
PARAMETER_TYPE = "AWS::SSM::Parameter"
_SERVICES = ("ssm", "ssm-secure", "secretsmanager")
_FUNCTION_TYPE = "AWS::Lambda::Function"


class DynamicReferences:
    """Resolves the dynamic references of one stack's resources (see the module docstring)."""

    def __init__(self, resources: Mapping[str, Resource]) -> None:
        self._resources = resources
        self._parameters = {
            str(r.ref): logical_id for logical_id, r in resources.items() if r.type == PARAMETER_TYPE
        }
        self._secrets: dict[str, str] = {}
        for logical_id, resource in resources.items():
            if resource.type == SECRET_TYPE:
                arn = str(resource.ref)
                name = arn.split(":secret:", 1)[1].rsplit("-", 1)[0]
                partial = arn.rsplit("-", 1)[0]
                for key in (arn, name, partial):
                    self._secrets[key] = logical_id
        self._values: dict[str, str | None] = {}
        self._resolving: set[str] = set()

    # -- what the template model calls -------------------------------------------------------------

    def resolve_resources(self) -> dict[str, Resource]:
        """Every resource with the references in its properties resolved; a secret's properties hold
        its initial value as `SecretString` (generated from GenerateSecretString when asked for)."""
        resolved = {}
        for logical_id, resource in self._resources.items():
            loc = Location("Resource", logical_id)
            properties = dict(resource.properties)
            if resource.type == _FUNCTION_TYPE and "Environment" in properties:
                # The spec's environment is resolved after --env-vars (`resolve_function`).
                environment = properties.pop("Environment")
                properties = {**self.resolve(properties, loc), "Environment": environment}
            elif resource.type == SECRET_TYPE:
                properties = {
                    key: self.resolve(value, loc.child(key))
                    for key, value in properties.items()
                    if key not in ("SecretString", "GenerateSecretString")
                }
                value = self._checked_value(logical_id)
                if value is not None:
                    properties["SecretString"] = value
            elif resource.type == PARAMETER_TYPE:
                _check_parameter_type(resource, loc)
                properties = {**self.resolve(properties, loc), "Value": self._checked_value(logical_id)}
            else:
                properties = self.resolve(properties, loc)
            resolved[logical_id] = replace(resource, properties=properties)
        return resolved

    def resolve_function(self, spec: FunctionSpec) -> FunctionSpec:
        loc = Location("Resource", spec.logical_id, ("Environment", "Variables"))
        environment = {
            name: self.resolve(value, loc.child(name), hint="or set the variable with --env-vars")
            for name, value in spec.environment.items()
        }
        return spec if environment == dict(spec.environment) else replace(spec, environment=environment)

    def resolve(self, value: Any, loc: Location, *, hint: str = "") -> Any:
        """`value` with every dynamic reference inside its strings replaced by what it names."""
        if isinstance(value, str):
            if "{{resolve:" not in value:
                return value
            return _REFERENCE.sub(lambda match: self._reference(match, loc, hint), value)
        if isinstance(value, Mapping):
            return {key: self.resolve(item, loc.child(key), hint=hint) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item, loc.child(index), hint=hint) for index, item in enumerate(value)]
        return value

    # -- one reference ----------------------------------------------------------------------------

    def _reference(self, match: re.Match[str], loc: Location, hint: str) -> str:
        service, key = match["service"], match["key"]
        try:
            if service == "ssm":
                return self._parameter(key)
            if service == "secretsmanager":
                return self._secret(key)
            if service == "ssm-secure":
                raise LookupError(
                    "CloudFormation cannot create SecureString parameters, so this one lives outside the "
                    "template, where samlite cannot read it"
                )
            raise LookupError(f"unknown service {service!r} (CloudFormation resolves {', '.join(_SERVICES)})")
        except LookupError as error:
            fix = f"; {hint}" if hint else ""
            raise loc.error(f"{match.group(0)}: {error.args[0]}{fix}") from None

    def _parameter(self, key: str) -> str:
        name, _, version = key.partition(":")
        logical_id = self._parameters.get(name)
        if logical_id is None:
            raise LookupError(
                f"no AWS::SSM::Parameter named {name!r} in the template, and samlite's embedded AWS starts "
                "empty: declare the parameter in the template"
            )
        if version and version != "1":
            raise LookupError(f"parameter {name!r} has only version 1 (the one the template creates)")
        value = self._value_of(logical_id)
        assert value is not None
        return value

    def _secret(self, key: str) -> str:
        secret_id, _, rest = key.partition(":")
        if key.startswith("arn:"):  # the ARN's own colons belong to the id
            arn_parts = key.split(":")
            secret_id, rest = ":".join(arn_parts[:7]), ":".join(arn_parts[7:])
        part, json_key, stage, version_id = ([*rest.split(":"), "", "", "", ""])[:4]
        logical_id = self._secrets.get(secret_id)
        if logical_id is None:
            raise LookupError(
                f"no AWS::SecretsManager::Secret {secret_id!r} in the template, and samlite's embedded AWS "
                "starts empty: declare the secret in the template"
            )
        if part not in ("", "SecretString"):
            raise LookupError(f"the second segment must be SecretString, not {part!r}")
        if stage not in ("", "AWSCURRENT"):
            raise LookupError(f"secret {secret_id!r} has only its AWSCURRENT version, not {stage!r}")
        if version_id and stage:
            raise LookupError("give version-stage or version-id, not both")
        if version_id:
            raise LookupError(
                f"secret {secret_id!r} has no version {version_id!r} known before it is created"
            )
        value = self._value_of(logical_id)
        if value is None:
            raise LookupError(
                f"secret {secret_id!r} has no value (neither SecretString nor GenerateSecretString)"
            )
        if not json_key:
            return value
        try:
            document = json.loads(value)
        except ValueError:
            document = None
        if not isinstance(document, dict) or json_key not in document:
            raise LookupError(f"secret {secret_id!r} has no JSON key {json_key!r}")
        found = document[json_key]
        return found if isinstance(found, str) else json.dumps(found)

    def _checked_value(self, logical_id: str) -> str | None:
        try:
            return self._value_of(logical_id)
        except LookupError as error:
            raise Location("Resource", logical_id).error(str(error.args[0])) from None

    def _value_of(self, logical_id: str) -> str | None:
        """A parameter's or secret's value, itself resolved (computed, and generated, once)."""
        if logical_id in self._values:
            return self._values[logical_id]
        if logical_id in self._resolving:
            raise LookupError(f"resource '{logical_id}' refers to itself through dynamic references")
        self._resolving.add(logical_id)
        try:
            resource = self._resources[logical_id]
            loc = Location("Resource", logical_id)
            if resource.type == PARAMETER_TYPE:
                value: str | None = _parameter_value(resource, loc)
                value = self.resolve(value, loc.child("Value"))
            else:
                value = initial_secret_string(logical_id, resource.properties)
                value = None if value is None else self.resolve(value, loc.child("SecretString"))
        finally:
            self._resolving.discard(logical_id)
        self._values[logical_id] = value
        return value


def _check_parameter_type(resource: Resource, loc: Location) -> None:
    kind = resource.properties.get("Type")
    if kind == "SecureString":
        raise loc.child("Type").error(
            "CloudFormation cannot create SecureString parameters (String or StringList only)"
        )
    if kind not in ("String", "StringList"):
        raise loc.child("Type").error(f"must be String or StringList, not {kind!r}")


def _parameter_value(resource: Resource, loc: Location) -> str:
    value = resource.properties.get("Value")
    if isinstance(value, list):  # a StringList given as a YAML list
        return ",".join(str(item) for item in value)
    if value is None or value == "":
        raise loc.child("Value").error("a parameter needs a non-empty Value")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def resolve_stack(
    resources: Mapping[str, Resource], functions: Mapping[str, FunctionSpec]
) -> tuple[dict[str, Resource], dict[str, FunctionSpec]]:
    """The resources and functions of a stack with their dynamic references resolved."""
    references = DynamicReferences(resources)
    return references.resolve_resources(), {
        logical_id: references.resolve_function(spec) for logical_id, spec in functions.items()
    }
