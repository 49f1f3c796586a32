"""SNS subscription filter policies, per the SNS developer guide pages named in each test:
"Amazon SNS subscription filter policies", "Filter policy scope", "String value matching",
"Numeric value matching", "Key matching" and "AND/OR logic"."""

from __future__ import annotations

import json
from typing import Any

import pytest

from samlite.services.sns.filter_policy import FilterPolicyError, compile_filter_policy, policy_matches


def attribute(value: Any, data_type: str = "String") -> dict[str, str]:
    return {"Type": data_type, "Value": value if isinstance(value, str) else json.dumps(value)}


def matches(
    policy: dict[str, Any],
    attributes: dict[str, Any] | None = None,
    body: str = "{}",
    scope: str | None = None,
) -> bool:
    return policy_matches(compile_filter_policy(policy, scope), scope, body, attributes or {})


def test_each_policy_key_must_match_an_attribute_of_that_name() -> None:
    """Per "Amazon SNS subscription filter policies": every property name must match an attribute, and
    one value per property."""
    policy = {"store": ["example_corp"], "event": ["order_placed", "order_cancelled"]}
    assert matches(policy, {"store": attribute("example_corp"), "event": attribute("order_cancelled")})
    assert not matches(policy, {"store": attribute("example_corp")})
    assert not matches(policy, {"store": attribute("other"), "event": attribute("order_placed")})


def test_attributes_not_named_in_the_policy_are_ignored() -> None:
    """Per "Amazon SNS subscription filter policies": SNS "ignores the ones that aren't specified"."""
    assert matches({"store": ["a"]}, {"store": attribute("a"), "extra": attribute("x")})


def test_number_attributes_compare_as_numbers() -> None:
    """Per "Numeric value matching": `"price_usd": {"Type": "Number", "Value": 3.015e2}` matches `= 301.5`."""
    policy = {"price_usd": [{"numeric": ["=", 301.5]}]}
    assert matches(policy, {"price_usd": attribute("3.015e2", "Number")})
    assert matches(
        {"price_usd": [{"numeric": [">", 0, "<=", 150]}]}, {"price_usd": attribute("150", "Number")}
    )
    assert not matches(policy, {"price_usd": attribute("301.5", "String")}), (
        "a String attribute is not a number"
    )


def test_string_arrays_match_element_by_element() -> None:
    """Per "String value matching": for String.Array attributes "each element in the array is treated as a
    separate string"."""
    policy = {"customer_interests": ["rugby", "tennis"]}
    assert matches(policy, {"customer_interests": attribute(["rugby", "tennis"], "String.Array")})
    assert not matches(policy, {"customer_interests": attribute(["baseball"], "String.Array")})
    assert matches(
        {"price": [{"anything-but": [100, 500]}]}, {"price": attribute([100, 50], "Number.Array")}
    ), '"Numeric value matching": [100, 50] "contains a value that isn\'t 100 or 500"'


def test_binary_attributes_never_match() -> None:
    assert not matches({"blob": [{"exists": True}]}, {"blob": attribute("aGk=", "Binary")})


def test_key_matching_exists() -> None:
    """Per "Key matching": `"exists": true` matches when the attribute is present, false when absent."""
    assert matches({"store": [{"exists": True}]}, {"store": attribute("x")})
    assert matches({"store": [{"exists": False}]}, {"other": attribute("x")})
    assert not matches({"store": [{"exists": False}]}, {"store": attribute("x")})


def test_string_operators() -> None:
    """Per "String value matching": prefix, suffix, equals-ignore-case, anything-but (prefix), IP address."""
    assert matches({"i": [{"prefix": "bas"}]}, {"i": attribute("baseball")})
    assert matches({"i": [{"suffix": "ball"}]}, {"i": attribute("baseball")})
    assert matches({"i": [{"equals-ignore-case": "TENNIS"}]}, {"i": attribute("tennis")})
    assert not matches({"i": [{"anything-but": {"prefix": "bas"}}]}, {"i": attribute("basketball")})
    assert matches({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": attribute("10.0.0.255")})


def test_or_logic_across_keys() -> None:
    """Per "AND/OR logic": `"$or": [{"source": ["aws.cloudwatch"]}, {"metricName": ["CPUUtilization"]}]`."""
    policy = {"$or": [{"source": ["aws.cloudwatch"]}, {"metricName": ["CPUUtilization"]}]}
    assert matches(policy, {"metricName": attribute("CPUUtilization")})
    assert not matches(policy, {"metricName": attribute("ReadLatency")})


def test_message_body_scope_matches_the_json_body_with_nested_properties() -> None:
    """Per "Filter policy scope": with MessageBody the policy is matched against the message's JSON
    object, nested properties included."""
    policy = {"patient": {"diagnosis": ["cancer"], "age": [{"numeric": [">", 40]}]}}
    body = json.dumps({"patient": {"diagnosis": "cancer", "age": 52}, "id": 1})
    assert matches(policy, body=body, scope="MessageBody")
    assert not matches(
        policy, body=json.dumps({"patient": {"diagnosis": "cancer", "age": 30}}), scope="MessageBody"
    )
    assert not matches(policy, body="not json", scope="MessageBody"), (
        "a body that is not JSON matches nothing"
    )
    assert not matches(policy, body="[1, 2]", scope="MessageBody")


def test_message_attributes_scope_takes_flat_policies_only() -> None:
    """Per "Filter policy scope": nested policies need the MessageBody scope."""
    with pytest.raises(
        FilterPolicyError, match="'patient': nested properties need FilterPolicyScope MessageBody"
    ):
        compile_filter_policy({"patient": {"age": [1]}}, "MessageAttributes")


@pytest.mark.parametrize(
    ("policy", "scope", "problem"),
    [
        ({"a": [1]}, "Everything", "FilterPolicyScope 'Everything'"),
        ({"a": [{"wildcard": "x*"}]}, None, "no wildcard operator"),
        ({k: ["x"] for k in "abcdef"}, None, "names 6 keys"),
        ({"a": "x"}, None, "must be an object or an array"),
        ("{not json", None, "not valid JSON"),
        ([1], None, "must be a JSON object"),
        ({"a": [{"numeric": [">", "x"]}]}, None, "Value of > must be numeric"),
    ],
)
def test_invalid_policies_are_refused_with_the_reason(policy: Any, scope: str | None, problem: str) -> None:
    """Per "Amazon SNS subscription filter policies" and its quotas (5 keys): SNS refuses these."""
    with pytest.raises(FilterPolicyError, match="FilterPolicy") as raised:
        compile_filter_policy(policy, scope)
    assert problem in str(raised.value)


def test_policy_in_json_text_is_accepted() -> None:
    """CloudFormation may give FilterPolicy as a JSON string."""
    assert policy_matches(compile_filter_policy('{"a": ["b"]}'), None, "", {"a": attribute("b")})
