"""The triggers, state machines and layers views in a real browser (Debian's Chromium driven by
Playwright) on the triggers fixture: fire a schedule and see its invocation, start an execution with
an edited input and see it succeed, read a function's layers; hostile strings stay text."""

from __future__ import annotations

import json
import uuid
from typing import Any

from samlite.cloud.local_cloud import LocalCloud
from tests.samlite.console.test_console_browser import HOSTILE, browser, open_page, page  # noqa: F401


def test_fire_a_schedule_and_see_its_invocation(page: Any, triggers_cloud: LocalCloud) -> None:  # noqa: F811
    open_page(page, triggers_cloud, "#/triggers")
    tick = page.locator('tr[data-schedule="WorkerTick"]')
    tick.wait_for()
    assert "rate(1 day)" in tick.inner_text() and "enabled" in tick.inner_text()
    nightly = page.locator('tr[data-schedule="WorkerNightly"]')
    assert "does not run on its own" in nightly.inner_text()
    assert "in flight" in page.locator("tr[data-mapping]", has_text="Jobs").inner_text()
    assert "from LATEST" in page.locator("tr[data-mapping]", has_text="Orders").inner_text()
    before = len(triggers_cloud.invocations("Worker"))
    tick.get_by_role("button", name="Fire now").click()
    page.locator("#fired-result", has_text="WorkerTick").wait_for()
    # The usual invocation: on the function's page, from the schedule, with the rule's Input.
    page.locator("#fired-result a", has_text="Worker").click()
    row = page.locator("#invocations tbody tr", has_text="schedule:").first
    row.wait_for()
    row.click()
    page.locator("#invocation-detail pre.event", has_text='"tick": true').wait_for()
    assert len(triggers_cloud.invocations("Worker")) > before
    assert page.dialogs == []


def test_start_an_execution_with_an_edited_input_and_see_it_succeed(
    page: Any,  # noqa: F811
    triggers_cloud: LocalCloud,
) -> None:
    open_page(page, triggers_cloud, "#/states")
    page.locator('tr[data-state-machine^="Doubler"]').click()
    name = f"web-{uuid.uuid4().hex[:8]}"
    page.locator("#execution-input").fill(json.dumps({"value": 5}))
    page.locator("#execution-name").fill(name)
    page.click("#start-execution")
    page.locator("#execution-detail .badge", has_text="SUCCEEDED").wait_for()
    output = page.locator("#execution-detail pre.execution-output")
    assert json.loads(output.inner_text()) == {"doubled": 10}
    assert page.locator('#execution-detail tr[data-event-type="ExecutionSucceeded"]').count() == 1
    assert page.locator('#execution-detail tr[data-event-type="LambdaFunctionSucceeded"]').count() == 1
    page.locator(f'#executions tr[data-execution="{name}"]', has_text="SUCCEEDED").wait_for()
    # A bad input is refused in the page.
    page.locator("#execution-input").fill("{not json")
    page.click("#start-execution")
    page.locator("#toast.bad", has_text="the input is not JSON").wait_for()


def test_the_function_page_shows_its_layers(page: Any, triggers_cloud: LocalCloud) -> None:  # noqa: F811
    open_page(page, triggers_cloud, "#/functions/Worker")
    layer = page.locator("table.layers tbody tr")
    layer.first.wait_for()
    assert layer.count() == 1
    text = layer.inner_text()
    assert "Greeting" in text and ":layer:greeting:1" in text and "layers/greeting" in text


def test_a_hostile_pattern_and_input_are_shown_as_text(page: Any, triggers_cloud: LocalCloud) -> None:  # noqa: F811
    events = triggers_cloud.client("events")
    rule = f"hostile-{uuid.uuid4().hex[:8]}"
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [HOSTILE]}))
    try:
        open_page(page, triggers_cloud, "#/triggers")
        shown = page.locator(f'tr[data-rule="{rule}"] pre.pattern')
        shown.wait_for()
        assert HOSTILE in shown.inner_text()
        assert page.locator(f'tr[data-rule="{rule}"] img').count() == 0
        open_page(page, triggers_cloud, "#/states/Doubler")
        page.locator("#execution-input").fill(json.dumps({"value": HOSTILE}))
        page.click("#start-execution")
        page.locator("#execution-detail .badge", has_text="FAILED").wait_for()
        assert HOSTILE in page.locator("#execution-detail pre.execution-input").inner_text()
        assert page.locator("#main img").count() == 0
    finally:
        events.delete_rule(Name=rule)
    assert page.dialogs == []
