"""Which handler answers which console request: routes by method and path pattern.

Patterns name their parts `{name}` (one path segment, URL-decoded); S3 keys and other values that
may hold slashes travel in the query string instead, so no pattern needs a greedy part.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from samlite.console.http import ConsoleError, ConsoleRequest
from samlite.endpoint.local_apis import ApiResponse

Handler = Callable[[ConsoleRequest], ApiResponse]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


class Router:
    def __init__(self) -> None:
        self._routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        self._routes.append(Route(method.upper(), re.compile(f"^{regex}$"), handler))

    def resolve(self, method: str, path: str) -> tuple[Handler, dict[str, str]]:
        """The handler of `method path` and its path parameters; 404 or 405 otherwise."""
        allowed: list[str] = []
        for route in self._routes:
            found = route.pattern.match(path)
            if found is None:
                continue
            if route.method == method or (method == "HEAD" and route.method == "GET"):
                return route.handler, {key: unquote(value) for key, value in found.groupdict().items()}
            allowed.append(route.method)
        if allowed:
            raise ConsoleError(
                405, "MethodNotAllowed", f"{method} is not allowed here (only {', '.join(allowed)})"
            )
        raise ConsoleError(404, "NotFound", f"the console has no page or API at {path}")
