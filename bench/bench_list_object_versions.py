"""ListObjectVersions on a ~200 MiB versioned bucket: memory and time per call, samlite vs moto's own code.

moto 5.2.5 deep-copies every version of the bucket on every call (issue 12: 40 calls took the process
from 0.5 to 9.5 GB). samlite answers from moto's objects (`moto_changes/s3_list_object_versions`).
Over HTTP on the embedded endpoint (IAM off), in this process, so its RSS is the endpoint's:
- 100 calls with samlite's listing (half for a prefix that matches nothing, half a 1,000-entry page),
  RSS before and after;
- then a few calls with moto's own code (it is too slow and too hungry for 100), RSS growth per call.
Baseline in the same run: the RSS of the process holding the bucket, before any listing.
"""

from __future__ import annotations

import gc
import statistics
import time
from typing import Any

import boto3
import psutil
from botocore.config import Config

from samlite.endpoint.embedded_aws import EmbeddedAws
from samlite.moto_changes.s3_list_object_versions import moto_listing_only

MIB = 1024 * 1024
OBJECTS = 100  # x 2 versions x 1 MiB = 200 MiB
FAST_CALLS = 100
MOTO_CALLS = 4


def rss_mib() -> float:
    gc.collect()
    return psutil.Process().memory_info().rss / MIB


def fill(s3: Any, bucket: str) -> None:
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    body = b"v" * MIB
    for index in range(OBJECTS):
        for _ in range(2):
            s3.put_object(Bucket=bucket, Key=f"data/{index:04d}.bin", Body=body)


def calls(s3: Any, bucket: str, count: int) -> list[float]:
    """Alternately a prefix that matches nothing and a full page; milliseconds per call."""
    times = []
    for index in range(count):
        prefix = "nothing/" if index % 2 == 0 else "data/"
        started = time.perf_counter()
        s3.list_object_versions(Bucket=bucket, Prefix=prefix)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    with EmbeddedAws(port=0, iam=False) as aws:
        credentials = aws.admin_credentials
        s3 = boto3.client(
            "s3",
            endpoint_url=aws.url,
            region_name=aws.region,
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
            config=Config(retries={"max_attempts": 1}),
        )
        bucket = "bench-versions"
        fill(s3, bucket)
        baseline = rss_mib()
        fast = calls(s3, bucket, FAST_CALLS)
        after_fast = rss_mib()
        with moto_listing_only():
            moto = calls(s3, bucket, MOTO_CALLS)
        after_moto = rss_mib()
    print("## ListObjectVersions on a 200 MiB versioned bucket (bench_list_object_versions.py)\n")
    print(
        f"{OBJECTS} keys x 2 versions x 1 MiB, embedded endpoint over HTTP, in process; calls alternate a "
        "prefix matching nothing and a 1,000-entry page.\n"
    )
    print("| listing | calls | p50 ms | max ms | RSS before MiB | RSS after MiB | growth per call MiB |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| samlite | {FAST_CALLS} | {statistics.median(fast):.1f} | {max(fast):.1f} | {baseline:.0f} | "
        f"{after_fast:.0f} | {(after_fast - baseline) / FAST_CALLS:.2f} |"
    )
    print(
        f"| moto's own (deep copy) | {MOTO_CALLS} | {statistics.median(moto):.1f} | {max(moto):.1f} | "
        f"{after_fast:.0f} | {after_moto:.0f} | {(after_moto - after_fast) / MOTO_CALLS:.2f} |"
    )
    print(
        f"\n- RSS after {FAST_CALLS} calls: **{after_fast:.0f} MiB** ({after_fast - baseline:+.0f} MiB over "
        f"the bucket's baseline of {baseline:.0f} MiB)"
    )
    print(f"- time per call, moto / samlite (p50): {statistics.median(moto) / statistics.median(fast):.0f}x")


if __name__ == "__main__":
    main()
