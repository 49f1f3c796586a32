"""samlite's embedded AWS side by side with MiniStack and moto's stock server: the same boto3 calls.

Systems, each in a process of its own on a free loopback port:
- samlite: `samlite start -t template.yaml` (IAM on, its default: every request's signature and
  policies are checked), exactly what `make run` starts;
- MiniStack (`bench/peers.py`: its own virtual environment, never a project dependency);
- moto's stock server (`python -m moto.server`), the third column.

Clients are separate processes (1 or 4), each with its own boto3 clients, so what is measured is the
server and not one client process's GIL. Each workload runs in rounds; in every round each system
runs it once, in an order that rotates, so noise on this shared machine hits all alike. Figures are
medians over the rounds (range in brackets); the ratio is the median of the per-round ratios.

The floor column is the same boto3 calls against a replay server that answers every call with a
response recorded from samlite, in one write, doing no work: what the client itself costs. No
server can go below it, so `MiniStack / floor` is the highest ratio any server could reach on that
workload, and it says when a target is out of reach whatever the server does.

A workload a system cannot do is reported with its error, never skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))  # tests.samlite.catalog_table

import peers  # noqa: E402
from samlite_start import samlite_started  # noqa: E402

from tests.samlite.catalog_table import catalog_item, create_catalog_table, live_page  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_VS_ROUNDS", "3"))
CALLS = {1: int(os.environ.get("BENCH_VS_CALLS", "300")), 4: int(os.environ.get("BENCH_VS_CALLS4", "150"))}
BUDGET_S = 4.0  # a client stops after this long, whatever it did: moto's own Query takes seconds
START_RUNS = int(os.environ.get("BENCH_VS_START_RUNS", "3"))
OBJECTS = 100  # 1 KiB objects in the listed bucket (ListObjectsV2 returns all of them)
BODY = b"x" * 1024
QUERY_PAGE = 50
QUERY_SIZES = tuple(int(n) for n in os.environ.get("BENCH_VS_QUERY_SIZES", "10000,100000").split(","))
TARGET_RATIO = 1.5
IDLE_SETTLE_S = 3.0
START_TIMEOUT_S = 60.0


# -- the systems ---------------------------------------------------------------------------------------


@dataclass
class System:
    name: str
    url: str
    key: str
    secret: str
    pid: int
    ready_s: float | None = None
    error: str | None = None


def _wait_answers(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/", timeout=1):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.01)
    raise RuntimeError(f"{what} did not answer within {START_TIMEOUT_S:g} s")


@contextlib.contextmanager
def samlite(state_dir: Path) -> Iterator[System]:
    with samlite_started(REPO, "--no-watch", "--state-dir", str(state_dir)) as started:
        env = dict(
            line.removeprefix("export ").split("=", 1)
            for line in (state_dir / "env").read_text().splitlines()
            if "=" in line
        )
        unquote = lambda value: value.strip("'\"")  # noqa: E731
        yield System(
            "samlite",
            started.url,
            unquote(env["AWS_ACCESS_KEY_ID"]),
            unquote(env["AWS_SECRET_ACCESS_KEY"]),
            started.process.pid,
            started.ready_s,
        )


@contextlib.contextmanager
def ministack() -> Iterator[System]:
    command = peers.ministack_command()
    port = peers.free_port()
    env = {**os.environ, "GATEWAY_PORT": str(port), "BIND_HOST": "127.0.0.1"}
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_answers(url, process, "ministack")
        yield System("MiniStack", url, "test", "test", process.pid, time.perf_counter() - started)
    finally:
        _stop(process)


@contextlib.contextmanager
def moto_server() -> Iterator[System]:
    port = peers.free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_answers(url + "/moto-api", process, "moto.server")
        yield System(
            "moto", url, "AKIAIOSFODNN7EXAMPLE", "secret", process.pid, time.perf_counter() - started
        )
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 10 s: a server still busy with a seconds-long call (moto's own Query
    at 100,000 items) must not throw away every figure the run measured."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def pss_mib(pid: int) -> float:
    """Proportional set size of the process and all its descendants (shared pages split fairly)."""
    import psutil

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return float("nan")
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            total += process.memory_full_info().pss
    return total / 2**20


# -- the replay server (the floor) --------------------------------------------------------------------


class _Replay(asyncio.Protocol):
    """Answers every request on the connection with one recorded response, in one write."""

    def __init__(self, response: bytes) -> None:
        self._response = response
        self._buffer = b""
        self._continued = False
        self._transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            length, expect = 0, False
            for line in self._buffer[:end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"expect":
                    expect = True
            if len(self._buffer) < end + 4 + length:
                if expect and not self._continued:
                    self._continued = True
                    self._transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                return
            self._continued = False
            self._buffer = self._buffer[end + 4 + length :]
            self._transport.write(self._response)


def _serve_replays(responses: dict[str, bytes], ports: Any) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        bound = {}
        for name, response in responses.items():
            server = await loop.create_server(lambda r=response: _Replay(r), "127.0.0.1", 0)
            bound[name] = server.sockets[0].getsockname()[1]
        ports.put(bound)
        await asyncio.Event().wait()

    asyncio.run(main())


def _raw_response(status: int, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"HTTP/1.1 {status} OK"]
    lines += [f"{name}: {value}" for name, value in headers.items() if name.lower() != "content-length"]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


# -- the workloads, run in client processes ------------------------------------------------------------


@dataclass
class Fixture:
    """What the workloads use on one system: created once, before any round."""

    bucket: str
    table: str
    query_tables: dict[int, str] = field(default_factory=dict)


def _clients(system: dict[str, str]) -> tuple[Any, Any]:
    import boto3
    from botocore.config import Config

    settings = {
        "endpoint_url": system["url"],
        "region_name": "us-east-1",
        "aws_access_key_id": system["key"],
        "aws_secret_access_key": system["secret"],
        "config": Config(retries={"max_attempts": 1}, read_timeout=120),
    }
    return boto3.client("s3", **settings), boto3.client("dynamodb", **settings)


def _query_page(table: str, size: int, n: int) -> dict[str, Any]:
    middle = f"k{(size // 3 + 7 * n) % (size - 2 * QUERY_PAGE):07d}"
    return live_page(table, QUERY_PAGE, after=middle)


def _operations(s3: Any, ddb: Any, fixture: Fixture, worker: int) -> dict[str, Callable[[int], Any]]:
    bucket, table = fixture.bucket, fixture.table

    def query(size: int) -> Callable[[int], Any]:
        def call(n: int) -> Any:
            response = ddb.query(**_query_page(fixture.query_tables[size], size, n))
            if response["Count"] != QUERY_PAGE:
                raise RuntimeError(f"Query returned {response['Count']} items, not {QUERY_PAGE}")
            return response

        return call

    return {
        "S3 PutObject": lambda n: s3.put_object(Bucket=bucket, Key=f"w{worker}/{n % 100}", Body=BODY),
        "S3 GetObject": lambda n: s3.get_object(Bucket=bucket, Key=f"obj/{n % OBJECTS:03d}")["Body"].read(),
        "S3 HeadObject": lambda n: s3.head_object(Bucket=bucket, Key=f"obj/{n % OBJECTS:03d}"),
        "S3 ListObjectsV2": lambda n: s3.list_objects_v2(Bucket=bucket, Prefix="obj/"),
        "DynamoDB PutItem": lambda n: ddb.put_item(
            TableName=table, Item={"pk": {"S": f"w{worker}-{n % 100}"}, "v": {"S": "x" * 100}}
        ),
        "DynamoDB GetItem": lambda n: ddb.get_item(TableName=table, Key={"pk": {"S": f"item-{n % 100}"}}),
        "DynamoDB UpdateItem (condition)": lambda n: ddb.update_item(
            TableName=table,
            Key={"pk": {"S": f"item-{n % 100}"}},
            UpdateExpression="SET #c = #c + :one",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#c": "count"},
            ExpressionAttributeValues={":one": {"N": "1"}},
        ),
        **{f"DynamoDB Query, page of {QUERY_PAGE} from {size:,}": query(size) for size in QUERY_SIZES},
    }


WORKLOADS = (
    "S3 PutObject",
    "S3 GetObject",
    "S3 HeadObject",
    "S3 ListObjectsV2",
    "DynamoDB PutItem",
    "DynamoDB GetItem",
    "DynamoDB UpdateItem (condition)",
    *(f"DynamoDB Query, page of {QUERY_PAGE} from {size:,}" for size in QUERY_SIZES),
)


def _client_main(worker: int, connection: Any) -> None:
    """A client process: runs (system, fixture, workload, calls) commands sent on `connection`."""
    clients: dict[str, tuple[Any, Any]] = {}
    while True:
        command = connection.recv()
        if command is None:
            return
        system, fixture, workload, calls = command
        if system["url"] not in clients:
            clients[system["url"]] = _clients(system)
        s3, ddb = clients[system["url"]]
        call = _operations(s3, ddb, Fixture(**fixture), worker)[workload]
        try:
            warm_until = time.monotonic() + BUDGET_S / 4
            for n in range(5):  # warm: connection pool, the server's per-service setup
                call(n)
                if time.monotonic() > warm_until:  # a slow call (moto's own Query) warms in one
                    break
        except Exception as error:
            connection.send(("error", f"{type(error).__name__}: {error}"[:300]))
            continue
        connection.send(("ready", None))
        connection.recv()  # go
        began = time.monotonic()
        done, latencies, error = 0, [], None
        try:
            while done < calls and time.monotonic() - began < BUDGET_S:
                before = time.perf_counter()
                call(done)
                latencies.append(time.perf_counter() - before)
                done += 1
        except Exception as err:
            error = f"{type(err).__name__}: {err}"[:300]
        connection.send(("done", (began, time.monotonic(), done, latencies, error)))


class ClientPool:
    """Client processes, forked before any thread exists in this process."""

    def __init__(self, size: int) -> None:
        context = multiprocessing.get_context("fork")
        self._pipes = []
        self._processes = []
        for worker in range(size):
            mine, theirs = context.Pipe()
            process = context.Process(target=_client_main, args=(worker, theirs), daemon=True)
            process.start()
            self._pipes.append(mine)
            self._processes.append(process)

    def run(self, system: System, fixture: Fixture, workload: str, clients: int) -> Result:
        pipes = self._pipes[:clients]
        spec = {"url": system.url, "key": system.key, "secret": system.secret}
        for pipe in pipes:
            pipe.send((spec, fixture.__dict__, workload, CALLS[clients]))
        answers = [pipe.recv() for pipe in pipes]
        errors = [detail for kind, detail in answers if kind == "error"]
        if errors:
            for pipe, (kind, _) in zip(pipes, answers, strict=True):
                if kind == "ready":
                    pipe.send("stop-now")
                    pipe.recv()
            return Result(error=errors[0])
        for pipe in pipes:
            pipe.send("go")
        finished = [pipe.recv()[1] for pipe in pipes]
        began = min(item[0] for item in finished)
        ended = max(item[1] for item in finished)
        calls = sum(item[2] for item in finished)
        latencies = [value for item in finished for value in item[3]]
        error = next((item[4] for item in finished if item[4]), None)
        if error is not None:
            return Result(error=error)
        return Result(rate=calls / (ended - began), p50_ms=statistics.median(latencies) * 1000)

    def close(self) -> None:
        for pipe in self._pipes:
            pipe.send(None)
        for process in self._processes:
            process.join(10)


@dataclass
class Result:
    rate: float | None = None
    p50_ms: float | None = None
    error: str | None = None


# -- set-up on each system (in this process, with its own boto3 clients) ------------------------------


def prepare(system: System) -> tuple[Fixture, dict[int, float]]:
    """Bucket with OBJECTS objects, a table with 100 items, and the Query tables; first Query times."""
    s3, ddb = _clients({"url": system.url, "key": system.key, "secret": system.secret})
    suffix = uuid.uuid4().hex[:8]
    fixture = Fixture(bucket=f"bench-{suffix}", table=f"bench-{suffix}")
    s3.create_bucket(Bucket=fixture.bucket)
    for n in range(OBJECTS):
        s3.put_object(Bucket=fixture.bucket, Key=f"obj/{n:03d}", Body=BODY)
    ddb.create_table(
        TableName=fixture.table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for n in range(100):
        ddb.put_item(
            TableName=fixture.table,
            Item={"pk": {"S": f"item-{n}"}, "v": {"S": "x" * 100}, "count": {"N": "0"}},
        )
    first: dict[int, float] = {}
    for size in QUERY_SIZES:
        name = f"bench-q{size}-{suffix}"
        create_catalog_table(ddb, name)
        _load(system, name, size)
        fixture.query_tables[size] = name
        started = time.perf_counter()
        ddb.query(**_query_page(name, size, 0))
        first[size] = (time.perf_counter() - started) * 1000
    return fixture, first


def _load_part(system: dict[str, str], table: str, numbers: range) -> None:
    _, ddb = _clients(system)
    batch: list[dict[str, Any]] = []
    for n in numbers:
        key = f"k{n:07d}"
        batch.append({"PutRequest": {"Item": catalog_item(key, size=1000 + n, content_type="image/jpeg")}})
        if len(batch) == 25 or n == numbers[-1]:
            pending = {table: batch}
            while pending:
                pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            batch = []


def _load(system: System, table: str, size: int) -> None:
    """BatchWriteItem over HTTP from 4 processes, the same calls on every system."""
    spec = {"url": system.url, "key": system.key, "secret": system.secret}
    context = multiprocessing.get_context("fork")
    parts = [range(start, size, 4) for start in range(4)]
    processes = [context.Process(target=_load_part, args=(spec, table, part)) for part in parts]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"loading {table} failed (exit {process.exitcode})")


def record_responses(system: System, fixture: Fixture) -> dict[str, bytes]:
    """One raw response per workload, as samlite answered it (for the replay server)."""
    s3, ddb = _clients({"url": system.url, "key": system.key, "secret": system.secret})
    recorded: dict[str, bytes] = {}
    last: dict[str, Any] = {}

    def capture(response_dict: dict[str, Any], **_: Any) -> None:
        last.update(response_dict)

    for client in (s3, ddb):
        client.meta.events.register("before-parse", capture)
    operations = _operations(s3, ddb, fixture, 0)
    for workload in WORKLOADS:
        last.clear()
        operations[workload](0)
        body = last["body"]
        if not isinstance(body, bytes):  # GetObject's streaming body
            body = BODY
        recorded[workload] = _raw_response(last["status_code"], dict(last["headers"]), body)
    return recorded


@contextlib.contextmanager
def replay_server(responses: dict[str, bytes]) -> Iterator[dict[str, System]]:
    context = multiprocessing.get_context("fork")
    ports = context.Queue()
    process = context.Process(target=_serve_replays, args=(responses, ports), daemon=True)
    process.start()
    try:
        bound = ports.get(timeout=30)
        yield {
            name: System("floor", f"http://127.0.0.1:{port}", "a", "b", process.pid)
            for name, port in bound.items()
        }
    finally:
        process.kill()
        process.join()


# -- the run -------------------------------------------------------------------------------------------


def start_times() -> dict[str, list[float]]:
    """Spawn to answering, alternated, in fresh processes (samlite: to its `samlite ready` line)."""
    times: dict[str, list[float]] = {"samlite": [], "MiniStack": [], "moto": []}
    with tempfile.TemporaryDirectory(prefix="bench-vs-start-") as scratch:
        for _ in range(START_RUNS):
            with samlite(Path(scratch)) as system:
                times["samlite"].append(system.ready_s or 0.0)
            with ministack() as system:
                times["MiniStack"].append(system.ready_s or 0.0)
            with moto_server() as system:
                times["moto"].append(system.ready_s or 0.0)
    return times


def main() -> None:
    pool = ClientPool(4)  # forked first: no thread exists yet
    figures: dict[tuple[str, int], dict[str, list[Result]]] = {}
    firsts: dict[str, dict[int, float]] = {}
    memory: dict[str, dict[str, float]] = {}
    errors: dict[str, str] = {}
    versions = _versions()
    starts = start_times()
    with contextlib.ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-vs-")))
        systems = [stack.enter_context(samlite(scratch)), stack.enter_context(ministack())]
        systems.append(stack.enter_context(moto_server()))
        time.sleep(IDLE_SETTLE_S)  # let start-up work finish (samlite prewarms after ready)
        for system in systems:
            memory[system.name] = {"idle": pss_mib(system.pid)}
        fixtures: dict[str, Fixture] = {}
        for system in systems:
            try:
                fixtures[system.name], firsts[system.name] = prepare(system)
            except Exception as error:
                errors[system.name] = f"set-up failed: {type(error).__name__}: {error}"[:300]
        floors = stack.enter_context(replay_server(record_responses(systems[0], fixtures["samlite"])))
        runnable = [s for s in systems if s.name in fixtures]
        for workload in WORKLOADS:
            for clients in (1, 4):
                results: dict[str, list[Result]] = {s.name: [] for s in [*runnable, floors[workload]]}
                order = [*runnable, floors[workload]]
                for round_number in range(ROUNDS):
                    rotated = order[round_number % len(order) :] + order[: round_number % len(order)]
                    for system in rotated:
                        fixture = fixtures.get(system.name, fixtures["samlite"])
                        results[system.name].append(pool.run(system, fixture, workload, clients))
                figures[(workload, clients)] = results
                print(f"  {workload}, {clients} client(s) done", file=sys.stderr, flush=True)
        for system in systems:
            memory[system.name]["after"] = pss_mib(system.pid)
    pool.close()
    report(figures, firsts, memory, starts, errors, versions)


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "samlite": f"{version('samlite')} ({commit or 'unknown commit'})",
        "moto": version("moto"),
        "MiniStack": peers.MINISTACK_VERSION,
        "boto3": version("boto3"),
    }


def _median(results: list[Result], attribute: str) -> tuple[float, float, float] | str:
    errors = [r.error for r in results if r.error]
    if errors:
        return errors[0]
    values = [getattr(r, attribute) for r in results]
    return statistics.median(values), min(values), max(values)


def _cell(value: tuple[float, float, float] | str, digits: int = 0) -> str:
    if isinstance(value, str):
        return f"error: {value}"
    median, low, high = value
    return f"{median:.{digits}f} ({low:.{digits}f}-{high:.{digits}f})"


def report(
    figures: dict[tuple[str, int], dict[str, list[Result]]],
    firsts: dict[str, dict[int, float]],
    memory: dict[str, dict[str, float]],
    starts: dict[str, list[float]],
    errors: dict[str, str],
    versions: dict[str, str],
) -> None:
    print("## samlite vs MiniStack vs moto's stock server, same boto3 calls (bench_vs_ministack.py)")
    print()
    print(", ".join(f"{name} {value}" for name, value in versions.items()) + ".")
    print(
        f"Requests/s, median of {ROUNDS} alternated rounds (range); 1 client: {CALLS[1]} calls, 4 client "
        f"processes: {CALLS[4]} calls each (or {BUDGET_S:g} s). samlite runs `samlite start -t "
        "template.yaml` with IAM on. Ratio: median of the per-round samlite / MiniStack ratios. Floor: a "
        "replay server that answers with a response recorded from samlite (the client's own cost); "
        "MiniStack / floor is the highest ratio any server could reach."
    )
    print()
    for name, error in errors.items():
        print(f"- {name}: {error}")
    print(
        "| workload | clients | samlite | MiniStack | moto | floor | samlite / MiniStack | reachable "
        "| target |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for (workload, clients), results in figures.items():
        floor = results.get("floor", [])
        cells = [
            _cell(_median(results.get(name, []), "rate")) if name in results else "n/a"
            for name in ("samlite", "MiniStack", "moto")
        ]
        ratio = _ratio(results.get("samlite", []), results.get("MiniStack", []))
        reachable = _ratio(floor, results.get("MiniStack", []))
        verdict = "n/a" if ratio is None else ("met" if ratio >= TARGET_RATIO else "NOT met")
        print(
            f"| {workload} | {clients} | {' | '.join(cells)} | {_cell(_median(floor, 'rate'))} "
            f"| {_fmt_ratio(ratio)} | {_fmt_ratio(reachable)} | {verdict} (>= {TARGET_RATIO}x) |"
        )
    print()
    print("Query latency (1 client), p50 ms, median of rounds:")
    print()
    print("| items | samlite | MiniStack | moto | samlite first Query after loading |")
    print("|---|---|---|---|---|")
    p50s: dict[int, float] = {}
    for size in QUERY_SIZES:
        results = figures[(f"DynamoDB Query, page of {QUERY_PAGE} from {size:,}", 1)]
        cells = []
        for name in ("samlite", "MiniStack", "moto"):
            value = _median(results.get(name, []), "p50_ms")
            cells.append(_cell(value, 1))
            if name == "samlite" and not isinstance(value, str):
                p50s[size] = value[0]
        first = firsts.get("samlite", {}).get(size)
        print(
            f"| {size:,} | {' | '.join(cells)} | {first:.1f} ms |"
            if first
            else f"| {size:,} | {' | '.join(cells)} | |"
        )
    if len(p50s) == 2:
        small, large = (p50s[size] for size in QUERY_SIZES)
        verdict = "met" if large / small <= 1.2 else "NOT met"
        print()
        print(
            f"- samlite Query p50 {QUERY_SIZES[1]:,} / {QUERY_SIZES[0]:,} items: **{large / small:.2f}x** "
            f"(target <= 1.2x: {verdict})"
        )
    for size, ms in firsts.get("samlite", {}).items():
        print(
            f"- samlite first Query after loading {size:,} items: **{ms:.1f} ms** (target <= 30 ms: "
            f"{'met' if ms <= 30 else 'NOT met'})"
        )
    for name in ("MiniStack", "moto"):
        if firsts.get(name):
            listed = ", ".join(f"{size:,}: {ms:.1f} ms" for size, ms in firsts[name].items())
            print(f"- {name} first Query after loading: {listed}")
    print()
    print("| system | start to answering, median s (range) | idle PSS MiB | PSS after the workloads MiB |")
    print("|---|---|---|---|")
    for name in ("samlite", "MiniStack", "moto"):
        values = starts.get(name, [])
        spent = f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})" if values else "n/a"
        mem = memory.get(name, {})
        print(
            f"| {name} | {spent} | {mem.get('idle', float('nan')):.1f} "
            f"| {mem.get('after', float('nan')):.1f} |"
        )
    print()
    if starts.get("samlite"):
        ready = statistics.median(starts["samlite"])
        print(
            f"- samlite start to ready on template.yaml: **{ready:.2f} s** (target <= 0.5 s: "
            f"{'met' if ready <= 0.5 else 'NOT met'}); MiniStack starts empty"
        )
    idle = memory.get("samlite", {}).get("idle")
    if idle is not None:
        print(
            f"- samlite idle PSS (process tree): **{idle:.1f} MiB** (target <= 70 MiB: "
            f"{'met' if idle <= 70 else 'NOT met'})"
        )


def _ratio(ours: list[Result], theirs: list[Result]) -> float | None:
    pairs = [(a.rate, b.rate) for a, b in zip(ours, theirs, strict=False) if a.rate and b.rate]
    return statistics.median(a / b for a, b in pairs) if pairs else None


def _fmt_ratio(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio:.2f}x"


if __name__ == "__main__":
    main()
