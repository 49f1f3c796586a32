"""moto's service dispatcher, with its host -> backend lookup memoised.

moto resolves every request's service by building a host name from the SigV4 scope and then, in
`get_backend_for_host`, listing its module directories on disk (`list_of_moto_modules`, one `stat`
per service) and matching URL patterns: about 30% of the endpoint's time per request. The answer
depends only on the host name, so it is computed once per host.
"""

from __future__ import annotations

from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication

_MAX_HOSTS = 1024  # hosts are service.region names; the bound only guards against unbounded input


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
