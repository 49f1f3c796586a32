"""Ordering of S3 events on one key through their ``sequencer``.

S3 does not deliver notifications in order, and may deliver one more than once. Its documentation
(Amazon S3 User Guide, "Event message structure") says: sequencers of events on the same object key are
hexadecimal strings that are compared as strings after right-padding the shorter one with zeros. We pad
every sequencer to one fixed width once, when parsing, so that stored values compare correctly with
any plain string comparison - including DynamoDB's condition ``sequencer < :new`` on the server side.
"""

from __future__ import annotations

#: Fixed width of a stored sequencer. S3's sequencers are about 18 hex digits today; 64 leaves headroom.
SEQUENCER_WIDTH = 64
_HEX = frozenset("0123456789ABCDEF")


def normalize_sequencer(raw: str) -> str:
    """Return ``raw`` upper-cased and right-padded with zeros to SEQUENCER_WIDTH; ValueError if not hex."""
    value = raw.strip().upper()
    if not value:
        raise ValueError("sequencer is empty")
    if not set(value) <= _HEX:
        raise ValueError(f"sequencer {raw!r} is not a hexadecimal string")
    if len(value) > SEQUENCER_WIDTH:
        raise ValueError(f"sequencer {raw!r} is longer than {SEQUENCER_WIDTH} hex digits")
    return value.ljust(SEQUENCER_WIDTH, "0")


def is_newer(candidate: str, current: str | None) -> bool:
    """True when an event with sequencer ``candidate`` must replace state written at ``current``.

    Both are normalised values; equal sequencers mean the same event delivered twice, which is not newer.
    This is the order of the table's conditional write (``services.catalog_table.CONDITION``,
    ``attribute_not_exists(key) OR sequencer < :new``), which DynamoDB evaluates on the server; the
    in-memory catalog of the unit and property tests uses this function, and a service test checks on
    moto that the real condition decides every pair the same way.
    """
    return current is None or candidate > current
