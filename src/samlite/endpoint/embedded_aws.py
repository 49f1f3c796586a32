"""The embedded AWS: moto in this process, served over HTTP on one endpoint.

moto's backends live in this process, so samlite's own parts (provisioning, S3 events, the pytest
plugin) read and write them directly through `EmbeddedAws.backend(service)`, while users' tools and
function workers talk to the same state over HTTP at `EmbeddedAws.url` with `AWS_ENDPOINT_URL`.

The endpoint knows no service: what samlite adds to one (the Lambda Invoke API, DescribeStacks, POST
policies, S3 events) plugs in through `add_local_api`, `add_s3_check` and `add_request_observer`.

moto's state (backends and its IAM-enforcement switch) is global to the process: two EmbeddedAws in
one process share resources, and they must agree on `iam`.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from typing import Any

from samlite import moto_changes
from samlite.endpoint.http_server import ServerThread, make_endpoint_server
from samlite.endpoint.local_apis import LocalApi, S3Check
from samlite.endpoint.middleware import EndpointMiddleware
from samlite.endpoint.moto_dispatch import PREWARMED_BACKENDS, make_dispatcher, prewarm
from samlite.errors import EndpointError
from samlite.iam import enforcement
from samlite.iam.admin import create_admin
from samlite.iam.presigned import settle
from samlite.model import AwsError, Credentials, RequestObserver
from samlite.wire.s3_request import S3Request

# moto's default account; every backend and ARN of the embedded AWS lives in it.
ACCOUNT_ID = "123456789012"


class EmbeddedAws:
    """moto in-process, served over HTTP on one endpoint, with IAM (an `samlite.model.AwsApi`).

    - `url`: the endpoint (`http://host:port`), for AWS_ENDPOINT_URL. `port=0` picks a free port.
    - `admin_credentials`: an access key allowed everything, for the user's own tools (created by
      `start()`; `admin_key` makes it that key, so a restart keeps the key clients hold); with
      `iam=False` moto checks no signature and any key works.
    - `add_local_api(api)`, `add_s3_check(check)`, `add_request_observer(observer)`: see
      `samlite.endpoint.middleware` for when each runs; observers must only enqueue work (they delay
      the response).
    - `backend(service)`: moto's backend for this account and region (or partition for IAM/STS/S3).

    With `iam=True` (the default) moto checks every request's signature and the caller's policies;
    samlite adds what moto lacks for that to hold (`samlite.moto_changes`, `samlite.iam.presigned`).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 4566,
        region: str = "us-east-1",
        iam: bool = True,
        admin_key: Credentials | None = None,
    ):
        self.host = host
        self.port = port
        self.region = region
        self.account_id = ACCOUNT_ID
        self.iam_enabled = iam
        self._middleware: EndpointMiddleware | None = None
        self._pending: list[Callable[[EndpointMiddleware], None]] = []
        self._server: ServerThread | None = None
        self._admin: Credentials | None = None
        self._admin_key = admin_key  # the key to give the administrator (a previous start's), if any
        self._dispatcher: Any = None
        self._first_use_lock = threading.RLock()
        self._used_services: set[str] = set()
        self._setting_up: set[str] = set()
        self._deferred_setup: dict[str, list[Callable[[], None]]] = {}

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def admin_credentials(self) -> Credentials:
        if self._admin is None:
            raise EndpointError("the embedded AWS is not started: its admin credentials do not exist yet")
        return self._admin

    @property
    def running(self) -> bool:
        return self._server is not None

    def env(self) -> dict[str, str]:
        """What a user's shell needs to reach this endpoint as administrator (for `.samlite/env`)."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            # No "sync-" (StartSyncExecution) or other host prefix before the local endpoint's host.
            "AWS_DISABLE_HOST_PREFIX_INJECTION": "true",
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            **self.admin_credentials.as_env(),
        }

    def start(self, *, prewarm: bool = True) -> None:
        """Bind the port, apply samlite's changes to moto, switch IAM on or off, create the admin, serve.

        A port in use raises EndpointError with a one-line message for the CLI to print. A failed start
        leaves nothing behind: the port is closed, moto's IAM switch and moto's code are restored.
        `prewarm=False` leaves building moto's per-service apps to a later `prewarm()` (`samlite start`
        calls it once ready, so that work does not compete with provisioning for the interpreter).
        """
        if self._server is not None:
            return
        from moto.moto_server.werkzeug_app import create_backend_app

        def create_app(service: str) -> Any:
            self._first_use(service)  # under the dispatcher's lock: requests wait for the setup
            return create_backend_app(service)

        dispatcher = make_dispatcher(create_app)
        settle_unsigned = functools.partial(_settle, self.account_id) if self.iam_enabled else None
        middleware = EndpointMiddleware(dispatcher, settle_unsigned)
        for plug in self._pending:
            plug(middleware)
        server = make_endpoint_server(self.host, self.port, middleware)
        moto_changes.apply(on_first_use=self.on_first_use)
        enforced = False
        try:
            enforcement.enforce(self.iam_enabled)
            enforced = True
            self._admin = create_admin(self.backend("iam"), self.region, self._admin_key)
        except BaseException:
            server.server_close()
            if enforced:
                enforcement.release(self.iam_enabled)
            moto_changes.restore()
            raise
        self.port = int(server.server_address[1])
        self._middleware = middleware
        self._dispatcher = dispatcher
        self._server = ServerThread(server)
        self._server.start()
        if prewarm:
            self.prewarm()

    def prewarm(self, backends: Iterable[str] | None = None) -> None:
        """Build moto's per-service apps (`backends`, in moto's names; by default those of the services
        most templates use) on a background thread, ahead of the first requests; a request needing one
        that is being built waits for it."""
        if self._dispatcher is None:
            raise EndpointError("the embedded AWS is not started: there is nothing to prewarm")
        chosen = PREWARMED_BACKENDS if backends is None else tuple(backends)
        if not chosen:
            return
        threading.Thread(
            target=prewarm, args=(self._dispatcher, chosen), name="samlite-prewarm", daemon=True
        ).start()

    def on_first_use(self, service: str, setup: Callable[[], None]) -> None:
        """Run `setup()` just before moto's `service` backend is first used: before the endpoint
        creates the service's app for its first request (that request waits), or before the first
        `backend(service)`; at once if one of these already happened. Lets start-up skip work (and
        imports) that only matters once someone uses the service."""
        with self._first_use_lock:
            if service not in self._used_services and service not in self._setting_up:
                self._deferred_setup.setdefault(service, []).append(setup)
                return
        setup()

    def _first_use(self, service: str) -> None:
        if service in self._used_services:
            return
        # Re-entrant: a setup may call backend(service). Other threads wait here until the setups are
        # done, and only then is the service marked used (so none of them skips ahead of a setup).
        with self._first_use_lock:
            if service in self._used_services or service in self._setting_up:
                return
            self._setting_up.add(service)
            try:
                for setup in self._deferred_setup.pop(service, []):
                    setup()
            finally:
                self._setting_up.discard(service)
                self._used_services.add(service)

    def stop(self) -> None:
        """Stop serving (kept-alive connections included), restore moto's IAM switch and moto's code."""
        if self._server is None:
            return
        self._server.stop()
        self._server = None
        enforcement.release(self.iam_enabled)
        moto_changes.restore()

    def __enter__(self) -> EmbeddedAws:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def add_local_api(self, api: LocalApi) -> None:
        """Answer the calls `api` matches instead of moto."""
        self._plug(lambda middleware: middleware.add_local_api(api))

    def add_s3_check(self, check: S3Check) -> None:
        """Let `check` refuse S3 requests before moto serves them."""
        self._plug(lambda middleware: middleware.add_s3_check(check))

    def add_request_observer(self, observer: RequestObserver) -> None:
        """Call `observer` with every served request, before its response goes back to the client."""
        self._plug(lambda middleware: middleware.add_observer(observer))

    def _plug(self, plug: Callable[[EndpointMiddleware], None]) -> None:
        if self._middleware is None:
            self._pending.append(plug)
        else:
            plug(self._middleware)

    def backend(self, service: str) -> Any:
        """moto's backend of `service` for this account: per region, or per partition for global ones."""
        from moto.backends import get_backend

        self._first_use(service)
        try:
            per_account = get_backend(service)[self.account_id]  # type: ignore[call-overload]
        except (KeyError, ModuleNotFoundError, ValueError) as error:
            raise EndpointError(f"moto has no backend for service {service!r}") from error
        if self.region in per_account:
            return per_account[self.region]
        return per_account["aws"]


def _settle(account_id: str, environ: dict[str, Any], request: S3Request) -> AwsError | None:
    return settle(account_id, environ, request.address, request.form)
