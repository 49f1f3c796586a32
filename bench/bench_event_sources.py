"""Polled triggers: SQS send and table write to handler start, and SQS messages/s (issue 9, "Speed").

Topology as a developer has it: `samlite start` runs in its own process (IAM on, warm workers); this
process is the user's tool. The handler stamps the moment it starts with the monotonic clock (shared
by all processes on Linux) and sends the stamp to this process in a UDP datagram, so nothing polls the
endpoint being measured.

Figures, each against a baseline measured in the same run on the same endpoint:
- SQS send to handler start (p50, p95): SendMessage to a queue with a mapping, until the handler
  starts. Baseline: the same SDK calls made directly, SendMessage then ReceiveMessage on a queue with
  no mapping (what the user and Lambda's poller call).
- Table write to stream handler start (p50, p95): PutItem on a table whose stream a mapping reads.
  Baseline: PutItem then DynamoDB Streams GetRecords on a table with no mapping.
- Messages/s through an SQS mapping with batch size 10: 500 messages sent with SendMessageBatch, until
  the handler has seen all. Baseline: SendMessageBatch, ReceiveMessage (10) and DeleteMessageBatch
  in a loop, directly.
samlite's own overhead is the ratio of the two (target at most 1.2x). MiniStack (`bench/peers.py`)
does the same work with the same handler and mappings created through its Lambda API; a workload it
cannot do is reported with its error. Rounds alternate samlite / baseline (the machine is shared).
"""

from __future__ import annotations

import io
import json
import shlex
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peers import PeerUnavailable, running_ministack
from samlite_start import samlite_started

REPO = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.2
LATENCY_SAMPLES = 40  # per round
ROUNDS = 2
WARMUP = 5
THROUGHPUT_MESSAGES = 500
STAMP_TIMEOUT_S = 30.0

HANDLER = """\
import json
import os
import shlex
import socket
import time

_SOCKET = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
_TARGET = ("127.0.0.1", int(os.environ["STAMP_PORT"]))


def handler(event, context):
    started = time.monotonic()
    keys = []
    for record in event.get("Records", []):
        if "body" in record:
            keys.append(record["body"])
        else:
            keys.append(record["dynamodb"]["Keys"]["id"]["S"])
    _SOCKET.sendto(json.dumps([keys, started]).encode(), _TARGET)
    return {"batchItemFailures": []}
"""

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  StampPort: {Type: String}
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Items:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      StreamSpecification: {StreamViewType: NEW_IMAGE}
  Consumer:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: code/
      MemorySize: 256
      Environment: {Variables: {STAMP_PORT: !Ref StampPort}}
      Events:
        Jobs: {Type: SQS, Properties: {Queue: !GetAtt Jobs.Arn, BatchSize: 10}}
        Items:
          Type: DynamoDB
          Properties: {Stream: !GetAtt Items.StreamArn, StartingPosition: LATEST, BatchSize: 10}
Outputs:
  JobsUrl: {Value: !Ref Jobs}
  ItemsTable: {Value: !Ref Items}
"""


class Stamps:
    """Receives the handler's datagrams: each key and the monotonic time its invocation started."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.port = int(self.socket.getsockname()[1])
        self._lock = threading.Condition()
        self._seen: dict[str, float] = {}
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            data, _ = self.socket.recvfrom(65536)
            keys, started = json.loads(data)
            with self._lock:
                for key in keys:
                    self._seen.setdefault(key, started)
                self._lock.notify_all()

    def wait(self, keys: list[str], timeout: float = STAMP_TIMEOUT_S) -> list[float]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while not all(key in self._seen for key in keys):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    missing = [key for key in keys if key not in self._seen]
                    raise TimeoutError(f"{len(missing)} of {len(keys)} never reached the handler")
                self._lock.wait(remaining)
            return [self._seen[key] for key in keys]


def _client(service: str, url: str, env: dict[str, str]) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=env.get("AWS_SESSION_TOKEN"),
        config=Config(retries={"max_attempts": 1}),
    )


