"""What the rest of samlite needs of the embedded AWS, as one Protocol.

IAM (the administrator, function credentials), provisioning, reset and event delivery all work on
moto's in-process backends and on the requests the endpoint serves. They take an `AwsApi` rather
than the endpoint's class, so they sit below the endpoint in samlite's layers (no import runs back
up, not even for type checking), and their tests can hand them a stand-in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from samlite.model.credentials import Credentials
from samlite.model.served_request import ServedRequest

RequestObserver = Callable[[ServedRequest], None]


class AwsApi(Protocol):
    """The embedded AWS as its users inside samlite see it (see `samlite.endpoint.EmbeddedAws`)."""

    account_id: str
    region: str
    iam_enabled: bool

    @property
    def url(self) -> str:
        """The endpoint (`http://host:port`) for AWS_ENDPOINT_URL."""
        ...

    @property
    def admin_credentials(self) -> Credentials:
        """An access key allowed everything (with IAM off, any key works)."""
        ...

    def backend(self, service: str) -> Any:
        """moto's backend of `service` for this account: per region, or per partition for global ones."""
        ...

    def on_first_use(self, service: str, setup: Callable[[], None]) -> None:
        """Run `setup()` just before moto's `service` backend is first used (at once if it was)."""
        ...

    def add_request_observer(self, observer: RequestObserver) -> None:
        """Call `observer` with every served request, before its response goes back to the client."""
        ...
