"""Every change samlite makes to moto's behaviour, applied and undone through one seam.

Each module here is one change (`seam.MotoChange`), with the reason it exists and the moto targets it
replaces:
- `s3_notifications_off`: moto sends no S3 notifications (samlite builds AWS's real ones);
- `dynamodb_query`: DynamoDB Query answers from sorted lists, so its cost follows the page;
- `dynamodb_iam_resource`: DynamoDB calls are authorised against the table's ARN, as on AWS;
- `dynamodb_transactions`: TransactWriteItems copies the items it touches, not the tables it names;
- `dynamodb_transaction_iam`: transactions are authorised by the actions they hold, batches on every
  table they name;
- `sigv4_bodiless`: a signed GET to a REST service is checked over the empty body it was signed with;
- `auth_skip`: a request samlite authorised itself (presigned URL or form) skips moto's own check;
- `ssm_without_ec2`: moto's SSM is imported without moto's EC2 (2.7 s), loaded on EC2's first use;
- `secretsmanager_iam_resource`, `ssm_iam_resource`, `kms_iam_resource`: calls on a secret, parameter
  or key are authorised against its ARN, as on AWS;
- `stepfunctions_interpreter`: moto's Amazon States Language interpreter runs state machines;
- `stepfunctions_api`: its API answers as Step Functions does (names, EXPRESS, StartSyncExecution);
- `stepfunctions_task_clients`: tasks call samlite's endpoint, signed as the state machine's role;
- `stepfunctions_sdk_casing`: task parameters and results map between Step Functions' and the API's casing;
- `stepfunctions_iam_resource`: Step Functions calls are authorised against the ARNs they name;
- `stepfunctions_lambda_errors`: refused Lambda tasks fail with Lambda's error names;
- `stepfunctions_time_scale`: Wait states and Retry intervals run at samlite's time scale;
- `stepfunctions_history`: each execution's history events reach samlite's log stream;
- `stepfunctions_parse_cache`: a definition is parsed once, not at every execution;
- `sns_iam_resource`, `events_iam_resource`: SNS and EventBridge calls are authorised against the
  topic, bus or rule they name, as on AWS;
- `s3_write_order`: one S3 key's writes happen one at a time, each taking its event sequencer;
- `sts_trust_policy`: sts:AssumeRole is decided by the caller's policies and the role's trust policy;
- `s3_list_object_versions`: ListObjectVersions lists moto's versions without deep-copying the bucket;
- `sqs_event_sources`, `dynamodb_streams`, `kinesis_records`: moto delivers no event-source mapping
  itself (samlite polls queues and streams with Lambda's semantics) and tells samlite of new messages
  and records; FIFO and Kinesis sequence numbers are shaped as AWS's;
- `sqs_scan_cost`: SQS sends and receives cost the same whatever the queue's depth;
- `sns_delivery`: SNS subscriptions are delivered by samlite (Lambda async, SQS), not by moto;
- `events_delivery`: EventBridge events are routed by samlite; rule patterns checked as AWS does;
- `iam_policy_decisions`: each policy document is parsed, and each decision worked out, once;
- `response_methods`: a response class's method names are listed once, not on every request;
- `timestamp_serialization`: each response timestamp value is converted once, not parsed every time;
- `serializer_keys`: the serializer looks up where a member of a plain dict lives once per shape;
- `dynamodb_item_size`: a DynamoDB item's attributes are each measured once when it is built;
- `dynamodb_attribute_values`: DynamoDB items are written to JSON directly, as moto's serializer writes them;
- `s3_xml_body`: S3 answers are written to XML directly, as xmltodict writes them;
- `s3_structures`: S3's nested answer structures are read from plain dicts directly, as moto reads them;
- `backend_regions`: a service's regions come from a small file, not from botocore's models kept in memory;
- `kms_key_pairs`: a KMS key's key pair is generated on its first use, not with every key;
- `iam_managed_policy_text`: moto's copy of the AWS managed policies is read from its file when used;
- `fast_routes`: signed S3 and DynamoDB calls reach moto's handlers without Flask's request machinery;
- `request_ids`: a response's request id is drawn from moto's random source in one call, not 52.

`apply()` installs them all (each service's on the first use of that service, when given the
embedded AWS's `on_first_use`); `restore()` undoes one `apply()`, and moto is itself again after the
last. Uses are counted, so several embedded AWS in one process (tests) each apply and restore.
`drifted()` names every target whose signature differs from the one the change was written for: the
canary test fails with it when a moto upgrade moves what samlite changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from samlite.moto_changes import (
    auth_skip,
    backend_regions,
    dynamodb_attribute_values,
    dynamodb_iam_resource,
    dynamodb_item_size,
    dynamodb_query,
    dynamodb_streams,
    dynamodb_transaction_iam,
    dynamodb_transactions,
    events_delivery,
    events_iam_resource,
    fast_routes,
    iam_managed_policy_text,
    iam_policy_decisions,
    kinesis_records,
    kms_iam_resource,
    kms_key_pairs,
    request_ids,
    response_methods,
    s3_list_object_versions,
    s3_notifications_off,
    s3_structures,
    s3_write_order,
    s3_xml_body,
    secretsmanager_iam_resource,
    serializer_keys,
    sigv4_bodiless,
    sns_delivery,
    sns_iam_resource,
    sqs_event_sources,
    sqs_scan_cost,
    ssm_iam_resource,
    ssm_without_ec2,
    stepfunctions_api,
    stepfunctions_history,
    stepfunctions_iam_resource,
    stepfunctions_interpreter,
    stepfunctions_lambda_errors,
    stepfunctions_parse_cache,
    stepfunctions_sdk_casing,
    stepfunctions_task_clients,
    stepfunctions_time_scale,
    sts_trust_policy,
    timestamp_serialization,
)
from samlite.moto_changes.seam import MotoChange

CHANGES: tuple[MotoChange, ...] = (
    s3_notifications_off.CHANGE,
    dynamodb_query.CHANGE,
    dynamodb_iam_resource.CHANGE,
    dynamodb_transaction_iam.CHANGE,
    dynamodb_transactions.CHANGE,
    sigv4_bodiless.CHANGE,
    auth_skip.CHANGE,
    secretsmanager_iam_resource.CHANGE,
    ssm_without_ec2.CHANGE,  # before ssm_iam_resource, whose target imports moto's SSM
    ssm_iam_resource.CHANGE,
    kms_iam_resource.CHANGE,
    stepfunctions_interpreter.CHANGE,
    stepfunctions_api.CHANGE,
    stepfunctions_task_clients.CHANGE,
    stepfunctions_sdk_casing.CHANGE,
    stepfunctions_iam_resource.CHANGE,
    stepfunctions_lambda_errors.CHANGE,
    stepfunctions_time_scale.CHANGE,
    stepfunctions_history.CHANGE,
    stepfunctions_parse_cache.CHANGE,
    sns_iam_resource.CHANGE,
    events_iam_resource.CHANGE,
    s3_write_order.CHANGE,
    sts_trust_policy.CHANGE,
    s3_list_object_versions.CHANGE,
    sqs_event_sources.CHANGE,
    sqs_scan_cost.CHANGE,
    dynamodb_streams.CHANGE,
    kinesis_records.CHANGE,
    sns_delivery.CHANGE,
    events_delivery.CHANGE,
    iam_policy_decisions.CHANGE,
    response_methods.CHANGE,
    timestamp_serialization.CHANGE,
    serializer_keys.CHANGE,
    fast_routes.CHANGE,
    request_ids.CHANGE,
    dynamodb_item_size.CHANGE,
    dynamodb_attribute_values.CHANGE,
    s3_xml_body.CHANGE,
    s3_structures.CHANGE,
    backend_regions.CHANGE,
    kms_key_pairs.CHANGE,
    iam_managed_policy_text.CHANGE,
)

OnFirstUse = Callable[[str, Callable[[], None]], None]

_lock = threading.RLock()
_users = 0


def apply(on_first_use: OnFirstUse | None = None) -> None:
    """Install every change; with `on_first_use(service, setup)`, a service's changes wait for it."""
    global _users  # noqa: PLW0603 (moto is process-wide, and so is what changes it)
    with _lock:
        _users += 1
        for change in CHANGES:
            if change.service is None or on_first_use is None:
                _apply_one(change)
            else:
                on_first_use(change.service, lambda change=change: _apply_one(change))


def _apply_one(change: MotoChange) -> None:
    with _lock:
        if _users > 0:  # a deferred setup that fires after the last restore changes nothing
            change.apply()


def restore() -> None:
    """Undo one `apply()`; after the last one, moto's own code is back everywhere."""
    global _users  # noqa: PLW0603
    with _lock:
        if _users == 0:
            return
        _users -= 1
        if _users == 0:
            for change in reversed(CHANGES):
                change.restore()


def applied() -> list[str]:
    """The names of the changes in place now."""
    with _lock:
        return [change.name for change in CHANGES if change.applied]


def drifted() -> list[str]:
    """What moved in moto since each change was written (empty when every target is as recorded)."""
    return [found for change in CHANGES for found in change.drifted()]