@dataclass
class Target:
    """One emulator with the queue and table a mapping reads, and plain ones for the baselines."""

    name: str
    url: str
    env: dict[str, str]
    jobs_url: str
    table: str
    clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        if service not in self.clients:
            self.clients[service] = _client(service, self.url, self.env)
        return self.clients[service]


@contextmanager
def samlite_target(stamps: Stamps) -> Iterator[Target]:
    with tempfile.TemporaryDirectory(prefix="bench-event-sources-") as directory:
        project = Path(directory)
        (project / "code").mkdir()
        (project / "code" / "app.py").write_text(HANDLER)
        (project / "template.yaml").write_text(TEMPLATE)
        with samlite_started(project, "--no-watch", "--parameter-overrides", f"StampPort={stamps.port}"):
            env = {}
            for line in (project / ".samlite" / "env").read_text().splitlines():
                name, _, value = line.removeprefix("export ").partition("=")
                env[name] = shlex.split(value)[0] if value else ""
            outputs = json.loads((project / ".samlite" / "outputs.json").read_text())
            yield Target("samlite", env["AWS_ENDPOINT_URL"], env, outputs["JobsUrl"], outputs["ItemsTable"])


@contextmanager
def ministack_target(stamps: Stamps) -> Iterator[Target]:
    with running_ministack() as url:
        env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
        target = Target("MiniStack", url, env, "", "")
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr("app.py", HANDLER)
        functions = target.client("lambda")
        functions.create_function(
            FunctionName="consumer",
            Runtime="python3.12",
            Role="arn:aws:iam::000000000000:role/consumer",
            Handler="app.handler",
            Code={"ZipFile": archive.getvalue()},
            Environment={"Variables": {"STAMP_PORT": str(stamps.port)}},
            Timeout=30,
            MemorySize=256,
        )
        sqs = target.client("sqs")
        target.jobs_url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=target.jobs_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]
        functions.create_event_source_mapping(
            FunctionName="consumer", EventSourceArn=queue_arn["QueueArn"], BatchSize=10
        )
        target.table = "items"
        created = target.client("dynamodb").create_table(**_table_spec("items"))
        functions.create_event_source_mapping(
            FunctionName="consumer",
            EventSourceArn=created["TableDescription"]["LatestStreamArn"],
            StartingPosition="LATEST",
            BatchSize=10,
        )
        time.sleep(1.0)  # let its pollers find the new mappings
        yield target


def _table_spec(name: str) -> dict[str, Any]:
    return {
        "TableName": name,
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    }


# -- the workloads -----------------------------------------------------------------------------------


def sqs_to_handler(target: Target, stamps: Stamps, count: int) -> list[float]:
    sqs = target.client("sqs")
    latencies = []
    for _ in range(count):
        key = f"m-{uuid.uuid4().hex}"
        started = time.monotonic()
        sqs.send_message(QueueUrl=target.jobs_url, MessageBody=key)
        (reached,) = stamps.wait([key])
        latencies.append((reached - started) * 1000)
    return latencies


def sqs_direct(target: Target, queue_url: str, count: int) -> list[float]:
    sqs = target.client("sqs")
    latencies = []
    for _ in range(count):
        started = time.monotonic()
        sqs.send_message(QueueUrl=queue_url, MessageBody="x")
        while not (got := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages")):
            pass
        latencies.append((time.monotonic() - started) * 1000)
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=got[0]["ReceiptHandle"])
    return latencies


def write_to_handler(target: Target, stamps: Stamps, count: int) -> list[float]:
    dynamodb = target.client("dynamodb")
    latencies = []
    for _ in range(count):
        key = f"d-{uuid.uuid4().hex}"
        started = time.monotonic()
        dynamodb.put_item(TableName=target.table, Item={"id": {"S": key}})
        (reached,) = stamps.wait([key])
        latencies.append((reached - started) * 1000)
    return latencies


