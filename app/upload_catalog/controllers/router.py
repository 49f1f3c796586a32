"""A tiny router over API Gateway's resources: (method, resource template) -> controller method.

``ROUTES`` is the single list the route-agreement test compares with template.yaml's events and with
openapi.yaml's paths. Each route names the API Gateway resource it arrives on and the public path it
documents; they differ only for ``/objects/{key}/content`` (see ``object_keys``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from upload_catalog.controllers.api_http import ApiError, Request, Response, error_response
from upload_catalog.controllers.cors import CorsPolicy
from upload_catalog.controllers.object_keys import is_content_path
from upload_catalog.controllers.objects_api import ObjectsController
from upload_catalog.controllers.stats_api import StatsController
from upload_catalog.controllers.uploads_api import UploadsController

LOGGER = logging.getLogger("upload_catalog")

Action = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    """``method`` on API Gateway ``resource``; ``path`` is the documented (OpenAPI) path."""

    method: str
    resource: str
    path: str
    name: str

    def matches(self, request: Request) -> bool:
        if request.method != self.method or request.resource != self.resource:
            return False
        if self.resource != "/objects/{key+}" or self.method != "GET":
            return True
        wants_content = is_content_path(request.path_parameters.get("key"))
        return wants_content == self.path.endswith("/content")


ROUTES: tuple[Route, ...] = (
    Route("GET", "/objects", "/objects", "list_objects"),
    Route("GET", "/objects/{key+}", "/objects/{key}/content", "get_object_content"),
    Route("GET", "/objects/{key+}", "/objects/{key}", "get_object"),
    Route("DELETE", "/objects/{key+}", "/objects/{key}", "delete_object"),
    Route("POST", "/uploads", "/uploads", "create_upload"),
    Route("GET", "/stats", "/stats", "get_stats"),
)

#: Resources answering CORS preflights (OPTIONS, without an API key).
PREFLIGHT_RESOURCES: tuple[str, ...] = tuple(dict.fromkeys(route.resource for route in ROUTES))


class Router:
    """Dispatches a request to its controller action; every failure becomes a JSON error response."""

    def __init__(
        self, objects: ObjectsController, uploads: UploadsController, stats: StatsController, cors: CorsPolicy
    ) -> None:
        self._cors = cors
        self._actions: dict[str, Action] = {
            "list_objects": objects.list,
            "get_object_content": objects.content,
            "get_object": objects.get,
            "delete_object": objects.delete,
            "create_upload": uploads.create,
            "get_stats": stats.get,
        }

    def dispatch(self, request: Request) -> Response:
        if request.method == "OPTIONS" and request.resource in PREFLIGHT_RESOURCES:
            methods = [r.method for r in ROUTES if r.resource == request.resource]
            return self._cors.preflight(request, list(dict.fromkeys(methods)))
        try:
            response = self._actions[self._route(request).name](request)
        except ApiError as err:
            response = error_response(err)
        except Exception:  # an AWS failure after botocore's retries: a 500 that says nothing internal
            LOGGER.exception("request failed", extra={"method": request.method, "resource": request.resource})
            response = error_response(ApiError(500, "the request could not be completed; try again later"))
        return self._cors.decorate(request, response)

    @staticmethod
    def _route(request: Request) -> Route:
        for route in ROUTES:
            if route.matches(request):
                return route
        methods = [route.method for route in ROUTES if route.resource == request.resource]
        if methods:
            raise ApiError(
                405,
                f"method {request.method} is not allowed on {request.resource}",
                headers={"Allow": ",".join([*dict.fromkeys(methods), "OPTIONS"])},
            )
        raise ApiError(404, f"no route for {request.method} {request.resource}")
