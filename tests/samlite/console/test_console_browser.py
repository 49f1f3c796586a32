"""The console end to end in a real browser: Debian's Chromium (/usr/bin/chromium) driven by
Playwright, on the console's fixture cloud. What a developer does by hand: upload an image and see
the invocation and the catalogue item, invoke a function with an edited event, redrive a dead-letter
message, and read the cost; hostile strings stay text."""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from samlite.cloud.local_cloud import LocalCloud
from samlite.console.cost.prices import PRICES

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is a dev dependency of the main venv"
)

CHROMIUM = Path("/usr/bin/chromium")
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
WAIT_MS = 20_000
HOSTILE = "<img src=x onerror=alert(1)>"
PNG_2X2 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="
)
_REPORT = re.compile(
    r"^REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: (\d+) ms\tMemory Size: (\d+) MB"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it: apt-get install -y chromium)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh tab; any dialog (alert, confirm) is recorded and, for confirm, accepted."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    tab.dialogs = []

    def dialog(box: Any) -> None:
        tab.dialogs.append((box.type, box.message))
        box.accept()

    tab.on("dialog", dialog)
    yield tab
    context.close()


def open_page(page: Any, cloud: LocalCloud, route: str) -> None:
    page.goto(f"{cloud.console_url}{route}")


def drop_file(page: Any, selector: str, name: str, data: bytes, mime: str) -> None:
    """Drop a file on an element as a user dragging it from their desktop does (a DataTransfer)."""
    transfer = page.evaluate_handle(
        """([name, b64, mime]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: mime }));
            return transfer;
        }""",
        [name, base64.b64encode(data).decode(), mime],
    )
    page.dispatch_event(selector, "dragover", {"dataTransfer": transfer})
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def test_upload_an_image_see_its_invocation_logs_and_catalogue_item(
    page: Any, cloud: LocalCloud, outputs: dict[str, Any]
) -> None:
    bucket, folder = outputs["BucketName"], f"web-{uuid.uuid4().hex[:8]}/"
    open_page(page, cloud, f"#/s3/{bucket}?prefix={folder}")
    page.wait_for_selector("#drop-zone")
    drop_file(page, "#drop-zone", "dot.png", PNG_2X2, "image/png")
    key = f"{folder}dot.png"
    row = page.locator(f'tr[data-key="{key}"]')
    row.wait_for()
    assert row.locator("td").nth(2).inner_text() == "image/png"
    page.wait_for_function(
        'key => { const img = document.querySelector(`tr[data-key="${key}"] img.thumb`);'
        " return img && img.complete && img.naturalWidth === 2; }",
        arg=key,
    )
    # The S3 event reached the function: its invocation, with its logs.
    page.click("#nav a[data-page=functions]")
    page.click('tr[data-function="Cataloguer"]')
    invocation = page.locator("#invocations tbody tr", has_text=key)
    invocation.first.wait_for()
    invocation.first.click()
    page.locator("#invocation-detail .invocation-log", has_text=f"catalogued {key} (").wait_for()
    assert key in page.locator("#invocation-detail pre.event").inner_text()
    # Live: a second upload, while the page stays open, appears without reloading.
    second = f"{folder}second.png"
    cloud.client("s3").put_object(Bucket=bucket, Key=second, Body=PNG_2X2, ContentType="image/png")
    page.locator("#invocations tbody tr", has_text=second).first.wait_for()
    page.locator("#log-tail", has_text=f"catalogued {second} (").wait_for()
    # The catalogue item, found by its key in the DynamoDB page.
    page.click("#nav a[data-page=dynamodb]")
    page.click(f'tr[data-table="{outputs["TableName"]}"]')
    page.fill("#query-pk", bucket)
    page.select_option("#query-op", "=")
    page.fill("#query-sk", key)
    page.click("#run-query")
    item = page.locator("#items tbody tr", has_text=key)
    item.wait_for()
    assert "image/png" in item.inner_text()
    item.click()
    shown = json.loads(page.input_value("#item-editor"))
    assert shown["size"] == {"N": str(len(PNG_2X2))} and shown["key"] == {"S": key}
    assert page.dialogs == []


def test_invoke_a_function_with_an_edited_event(page: Any, cloud: LocalCloud) -> None:
    open_page(page, cloud, "#/functions/Echo")
    editor = page.locator("#event-editor")
    editor.wait_for()
    assert json.loads(editor.input_value()) == {}  # Echo has no trigger: the empty event
    marker = f"edited-{uuid.uuid4().hex[:8]}"
    editor.fill(json.dumps({"greeting": marker}))
    page.click("#invoke")
    page.locator("#invoke-result pre.invoke-response", has_text=marker).wait_for()
    assert json.loads(page.locator("#invoke-result pre.invoke-response").inner_text()) == {
        "echo": {"greeting": marker}
    }
    row = page.locator("#invocations tbody tr", has_text="Invoke API").first
    row.wait_for()
    page.wait_for_function(
        "marker => [...document.querySelectorAll('#log-tail')].some(n => n.textContent.includes(marker))",
        arg=marker,
    )
    record = next(r for r in reversed(cloud.invocations("Echo")) if r.event == {"greeting": marker})
    page.click(f'tr[data-request-id="{record.request_id}"]')
    page.locator("#invocation-detail pre.event", has_text=marker).wait_for()


def test_a_bad_event_is_refused_in_the_page(page: Any, cloud: LocalCloud) -> None:
    open_page(page, cloud, "#/functions/Echo")
    page.locator("#event-editor").fill("{not json")
    page.click("#invoke")
    page.locator("#toast.bad", has_text="the event is not JSON").wait_for()


