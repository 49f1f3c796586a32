"""Chaos delivery: parsed from `--chaos`, seeded, logged, and never beyond a channel's AWS contract.

The contracts are AWS's: "Amazon S3 Event Notifications" (delivered at least once, not in order),
"Invoking a Lambda function asynchronously" ("your function can receive the same event multiple
times"), "Amazon SQS FIFO queues" (order kept per message group) and Kinesis / DynamoDB Streams
(records of a shard in order).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samlite.errors import SamliteError
from samlite.services.chaos import (
    ORDERED_AT_LEAST_ONCE,
    ORDERED_EXACTLY_ONCE,
    UNORDERED_AT_LEAST_ONCE,
    Chaos,
    ChaosPolicy,
    ChaosSpecError,
    Contract,
)


def test_parse_reads_every_key_in_any_order() -> None:
    policy = ChaosPolicy.parse("reorder=0.2, duplicate=0.1,delay=50ms,seed=7")
    assert policy == ChaosPolicy(duplicate=0.1, reorder=0.2, delay_ms=50.0, seed=7)
    assert ChaosPolicy.parse("delay=0.5s").delay_ms == 500.0
    assert ChaosPolicy.parse("delay=20").delay_ms == 20.0
    assert ChaosPolicy.parse("duplicate=1").active
    assert not ChaosPolicy.parse("seed=3").active


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("duplicate=2", "duplicate='2'"),
        ("reorder=-0.1", "reorder='-0.1'"),
        ("reorder=often", "reorder='often'"),
        ("delay=fast", "delay='fast'"),
        ("delay=5min", "delay='5min'"),
        ("seed=x", "seed='x'"),
        ("drop=0.5", "unknown key 'drop'"),
        ("duplicate", "'duplicate' is not KEY=VALUE"),
        ("duplicate=", "'duplicate=' is not KEY=VALUE"),
        ("duplicate=0.1,duplicate=0.2", "duplicate is given twice"),
        ("", "give at least one"),
    ],
)
def test_parse_errors_name_the_bad_key_or_value(text: str, named: str) -> None:
    with pytest.raises(ChaosSpecError) as raised:
        ChaosPolicy.parse(text)
    assert named in str(raised.value)
    assert isinstance(raised.value, SamliteError) and isinstance(raised.value, ValueError)


def _chaos(text: str, lines: list[str] | None = None) -> Chaos:
    return Chaos(ChaosPolicy.parse(text), log=(lines if lines is not None else []).append)


def test_the_seed_is_logged_and_decisions_repeat_per_channel() -> None:
    lines: list[str] = []
    first = _chaos("duplicate=0.5,reorder=0.5,delay=10,seed=42", lines)
    second = _chaos("duplicate=0.5,reorder=0.5,delay=10,seed=42")
    assert "seed 42" in lines[0] and "chaos on" in lines[0]
    # Interleaving another channel's decisions changes nothing for this one.
    a = [first.decide("a", UNORDERED_AT_LEAST_ONCE, f"a{i}") for i in range(30)]
    b = []
    for i in range(30):
        second.decide("other", UNORDERED_AT_LEAST_ONCE, "x")
        b.append(second.decide("a", UNORDERED_AT_LEAST_ONCE, f"a{i}"))
    assert a == b
    assert {d.copies for d in a} == {1, 2} and {d.held for d in a} == {True, False}


def test_without_a_seed_one_is_drawn_and_logged() -> None:
    lines: list[str] = []
    chaos = _chaos("duplicate=0.1", lines)
    assert f"seed {chaos.seed}" in lines[0]


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**31), st.sampled_from([ORDERED_AT_LEAST_ONCE, ORDERED_EXACTLY_ONCE]))
def test_property_ordered_channels_are_never_reordered_and_exactly_once_never_duplicated(
    seed: int, contract: Contract
) -> None:
    chaos = Chaos(ChaosPolicy(duplicate=1.0, reorder=1.0, delay_ms=5, seed=seed), log=lambda _l: None)
    for index in range(20):
        decision = chaos.decide("fifo", contract, str(index))
        assert not decision.held
        assert decision.copies == (2 if contract.duplicates else 1)
        assert len(decision.delay_s) == decision.copies
        assert all(0.0 <= delay <= 0.005 for delay in decision.delay_s)


def test_duplicates_and_reorders_are_logged_with_the_delivery() -> None:
    lines: list[str] = []
    chaos = _chaos("duplicate=1,reorder=1,seed=1", lines)
    chaos.decide("c", UNORDERED_AT_LEAST_ONCE, "S3 event ObjectCreated:Put b/k for Fn")
    assert "samlite: chaos: delivering twice: S3 event ObjectCreated:Put b/k for Fn" in lines
    assert (
        "samlite: chaos: holding back, to arrive after the next one: S3 event ObjectCreated:Put b/k for Fn"
        in lines
    )


class Sink:
    """Records what chaos sent, in order; `wait_for(n)` waits on a condition with a deadline."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self._arrived = threading.Condition()

    def send(self, name: str) -> Callable[[], None]:
        def deliver() -> None:
            with self._arrived:
                self.sent.append(name)
                self._arrived.notify_all()

        return deliver

    def wait_for(self, count: int, timeout: float = 5.0) -> list[str]:
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.sent) >= count, timeout), self.sent
            return list(self.sent)


