"""One request as API Gateway's expressions see it: headers, query string, path, context, stage.

Authorizer identity sources (`method.request.header.X`, `$request.querystring.y`, `$context.z`),
mapping templates (`$input.params()`, `$context`), HTTP API parameter mappings (`$request.*`) and
gateway-response parameters (`method.request.*`) all read the same things; they read them here.
`context` is the request context of the request's proxy event, so `$context.requestId` is the id
the function sees. Header names are case-insensitive, query names case-sensitive (HTTP API
developer guide, "Working with AWS service integrations for HTTP APIs", parameter mapping table).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RequestView:
    """What expressions read of a request (values as the client sent them, after URL decoding)."""

    headers: tuple[tuple[str, str], ...]
    query: tuple[tuple[str, str], ...]
    path_parameters: Mapping[str, str]
    stage_variables: Mapping[str, str]
    context: Mapping[str, Any]
    body: bytes = b""
    join_repeated: bool = False  # HTTP APIs join repeated values with commas; REST takes the last
    _lowered: dict[str, list[str]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name, value in self.headers:
            self._lowered.setdefault(name.lower(), []).append(value)

    def header(self, name: str) -> str | None:
        values = self._lowered.get(name.lower())
        if not values:
            return None
        return ",".join(values) if self.join_repeated else values[-1]

    def header_values(self, name: str) -> list[str]:
        return list(self._lowered.get(name.lower(), []))

    def querystring(self, name: str) -> str | None:
        values = [value for key, value in self.query if key == name]
        if not values:
            return None
        return ",".join(values) if self.join_repeated else values[-1]

    def path(self, name: str) -> str | None:
        return self.path_parameters.get(name)

    def context_value(self, dotted: str) -> Any:
        """`requestId`, `identity.sourceIp`, `authorizer.claims.sub`: None when absent."""
        return lookup(self.context, dotted)

    def stage_variable(self, name: str) -> str | None:
        return self.stage_variables.get(name)

    def source(self, where: str, name: str) -> str | None:
        """An identity source's or parameter mapping's value (`where`: header, querystring, path,
        context, stageVariables); None when the request has none."""
        if where == "header":
            return self.header(name)
        if where == "querystring":
            return self.querystring(name)
        if where == "path":
            return self.path(name)
        if where == "context":
            value = self.context_value(name)
            return None if value is None else text(value)
        if where == "stageVariables":
            return self.stage_variable(name)
        return None


def lookup(data: Any, dotted: str) -> Any:
    current = data
    for part in dotted.split("."):
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        else:
            return None
    return current


def text(value: Any) -> str:
    """A value as API Gateway stringifies it (`true`, `1`, not Python's `True`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)
