"""`samlite start --persist` killed with SIGKILL while stream mappings run: what is delivered again.

A mapping's position is saved with each snapshot (`samlite.persistence.mapping_positions`), so a
`kill -9` between two snapshots loses only the positions reached since the last one: the next start
delivers again exactly the saved records the last snapshot did not have as done, the newest of what
was delivered (at least once, as Lambda documents for stream event sources: "Lambda event source
mappings", functions must be idempotent), and never what it had as done.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

FIXTURE = Path(__file__).resolve().parents[1] / "persist_streams_fixtures"
INTERVAL_S = 1.0
TIMEOUT_S = 60


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    return tmp_path


def _start(project: Path, stack: str, deliveries: Path) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "samlite", "start", "--persist", "--persist-interval", str(INTERVAL_S)]
    command += ["--port", "0", "--no-watch", "--no-console", "--stack-name", stack]
    command += ["--parameter-overrides", f"DeliveryLog={deliveries}"]
    process = subprocess.Popen(
        command,
        cwd=project,
        env={**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    found: list[str] = []
    output: list[str] = []
    assert process.stdout is not None
    stdout = process.stdout

    def read() -> None:
        for line in stdout:  # drained to the end: samlite never blocks on a full pipe
            output.append(line)
            if line.startswith("samlite ready"):
                found.append(line.split()[2])

    threading.Thread(target=read, daemon=True).start()
    _wait(lambda: bool(found) or process.poll() is not None, f"samlite to get ready: {output}")
    if not found:
        raise AssertionError(f"samlite did not start: {''.join(output)}")
    return process, found[0]


def _wait(condition: Any, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():
        assert time.monotonic() < deadline, f"waited {TIMEOUT_S} s for {what}"
        time.sleep(0.05)


def _clients(project: Path, url: str) -> tuple[Any, Any]:
    env = dict(
        line.removeprefix("export ").split("=", 1)
        for line in (project / ".samlite" / "env").read_text().splitlines()
    )
    env = {name: shlex.split(value)[0] for name, value in env.items()}
    session = boto3.Session(
        region_name="us-east-1",
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    config = Config(retries={"max_attempts": 1})
    return session.client("kinesis", endpoint_url=url, config=config), session.client(
        "dynamodb", endpoint_url=url, config=config
    )


def _lines(deliveries: Path) -> list[tuple[str, str]]:
    """(source, what) of each record delivered, in order: ("kinesis", "a0"), ("dynamodb", "a0")..."""
    if not deliveries.exists():
        return []
    return [(source, name) for source, _, name in _records(deliveries)]


def _records(deliveries: Path) -> list[tuple[str, str, str]]:
    """(source, sequence number, what) of each record delivered, in order."""
    return [tuple(line.split()) for line in deliveries.read_text().splitlines() if line]  # type: ignore[misc]


def _section(project: Path, name: str) -> dict[str, Any]:
    """One section of the last snapshot, as the state folder holds it ({} while there is none)."""
    state = project / ".samlite" / "state"
    try:
        manifest = json.loads((state / "manifest.json").read_text())
        return dict(json.loads((state / manifest["sections"][name]["file"]).read_text()))
    except (OSError, KeyError, ValueError):
        return {}


def _positions(project: Path) -> dict[str, int]:
    """Each mapping's saved position by source kind (one shard, one lane each), in the last snapshot."""
    kinds = {"AWS::Kinesis::Stream": "kinesis", "AWS::DynamoDB::Table": "dynamodb"}
    return {
        kinds[mapping["source_type"]]: int(lanes[0])
        for mapping in _section(project, "lambda_mappings").get("mappings", [])
        for lanes in mapping["shards"].values()
    }


def _saved_records(project: Path) -> set[tuple[str, str]]:
    """(source, sequence number) of every stream record in the last snapshot."""
    saved = {
        ("kinesis", record["sequence_number"])
        for stream in _section(project, "kinesis").get("streams", [])
        for shard in stream["shards"]
        for record in shard["records"]
    }
    saved |= {
        ("dynamodb", str(record["dynamodb"]["SequenceNumber"]))
        for table in _section(project, "dynamodb").get("tables", [])
        for record in table["stream_records"]
    }
    return saved


def _put(kinesis: Any, dynamodb: Any, stream: str, table: str, name: str) -> None:
    dynamodb.put_item(TableName=table, Item={"pk": {"S": name}})
    # One partition key: one shard, so that a record's delivery means every earlier one was delivered.
    kinesis.put_record(StreamName=stream, Data=name.encode(), PartitionKey="one")


def test_kill_9_redelivers_at_most_what_came_after_the_last_snapshot(project: Path) -> None:
    stack = f"kill-positions-{uuid.uuid4().hex[:8]}"
    deliveries = project / "deliveries.log"
    process, url = _start(project, stack, deliveries)
    try:
        outputs = json.loads((project / ".samlite" / "outputs.json").read_text())
        stream, table = outputs["StreamName"], outputs["TableName"]
        kinesis, dynamodb = _clients(project, url)
        for name in ("a0", "a1", "a2"):
            _put(kinesis, dynamodb, stream, table, name)
        _wait(lambda: len(_lines(deliveries)) == 6, "the first records to be delivered")
        # The last record takes 2.5 s: snapshots taken meanwhile hold it, but not as done.
        for name in ("b0", "b1", "slow2"):
            _put(kinesis, dynamodb, stream, table, name)
        _wait(lambda: len(_lines(deliveries)) == 12, "the second records to be delivered")
        os.kill(process.pid, signal.SIGKILL)  # between two snapshots, most likely before the next
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    before = _records(deliveries)
    # What the next start must deliver again: records the last snapshot kept but not as done.
    positions, saved = _positions(project), _saved_records(project)
    expected = sorted(
        (source, name)
        for source, sequence, name in before
        if (source, sequence) in saved and int(sequence) > positions.get(source, 0)
    )

    process, url = _start(project, stack, deliveries)
    try:
        kinesis, dynamodb = _clients(project, url)
        _put(kinesis, dynamodb, stream, table, "c0")
        _wait(
            lambda: {("kinesis", "c0"), ("dynamodb", "c0")} <= set(_lines(deliveries)),
            "the record put after the restart to be delivered",
        )
        again = _lines(deliveries)[len(before) :]
        redelivered = sorted(entry for entry in again if entry[1] != "c0")
        print(
            f"\nkill -9 with --persist-interval {INTERVAL_S:g}: {len(before)} records delivered before, "
            f"{len(redelivered)} delivered again after the restart: {redelivered}"
        )
        assert set(positions) == {"kinesis", "dynamodb"}, "the snapshot kept no mapping position"
        assert redelivered == expected
        for source in ("kinesis", "dynamodb"):  # what comes again is the newest of what came before
            done = [name for kind, _, name in before if kind == source]
            again_here = [name for kind, name in again if kind == source and name != "c0"]
            assert again_here == done[len(done) - len(again_here) :]
        assert again.count(("kinesis", "c0")) == 1 and again.count(("dynamodb", "c0")) == 1
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
