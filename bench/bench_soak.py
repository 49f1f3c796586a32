"""Soak: 8 uploaders for 60 s of every kind of write on the versioned uploads bucket, with worker kills.

template.yaml on samlite (IAM on) in its own process (catalog_load.py). Eight uploader threads share
64 keys, so the same keys are overwritten, copied over and deleted concurrently: PUTs (images and
other bytes, 0-8 KiB), CopyObject from another key, single-part multipart uploads, DeleteObject
(delete markers) and DeleteObjects of 2-4 keys. Every 4 s a function worker is killed (SIGKILL, as an
out-of-memory kill would), and once, half-way, the fork server that starts the workers.

Figures: writes and events (catalog invocations, retries included); upload-to-catalogued p50 / p99
(from the start of a write to the catalog's first outcome for the version it made: the event carries
its versionId); once idle, mismatches between what the bucket serves and what the catalog says for
every key (HEAD against the catalog entry: current version's ETag, size and version id, or a
tombstone when there is no current object), which must be 0; dead-lettered events (the DLQ's
messages); spurious timeouts (the function's Timeout is 30 s, so any is spurious), which must be 0;
the peak RSS of the cloud process and its workers.
"""

from __future__ import annotations

import random
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))

from botocore.exceptions import ClientError
from catalog_load import CatalogCloud, ProcessTreeMemory, kill, percentile, worker_pids
from generated_images import png

UPLOADERS = 8
DURATION_S = 60.0
KEYS = [f"soak/{index:02d}.bin" for index in range(64)]
KILL_EVERY_S = 4.0
IDLE_TIMEOUT_S = 600.0
OPERATIONS = ("put", "put", "put", "copy", "multipart", "delete", "delete", "batch-delete")


@dataclass
class Write:
    """One write that made a version (or delete marker): when it started, which version it made."""

    kind: str
    key: str
    version_id: str
    started: float


@dataclass
class Tally:
    writes: list[Write] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def made(self, kind: str, key: str, version_id: str | None, started: float) -> None:
        with self.lock:
            self.kinds[kind] += 1
            if version_id:
                self.writes.append(Write(kind, key, version_id, started))


def _body(rng: random.Random) -> tuple[bytes, str]:
    if rng.random() < 0.3:
        return png(rng.randrange(1, 64), rng.randrange(1, 64)), "image/png"
    return rng.randbytes(rng.randrange(0, 8192)), "application/octet-stream"


def uploader(cloud: CatalogCloud, number: int, stop_at: float, tally: Tally) -> None:
    s3 = cloud.client("s3")
    bucket = cloud.bucket
    rng = random.Random(number)
    while time.monotonic() < stop_at:
        kind = rng.choice(OPERATIONS)
        key = rng.choice(KEYS)
        started = time.monotonic()
        try:
            if kind == "put":
                body, content_type = _body(rng)
                answer = s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
                tally.made(kind, key, answer.get("VersionId"), started)
            elif kind == "copy":
                source = {"Bucket": bucket, "Key": rng.choice(KEYS)}
                answer = s3.copy_object(Bucket=bucket, Key=key, CopySource=source)
                tally.made(kind, key, answer.get("VersionId"), started)
            elif kind == "multipart":
                body, content_type = _body(rng)
                upload = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType=content_type)
                part = s3.upload_part(
                    Bucket=bucket, Key=key, UploadId=upload["UploadId"], PartNumber=1, Body=body
                )
                answer = s3.complete_multipart_upload(
                    Bucket=bucket,
                    Key=key,
                    UploadId=upload["UploadId"],
                    MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]},
                )
                tally.made(kind, key, answer.get("VersionId"), started)
            elif kind == "delete":
                answer = s3.delete_object(Bucket=bucket, Key=key)
                tally.made(kind, key, answer.get("VersionId"), started)
            else:
                doomed = rng.sample(KEYS, rng.randrange(2, 5))
                answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in doomed]})
                for deleted in answer.get("Deleted", []):
                    tally.made(kind, deleted["Key"], deleted.get("DeleteMarkerVersionId"), started)
        except ClientError as error:  # copying a key without a current object: S3 refuses it
            with tally.lock:
                tally.refused[f"{kind}: {error.response['Error']['Code']}"] += 1


def killer(cloud: CatalogCloud, stop_at: float, kills: Counter[str]) -> None:
    """Kill a random function worker every KILL_EVERY_S, and the fork server once, half-way."""
    rng = random.Random(7)
    fork_server_due = time.monotonic() + DURATION_S / 2
    while time.monotonic() < stop_at:
        time.sleep(KILL_EVERY_S)  # the pace of the faults, not a synchronisation
        if time.monotonic() >= fork_server_due and kills["fork server"] == 0:
            import psutil

            for child in psutil.Process(cloud.pid).children():
                if "fork_server_main" in " ".join(child.cmdline()) and kill(child.pid):
                    kills["fork server"] += 1
            continue
        workers = worker_pids(cloud.pid)
        if workers and kill(rng.choice(workers)):
            kills["worker"] += 1


