"""What the console reads of the running local cloud, handed to it by the facade that assembles both.

The console sits below the facade (`samlite.cloud`) in samlite's layers, so it does not import the
facade or its recorder: it reads them through the small protocols here, and the facade fills in a
`ConsoleSources` once the stack is provisioned.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from samlite.endpoint.embedded_aws import EmbeddedAws
from samlite.model import InvocationResult
from samlite.provisioning.provision import ProvisionedStack
from samlite.template import Stack


class RecordLike(Protocol):
    """One recorded invocation (`samlite.cloud.recorder.InvocationRecord`)."""

    @property
    def request_id(self) -> str: ...
    @property
    def event(self) -> Any: ...
    @property
    def result(self) -> InvocationResult: ...
    @property
    def source(self) -> str: ...
    @property
    def trigger(self) -> str | None: ...
    @property
    def finished_at(self) -> float: ...
    @property
    def started_at(self) -> float: ...
    @property
    def memory_size(self) -> int: ...
    @property
    def architecture(self) -> str: ...


class RecorderLike(Protocol):
    """The local cloud's record of invocations and log lines (`InvocationRecorder`)."""

    @property
    def version(self) -> int: ...
    def invocations_since(self, logical_id: str, start: int) -> list[Any]: ...
    def lines_since(self, source: str, start: int) -> list[str]: ...
    def counts(self) -> dict[str, tuple[int, int]]: ...
    def wait_for_change(self, version: int, timeout: float) -> int: ...


@dataclass(frozen=True)
class ConsoleSources:
    """The running cloud as the console sees it.

    - `aws`: the embedded AWS (its URL, admin credentials, moto's backends for read-only peeks);
    - `stack`, `provisioned`: the template model and what provisioning made of it (outputs included);
    - `recorder`: invocations and log lines; `worker_count(logical_id)`: warm execution environments;
    - `api_urls()`, `api_keys()`: the local API Gateway's, when the template has an API;
    - `bind_host`: where the endpoint listens (the console's security depends on it);
    - `trigger(id)`: fires a schedule now, when the local cloud can (None otherwise);
    - `schedule_runs()`: the schedule clock's next run per schedule ARN (the triggers page).
    """

    aws: EmbeddedAws
    stack: Stack
    provisioned: ProvisionedStack
    recorder: RecorderLike
    worker_count: Callable[[str], int]
    api_urls: Callable[[], Mapping[str, str]]
    api_keys: Callable[[], Mapping[str, str]]
    bind_host: str = "127.0.0.1"
    trigger: Callable[[str], Any] | None = None
    # ARN -> next run of each schedule the schedule clock tracks (empty before it has started).
    schedule_runs: Callable[[], Mapping[str, datetime | None]] = dict
