"""A state machine calling two functions, against the same two function calls made directly.

The workflow is issue 11's acceptance fixture (`tests/samlite/acceptance/fixtures/apis`): Validate
(`lambda:invoke`) then Charge (a Task naming the function's ARN). It is created here once more as an
EXPRESS state machine (same definition, same role) so that `StartSyncExecution` returns when it ends:
its latency is the whole workflow as a caller sees it. The baseline is the two functions invoked
directly through the Invoke API, one after the other, with the same payloads, on the same warm
workers: the difference is what moto's interpreter and samlite's task clients add (history events,
the role's signed calls through the endpoint). Samples of both alternate in rounds, so machine noise
hits both alike.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src")]

from samlite.cloud.local_cloud import CloudOptions, LocalCloud  # noqa: E402

FIXTURE = REPO / "tests" / "samlite" / "acceptance" / "fixtures" / "apis" / "template.yaml"
ROUNDS = 10
PER_ROUND = 5
ORDER = {"order": "bench", "items": [{"price": 5, "quantity": 2}, {"price": 1, "quantity": 3}]}


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _express_copy(cloud: LocalCloud) -> str:
    sfn = cloud.client("stepfunctions")
    standard = sfn.describe_state_machine(stateMachineArn=cloud.outputs["OrderWorkflowArn"])
    created = sfn.create_state_machine(
        name=f"bench-express-{uuid.uuid4().hex[:8]}",
        definition=standard["definition"],
        roleArn=standard["roleArn"],
        type="EXPRESS",
    )
    return str(created["stateMachineArn"])


def _direct(cloud: LocalCloud, lam: Any) -> float:
    validate = cloud.stack.functions["ValidateOrder"].function_name
    charge = cloud.stack.functions["ChargeOrder"].function_name
    started = time.perf_counter()
    validated = json.loads(
        lam.invoke(FunctionName=validate, Payload=json.dumps(ORDER).encode())["Payload"].read()
    )
    lam.invoke(FunctionName=charge, Payload=json.dumps(validated).encode())["Payload"].read()
    return time.perf_counter() - started


def _workflow(sfn: Any, arn: str) -> float:
    started = time.perf_counter()
    result = sfn.start_sync_execution(stateMachineArn=arn, input=json.dumps(ORDER))
    elapsed = time.perf_counter() - started
    if result["status"] != "SUCCEEDED":
        raise RuntimeError(f"the workflow failed: {result}")
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as state_dir:
        options = CloudOptions(
            template=FIXTURE,
            port=0,
            api_port=0,
            watch=False,
            stack_name="bench-sfn",
            state_dir=Path(state_dir),
        )
        started = time.perf_counter()
        with LocalCloud(options) as cloud:
            start_s = time.perf_counter() - started
            sfn, lam = cloud.client("stepfunctions"), cloud.client("lambda")
            express = _express_copy(cloud)
            _direct(cloud, lam), _workflow(sfn, express)  # warm both functions' workers first
            direct: list[float] = []
            workflow: list[float] = []
            for _ in range(ROUNDS):
                direct += [_direct(cloud, lam) for _ in range(PER_ROUND)]
                workflow += [_workflow(sfn, express) for _ in range(PER_ROUND)]
    d50, w50 = statistics.median(direct), statistics.median(workflow)
    d95, w95 = _percentile(direct, 0.95), _percentile(workflow, 0.95)
    print("## Step Functions: a state machine calling two functions (StartSyncExecution, EXPRESS)\n")
    print(f"{len(direct)} samples each, in {ROUNDS} alternating rounds; cloud started in {start_s:.1f} s.\n")
    print("| path | p50 ms | p95 ms |")
    print("|---|---|---|")
    print(
        f"| baseline: the two functions invoked directly (Invoke API) | {d50 * 1000:.1f} | {d95 * 1000:.1f} |"
    )
    print(f"| the state machine running both (StartSyncExecution) | {w50 * 1000:.1f} | {w95 * 1000:.1f} |")
    print(
        f"\nworkflow / direct (p50): **{w50 / d50:.2f}x**; the interpreter adds {(w50 - d50) * 1000:.1f} ms "
        "for 2 Task states (4 history events each, plus the execution's own)"
    )


if __name__ == "__main__":
    main()
