"""CloudFormation intrinsic functions and conditions, resolved to local values.

Resolution is lazy and on demand: a resource's physical name is computed the first time something
refers to it, conditions are evaluated when first used, and `Fn::If` resolves only the branch it takes
(as CloudFormation does, so the other branch may refer to a resource whose Condition is false).
Cycles (a name that refers to itself through Sub, a condition that uses itself) are reported, not
recursed into. Anything unknown is a TemplateError naming the resource and the property path.
Reference: CloudFormation "Intrinsic function reference" and "Pseudo parameters reference".
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any

from samlite.errors import TemplateError
from samlite.template.locations import Location, join_names
from samlite.template.naming import (
    NamingContext,
    ResourceNames,
    get_attribute,
    is_modelled,
    name_property,
    needed_properties,
    resource_names,
)


class _NoValue:
    """`Ref: AWS::NoValue`: the property or list item it sits in is removed."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_UNSUPPORTED = ("Fn::Cidr", "Fn::Transform", "Fn::ToJsonString", "Fn::Length", "Fn::ForEach")
IMPORT_PLACEHOLDER = "<ImportValue:{name}>"


def _text(value: Any, loc: Location, what: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise loc.error(f"{what} must resolve to a string, not {type(value).__name__} ({value!r})")


class Resolver:
    """Resolves intrinsic functions of one (translated) template for one stack."""

    def __init__(
        self,
        template: Mapping[str, Any],
        parameters: Mapping[str, str | list[str]],
        naming: NamingContext,
        warnings: list[str],
    ) -> None:
        self.naming = naming
        self.parameters = dict(parameters)
        self.resources: Mapping[str, Any] = template.get("Resources") or {}
        self.mappings: Mapping[str, Any] = template.get("Mappings") or {}
        self.condition_definitions: Mapping[str, Any] = template.get("Conditions") or {}
        self.warnings = warnings
        self._conditions: dict[str, bool] = {}
        self._evaluating_conditions: set[str] = set()
        self._names: dict[str, ResourceNames] = {}
        self._naming_in_progress: set[str] = set()
        # Parameters without a value (allowed by `samlite invoke`): a Ref to one fails where it is.
        self.missing_parameters: dict[str, str] = {}

    # ----- pseudo parameters, conditions, resources -----

    def pseudo_parameter(self, name: str) -> Any:
        ctx = self.naming
        values: dict[str, Any] = {
            "AWS::Region": ctx.region,
            "AWS::AccountId": ctx.account_id,
            "AWS::StackName": ctx.stack_name,
            "AWS::StackId": ctx.stack_id,
            "AWS::Partition": ctx.partition,
            "AWS::URLSuffix": ctx.url_suffix,
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }
        return values.get(name)

    def condition(self, name: str, loc: Location) -> bool:
        """The value of a named condition (evaluated once)."""
        if not isinstance(name, str) or name not in self.condition_definitions:
            raise loc.error(f"unknown condition {name!r} (defined: {join_names(self.condition_definitions)})")
        if name in self._conditions:
            return self._conditions[name]
        if name in self._evaluating_conditions:
            raise TemplateError(f"Condition '{name}': refers to itself")
        self._evaluating_conditions.add(name)
        try:
            value = self._condition_value(self.condition_definitions[name], Location("Condition", name))
        finally:
            self._evaluating_conditions.discard(name)
        self._conditions[name] = value
        return value

    def _condition_value(self, value: Any, loc: Location) -> bool:
        if isinstance(value, dict) and len(value) == 1 and "Condition" in value:
            return self.condition(value["Condition"], loc)
        result = self.resolve(value, loc)
        if not isinstance(result, bool):
            raise loc.error(f"a condition must be Fn::Equals/And/Or/Not or a Condition, not {value!r}")
        return result

    def resource_included(self, logical_id: str) -> bool:
        """False when the resource's `Condition` is false (CloudFormation does not create it)."""
        resource = self.resources[logical_id]
        condition = resource.get("Condition")
        if condition is None:
            return True
        return self.condition(condition, Location("Resource", logical_id, ("Condition",)))

    def names(self, logical_id: str, loc: Location) -> ResourceNames:
        """Ref value and attributes of a resource of this template."""
        if logical_id in self._names:
            return self._names[logical_id]
        resource = self.resources.get(logical_id)
        if resource is None:
            raise loc.error(f"refers to unknown resource or parameter {logical_id!r}")
        if not self.resource_included(logical_id):
            raise loc.error(
                f"refers to resource '{logical_id}', which is not created (its Condition "
                f"'{resource.get('Condition')}' is false)"
            )
        if logical_id in self._naming_in_progress:
            raise loc.error(f"circular reference while naming resource '{logical_id}'")
        self._naming_in_progress.add(logical_id)
        try:
            properties = resource.get("Properties") or {}
            prop = name_property(resource["Type"])
            given = None
            if prop and prop in properties:
                given = self.resolve(properties[prop], Location("Resource", logical_id, (prop,)))
                given = None if given is NO_VALUE else given
            plain_props = {
                key: self.resolve(properties[key], Location("Resource", logical_id, (key,)))
                for key in needed_properties(resource["Type"])
                if key in properties
            }
            names = resource_names(self.naming, logical_id, resource["Type"], given, plain_props)
        finally:
            self._naming_in_progress.discard(logical_id)
        self._names[logical_id] = names
        return names

    def get_att(self, logical_id: str, attribute: str, loc: Location) -> Any:
        names = self.names(logical_id, loc)
        resource_type = self.resources[logical_id]["Type"]
        if not is_modelled(resource_type):
            placeholder = f"<{logical_id}.{attribute}>"
            self.warnings.append(
                f"{loc.describe()}: Fn::GetAtt {logical_id}.{attribute}: samlite does not model "
                f"{resource_type}; left as '{placeholder}'"
            )
            return placeholder
        try:
            return get_attribute(names, logical_id, self.resources[logical_id]["Type"], attribute)
        except TemplateError as exc:
            raise loc.error(str(exc)) from None

    def ref(self, name: Any, loc: Location) -> Any:
        if not isinstance(name, str):
            raise loc.error(f"Ref needs a name, not {name!r}")
        if name in self.parameters:
            return self.parameters[name]
        if name in self.missing_parameters:
            raise loc.error(f"refers to {self.missing_parameters[name]}")
        if name.startswith("AWS::"):
            value = self.pseudo_parameter(name)
            if value is None:
                raise loc.error(f"unknown pseudo parameter '{name}'")
            return value
        return self.names(name, loc).ref

    # ----- the generic walk -----

    def resolve(self, value: Any, loc: Location) -> Any:
        """`value` with every intrinsic function replaced by its result; NO_VALUE items removed."""
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, argument),) = value.items()
                if key == "Ref":
                    return self.ref(argument, loc)
                handler = _HANDLERS.get(key)
                if handler is not None:
                    return handler(self, argument, loc)
                if key in _UNSUPPORTED or (key.startswith("Fn::") and key not in _HANDLERS):
                    raise loc.error(f"intrinsic function {key} is not supported by samlite")
            result = {}
            for key, item in value.items():
                resolved = self.resolve(item, loc.child(key))
                if resolved is not NO_VALUE:
                    result[key] = resolved
            return result
        if isinstance(value, list):
            items = [self.resolve(item, loc.child(index)) for index, item in enumerate(value)]
            return [item for item in items if item is not NO_VALUE]
        return value

    def resolve_list(self, value: Any, loc: Location, what: str) -> list[Any]:
        result = self.resolve(value, loc)
        if not isinstance(result, list):
            raise loc.error(f"{what} must be a list, not {result!r}")
        return result

    def resolve_text(self, value: Any, loc: Location, what: str) -> str:
        return _text(self.resolve(value, loc), loc, what)


