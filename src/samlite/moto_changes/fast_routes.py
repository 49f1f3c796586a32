"""moto's server routing for signed S3 and DynamoDB calls, resolved once per route instead of by Flask.

moto's server hands every request to `DomainDispatcherApplication`, which infers the service from the
SigV4 scope, takes the service's Flask app under one process-wide lock, and lets Flask push a request
context, match the URL with werkzeug, call the view (`convert_to_flask_response`, which calls moto's
response handler), build a `flask.Response` and run flask-cors' after-request hook. That machinery is
about a quarter of a small S3 or DynamoDB call, around moto's own work (Flask's debug mode alone
builds a class per request to word a KeyError).

For a signed request without CORS headers to a service in `FAST_BACKENDS`, this change takes the
same steps without Flask's request context, each with moto's or the app's own code:
- the service: moto's `infer_service_region_host` and `get_backend_for_host`;
- the handler: the app's own werkzeug URL map, bound as Flask binds it, each (method, path)
  remembered (DynamoDB has one path; an S3 key read again skips the match);
- the call: as `convert_to_flask_response` makes it (moto's recorder, `raw_url`, a ClientError as a
  400), its result the `flask.Response` it builds, an HTTPException rendered as Flask renders it;
- flask-cors' header for a request without Origin, computed by flask-cors from the app's options;
- the request's headers: moto's view over the environ, each name spelt once per key
  (`request_headers`).

Everything else goes through moto's generic path unchanged: unsigned requests (presigned URLs, forms),
CORS requests and preflights, moto's own API, other services, an app not built yet (its first use
runs samlite's setup under the dispatcher's lock), an app with hooks this change does not know, a URL
werkzeug would refuse or redirect. `tests/samlite/moto_changes/test_fast_routes.py` shows that both
paths answer the same (status, headers, body), IAM on and off, errors included.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from samlite.moto_changes.request_headers import headers_class
from samlite.moto_changes.seam import MotoChange, Patch, Target

FAST_BACKENDS = frozenset({"s3", "dynamodb"})
_METHODS = frozenset({"GET", "HEAD", "PUT", "POST", "DELETE"})
_MOTO_HOST_PATHS = ("/moto-api", "/latest/meta-data/", "/latest/api/", "/favicon.ico")
_CORS_HOOK = "make_after_request_function.<locals>.cors_after_request"
_ROUTES_PER_APP = 4096  # (method, path) pairs remembered per app; a full table starts again

_lock = threading.Lock()
_apps: weakref.WeakKeyDictionary[Any, _App | None] = weakref.WeakKeyDictionary()


@dataclass
class _App:
    """What the fast path needs of one moto Flask app, worked out on its first fast request."""

    app: Any
    cors_headers: tuple[tuple[str, Any], ...]
    handlers: dict[tuple[str, str, str], Callable[..., Any] | None]


def _eligible(environ: dict[str, Any]) -> bool:
    if environ.get("REQUEST_METHOD") not in _METHODS:
        return False
    if not str(environ.get("HTTP_AUTHORIZATION", "")).startswith("AWS4-"):
        return False  # unsigned: moto infers the service from the body and the path
    if "HTTP_ORIGIN" in environ or "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK" in environ:
        return False  # flask-cors answers these from the request
    return not str(environ.get("PATH_INFO", "")).startswith(_MOTO_HOST_PATHS)


def _known_app(app: Any) -> _App | None:
    """The app's fast-path facts, or None when it has hooks or routing this change does not imitate."""
    from flask_cors.core import get_cors_headers, get_cors_options
    from werkzeug.datastructures import Headers

    after = app.after_request_funcs
    hooks_known = (
        not any(app.before_request_funcs.values())
        and not any(app.url_value_preprocessors.values())
        and not any(app.teardown_request_funcs.values())
        and not app.teardown_appcontext_funcs
        and set(after) <= {None}
        and [getattr(hook, "__qualname__", "") for hook in after.get(None, [])] == [_CORS_HOOK]
        and not app.url_map.host_matching
        and not app.subdomain_matching
    )
    if not hooks_known:
        return None
    # What flask-cors adds for a request without Origin (no other request reaches the fast path).
    cors = get_cors_headers(get_cors_options(app), Headers(), "GET")
    return _App(app=app, cors_headers=tuple(cors.items(multi=True)), handlers={})


def _app_facts(app: Any) -> _App | None:
    try:
        return _apps[app]
    except KeyError:
        facts = _known_app(app)
        with _lock:
            _apps[app] = facts
        return facts


