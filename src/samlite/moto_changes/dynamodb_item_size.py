"""moto's DynamoDB item built in one pass: each attribute's size is measured once, not once per later
attribute.

moto 5.2.5 keeps an item's attributes in a `LimitedSizeDict`, whose `__setitem__` refuses an item
above ~405 kB (`ItemSizeTooLarge`) by summing the size of every attribute already stored, and
`Item.__init__` stores the attributes one by one: building an item of n attributes measures
n(n+1)/2 of them. For the catalog's 13-attribute items that is ~60% of moto's `Table.put_item`, and
every PutItem, BatchWriteItem and UpdateItem that creates an item pays it.

This builds the same `LimitedSizeDict` with a running total: the same attributes in the same order,
the same `DynamoType`s, and `ItemSizeTooLarge` raised at the same attribute (moto compares, for each
attribute, the size stored so far plus the new one with 405,000 bytes). Later writes to the item
(UpdateItem's in-place changes) still go through moto's own `LimitedSizeDict.__setitem__`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target

# moto's own bound, written inside LimitedSizeDict.__setitem__ ("between 409 and 410KB").
_MAX_ITEM_BYTES = 405_000


def _one_pass(_original: Callable[..., None]) -> Callable[..., None]:
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    store = dict.__setitem__

    def __init__(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        self.attrs = limited = LimitedSizeDict()
        total = 0
        for key, value in attrs.items():
            typed = DynamoType(value)
            total += bytesize(key) + typed.size()
            if total > _MAX_ITEM_BYTES:
                raise ItemSizeTooLarge
            store(limited, key, typed)

    return __init__


CHANGE = MotoChange(
    name="dynamodb-item-size",
    reason="moto measures every stored attribute again for each new attribute of an item",
    patches=(
        Patch(
            Target("moto.dynamodb.models.dynamo_type:Item.__init__", "(self, hash_key, range_key, attrs)"),
            _one_pass,
        ),
    ),
    service="dynamodb",
)
