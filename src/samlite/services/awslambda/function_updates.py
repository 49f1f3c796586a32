"""UpdateFunctionConfiguration's request, checked as Lambda checks it, turned into the new $LATEST spec.

Applied locally: `Environment` (the whole variable map is replaced, as on Lambda; `{}` clears it),
`Timeout`, `MemorySize`, `Handler` and `Description`. What Lambda refuses is refused the same way:
values out of the API's ranges (`ValidationException`, in Lambda's "1 validation error detected"
wording), reserved variable names and more than 4 KB of variables (`InvalidParameterValueException`,
"Lambda was unable to configure your environment variables..."). Fields that would need samlite to
rebuild the function's environment from scratch (Role, Runtime, Layers, VPC, file systems...) are
refused with one message naming them, rather than accepted and ignored.
References: "UpdateFunctionConfiguration" (Lambda API reference); "Defined runtime environment
variables" and "Lambda quotas" (Lambda developer guide).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from samlite.model import AwsError, FunctionSpec

APPLIED = ("Environment", "Timeout", "MemorySize", "Handler", "Description")
IGNORED = ("FunctionName", "RevisionId")  # the path's name; RevisionId is the caller's precondition
# Variables a function cannot set: Lambda sets them itself ("Defined runtime environment variables").
RESERVED_VARIABLES = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)
VARIABLE_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]+$")
VARIABLES_LIMIT_BYTES = 4096
_RANGES = {"Timeout": ("timeout", 1, 900), "MemorySize": ("memorySize", 128, 10240)}


class UpdateRefused(Exception):
    """The request is refused; `error` is Lambda's answer."""

    def __init__(self, error: AwsError) -> None:
        super().__init__(error.message)
        self.error = error


def _validation(message: str) -> UpdateRefused:
    return UpdateRefused(AwsError(400, "ValidationException", f"1 validation error detected: {message}"))


def _invalid(message: str) -> UpdateRefused:
    return UpdateRefused(AwsError(400, "InvalidParameterValueException", message))


def updated_spec(spec: FunctionSpec, request: Mapping[str, Any]) -> tuple[FunctionSpec, str | None]:
    """The $LATEST spec after `request`, and the new description (None when unchanged)."""
    refused = sorted(key for key in request if key not in APPLIED and key not in IGNORED)
    if refused:
        raise _invalid(
            f"samlite cannot change {', '.join(refused)} of a running function (it applies "
            f"{', '.join(APPLIED)}); change the template and restart samlite"
        )
    changes: dict[str, Any] = {}
    for key, (member, low, high) in _RANGES.items():
        if key in request:
            changes["timeout" if key == "Timeout" else "memory_size"] = _in_range(
                request[key], member, low, high
            )
    if "Handler" in request:
        handler = request["Handler"]
        if not isinstance(handler, str) or not re.fullmatch(r"[^\s]+", handler) or len(handler) > 128:
            raise _validation(
                f"Value '{handler}' at 'handler' failed to satisfy constraint: Member must satisfy regular "
                "expression pattern: [^\\s]+ and have length less than or equal to 128"
            )
        changes["handler"] = handler
    if "Environment" in request:
        changes["environment"] = _variables(request["Environment"])
    description = request.get("Description")
    if description is not None and (not isinstance(description, str) or len(description) > 256):
        raise _validation(
            "Value at 'description' failed to satisfy constraint: Member must have length less than or "
            "equal to 256"
        )
    return replace(spec, **changes), description


def _in_range(value: Any, member: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _validation(
            f"Value '{value}' at '{member}' failed to satisfy constraint: Member must be a number"
        )
    if value < low:
        raise _validation(
            f"Value '{value}' at '{member}' failed to satisfy constraint: Member must have value greater "
            f"than or equal to {low}"
        )
    if value > high:
        raise _validation(
            f"Value '{value}' at '{member}' failed to satisfy constraint: Member must have value less than "
            f"or equal to {high}"
        )
    return value


def _variables(environment: Any) -> dict[str, str]:
    if not isinstance(environment, Mapping):
        raise _invalid("Environment must be an object with Variables")
    variables = environment.get("Variables") or {}
    if not isinstance(variables, Mapping) or not all(isinstance(v, str) for v in variables.values()):
        raise _invalid("Environment.Variables must map names to string values")
    bad_names = [name for name in variables if not VARIABLE_NAME.match(str(name))]
    if bad_names:
        raise _validation(
            "Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy "
            "constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]"
        )
    reserved = sorted(set(variables) & RESERVED_VARIABLES)
    if reserved:
        raise _invalid(
            "Lambda was unable to configure your environment variables because the environment variables "
            "you have provided contains reserved keys that are currently not supported for modification. "
            f"Reserved keys used in this request: {','.join(reserved)}"
        )
    measured = json.dumps(dict(variables), separators=(",", ":"))
    if len(measured.encode()) > VARIABLES_LIMIT_BYTES:
        raise _invalid(
            "Lambda was unable to configure your environment variables because the environment variables "
            f"you have provided exceeded the 4KB limit. String measured: {measured}"
        )
    return {str(name): value for name, value in variables.items()}
