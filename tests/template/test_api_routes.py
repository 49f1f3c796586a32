"""The routes of template.yaml (API events), of the handler's router and of openapi.yaml agree.

API Gateway resources and documented paths differ in one place: a greedy variable must end the resource
path, so ``GET /objects/{key}/content`` arrives on the resource ``/objects/{key+}`` (see
``upload_catalog.controllers.object_keys``); the router's ``Route`` records both.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from upload_catalog.controllers.router import PREFLIGHT_RESOURCES, ROUTES

from tests.template.sam_template import TEMPLATE

OPENAPI = TEMPLATE.parent / "openapi.yaml"
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return yaml.safe_load(Path(OPENAPI).read_text(encoding="utf-8"))


def template_routes(template: dict[str, Any]) -> set[tuple[str, str]]:
    routes = set()
    for logical_id, res in template["Resources"].items():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        for event in res["Properties"].get("Events", {}).values():
            if event["Type"] == "Api":
                assert logical_id == "ApiFunction", (
                    f"{logical_id} has an Api event: only ApiFunction serves the API"
                )
                assert event["Properties"]["RestApiId"] == {"Ref": "CatalogApi"}
                routes.add((event["Properties"]["Method"].upper(), event["Properties"]["Path"]))
    return routes


def openapi_operations(openapi: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in openapi["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def test_template_routes_are_the_routers(template: dict[str, Any]) -> None:
    router = {(r.method, r.resource) for r in ROUTES} | {("OPTIONS", res) for res in PREFLIGHT_RESOURCES}
    assert template_routes(template) == router


def test_openapi_operations_are_the_routers(openapi: dict[str, Any]) -> None:
    assert openapi_operations(openapi) == {(r.method, r.path) for r in ROUTES}


def test_documented_paths_map_onto_the_template_resources(template: dict[str, Any]) -> None:
    resources = {path for _, path in template_routes(template)}
    for route in ROUTES:
        assert route.resource in resources, route
        # The resource is the documented path with a greedy variable closing it.
        pattern = re.sub(r"\\\{(\w+)\\\+\\\}", r"\\{\1\\}(/.*)?", re.escape(route.resource))
        assert re.fullmatch(pattern, route.path), (route.path, route.resource)


def test_greedy_variables_only_end_resources(template: dict[str, Any]) -> None:
    for _, path in template_routes(template):
        assert "+}" not in path or path.endswith("+}"), path


def test_openapi_requires_the_api_key(openapi: dict[str, Any]) -> None:
    scheme = openapi["components"]["securitySchemes"]["apiKey"]
    assert (scheme["type"], scheme["in"], scheme["name"].lower()) == ("apiKey", "header", "x-api-key")
    assert openapi["security"] == [{"apiKey": []}]
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                assert operation.get("security", openapi["security"]) == [{"apiKey": []}], (method, path)
                assert "403" in operation["responses"], (method, path)


def test_path_parameters_are_declared(openapi: dict[str, Any]) -> None:
    for path, item in openapi["paths"].items():
        declared = {p["$ref"].rsplit("/", 1)[-1].lower() for p in item.get("parameters", []) if "$ref" in p}
        assert set(re.findall(r"\{(\w+)\}", path)) == declared, path
