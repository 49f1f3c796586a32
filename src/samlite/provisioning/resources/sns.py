"""SNS topics of the template (`AWS::SNS::Topic`)."""

from __future__ import annotations

from samlite.model import AwsApi, Resource
from samlite.provisioning.resources.kinds import Provisioning, ResourceKind, fail, tag_map, text


def _topic(context: Provisioning, resource: Resource) -> None:
    props = resource.properties
    name = str(resource.attributes.get("TopicName") or resource.ref.rsplit(":", 1)[-1])
    attributes = {
        k: text(props[k]) for k in ("DisplayName", "FifoTopic", "ContentBasedDeduplication") if k in props
    }
    try:
        context.aws.backend("sns").create_topic(name, attributes=attributes, tags=tag_map(props.get("Tags")))
    except Exception as error:
        raise fail(resource, f"cannot create topic {name!r}", error) from error


def _remove(aws: AwsApi, resource: Resource) -> None:
    aws.backend("sns").delete_topic(str(resource.attributes.get("TopicArn") or resource.ref))


KINDS = (ResourceKind("AWS::SNS::Topic", _topic, rank=5, remove=_remove),)
