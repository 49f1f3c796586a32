"""The catalog equals the bucket after concurrent overwrites, copies, deletes and batch deletes of a few keys.

S3 delivers events in any order, at least once; the catalog keeps, per key, the state of the event
with the greatest `sequencer`, which S3 orders as it applied the writes of that key (Amazon S3 User
Guide, "Event message structure":
https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html). So once
the events are processed, every key's entry must describe exactly what the bucket serves: its current
version (ETag, size, version id) or, when the key has no current object, a tombstone (or nothing).

Hypothesis draws the schedules: 8 uploaders, each a short list of operations on 3 keys, started
together. Runs on samlite and against a deployed stack alike (see conftest.py).
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.integration.stack_target import POLL_INTERVAL_S, Stack

UPLOADERS = 8
KEYS = 3
OPERATION = st.tuples(
    st.sampled_from(["put", "put", "copy", "delete", "batch-delete"]),
    st.integers(0, KEYS - 1),
    st.integers(0, KEYS - 1),  # copy source / second key of a batch delete
    st.integers(0, 2048),  # size of a put
)
SCHEDULE = st.lists(st.lists(OPERATION, min_size=1, max_size=6), min_size=UPLOADERS, max_size=UPLOADERS)


def _run(stack: Stack, keys: list[str], operations: list[tuple[str, int, int, int]], start: Any) -> None:
    s3 = stack.client("s3")
    start.wait()
    for kind, target, other, size in operations:
        key = keys[target]
        try:
            if kind == "put":
                s3.put_object(Bucket=stack.bucket, Key=key, Body=b"c" * size, ContentType="text/plain")
            elif kind == "copy":
                source = {"Bucket": stack.bucket, "Key": keys[other]}
                s3.copy_object(Bucket=stack.bucket, Key=key, CopySource=source)
            elif kind == "delete":
                s3.delete_object(Bucket=stack.bucket, Key=key)
            else:
                doomed = [{"Key": key}, {"Key": keys[other]}] if other != target else [{"Key": key}]
                s3.delete_objects(Bucket=stack.bucket, Delete={"Objects": doomed})
        except ClientError as error:  # copying a key that has no current object: S3 refuses it
            assert error.response["Error"]["Code"] in ("NoSuchKey", "404", "InvalidRequest"), error


def _served(stack: Stack, key: str) -> dict[str, Any] | None:
    try:
        head = stack.s3.head_object(Bucket=stack.bucket, Key=key)
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey"):
            return None
        raise
    return {"etag": head["ETag"].strip('"'), "size": head["ContentLength"], "version_id": head["VersionId"]}


def _agrees(entry: dict[str, Any] | None, served: dict[str, Any] | None) -> bool:
    if served is None:
        return entry is None or bool(entry.get("deleted"))
    if entry is None or entry.get("deleted"):
        return False
    return all(entry.get(name) == value for name, value in served.items())


def _converged(stack: Stack, keys: list[str]) -> list[str]:
    """The keys whose entry disagrees with the bucket, after waiting for the catalog to settle."""
    deadline = time.monotonic() + stack.converge_timeout
    stack.settle(stack.converge_timeout)
    while True:
        served = {key: _served(stack, key) for key in keys}
        wrong = [
            f"{key}: bucket {served[key]}, catalog {stack.catalog_item(key)}"
            for key in keys
            if not _agrees(stack.catalog_item(key), served[key])
        ]
        if not wrong or time.monotonic() >= deadline:
            return wrong
        time.sleep(POLL_INTERVAL_S)
        stack.settle(POLL_INTERVAL_S)


# No shrinking: a failure depends on how the threads interleaved, which a smaller schedule does not repeat.
@settings(
    max_examples=4,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(schedule=SCHEDULE)
def test_catalog_equals_bucket_after_concurrent_writes(stack: Stack, prefix: str, schedule) -> None:
    run = f"{prefix}{uuid.uuid4().hex[:8]}/"
    keys = [f"{run}key-{index}.txt" for index in range(KEYS)]
    start = threading.Barrier(UPLOADERS)
    with ThreadPoolExecutor(UPLOADERS) as pool:
        for future in [pool.submit(_run, stack, keys, operations, start) for operations in schedule]:
            future.result()
    assert _converged(stack, keys) == []