def test_duplicate_sends_twice() -> None:
    chaos, sink = _chaos("duplicate=1,seed=3"), Sink()
    chaos.deliver("c", UNORDERED_AT_LEAST_ONCE, "one", sink.send("one"))
    assert chaos.wait_idle(5)
    assert sink.wait_for(2) == ["one", "one"]
    chaos.close()


def test_an_exactly_once_channel_is_not_duplicated() -> None:
    chaos, sink = _chaos("duplicate=1,seed=3"), Sink()
    chaos.deliver("c", ORDERED_EXACTLY_ONCE, "one", sink.send("one"))
    assert chaos.wait_idle(5)
    assert sink.sent == ["one"]
    chaos.close()


def test_a_held_delivery_arrives_after_the_next_one() -> None:
    # Decisions of channel "c" with this seed: find one where the first is held and the second not.
    seed = next(
        seed
        for seed in range(1000)
        if [d.held for d in _decisions(f"reorder=0.5,seed={seed}", 2)] == [True, False]
    )
    chaos, sink = _chaos(f"reorder=0.5,seed={seed}"), Sink()
    chaos.deliver("c", UNORDERED_AT_LEAST_ONCE, "first", sink.send("first"))
    assert chaos.pending == 1 and not chaos.wait_idle(0)
    chaos.deliver("c", UNORDERED_AT_LEAST_ONCE, "second", sink.send("second"))
    assert chaos.wait_idle(5)
    assert sink.wait_for(2) == ["second", "first"]
    chaos.close()


def _decisions(text: str, count: int) -> list:
    chaos = _chaos(text)
    return [chaos.decide("c", UNORDERED_AT_LEAST_ONCE, str(i)) for i in range(count)]


def test_held_deliveries_go_after_a_short_window_when_nothing_follows_latest_first() -> None:
    chaos, sink = _chaos("reorder=1,seed=5"), Sink()
    for name in ("a", "b", "c"):
        chaos.deliver("c", UNORDERED_AT_LEAST_ONCE, name, sink.send(name))
    assert chaos.wait_idle(5)
    assert sink.wait_for(3) == ["c", "b", "a"]
    chaos.close()


def test_delays_on_an_ordered_channel_keep_the_order() -> None:
    chaos, sink = _chaos("delay=20,reorder=1,seed=9"), Sink()
    names = [str(i) for i in range(25)]
    for name in names:
        chaos.deliver("shard-1", ORDERED_AT_LEAST_ONCE, name, sink.send(name))
    assert chaos.wait_idle(5)
    assert sink.wait_for(25) == names
    chaos.close()


def test_delays_on_an_unordered_channel_may_overtake() -> None:
    chaos, sink = _chaos("delay=30,seed=11"), Sink()
    names = [str(i) for i in range(25)]
    for name in names:
        chaos.deliver("c", UNORDERED_AT_LEAST_ONCE, name, sink.send(name))
    assert chaos.wait_idle(5)
    sent = sink.wait_for(25)
    assert sorted(sent, key=int) == names and sent != names
    chaos.close()


def test_a_failing_send_is_logged_and_the_rest_goes_on() -> None:
    lines: list[str] = []
    chaos, sink = _chaos("delay=1,seed=1", lines), Sink()

    def broken() -> None:
        raise RuntimeError("queue gone")

    chaos.deliver("c", UNORDERED_AT_LEAST_ONCE, "broken one", broken)
    chaos.deliver("c", UNORDERED_AT_LEAST_ONCE, "fine", sink.send("fine"))
    assert chaos.wait_idle(5)
    assert sink.wait_for(1) == ["fine"]
    assert "samlite: chaos: delivery failed: broken one: RuntimeError: queue gone" in lines
    chaos.close()


def test_close_sends_what_is_held_or_delayed_and_later_deliveries_go_straight_through() -> None:
    chaos, sink = _chaos("reorder=1,delay=60000,seed=2"), Sink()
    chaos.deliver("c", UNORDERED_AT_LEAST_ONCE, "held", sink.send("held"))
    chaos.deliver("d", ORDERED_AT_LEAST_ONCE, "delayed", sink.send("delayed"))
    assert chaos.pending == 2
    chaos.close()
    assert sorted(sink.sent) == ["delayed", "held"]
    assert chaos.wait_idle(0)
    chaos.deliver("c", UNORDERED_AT_LEAST_ONCE, "after", sink.send("after"))
    assert sink.sent[-1] == "after"
    chaos.close()  # idempotent
