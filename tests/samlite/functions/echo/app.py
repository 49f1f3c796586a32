"""Fixture functions for the runtime tests: each one exercises one Lambda outcome."""

import ctypes
import json
import logging
import os
import sys
import time

logger = logging.getLogger()
logger.setLevel(logging.INFO)

# Work done at import time belongs to the init phase (it shows in Init Duration, once per worker).
INIT_PID = os.getpid()
INVOCATIONS = {"count": 0}


def echo(event, context):
    """Return the event, the environment and the context object, as the function saw them."""
    INVOCATIONS["count"] += 1
    return {
        "event": event,
        "env": dict(os.environ),
        "pid": INIT_PID,
        "count": INVOCATIONS["count"],
        "sys_path": sys.path,
        "context": {
            "aws_request_id": context.aws_request_id,
            "function_name": context.function_name,
            "function_version": context.function_version,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "invoked_function_arn": context.invoked_function_arn,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "remaining_ms": context.get_remaining_time_in_millis(),
            "client_context": (context.client_context.custom if context.client_context is not None else None),
        },
    }


def noop(event, context):
    return None


def raise_error(event, context):
    raise ValueError(f"bad input: {event.get('reason', 'none')}")


def sleep(event, context):
    time.sleep(float(event.get("seconds", 60)))
    return {"slept": event.get("seconds")}


def exit_process(event, context):
    print("about to exit")
    sys.exit(int(event.get("code", 3)))


def segfault(event, context):
    ctypes.string_at(0)


def allocate(event, context):
    """Grow resident memory step by step (1 MiB at a time) up to event['mb']."""
    chunks = []
    for _ in range(int(event["mb"])):
        chunks.append(bytearray(1024 * 1024))
        time.sleep(0.002)
    return {"allocated_mb": len(chunks)}


def chatty(event, context):
    """Print to stdout and stderr and log through `logging`, including a multi-line record."""
    print("hello from print")
    print("to stderr", file=sys.stderr)
    logger.info("structured %s", json.dumps({"k": "v"}))
    logger.warning("two\nlines")
    return "done"


def import_outside_lambda(event, context):
    """samlite's own dependencies (here PyYAML) are not on a Lambda function's path."""
    import yaml  # noqa: F401

    return "yaml importable"


def use_boto3(event, context):
    """Lambda's Python runtime ships boto3: it must be importable."""
    import boto3

    return {"boto3": boto3.__version__}
