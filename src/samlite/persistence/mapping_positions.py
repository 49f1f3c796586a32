"""Where each stream event-source mapping is in its stream: per mapping, per shard, the checkpoint.

On AWS a mapping's position in a DynamoDB or Kinesis stream survives anything short of deleting the
mapping ("Lambda event source mappings": Lambda checkpoints each shard as batches are processed), so
a restart with `--persist` must not hand a TRIM_HORIZON mapping the restored stream records again.
Each mapping (by UUID, stable for a stack and logical id) keeps, per shard and per
ParallelizationFactor lane, the last sequence number done (processed, filtered out or given up: see
`stream_poller`), with its stream's ARN. The next start applies them before the pollers' first poll,
so a mapping reads on after its checkpoint; one whose stream is not the saved one (a table whose
stream ARN changed) or whose saved records were discarded (`--reset-resource`, `--removed-resources
drop`) starts from its StartingPosition, as a mapping of a new stream does on AWS. SQS needs
nothing: its processed messages are deleted, the others stay in the queue (`sqs`).

Delivery stays at least once: a batch in flight, retried or split when samlite stopped is delivered
again; after a `kill -9` so is every saved record whose batch was done after the last snapshot took
the positions (at most `--persist-interval` seconds of batches, plus the snapshot being taken).
Positions are taken after the streams' records, so a record saved and done by then is not delivered
again; a position past the saved records (what came after them was lost with the kill) is taken
back to the shard's last saved record by the poller (`StreamPoller.resume_from`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from samlite.model import AwsApi, Resource
from samlite.persistence.section import CaptureContext, RestoreContext, SavedResource
from samlite.services.awslambda.event_sources.config import DYNAMODB, MappingConfig
from samlite.services.awslambda.event_sources.pollers import EventSources
from samlite.services.awslambda.event_sources.stream_poller import StreamPoller

_SOURCE_TYPES = {DYNAMODB: "AWS::DynamoDB::Table"}
_KINESIS_STREAM = "AWS::Kinesis::Stream"


class MappingPositionsSection:
    """Not a resource section (`types` is empty): its content is the stream pollers' checkpoints."""

    name = "lambda_mappings"
    types: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.sources: EventSources | None = None
        self.loaded: dict[str, dict[str, Any]] = {}  # by mapping UUID, read from the snapshot

    def template_name(self, resource: Resource) -> str | None:
        return None

    def saved(self, content: Mapping[str, Any]) -> list[SavedResource]:
        return []

    def refusal(self, content: Mapping[str, Any], saved: SavedResource, template: Resource) -> str | None:
        return None

    def discard(self, aws: AwsApi, saved: SavedResource) -> None:
        return None

    def capture(self, context: CaptureContext) -> dict[str, Any]:
        sources = self.sources
        if sources is None:  # not started yet: what was read is still the mappings' position
            return {"mappings": [self.loaded[uuid] for uuid in sorted(self.loaded)]}
        entries = []
        for poller in sources.pollers:
            if not isinstance(poller, StreamPoller):
                continue
            config = poller.config
            shards = poller.checkpoints()
            if shards:
                entries.append(_entry(config, shards))
            elif config.uuid in self.loaded:  # disabled, so never polled: its position stays as it was
                entries.append(self.loaded[config.uuid])
        return {"mappings": sorted(entries, key=lambda entry: entry["uuid"])}

    def restore(self, context: RestoreContext, content: Mapping[str, Any]) -> None:
        self.loaded = {}
        for entry in content.get("mappings", []):
            if context.decide(entry["source_type"], entry["source_name"]) == "drop":
                context.log(
                    f"saved state: event source {entry['logical_id']} starts from its StartingPosition: the "
                    f"saved records of {entry['source_name']} were discarded"
                )
                continue
            self.loaded[entry["uuid"]] = entry
        if self.loaded:
            count = len(self.loaded)
            context.summary.append(f"{count} event-source mapping position{'s' * (count != 1)}")

    def resume(self, sources: EventSources, log: Callable[[str], None]) -> int:
        """Give each stream poller its saved position (before `sources.start()`); from now on the
        snapshot holds the pollers' own."""
        resumed = 0
        for poller in sources.pollers:
            if not isinstance(poller, StreamPoller):
                continue
            config = poller.config
            entry = self.loaded.get(config.uuid)
            if entry is None:
                continue
            if entry["source_arn"] != config.event_source_arn:
                log(
                    f"saved state: event source {config.logical_id} starts from its StartingPosition "
                    f"({config.starting_position}): its stream is {config.event_source_arn}, not the saved "
                    f"{entry['source_arn']}"
                )
                del self.loaded[config.uuid]
                continue
            poller.resume_from({shard: [int(p) for p in lanes] for shard, lanes in entry["shards"].items()})
            resumed += 1
        self.sources = sources
        return resumed


def _entry(config: MappingConfig, shards: Mapping[str, list[int]]) -> dict[str, Any]:
    return {
        "uuid": config.uuid,
        "logical_id": config.logical_id,
        "source_arn": config.event_source_arn,
        "source_type": _SOURCE_TYPES.get(config.kind, _KINESIS_STREAM),
        "source_name": config.source.name,
        # Sequence numbers as text: Kinesis's have 56 digits, more than a JSON reader's doubles hold.
        "shards": {shard: [str(p) for p in lanes] for shard, lanes in sorted(shards.items())},
    }
