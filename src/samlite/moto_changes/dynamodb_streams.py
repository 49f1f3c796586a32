"""DynamoDB stream records are delivered to Lambda by samlite: moto's own delivery is off, and samlite
is told of every record a write appends to a table's stream.

moto appends a stream record in `StreamShard.add` on every write to a table with a stream, and then
delivers the whole shard to each event-source mapping of the table, synchronously inside the write
(PutItem returns only after the function ran), through its Docker-based Lambda. samlite polls the
stream with Lambda's semantics instead (`samlite.services.awslambda.event_sources`), reading the same
records moto keeps for DynamoDB Streams' GetRecords, so:
- `Table.lambda_event_source_mappings` reads as empty and ignores writes: the loop in `StreamShard.add`
  delivers nothing, and the shard keeps its records as DynamoDB Streams does (moto dropped them after
  a delivery);
- `StreamShard.add` tells `record_added` listeners (with the shard) after the record is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from samlite.moto_changes.listeners import Listeners
from samlite.moto_changes.seam import MotoChange, Patch, Target

record_added = Listeners("dynamodb stream record added")


def _no_mappings() -> property:
    def read(_table: Any) -> dict[str, Any]:
        return {}

    def write(_table: Any, _value: Any) -> None:
        """moto's Table.__init__ assigns a dict here; samlite keeps none."""

    return property(read, write, doc="samlite polls DynamoDB streams itself (moto_changes)")


def _announcing(original: Callable[..., None]) -> Callable[..., None]:
    def add(self: Any, old: Any, new: Any) -> None:
        original(self, old, new)
        record_added.fire(self)

    return add


CHANGE = MotoChange(
    name="dynamodb-streams",
    reason="moto delivers DynamoDB stream records to Lambda itself, inside the write, through Docker",
    patches=(
        Patch(
            Target("moto.dynamodb.models.table:Table.lambda_event_source_mappings", None),
            lambda _: _no_mappings(),
        ),
        Patch(Target("moto.dynamodb.models.table:StreamShard.add", "(self, old, new)"), _announcing),
    ),
    service="dynamodb",
)
