"""`samlite start`: the whole template running locally until Ctrl-C, as one command.

What it prints, in order, on stdout: the stack outputs, the administrator credentials (also in
`.samlite/env`), what to type next, the API Gateway URLs and keys when the template has an API
(served on `--api-port`), then exactly one line starting with `samlite ready` once the
endpoint answers (scripts and tests wait for it), then every function's log lines as they come.
Ctrl-C or SIGTERM stops everything (workers, endpoint, watcher) and exits 0. A problem before ready
(port in use, bad template, bad option) is one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

from samlite.cli.persist_options import add_persist_options, persist_options
from samlite.cli.template_options import add_function_options, add_template_options
from samlite.config import layer_map_from_flags, pythons_from_flags
from samlite.errors import SamliteError
from samlite.services.chaos import ChaosPolicy
from samlite.services.stepfunctions.service import DEFAULT_TIME_SCALE
from samlite.template import load_env_vars_file, parse_parameter_overrides
from samlite.template.preflight import preflight

EXIT_USAGE = 2
API_PORT_HELP = (
    "port of the local API Gateway serving the template's REST and HTTP APIs (default: 3000; 0 picks a "
    "free one); no gateway is started when the template has no API"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "start",
        help="run the whole template locally: embedded AWS endpoint, functions, S3 events",
        description="Provision the template's resources into an embedded AWS (one local endpoint for "
        "boto3 and the AWS CLI), run its functions in warm local workers with their own IAM "
        "permissions, deliver S3 events to them, and stream their logs. Ctrl-C stops everything.",
    )
    add_template_options(parser)
    add_function_options(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=4566, help="port of the AWS endpoint; 0 picks a free one (default: 4566)"
    )
    parser.add_argument("--api-port", type=int, default=3000, metavar="N", help=API_PORT_HELP)
    parser.add_argument(
        "--debug-port",
        "-d",
        type=int,
        metavar="N",
        help="run the --debug-function under debugpy on 127.0.0.1:N (waits for the debugger; no timeout)",
    )
    parser.add_argument("--debug-function", metavar="ID", help="logical id or name of the function to debug")
    parser.add_argument(
        "--no-iam",
        dest="iam",
        action="store_false",
        help="do not enforce IAM: every function and client may do anything",
    )
    parser.add_argument(
        "--no-watch",
        dest="watch",
        action="store_false",
        help="do not recycle a function's warm workers when files under its CodeUri change",
    )
    parser.add_argument(
        "--stack-name", default="samlite", help="stack name, as DescribeStacks reports it (default: samlite)"
    )
    parser.add_argument(
        "--states-time-scale",
        type=_positive,
        default=DEFAULT_TIME_SCALE,
        metavar="X",
        help="state machines' Wait states and Retry intervals take X times their length (default: "
        f"{DEFAULT_TIME_SCALE:g}, so a 60 s Wait takes 60 ms; 1 for AWS's pace)",
    )
    parser.add_argument(
        "--state-dir",
        default=".samlite",
        metavar="DIR",
        help="where outputs.json, env, credentials.json, logs/ and state/ (--persist) are written "
        "(default: .samlite)",
    )
    parser.add_argument(
        "--no-console",
        dest="console",
        action="store_false",
        help="do not serve the console (the browser view of the local cloud) at /_samlite/ on the endpoint",
    )
    parser.add_argument(
        "--chaos",
        metavar="SPEC",
        help="duplicate=P,reorder=P,delay=MS[,seed=N]: duplicate, reorder and delay pushed deliveries "
        "(S3, SNS, EventBridge, schedules) within what AWS's delivery contract allows, logged",
    )
    add_persist_options(parser)
    parser.set_defaults(run=run)


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, not {text}")
    return value


class _Stop(Exception):
    """Raised in the main thread by the SIGTERM handler, so shutdown runs the normal `finally` path."""


def run(args: argparse.Namespace) -> int:
    started_at = time.perf_counter()
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    cloud: Any = None
    try:
        try:
            # What the template file alone shows to be wrong is refused before the cloud's imports
            # (moto, botocore: most of a second) are paid for.
            preflight(Path(args.template), args.region)
            from samlite.cloud.local_cloud import CloudOptions, LocalCloud
            from samlite.cloud.log_stream import TerminalPrinter

            options = CloudOptions(
                template=Path(args.template),
                host=args.host,
                port=args.port,
                api_port=args.api_port,
                parameter_overrides=parse_parameter_overrides(args.parameter_overrides),
                env_vars=load_env_vars_file(args.env_vars) if args.env_vars else None,
                iam=args.iam,
                watch=args.watch,
                debug_port=args.debug_port,
                debug_function=args.debug_function,
                stack_name=args.stack_name,
                region=args.region,
                state_dir=Path(args.state_dir),
                states_time_scale=args.states_time_scale,
                log_sink=TerminalPrinter(sys.stdout),
                console=args.console,
                layer_map=layer_map_from_flags(args.layer_map),
                pythons=pythons_from_flags(args.python),
                chaos=ChaosPolicy.parse(args.chaos) if args.chaos else None,
                persist=persist_options(args),
            )
            cloud = LocalCloud(options)
            cloud.start()
        except (SamliteError, ValueError) as error:
            print(f"samlite start: error: {_one_line(error)}", file=sys.stderr)
            _print_details(error)
            return EXIT_USAGE
        _print_banner(cloud, args)
        cloud.log(_ready_line(cloud, time.perf_counter() - started_at), echo=False)
        print(_ready_line(cloud, time.perf_counter() - started_at), flush=True)
        _wait_forever()
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        # A second Ctrl-C while stopping must not interrupt the shutdown half-way (and orphan workers).
        previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            if cloud is not None:
                cloud.stop()
        finally:
            signal.signal(signal.SIGTERM, previous)
            signal.signal(signal.SIGINT, previous_int)
    print("samlite stopped", flush=True)
    return 0


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def _wait_forever() -> None:
    # Event.wait with a timeout keeps the main thread returning to the interpreter, where the
    # SIGINT / SIGTERM handlers run.
    forever = threading.Event()
    while not forever.wait(0.5):
        pass


def _one_line(error: BaseException) -> str:
    headline = getattr(error, "headline", None)  # an error with details (pip's output) has a headline
    return " ".join(str(headline or error).split())


def _print_details(error: BaseException) -> None:
    """What comes after the one line, for the errors that carry it (pip's own output, as one block)."""
    output = getattr(error, "output", None)
    if output:
        print(output, file=sys.stderr)


def _ready_line(cloud: Any, seconds: float) -> str:
    count = len(cloud.stack.functions)
    console = f"; console: {cloud.console_url}" if cloud.console_url else ""
    return (
        f"samlite ready: {cloud.url} (stack {cloud.stack.stack_name}, {count} function"
        f"{'s' if count != 1 else ''}, started in {seconds:.1f} s){console}"
    )


def _print_banner(cloud: Any, args: argparse.Namespace) -> None:
    from samlite.cloud import local_names
    from samlite.cloud.state_files import LOCAL_NAMES_KEY, outputs_json

    state_dir = Path(args.state_dir)
    lines = [f"Stack outputs (also in {state_dir / 'outputs.json'}):", outputs_json(cloud.outputs), ""]
    names = local_names.describe(cloud.local_names)
    if names:
        lines += [
            f"Local names of the template's resources (also in outputs.json, under {LOCAL_NAMES_KEY!r}):"
        ]
        lines += [*names, ""]
    credentials = cloud.admin_credentials
    lines += [
        f"Administrator credentials for your own tools (also in {state_dir / 'env'}):",
        f"  AWS_ENDPOINT_URL={cloud.url}",
        f"  AWS_ACCESS_KEY_ID={credentials.access_key_id}",
        f"  AWS_SECRET_ACCESS_KEY={credentials.secret_access_key}",
        f"  AWS_REGION={cloud.options.region}",
        "",
    ]
    if not args.iam:
        lines += ["IAM is off (--no-iam): any credentials work, and functions may do anything.", ""]
    lines += ["What to type next, in another shell:", f"  source {shlex.quote(str(state_dir / 'env'))}"]
    bucket = _first_bucket(cloud)
    if bucket is not None:
        lines += [
            f"  aws s3 cp ./photo.jpg s3://{bucket}/photo.jpg",
            "  python -c \"import boto3; print([o['Key'] for o in boto3.client('s3')"
            f".list_objects_v2(Bucket='{bucket}').get('Contents', [])])\"",
        ]
    else:
        lines += [
            "  aws sts get-caller-identity",
            "  python -c \"import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])\"",
        ]
    schedule = _first_schedule(cloud)
    if schedule is not None:
        lines.append(f"  samlite trigger {schedule}        # fire a schedule now (disabled ones too)")
    if cloud.api_urls:
        lines += ["", "API Gateway (the template's APIs, served locally):"]
        lines += [f"  {logical_id}: {url}" for logical_id, url in sorted(cloud.api_urls.items())]
        lines += [f"  API key {logical_id}: {value}" for logical_id, value in sorted(cloud.api_keys.items())]
    print("\n".join(lines), flush=True)


def _first_schedule(cloud: Any) -> str | None:
    """The logical id of the template's first scheduled rule or Scheduler schedule, if any."""
    for resource in cloud.stack.resources.values():
        scheduled = resource.type == "AWS::Events::Rule" and resource.properties.get("ScheduleExpression")
        if scheduled or resource.type == "AWS::Scheduler::Schedule":
            return str(resource.logical_id)
    return None


def _first_bucket(cloud: Any) -> str | None:
    buckets = [r.ref for r in cloud.stack.resources.values() if r.type == "AWS::S3::Bucket"]
    return buckets[0] if buckets else None
