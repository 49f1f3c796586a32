"""ListObjectVersions answers exactly as moto does, without copying the bucket, even under writes.

The fast path (`samlite.moto_changes.s3_list_object_versions`) and moto's own code answer the same
random requests on the same random buckets; only the fast path runs while other threads overwrite the
keys being listed (moto's deep copy of a version being replaced failed with a 500 there). Semantics:
Amazon S3 API Reference, ListObjectVersions (KeyMarker, VersionIdMarker, Prefix, Delimiter, MaxKeys,
IsLatest, NextKeyMarker, NextVersionIdMarker).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samlite.moto_changes.s3_list_object_versions import moto_listing_only
from tests.samlite.embedded import client, running_endpoint, unique

NAMES = ["a", "a/b", "a/c/d", "a/c/e", "ab", "b", "b/x", "c/"]
OPERATION = st.tuples(st.sampled_from(["put", "put", "delete", "delete-version"]), st.sampled_from(NAMES))
REQUEST = st.fixed_dictionaries(
    {
        "prefix": st.sampled_from(["", "a", "a/", "a/c", "b", "c/", "z"]),
        "delimiter": st.sampled_from([None, "/", "c"]),
        "key_marker": st.sampled_from([None, "", "a", "a/b", "a/bb", "b", "zz"]),
        "use_version_marker": st.sampled_from([None, "of-the-marker-key", "any", "unknown"]),
        "max_keys": st.integers(0, 6) | st.just(1000),
    }
)


@pytest.fixture(scope="module")
def aws():
    with running_endpoint(iam=False) as endpoint:
        yield endpoint.aws


def _summary(answer) -> tuple:
    versions, prefixes, markers, next_key, next_version = answer
    return (
        [(v.name, v.version_id, v.is_latest, v.size, v.etag) for v in versions],
        list(prefixes),
        [(m.name, m.version_id, m.is_latest) for m in markers],
        next_key,
        next_version,
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    versioned=st.booleans(),
    operations=st.lists(OPERATION, max_size=25),
    requests=st.lists(REQUEST, min_size=1, max_size=6),
    data=st.data(),
)
def test_the_fast_listing_answers_exactly_as_moto(aws, versioned, operations, requests, data) -> None:
    backend = aws.backend("s3")
    bucket = unique("versions")
    backend.create_bucket(bucket, aws.region)
    if versioned:
        backend.put_bucket_versioning(bucket, "Enabled")
    for index, (kind, name) in enumerate(operations):
        if kind == "put":
            backend.put_object(bucket, name, b"v" * index)
        elif kind == "delete":
            backend.delete_object(bucket, name)
        else:
            stored = backend.get_bucket(bucket).keys.getlist(name, [])
            if stored:
                version = data.draw(st.sampled_from(stored)).version_id
                backend.delete_object(bucket, name, version_id=version)
    for request in requests:
        marker = request.pop("use_version_marker")
        stored = backend.get_bucket(bucket).keys
        all_ids = [v.version_id for _, listed in stored.lists() for v in listed]
        own_ids = [v.version_id for v in stored.getlist(request["key_marker"] or "", [])]
        if marker == "of-the-marker-key" and own_ids:
            request["version_id_marker"] = data.draw(st.sampled_from(own_ids))
        elif marker == "any" and all_ids:
            request["version_id_marker"] = data.draw(st.sampled_from(all_ids))
        elif marker == "unknown":
            request["version_id_marker"] = "no-such-version"
        fast = _summary(backend.list_object_versions(bucket, **request))
        with moto_listing_only():
            moto = _summary(backend.list_object_versions(bucket, **request))
        assert fast == moto, request


def test_the_listing_hands_out_moto_objects_never_copies(aws) -> None:
    backend = aws.backend("s3")
    bucket = unique("nocopy")
    backend.create_bucket(bucket, aws.region)
    backend.put_bucket_versioning(bucket, "Enabled")
    stored = backend.put_object(bucket, "k", b"x" * 1024)
    [listed], _, _, _, _ = backend.list_object_versions(bucket)
    assert listed.wrapped is stored and listed.is_latest is True


def test_listing_while_the_listed_keys_are_deleted_and_written_never_fails(aws) -> None:
    s3 = client(aws, "s3")
    bucket = unique("busy")
    s3.create_bucket(Bucket=bucket)
    keys = [f"k/{index}" for index in range(16)]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x" * 1024 * 1024)
    stop = threading.Event()
    failures: list[str] = []

    def overwrite(number: int) -> None:
        writer = client(aws, "s3")
        while not stop.is_set():
            key = keys[number % len(keys)]
            writer.delete_object(Bucket=bucket, Key=key)  # the key leaves the bucket for a moment
            writer.put_object(Bucket=bucket, Key=key, Body=b"y" * 1024 * 1024)
            number += 3

    def list_many() -> None:
        reader = client(aws, "s3")
        for _ in range(20):
            try:
                reader.list_object_versions(Bucket=bucket, Prefix="k/")
            except ClientError as error:
                failures.append(str(error))

    with ThreadPoolExecutor(6) as pool:
        writers = [pool.submit(overwrite, number) for number in range(3)]
        readers = [pool.submit(list_many) for _ in range(3)]
        for reader in readers:
            reader.result()
        stop.set()
        for writer in writers:
            writer.result()
    assert failures == []
