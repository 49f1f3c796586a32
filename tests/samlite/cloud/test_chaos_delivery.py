"""Chaos on a whole local cloud: S3 notifications duplicated and reordered within S3's contract
("Amazon S3 Event Notifications": at least once, not necessarily in order), logged, and covered by
`wait_idle` (nothing is still held or delayed once it returns true).

The cloud fixture (tests/samlite/cloud_fixtures) has an S3-triggered function writing a table."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from samlite.cloud.local_cloud import LocalCloud
from samlite.services.chaos import ChaosPolicy
from tests.samlite.embedded import running_project

FIXTURE = Path(__file__).resolve().parents[1] / "cloud_fixtures"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    project = tmp_path_factory.mktemp("chaos_project")
    chaos = ChaosPolicy.parse("duplicate=1,reorder=1,delay=20ms,seed=4")
    with running_project(FIXTURE, project, stack="chaos", chaos=chaos) as started:
        yield started


def test_every_s3_event_arrives_twice_and_wait_idle_covers_what_chaos_holds(cloud: LocalCloud) -> None:
    said_at_start = cloud.log_lines("samlite")
    cloud.reset()
    s3, bucket = cloud.client("s3"), cloud.outputs["BucketName"]
    for key in ("first.txt", "second.txt"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    assert cloud.wait_idle(30)
    keys = [i.event["Records"][0]["s3"]["object"]["key"] for i in cloud.invocations("Recorder")]
    assert sorted(keys) == ["first.txt", "first.txt", "second.txt", "second.txt"]
    lines = cloud.log_lines("samlite")
    assert any(
        line.startswith("samlite: chaos on (duplicate=1,reorder=1,delay=20ms, seed 4)")
        for line in said_at_start
    )
    assert sum("chaos: delivering twice: S3 event for Recorder" in line for line in lines) == 2
    assert (
        sum(
            "chaos: holding back, to arrive after the next one: S3 event for Recorder" in line
            for line in lines
        )
        == 2
    )
    table = cloud.client("dynamodb").scan(TableName=cloud.outputs["TableName"])
    assert sorted(item["key"]["S"] for item in table["Items"]) == ["first.txt", "second.txt"]
