"""Empty a provisioned stack's resources (test isolation), or remove them (when the local cloud stops).

`empty_resources`: buckets, tables and queues lose their contents but stay as provisioned (names,
notification configurations, keys, attributes), so each test starts from a freshly provisioned stack.
`remove_resources`: the stack's resources leave moto's backends, which are global to the process, so a
later start of the same template in the same process (a test session, the pytest plugin) provisions
it afresh instead of failing on names already taken.

Everything is done in moto's backends, in-process, and never through the endpoint: S3 events are built
from the requests the endpoint serves (`S3Notifier`), so emptying a bucket this way fires no
`ObjectRemoved` event and invokes no function.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from samlite.model import Resource


def empty_resources(aws: Any, resources: Iterable[Resource]) -> None:
    """Empty every S3 bucket (all versions, delete markers and unfinished multipart uploads), DynamoDB
    table and SQS queue among `resources`, in the running embedded AWS `aws`."""
    for resource in resources:
        if resource.type == "AWS::S3::Bucket":
            empty_bucket(aws.backend("s3"), resource.ref)
        elif resource.type == "AWS::DynamoDB::Table":
            empty_table(aws.backend("dynamodb"), resource.ref)
        elif resource.type == "AWS::SQS::Queue":
            name = resource.attributes.get("QueueName") or resource.ref.rstrip("/").rsplit("/", 1)[-1]
            empty_queue(aws.backend("sqs"), str(name))


def remove_resources(aws: Any, resources: Iterable[Resource], role_arns: Iterable[str] = ()) -> None:
    """Delete the stack's buckets (with their contents), tables, queues, topics, IAM roles (with their
    policies) and managed policies from moto's backends; `role_arns` adds roles that provisioning
    created for functions naming a role outside the template. Missing ones are skipped."""
    resources = list(resources)
    empty_resources(aws, resources)
    roles = set(role_arns)
    for resource in resources:
        if resource.type == "AWS::S3::Bucket":
            with contextlib.suppress(Exception):
                aws.backend("s3").delete_bucket(resource.ref)
        elif resource.type == "AWS::DynamoDB::Table":
            aws.backend("dynamodb").tables.pop(resource.ref, None)
        elif resource.type == "AWS::SQS::Queue":
            name = resource.attributes.get("QueueName") or resource.ref.rstrip("/").rsplit("/", 1)[-1]
            aws.backend("sqs").queues.pop(str(name), None)
        elif resource.type == "AWS::SNS::Topic":
            aws.backend("sns").delete_topic(str(resource.attributes.get("TopicArn") or resource.ref))
        elif resource.type == "AWS::IAM::Role":
            roles.add(str(resource.attributes.get("Arn") or resource.ref))
    iam = aws.backend("iam")
    for role in [role for role in iam.get_roles() if role.arn in roles or role.name in roles]:
        for policy_arn in list(role.managed_policies):
            with contextlib.suppress(Exception):
                iam.detach_role_policy(policy_arn, role.name)
        iam.roles.pop(role.id, None)
    for resource in resources:
        if resource.type == "AWS::IAM::ManagedPolicy":
            iam.managed_policies.pop(resource.ref, None)


def empty_bucket(s3: Any, bucket_name: str) -> None:
    bucket = s3.buckets.get(bucket_name)
    if bucket is None:
        return
    for _key, versions in bucket.keys.iterlists():
        for version in versions:
            dispose = getattr(version, "dispose", None)  # delete markers hold no file
            if dispose is not None:
                dispose()
    bucket.keys.clear()
    for upload in list(bucket.multiparts.values()):
        upload.dispose()
    bucket.multiparts.clear()


def empty_table(dynamodb: Any, table_name: str) -> None:
    table = dynamodb.tables.get(table_name)
    if table is not None:
        table.items.clear()


def empty_queue(sqs: Any, queue_name: str) -> None:
    """Purge without moto's "one PurgeQueue per 60 s" rule counting this purge against the user's."""
    queue = sqs.queues.get(queue_name)
    if queue is None:
        return
    last_purged_at = queue.last_purged_at
    queue.last_purged_at = None
    try:
        sqs.purge_queue(queue_name)
    finally:
        queue.last_purged_at = last_purged_at
