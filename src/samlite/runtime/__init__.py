"""samlite's Lambda runtime: functions run in worker processes behind a local Lambda Runtime API.

Each execution environment is a `python -m awslambdaric` process (the official runtime interface
client, so handler loading, the context object and error payloads are Lambda's own) talking to a
Runtime API endpoint inside samlite. See `LambdaRuntime`.
"""

from samlite.runtime.dependencies import DependencyInstallError
from samlite.runtime.lambda_runtime import DebugOptions, LambdaRuntime, Preparation, UnsupportedFunctionError

__all__ = [
    "DebugOptions",
    "DependencyInstallError",
    "LambdaRuntime",
    "Preparation",
    "UnsupportedFunctionError",
]
