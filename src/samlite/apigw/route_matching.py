"""Which API and route a request reaches: mount points on the local port, then route matching.

All APIs of a stack share one local port, each mounted under its stage like the deployed URL
(`https://{id}.execute-api.{region}.amazonaws.com/Prod/items` -> `http://127.0.0.1:3000/Prod/items`);
an HTTP API's `$default` stage is mounted at the root. Two APIs with the same stage name are told
apart by their id (`/{api_id}/Prod`). The longest matching mount wins.
Within a REST API the resource is chosen first (literal, then `{param}`, then greedy, segment by
segment) and then its method (exact before ANY): a known path with an unknown method is still a
403. HTTP APIs choose among routes whose method fits, the most specific path first, an exact
method before ANY.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from samlite.apigw.routes import ANY_METHOD, HTTP, REST, ApiDefinition, Route


@dataclass(frozen=True)
class Mount:
    """An API served under `base` (no trailing slash; empty for the root)."""

    base: str
    api: ApiDefinition

    def relative(self, path: str) -> str | None:
        """`path` below this mount (starting with '/'), or None when the path is not under it."""
        if not self.base:
            return path or "/"
        if path == self.base:
            return "/"
        if path.startswith(self.base + "/"):
            return path[len(self.base) :]
        return None


def mounts_for(apis: Sequence[ApiDefinition]) -> list[Mount]:
    """One mount per API, longest base first (the order requests are matched in)."""

    def natural(api: ApiDefinition) -> str:
        return "" if api.kind == HTTP and api.stage == "$default" else f"/{api.stage}"

    counts: dict[str, int] = {}
    for api in apis:
        counts[natural(api)] = counts.get(natural(api), 0) + 1
    mounts = [
        Mount(base=natural(api) if counts[natural(api)] == 1 else f"/{api.api_id}{natural(api)}", api=api)
        for api in apis
    ]
    return sorted(mounts, key=lambda mount: len(mount.base), reverse=True)


@dataclass(frozen=True)
class RouteMatch:
    route: Route
    path_parameters: dict[str, str]


# What `x-amazon-apigateway-any-method` stands for; other verbs (TRACE, QUERY, ...) match no route.
_ANY_COVERS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"})


def _method_fits(route: Route, method: str) -> bool:
    return route.method == method or (route.method == ANY_METHOD and method in _ANY_COVERS)


def match_route(api: ApiDefinition, method: str, path: str) -> RouteMatch | None:
    """The route `method path` reaches in `api`, or None (API Gateway's not-found answer)."""
    method = method.upper()
    candidates: list[tuple[tuple[int, ...], int, Route, dict[str, str]]] = []
    for route in api.routes:
        if api.kind == HTTP and not _method_fits(route, method):
            continue
        values = route.path.match(path)
        if values is not None:
            exact = 0 if route.method == method else 1
            candidates.append((route.path.specificity, exact, route, values))
    if not candidates:
        return None
    if api.kind == REST:
        best_path = min(candidates, key=lambda c: c[0])[0]
        candidates = [c for c in candidates if c[0] == best_path and _method_fits(c[2], method)]
        if not candidates:
            return None
    _, _, route, values = min(candidates, key=lambda c: (c[0], c[1]))
    return RouteMatch(route=route, path_parameters=values)
