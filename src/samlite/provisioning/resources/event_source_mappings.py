"""Lambda event-source mappings of the template (`AWS::Lambda::EventSourceMapping`): what SAM's `SQS`,
`DynamoDB` and `Kinesis` events become.

Provisioning a mapping checks it as Lambda's CreateEventSourceMapping does (`parse_mapping`), against
the function and the source as they exist in the embedded AWS (the queue's visibility timeout and
FIFO-ness, the table's stream, the Kinesis stream), and registers it; the local cloud then starts one
poller per mapping. Sources samlite does not poll (Kafka, Amazon MQ, DocumentDB) are reported as not
emulated, like any other resource samlite leaves out.
"""

from __future__ import annotations

from typing import Any

from samlite.errors import ProvisionError
from samlite.model import AwsApi, FunctionSpec, Resource
from samlite.provisioning.resources.kinds import Provisioning, ResourceKind, UnsupportedResource
from samlite.services.awslambda.event_sources.config import (
    DYNAMODB,
    KINESIS,
    RESOURCE_TYPE,
    SQS,
    SourceFacts,
    not_emulated_reason,
    parse_mapping,
    source_kind,
)
from samlite.services.awslambda.registry import ARN_PATTERN


def _mapping(context: Provisioning, resource: Resource) -> None:
    props = resource.properties
    reason = not_emulated_reason(props)
    if reason is not None:
        context.result.unsupported.append(UnsupportedResource(resource.logical_id, resource.type, reason))
        return
    arn = props.get("EventSourceArn")
    if not isinstance(arn, str) or not arn:
        raise _fail(
            resource,
            "EventSourceArn is required (the ARN of an SQS queue, DynamoDB stream or Kinesis stream)",
        )
    function = _function(context, resource)
    facts = _source(context.aws, resource, arn)
    config = parse_mapping(resource.logical_id, resource.ref, props, function=function, source=facts)
    if context.mappings is not None:
        try:
            context.mappings.register(config)
        except ValueError as error:
            raise _fail(resource, str(error)) from error


def _fail(resource: Resource, message: str) -> ProvisionError:
    return ProvisionError(f"{resource.logical_id} ({RESOURCE_TYPE}): {message}")


def _function(context: Provisioning, resource: Resource) -> FunctionSpec:
    """The configuration FunctionName designates: a function of the template by name, ARN or partial
    ARN, or one of its versions or aliases (AutoPublishAlias names the alias), as Lambda resolves it."""
    name = resource.properties.get("FunctionName")
    if not isinstance(name, str) or not name:
        raise _fail(resource, "FunctionName is required")
    spec = context.functions.resolve(name)
    if spec is None:
        known = ", ".join(sorted(f.logical_id for f in context.functions)) or "none"
        match = ARN_PATTERN.match(name)
        what = "function, version or alias" if match is not None and match["qualifier"] else "function"
        raise _fail(resource, f"FunctionName {name!r} names no {what} of the template (functions: {known})")
    return spec


def _source(aws: AwsApi, resource: Resource, arn: str) -> SourceFacts:
    parts = arn.split(":", 5)
    region, account = parts[3], parts[4]
    if region != aws.region or account != aws.account_id:
        raise _fail(
            resource,
            f"EventSourceArn {arn!r} is in {region or '?'}/{account or '?'}; the local cloud is "
            f"{aws.region}/{aws.account_id}",
        )
    kind = source_kind(arn)
    if kind == SQS:
        return _queue(aws, resource, arn, parts[5])
    if kind == DYNAMODB:
        return _table_stream(aws, resource, arn, parts[5])
    if kind == KINESIS:
        return _kinesis_stream(aws, resource, arn, parts[5])
    hint = " (a table's stream is its StreamArn: Fn::GetAtt Table.StreamArn)" if ":table/" in arn else ""
    raise _fail(
        resource, f"EventSourceArn {arn!r} is not an SQS queue, DynamoDB stream or Kinesis stream{hint}"
    )


def _queue(aws: AwsApi, resource: Resource, arn: str, name: str) -> SourceFacts:
    queue: Any = aws.backend("sqs").queues.get(name)
    if queue is None:
        raise _fail(resource, f"EventSourceArn names the queue {name!r}, which does not exist")
    return SourceFacts(
        kind=SQS,
        arn=arn,
        name=name,
        fifo=bool(queue.fifo_queue),
        visibility_timeout_s=int(queue.visibility_timeout),
    )


def _table_stream(aws: AwsApi, resource: Resource, arn: str, path: str) -> SourceFacts:
    table_name = path.removeprefix("table/").split("/stream/", 1)[0]
    table: Any = aws.backend("dynamodb").tables.get(table_name)
    if table is None:
        raise _fail(
            resource, f"EventSourceArn names a stream of the table {table_name!r}, which does not exist"
        )
    if not (table.stream_specification or {}).get("StreamEnabled"):
        raise _fail(resource, f"the table {table_name!r} has no stream (give it a StreamSpecification)")
    return SourceFacts(kind=DYNAMODB, arn=arn, name=table_name)


def _kinesis_stream(aws: AwsApi, resource: Resource, arn: str, path: str) -> SourceFacts:
    # A stream, or one of its enhanced fan-out consumers (stream/NAME/consumer/CONSUMER:TIMESTAMP),
    # which samlite reads like the stream itself.
    stream_name = path.removeprefix("stream/").split("/", 1)[0]
    if stream_name not in aws.backend("kinesis").streams:
        raise _fail(
            resource, f"EventSourceArn names the Kinesis stream {stream_name!r}, which does not exist"
        )
    stream_arn = arn.split("/consumer/", 1)[0]
    return SourceFacts(kind=KINESIS, arn=stream_arn, name=stream_name)


# After queues, topics, tables, streams, functions, versions (8) and aliases (9): a mapping names them.
KINDS = (ResourceKind(RESOURCE_TYPE, _mapping, rank=10),)
