"""Lambda's limits on a function's properties, which CloudFormation's create of the function enforces.

AWS Lambda API Reference, CreateFunction
(https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html):
- `Timeout`: minimum 1 second, "The maximum allowed value is 900 seconds" (also "Lambda quotas":
  function timeout 900 seconds, 15 minutes);
- `MemorySize`: "Valid Range: Minimum value of 128. Maximum value of 10240" (MB);
- `Handler`: at most 128 characters, pattern `[^\\s]+`. For Python the handler is
  `module.function` ("Define Lambda function handler in Python": "the value of the handler is
  lambda_function.lambda_handler"), where the module may be a dotted or slashed path; a handler
  without a module part cannot be loaded by any Python runtime (`Runtime.MalformedHandlerName`).
Lambda (through CloudFormation) refuses the first three when the stack is created; samlite refuses all
four when the template loads, with the resource and property named.
"""

from __future__ import annotations

import re

from samlite.template.locations import Location

MIN_TIMEOUT_S = 1
MAX_TIMEOUT_S = 900
MIN_MEMORY_MB = 128
MAX_MEMORY_MB = 10240
MAX_HANDLER_LENGTH = 128
_HANDLER = re.compile(r"[^\s]+")


def check_function_limits(
    loc: Location, *, timeout: int | None, memory_size: int | None, handler: str | None, runtime: str | None
) -> None:
    """TemplateError naming the property when a value is outside what Lambda accepts (None: not
    known yet, or not there: a container-image function has no Handler)."""
    if timeout is not None and not MIN_TIMEOUT_S <= timeout <= MAX_TIMEOUT_S:
        raise loc.child("Timeout").error(
            f"{timeout} is outside Lambda's range of {MIN_TIMEOUT_S} to {MAX_TIMEOUT_S} seconds"
        )
    if memory_size is not None and not MIN_MEMORY_MB <= memory_size <= MAX_MEMORY_MB:
        raise loc.child("MemorySize").error(
            f"{memory_size} is outside Lambda's range of {MIN_MEMORY_MB} to {MAX_MEMORY_MB} MB"
        )
    if handler is not None and runtime is not None:
        check_handler_name(loc.child("Handler"), handler, runtime)


def check_handler_name(loc: Location, handler: str, runtime: str) -> None:
    if len(handler) > MAX_HANDLER_LENGTH or not _HANDLER.fullmatch(handler):
        raise loc.error(
            f"{handler[:60]!r} is not a Lambda handler (at most {MAX_HANDLER_LENGTH} characters, no spaces)"
        )
    if runtime.startswith("python"):
        module, _, function = handler.rpartition(".")
        if not module or not function or any(not part for part in re.split(r"[./]", module)):
            raise loc.error(
                f"{handler!r} is not module.function: a Python handler names a module and a function in "
                "it, e.g. app.handler"
            )