def test_redrive_a_dead_letter_message(page: Any, cloud: LocalCloud, outputs: dict[str, Any]) -> None:
    bucket, key = outputs["BucketName"], f"poison-web-{uuid.uuid4().hex[:8]}.txt"
    cloud.client("s3").put_object(Bucket=bucket, Key=key, Body=b"bad")
    assert cloud.wait_idle(60)
    failed = outputs["FailedEventsUrl"].rsplit("/", 1)[-1]
    open_page(page, cloud, f"#/queues/{failed}")
    message = page.locator("tr[data-message-id]", has_text=key)
    message.wait_for()
    assert "cannot catalogue" in message.inner_text()
    dynamodb = cloud.client("dynamodb")
    cure = {"bucket": {"S": bucket}, "key": {"S": "__cure__"}}
    dynamodb.put_item(TableName=outputs["TableName"], Item=cure)
    try:
        message.get_by_role("button", name="Redrive").click()
        page.locator("#toast", has_text="redriven to function Cataloguer").wait_for()
        message.wait_for(state="detached")
        assert cloud.wait_idle(60)
        item = dynamodb.get_item(
            TableName=outputs["TableName"], Key={"bucket": {"S": bucket}, "key": {"S": key}}
        )
        assert item["Item"]["size"] == {"N": "3"}
    finally:
        dynamodb.delete_item(TableName=outputs["TableName"], Key=cure)
    assert page.dialogs == []


def test_a_hostile_key_is_shown_as_text_and_raises_no_dialog(
    page: Any, cloud: LocalCloud, outputs: dict[str, Any]
) -> None:
    bucket, folder = outputs["BucketName"], f"hostile-{uuid.uuid4().hex[:8]}/"
    key = folder + HOSTILE
    cloud.client("s3").put_object(Bucket=bucket, Key=key, Body=b"x", ContentType="text/plain")
    cloud.client("lambda").invoke(
        FunctionName=cloud.stack.functions["Echo"].function_name,
        Payload=json.dumps({"html": HOSTILE}).encode(),
    )
    assert cloud.wait_idle(60)
    open_page(page, cloud, f"#/s3/{bucket}?prefix={folder}")
    row = page.locator("#objects tbody tr", has_text="onerror")
    row.wait_for()
    assert row.locator("td").first.inner_text() == HOSTILE
    open_page(page, cloud, "#/functions/Cataloguer")
    page.locator("#invocations tbody tr", has_text=HOSTILE).first.wait_for()
    page.locator("#log-tail", has_text=f"catalogued {key}").wait_for()
    open_page(page, cloud, "#/functions/Echo")
    page.locator("#log-tail", has_text=HOSTILE).wait_for()
    open_page(page, cloud, f"#/dynamodb/{outputs['TableName']}")
    page.fill("#query-pk", bucket)
    page.select_option("#query-op", "begins_with")
    page.fill("#query-sk", folder)
    page.click("#run-query")
    page.locator("#items tbody tr", has_text=HOSTILE).wait_for()
    assert page.locator('img[src="x"]').count() == 0
    assert page.evaluate("document.querySelectorAll('[onerror]').length") == 0
    assert page.dialogs == []


def _report_totals(cloud: LocalCloud) -> dict[str, tuple[int, int, int]]:
    """Per function, from its REPORT lines alone: (invocations, billed ms, memory size)."""
    totals = {}
    for logical_id in cloud.stack.functions:
        reports = [_REPORT.match(line) for line in cloud.log_lines(logical_id)]
        matched = [m for m in reports if m]
        if matched:
            memory = {int(m[2]) for m in matched}
            assert len(memory) == 1
            totals[logical_id] = (len(matched), sum(int(m[1]) for m in matched), memory.pop())
    return totals


def test_the_cost_page_figures_are_those_of_the_report_lines(page: Any, cloud: LocalCloud) -> None:
    cloud.client("lambda").invoke(FunctionName=cloud.stack.functions["Echo"].function_name, Payload=b"{}")
    assert cloud.wait_idle(60)
    totals = _report_totals(cloud)
    open_page(page, cloud, "#/cost")
    page.wait_for_selector("#cost-total")
    assert page.inner_text("#cost-invocations") == str(sum(count for count, _, _ in totals.values()))
    lambda_total = 0.0
    for logical_id, (count, billed, memory) in totals.items():
        row = page.locator(f'tr[data-function="{logical_id}"]')
        assert row.count() == 1
        architecture = cloud.stack.functions[logical_id].architectures[0]
        gb_seconds = billed / 1000 * memory / 1024
        cost = count * 0.20 / 1_000_000 + gb_seconds * PRICES.lambda_gb_second[architecture].usd
        lambda_total += cost
        assert row.locator("td.billed-ms").inner_text() == str(billed)
        assert row.locator("td.gb-seconds").inner_text() == f"{gb_seconds:.6f}"
        assert float(row.locator("td.function-cost").get_attribute("data-value")) == pytest.approx(
            cost, rel=1e-12
        )
        per_million = (
            0.20
            + billed / count / 1000 * memory / 1024 * 1_000_000 * PRICES.lambda_gb_second[architecture].usd
        )
        assert float(row.locator("td.per-million").get_attribute("data-value")) == pytest.approx(per_million)
    lambda_lines = page.locator('tr[data-service="Lambda"] td.line-cost')
    shown = sum(float(lambda_lines.nth(i).get_attribute("data-value")) for i in range(lambda_lines.count()))
    assert shown == pytest.approx(lambda_total, rel=1e-12)
    total = float(page.get_attribute("#cost-total", "data-value"))
    assert total >= lambda_total
    assert page.locator('tr[data-service="S3"]').count() >= 1  # the uploads and the function's reads
    assert page.locator('tr[data-service="DynamoDB"]').count() >= 1
