"""Resource-level IAM for SNS in moto: policies scoped to a topic's ARN work as on AWS.

moto checks SNS calls against the resource "*" (its SNSResponse has no `_determine_resource`), so a
policy allowing `sns:Publish` on one topic, what SAM's SNSPublishMessagePolicy template expands to,
would deny every publish: a function's, or a state machine's `sns:publish` task. This gives the
handler the resource SNS authorizes ("Actions, resources, and condition keys for Amazon SNS"): the
topic the call names (`TopicArn`, `TargetArn`, `ResourceArn`, the topic of a `SubscriptionArn`, or
the topic CreateTopic makes from `Name`), "*" for calls on no topic (SMS, platform applications).
"""

from __future__ import annotations

from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target


def _determine_resource(self: Any) -> str:
    for key in ("TopicArn", "TargetArn", "ResourceArn"):
        value = self._get_param(key)
        if isinstance(value, str) and value.startswith("arn:") and ":sns:" in value:
            return value
    subscription = self._get_param("SubscriptionArn")
    if isinstance(subscription, str) and subscription.count(":") >= 6:
        return subscription.rsplit(":", 1)[0]  # arn:aws:sns:region:account:topic:subscription-id
    name = self._get_param("Name")
    if isinstance(name, str) and name and self._get_param("Action") == "CreateTopic":
        return f"arn:aws:sns:{self.region}:{self.current_account}:{name}"
    return "*"


CHANGE = MotoChange(
    name="sns-iam-resource",
    reason="moto checks every SNS call against resource '*', so topic-scoped policies deny all",
    patches=(
        Patch(
            Target("moto.sns.responses:SNSResponse._determine_resource", None), lambda _: _determine_resource
        ),
    ),
    service="sns",
)
