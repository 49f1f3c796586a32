"""samlite's Python API: load a template, invoke one of its functions.

    from samlite import api
    result = api.invoke("template.yaml", "HelloFunction", {"name": "x"})
    result.payload, result.error_type, result.log_lines

The command line (`samlite invoke`) is a thin layer over `invoke`; the local cloud and test
fixtures that keep workers warm across many invocations use `load_stack` and `LambdaRuntime`
directly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from samlite.config import load_project_config
from samlite.model import FunctionSpec, InvocationResult
from samlite.runtime import DebugOptions, LambdaRuntime
from samlite.template import Stack, TemplateError, load_env_vars_file, load_stack, parse_parameter_overrides

__all__ = [
    "DebugOptions",
    "FunctionSpec",
    "InvocationResult",
    "LambdaRuntime",
    "Stack",
    "TemplateError",
    "encode_event",
    "invoke",
    "load_stack",
]

Event = bytes | str | Mapping[str, Any] | Sequence[Any] | int | float | bool | None


def encode_event(event: Event) -> bytes:
    """The invocation payload: bytes and str are sent as they are, anything else JSON-encoded."""
    if isinstance(event, bytes):
        return event
    if isinstance(event, str):
        return event.encode("utf-8")
    return json.dumps({} if event is None else event).encode("utf-8")


def invoke(
    template: str | Path,
    function_id: str,
    event: Event = None,
    *,
    parameter_overrides: Mapping[str, str] | Sequence[str] | None = None,
    env_vars: Mapping[str, Mapping[str, str]] | str | Path | None = None,
    region: str = "us-east-1",
    account_id: str = "123456789012",
    stack_name: str = "samlite",
    aws_endpoint_url: str | None = None,
    credentials: Mapping[str, str] | None = None,
    log_sink: Callable[[str, str], None] | None = None,
    debug_port: int | None = None,
    client_context: str | None = None,
    cache_dir: Path | None = None,
    layer_map: Mapping[str, Path] | None = None,
    pythons: Mapping[str, Path] | None = None,
) -> InvocationResult:
    """Invoke `function_id` of `template` once, in a fresh worker, and return Lambda's result.

    `parameter_overrides` takes a mapping or SAM's `K=V` strings; `env_vars` a mapping in SAM's
    `--env-vars` shape or the path of such a JSON file; `layer_map` and `pythons` win over the
    project's samlite.toml / `[tool.samlite]`. As `samlite invoke`, it runs one function of a template
    whose unrelated resources are broken. Raises `TemplateError` for a bad template or an unknown
    function, `UnsupportedError` for a function samlite cannot run.
    """
    overrides = (
        parse_parameter_overrides(list(parameter_overrides))
        if parameter_overrides is not None and not isinstance(parameter_overrides, Mapping)
        else parameter_overrides
    )
    env = load_env_vars_file(env_vars) if isinstance(env_vars, str | Path) else env_vars
    config = load_project_config(template).with_overrides(layer_map=layer_map, pythons=pythons)
    stack = load_stack(
        template,
        parameter_overrides=overrides,
        env_vars=env,
        region=region,
        account_id=account_id,
        stack_name=stack_name,
        endpoint_url=aws_endpoint_url,
        layer_map=config.layer_map,
        cache_dir=cache_dir,
        strict=False,
    )
    spec = stack.function(function_id)
    debug = DebugOptions(port=debug_port, function_id=spec.logical_id) if debug_port is not None else None
    with LambdaRuntime(
        aws_endpoint_url=aws_endpoint_url,
        credentials_for=(lambda _spec: credentials) if credentials is not None else None,
        log_sink=log_sink,
        debug=debug,
        max_workers_per_function=1,
        region=region,
        cache_dir=cache_dir,
        pythons=config.pythons,
    ) as runtime:
        return runtime.invoke(spec, encode_event(event), client_context=client_context)
