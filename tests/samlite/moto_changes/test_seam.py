"""samlite changes moto through one seam: every change applied by one `apply()`, undone by `restore()`.

The canary test fails with the name of the moto target that moved when moto is upgraded: a changed
signature means the replacement may no longer fit what moto calls.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from samlite import moto_changes
from samlite.moto_changes.seam import MotoChange, Patch, Target


def test_no_moto_target_moved_since_its_change_was_written() -> None:
    assert moto_changes.drifted() == []


def _originals() -> dict[str, object]:
    return {
        patch.target.path: patch.target.current()
        for change in moto_changes.CHANGES
        for patch in change.patches
    }


def test_apply_installs_every_change_and_restore_undoes_all_of_it() -> None:
    before = _originals()
    moto_changes.apply()
    try:
        assert moto_changes.applied() == [change.name for change in moto_changes.CHANGES]
        changed = _originals()
        assert all(changed[path] is not before[path] for path in before), "a target was left as moto had it"
    finally:
        moto_changes.restore()
    assert moto_changes.applied() == []
    after = _originals()
    assert all(after[path] is before[path] for path in before), "restore() did not put moto's code back"


def test_uses_are_counted() -> None:
    moto_changes.apply()
    moto_changes.apply()
    moto_changes.restore()
    assert len(moto_changes.applied()) == len(moto_changes.CHANGES)
    moto_changes.restore()
    assert moto_changes.applied() == []
    moto_changes.restore()  # one too many: harmless
    assert moto_changes.applied() == []


def test_a_services_changes_wait_for_its_first_use() -> None:
    deferred: dict[str, list[Callable[[], None]]] = {}
    moto_changes.apply(on_first_use=lambda service, setup: deferred.setdefault(service, []).append(setup))
    try:
        not_per_service = {change.name for change in moto_changes.CHANGES if change.service is None}
        assert set(moto_changes.applied()) == not_per_service
        assert set(deferred) == {change.service for change in moto_changes.CHANGES if change.service}
        assert {"s3", "dynamodb", "secretsmanager", "ssm", "kms", "stepfunctions", "sns", "events"} <= set(
            deferred
        )
        for setup in deferred["dynamodb"]:
            setup()
        assert {"dynamodb-query-index", "dynamodb-iam-resource"} <= set(moto_changes.applied())
        assert "s3-notifications-off" not in moto_changes.applied()
    finally:
        moto_changes.restore()
    for setup in deferred["s3"]:
        setup()  # fired after the last restore: changes nothing
    assert moto_changes.applied() == []


class _Owner:
    def method(self, value: int) -> int:
        return value


def test_a_change_restores_an_attribute_moto_did_not_have() -> None:
    change = MotoChange(
        name="test",
        reason="test",
        patches=(
            Patch(
                Target(f"{__name__}:_Owner.method", "(self, value)"), lambda original: lambda self, v: v + 1
            ),
            Patch(Target(f"{__name__}:_Owner.added", None), lambda _original: "added"),
        ),
    )
    assert change.drifted() == []
    change.apply()
    assert (_Owner().method(1), _Owner.added) == (2, "added")  # type: ignore[attr-defined]
    assert change.drifted() == [
        f"{__name__}:_Owner.method: signature is now (self, v), was (self, value)",
        f"{__name__}:_Owner.added: moto now defines it",
    ]
    change.restore()
    assert _Owner().method(1) == 1
    assert not hasattr(_Owner, "added")


def test_drift_names_a_target_that_is_gone() -> None:
    missing = Target(f"{__name__}:_Owner.vanished", "(self)")
    assert missing.drift() == f"{__name__}:_Owner.vanished: moto no longer defines it"
    unimportable = Target("samlite_no_such_module:thing", "()")
    drift = unimportable.drift()
    assert drift is not None and drift.startswith("samlite_no_such_module:thing: no longer importable")


@pytest.mark.parametrize("change", moto_changes.CHANGES, ids=lambda change: change.name)
def test_every_change_says_why(change: MotoChange) -> None:
    # A change without patches (ssm_without_ec2 changes how a moto module is imported) has its own
    # canary test instead of recorded signatures.
    assert change.reason and (change.patches or change.on_apply)
