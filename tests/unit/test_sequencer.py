"""S3 sequencer ordering: right-pad the shorter with zeros, compare as strings (S3 User Guide).

``is_newer`` is the comparison the in-memory catalog (``tests.unit.fakes.FakeCatalog``) makes, and
``tests/service/test_catalog_table.py`` checks that DynamoDB's conditional write agrees with it on
``ORDERED_PAIRS``: the property tests' ordering is the production ordering.
"""

from __future__ import annotations

import pytest
from upload_catalog.controllers.sequencer import SEQUENCER_WIDTH, is_newer, normalize_sequencer


def test_padding_makes_equal_values_equal() -> None:
    assert normalize_sequencer("5F1") == normalize_sequencer("5F100")
    assert not is_newer(normalize_sequencer("5F100"), normalize_sequencer("5F1"))


#: (older, newer) raw sequencers, as S3 sends them.
ORDERED_PAIRS = [("0055AED6DCD90281E5", "0055AED6DCD90281E6"), ("5F0F", "5F1"), ("A", "A01"), ("09", "0A")]


@pytest.mark.parametrize(("older", "newer"), ORDERED_PAIRS)
def test_order(older: str, newer: str) -> None:
    assert is_newer(normalize_sequencer(newer), normalize_sequencer(older))
    assert not is_newer(normalize_sequencer(older), normalize_sequencer(newer))


def test_anything_is_newer_than_nothing_and_nothing_newer_than_itself() -> None:
    seq = normalize_sequencer("0A")
    assert is_newer(seq, None)
    assert not is_newer(seq, seq)


def test_case_and_width() -> None:
    assert normalize_sequencer("ab") == "AB".ljust(SEQUENCER_WIDTH, "0")
    assert len(normalize_sequencer("F" * SEQUENCER_WIDTH)) == SEQUENCER_WIDTH


@pytest.mark.parametrize("raw", ["", "  ", "0x1F", "G1", "F" * (SEQUENCER_WIDTH + 1)])
def test_invalid(raw: str) -> None:
    with pytest.raises(ValueError, match="sequencer"):
        normalize_sequencer(raw)
