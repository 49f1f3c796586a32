"""The harness of the load benchmarks: template.yaml on samlite in a process of its own, and its figures.

`CatalogCloud` starts the local cloud (IAM on, as `make run`) in a spawned process, as a user's
`samlite start` runs beside their tools; this process is the user's side, with boto3 clients on its
endpoint. The cloud process reports every catalog outcome the function logs (key, outcome, time on the
monotonic clock, which all processes share on Linux), and answers commands: the number of queued
asynchronous events (the backlog), waiting until idle, and its samlite log lines (dead letters,
timeouts). `ProcessTreeMemory` samples the resident memory of the cloud process and all its workers.
Not a benchmark itself (no `bench_` prefix): bench_catalog_throughput.py and bench_soak.py use it.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import queue
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parents[1]
FUNCTION_ID = "CatalogFunction"
START_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Outcome:
    key: str
    outcome: str
    at: float  # time.monotonic() in the cloud process when the function logged it
    request_id: str | None = None  # the invocation's (one S3 event: one record, one outcome)


@dataclass(frozen=True)
class Delivered:
    """One invocation of the catalog function: its request id and the S3 event it was given."""

    request_id: str
    event_name: str
    key: str
    version_id: str | None


def _event_of(record: Any) -> Delivered:
    from urllib.parse import unquote_plus

    s3_record = (record.event.get("Records") or [{}])[0] if isinstance(record.event, dict) else {}
    obj = s3_record.get("s3", {}).get("object", {})
    return Delivered(
        request_id=str(record.request_id),
        event_name=str(s3_record.get("eventName", "")),
        key=unquote_plus(str(obj.get("key", ""))),
        version_id=obj.get("versionId"),
    )


def _serve(template: str, state_dir: str, reports: Any, commands: Any, answers: Any, settings: Any) -> None:
    """Child process: run the LocalCloud until told to stop, reporting outcomes and answering commands."""
    from samlite.cloud.local_cloud import CloudOptions, LocalCloud
    from samlite.services.awslambda import async_queue

    if settings["concurrency"]:
        async_queue.DEFAULT_CONCURRENCY = int(settings["concurrency"])
    samlite_lines: list[str] = []

    def sink(source: str, line: str) -> None:
        if source == FUNCTION_ID:
            if '"outcome"' in line:
                try:
                    record = json.loads(line)
                except ValueError:
                    return
                outcome = (record.get("key"), record.get("outcome"), record.get("requestId"))
                reports.put(("outcome", outcome, None, time.monotonic()))
            elif "Task timed out" in line:
                reports.put(("timeout", line, None, time.monotonic()))
        elif source == "samlite":
            samlite_lines.append(line)

    options = CloudOptions(
        template=Path(template),
        port=0,
        api_port=0,
        watch=False,
        iam=True,
        state_dir=Path(state_dir),
        log_sink=sink,
        flow_control_limit=settings["flow_control_limit"],
    )
    with LocalCloud(options) as cloud:
        delivery = cloud._delivery  # the async invoker's backlog: what a benchmark watches
        invoker = delivery.invoker if delivery is not None else None
        reports.put(
            (
                "ready",
                {
                    "url": cloud.url,
                    "region": options.region,
                    "credentials": cloud.admin_credentials.as_env(),
                    "outputs": cloud.outputs,
                    "pid": os.getpid(),
                },
                None,
                time.monotonic(),
            )
        )
        while True:
            command, argument = commands.get()
            if command == "stop":
                answers.put(None)
                return
            if command == "backlog":
                answers.put(invoker.backlog if invoker is not None else 0)
            elif command == "idle":
                answers.put(cloud.wait_idle(argument))
            elif command == "lines":
                answers.put(list(samlite_lines))
            elif command == "invocations":
                answers.put([_event_of(record) for record in cloud.invocations(FUNCTION_ID)])


@dataclass
class CatalogCloud:
    """template.yaml running locally in a spawned process; see the module docstring."""

    concurrency: int | None = None  # the async lanes' default concurrency (None: samlite's default)
    flow_control_limit: int | None = -1  # -1: samlite's default; None: off
    info: dict[str, Any] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    timeouts: list[str] = field(default_factory=list)

    def __enter__(self) -> CatalogCloud:
        context = multiprocessing.get_context("spawn")
        self._state = tempfile.TemporaryDirectory()
        self._reports = context.Queue()
        self._commands = context.Queue()
        self._answers = context.Queue()
        self._process = context.Process(
            target=_serve,
            args=(
                str(REPO / "template.yaml"),
                self._state.name,
                self._reports,
                self._commands,
                self._answers,
                self._settings(),
            ),
            daemon=True,
        )
        self._arrived = threading.Condition()
        self._process.start()
        kind, info, _, _ = self._reports.get(timeout=START_TIMEOUT_S)
        assert kind == "ready", kind
        self.info = info
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(queue.Empty):
            self._ask("stop", None, timeout=60)
        self._process.join(timeout=60)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._reports.put(("end", None, None, 0.0))
        self._reader.join(timeout=10)
        self._state.cleanup()

    def _settings(self) -> dict[str, Any]:
        from samlite.cloud.options import DEFAULT_FLOW_CONTROL_LIMIT

        limit = DEFAULT_FLOW_CONTROL_LIMIT if self.flow_control_limit == -1 else self.flow_control_limit
        return {"concurrency": self.concurrency, "flow_control_limit": limit}

    @property
    def pid(self) -> int:
        return int(self.info["pid"])

    def client(self, service: str) -> Any:
        import boto3
        from botocore.config import Config

        credentials = self.info["credentials"]
        return boto3.client(
            service,
            endpoint_url=self.info["url"],
            region_name=self.info["region"],
            aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
            config=Config(retries={"mode": "standard", "total_max_attempts": 4}, max_pool_connections=4),
        )

    @property
    def bucket(self) -> str:
        return str(self.info["outputs"]["UploadsBucketName"])

    @property
    def table(self) -> str:
        return str(self.info["outputs"]["CatalogTableName"])

    @property
    def dead_letter_queue(self) -> str:
        return str(self.info["outputs"]["DeadLetterQueueUrl"])

    def backlog(self) -> int:
        """Asynchronous events queued or running in the cloud process now."""
        return int(self._ask("backlog", None))

    def wait_idle(self, timeout: float) -> bool:
        return bool(self._ask("idle", timeout, timeout=timeout + 30))

    def samlite_lines(self) -> list[str]:
        return list(self._ask("lines", None))

    def invocations(self) -> list[Delivered]:
        """Every invocation of the catalog function so far (retries each count), oldest first."""
        return list(self._ask("invocations", None, timeout=120))

    def _ask(self, command: str, argument: Any, timeout: float = 60) -> Any:
        self._commands.put((command, argument))
        return self._answers.get(timeout=timeout)

    def _read(self) -> None:
        while True:
            kind, first, _, at = self._reports.get()
            if kind == "end":
                return
            with self._arrived:
                if kind == "outcome":
                    key, outcome, request_id = first
                    self.outcomes.append(Outcome(str(key), str(outcome), at, request_id))
                elif kind == "timeout":
                    self.timeouts.append(str(first))
                self._arrived.notify_all()


class ProcessTreeMemory:
    """Samples the summed RSS of a process and its descendants on a thread; `peak_mib` is the largest."""

    def __init__(self, pid: int, interval_s: float = 0.5) -> None:
        self._root = psutil.Process(pid)
        self._interval = interval_s
        self._stop = threading.Event()
        self.peak_mib = 0.0
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> ProcessTreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _sample(self) -> None:
        while not self._stop.is_set():
            total = 0
            try:
                processes = [self._root, *self._root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for process in processes:
                try:
                    total += process.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
            self.peak_mib = max(self.peak_mib, total / 1024 / 1024)
            self._stop.wait(self._interval)


def worker_pids(cloud_pid: int) -> list[int]:
    """The cloud's function workers: the children of its fork server (the cloud's own child)."""
    try:
        root = psutil.Process(cloud_pid)
        return [
            grandchild.pid
            for child in root.children()
            if "fork_server_main" in " ".join(child.cmdline())
            for grandchild in child.children()
        ]
    except psutil.NoSuchProcess:
        return []


def kill(pid: int) -> bool:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
