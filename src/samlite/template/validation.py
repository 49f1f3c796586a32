"""The structure CloudFormation requires of a template, checked before anything is provisioned.

CloudFormation refuses these templates when a stack is created ("Template format error: ..."), so
samlite refuses them at load with one line naming the resource and property, rather than starting
half a template or failing later in an unrelated place:
- more resources than the 500 a template may declare ("Understand CloudFormation quotas",
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html), counted
  in the template as written and once SAM has expanded it (the quota is on the processed template);
- a logical id that is not alphanumeric or is longer than 255 characters ("Resources" section of the
  template anatomy: "The logical ID must be alphanumeric (A-Za-z0-9) and unique within the template");
- a resource type CloudFormation does not know in the region ("Unrecognized resource types"; see
  `resource_types`);
- a `DependsOn` that is not a logical id or a list of them, or names a resource the template does not
  declare ("Unresolved resource dependencies [...] in the Resources block of the template");
- a dependency cycle, through `DependsOn`, `Ref`, `Fn::GetAtt` or `Fn::Sub`, among the resources the
  template's conditions keep ("Circular dependency between resources: [...]"; `DependsOn` attribute
  reference). `Fn::If` counts only the branch its condition takes, as CloudFormation evaluates it.
Duplicate keys (a logical id given twice) are refused while the file is read (`yaml_loader`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from samlite.errors import TemplateError
from samlite.template.locations import Location
from samlite.template.resource_types import unknown_types

MAX_RESOURCES = 500
MAX_LOGICAL_ID_LENGTH = 255
_LOGICAL_ID = re.compile(r"[A-Za-z0-9]+")
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


class Conditions(Protocol):
    """What the dependency check needs of the resolver: which resources and `Fn::If` branches exist."""

    def resource_included(self, logical_id: str) -> bool: ...

    def condition(self, name: Any, loc: Location) -> bool: ...


def check_document(document: Mapping[str, Any], source: str) -> None:
    """The template as written: resource count, logical ids, `DependsOn` shapes."""
    resources: Mapping[str, Any] = document["Resources"]
    _check_count(len(resources), source, "")
    for logical_id, resource in resources.items():
        _check_logical_id(str(logical_id))
        _depends_on(str(logical_id), resource)


def check_processed(template: Mapping[str, Any], region: str, source: str) -> None:
    """The template once SAM expanded it: resource count, types, `DependsOn` targets."""
    resources: Mapping[str, Any] = template["Resources"]
    _check_count(len(resources), source, " once SAM's transform has expanded it")
    unknown = unknown_types({str(resource.get("Type")) for resource in resources.values()}, region)
    for logical_id, resource in resources.items():
        type_name = str(resource.get("Type"))
        if unknown and type_name in unknown:
            raise Location("Resource", logical_id, ("Type",)).error(
                f"{type_name} is not a resource type CloudFormation knows in {region} "
                "(CloudFormation: Unrecognized resource types)"
            )
        missing = [name for name in _depends_on(logical_id, resource) if name not in resources]
        if missing:
            raise Location("Resource", logical_id, ("DependsOn",)).error(
                f"names {', '.join(repr(name) for name in missing)}, which the template does not declare "
                "(CloudFormation: Unresolved resource dependencies)"
            )


def check_dependencies(template: Mapping[str, Any], conditions: Conditions) -> None:
    """No cycle among the kept resources through DependsOn, Ref, Fn::GetAtt and Fn::Sub."""
    resources: Mapping[str, Any] = template["Resources"]
    kept = {logical_id for logical_id in resources if conditions.resource_included(logical_id)}
    edges: dict[str, dict[str, str]] = {}
    for logical_id in sorted(kept):
        resource = resources[logical_id]
        found: dict[str, str] = {}
        for name in _depends_on(logical_id, resource):
            found.setdefault(name, "DependsOn")
        loc = Location("Resource", logical_id)
        for name, path in _references(resource.get("Properties") or {}, loc, conditions):
            found.setdefault(name, path)
        edges[logical_id] = {name: why for name, why in found.items() if name in kept}
    cycle = dependency_cycle(edges)
    if cycle is not None:
        first, second = cycle[0], cycle[1]
        reason = edges[first][second]
        raise Location("Resource", first, tuple(reason.split(".")) if reason else ()).error(
            f"circular dependency between resources {' -> '.join(cycle)} "
            "(CloudFormation: Circular dependency between resources)"
        )


def _check_count(count: int, source: str, when: str) -> None:
    if count > MAX_RESOURCES:
        raise TemplateError(
            f"{source}: Resources: the template declares {count} resources{when}, over CloudFormation's "
            f"quota of {MAX_RESOURCES} per template (split it, e.g. into nested stacks)"
        )


def _check_logical_id(logical_id: str) -> None:
    if not _LOGICAL_ID.fullmatch(logical_id):
        raise TemplateError(
            f"Resource '{logical_id}': a logical id must be alphanumeric (A-Za-z0-9), as CloudFormation "
            "requires"
        )
    if len(logical_id) > MAX_LOGICAL_ID_LENGTH:
        raise TemplateError(
            f"Resource '{logical_id[:40]}...': a logical id is at most {MAX_LOGICAL_ID_LENGTH} characters"
        )


def _depends_on(logical_id: str, resource: Mapping[str, Any]) -> list[str]:
    value = resource.get("DependsOn")
    if value is None:
        return []
    names = value if isinstance(value, list) else [value]
    if not all(isinstance(name, str) and name for name in names):
        raise Location("Resource", logical_id, ("DependsOn",)).error(
            f"must be a logical id or a list of logical ids, not {value!r}"
        )
    return names


def _references(value: Any, loc: Location, conditions: Conditions) -> Iterator[tuple[str, str]]:
    """(logical id, property path) of every resource `value` refers to, branches not taken skipped."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _references(item, loc.child(index), conditions)
        return
    if not isinstance(value, dict):
        return
    path = ".".join(loc.path)
    if len(value) == 1:
        ((key, argument),) = value.items()
        if key == "Ref" and isinstance(argument, str):
            yield argument, path
            return
        if key == "Fn::GetAtt":
            target = argument[0] if isinstance(argument, list) and argument else argument
            if isinstance(target, str):
                yield target.split(".", 1)[0], path
            return
        if key == "Fn::Sub":
            yield from _sub_references(argument, loc, conditions)
            return
        if key == "Fn::If" and isinstance(argument, list) and len(argument) == 3:
            taken = argument[1] if conditions.condition(argument[0], loc) else argument[2]
            yield from _references(taken, loc, conditions)
            return
    for key, item in value.items():
        yield from _references(item, loc.child(key), conditions)


