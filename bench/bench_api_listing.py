"""`GET /objects?limit=50` through the local API gateway with 1,000 and with 100,000 catalog entries.

Issue 5's target: listing cost grows with the page, not the table, so p50 at 100,000 entries should
be at most 1.2x p50 at 1,000 (both measured in this run). The API function does one DynamoDB Query
per page on a listing index; on samlite that Query runs on the embedded DynamoDB (moto), whose own
`Table.query` walks the whole table, hence `samlite.moto_changes.dynamodb_query` (when present) and the
row that measures moto's own path on the same data for comparison.

Entries are written straight into the embedded DynamoDB's backend (in process, no HTTP, no S3 event),
in the writer's exact item shape: `to_attributes` of the app's `services.catalog_table` builds each
item, listing-index attributes included, so the table is the one the catalog function would write.

The template runs with StatsFunction's stream mapping disabled (a copy of template.yaml with
`Enabled: false`): each of the 100,000 entries written is a stream record, and StatsFunction counting
them in the background (about ten minutes of its batches) would be measured instead of the listing.
The cloud is idle (`wait_idle`) before each measurement.

The same run also measures what the gateway adds per request: the same request's event (the one the
gateway built, taken from the recorded invocation) invoked directly on the same warm worker with
`LambdaRuntime.invoke`. Gateway and direct samples alternate in rounds so machine noise hits both.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src"), str(REPO / "app")]

from upload_catalog.models import CatalogEntry  # noqa: E402
from upload_catalog.services.catalog_table import to_attributes  # noqa: E402

from samlite.cloud.local_cloud import CloudOptions, LocalCloud  # noqa: E402

SMALL = 1_000
LARGE = 100_000
ROUNDS = 10
PER_ROUND = 4  # requests per path per round: up to 40 samples per figure; 1 once a request takes > 1 s
ROUND_BUDGET_S = 10.0  # no new round after this long: moto's own Query takes seconds at 100,000 items
MOTO_SAMPLES = 2  # moto's own Query walks the table: seconds a page at 100,000 entries, so only two
API_FUNCTION = "ApiFunction"
API_KEY = "CatalogApiApiKey"
PATH_QUERY = "/objects?limit=50"
PATH_ABSENT = "/objects/bench/absent.bin"  # one GetItem: shows the gateway's own cost best
LARGE_P50_TARGET_MS = 25.0
CONTENT_TYPES = ("image/png", "image/jpeg", "text/plain", "application/pdf")


def entry(bucket: str, number: int) -> dict[str, dict[str, Any]]:
    """Catalog item number `number`, as the S3-event writer stores it (index attributes included)."""
    content_type = CONTENT_TYPES[number % len(CONTENT_TYPES)]
    seconds, millis = divmod(number, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return to_attributes(
        CatalogEntry(
            bucket=bucket,
            key=f"bench/{number % 97:02d}/object-{number:06d}.bin",
            size=1024 + number,
            etag=f"{number:032x}",
            content_type=content_type,
            declared_content_type=content_type,
            sequencer=f"{number:016X}".ljust(64, "0"),
            event_time=f"2026-11-{1 + hours // 24:02d}T{hours % 24:02d}:{minutes:02d}:{seconds:02d}"
            f".{millis:03d}Z",
            width=640 if content_type.startswith("image/") else None,
            height=480 if content_type.startswith("image/") else None,
        )
    )


def fill(cloud: LocalCloud, start: int, stop: int) -> float:
    """Write entries `start` .. `stop - 1` into the table through moto's backend; seconds taken."""
    backend = _backend(cloud)
    table = cloud.outputs["CatalogTableName"]
    bucket = cloud.outputs["UploadsBucketName"]
    began = time.perf_counter()
    for number in range(start, stop):
        backend.put_item(table, entry(bucket, number), overwrite=True)
    return time.perf_counter() - began


def _backend(cloud: LocalCloud) -> Any:
    aws = cloud._aws  # the EmbeddedAws; LocalCloud has no public accessor for it yet
    if aws is None:
        raise RuntimeError("the local cloud is not started")
    return aws.backend("dynamodb")


@contextlib.contextmanager
def moto_query_path() -> Iterator[bool]:
    """moto's own Query while inside (True), when samlite's page-sized Query exists; else a no-op."""
    try:
        from samlite.moto_changes.dynamodb_query import installed, moto_query_only
    except ImportError:
        yield False
        return
    if not installed():
        yield False
        return
    with moto_query_only():
        yield True


