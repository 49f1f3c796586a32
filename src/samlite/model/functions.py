"""What a function is, and what one invocation gave.

The template model (`samlite.template`) produces `FunctionSpec`s; the runtime (`samlite.runtime`)
consumes them and returns `InvocationResult`s; the local cloud (`samlite.cloud`) wires both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samlite.model.layers import LayerSpec

# Lambda's defaults, from the AWS::Serverless::Function / AWS::Lambda::Function reference.
DEFAULT_MEMORY_MB = 128
DEFAULT_TIMEOUT_S = 3
DEFAULT_MAX_RETRY_ATTEMPTS = 2
DEFAULT_MAX_EVENT_AGE_S = 21600
# The unpublished version of a function; published versions are numbered "1", "2"...
LATEST_VERSION = "$LATEST"


@dataclass(frozen=True)
class EventInvokeConfig:
    """How Lambda treats asynchronous invocations of a function (AWS::Lambda::EventInvokeConfig)."""

    maximum_retry_attempts: int = DEFAULT_MAX_RETRY_ATTEMPTS
    maximum_event_age_seconds: int = DEFAULT_MAX_EVENT_AGE_S
    on_success_arn: str | None = None
    on_failure_arn: str | None = None


@dataclass(frozen=True)
class FunctionSpec:
    """One Lambda function of a template, with every intrinsic already resolved."""

    logical_id: str
    function_name: str
    handler: str
    runtime: str
    code_uri: Path
    memory_size: int = DEFAULT_MEMORY_MB
    timeout: int = DEFAULT_TIMEOUT_S
    environment: Mapping[str, str] = field(default_factory=dict)
    log_format: str = "Text"
    application_log_level: str | None = None
    system_log_level: str | None = None
    architectures: tuple[str, ...] = ("x86_64",)
    reserved_concurrency: int | None = None
    role_arn: str | None = None
    policy_documents: tuple[Mapping[str, Any], ...] = ()
    dead_letter_target_arn: str | None = None
    event_invoke_config: EventInvokeConfig = field(default_factory=EventInvokeConfig)
    events: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # The version this spec runs: "$LATEST", or a published version's number (AWS::Lambda::Version,
    # AutoPublishAlias). Each version has its own execution environments, as on Lambda.
    version: str = LATEST_VERSION
    # The function's layers, in the order it lists them (the order Lambda merges them into /opt).
    layers: tuple[LayerSpec, ...] = ()
    # True when the code is the template's InlineCode / ZipFile, written by samlite to `code_uri`.
    inline_code: bool = False

    @property
    def arn_suffix(self) -> str:
        return f"function:{self.function_name}"

    @property
    def qualified_arn_suffix(self) -> str:
        """`function:NAME` for $LATEST, `function:NAME:N` for a published version."""
        if self.version == LATEST_VERSION:
            return self.arn_suffix
        return f"{self.arn_suffix}:{self.version}"


@dataclass
class InvocationResult:
    """What one invocation produced, as Lambda would report it.

    `payload` is the response body exactly as Lambda returns it: the handler's JSON-encoded result,
    or Lambda's error document (`errorMessage`, `errorType`, `requestId`, `stackTrace`).
    """

    request_id: str
    payload: bytes
    error_type: str | None = None
    log_lines: list[str] = field(default_factory=list)
    duration_ms: float = 0.0
    billed_duration_ms: int = 0
    init_duration_ms: float | None = None
    max_memory_used_mb: int = 0

    @property
    def failed(self) -> bool:
        return self.error_type is not None

    @property
    def cold_start(self) -> bool:
        return self.init_duration_ms is not None