def _sub_references(argument: Any, loc: Location, conditions: Conditions) -> Iterator[tuple[str, str]]:
    """`${Name}` and `${Name.Attribute}` of a Sub string (not `${!Literal}`, its own variables or
    pseudo parameters), and the references of its variable map."""
    if isinstance(argument, list):
        text = argument[0] if argument else None
        variables = argument[1] if len(argument) > 1 and isinstance(argument[1], dict) else {}
    else:
        text, variables = argument, {}
    yield from _references(variables, loc.child("Fn::Sub"), conditions)
    if not isinstance(text, str):
        return
    for match in _SUB_VARIABLE.finditer(text):
        name = match.group(1).split(".", 1)[0].strip()
        if name not in variables and "::" not in name:
            yield name, ".".join(loc.path)


def dependency_cycle(edges: Mapping[str, Mapping[str, str]]) -> list[str] | None:
    """A cycle in the graph as [a, b, ..., a], or None; depth-first, iterative (no recursion limit)."""
    done: set[str] = set()
    for start in sorted(edges):
        if start in done:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(edges[start])))]
        on_path = {start: 0}
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.pop(node)
                done.add(node)
                continue
            if child in on_path:
                trail = [name for name, _ in stack[on_path[child] :]]
                return [*trail, child]
            if child not in done:
                on_path[child] = len(stack)
                stack.append((child, iter(sorted(edges[child]))))
    return None
