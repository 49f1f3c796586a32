"""moto's IAM policy evaluation with its answers remembered (samlite.moto_changes.iam_policy_decisions)
answers exactly as moto's own: random policies, actions and resources, each evaluated both ways.

How IAM matches actions and resources with wildcards, and that an explicit Deny wins over any Allow:
AWS IAM User Guide, "Policy evaluation logic" and "IAM JSON policy elements: Action / Resource".
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from samlite.moto_changes import iam_policy_decisions

ACTIONS = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:*",
    "s3:Get*",
    "dynamodb:GetItem",
    "dynamodb:*",
    "*",
    "sqs:Send*",
]
RESOURCES = [
    "*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::bucket/key",
    "arn:aws:s3:::other/*",
    "arn:aws:dynamodb:us-east-1:123456789012:table/Catalog",
    "arn:aws:dynamodb:us-east-1:123456789012:table/Catalog/index/*",
]
REQUESTED_ACTIONS = ["s3:GetObject", "s3:PutObject", "dynamodb:GetItem", "dynamodb:Query", "sqs:SendMessage"]
REQUESTED_RESOURCES = [
    "arn:aws:s3:::bucket/key",
    "arn:aws:s3:::other/a/b",
    "arn:aws:dynamodb:us-east-1:123456789012:table/Catalog",
    "arn:aws:dynamodb:us-east-1:123456789012:table/Catalog/index/by-key",
    "*",
]


def _element(values: list[str]) -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(values), st.lists(st.sampled_from(values), min_size=1, max_size=3))


# Exactly one of Action and NotAction, built rather than filtered: a filter that threw away half the
# statements failed hypothesis' filter_too_much health check on unlucky runs of four-statement policies.
STATEMENTS = st.builds(
    lambda effect, resource, key, actions: {"Effect": effect, "Resource": resource, key: actions},
    st.sampled_from(["Allow", "Deny"]),
    _element(RESOURCES),
    st.sampled_from(["Action", "NotAction"]),
    _element(ACTIONS),
)
POLICIES = st.builds(
    lambda statements, single: json.dumps(
        {"Version": "2012-10-17", "Statement": statements[0] if single else statements}
    ),
    st.lists(STATEMENTS, min_size=1, max_size=4),
    st.booleans(),
)


def _moto_answer(document: str, action: str, resource: str) -> Any:
    from moto.iam.access_control import IAMPolicy

    return IAMPolicy(document).is_action_permitted(action, resource)


@settings(max_examples=200, deadline=None)
@given(
    document=POLICIES,
    asked=st.lists(
        st.tuples(st.sampled_from(REQUESTED_ACTIONS), st.sampled_from(REQUESTED_RESOURCES)),
        min_size=1,
        max_size=6,
    ),
)
def test_remembered_answers_are_motos_answers(document: str, asked: list[tuple[str, str]]) -> None:
    expected = [_moto_answer(document, action, resource) for action, resource in asked]
    change = iam_policy_decisions.CHANGE
    change.apply()
    try:
        first = [_moto_answer(document, action, resource) for action, resource in asked]
        again = [_moto_answer(document, action, resource) for action, resource in asked]  # remembered
    finally:
        change.restore()
    assert first == expected
    assert again == expected


def test_a_new_default_policy_version_is_evaluated_not_remembered() -> None:
    """A managed policy's answer follows its default version: SetDefaultPolicyVersion takes effect."""
    from moto.iam.access_control import IAMPolicy
    from moto.iam.models import ManagedPolicy

    allow = json.dumps(
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}
    )
    deny = json.dumps(
        {"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}}
    )
    policy = ManagedPolicy(
        "p", account_id="123456789012", region="us-east-1", default_version_id="v1", document=allow
    )
    change = iam_policy_decisions.CHANGE
    change.apply()
    try:
        before = IAMPolicy(policy).is_action_permitted("s3:GetObject", "*")
        policy.versions[0].document = deny
        after = IAMPolicy(policy).is_action_permitted("s3:GetObject", "*")
    finally:
        change.restore()
    assert (before.name, after.name) == ("PERMITTED", "DENIED")
