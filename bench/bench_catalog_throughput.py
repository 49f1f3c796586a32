"""Upload to catalogued with 8 uploaders writing without pause: latency, throughput and backlog.

template.yaml on samlite (IAM on) in its own process, as `make run` runs it; 8 uploader threads here PUT
small PNGs as fast as the endpoint answers them for DURATION_S. "Catalogued" is the moment the function
logs its `written` outcome for the key (see catalog_load.py). Figures: uploads and uploads/s, events
catalogued per second over the run, upload-to-catalogued p50 / p99 (measured from the start of the
PUT, so time a PUT was held by flow control counts), the backlog of queued events (peak, and at the
end of the uploads) and how long it then took to drain.

Baseline, in the same run: the same load with samlite's flow control off (`flow_control_limit=None`),
the behaviour issue 12 measured (8 uploaders: the function fell ~40 s behind).
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))

from catalog_load import CatalogCloud, percentile
from generated_images import png

UPLOADERS = 8
DURATION_S = 20.0
BODY = png(64, 48)


@dataclass
class Figures:
    uploads: int
    upload_rate: float
    catalogued_rate: float
    p50_ms: float
    p99_ms: float
    peak_backlog: int
    end_backlog: int
    drain_s: float
    missing: int


def run(flow_control_limit: int | None) -> Figures:
    with CatalogCloud(flow_control_limit=flow_control_limit) as cloud:
        puts: list[tuple[str, float]] = []
        lock = threading.Lock()
        begin = time.monotonic()
        stop_at = begin + DURATION_S

        def uploader(number: int) -> None:
            s3 = cloud.client("s3")
            index = 0
            while time.monotonic() < stop_at:
                key = f"throughput/{number}/{index}.png"
                index += 1
                started = time.monotonic()
                s3.put_object(Bucket=cloud.bucket, Key=key, Body=BODY, ContentType="image/png")
                with lock:
                    puts.append((key, started))

        threads = [threading.Thread(target=uploader, args=(number,)) for number in range(UPLOADERS)]
        for thread in threads:
            thread.start()
        peak = 0
        while any(thread.is_alive() for thread in threads):
            peak = max(peak, cloud.backlog())
            time.sleep(0.5)  # a sampling interval, not a synchronisation
        end = time.monotonic()
        end_backlog = cloud.backlog()
        cloud.wait_idle(600)
        drained = time.monotonic() - end
        written: dict[str, float] = {}
        for outcome in cloud.outcomes:
            if outcome.outcome == "written":
                written.setdefault(outcome.key, outcome.at)
        latencies = [(written[key] - started) * 1000 for key, started in puts if key in written]
        during = sum(1 for at in written.values() if at <= end)
        return Figures(
            uploads=len(puts),
            upload_rate=len(puts) / (end - begin),
            catalogued_rate=during / (end - begin),
            p50_ms=statistics.median(latencies) if latencies else float("nan"),
            p99_ms=percentile(latencies, 0.99),
            peak_backlog=max(peak, end_backlog),
            end_backlog=end_backlog,
            drain_s=drained,
            missing=len(puts) - len(latencies),
        )


def main() -> None:
    from samlite.cloud.options import DEFAULT_FLOW_CONTROL_LIMIT

    mine = run(DEFAULT_FLOW_CONTROL_LIMIT)
    base = run(None)
    print("## Catalog throughput: 8 uploaders without pause (bench_catalog_throughput.py)\n")
    print(
        f"template.yaml on samlite (IAM on) in its own process; {UPLOADERS} uploader threads PUT a "
        f"{len(BODY)} B PNG back to back for {DURATION_S:g} s. Baseline: the same with flow control off "
        "(samlite before issue 12).\n"
    )
    print(
        "| samlite | uploads | uploads/s | catalogued/s during the run | upload-to-catalogued p50 / p99 ms "
        "| backlog peak / at end | drain s | never catalogued |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, figures in (
        (f"flow control at {DEFAULT_FLOW_CONTROL_LIMIT} events (default)", mine),
        ("flow control off (baseline)", base),
    ):
        print(
            f"| {label} | {figures.uploads} | {figures.upload_rate:.1f} | {figures.catalogued_rate:.1f} | "
            f"{figures.p50_ms:.0f} / {figures.p99_ms:.0f} | {figures.peak_backlog} / {figures.end_backlog} | "
            f"{figures.drain_s:.1f} | {figures.missing} |"
        )
    print(
        f"\n- upload-to-catalogued p50: **{mine.p50_ms / 1000:.2f} s** (baseline {base.p50_ms / 1000:.1f} s, "
        f"{base.p50_ms / mine.p50_ms:.0f}x longer); p99 {mine.p99_ms / 1000:.2f} s "
        f"(baseline {base.p99_ms / 1000:.1f} s)"
    )
    print(
        f"- events catalogued per second while uploading: {mine.catalogued_rate:.1f} "
        f"(baseline {base.catalogued_rate:.1f}: {mine.catalogued_rate / base.catalogued_rate:.1f}x)"
    )


if __name__ == "__main__":
    main()
