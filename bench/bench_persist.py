"""`--persist`: what a snapshot costs, what a restart with saved state costs, next to no saved state.

On the repository's template.yaml in this process (port 0, IAM on):
1. put N objects (1 KiB each) into the uploads bucket through the endpoint; the catalog function
   writes one table item per object;
2. time `save()`: the first snapshot (every object's bytes written), one with nothing changed (nothing
   written), and one after 100 more objects (only their bytes and the changed sections written);
3. stop, then time the start with saved state (restore included) against a start with none, and
   count the stream records the first restart hands StatsFunction again (its mapping keeps its
   position across a restart, so: none).
Figures are printed; the baseline is the start without state, in the same run.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "app"))

from samlite.cloud.local_cloud import CloudOptions, LocalCloud  # noqa: E402
from samlite.persistence.persister import PersistOptions  # noqa: E402

SIZES = (1_000, 5_000)
RUNS = 3


def _options(state_dir: Path, stack: str, persist: bool) -> CloudOptions:
    return CloudOptions(
        template=REPO / "template.yaml",
        port=0,
        api_port=0,
        watch=False,
        console=False,
        stack_name=stack,
        state_dir=state_dir,
        persist=PersistOptions(interval=3600) if persist else None,
    )


def _timed_start(options: CloudOptions) -> tuple[LocalCloud, float]:
    started = time.perf_counter()
    cloud = LocalCloud(options).start()
    return cloud, time.perf_counter() - started


def bench(count: int) -> None:
    state_dir = Path(tempfile.mkdtemp(prefix="bench-persist-"))
    stack = f"bench-{uuid.uuid4().hex[:6]}"
    cloud = LocalCloud(_options(state_dir, stack, True)).start()
    bucket = cloud.outputs["UploadsBucketName"]
    s3 = cloud.client("s3")
    body = b"x" * 1024
    for number in range(count):
        s3.put_object(Bucket=bucket, Key=f"bench/{number:06d}", Body=body + str(number).encode())
    cloud.wait_idle(600)
    persister = cloud.persister
    assert persister is not None
    first = persister.save().seconds
    same = persister.save()
    for number in range(count, count + 100):
        s3.put_object(Bucket=bucket, Key=f"bench/{number:06d}", Body=body + str(number).encode())
    cloud.wait_idle(600)
    more = persister.save().seconds
    cloud.stop()
    restarts = []
    fresh = []
    again = 0
    for run in range(RUNS):
        restarted, seconds = _timed_start(_options(state_dir, stack, True))
        if run == 0:
            restarted.wait_idle(600)
            again = _stream_records_delivered(restarted)
        restarted.stop()
        restarts.append(seconds)
        empty, seconds = _timed_start(
            _options(Path(tempfile.mkdtemp()), f"fresh-{uuid.uuid4().hex[:6]}", False)
        )
        empty.stop()
        fresh.append(seconds)
    size = sum(path.stat().st_size for path in (state_dir / "state").rglob("*") if path.is_file())
    print(
        f"{count} objects + {count} items (the catalog's): first snapshot {first:.2f} s, "
        f"unchanged {same.seconds * 1000:.0f} ms (written: {same.written}), +100 objects {more:.2f} s; "
        f"state {size / 1e6:.1f} MB; start with state {statistics.median(restarts):.2f} s vs without "
        f"{statistics.median(fresh):.2f} s (x{statistics.median(restarts) / statistics.median(fresh):.2f}); "
        f"stream records delivered again after the restart: {again}"
    )


def _stream_records_delivered(cloud: LocalCloud) -> int:
    return sum(
        len(record.event.get("Records", []))
        for function_id in cloud.stack.functions
        for record in cloud.invocations(function_id)
        if record.source == "dynamodb"
    )


if __name__ == "__main__":
    for size in SIZES if len(sys.argv) < 2 else map(int, sys.argv[1:]):
        bench(size)
