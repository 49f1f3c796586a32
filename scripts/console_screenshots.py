"""Screenshots of every console page for the README (`docs/console-*.png`), on upload-catalog.

    .venv/bin/python scripts/console_screenshots.py [--out docs] [--only triggers,states,layers]

The triggers, state machines and layers pages are shot on the console tests' triggers fixture
(upload-catalog has none of those), after a schedule fired and two executions ran.

Starts template.yaml in this process (as `make demo` does), does a little of everything through the
local endpoint (uploads images, calls the REST API, sends one malformed event so that it ends in the
dead-letter queue), then opens each page in Debian's Chromium (/usr/bin/chromium, driven by
Playwright; never Playwright's own browser download) and saves a PNG of it.
"""

# ruff: noqa: T201  (a script: printing is its job)
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from samlite.cloud.local_cloud import CloudOptions, LocalCloud

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "app"))

from demo import gif, jpeg, png  # noqa: E402  (the demo's image makers)

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking switches Chromium's own connections are refused here, many at once.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MALFORMED = {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "s3": {}}]}


def populate(cloud: LocalCloud) -> None:
    s3 = cloud.client("s3")
    bucket = cloud.outputs["UploadsBucketName"]
    for key, body, kind in (
        ("photos/sunset.png", png(320, 200, (230, 120, 40)), "image/png"),
        ("photos/sea.jpg", jpeg(240, 160), "image/jpeg"),
        ("photos/logo.gif", gif(64, 64), "image/gif"),
        ("notes/readme.txt", b"hello from the console screenshots\n", "text/plain"),
    ):
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=kind)
    cloud.client("lambda").invoke(
        FunctionName=cloud.outputs["CatalogFunctionName"],
        InvocationType="Event",
        Payload=json.dumps(MALFORMED).encode(),
    )
    cloud.wait_idle(60)
    api, key = cloud.outputs["ApiUrl"].rstrip("/"), next(iter(cloud.api_keys.values()))
    for path in ("/objects?limit=10", "/objects/photos%2Fsunset.png"):
        request = urllib.request.Request(api + path, headers={"x-api-key": key})
        with urllib.request.urlopen(request, timeout=30) as answer:
            answer.read()


APP_PAGE_NAMES = ("stack", "functions", "s3", "dynamodb", "queues", "cost")


def app_pages(cloud: LocalCloud) -> dict[str, tuple[str, str]]:
    queue = cloud.outputs["DeadLetterQueueUrl"].rsplit("/", 1)[-1]
    return {
        "stack": ("#/stack", "table"),
        "functions": ("#/functions/CatalogFunction", "#invocation-detail pre"),
        "s3": (f"#/s3/{cloud.outputs['UploadsBucketName']}?prefix=photos/", "img.thumb"),
        "dynamodb": (f"#/dynamodb/{cloud.outputs['CatalogTableName']}", "#items tbody tr"),
        "queues": (f"#/queues/{queue}", "tr[data-message-id]"),
        "cost": ("#/cost", "#cost-total"),
    }


# upload-catalog has no schedule, state machine or layer: the console tests' triggers fixture does.
TRIGGERS_TEMPLATE = REPO / "tests" / "samlite" / "console" / "fixtures" / "triggers" / "template.yaml"
TRIGGERS_PAGES = {
    "triggers": ("#/triggers", "tr[data-schedule]"),
    "states": ("#/states/Doubler", "#execution-detail tr[data-event-type]"),
    "layers": ("#/functions/Worker", "table.layers tbody tr"),
}


def populate_triggers(cloud: LocalCloud) -> None:
    cloud.trigger("WorkerTick")
    states = cloud.client("stepfunctions")
    machine = cloud.provisioned.physical_ids.get("Doubler") or cloud.stack.resources["Doubler"].ref
    for value in ("x", 21):  # a failed execution, then the one the page opens on
        states.start_execution(stateMachineArn=machine, input=json.dumps({"value": value}))
    jobs = cloud.stack.resources["Jobs"].ref  # a queue's Ref is its URL
    cloud.client("sqs").send_message(QueueUrl=jobs, MessageBody=json.dumps({"job": 1}))
    cloud.wait_idle(60)
    deadline = time.monotonic() + 30
    while any(
        e["status"] == "RUNNING" for e in states.list_executions(stateMachineArn=machine)["executions"]
    ):
        if time.monotonic() > deadline:
            raise SystemExit("the fixture's executions did not end within 30 s")
        time.sleep(0.1)


def shoot(cloud: LocalCloud, out: Path, pages: dict[str, tuple[str, str]]) -> list[Path]:
    from playwright.sync_api import sync_playwright

    base = cloud.console_url
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            for name, (route, ready) in pages.items():
                page.goto(base + route)
                page.wait_for_selector(ready, timeout=15_000)
                page.wait_for_function(  # image previews decoded (the live long poll keeps the network busy)
                    "[...document.images].every(image => image.complete && image.naturalWidth > 0)"
                )
                path = out / f"console-{name}.png"
                page.screenshot(path=str(path), full_page=name in ("functions", "states"))
                written.append(path)
        finally:
            browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=REPO / "docs", help="where the PNG files go (default: docs)"
    )
    parser.add_argument(
        "--only", default="", help="comma-separated page names (stack, ..., triggers, states, layers)"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    wanted = {name for name in args.only.split(",") if name}
    phases = (
        (REPO / "template.yaml", populate, app_pages, APP_PAGE_NAMES),
        (TRIGGERS_TEMPLATE, populate_triggers, lambda cloud: TRIGGERS_PAGES, tuple(TRIGGERS_PAGES)),
    )
    for template, fill, pages_of, names in phases:
        if wanted and not wanted & set(names):
            continue
        with tempfile.TemporaryDirectory(prefix="samlite-screens-") as state:
            options = CloudOptions(template=template, port=0, api_port=0, state_dir=Path(state), watch=False)
            with LocalCloud(options) as cloud:
                fill(cloud)
                pages = {name: page for name, page in pages_of(cloud).items() if not wanted or name in wanted}
                for path in shoot(cloud, args.out, pages):
                    print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