def mismatches(cloud: CatalogCloud) -> list[str]:
    """Keys whose catalog entry does not describe what the bucket serves now."""
    s3, ddb = cloud.client("s3"), cloud.client("dynamodb")
    wrong = []
    for key in KEYS:
        try:
            head = s3.head_object(Bucket=cloud.bucket, Key=key)
            served: dict[str, Any] | None = {
                "etag": head["ETag"].strip('"'),
                "size": str(head["ContentLength"]),
                "version_id": head["VersionId"],
            }
        except ClientError:
            served = None
        item = ddb.get_item(
            TableName=cloud.table, Key={"bucket": {"S": cloud.bucket}, "key": {"S": key}}, ConsistentRead=True
        ).get("Item")
        entry = {name: next(iter(value.values())) for name, value in (item or {}).items()}
        if served is None:
            if item is not None and not entry.get("deleted"):
                wrong.append(f"{key}: no current object, catalog {entry}")
        elif item is None or entry.get("deleted") or any(entry.get(n) != v for n, v in served.items()):
            wrong.append(f"{key}: bucket {served}, catalog {entry}")
    return wrong


def dead_lettered(cloud: CatalogCloud) -> int:
    sqs = cloud.client("sqs")
    attributes = sqs.get_queue_attributes(
        QueueUrl=cloud.dead_letter_queue,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def latencies_ms(cloud: CatalogCloud, writes: list[Write]) -> tuple[list[float], int]:
    """Per write, from its start to the catalog's first outcome for the event of its version."""
    by_request = {d.request_id: d for d in cloud.invocations()}
    first_outcome: dict[tuple[str, str], float] = {}
    for outcome in cloud.outcomes:
        delivered = by_request.get(outcome.request_id or "")
        if delivered is not None and delivered.version_id:
            first_outcome.setdefault((delivered.key, delivered.version_id), outcome.at)
    found = [
        (first_outcome[(w.key, w.version_id)] - w.started) * 1000
        for w in writes
        if (w.key, w.version_id) in first_outcome
    ]
    return found, len(writes) - len(found)


def main() -> None:
    tally, kills = Tally(), Counter[str]()
    with CatalogCloud() as cloud, ProcessTreeMemory(cloud.pid) as memory:
        stop_at = time.monotonic() + DURATION_S
        threads = [
            threading.Thread(target=uploader, args=(cloud, number, stop_at, tally))
            for number in range(UPLOADERS)
        ]
        threads.append(threading.Thread(target=killer, args=(cloud, stop_at, kills)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        idle = cloud.wait_idle(IDLE_TIMEOUT_S)
        wrong = mismatches(cloud)
        dlq = dead_lettered(cloud)
        latencies, unmatched = latencies_ms(cloud, tally.writes)
        events = len(cloud.invocations())
        lines = cloud.samlite_lines()
        timeouts = list(cloud.timeouts)
    writes = sum(tally.kinds.values())
    print("## Soak: 8 uploaders, 60 s, every kind of write, worker kills (bench_soak.py)\n")
    print(
        f"template.yaml on samlite (IAM on, flow control on) in its own process; {UPLOADERS} uploaders share "
        f"{len(KEYS)} keys of the versioned uploads bucket for {DURATION_S:g} s; a worker killed every "
        f"{KILL_EVERY_S:g} s and the fork server once.\n"
    )
    print("| figure | value |")
    print("|---|---|")
    print(
        f"| writes (by kind) | {writes} ({', '.join(f'{k} {n}' for k, n in sorted(tally.kinds.items()))}) |"
    )
    print(f"| refused by S3 (expected: copies of deleted keys) | {sum(tally.refused.values())} |")
    print(f"| events (catalog invocations, retries included) | {events} |")
    p50 = statistics.median(latencies) if latencies else float("nan")
    print(f"| upload-to-catalogued p50 / p99 ms | {p50:.0f} / {percentile(latencies, 0.99):.0f} |")
    print(f"| versions never catalogued (their event dead-lettered) | {unmatched} |")
    print(f"| **mismatches bucket vs catalog after idle** | **{len(wrong)}** |")
    print(f"| dead-lettered events | {dlq} |")
    print(f"| **spurious timeouts** | **{len(timeouts)}** |")
    print(f"| kills | {kills['worker']} workers, {kills['fork server']} fork server |")
    print(f"| peak RSS, cloud process and workers | {memory.peak_mib:.0f} MiB |")
    print(f"| idle within {IDLE_TIMEOUT_S:g} s | {idle} |")
    for line in wrong[:5]:
        print(f"\n- mismatch: {line}")
    held = [line for line in lines if "flow control" in line]
    if held:
        print(f"\n- {held[0].removeprefix('samlite: ')}")
    if wrong or timeouts:
        sys.exit(1)


if __name__ == "__main__":
    main()