def write_direct(target: Target, table: str, count: int) -> list[float]:
    dynamodb = target.client("dynamodb")
    streams = target.client("dynamodbstreams")
    arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")[
        "ShardIterator"
    ]
    latencies = []
    for _ in range(count):
        started = time.monotonic()
        dynamodb.put_item(TableName=table, Item={"id": {"S": uuid.uuid4().hex}})
        while True:
            answer = streams.get_records(ShardIterator=iterator)
            iterator = answer["NextShardIterator"]
            if answer["Records"]:
                break
        latencies.append((time.monotonic() - started) * 1000)
    return latencies


def throughput(target: Target, stamps: Stamps) -> float:
    sqs = target.client("sqs")
    keys = [f"t-{uuid.uuid4().hex}" for _ in range(THROUGHPUT_MESSAGES)]
    started = time.monotonic()
    for first in range(0, len(keys), 10):
        entries = [{"Id": str(i), "MessageBody": key} for i, key in enumerate(keys[first : first + 10])]
        sqs.send_message_batch(QueueUrl=target.jobs_url, Entries=entries)
    reached = stamps.wait(keys, timeout=120)
    return len(keys) / (max(reached) - started)


def throughput_direct(target: Target, queue_url: str) -> float:
    sqs = target.client("sqs")
    started = time.monotonic()
    for _ in range(THROUGHPUT_MESSAGES // 10):
        sqs.send_message_batch(
            QueueUrl=queue_url, Entries=[{"Id": str(i), "MessageBody": "x"} for i in range(10)]
        )
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)],
        )
    return THROUGHPUT_MESSAGES / (time.monotonic() - started)


# -- measuring ---------------------------------------------------------------------------------------


@dataclass
class Figures:
    sqs_ms: list[float] = field(default_factory=list)
    write_ms: list[float] = field(default_factory=list)
    rate: float = 0.0
    error: str | None = None