def _handler(facts: _App, environ: dict[str, Any]) -> Callable[..., Any] | None:
    """moto's handler for this request by the app's URL map, bound as Flask's `create_url_adapter`
    binds it; None when werkzeug would answer it itself (404, 405, a redirect)."""
    from moto.core.utils import convert_to_flask_response
    from werkzeug.exceptions import HTTPException
    from werkzeug.routing import RequestRedirect

    key = (str(environ["REQUEST_METHOD"]), str(environ.get("SCRIPT_NAME", "")), str(environ["PATH_INFO"]))
    try:
        return facts.handlers[key]
    except KeyError:
        pass
    app = facts.app
    adapter = app.url_map.bind_to_environ(
        environ, server_name=app.config["SERVER_NAME"], subdomain=app.url_map.default_subdomain or ""
    )
    handler = None
    try:
        rule, _arguments = adapter.match(return_rule=True)
    except (HTTPException, RequestRedirect):
        pass
    else:
        view = app.view_functions.get(rule.endpoint)
        if isinstance(view, convert_to_flask_response):
            handler = view.callback
    with _lock:
        if len(facts.handlers) >= _ROUTES_PER_APP:
            facts.handlers.clear()
        facts.handlers[key] = handler
    return handler


def _respond(facts: _App, environ: dict[str, Any], handler: Callable[..., Any]) -> Any:
    """The `flask.Response` moto's Flask app would give (without running Flask)."""
    from botocore.exceptions import ClientError
    from flask import Response
    from moto.moto_api import recorder
    from werkzeug.exceptions import BadRequestKeyError, HTTPException

    app = facts.app
    request = app.request_class(environ)
    request.headers = headers_class()(environ)  # the same view, names spelt once per key
    request.json_module = app.json
    try:
        # What convert_to_flask_response.__call__ does with Flask's request.
        recorder._record_request(request)
        try:
            result = handler(request, request.raw_url, dict(request.headers))
        except ClientError as exc:
            result = 400, {}, exc.response["Error"]["Message"]
    except HTTPException as error:
        if isinstance(error, BadRequestKeyError) and app.debug:
            raise  # Flask's debug mode traps these: they escape as an error, as on the generic path
        response = app.response_class.force_type(error, environ)
    else:
        if len(result) == 3:
            status, headers, content = result
        else:
            status, headers, content = 200, {}, result
        response = Response(response=content, status=status, headers=headers)
        if request.method == "HEAD" and "content-length" in headers:
            response.headers["Content-Length"] = headers["content-length"]
    if not response.headers.get("Access-Control-Allow-Origin"):  # flask-cors' after-request hook
        for name, value in facts.cors_headers:
            response.headers.add(name, value)
    return response


def _app_for(dispatcher: Any, environ: dict[str, Any]) -> Any:
    """The built Flask app of a fast-path service this request is for, by moto's own inference."""
    if not _eligible(environ):
        return None
    try:
        host = dispatcher.infer_service_region_host(environ, environ.get("PATH_INFO", ""))
    except Exception:  # moto's generic path raises it again, as it always did
        return None
    backend = dispatcher.get_backend_for_host(host) if host is not None else None
    return dispatcher.app_instances.get(backend) if backend in FAST_BACKENDS else None


def serve_fast(dispatcher: Any, environ: dict[str, Any], start_response: Any) -> Iterable[bytes] | None:
    """Serve the request by the fast path, or None to leave it to moto's generic path untouched."""
    app = _app_for(dispatcher, environ)
    facts = _app_facts(app) if app is not None else None
    handler = _handler(facts, environ) if facts is not None else None
    if facts is None or handler is None:
        return None
    return _respond(facts, environ, handler)(environ, start_response)


def _routed(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def __call__(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        answer = serve_fast(self, environ, start_response)
        if answer is not None:
            return answer
        return original(self, environ, start_response)

    return __call__


def forget() -> None:
    """Drop what was worked out per app (an app built again is looked at again)."""
    with _lock:
        _apps.clear()


_DISPATCHER = "moto.moto_server.werkzeug_app:DomainDispatcherApplication"
CHANGE = MotoChange(
    name="fast-routes",
    reason="moto's server routes every request through Flask's request machinery",
    patches=(Patch(Target(f"{_DISPATCHER}.__call__", "(self, environ, start_response)"), _routed),),
    relies_on=(
        Target(f"{_DISPATCHER}.infer_service_region_host", "(self, environ, path)"),
        Target(f"{_DISPATCHER}.get_backend_for_host", "(self, host)"),
        Target(f"{_DISPATCHER}.get_application", "(self, environ)"),
        Target("moto.core.utils:convert_to_flask_response.__call__", "(self, args=None, **kwargs)"),
        Target("moto.moto_server.werkzeug_app:create_backend_app", "(service)"),
        Target("moto.core.request:EnvironHeaders.__iter__", "(self)"),
    ),
    on_apply=forget,
)
