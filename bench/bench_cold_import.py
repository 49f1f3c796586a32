"""Cold import cost of the catalog function's handler module against its floor.

The floor is what any boto3 Lambda function pays at init: a fresh interpreter doing ``import boto3`` and
creating an S3 and a DynamoDB client. The handler module does the same plus its own code (config,
controllers, services, sniffing, logging set-up). Both are timed inside fresh interpreters, alternated,
several runs each after one warm-up (so .pyc files exist for both); medians are reported with their ratio.
Target (issue 2): the handler adds at most 10% over the floor.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNS = 21
TARGET = 1.10

FLOOR = """
import time
t0 = time.perf_counter()
import boto3
boto3.client("s3")
boto3.client("dynamodb")
print((time.perf_counter() - t0) * 1000)
"""

HANDLER = """
import time
t0 = time.perf_counter()
import upload_catalog.handlers.s3_events
print((time.perf_counter() - t0) * 1000)
"""


def run(code: str) -> float:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(REPO / "app"),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "CATALOG_TABLE": "catalog",
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    run(FLOOR)
    run(HANDLER)
    floor: list[float] = []
    handler: list[float] = []
    for _ in range(RUNS):
        floor.append(run(FLOOR))
        handler.append(run(HANDLER))
    f, h = statistics.median(floor), statistics.median(handler)
    # Each handler run follows its floor run at once, so the two share the machine's load of that
    # moment; the median of the per-pair ratios is far steadier on a shared machine than a ratio of
    # medians taken across minutes.
    ratio = statistics.median(hr / fr for fr, hr in zip(floor, handler, strict=True))
    print("## Cold import of the catalog handler")
    print()
    print(f"Fresh interpreters, {RUNS} alternated pairs, medians (min-max); ratio: median of pair ratios.")
    print()
    print("| import | median ms | range ms |")
    print("|---|---:|---:|")
    print(f"| floor: `import boto3` + S3, DynamoDB clients | {f:.1f} | {min(floor):.1f}-{max(floor):.1f} |")
    print(f"| `upload_catalog.handlers.s3_events` | {h:.1f} | {min(handler):.1f}-{max(handler):.1f} |")
    print()
    verdict = "within" if ratio <= TARGET else "OVER"
    print(f"- ratio handler/floor: **{ratio:.3f}** ({verdict} the {TARGET:.2f} target)")
    print(f"- handler's own cost: {h - f:+.1f} ms")


if __name__ == "__main__":
    main()
