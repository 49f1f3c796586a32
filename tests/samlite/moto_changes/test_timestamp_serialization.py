"""Remembered response timestamps (samlite.moto_changes.timestamp_serialization) are moto's own: every
value and format converted with and without the change gives the same text, asked once or again."""

from __future__ import annotations

import datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from samlite.moto_changes import timestamp_serialization

FORMATS = ["iso8601", "iso8601_zeroed", "rfc822", "unixtimestamp"]
ZONES = st.sampled_from(
    [
        None,
        datetime.UTC,
        datetime.timezone(datetime.timedelta(hours=2)),
        datetime.timezone(-datetime.timedelta(hours=5, minutes=30)),
    ]
)
DATETIMES = st.builds(
    lambda moment, zone: moment.replace(tzinfo=zone),
    st.datetimes(min_value=datetime.datetime(1971, 1, 2), max_value=datetime.datetime(2100, 1, 1)),
    ZONES,
)
VALUES = st.one_of(
    DATETIMES,
    DATETIMES.map(lambda moment: moment.isoformat()),
    DATETIMES.map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")),
    st.integers(min_value=0, max_value=4_000_000_000),
    st.floats(min_value=0, max_value=4_000_000_000, allow_nan=False),
)


def _convert(value: Any, timestamp_format: str) -> Any:
    from moto.core.serialize import TimestampSerializer

    return TimestampSerializer("iso8601")._convert_timestamp_to_str(value, timestamp_format)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(VALUES, min_size=1, max_size=5), timestamp_format=st.sampled_from(FORMATS))
def test_remembered_conversions_are_motos(values: list[Any], timestamp_format: str) -> None:
    expected = [_convert(value, timestamp_format) for value in values]
    change = timestamp_serialization.CHANGE
    change.apply()
    try:
        first = [_convert(value, timestamp_format) for value in values]
        again = [_convert(value, timestamp_format) for value in values]
    finally:
        change.restore()
    assert first == expected
    assert again == expected


def test_the_same_instant_in_two_zones_keeps_each_zone() -> None:
    utc = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    later_zone = utc.astimezone(datetime.timezone(datetime.timedelta(hours=1)))
    expected = [_convert(value, "iso8601") for value in (utc, later_zone)]
    change = timestamp_serialization.CHANGE
    change.apply()
    try:
        assert [_convert(value, "iso8601") for value in (utc, later_zone)] == expected
    finally:
        change.restore()
