"""The whole function on moto's S3 semantics (versions, delete markers, permanent version deletes):
writes, overwrites and deletes whose events arrive shuffled and duplicated leave the catalog equal to the
bucket. moto does not emit sequencers, so each write's event gets the next one here, as S3 would."""

from __future__ import annotations

import random
from typing import Any

import pytest
from upload_catalog.controllers.catalog import CatalogController
from upload_catalog.services.catalog_table import DynamoCatalogStore
from upload_catalog.services.s3_objects import S3ObjectStore

from tests.unit import samples
from tests.unit.s3_event_factory import event, s3_record

KEYS = ["a.png", "b b.gif", "사진+1.jpg"]


class Recorder:
    """Performs writes on moto and records the notification S3 would send for each."""

    def __init__(self, aws) -> None:
        self.aws = aws
        self.records: list[dict[str, Any]] = []
        self.count = 0

    def _sequencer(self) -> str:
        self.count += 1
        return format(0x62E4A1B2C3D40000 + self.count * 0x100, "X").rstrip("0")

    def put(self, key: str, body: bytes) -> None:
        put = self.aws.s3.put_object(Bucket=self.aws.bucket, Key=key, Body=body)
        self.records.append(
            s3_record(
                "ObjectCreated:Put",
                key,
                self._sequencer(),
                bucket=self.aws.bucket,
                size=len(body),
                etag=put["ETag"],
                version_id=put["VersionId"],
            )
        )

    def delete(self, key: str) -> None:
        marker = self.aws.s3.delete_object(Bucket=self.aws.bucket, Key=key)
        if "VersionId" not in marker:
            return  # moto creates no delete marker for a key that never existed (S3 would): no event
        self.records.append(
            s3_record(
                "ObjectRemoved:DeleteMarkerCreated",
                key,
                self._sequencer(),
                bucket=self.aws.bucket,
                version_id=marker["VersionId"],
            )
        )

    def delete_version(self, key: str, rng: random.Random) -> None:
        versions = self.aws.s3.list_object_versions(Bucket=self.aws.bucket, Prefix=key)
        ids = [
            v["VersionId"]
            for v in versions.get("Versions", []) + versions.get("DeleteMarkers", [])
            if v["Key"] == key
        ]
        if not ids:
            return
        version_id = rng.choice(ids)
        self.aws.s3.delete_object(Bucket=self.aws.bucket, Key=key, VersionId=version_id)
        self.records.append(
            s3_record(
                "ObjectRemoved:Delete", key, self._sequencer(), bucket=self.aws.bucket, version_id=version_id
            )
        )


@pytest.mark.parametrize("seed", range(4))
def test_shuffled_duplicated_events_converge(aws, seed: int) -> None:
    rng = random.Random(seed)
    recorder = Recorder(aws)
    for _ in range(14):
        key = rng.choice(KEYS)
        roll = rng.random()
        if roll < 0.55:
            recorder.put(key, samples.png(rng.randint(1, 999), rng.randint(1, 999)))
        elif roll < 0.8:
            recorder.delete(key)
        else:
            recorder.delete_version(key, rng)

    deliveries = [r for r in recorder.records for _ in range(rng.randint(1, 2))]
    rng.shuffle(deliveries)
    ctrl = CatalogController(
        S3ObjectStore(aws.s3),
        DynamoCatalogStore(aws.dynamodb, aws.table),
        sniff_bytes=65536,
        tombstone_ttl_seconds=3600,
    )
    while deliveries:
        size = rng.randint(1, 4)
        ctrl.handle_event(event(*deliveries[:size]))
        deliveries = deliveries[size:]

    for key in KEYS:
        item = aws.dynamodb.get_item(
            TableName=aws.table, Key={"bucket": {"S": aws.bucket}, "key": {"S": key}}
        ).get("Item")
        try:
            head = aws.s3.head_object(Bucket=aws.bucket, Key=key)
        except aws.s3.exceptions.ClientError:
            head = None
        if head is None:
            assert item is None or item.get("deleted") == {"BOOL": True}, (key, item)
        else:
            assert item is not None and "deleted" not in item, (key, item)
            assert item["etag"]["S"] == head["ETag"].strip('"')
            assert item["size"]["N"] == str(head["ContentLength"])
