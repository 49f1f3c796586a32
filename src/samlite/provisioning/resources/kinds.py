"""How provisioning, reset and removal treat one resource type: `ResourceKind`.

Each module of this package handles the types of one AWS service and exports `KINDS`. A kind creates
its resource in the embedded AWS (`create`), empties it for test isolation (`empty`: a bucket, table
or queue loses its contents but stays as provisioned), and removes it when the local cloud stops
(`remove`: moto's backends are global to the process, so a later start provisions afresh). `rank`
orders creation: what others name (roles, dead-letter queues, topics) comes first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from samlite.errors import ProvisionError
from samlite.model import AwsApi, FunctionSpec, Resource
from samlite.services.awslambda.event_sources.registry import MappingRegistry
from samlite.services.awslambda.registry import FunctionRegistry


class StackLike(Protocol):
    """What provisioning reads of `samlite.template.Stack`."""

    region: str
    account_id: str
    stack_name: str
    resources: dict[str, Resource]
    functions: dict[str, FunctionSpec]
    outputs: dict[str, Any]


@dataclass(frozen=True)
class UnsupportedResource:
    logical_id: str
    type: str
    reason: str = "not emulated by samlite"


@dataclass
class ProvisionedStack:
    """What was created: physical names by logical id, function ARNs, what was not emulated, and the
    resource policies accepted but not enforced (`not_enforced`, for the start command to list)."""

    stack_name: str
    stack_id: str
    physical_ids: dict[str, str] = field(default_factory=dict)
    function_arns: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    unsupported: list[UnsupportedResource] = field(default_factory=list)
    not_enforced: list[UnsupportedResource] = field(default_factory=list)


@dataclass(frozen=True)
class Provisioning:
    """What a kind's `create` works with: the embedded AWS, the stack, the registry of functions, and
    the result being filled in (`mappings`: where event-source mappings are registered)."""

    aws: AwsApi
    stack: StackLike
    functions: FunctionRegistry
    result: ProvisionedStack
    mappings: MappingRegistry | None = None


Create = Callable[[Provisioning, Resource], None]
Clean = Callable[[AwsApi, Resource], None]


@dataclass(frozen=True)
class ResourceKind:
    """`rank` (or `rank_of(resource)`, when it depends on the resource) orders creation, lowest first."""

    type: str
    create: Create
    rank: int = 9
    empty: Clean | None = None
    remove: Clean | None = None
    rank_of: Callable[[Resource], int] | None = None

    def order(self, resource: Resource) -> int:
        return self.rank_of(resource) if self.rank_of is not None else self.rank


def fail(resource: Resource, what: str, error: Exception) -> ProvisionError:
    message = getattr(error, "message", None) or str(error)
    return ProvisionError(f"{resource.logical_id} ({resource.type}): {what}: {message}")


def text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def int_or_none(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


def tag_list(tags: Any) -> Any:
    return [dict(tag) for tag in tags] if isinstance(tags, list) else []


def tag_map(tags: Any) -> dict[str, str]:
    return {str(tag["Key"]): str(tag["Value"]) for tag in tags} if isinstance(tags, list) else {}


def is_mapping(value: Any) -> bool:
    return isinstance(value, Mapping)
