"""moto's service dispatcher, with its host -> backend lookup memoised.

moto resolves every request's service by building a host name from the SigV4 scope and then, in
`get_backend_for_host`, listing its module directories on disk (`list_of_moto_modules`, one `stat`
per service) and matching URL patterns: about 30% of the endpoint's time per request. The answer
depends only on the host name, so it is computed once per host.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)

# moto backends whose Flask apps are built in the background once the endpoint is up (`prewarm`),
# rather than on their first request (dynamodb, sts and lambda cost ~0.1 s each, which would otherwise
# land on a user's first call). CloudFormation (1.8 s: it imports every model) is left out on purpose.
PREWARMED_BACKENDS = ("s3", "dynamodb", "sqs", "sts", "iam", "awslambda", "sns")
# What a template's first calls reach (a function's or the user's: objects, items, messages, events,
# executions, secrets): prewarmed when the template declares the service. The control planes (IAM,
# logs, alarms, API Gateway's management API; Lambda's, which samlite answers itself) are built on
# their first request: 5-60 ms once, where prewarming them all costs memory for the whole session.
# moto's CloudFormation app (it imports every model) is never prewarmed.
_FIRST_CALLS = frozenset(
    {"s3", "dynamodb", "sqs", "sns", "kinesis", "events", "stepfunctions", "secretsmanager", "ssm", "kms"}
)
_MAX_HOSTS = 1024  # hosts are service.region names; the bound only guards against unbounded input


def make_dispatcher(create_app: Any) -> Any:
    """moto's DomainDispatcherApplication with the memoised lookup, around `create_app(service)`."""
    return _dispatcher_class()(create_app)


@lru_cache(maxsize=1)
def _dispatcher_class() -> type:
    """Built on first use: importing moto costs about half a second that `import samlite...` should not."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    class CachedDispatcher(DomainDispatcherApplication):
        """DomainDispatcherApplication whose backend lookup per host is computed once."""

        def __init__(self, create_app: Any) -> None:
            super().__init__(create_app)
            self._backend_by_host: dict[str | None, Any] = {}

        def get_backend_for_host(self, host: str | None) -> Any:
            try:
                return self._backend_by_host[host]
            except KeyError:
                backend = super().get_backend_for_host(host)
                if len(self._backend_by_host) < _MAX_HOSTS:
                    self._backend_by_host[host] = backend
                return backend

    return CachedDispatcher


def prewarm(dispatcher: Any, backends: tuple[str, ...] = PREWARMED_BACKENDS) -> None:
    """Build moto's per-service Flask apps ahead of the first requests (under the dispatcher's lock).

    Prewarming only saves a first request some time, so an app that fails to build here is left to
    that request, which builds it again: CPython 3.11 can raise a spurious `SystemError` (AST
    constructor recursion depth mismatch, gh-106905) when werkzeug compiles the app's routes while
    another thread compiles code, and that must not end the thread with a traceback on the console.
    """
    for backend in backends:
        with dispatcher.lock:
            if backend in dispatcher.app_instances:
                continue
            try:
                dispatcher.app_instances[backend] = dispatcher.create_app(backend)
            except Exception:  # see the docstring: the first request builds it again
                log.debug(
                    "prewarming moto's %s app failed; its first request builds it", backend, exc_info=True
                )


def backends_of(resource_types: Iterable[str]) -> tuple[str, ...]:
    """The moto apps to prewarm for a template: those of the AWS services its resources belong to
    (`AWS::S3::Bucket` -> `s3`, in moto's names) that its first calls reach (`_FIRST_CALLS`). An app
    nothing in the template uses would cost memory for the whole session, and is built on its first
    request anyway."""
    from moto.backend_index import backend_url_patterns
    from moto.backends import ALT_SERVICE_NAMES

    served = {name for name, _ in backend_url_patterns}
    found: list[str] = []
    for resource_type in resource_types:
        parts = resource_type.split("::")
        if len(parts) != 3 or parts[0] != "AWS":
            continue
        namespace = parts[1].lower().replace("-", "")
        name = ALT_SERVICE_NAMES.get(namespace, namespace)
        if name in served and name in _FIRST_CALLS and name not in found:
            found.append(name)
    return tuple(found)
