"""SNS topics and subscriptions of the template (`AWS::SNS::Topic`, with its inline `Subscription`
list, and `AWS::SNS::Subscription`).

A subscription gets the template's ARN (its `Ref`) and its attributes as CloudFormation sets them
("AWS::SNS::Subscription": `RawMessageDelivery`, `FilterPolicy` with `FilterPolicyScope`,
`RedrivePolicy`, `DeliveryPolicy`); the filter policy is checked as SNS checks it, so a policy AWS
would refuse fails here, naming the resource. SAM's `Events: Type: SNS` becomes such a subscription.
"""

from __future__ import annotations

import json
from typing import Any

from samlite.errors import ProvisionError
from samlite.model import AwsApi, Resource
from samlite.provisioning.resources.kinds import Provisioning, ResourceKind, fail, tag_map, text
from samlite.services.sns.filter_policy import FilterPolicyError, compile_filter_policy

_PROTOCOLS = ("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose")


def _topic(context: Provisioning, resource: Resource) -> None:
    props = resource.properties
    name = str(resource.attributes.get("TopicName") or resource.ref.rsplit(":", 1)[-1])
    attributes = {
        k: text(props[k]) for k in ("DisplayName", "FifoTopic", "ContentBasedDeduplication") if k in props
    }
    sns = context.aws.backend("sns")
    try:
        topic = sns.create_topic(name, attributes=attributes, tags=tag_map(props.get("Tags")))
    except Exception as error:
        raise fail(resource, f"cannot create topic {name!r}", error) from error
    # The topic's own Subscription list ("AWS::SNS::Topic Subscription": Endpoint and Protocol).
    for index, inline in enumerate(props.get("Subscription") or []):
        protocol = str((inline or {}).get("Protocol", "")).lower()
        if protocol not in _PROTOCOLS or not inline.get("Endpoint"):
            raise ProvisionError(
                f"{resource.logical_id} (AWS::SNS::Topic): property 'Subscription[{index}]': needs an "
                f"Endpoint and one of the SNS protocols ({', '.join(_PROTOCOLS)})"
            )
        try:
            sns.subscribe(topic.arn, str(inline["Endpoint"]), protocol)
        except Exception as error:
            raise fail(resource, f"cannot subscribe {inline['Endpoint']!r}", error) from error


def _remove(aws: AwsApi, resource: Resource) -> None:
    aws.backend("sns").delete_topic(str(resource.attributes.get("TopicArn") or resource.ref))


def _json_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _subscription(context: Provisioning, resource: Resource) -> None:
    props = resource.properties
    where = f"{resource.logical_id} (AWS::SNS::Subscription)"
    for required in ("TopicArn", "Protocol"):
        if not props.get(required):
            raise ProvisionError(f"{where}: property '{required}' is required")
    protocol = str(props["Protocol"]).lower()
    if protocol not in _PROTOCOLS:
        raise ProvisionError(f"{where}: property 'Protocol': {props['Protocol']!r} is not an SNS protocol")
    scope = str(props.get("FilterPolicyScope") or "MessageAttributes")
    if props.get("FilterPolicy") is not None:
        try:
            compile_filter_policy(props["FilterPolicy"], scope)
        except FilterPolicyError as error:
            raise ProvisionError(f"{where}: property 'FilterPolicy': {error}") from None
    sns = context.aws.backend("sns")
    try:
        subscription = sns.subscribe(str(props["TopicArn"]), str(props.get("Endpoint", "")), protocol)
    except Exception as error:
        raise fail(
            resource, f"cannot subscribe {props.get('Endpoint')!r} to {props['TopicArn']}", error
        ) from error
    # The template's ARN, so that what is recorded and logged names the subscription as Ref gives it.
    sns.subscriptions.pop(subscription.arn, None)
    subscription.arn = resource.ref
    sns.subscriptions[subscription.arn] = subscription
    attributes = subscription.attributes
    attributes["SubscriptionArn"] = subscription.arn
    attributes["RawMessageDelivery"] = text(props.get("RawMessageDelivery", False))
    if props.get("FilterPolicy") is not None:
        attributes["FilterPolicy"] = _json_text(props["FilterPolicy"])
        attributes["FilterPolicyScope"] = scope
    for key in ("RedrivePolicy", "DeliveryPolicy"):
        if props.get(key) is not None:
            attributes[key] = _json_text(props[key])


def _unsubscribe(aws: AwsApi, resource: Resource) -> None:
    aws.backend("sns").subscriptions.pop(resource.ref, None)


KINDS = (
    ResourceKind("AWS::SNS::Topic", _topic, rank=5, remove=_remove),
    ResourceKind("AWS::SNS::Subscription", _subscription, rank=8, remove=_unsubscribe),
)
