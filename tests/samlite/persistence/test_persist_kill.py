"""`samlite start --persist` killed with SIGKILL: what the next start finds, and how much was lost.

The bound is documented in `samlite.persistence.persister`: a `kill -9` loses what changed since the
last snapshot, at most `--persist-interval` seconds of work plus the snapshot being written. This
test writes objects without pause, kills samlite mid-stream, restarts it and measures the window of
acknowledged writes that are missing (printed; the bound checked is generous, the machine is shared).
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

import boto3
import pytest
from botocore.config import Config

FIXTURE = Path(__file__).resolve().parents[1] / "persistence_fixtures"
INTERVAL_S = 0.5
READY_TIMEOUT_S = 60


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    return tmp_path


def _start(project: Path, stack: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "samlite",
            "start",
            "--persist",
            "--persist-interval",
            str(INTERVAL_S),
            "--port",
            "0",
            "--no-watch",
            "--no-console",
            "--stack-name",
            stack,
        ],
        cwd=project,
        env={**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    found: list[str] = []
    assert process.stdout is not None
    stdout = process.stdout

    def read() -> None:
        for line in stdout:
            if line.startswith("samlite ready"):
                found.append(line.split()[2])
            # keep draining so that samlite never blocks on a full pipe

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not found:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(
                f"samlite did not get ready: {process.stderr.read() if process.stderr else ''}"
            )
        time.sleep(0.05)
    return process, found[0]


def _client(project: Path, url: str) -> object:
    env = dict(
        line.removeprefix("export ").split("=", 1)
        for line in (project / ".samlite" / "env").read_text().splitlines()
    )
    env = {name: shlex.split(value)[0] for name, value in env.items()}
    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        config=Config(retries={"max_attempts": 1}),
    )


def test_kill_9_loses_at_most_the_persist_interval(project: Path) -> None:
    stack = f"kill-{uuid.uuid4().hex[:8]}"
    process, url = _start(project, stack)
    try:
        bucket = json.loads((project / ".samlite" / "outputs.json").read_text())["BucketName"]
        s3 = _client(project, url)
        acknowledged: list[tuple[int, float]] = []  # (object number, when its PUT was answered)
        manifest = project / ".samlite" / "state" / "manifest.json"
        number = 0
        started = time.monotonic()
        # Write for at least a few snapshots, then kill mid-stream.
        while time.monotonic() - started < 4 * INTERVAL_S + 1 or not manifest.exists():
            s3.put_object(Bucket=bucket, Key=f"obj-{number:06d}", Body=f"body {number}".encode() * 50)
            acknowledged.append((number, time.monotonic()))
            number += 1
        killed_at = time.monotonic()
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)

    process, url = _start(project, stack)
    try:
        s3 = _client(project, url)
        keys = set()
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            keys.update(item["Key"] for item in page.get("Contents", []))
        restored = {int(key.removeprefix("obj-")) for key in keys}
        assert restored, "nothing was restored"
        # What was restored is a prefix of what was written (snapshots are whole, in write order) ...
        assert restored == set(range(max(restored) + 1))
        newest = max(restored)
        body = s3.get_object(Bucket=bucket, Key=f"obj-{newest:06d}")["Body"].read()
        assert body == f"body {newest}".encode() * 50
        # ... and what is missing was acknowledged within the last interval (plus the snapshot's time).
        lost = [(n, at) for n, at in acknowledged if n not in restored]
        window = killed_at - lost[0][1] if lost else 0.0
        print(
            f"\nkill -9 with --persist-interval {INTERVAL_S:g}: {len(acknowledged)} objects written, "
            f"{len(lost)} lost, loss window {window:.2f} s"
        )
        assert window <= INTERVAL_S + 3.0, f"lost {len(lost)} writes over {window:.2f} s"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
