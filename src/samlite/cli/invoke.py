"""`samlite invoke`: one invocation of one function, as `sam local invoke` does it, without Docker.

The function's response goes to stdout, its logs (and Lambda's START/END/REPORT lines) to stderr as
they are written, and the exit status is 1 when the function failed (error, timeout, crash), 2 when
samlite could not run it at all (bad template, unknown function, bad event file, a feature samlite
cannot emulate).

Like SAM CLI's `local invoke`, it runs one function of a template whose unrelated resources are
broken (the template is loaded with `strict=False`); only the function itself, or what it needs,
must be sound. With `--endpoint-url` pointing at a running `samlite start`, the function gets the
credentials that stack gives its own workers (its role's, fetched with the caller's keys from the
environment or the stack's `.samlite/env`), so it works there with IAM on exactly as it does inside.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path

from samlite.cli.template_options import add_function_options, add_template_options
from samlite.config import ProjectConfig, layer_map_from_flags, load_project_config, pythons_from_flags
from samlite.errors import SamliteError
from samlite.model import FunctionSpec
from samlite.runtime import DebugOptions, LambdaRuntime
from samlite.template import load_env_vars_file, load_stack, parse_parameter_overrides

EXIT_FUNCTION_FAILED = 1
EXIT_USAGE = 2


class InvokeError(SamliteError):
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
        help="AWS_ENDPOINT_URL given to the function (default: $AWS_ENDPOINT_URL); a running samlite start "
        "there gives the function its role's credentials",
    )
    parser.add_argument(
        "--stack-name",
        default="samlite",
        help="stack name the local names are computed for: the running samlite start's (default: samlite)",
    )
    parser.add_argument(
        "--state-dir",
        default=".samlite",
        metavar="DIR",
        help="the running samlite start's state folder, whose env file holds credentials for --endpoint-url "
        "when AWS_ACCESS_KEY_ID is not set (default: .samlite)",
    )
    add_function_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        event = _read_event(args.event)
        config = load_project_config(args.template).with_overrides(
            layer_map=layer_map_from_flags(args.layer_map), pythons=pythons_from_flags(args.python)
        )
        spec = _function_spec(args, config)
        debug = DebugOptions(port=args.debug_port, function_id=spec.logical_id) if args.debug_port else None
        credentials = _credentials(args, spec) if args.endpoint_url else None
        with LambdaRuntime(
            aws_endpoint_url=args.endpoint_url,
            credentials_for=(lambda _spec: credentials) if credentials is not None else None,
            log_sink=_print_log_line,
            debug=debug,
            max_workers_per_function=1,
            region=args.region,
            pythons=config.pythons,
        ) as runtime:
            for note in runtime.prepare(spec).notes:
                _warn(note)
            result = runtime.invoke(spec, event)
    except SamliteError as exc:
        print(f"samlite invoke: error: {getattr(exc, 'headline', None) or exc}", file=sys.stderr)
        output = getattr(exc, "output", None)
        if output:
            print(output, file=sys.stderr)  # pip's own words, as one block
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    sys.stdout.buffer.write(result.payload + b"\n")
    sys.stdout.flush()
    return EXIT_FUNCTION_FAILED if result.failed else 0


def _warn(message: str) -> None:
    print(f"samlite invoke: warning: {message}", file=sys.stderr)


def _credentials(args: argparse.Namespace, spec: FunctionSpec) -> Mapping[str, str] | None:
    """The function's credentials at the running stack of --endpoint-url (see the module docstring)."""
    from samlite.services.awslambda.role_credentials import RoleCredentialsError, fetch_role_credentials

    url = args.endpoint_url
    caller = _caller_credentials(Path(args.state_dir))
    if caller is None:
        _warn(
            f"no credentials for {url} (AWS_ACCESS_KEY_ID is not set and there is no {args.state_dir}/env): "
            f"{spec.logical_id} gets dummy keys, which a samlite start with IAM on refuses"
        )
        return None
    try:
        return fetch_role_credentials(url, spec.logical_id, caller, args.region).env
    except RoleCredentialsError as error:
        _warn(
            f"{url} did not give {spec.logical_id} its role's credentials ({error}); it runs with the "
            "caller's credentials instead"
        )
        return caller


def _caller_credentials(state_dir: Path) -> dict[str, str] | None:
    """The caller's keys: from the environment (after `source .samlite/env`), else that env file."""
    names = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
    found = {name: os.environ[name] for name in names if os.environ.get(name)}
    if "AWS_ACCESS_KEY_ID" in found and "AWS_SECRET_ACCESS_KEY" in found:
        return found
    try:
        text = (state_dir / "env").read_text()
    except OSError:
        return None
    exported: dict[str, str] = {}
    for line in text.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            name, value = words[1].split("=", 1)
            exported[name] = value
    keys = {name: exported[name] for name in names if exported.get(name)}
    return keys if "AWS_ACCESS_KEY_ID" in keys and "AWS_SECRET_ACCESS_KEY" in keys else None


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


def _function_spec(args: argparse.Namespace, config: ProjectConfig) -> FunctionSpec:
    env_vars = load_env_vars_file(args.env_vars) if args.env_vars else None
    stack = load_stack(
        args.template,
        parameter_overrides=parse_parameter_overrides(args.parameter_overrides),
        env_vars=env_vars,
        region=args.region,
        stack_name=args.stack_name,
        endpoint_url=args.endpoint_url,
        layer_map=config.layer_map,
        strict=False,  # one function of a template runs even when unrelated parts are broken
    )
    for warning in [*config.warnings, *stack.warnings]:
        _warn(warning)
    if stack.broken:
        left_out = ", ".join(sorted(stack.broken))
        first = stack.broken[sorted(stack.broken)[0]]
        _warn(f"left out as broken (samlite start refuses the template): {left_out} ({first})")
    if args.function_id:
        return stack.function(args.function_id)
    if len(stack.functions) == 1:
        return next(iter(stack.functions.values()))
    names = ", ".join(sorted(stack.functions)) or "none"
    raise InvokeError(f"name the function to invoke: {Path(args.template).name} has several ({names})")
