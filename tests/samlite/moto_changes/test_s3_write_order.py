"""One S3 key's event sequencers follow the order its writes were applied, under any concurrency.

Amazon S3 User Guide, "Event message structure"
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html): "The
sequencer key provides a way to determine the sequence of events [...] if you receive two event
notifications for the same object key, the one with the greater sequencer value is the later event".
So after any set of concurrent writes, the event with the greatest sequencer of a key must describe
the key's current state: the version S3 serves (its version id, size and ETag), or no object at all.

The writes race on purpose: 8 threads overwrite, copy over, delete and batch-delete 3 keys of a
versioned and of an unversioned bucket through the real endpoint, and the recorded events are then
compared with what the bucket serves. Every successful write of the versioned bucket must also have
kept its version (moto alone loses some when two PUTs of one key interleave).
"""

from __future__ import annotations

import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
from botocore.exceptions import ClientError

from samlite.endpoint.embedded_aws import EmbeddedAws
from samlite.model import FunctionSpec, InvocationResult
from samlite.services.event_delivery import EventDelivery
from samlite.services.wiring import attach
from tests.samlite.embedded import client, unique

FUNCTION = FunctionSpec(
    logical_id="Order",
    function_name="stack-Order-1",
    handler="h.h",
    runtime="python3.11",
    code_uri=Path("."),
)
THREADS = 8
OPERATIONS = 40  # per thread
KEYS = ("k/a", "k/b", "k/c")


class Recorder:
    def __init__(self) -> None:
        self.records: list[dict] = []
        self.lock = threading.Lock()

    def __call__(self, spec: FunctionSpec, payload: bytes) -> InvocationResult:
        with self.lock:
            self.records.extend(json.loads(payload)["Records"])
        return InvocationResult(request_id="r", payload=b"null")


@pytest.fixture(scope="module")
def endpoint():
    aws = EmbeddedAws(port=0, iam=False)
    functions = attach(aws).functions
    recorder = Recorder()
    delivery = EventDelivery(aws, functions, recorder, log=lambda line: None)
    aws.start()
    functions.register(FUNCTION)
    try:
        yield aws, delivery, recorder, functions
    finally:
        delivery.close()
        aws.stop()


def _bucket(endpoint, versioned: bool) -> str:
    aws, _, _, functions = endpoint
    s3 = client(aws, "s3")
    name = unique("order")
    s3.create_bucket(Bucket=name)
    if versioned:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_notification_configuration(
        Bucket=name,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {
                    "LambdaFunctionArn": functions.arn(FUNCTION.function_name),
                    "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
                }
            ]
        },
    )
    return name


def _race(aws: EmbeddedAws, bucket: str, seed: int) -> int:
    """Concurrent overwrites, copies, deletes and batch deletes; returns how many objects were written."""
    written = []
    lock = threading.Lock()

    def worker(number: int) -> None:
        s3 = client(aws, "s3")
        rng = random.Random(seed * 100 + number)
        for _ in range(OPERATIONS):
            key = rng.choice(KEYS)
            roll = rng.random()
            try:
                if roll < 0.5:
                    s3.put_object(Bucket=bucket, Key=key, Body=b"x" * rng.randrange(0, 300))
                elif roll < 0.7:
                    source = rng.choice(KEYS)
                    s3.copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": source})
                elif roll < 0.9:
                    s3.delete_object(Bucket=bucket, Key=key)
                    continue
                else:
                    doomed = [{"Key": k} for k in rng.sample(KEYS, 2)]
                    s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed})
                    continue
            except ClientError:  # copying a key that is deleted just now: no write, no event
                continue
            with lock:
                written.append(key)

    with ThreadPoolExecutor(THREADS) as pool:
        for future in [pool.submit(worker, number) for number in range(THREADS)]:
            future.result()
    return len(written)


def _latest_events(records: list[dict], bucket: str) -> dict[str, dict]:
    latest: dict[str, dict] = {}
    for record in records:
        if record["s3"]["bucket"]["name"] != bucket:
            continue
        key = unquote_plus(record["s3"]["object"]["key"])
        best = latest.get(key)
        if best is None or record["s3"]["object"]["sequencer"] > best["s3"]["object"]["sequencer"]:
            latest[key] = record
    return latest


@pytest.mark.parametrize("versioned", [True, False], ids=["versioned", "unversioned"])
def test_the_latest_event_of_every_key_describes_what_the_bucket_serves(endpoint, versioned) -> None:
    aws, delivery, recorder, _ = endpoint
    s3 = client(aws, "s3")
    for attempt in range(3):
        bucket = _bucket(endpoint, versioned)
        written = _race(aws, bucket, seed=attempt)
        assert delivery.wait_idle(30)
        with recorder.lock:
            records = list(recorder.records)
        sequencers = [r["s3"]["object"]["sequencer"] for r in records]
        assert len(sequencers) == len(set(sequencers)), "two events share a sequencer"
        for key, event in sorted(_latest_events(records, bucket).items()):
            obj = event["s3"]["object"]
            try:
                head = s3.head_object(Bucket=bucket, Key=key)
            except ClientError as error:
                assert error.response["Error"]["Code"] == "404"
                assert event["eventName"].startswith("ObjectRemoved:"), (key, event["eventName"])
                continue
            assert event["eventName"].startswith("ObjectCreated:"), (key, event["eventName"], head)
            assert obj["size"] == head["ContentLength"], key
            assert obj["eTag"] == head["ETag"].strip('"'), key
            if versioned:
                assert obj["versionId"] == head["VersionId"], key
        if versioned:
            versions = s3.list_object_versions(Bucket=bucket).get("Versions", [])
            assert len(versions) == written, "moto lost versions of concurrent writes"
