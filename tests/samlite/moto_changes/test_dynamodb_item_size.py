"""Items built in one pass (samlite.moto_changes.dynamodb_item_size) are moto's own: the same attributes
in the same order and type, and ItemSizeTooLarge at the same size, for any attributes.

DynamoDB's limit: "The maximum item size in DynamoDB is 400 KB, which includes both attribute name
binary length (UTF-8 length) and attribute value lengths (again binary length)"
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html); moto enforces
it at ~405 kB, and so does the change.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samlite.moto_changes import dynamodb_item_size

NAMES = st.text(min_size=1, max_size=12)
SCALARS = st.one_of(
    st.builds(lambda text: {"S": text}, st.text(max_size=30)),
    st.builds(lambda n: {"N": str(n)}, st.integers(-(10**12), 10**12)),
    st.builds(lambda flag: {"BOOL": flag}, st.booleans()),
    st.builds(lambda blob: {"B": blob}, st.binary(max_size=20)),
    st.builds(lambda texts: {"SS": sorted(texts)}, st.sets(st.text(min_size=1, max_size=8), min_size=1)),
    st.just({"NULL": True}),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.builds(lambda items: {"L": items}, st.lists(children, max_size=3)),
        st.builds(lambda members: {"M": members}, st.dictionaries(NAMES, children, max_size=3)),
    ),
    max_leaves=8,
)
# Large strings put some items just under, at and over moto's 405,000-byte bound.
BIG = st.builds(lambda n: {"S": "x" * n}, st.integers(100_000, 210_000))
ATTRIBUTES = st.dictionaries(NAMES, st.one_of(VALUES, BIG), max_size=8)


def _new_item(init: Any, attrs: dict[str, Any]) -> Any:
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    item = Item.__new__(Item)
    init(item, DynamoType({"S": "h"}), None, attrs)
    return item


def _build(init: Any, attrs: dict[str, Any]) -> tuple[str, Any]:
    from moto.dynamodb.exceptions import ItemSizeTooLarge

    try:
        item = _new_item(init, attrs)
    except ItemSizeTooLarge:
        return "too large", None
    return type(item.attrs).__name__, [
        (key, value.type, value.to_json()) for key, value in item.attrs.items()
    ]


@pytest.fixture(scope="module")
def items() -> Any:
    """moto's Item.__init__, and the one the change installs."""
    from moto.dynamodb.models.dynamo_type import Item

    return Item.__init__, dynamodb_item_size._one_pass(Item.__init__)


@settings(max_examples=300, deadline=None)
@given(attrs=ATTRIBUTES)
def test_items_are_motos(items: Any, attrs: dict[str, Any]) -> None:
    moto_item, changed_item = items
    assert _build(changed_item, attrs) == _build(moto_item, attrs)


def test_the_bound_is_motos_to_the_byte(items: Any) -> None:
    moto_item, changed_item = items
    name = "a"
    for length in range(404_990, 405_010):
        attrs = {name: {"S": "x" * (length - 1)}, "b": {"S": ""}}
        assert _build(changed_item, attrs) == _build(moto_item, attrs), length


def test_later_writes_are_still_checked(items: Any) -> None:
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType

    _, changed_item = items
    item = _new_item(changed_item, {"a": {"S": "x" * 300_000}})
    with pytest.raises(ItemSizeTooLarge):
        item.attrs["b"] = DynamoType({"S": "y" * 200_000})


def test_the_change_is_applied_with_dynamodb() -> None:
    from moto.dynamodb.models.dynamo_type import Item

    original = Item.__init__
    dynamodb_item_size.CHANGE.apply()
    try:
        assert Item.__init__ is not original
    finally:
        dynamodb_item_size.CHANGE.restore()
    assert Item.__init__ is original
