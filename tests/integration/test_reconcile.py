"""The reconcile on the whole stack: drift made behind the catalog's back is repaired, and objects no
event announced are catalogued by the workstation backfill (``scripts/reconcile.py``, ``make
reconcile``). Written for either target: on AWS the function is invoked through the Lambda API, as
the schedule's rule would (Amazon EventBridge User Guide, "Creating a rule that runs on a schedule").
"""

from __future__ import annotations

import functools
import importlib.util
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.integration.stack_target import Stack, target_is_aws

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "reconcile.py"
SCHEDULED_EVENT = {
    "version": "0",
    "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-12-02T00:00:00Z",
    "region": "us-east-1",
    "resources": [],
    "detail": {},
}


@functools.cache
def reconcile_script() -> Any:
    """scripts/reconcile.py as a module (scripts are not a package)."""
    spec = importlib.util.spec_from_file_location("reconcile_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def run_scheduled(stack: Stack) -> None:
    """What the nightly schedule does, now: ``samlite trigger ReconcileFunction`` locally (the schedule's
    own Scheduled Event, through its rule), a Scheduled Event through the Lambda API on a deployed stack
    (no way to fire a deployed rule now); then wait for the run and its continuations."""
    name = stack.outputs["ReconcileFunctionName"]
    if stack.local is not None:
        stack.local.trigger("ReconcileFunction")
        assert stack.settle(120.0), "the triggered reconcile (and its continuations) did not finish"
        summary = invoke(stack, {"reconcile": {"action": "status"}})
        assert summary["run"]["status"] == "complete", summary
        return
    summary = invoke(stack, SCHEDULED_EVENT)
    assert summary["status"] in ("complete", "partial"), (name, summary)
    if summary["status"] == "partial":  # continuing itself asynchronously: follow it
        reconcile_script().reconcile(
            lambda request: invoke(stack, {"reconcile": request}),
            start=False,
            budget=60.0,
            progress=reconcile_script().Progress(0.0, out=io.StringIO()),
        )


def invoke(stack: Stack, event: dict[str, Any]) -> dict[str, Any]:
    response = stack.client("lambda").invoke(
        FunctionName=stack.outputs["ReconcileFunctionName"], Payload=json.dumps(event).encode()
    )
    payload = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, payload
    return payload


def test_an_entry_removed_and_another_corrupted_are_repaired(stack: Stack, prefix: str) -> None:
    removed, corrupted, kept = f"{prefix}removed.txt", f"{prefix}corrupted.txt", f"{prefix}kept.txt"
    for key in (removed, corrupted, kept):
        stack.s3.put_object(Bucket=stack.bucket, Key=key, Body=f"body of {key}".encode())
        stack.wait_live(key)
    announced = stack.catalog_item(removed)
    good = stack.catalog_item(corrupted)
    untouched = stack.catalog_item(kept)
    table, bucket = stack.table, stack.bucket
    stack.dynamodb.delete_item(TableName=table, Key={"bucket": {"S": bucket}, "key": {"S": removed}})
    stack.dynamodb.update_item(
        TableName=table,
        Key={"bucket": {"S": bucket}, "key": {"S": corrupted}},
        UpdateExpression="SET #s = :s, etag = :e",
        ExpressionAttributeNames={"#s": "size"},
        ExpressionAttributeValues={":s": {"N": "1"}, ":e": {"S": "not-the-etag"}},
    )

    run_scheduled(stack)

    restored = stack.catalog_item(removed)
    assert restored is not None and not restored.get("deleted")
    same = ("size", "etag", "content_type", "version_id")  # described by the same rules as an event
    assert {name: restored.get(name) for name in same} == {name: announced.get(name) for name in same}
    fixed = stack.catalog_item(corrupted)
    assert (fixed["size"], fixed["etag"]) == (good["size"], good["etag"])
    assert stack.catalog_item(kept) == untouched  # nothing that agreed was rewritten


@pytest.mark.skipif(
    target_is_aws(),
    reason="switches the bucket's notifications off for a moment: not on a shared deployed stack",
)
def test_objects_put_without_notifications_are_backfilled(stack: Stack, prefix: str) -> None:
    """The "Done when" of the issue: objects reach the bucket while its notification configuration is
    removed, then it is restored; ``scripts/reconcile.py`` (what ``make reconcile`` runs) catalogues them."""
    s3 = stack.s3
    saved = s3.get_bucket_notification_configuration(Bucket=stack.bucket)
    saved.pop("ResponseMetadata", None)
    keys = [f"{prefix}quiet/{n:03d}.txt" for n in range(30)]
    s3.put_bucket_notification_configuration(Bucket=stack.bucket, NotificationConfiguration={})
    try:
        for key in keys:
            s3.put_object(Bucket=stack.bucket, Key=key, Body=key.encode())
    finally:
        s3.put_bucket_notification_configuration(Bucket=stack.bucket, NotificationConfiguration=saved)
    stack.settle(stack.converge_timeout)
    assert all(stack.catalog_item(key) is None for key in keys), "an event announced a quiet upload"

    script = reconcile_script()
    progress = io.StringIO()
    summary = script.reconcile(
        lambda request: invoke(stack, {"reconcile": request}),
        start=True,
        budget=30.0,
        progress=script.Progress(0.0, out=progress),
    )

    assert summary["status"] == "complete" and summary["run"]["added"] >= len(keys)
    assert "objects seen" in progress.getvalue()
    for key in keys:
        item = stack.catalog_item(key)
        assert item is not None and not item.get("deleted") and item["size"] == len(key.encode())