# ----- one function per intrinsic -----


def _get_att(resolver: Resolver, argument: Any, loc: Location) -> Any:
    if isinstance(argument, str):
        if "." not in argument:
            raise loc.error(f"Fn::GetAtt {argument!r} must be 'Resource.Attribute'")
        argument = argument.split(".", 1)
    if not isinstance(argument, list) or len(argument) != 2:
        raise loc.error(f"Fn::GetAtt needs [Resource, Attribute], not {argument!r}")
    logical_id = resolver.resolve_text(argument[0], loc, "the Fn::GetAtt resource")
    attribute = resolver.resolve_text(argument[1], loc, "the Fn::GetAtt attribute")
    return resolver.get_att(logical_id, attribute, loc)


def _sub(resolver: Resolver, argument: Any, loc: Location) -> str:
    variables: dict[str, Any] = {}
    if isinstance(argument, list):
        if len(argument) != 2 or not isinstance(argument[1], dict):
            raise loc.error("Fn::Sub needs a string or [string, {Name: value}]")
        template = argument[0]
        variables = {name: resolver.resolve(item, loc.child(name)) for name, item in argument[1].items()}
    else:
        template = argument
    if not isinstance(template, str):
        raise loc.error(f"Fn::Sub needs a string, not {template!r}")

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("!"):
            return "${" + name[1:] + "}"  # ${!Literal} writes ${Literal}
        name = name.strip()
        if name in variables:
            return _text(variables[name], loc, f"Fn::Sub variable '{name}'")
        if "." in name and not name.startswith("AWS::"):
            logical_id, attribute = name.split(".", 1)
            return _text(resolver.get_att(logical_id, attribute, loc), loc, f"Fn::Sub '${{{name}}}'")
        value = resolver.ref(name, loc)
        if isinstance(value, list):
            raise loc.error(f"Fn::Sub '${{{name}}}' is a list; use Fn::Join to make a string of it")
        return _text(value, loc, f"Fn::Sub '${{{name}}}'")

    return _SUB_VARIABLE.sub(substitute, template)


