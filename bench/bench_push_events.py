"""PutEvents to handler start on samlite, next to the same SDK calls made directly, and on MiniStack.

Topology as a developer has it: the local cloud (bench/push_bench/template.yaml, IAM on) runs in its
own process, as `samlite start` does; this process makes the SDK calls. The function behind the
EventBridge rule sends the moment its handler starts (the monotonic clock, shared by all processes on
Linux) to this process over UDP, so "handler start" is measured where it happens, not by polling.

- samlite: PutEvents (source `bench`) -> the rule matches -> async invoke -> handler start;
- baseline, same endpoint, same run: the SDK call that reaches the function without EventBridge,
  Lambda `Invoke` with `InvocationType=Event` (same queue, same warm worker) -> handler start. The
  ratio of the two is EventBridge routing's own cost (target: at most 1.2x);
- the PutEvents call alone (an entry no rule matches): the API's floor;
- MiniStack (bench/peers.py): the same function, rule and calls; a workload it cannot do is reported
  with its error.
Samples alternate between workloads in rounds, closed loop (the next call once the handler started).
"""

from __future__ import annotations

import io
import json
import multiprocessing
import queue
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from peers import PeerUnavailable, running_ministack  # noqa: E402

TEMPLATE = REPO / "bench" / "push_bench" / "template.yaml"
PROBE = REPO / "bench" / "push_bench" / "probe" / "app.py"
PER_ROUND = 40
ROUNDS = 3
WARMUP = 10
START_TIMEOUT_S = 20.0
CLOUD_START_TIMEOUT_S = 60.0
TARGET_RATIO = 1.2