def p(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def measure_samlite(stamps: Stamps) -> tuple[Figures, Figures]:
    mine, direct = Figures(), Figures()
    with samlite_target(stamps) as target:
        sqs = target.client("sqs")
        plain_queue = sqs.create_queue(QueueName=f"plain-{uuid.uuid4().hex[:8]}")["QueueUrl"]
        plain_table = f"plain-{uuid.uuid4().hex[:8]}"
        target.client("dynamodb").create_table(**_table_spec(plain_table))
        sqs_to_handler(target, stamps, WARMUP)
        write_to_handler(target, stamps, WARMUP)
        sqs_direct(target, plain_queue, WARMUP)
        write_direct(target, plain_table, WARMUP)
        rates, direct_rates = [], []
        for _ in range(ROUNDS):
            mine.sqs_ms += sqs_to_handler(target, stamps, LATENCY_SAMPLES)
            direct.sqs_ms += sqs_direct(target, plain_queue, LATENCY_SAMPLES)
            mine.write_ms += write_to_handler(target, stamps, LATENCY_SAMPLES)
            direct.write_ms += write_direct(target, plain_table, LATENCY_SAMPLES)
            rates.append(throughput(target, stamps))
            direct_rates.append(throughput_direct(target, plain_queue))
        mine.rate, direct.rate = max(rates), max(direct_rates)
    return mine, direct


def measure_ministack(stamps: Stamps) -> Figures:
    figures = Figures()
    errors: list[str] = []
    try:
        with ministack_target(stamps) as target:
            workloads: list[tuple[str, Callable[[], None], Callable[[], None]]] = [
                (
                    "SQS",
                    lambda: sqs_to_handler(target, stamps, WARMUP) and None,
                    lambda: figures.sqs_ms.extend(sqs_to_handler(target, stamps, LATENCY_SAMPLES)),
                ),
                (
                    "DynamoDB stream",
                    lambda: write_to_handler(target, stamps, WARMUP) and None,
                    lambda: figures.write_ms.extend(write_to_handler(target, stamps, LATENCY_SAMPLES)),
                ),
                (
                    "SQS throughput",
                    lambda: None,
                    lambda: setattr(figures, "rate", throughput(target, stamps)),
                ),
            ]
            for name, warm_up, run in workloads:
                try:
                    warm_up()
                    run()
                except Exception as error:  # a workload it cannot do is reported, not hidden
                    errors.append(f"{name}: {type(error).__name__}: {error}")
    except PeerUnavailable as error:
        errors.append(str(error))
    except Exception as error:
        errors.append(f"setting up: {type(error).__name__}: {error}")
    figures.error = "; ".join(errors) or None
    return figures


def _row(label: str, values: list[float], baseline: list[float] | None) -> str:
    if not values:
        return f"| {label} | | | | |"
    ratio = f"{p(values, 50) / p(baseline, 50):.2f}x" if baseline else ""
    base = f"{p(baseline, 50):.1f} / {p(baseline, 95):.1f}" if baseline else ""
    return f"| {label} | {p(values, 50):.1f} / {p(values, 95):.1f} | {base} | {ratio} | {len(values)} |"


def main() -> None:
    stamps = Stamps()
    mine, direct = measure_samlite(stamps)
    peer = measure_ministack(stamps)
    print("## Polled triggers: send or write to handler start, SQS messages/s (bench_event_sources.py)\n")
    print(
        "`samlite start` in its own process (IAM on, warm workers); the handler stamps its start with the "
        "monotonic clock and sends it over UDP. Baselines: the same SDK calls made directly on the same "
        "endpoint (SendMessage + ReceiveMessage; PutItem + DynamoDB Streams GetRecords; SendMessageBatch + "
        "ReceiveMessage + DeleteMessageBatch), in alternating rounds.\n"
    )
    print("| path | p50 / p95 ms | baseline p50 / p95 ms | p50 ratio | samples |")
    print("|---|---|---|---|---|")
    print(_row("samlite: SQS SendMessage -> handler start", mine.sqs_ms, direct.sqs_ms))
    print(_row("samlite: PutItem -> stream handler start", mine.write_ms, direct.write_ms))
    print(_row("MiniStack: SQS SendMessage -> handler start", peer.sqs_ms, None))
    print(_row("MiniStack: PutItem -> stream handler start", peer.write_ms, None))
    print()
    print("| SQS mapping, batch size 10 | messages/s |")
    print("|---|---|")
    print(f"| samlite ({THROUGHPUT_MESSAGES} messages) | {mine.rate:.0f} |")
    print(f"| the same SQS calls made directly | {direct.rate:.0f} |")
    print(f"| MiniStack | {peer.rate:.0f} |" if peer.rate else "| MiniStack | (none) |")
    print()
    sqs_ratio = p(mine.sqs_ms, 50) / p(direct.sqs_ms, 50)
    write_ratio = p(mine.write_ms, 50) / p(direct.write_ms, 50)
    rate_ratio = direct.rate / mine.rate if mine.rate else float("inf")
    for name, ratio in (
        ("SQS latency", sqs_ratio),
        ("stream latency", write_ratio),
        ("SQS throughput", rate_ratio),
    ):
        verdict = "meets" if ratio <= TARGET_RATIO else "misses"
        print(f"- {name}: samlite's overhead **{ratio:.2f}x** ({verdict} the target: <= {TARGET_RATIO}x)")
    if peer.sqs_ms and mine.sqs_ms:
        print(f"- MiniStack / samlite SQS p50: {p(peer.sqs_ms, 50) / p(mine.sqs_ms, 50):.1f}x")
    if peer.write_ms and mine.write_ms:
        print(f"- MiniStack / samlite stream p50: {p(peer.write_ms, 50) / p(mine.write_ms, 50):.1f}x")
    if peer.error:
        print(f"- MiniStack could not do every workload: {peer.error}")


if __name__ == "__main__":
    main()