def _join(resolver: Resolver, argument: Any, loc: Location) -> str:
    if not isinstance(argument, list) or len(argument) != 2:
        raise loc.error("Fn::Join needs [delimiter, [values]]")
    delimiter = resolver.resolve_text(argument[0], loc, "the Fn::Join delimiter")
    items = resolver.resolve_list(argument[1], loc, "the Fn::Join values")
    return delimiter.join(_text(item, loc, "a Fn::Join value") for item in items)


def _select(resolver: Resolver, argument: Any, loc: Location) -> Any:
    if not isinstance(argument, list) or len(argument) != 2:
        raise loc.error("Fn::Select needs [index, [values]]")
    index_text = resolver.resolve_text(argument[0], loc, "the Fn::Select index")
    items = resolver.resolve_list(argument[1], loc, "the Fn::Select values")
    if not index_text.isdigit() or int(index_text) >= len(items):
        raise loc.error(f"Fn::Select index {index_text!r} is out of range for {len(items)} values")
    return items[int(index_text)]


def _split(resolver: Resolver, argument: Any, loc: Location) -> list[str]:
    if not isinstance(argument, list) or len(argument) != 2:
        raise loc.error("Fn::Split needs [delimiter, string]")
    delimiter = resolver.resolve_text(argument[0], loc, "the Fn::Split delimiter")
    if not delimiter:
        raise loc.error("Fn::Split needs a non-empty delimiter")
    return resolver.resolve_text(argument[1], loc, "the Fn::Split source").split(delimiter)


def _if(resolver: Resolver, argument: Any, loc: Location) -> Any:
    if not isinstance(argument, list) or len(argument) != 3:
        raise loc.error("Fn::If needs [condition, value if true, value if false]")
    chosen = argument[1] if resolver.condition(argument[0], loc) else argument[2]
    return resolver.resolve(chosen, loc)