class Starts:
    """Handler starts reported over UDP: `wait(id)` gives the moment the handler with that id started."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.port = int(self.socket.getsockname()[1])
        self._seen: dict[str, float] = {}
        self._arrived = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            data, _ = self.socket.recvfrom(4096)
            message = json.loads(data)
            with self._arrived:
                self._seen[str(message["id"])] = float(message["t"])
                self._arrived.notify_all()

    def wait(self, key: str, timeout: float = START_TIMEOUT_S) -> float:
        with self._arrived:
            if not self._arrived.wait_for(lambda: key in self._seen, timeout):
                raise TimeoutError(f"the handler for {key} did not start within {timeout:g} s")
            return self._seen.pop(key)


def serve_cloud(port: int, state_dir: str, info: Any, stop: Any) -> None:
    """Child process: run the bench template until `stop` is set."""
    from samlite.cloud.local_cloud import CloudOptions, LocalCloud

    options = CloudOptions(
        template=TEMPLATE,
        port=0,
        api_port=0,
        watch=False,
        parameter_overrides={"BenchPort": str(port)},
        state_dir=Path(state_dir),
    )
    with LocalCloud(options) as cloud:
        info.put(
            {"url": cloud.url, "credentials": cloud.admin_credentials.as_env(), "outputs": cloud.outputs}
        )
        stop.wait()


def clients(url: str, credentials: dict[str, str]) -> tuple[Any, Any]:
    import boto3

    settings = {
        "endpoint_url": url,
        "region_name": "us-east-1",
        "aws_access_key_id": credentials["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": credentials["AWS_SECRET_ACCESS_KEY"],
    }
    return boto3.client("events", **settings), boto3.client("lambda", **settings)


def workloads(events: Any, functions: Any, function: str, starts: Starts) -> dict[str, Callable[[], float]]:
    """Each workload: one call, then the time (ms) until the handler started (or the call returned)."""

    def put_events() -> float:
        key = uuid.uuid4().hex
        began = time.monotonic()
        events.put_events(Entries=[{"Source": "bench", "DetailType": "b", "Detail": json.dumps({"id": key})}])
        return (starts.wait(key) - began) * 1000

    def invoke_event() -> float:
        key = uuid.uuid4().hex
        began = time.monotonic()
        functions.invoke(
            FunctionName=function, InvocationType="Event", Payload=json.dumps({"detail": {"id": key}})
        )
        return (starts.wait(key) - began) * 1000

    def put_events_alone() -> float:
        began = time.monotonic()
        events.put_events(Entries=[{"Source": "nobody", "DetailType": "b", "Detail": "{}"}])
        return (time.monotonic() - began) * 1000

    return {
        "PutEvents -> handler": put_events,
        "Invoke Event -> handler": invoke_event,
        "PutEvents alone": put_events_alone,
    }


def measure(run: dict[str, Callable[[], float]]) -> dict[str, list[float]]:
    for work in run.values():
        for _ in range(WARMUP):
            work()
    samples: dict[str, list[float]] = {name: [] for name in run}
    for _ in range(ROUNDS):
        for name, work in run.items():
            samples[name].extend(work() for _ in range(PER_ROUND))
    return samples


def on_samlite(starts: Starts) -> dict[str, list[float]]:
    context = multiprocessing.get_context("spawn")
    info, stop = context.Queue(), context.Event()
    with tempfile.TemporaryDirectory() as state:
        process = context.Process(target=serve_cloud, args=(starts.port, state, info, stop), daemon=True)
        process.start()
        try:
            started = info.get(timeout=CLOUD_START_TIMEOUT_S)
        except queue.Empty:
            process.kill()
            raise RuntimeError(f"the local cloud did not start within {CLOUD_START_TIMEOUT_S:g} s") from None
        try:
            events, functions = clients(started["url"], started["credentials"])
            return measure(workloads(events, functions, started["outputs"]["ProbeName"], starts))
        finally:
            stop.set()
            process.join(30)
            if process.is_alive():
                process.kill()


def probe_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(PROBE, "app.py")
    return buffer.getvalue()


def on_ministack(starts: Starts) -> dict[str, list[float] | str]:
    """The same workloads on MiniStack; a workload it cannot do gets its error instead of samples."""
    with running_ministack() as url:
        events, functions = clients(url, {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"})
        created = functions.create_function(
            FunctionName="probe",
            Runtime="python3.12",
            Role="arn:aws:iam::000000000000:role/probe",
            Handler="app.handler",
            Code={"ZipFile": probe_zip()},
            Timeout=10,
            Environment={"Variables": {"BENCH_PORT": str(starts.port)}},
        )
        events.put_rule(Name="bench", EventPattern=json.dumps({"source": ["bench"]}))
        events.put_targets(Rule="bench", Targets=[{"Id": "probe", "Arn": created["FunctionArn"]}])
        results: dict[str, list[float] | str] = {}
        for name, work in workloads(events, functions, "probe", starts).items():
            try:
                results[name] = measure({name: work})[name]
            except Exception as error:  # reported in the table, not hidden
                results[name] = f"{type(error).__name__}: {error}"
        return results


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def cell(values: list[float] | str | None) -> str:
    if values is None:
        return "-"
    if isinstance(values, str):
        return f"cannot: {values[:160]}"
    return f"{statistics.median(values):.1f} / {percentile(values, 0.95):.1f}"


def main() -> None:
    starts = Starts()
    mine = on_samlite(starts)
    try:
        peer: dict[str, list[float] | str] | str = on_ministack(starts)
    except (PeerUnavailable, Exception) as error:
        peer = f"{type(error).__name__}: {error}"
    print("## PutEvents to handler start (samlite vs the same SDK calls made directly, and MiniStack)\n")
    print(
        "A function behind an EventBridge rule reports its handler's start over UDP; samlite runs "
        f"bench/push_bench/template.yaml (IAM on) in its own process. {ROUNDS} rounds of {PER_ROUND} "
        f"samples per workload, alternating, after {WARMUP} warm-up calls. Baseline: Lambda Invoke "
        "(InvocationType=Event) of the same function on the same endpoint, the call that reaches it "
        f"without EventBridge. Overhead = PutEvents / baseline; target <= {TARGET_RATIO}x.\n"
    )
    print("| workload | samlite p50 / p95 ms | MiniStack p50 / p95 ms |")
    print("|---|---|---|")
    for name, values in mine.items():
        other = peer.get(name) if isinstance(peer, dict) else None
        print(f"| {name} | {cell(values)} | {cell(other) if isinstance(peer, dict) else 'see below'} |")
    through, direct = mine["PutEvents -> handler"], mine["Invoke Event -> handler"]
    p50 = statistics.median(through) / statistics.median(direct)
    p95 = percentile(through, 0.95) / percentile(direct, 0.95)
    print(
        f"\nsamlite overhead of EventBridge routing: p50 {p50:.2f}x, p95 {p95:.2f}x (target {TARGET_RATIO}x)"
    )
    if isinstance(peer, dict):
        theirs = peer.get("PutEvents -> handler")
        if isinstance(theirs, list):
            print(
                f"MiniStack / samlite, PutEvents -> handler p50: "
                f"{statistics.median(theirs) / statistics.median(through):.2f}x"
            )
    else:
        print(f"MiniStack could not run: {peer}")


if __name__ == "__main__":
    main()
