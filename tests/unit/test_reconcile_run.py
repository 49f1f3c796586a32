"""Reconcile runs without AWS: counts and the summary line, budgets and checkpoints, continuations and
their loop guards, leases between concurrent invocations."""

from __future__ import annotations

import json
import logging

import pytest
from upload_catalog.controllers.reconcile_repair import Repairer
from upload_catalog.controllers.reconcile_request import RunRequest, parse_request
from upload_catalog.controllers.reconcile_run import ReconcilePorts, ReconcileRun, RunSettings
from upload_catalog.models import CatalogEntry, Tombstone

from tests.unit.reconcile_fakes import (
    FakeCheckpoints,
    FakeContinuation,
    ListingBucket,
    ReconcileCatalog,
    TickingClock,
)
from tests.unit.test_reconcile_rules import deliver

SCHEDULED = parse_request({"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}})


class World:
    def __init__(self, *, page_size: int = 3, workers: int = 1, max_continuations: int = 15) -> None:
        self.bucket = ListingBucket(versioned=True)
        self.catalog = ReconcileCatalog()
        self.checkpoints = FakeCheckpoints()
        self.continuation = FakeContinuation()
        self.clock = TickingClock()
        self.ids = iter(f"id{n}" for n in range(10_000))
        self.settings = RunSettings(page_size=page_size, workers=workers, max_continuations=max_continuations)

    def run(self, request: RunRequest = SCHEDULED, *, remaining: float = 900.0, owner: str = "req-1") -> dict:
        repairer = Repairer(
            self.bucket, self.catalog, sniff_bytes=65536, tombstone_ttl_seconds=60, clock=self.clock
        )
        ports = ReconcilePorts(self.bucket, self.catalog, self.checkpoints, self.continuation)
        run = ReconcileRun(
            self.bucket.name, ports, repairer, self.settings, clock=self.clock, new_id=lambda: next(self.ids)
        )
        return run.run(request, invocation_id=owner, remaining_seconds=remaining)

    def drifted_bucket(self, keys: int = 10) -> None:
        """``keys`` objects, half of them announced; one announced entry is corrupted, one orphaned."""
        for index in range(keys):
            self.bucket.put(f"k{index:02d}", f"body {index}".encode())
        deliver(self.bucket, self.catalog, *range(0, keys, 2))
        entry = self.catalog.items[(self.bucket.name, "k00")]
        self.catalog.items[(self.bucket.name, "k00")] = CatalogEntry(**{**entry.__dict__, "size": 12345})
        self.catalog.put_if_newer(Tombstone(self.bucket.name, "zz", "1".ljust(64, "0"), "t", 1))
        self.catalog.items[(self.bucket.name, "zz")] = CatalogEntry(
            self.bucket.name, "zz", 1, "e", "text/plain", None, "1".ljust(64, "0"), "2026-11-25T10:00:00Z"
        )

    def converged(self) -> bool:
        for key in {k for _, k in self.catalog.items} | set(self.bucket.versions):
            current = self.bucket.current(key)
            item = self.catalog.items.get((self.bucket.name, key))
            if current is None and isinstance(item, CatalogEntry):
                return False
            if current is not None and not (isinstance(item, CatalogEntry) and item.etag == current.etag):
                return False
        return True


def test_a_run_repairs_every_drift_and_counts_it(caplog) -> None:
    world = World()
    world.drifted_bucket()
    with caplog.at_level(logging.INFO, logger="upload_catalog"):
        summary = world.run()
    assert world.converged()
    assert summary["status"] == "complete"
    counts = {
        name: summary[name] for name in ("seen", "entries", "added", "removed", "fixed", "skipped", "failed")
    }
    assert counts == {
        "seen": 10,
        "entries": 6,
        "added": 5,
        "removed": 1,
        "fixed": 1,
        "skipped": 0,
        "failed": 0,
    }
    assert summary["drift"] == 7 and summary["run"]["drift"] == 7
    assert summary["duration_ms"] >= 0 and summary["objects_per_second"] >= 0
    (line,) = [r for r in caplog.records if r.getMessage() == "reconcile summary"]
    assert line.reconcile == summary  # one JSON line: the same document the invocation returns
    json.dumps(summary)
    assert world.checkpoints.stored["uploads"].last_complete["seen"] == 10


def test_a_clean_catalog_is_read_but_never_written() -> None:
    world = World()
    for index in range(7):
        world.bucket.put(f"k{index}", b"x")
    deliver(world.bucket, world.catalog, *range(7))
    writes = world.catalog.writes
    world.bucket.calls.clear()
    summary = world.run()
    assert (summary["seen"], summary["drift"], world.catalog.reconcile_writes) == (7, 0, 0)
    assert world.catalog.writes == writes
    assert "head" not in world.bucket.calls  # agreeing keys cost no HEAD: List and Query only


def test_a_run_out_of_time_checkpoints_and_continues_where_it_stopped() -> None:
    world = World(page_size=2)
    world.drifted_bucket()
    world.clock.step = 0.5  # every read of the clock costs half a second of the budget
    first = world.run(RunRequest("start", chain=True, budget_seconds=6))
    assert first["status"] == "partial" and first["continued"]
    (payload,) = world.continuation.started
    assert payload["reconcile"]["action"] == "continue"
    assert first["next"] == {"run_id": payload["reconcile"]["run_id"], "token": payload["reconcile"]["token"]}
    position = first["position"]
    assert position is not None
    summaries = [first]
    while summaries[-1]["status"] == "partial":
        payload = world.continuation.started[-1]
        summaries.append(world.run(parse_request(payload)))
    assert summaries[-1]["status"] == "complete"
    assert world.converged()
    # Every key was counted exactly once over the run's invocations.
    assert summaries[-1]["run"]["seen"] == 10 == sum(s["seen"] for s in summaries)
    assert summaries[-1]["run"]["invocations"] == len(summaries)


def test_a_duplicated_or_stale_continuation_does_nothing() -> None:
    world = World(page_size=2)
    world.drifted_bucket()
    world.clock.step = 0.5
    world.run(RunRequest("start", chain=True, budget_seconds=4))
    payload = world.continuation.started[-1]
    second = world.run(parse_request(payload))
    assert second["status"] in ("partial", "complete")
    again = world.run(parse_request(payload))  # the same continuation delivered twice
    assert again["status"] == "stale" and again["seen"] == 0
    other = world.run(RunRequest("continue", chain=True, run_id="someone-else", token="t"))
    assert other["status"] == "stale"


def test_continuations_stop_after_the_limit_and_the_next_run_resumes(caplog) -> None:
    world = World(page_size=1, max_continuations=2)
    world.drifted_bucket(keys=30)
    world.clock.step = 0.25
    result = world.run(RunRequest("start", chain=True, budget_seconds=3))
    while world.continuation.started and result["status"] == "partial" and result["continued"]:
        result = world.run(parse_request(world.continuation.started.pop()))
    assert result["status"] == "partial" and not result["continued"]
    assert "stops after 2 continuations" in caplog.text
    world.clock.step = 0.0
    resumed = world.run()  # the next scheduled run picks the run up where it stopped
    assert resumed["status"] == "complete" and resumed["run_id"] == result["run_id"]
    assert world.converged()


def test_a_step_without_progress_never_continues(caplog) -> None:
    world = World()
    world.drifted_bucket()
    world.clock.step = 100.0  # the budget is gone before the first chunk
    result = world.run(RunRequest("start", chain=True, budget_seconds=1))
    assert result["status"] == "partial" and not result["continued"]
    assert world.continuation.started == []
    assert "made no progress" in caplog.text


def test_a_failed_continuation_start_is_logged_and_the_checkpoint_kept(caplog) -> None:
    world = World(page_size=2)
    world.drifted_bucket()
    world.continuation.error = RuntimeError("RecursiveInvocationException")
    world.clock.step = 0.5
    result = world.run(RunRequest("start", chain=True, budget_seconds=4))
    assert result["status"] == "partial" and not result["continued"]
    assert "could not start its continuation" in caplog.text
    world.clock.step = 0.0
    assert world.run()["status"] == "complete"


def test_an_invocation_holding_the_lease_keeps_others_out() -> None:
    world = World()
    world.drifted_bucket()

    def second_invocation(call: str) -> None:
        if call == "list":
            world.bucket.hook = lambda _: None
            busy.append(world.run(owner="req-2"))

    busy: list[dict] = []
    world.bucket.hook = second_invocation
    first = world.run(owner="req-1")
    assert busy[0]["status"] == "busy" and busy[0]["seen"] == 0
    assert first["status"] == "complete"


def test_an_expired_lease_is_taken_over_and_the_old_owner_stops() -> None:
    world = World(page_size=2)
    world.drifted_bucket()

    def takeover(call: str) -> None:
        if call == "list" and not taken:
            taken.append(True)
            world.clock.now += 10_000  # the first invocation stalls beyond its lease ...
            taken.append(world.run(owner="req-2"))  # ... and a scheduled run takes the run over

    taken: list = []
    world.bucket.hook = takeover
    first = world.run(owner="req-1")
    assert taken[1]["status"] == "complete"
    assert first["status"] == "lost"
    assert world.converged()


def test_start_begins_a_new_run_and_status_reports_without_working() -> None:
    world = World(page_size=2)
    world.drifted_bucket()
    assert world.run(RunRequest("status", chain=False))["status"] == "idle"
    world.clock.step = 0.5
    partial = world.run(RunRequest("start", chain=False, budget_seconds=4))
    assert partial["status"] == "partial" and not partial["continued"]
    assert world.continuation.started == []  # chain false: the caller drives the run
    status = world.run(RunRequest("status", chain=False))
    assert (status["status"], status["run_id"], status["seen"]) == ("running", partial["run_id"], 0)
    world.clock.step = 0.0
    fresh = world.run(RunRequest("start", chain=False))
    assert fresh["run_id"] != partial["run_id"] and fresh["status"] == "complete"
    assert fresh["run"]["seen"] == 10  # the new run walked the whole bucket
    assert fresh["expected_objects"] == 10


def test_parallel_repairs_give_the_same_result() -> None:
    world = World(page_size=4, workers=8)
    world.drifted_bucket(keys=30)
    summary = world.run()
    assert summary["status"] == "complete" and summary["added"] == 15
    assert world.converged()


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ([], "event is a list"),
        ({"Records": []}, "neither an EventBridge Scheduled Event"),
        ({"reconcile": {"action": "go"}}, "reconcile.action must be one of"),
        ({"reconcile": {"chain": "yes"}}, "reconcile.chain must be true or false"),
        ({"reconcile": {"budget_seconds": 0}}, "reconcile.budget_seconds must be a number"),
        ({"reconcile": {"budget_seconds": True}}, "reconcile.budget_seconds must be a number"),
        ({"reconcile": {"action": "continue", "token": "t"}}, "reconcile.run_id is required"),
    ],
)
def test_requests_are_validated_naming_the_field(event, message) -> None:
    with pytest.raises(ValueError, match=message):
        parse_request(event)


def test_request_defaults() -> None:
    assert parse_request({}) == RunRequest("scheduled", chain=True)
    assert parse_request({"reconcile": {}}) == RunRequest("resume", chain=False)
    assert parse_request({"reconcile": {"action": "start", "budget_seconds": 2}}).budget_seconds == 2.0