def query_paths() -> str:
    """How many Queries samlite's sorted lists answered and how many fell back to moto's own code (which
    walks the table: seconds at 100,000 items), so that a slow figure or a timeout says which it was."""
    try:
        from samlite.moto_changes.dynamodb_query import stats
    except ImportError:
        return "every Query by moto's own code"
    counts = stats()
    return (
        f"Queries answered from samlite's sorted lists: {counts.fast:,}, by moto's own code: {counts.moto:,}"
    )


class Gateway:
    """GET requests to the local gateway on one kept-alive connection (`http.client`: the leanest
    client, so the client's own cost stays out of the figures)."""

    def __init__(self, api_url: str, key: str) -> None:
        parts = urlsplit(api_url)
        self._stage = parts.path.rstrip("/")
        self._connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
        self._headers = {"x-api-key": key}

    def get(self, path: str, expect: int) -> dict[str, Any]:
        """`GET path`; its JSON body, after checking that the status is `expect`."""
        self._connection.request("GET", self._stage + path, headers=self._headers)
        reply = self._connection.getresponse()
        body = reply.read()
        if reply.status != expect:
            raise RuntimeError(f"GET {path}: {reply.status}, not {expect}: {body[:300]!r}")
        return json.loads(body)

    def close(self) -> None:
        self._connection.close()


def timed(action: Callable[[], Any]) -> float:
    began = time.perf_counter()
    action()
    return (time.perf_counter() - began) * 1000


@dataclass
class Samples:
    """Milliseconds of the same request through the gateway and as a direct invoke."""

    through: list[float] = field(default_factory=list)
    direct: list[float] = field(default_factory=list)

    def p50(self) -> tuple[float, float]:
        return statistics.median(self.through), statistics.median(self.direct)


def measure(gateway: Gateway, path: str, direct: Callable[[], None], *, expect: int) -> Samples:
    """Alternating rounds of `GET path` through the gateway and direct invokes of its event.

    At least one round, and no new round once ROUND_BUDGET_S has passed: a Query that walks the whole
    table (seconds a page at 100,000 items) still ends in bounded time, with fewer samples (shown).
    """
    samples = Samples()
    began = time.perf_counter()
    for _ in range(ROUNDS):
        if samples.through and time.perf_counter() - began > ROUND_BUDGET_S:
            break
        per_round = PER_ROUND if not samples.through or statistics.median(samples.through) < 1000 else 1
        samples.through.extend(timed(lambda: gateway.get(path, expect)) for _ in range(per_round))
        samples.direct.extend(timed(direct) for _ in range(per_round))
    return samples


def direct_invoke(cloud: LocalCloud, path: str, expect: int) -> Callable[[], None]:
    """Invoke the API function on its warm worker with the event the gateway built for the last
    `GET path`, as the gateway itself calls it (`LambdaRuntime.invoke`) but without HTTP."""
    runtime = cloud._runtime  # LocalCloud has no public accessor for its LambdaRuntime yet
    if runtime is None:
        raise RuntimeError("the local cloud is not started")
    resource_path = urlsplit(path).path
    record = next(
        item
        for item in reversed(cloud.invocations(API_FUNCTION))
        if item.event.get("path") == resource_path and item.event.get("httpMethod") == "GET"
    )
    spec = cloud.stack.function(API_FUNCTION)
    payload = json.dumps(record.event).encode()

    def invoke() -> None:
        result = runtime.invoke(spec, payload)
        if result.failed:
            raise RuntimeError(f"direct invoke failed ({query_paths()}): {result.payload[:300]!r}")
        status = json.loads(result.payload).get("statusCode")
        if status != expect:
            raise RuntimeError(f"direct invoke of GET {path} answered {status}, not {expect}")

    return invoke


def without_stream(state: Path) -> Path:
    """template.yaml with StatsFunctionStream disabled (Enabled: false), its code where it is."""
    text = (REPO / "template.yaml").read_text(encoding="utf-8")
    anchor = "  StatsFunctionStream:\n    Type: AWS::Lambda::EventSourceMapping\n"
    start = text.find(anchor)
    properties = text.find("    Properties:\n", start)
    if start < 0 or properties < 0:
        raise RuntimeError("template.yaml's StatsFunctionStream is not where this benchmark expects it")
    properties += len("    Properties:\n")
    text = text[:properties] + "      Enabled: false\n" + text[properties:]
    copy = state / "template.yaml"
    copy.write_text(text.replace("CodeUri: app/", f"CodeUri: {REPO / 'app'}/"), encoding="utf-8")
    return copy


