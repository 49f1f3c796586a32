"""DynamoDB items written directly (samlite.moto_changes.dynamodb_attribute_values) are moto's own
serializer's output, byte for byte: random results of every operation that returns items (Query, Scan,
GetItem, UpdateItem's Attributes, BatchGetItem, TransactGetItems), with values of every AttributeValue
type nested in maps and lists, and with the odd values moto's models never build (lower-case type
names, None, several types in one value, numbers as ints, empty names) that must go to moto's code.

The AttributeValue shapes: Amazon DynamoDB API Reference, "AttributeValue" data type
(https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValue.html).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samlite.moto_changes import dynamodb_attribute_values

NAMES = st.sampled_from(["a", "b", "S", "N", "M", "L", "type", "x.y", "Item", "B", "é"])
SCALARS = st.one_of(
    st.text(max_size=5).map(lambda text: {"S": text}),
    st.integers(-1000, 1000).map(lambda number: {"N": str(number)}),
    st.binary(max_size=5).map(lambda data: {"B": data}),
    st.text(max_size=4).map(lambda data: {"B": data}),
    st.booleans().map(lambda flag: {"BOOL": flag}),
    st.just({"NULL": True}),
    st.lists(st.text(min_size=1, max_size=3), min_size=1, max_size=3).map(lambda items: {"SS": items}),
    st.lists(st.integers(0, 99).map(str), min_size=1, max_size=3).map(lambda items: {"NS": items}),
    st.lists(st.binary(min_size=1, max_size=3), min_size=1, max_size=3).map(lambda items: {"BS": items}),
)
# What moto's models never hand the serializer, and moto's own code must then write (or refuse).
ODD = st.one_of(
    st.just({"s": "lower"}),
    st.just({"S": None}),
    st.just({"S": 7}),
    st.just({"N": 7}),
    st.just({"S": "a", "N": "1"}),
    st.just({}),
    st.just({"SS": "abc"}),
    st.just({"SS": [1, 2]}),
    st.just({"L": "text"}),
    st.just({"M": [1]}),
    st.just({"StringSetAttributeValue": ["x"]}),
    st.just({"M": {"": {"S": "empty name"}}}),
    st.just({"BOOL": None}),
    st.just(None),
    st.just("text"),
)


def values(leaves: Any) -> Any:
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.dictionaries(NAMES, children, max_size=3).map(lambda members: {"M": members}),
            st.lists(children, max_size=3).map(lambda items: {"L": items}),
        ),
        max_leaves=8,
    )


ITEMS = st.dictionaries(NAMES, values(SCALARS), max_size=4)
ODD_ITEMS = st.dictionaries(NAMES, values(st.one_of(SCALARS, ODD)), max_size=4)


def _results(items: Any) -> Any:
    """A result dict of each operation that returns items, as moto's responses build them."""
    return st.one_of(
        st.builds(
            lambda page, key: {
                "Items": page,
                "Count": len(page),
                "ScannedCount": len(page),
                "LastEvaluatedKey": key,
            },
            st.lists(items, max_size=4),
            items,
        ).map(lambda result: ("Query", result)),
        st.lists(items, max_size=3).map(lambda page: ("Scan", {"Items": page, "Count": len(page)})),
        items.map(lambda item: ("GetItem", {"Item": item})),
        items.map(lambda item: ("UpdateItem", {"Attributes": item})),
        st.lists(items, max_size=3).map(lambda page: ("BatchGetItem", {"Responses": {"t": page}})),
        st.lists(items, max_size=3).map(
            lambda page: ("TransactGetItems", {"Responses": [{"Item": item} for item in page]})
        ),
    )


@pytest.fixture(scope="module")
def serializers() -> Iterator[Any]:
    """moto's own map serializer, and a function serializing a result with or without the change."""
    from moto.core import serialize
    from moto.core.utils import get_service_model

    assert not dynamodb_attribute_values.CHANGE.applied, "the test compares with moto's own code"
    model = get_service_model("dynamodb")
    original = serialize.BaseJSONSerializer._serialize_type_map
    changed = dynamodb_attribute_values._direct_maps(original)

    def written(operation: str, result: Any, *, change: bool) -> Any:
        serializer = serialize.get_serializer_class("dynamodb", "json")(
            operation_model=model.operation_model(operation),
            pretty_print=False,
            value_picker=serialize.XFormedAttributePicker(),
        )
        patched = changed if change else original
        with mock.patch.object(serialize.BaseJSONSerializer, "_serialize_type_map", patched):
            try:
                answer = serializer.serialize(result)
            except Exception as error:  # moto's refusal must be the same refusal
                return ("raised", type(error).__name__, str(error))
        return answer["status_code"], answer["headers"], answer["body"]

    dynamodb_attribute_values.forget()
    yield written
    dynamodb_attribute_values.forget()


@settings(max_examples=300, deadline=None)
@given(case=_results(ITEMS))
def test_items_are_written_as_moto_writes_them(serializers: Any, case: tuple[str, Any]) -> None:
    operation, result = case
    assert serializers(operation, result, change=True) == serializers(operation, result, change=False)


@settings(max_examples=300, deadline=None)
@given(case=_results(ODD_ITEMS))
def test_odd_values_are_motos_to_write(serializers: Any, case: tuple[str, Any]) -> None:
    operation, result = case
    assert serializers(operation, result, change=True) == serializers(operation, result, change=False)


def test_the_common_case_takes_the_direct_path(serializers: Any) -> None:
    """A page of ordinary items reaches moto's structure serializer only for the output itself."""
    from moto.core import serialize

    item = {"pk": {"S": "k"}, "n": {"N": "1"}, "tags": {"L": [{"S": "a"}, {"M": {"b": {"BOOL": True}}}]}}
    calls: list[str] = []
    original = serialize.BaseJSONSerializer._serialize_type_structure

    def counting(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        calls.append(shape.name)
        original(self, serialized, value, shape, key)

    with mock.patch.object(serialize.BaseJSONSerializer, "_serialize_type_structure", counting):
        serializers("Query", {"Items": [item] * 50, "Count": 50}, change=False)
        assert calls.count("AttributeValue") == 50 * 6  # moto's own code: every value, nested ones too
        calls.clear()
        serializers("Query", {"Items": [item] * 50, "Count": 50}, change=True)
    assert calls == ["QueryOutput"]


def test_the_change_is_applied_with_dynamodb() -> None:
    from moto.core.serialize import BaseJSONSerializer

    original = BaseJSONSerializer._serialize_type_map
    dynamodb_attribute_values.CHANGE.apply()
    try:
        assert BaseJSONSerializer._serialize_type_map is not original
        assert dynamodb_attribute_values.CHANGE.drifted() == []
    finally:
        dynamodb_attribute_values.CHANGE.restore()
    assert BaseJSONSerializer._serialize_type_map is original
