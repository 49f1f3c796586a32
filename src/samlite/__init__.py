"""samlite: run an AWS SAM template on one machine, with no Docker and no AWS account.

    import samlite
    result = samlite.invoke("template.yaml", "MyFunction", {"key": "value"})

The names below are imported on first use, so `import samlite` stays cheap for the command line.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "invoke": "samlite.api",
    "load_stack": "samlite.api",
    "LambdaRuntime": "samlite.api",
    "DebugOptions": "samlite.api",
    "TemplateError": "samlite.api",
    "FunctionSpec": "samlite.model",
    "InvocationResult": "samlite.model",
}

__all__ = ["__version__", *sorted(_LAZY)]  # noqa: PLE0604 (keys of _LAZY are str)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'samlite' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