def idle(cloud: LocalCloud) -> None:
    if not cloud.wait_idle(120):
        raise RuntimeError("the cloud did not become idle in 120 s: the figures would measure its backlog")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-api-") as state:
        options = CloudOptions(
            template=without_stream(Path(state)), port=0, api_port=0, watch=False, state_dir=Path(state)
        )
        with LocalCloud(options) as cloud:
            gateway = Gateway(cloud.outputs["ApiUrl"], cloud.api_keys[API_KEY])
            try:
                report(cloud, gateway)
            finally:
                gateway.close()


def report(cloud: LocalCloud, gateway: Gateway) -> None:
    fill_small = fill(cloud, 0, SMALL)
    idle(cloud)
    for _ in range(5):  # cold start of the function, first Query of each index view
        assert len(gateway.get(PATH_QUERY, 200)["items"]) == 50
        gateway.get(PATH_ABSENT, 404)
    listing = direct_invoke(cloud, PATH_QUERY, 200)
    small = measure(gateway, PATH_QUERY, listing, expect=200)
    cheap = measure(gateway, PATH_ABSENT, direct_invoke(cloud, PATH_ABSENT, 404), expect=404)

    fill_large = fill(cloud, SMALL, LARGE)
    idle(cloud)
    gateway.get(PATH_QUERY, 200)  # an index view catches up with the new items once
    large = measure(gateway, PATH_QUERY, listing, expect=200)
    with moto_query_path() as has_fast_path:
        moto_large = (
            [timed(lambda: gateway.get(PATH_QUERY, 200)) for _ in range(MOTO_SAMPLES)]
            if has_fast_path
            else []
        )

    p50 = statistics.median
    ratio = p50(large.through) / p50(small.through)
    print(
        "## GET /objects listing: 1,000 vs 100,000 entries, and the gateway's overhead (bench_api_listing.py)"
    )
    print()
    print(
        "Through the local API gateway (REST API, API key, warm worker, one kept-alive connection), "
        f"in rounds of {PER_ROUND} alternating with direct warm invokes (`LambdaRuntime.invoke`) "
        "of the same event."
    )
    print()
    print("| request | entries | samples | gateway p50 ms | direct invoke p50 ms | gateway overhead ms |")
    print("|---|---|---|---|---|---|")
    rows = ((PATH_QUERY, SMALL, small), (PATH_QUERY, LARGE, large), (PATH_ABSENT + " (404)", SMALL, cheap))
    for path, count, samples in rows:
        through, direct = samples.p50()
        print(
            f"| `GET {path}` | {count:,} | {len(samples.through)} | {through:.1f} | {direct:.1f} "
            f"| {through - direct:.1f} |"
        )
    if moto_large:
        print(
            f"| `GET {PATH_QUERY}`, moto's own Query | {LARGE:,} | {len(moto_large)} "
            f"| {p50(moto_large):.1f} | | |"
        )
    print()
    verdict = "meets" if ratio <= 1.2 else "misses"
    print(
        f"- listing p50 ratio {LARGE:,} / {SMALL:,} entries: **{ratio:.2f}x** ({verdict} the target: <= 1.2x)"
    )
    print(f"- the same ratio for the direct invokes: {p50(large.direct) / p50(small.direct):.2f}x")
    large_p50 = p50(large.through)
    verdict = "met" if large_p50 <= LARGE_P50_TARGET_MS else "NOT met"
    print(
        f"- listing p50 through the gateway at {LARGE:,} entries: **{large_p50:.1f} ms** "
        f"(target <= {LARGE_P50_TARGET_MS:g} ms, issue 13: {verdict})"
    )
    if moto_large:
        print(f"- moto's own Query at {LARGE:,} entries: {p50(moto_large) / p50(large.through):.1f}x slower")
    else:
        print(
            "- samlite's page-sized Query (samlite.moto_changes.dynamodb_query) is not installed in the "
            "embedded DynamoDB: every Query above is moto's own, which walks the whole table"
        )
    print(f"- {query_paths()} (moto's own: the {MOTO_SAMPLES} moto-only samples)")
    rate = (LARGE - SMALL) / fill_large if fill_large else 0.0
    print(
        f"- table filled through moto's backend: {SMALL:,} items in {fill_small:.1f} s, "
        f"{LARGE - SMALL:,} more in {fill_large:.1f} s ({rate:,.0f} items/s)"
    )


if __name__ == "__main__":
    main()
