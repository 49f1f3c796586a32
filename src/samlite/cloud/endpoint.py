"""The embedded AWS: moto in this process, served over HTTP on one endpoint.

moto's backends live in this process, so samlite's own parts (provisioning, S3 events, the pytest
plugin) read and write them directly through `EmbeddedAws.backend(service)`, while users' tools and
function workers talk to the same state over HTTP at `EmbeddedAws.url` with `AWS_ENDPOINT_URL`.

moto's state (backends and its IAM-enforcement switch) is global to the process: two EmbeddedAws in
one process share resources, and they must agree on `iam`.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, ClassVar

from samlite.cloud import dynamodb_query
from samlite.cloud.credentials import Credentials
from samlite.cloud.dynamodb_iam import install_dynamodb_resources
from samlite.cloud.errors import EndpointError
from samlite.cloud.http_server import ServerThread, make_endpoint_server
from samlite.cloud.iam import create_admin
from samlite.cloud.lambda_api import FunctionRegistry, LambdaInvokeApi, LambdaInvokeHandler
from samlite.cloud.middleware import EndpointMiddleware
from samlite.cloud.presigned_auth import install_moto_hook
from samlite.cloud.presigned_auth import settle as settle_unsigned
from samlite.cloud.request_auth import IamAuthorizer
from samlite.cloud.s3_post_policy import enforce_post_policies
from samlite.cloud.served_request import ServedRequest
from samlite.cloud.stack_outputs import StackApi

# moto's default account; every backend and ARN of the embedded AWS lives in it.
ACCOUNT_ID = "123456789012"
# moto backends whose Flask apps are built in the background at start (or, with `start(prewarm=False)`,
# when `prewarm()` is called: `samlite start` does so once ready) rather than on their first request
# (dynamodb, sts and lambda cost ~0.1 s each, which would otherwise land on a user's first call).
# CloudFormation (1.8 s: it imports every model) is left out on purpose.
PREWARMED_BACKENDS = ("s3", "dynamodb", "sqs", "sts", "iam", "awslambda", "sns")


class EmbeddedAws:
    """moto in-process, served over HTTP on one endpoint, with the Lambda Invoke API and IAM.

    - `url`: the endpoint (`http://host:port`), for AWS_ENDPOINT_URL. `port=0` picks a free port.
    - `admin_credentials`: an access key allowed everything, for the user's own tools (created by
      `start()`); with `iam=False` moto checks no signature and any key works.
    - `functions`: the FunctionRegistry the Invoke API resolves names and ARNs against; provisioning
      registers the template's functions there.
    - `add_request_observer(observer)`: `observer(ServedRequest)` is called for every request after it is
      served and before its response is sent; it must only enqueue work (it delays the response).
    - `set_lambda_handler(handler)`: who runs functions for the Invoke API (see LambdaInvokeHandler).
    - `stacks`: the StackApi answering CloudFormation DescribeStacks (provisioning registers the stack).
    - `backend(service)`: moto's backend for this account and region (or partition for IAM/STS/S3).

    With `iam=True` (the default) moto checks every request's signature and the caller's policies;
    samlite adds what moto lacks for that to hold: table-level resources for DynamoDB (dynamodb_iam),
    presigned URLs and POST forms (presigned_auth), the Invoke API and DescribeStacks (request_auth),
    and IAM errors in JSON services' own shape (error_shapes).
    """

    _running_iam_modes: ClassVar[list[bool]] = []
    _iam_lock: ClassVar[threading.Lock] = threading.Lock()
    _previous_auth_count: ClassVar[float | None] = None

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 4566, region: str = "us-east-1", iam: bool = True
    ):
        self.host = host
        self.port = port
        self.region = region
        self.account_id = ACCOUNT_ID
        self.iam_enabled = iam
        self.functions = FunctionRegistry(region=region, account_id=ACCOUNT_ID)
        self._lambda_api = LambdaInvokeApi(self.functions, IamAuthorizer(ACCOUNT_ID) if iam else None)
        self.stacks = StackApi(ACCOUNT_ID, iam_enabled=iam)
        self._middleware: EndpointMiddleware | None = None
        self._pending_observers: list[Callable[[ServedRequest], None]] = []
        self._server: ServerThread | None = None
        self._admin: Credentials | None = None
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
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            **self.admin_credentials.as_env(),
        }

    def start(self, *, prewarm: bool = True) -> None:
        """Bind the port, turn moto's IAM enforcement on or off, create the admin, serve.

        A port in use raises EndpointError with a one-line message for the CLI to print. A failed start
        leaves nothing behind: the port is closed and moto's IAM switch is restored. `prewarm=False`
        leaves building moto's per-service apps to a later `prewarm()` (`samlite start` calls it once
        ready, so that work does not compete with provisioning for the interpreter).
        """
        if self._server is not None:
            return
        from moto.moto_server.werkzeug_app import create_backend_app

        from samlite.cloud.dispatch import CachedDispatcher

        def create_app(service: str) -> Any:
            self._first_use(service)  # under the dispatcher's lock: requests wait for the setup
            return create_backend_app(service)

        dispatcher = CachedDispatcher(create_app)
        settle = None
        if self.iam_enabled:
            install_moto_hook()
            install_dynamodb_resources()
            settle = functools.partial(settle_unsigned, self.account_id)
        # Presigned POST uploads are held to their policy's conditions before moto stores them.
        moto_app = enforce_post_policies(dispatcher)
        middleware = EndpointMiddleware(moto_app, self._lambda_api, self.stacks, settle)
        for observer in self._pending_observers:
            middleware.add_observer(observer)
        server = make_endpoint_server(self.host, self.port, middleware)
        iam_switched = False
        try:
            self._enable_iam()
            iam_switched = True
            self._admin = create_admin(self.backend("iam"), self.region)
        except BaseException:
            server.server_close()
            if iam_switched:
                # Otherwise this mode stays registered (stop() returns early, _server being None) and
                # a later EmbeddedAws with the other setting in this process would be refused.
                self._restore_iam()
            raise
        self.port = int(server.server_address[1])
        self._middleware = middleware
        self._dispatcher = dispatcher
        dynamodb_query.install()  # Query cost follows the page, not the table (restored by stop())
        self._server = ServerThread(server)
        self._server.start()
        if prewarm:
            self.prewarm()

    def prewarm(self) -> None:
        """Build moto's per-service apps (PREWARMED_BACKENDS) on a background thread, ahead of the
        first requests; a request needing one that is being built waits for it."""
        if self._dispatcher is None:
            raise EndpointError("the embedded AWS is not started: there is nothing to prewarm")
        threading.Thread(
            target=_prewarm, args=(self._dispatcher,), name="samlite-prewarm", daemon=True
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
        """Stop serving (kept-alive connections included) and restore moto's IAM switch."""
        if self._server is None:
            return
        self._server.stop()
        self._server = None
        dynamodb_query.restore()
        self._restore_iam()

    def __enter__(self) -> EmbeddedAws:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def add_request_observer(self, observer: Callable[[ServedRequest], None]) -> None:
        """Call `observer` with every served request, before its response goes back to the client."""
        if self._middleware is None:
            self._pending_observers.append(observer)
        else:
            self._middleware.add_observer(observer)

    def set_lambda_handler(self, handler: LambdaInvokeHandler) -> None:
        """Route the Invoke API (RequestResponse, Event) to `handler`."""
        self._lambda_api.handler = handler

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

    def _enable_iam(self) -> None:
        from moto import settings
        from moto.core.authorization import ActionAuthenticatorMixin

        from samlite.cloud import moto_signature_fix

        with EmbeddedAws._iam_lock:
            modes = EmbeddedAws._running_iam_modes
            if modes and modes[0] != self.iam_enabled:
                raise EndpointError(
                    "another embedded AWS in this process runs with iam="
                    f"{modes[0]}; moto's IAM switch is process-wide, so both must use the same setting"
                )
            if self.iam_enabled:
                moto_signature_fix.install()
            if not modes:
                EmbeddedAws._previous_auth_count = settings.INITIAL_NO_AUTH_ACTION_COUNT
                settings.INITIAL_NO_AUTH_ACTION_COUNT = 0 if self.iam_enabled else float("inf")
                ActionAuthenticatorMixin.request_count = 0
            modes.append(self.iam_enabled)

    def _restore_iam(self) -> None:
        from moto import settings

        with EmbeddedAws._iam_lock:
            modes = EmbeddedAws._running_iam_modes
            modes.remove(self.iam_enabled)
            previous = EmbeddedAws._previous_auth_count
            if not modes and previous is not None:
                settings.INITIAL_NO_AUTH_ACTION_COUNT = previous
                EmbeddedAws._previous_auth_count = None


def _prewarm(dispatcher: Any) -> None:
    """Build moto's per-service Flask apps ahead of the first requests (under the dispatcher's lock)."""
    for backend in PREWARMED_BACKENDS:
        with dispatcher.lock:
            if backend not in dispatcher.app_instances:
                dispatcher.app_instances[backend] = dispatcher.create_app(backend)
