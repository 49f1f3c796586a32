"""`samlite invoke`: one invocation of one function, as `sam local invoke` does it, without Docker.

The function's response goes to stdout, its logs (and Lambda's START/END/REPORT lines) to stderr as
they are written, and the exit status is 1 when the function failed (error, timeout, crash), 2 when
samlite could not run it at all (bad template, unknown function, bad event file).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from samlite.cli.template_options import add_template_options
from samlite.model import FunctionSpec
from samlite.runtime import DebugOptions, DependencyInstallError, LambdaRuntime, UnsupportedFunctionError
from samlite.template import TemplateError, load_env_vars_file, load_stack, parse_parameter_overrides

EXIT_FUNCTION_FAILED = 1
EXIT_USAGE = 2


class InvokeError(Exception):
    """A problem with the command's input, reported as one line without a traceback."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "invoke",
        help="invoke one function of the template once",
        description="Invoke a function of a SAM template once, in a local worker (no Docker). "
        "The response is printed on stdout, the logs on stderr.",
    )
    parser.add_argument(
        "function_id",
        nargs="?",
        metavar="FUNCTION_ID",
        help="logical id or name of the function (optional if the template has only one)",
    )
    add_template_options(parser)
    parser.add_argument(
        "-e", "--event", metavar="FILE", help="JSON event file, or '-' to read it from stdin (default: {})"
    )
    parser.add_argument(
        "--debug-port",
        "-d",
        type=int,
        metavar="N",
        help="wait for a debugpy client on 127.0.0.1:N before running the handler; no timeout",
    )
    parser.add_argument(
        "--endpoint-url",
        default=os.environ.get("AWS_ENDPOINT_URL"),
        help="AWS_ENDPOINT_URL given to the function (default: $AWS_ENDPOINT_URL)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        event = _read_event(args.event)
        spec = _function_spec(args)
        debug = DebugOptions(port=args.debug_port, function_id=spec.logical_id) if args.debug_port else None
        with LambdaRuntime(
            aws_endpoint_url=args.endpoint_url,
            log_sink=_print_log_line,
            debug=debug,
            max_workers_per_function=1,
            region=args.region,
        ) as runtime:
            result = runtime.invoke(spec, event)
    except (InvokeError, TemplateError, UnsupportedFunctionError, DependencyInstallError) as exc:
        print(f"samlite invoke: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    sys.stdout.buffer.write(result.payload + b"\n")
    sys.stdout.flush()
    return EXIT_FUNCTION_FAILED if result.failed else 0


def _print_log_line(logical_id: str, line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _read_event(source: str | None) -> bytes:
    if source is None:
        return b"{}"
    where = "stdin" if source == "-" else source
    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        raise InvokeError(f"cannot read the event file {source}: {exc.strerror or exc}") from exc
    try:
        json.loads(data)
    except ValueError as exc:  # Lambda's Invoke API rejects a payload that is not JSON
        raise InvokeError(f"the event from {where} is not valid JSON: {exc}") from exc
    return data


def _function_spec(args: argparse.Namespace) -> FunctionSpec:
    env_vars = load_env_vars_file(args.env_vars) if args.env_vars else None
    stack = load_stack(
        args.template,
        parameter_overrides=parse_parameter_overrides(args.parameter_overrides),
        env_vars=env_vars,
        region=args.region,
        endpoint_url=args.endpoint_url,
    )
    for warning in stack.warnings:
        print(f"samlite invoke: warning: {warning}", file=sys.stderr)
    if args.function_id:
        return stack.function(args.function_id)
    if len(stack.functions) == 1:
        return next(iter(stack.functions.values()))
    names = ", ".join(sorted(stack.functions)) or "none"
    raise InvokeError(f"name the function to invoke: {Path(args.template).name} has several ({names})")
