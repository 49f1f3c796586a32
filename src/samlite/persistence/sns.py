"""SNS's part of the snapshot: every topic, its attributes and tags, and its subscriptions.

Per topic: ARN, name, display name, policy, delivery policy, KMS key, FIFO settings, tags. Per
subscription: ARN (kept: a user's script may hold it), protocol, endpoint, confirmation and its
attributes (FilterPolicy, RawMessageDelivery, RedrivePolicy...). Messages are not kept: SNS holds
none (what it delivered is in the subscribed queues, which the SQS section keeps).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from samlite.model import AwsApi, Resource
from samlite.persistence.section import CaptureContext, RestoreContext, SavedResource

TOPIC = "AWS::SNS::Topic"
_SUBSCRIPTION_ATTRIBUTES = (
    "FilterPolicyScope",  # before FilterPolicy: the scope decides how the policy is read
    "FilterPolicy",
    "RawMessageDelivery",
    "DeliveryPolicy",
    "RedrivePolicy",
    "SubscriptionRoleArn",
)


class SnsSection:
    name = "sns"
    types = (TOPIC,)

    def template_name(self, resource: Resource) -> str | None:
        if resource.type != TOPIC:
            return None
        return str(resource.attributes.get("TopicArn") or resource.ref)

    def capture(self, context: CaptureContext) -> dict[str, Any]:
        sns = context.aws.backend("sns")
        subscriptions: dict[str, list[dict[str, Any]]] = {}
        for subscription in list(dict(sns.subscriptions).values()):
            subscriptions.setdefault(subscription.topic.arn, []).append(
                {
                    "arn": subscription.arn,
                    "protocol": subscription.protocol,
                    "endpoint": subscription.endpoint,
                    "confirmed": bool(subscription.confirmed),
                    "attributes": {
                        k: subscription.attributes[k]
                        for k in _SUBSCRIPTION_ATTRIBUTES
                        if k in subscription.attributes
                    },
                }
            )
        topics = []
        for arn, topic in sorted(dict(sns.topics).items()):
            topics.append(
                {
                    "arn": arn,
                    "name": topic.name,
                    "logical_id": context.logical_id(TOPIC, arn),
                    "attributes": {
                        "DisplayName": topic.display_name,
                        "Policy": topic.policy,
                        "DeliveryPolicy": topic.delivery_policy,
                        "KmsMasterKeyId": topic.kms_master_key_id,
                        "FifoTopic": str(bool(topic.fifo_topic)).lower(),
                        "ContentBasedDeduplication": str(bool(topic.content_based_deduplication)).lower(),
                    },
                    "tags": dict(topic._tags),
                    "subscriptions": subscriptions.get(arn, []),
                }
            )
        return {"topics": topics}

    def saved(self, content: Mapping[str, Any]) -> list[SavedResource]:
        return [SavedResource(TOPIC, t["arn"], t.get("logical_id")) for t in content.get("topics", [])]

    def refusal(self, content: Mapping[str, Any], saved: SavedResource, template: Resource) -> str | None:
        return None

    def discard(self, aws: AwsApi, saved: SavedResource) -> None:
        aws.backend("sns").delete_topic(saved.name)

    def restore(self, context: RestoreContext, content: Mapping[str, Any]) -> None:
        sns = context.aws.backend("sns")
        topics = subscriptions = 0
        for saved in content.get("topics", []):
            decision = context.decide(TOPIC, saved["arn"])
            if decision == "drop":
                continue
            if saved["arn"] not in sns.topics:
                attributes = {k: v for k, v in saved["attributes"].items() if v and k != "Policy"}
                if attributes.get("FifoTopic") != "true":
                    attributes.pop("FifoTopic", None)
                    attributes.pop("ContentBasedDeduplication", None)
                sns.create_topic(saved["name"], attributes=attributes, tags=dict(saved.get("tags") or {}))
            topic = sns.topics[saved["arn"]]
            topic._tags.update(saved.get("tags") or {})  # tags given through the API since provisioning
            if saved["attributes"].get("Policy"):
                topic.policy = saved["attributes"]["Policy"]
            present = {(s.protocol, s.endpoint) for s in sns.subscriptions.values() if s.topic is topic}
            for entry in saved.get("subscriptions", []):
                if (entry["protocol"], entry["endpoint"]) in present:
                    continue
                subscription = sns.subscribe(saved["arn"], entry["endpoint"], entry["protocol"])
                sns.subscriptions.pop(subscription.arn, None)
                subscription.arn = entry["arn"]
                subscription.attributes["SubscriptionArn"] = entry["arn"]
                sns.subscriptions[entry["arn"]] = subscription
                subscription.confirmed = entry.get("confirmed", True)
                for name, value in entry.get("attributes", {}).items():
                    with contextlib.suppress(Exception):
                        sns.set_subscription_attributes(entry["arn"], name, value)
                subscriptions += 1
            topics += 1
        if topics:
            plural = "s" * (subscriptions != 1)
            context.summary.append(
                f"{topics} topic{'s' * (topics != 1)} ({subscriptions} subscription{plural})"
            )