def _equals(resolver: Resolver, argument: Any, loc: Location) -> bool:
    if not isinstance(argument, list) or len(argument) != 2:
        raise loc.error("Fn::Equals needs [value, value]")
    left, right = (resolver.resolve(item, loc) for item in argument)
    if isinstance(left, list) or isinstance(right, list):
        return left == right
    return _text(left, loc, "a Fn::Equals value") == _text(right, loc, "a Fn::Equals value")


def _conditions(resolver: Resolver, argument: Any, loc: Location, name: str) -> list[bool]:
    if not isinstance(argument, list) or not argument:
        raise loc.error(f"{name} needs a list of conditions")
    return [resolver._condition_value(item, loc) for item in argument]


def _and(resolver: Resolver, argument: Any, loc: Location) -> bool:
    return all(_conditions(resolver, argument, loc, "Fn::And"))


def _or(resolver: Resolver, argument: Any, loc: Location) -> bool:
    return any(_conditions(resolver, argument, loc, "Fn::Or"))


def _not(resolver: Resolver, argument: Any, loc: Location) -> bool:
    values = _conditions(resolver, argument, loc, "Fn::Not")
    if len(values) != 1:
        raise loc.error("Fn::Not needs exactly one condition")
    return not values[0]


def _find_in_map(resolver: Resolver, argument: Any, loc: Location) -> Any:
    if not isinstance(argument, list) or len(argument) not in (3, 4):
        raise loc.error("Fn::FindInMap needs [MapName, TopLevelKey, SecondLevelKey]")
    default_given = len(argument) == 4
    if default_given and not (isinstance(argument[3], dict) and "DefaultValue" in argument[3]):
        raise loc.error("Fn::FindInMap's fourth item must be {DefaultValue: ...}")
    map_name, top, second = (resolver.resolve_text(item, loc, "a Fn::FindInMap key") for item in argument[:3])
    mapping = resolver.mappings.get(map_name)
    if not isinstance(mapping, dict):
        raise loc.error(
            f"Fn::FindInMap: unknown mapping '{map_name}' (defined: {join_names(resolver.mappings)})"
        )
    level = mapping.get(top)
    if isinstance(level, dict) and second in level:
        return resolver.resolve(level[second], loc)
    if default_given:
        return resolver.resolve(argument[3]["DefaultValue"], loc)
    raise loc.error(f"Fn::FindInMap: mapping '{map_name}' has no key '{top}' -> '{second}'")


def _base64(resolver: Resolver, argument: Any, loc: Location) -> str:
    text = resolver.resolve_text(argument, loc, "the Fn::Base64 value")
    return base64.b64encode(text.encode()).decode("ascii")


def _get_azs(resolver: Resolver, argument: Any, loc: Location) -> list[str]:
    region = resolver.resolve_text(argument, loc, "the Fn::GetAZs region") or resolver.naming.region
    return [f"{region}{zone}" for zone in "abc"]


def _import_value(resolver: Resolver, argument: Any, loc: Location) -> str:
    name = resolver.resolve_text(argument, loc, "the Fn::ImportValue name")
    placeholder = IMPORT_PLACEHOLDER.format(name=name)
    resolver.warnings.append(
        f"{loc.describe()}: Fn::ImportValue '{name}' cannot be resolved locally (no other stacks); "
        f"left as '{placeholder}'"
    )
    return placeholder


_HANDLERS: dict[str, Any] = {
    "Fn::GetAtt": _get_att,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::If": _if,
    "Fn::Equals": _equals,
    "Fn::And": _and,
    "Fn::Or": _or,
    "Fn::Not": _not,
    "Fn::FindInMap": _find_in_map,
    "Fn::Base64": _base64,
    "Fn::GetAZs": _get_azs,
    "Fn::ImportValue": _import_value,
}
