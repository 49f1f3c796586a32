"""S3 buckets of the template (`AWS::S3::Bucket`): names, versioning, notification configurations.

Buckets come last: their notification configurations name queues, topics and functions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from samlite.errors import ProvisionError
from samlite.model import AwsApi, Resource
from samlite.provisioning.resources.kinds import Provisioning, ResourceKind, fail

# S3 "General purpose bucket naming rules".
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
IP_ADDRESS = re.compile(r"^\d+\.\d+\.\d+\.\d+$")


def _bucket(context: Provisioning, resource: Resource) -> None:
    props = resource.properties
    s3 = context.aws.backend("s3")
    if not BUCKET_NAME.match(resource.ref) or ".." in resource.ref or IP_ADDRESS.match(resource.ref):
        raise ProvisionError(
            f"{resource.logical_id} (AWS::S3::Bucket): BucketName {resource.ref!r} breaks S3's naming rules "
            "(3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit)"
        )
    try:
        s3.create_bucket(resource.ref, context.aws.region)
        versioning = props.get("VersioningConfiguration")
        if isinstance(versioning, Mapping) and versioning.get("Status"):
            s3.put_bucket_versioning(resource.ref, str(versioning["Status"]))
        notifications = props.get("NotificationConfiguration")
        if notifications:
            s3.put_bucket_notification_configuration(
                resource.ref, notification_config(resource, notifications)
            )
    except ProvisionError:
        raise
    except Exception as error:
        raise fail(resource, f"cannot create bucket {resource.ref!r}", error) from error


# CloudFormation's NotificationConfiguration list -> the S3 API's element and target names.
_NOTIFICATION_KINDS = (
    ("LambdaConfigurations", "CloudFunctionConfiguration", "Function", "CloudFunction"),
    ("QueueConfigurations", "QueueConfiguration", "Queue", "Queue"),
    ("TopicConfigurations", "TopicConfiguration", "Topic", "Topic"),
)


def notification_config(resource: Resource, config: Mapping[str, Any]) -> dict[str, Any]:
    """A bucket's CloudFormation NotificationConfiguration in the shape PutBucketNotification stores.

    The S3 API calls a Lambda target `CloudFunction` and a filter rule list `FilterRule`; CloudFormation
    says `Function` and `Rules` (AWS::S3::Bucket NotificationConfiguration reference).
    """
    converted: dict[str, Any] = {}
    for cfn_key, api_key, cfn_target, api_target in _NOTIFICATION_KINDS:
        entries = []
        for index, entry in enumerate(config.get(cfn_key) or []):
            where = f"{resource.logical_id}: NotificationConfiguration.{cfn_key}[{index}]"
            if not entry.get("Event") or not entry.get(cfn_target):
                raise ProvisionError(f"{where} needs Event and {cfn_target}")
            converted_entry: dict[str, Any] = {
                "Event": [str(entry["Event"])],
                api_target: str(entry[cfn_target]),
            }
            rules = ((entry.get("Filter") or {}).get("S3Key") or {}).get("Rules")
            if rules:
                converted_entry["Filter"] = {
                    "S3Key": {
                        "FilterRule": [{"Name": str(r["Name"]), "Value": str(r["Value"])} for r in rules]
                    }
                }
            entries.append(converted_entry)
        if entries:
            converted[api_key] = entries
    event_bridge = config.get("EventBridgeConfiguration")
    if isinstance(event_bridge, Mapping) and event_bridge.get("EventBridgeEnabled"):
        converted["EventBridgeConfiguration"] = {}
    return converted


def empty_bucket(s3: Any, bucket_name: str) -> None:
    """Every version, delete marker and unfinished multipart upload removed; the bucket stays."""
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


def _empty(aws: AwsApi, resource: Resource) -> None:
    empty_bucket(aws.backend("s3"), resource.ref)


def _remove(aws: AwsApi, resource: Resource) -> None:
    s3 = aws.backend("s3")
    empty_bucket(s3, resource.ref)
    try:
        s3.delete_bucket(resource.ref)
    except Exception:  # already gone, or moto refuses: nothing of it is left to remove
        return


KINDS = (ResourceKind("AWS::S3::Bucket", _bucket, rank=8, empty=_empty, remove=_remove),)
