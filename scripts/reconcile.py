"""`make reconcile`: run the catalog's reconcile from a workstation until it is done, showing progress.

Adopting the catalog on an existing bucket means cataloguing everything already in it, which no S3 event
will ever announce. This drives ``ReconcileFunction`` through the Lambda API, one step at a time
(``{"reconcile": {"action": ..., "budget_seconds": ..., "chain": false}}``, see
``app/upload_catalog/controllers/reconcile_request.py``): each synchronous Invoke works for at most the
budget, saves its checkpoint and answers with its summary; the next step continues the run with the
run's id and one-time token. A progress line follows every step (objects seen, objects per second,
how many are left when the bucket's size is known from the previous complete run, and what was
repaired); the run's summary is printed as JSON at the end. Interrupted (Ctrl-C, a lost connection),
the run is not lost: the next ``make reconcile`` (or the nightly schedule) resumes from its checkpoint.
If another invocation holds the run (the schedule's own chain), this follows it until it completes.

The same command works against a deployed stack; it needs ``cloudformation:DescribeStacks`` on the stack
and ``lambda:InvokeFunction`` on its reconcile function:

    make reconcile                                     # the stack of `make run` (.samlite/env)
    .venv/bin/python scripts/reconcile.py --stack-name upload-catalog-prod   # AWS credentials, region
    .venv/bin/python scripts/reconcile.py --start      # a new run from the first key
"""

# ruff: noqa: T201  (a command-line tool: printing is its job)
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

import boto3
from botocore.config import Config

OUTPUT = "ReconcileFunctionName"
#: How often a run another invocation holds is polled (``status`` requests are a GetItem each).
FOLLOW_INTERVAL_S = 2.0


class ReconcileError(RuntimeError):
    """What stops the command; the message is for the user."""


@dataclass
class Progress:
    """What the progress line says, from the run's totals in each step's summary."""

    started: float
    out: TextIO = sys.stderr

    def show(self, summary: dict[str, Any], now: float) -> str:
        run = summary.get("run") or {}
        seen = int(run.get("seen", 0))
        elapsed = max(now - self.started, 1e-6)
        parts = [f"{seen:,} objects seen", f"{seen / elapsed:,.0f}/s"]
        expected = summary.get("expected_objects")
        if isinstance(expected, int) and run.get("status") != "complete":
            parts.append(f"about {max(expected - seen, 0):,} left of {expected:,}")
        parts.append(
            "added {added}, removed {removed}, fixed {fixed}, skipped {skipped}, failed {failed}".format(
                **{name: run.get(name, 0) for name in ("added", "removed", "fixed", "skipped", "failed")}
            )
        )
        if summary.get("position") and run.get("status") != "complete":
            parts.append(f"at {summary['position']!r}")
        line = "reconcile: " + ", ".join(parts)
        print(line, file=self.out, flush=True)
        return line


def function_name(stack_name: str, cloudformation: Any) -> str:
    """The stack's ``ReconcileFunctionName`` output."""
    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except Exception as err:
        raise ReconcileError(f"cannot read stack {stack_name!r}: {err}") from err
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
    if OUTPUT not in outputs:
        raise ReconcileError(f"stack {stack_name!r} has no {OUTPUT} output: is it upload-catalog's stack?")
    return outputs[OUTPUT]


def invoke(lambda_client: Any, name: str, request: dict[str, Any]) -> dict[str, Any]:
    """One synchronous step; its summary, or ReconcileError with the function's error."""
    response = lambda_client.invoke(
        FunctionName=name, InvocationType="RequestResponse", Payload=json.dumps({"reconcile": request})
    )
    payload = response["Payload"].read()
    if response.get("FunctionError"):
        try:
            error = json.loads(payload)
            detail = f"{error.get('errorType')}: {error.get('errorMessage')}"
        except ValueError:
            detail = payload.decode("utf-8", "replace")
        raise ReconcileError(f"{name} failed: {detail}")
    return json.loads(payload)


def reconcile(
    step: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    start: bool,
    budget: float,
    progress: Progress,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Run steps until the run is complete; the last summary."""
    request: dict[str, Any] = {
        "action": "start" if start else "resume",
        "budget_seconds": budget,
        "chain": False,
    }
    followed = False
    while True:
        summary = step(request)
        status = summary.get("status")
        if status == "complete":
            progress.show(summary, clock())
            return summary
        if status == "partial" and summary.get("next"):
            progress.show(summary, clock())
            request = {"action": "continue", **summary["next"], "budget_seconds": budget, "chain": False}
            continue
        if status in ("busy", "running", "lost", "stale"):
            # Another invocation holds the run (a scheduled run continuing itself): follow it.
            if not followed:
                print("reconcile: another invocation is working on the run; following it", file=progress.out)
                followed = True
            if summary.get("run"):
                progress.show(summary, clock())
            sleep(FOLLOW_INTERVAL_S)
            status_only = step({"action": "status"})
            if status_only.get("status") == "complete" and followed and status_only.get("run"):
                progress.show(status_only, clock())
                return status_only
            request = {"action": "resume", "budget_seconds": budget, "chain": False}
            continue
        raise ReconcileError(f"unexpected reconcile answer: {json.dumps(summary)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--stack-name",
        default=os.environ.get("STACK_NAME", "samlite"),
        help="the stack whose ReconcileFunctionName output names the function (default: $STACK_NAME or "
        "samlite, the stack of `make run`)",
    )
    parser.add_argument("--start", action="store_true", help="start a new run instead of resuming one")
    parser.add_argument(
        "--budget", type=float, default=20.0, help="seconds each step works before reporting (default 20)"
    )
    args = parser.parse_args(argv)
    if not 0 < args.budget <= 840:
        parser.error("--budget must be above 0 and at most 840 seconds (Lambda stops a function at 900)")
    session = boto3.session.Session()
    lambda_client = session.client(
        "lambda", config=Config(read_timeout=args.budget + 120, retries={"mode": "standard"})
    )
    try:
        name = function_name(args.stack_name, session.client("cloudformation"))
        where = os.environ.get("AWS_ENDPOINT_URL") or session.region_name or "AWS"
        print(f"reconcile: {name} on {where}", file=sys.stderr)
        summary = reconcile(
            lambda request: invoke(lambda_client, name, request),
            start=args.start,
            budget=args.budget,
            progress=Progress(time.monotonic()),
        )
    except ReconcileError as err:
        print(f"reconcile: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("reconcile: interrupted; the run resumes from its checkpoint next time", file=sys.stderr)
        return 130
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
