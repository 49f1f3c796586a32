"""The EventBridge event-pattern grammar, one test per documented rule.

Pages of the Amazon EventBridge User Guide named below:
- EVENT_PATTERNS: "Amazon EventBridge event patterns" (eb-event-patterns.html) and "Event pattern
  syntax" (eb-create-pattern.html);
- OPERATORS: "Comparison operators for use in event patterns in Amazon EventBridge"
  (eb-create-pattern-operators.html);
- CONTENT: "Content filtering in Amazon EventBridge event patterns"
  (eb-event-patterns-content-based-filtering.html);
- ARRAYS: "Arrays in Amazon EventBridge event patterns" (eb-event-patterns-arrays.html);
- NULLS: "Matching null values and empty strings in Amazon EventBridge event patterns"
  (eb-event-patterns-null-values.html).
Where the guide is silent, AWS's own matcher (aws/event-ruler, README and JsonRuleCompiler) decides.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samlite.events.patterns import PatternError, compile_pattern, pattern_matches, validate_pattern

EC2_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "111122223333",
    "time": "2017-12-22T18:43:48Z",
    "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {
        "instance-id": "i-1234567890abcdef0",
        "state": "terminated",
        "c-count": 5,
        "d-count": 3,
        "x-limit": 301.8,
        "source-ip": "10.0.0.33",
    },
}


def matches(pattern: dict[str, Any], event: dict[str, Any] | None = None) -> bool:
    return pattern_matches(pattern, EC2_EVENT if event is None else event)


def detail(**fields: Any) -> dict[str, Any]:
    return {"detail": fields}


# -- EVENT_PATTERNS: structure ---------------------------------------------------------------------


def test_every_field_named_must_match_and_other_fields_are_ignored() -> None:
    """EVENT_PATTERNS: "the event must contain all the field names listed in the event pattern"."""
    pattern = {
        "source": ["aws.ec2"],
        "detail-type": ["EC2 Instance State-change Notification"],
        "detail": {"state": ["terminated"]},
    }
    assert matches(pattern)
    assert not matches({**pattern, "detail": {"state": ["running"]}})
    assert not matches({**pattern, "missing": ["x"]})


def test_any_value_of_a_field_may_match() -> None:
    """EVENT_PATTERNS, "Matching event values": `["aws.ec2", "aws.fargate"]` is either."""
    assert matches({"source": ["aws.fargate", "aws.ec2"]})
    assert not matches({"source": ["aws.fargate", "aws.s3"]})


def test_nesting_must_be_the_events() -> None:
    """EVENT_PATTERNS: field names "must also appear in the event with the same nesting structure"."""
    assert not matches({"state": ["terminated"]})
    assert not matches({"detail": {"state": {"name": ["terminated"]}}})
    assert not matches({"source": {"x": ["aws.ec2"]}})


def test_matching_is_exact_and_case_sensitive() -> None:
    """EVENT_PATTERNS: values are matched character for character."""
    assert not matches({"source": ["AWS.EC2"]})
    assert not matches({"source": ["aws.ec"]})


# -- NULLS -------------------------------------------------------------------------------------------


def test_null_matches_only_null_and_empty_string_only_empty_string() -> None:
    """NULLS: "Null values and empty strings are not interchangeable in pattern matching"."""
    event = {"detail": {"eventVersion": "", "responseElements": None}}
    assert pattern_matches(detail(eventVersion=[""]), event)
    assert pattern_matches(detail(responseElements=[None]), event)
    assert not pattern_matches(detail(eventVersion=[None]), event)
    assert not pattern_matches(detail(responseElements=[""]), event)
    assert not pattern_matches(detail(absent=[None]), event), "null never matches a missing field"


def test_booleans_match_booleans_only() -> None:
    """OPERATORS: JSON literals true / false are matched as such (not as strings or numbers)."""
    event = {"flag": True, "text": "true", "one": 1}
    assert pattern_matches({"flag": [True]}, event)
    assert not pattern_matches({"flag": [False]}, event)
    assert not pattern_matches({"text": [True]}, event)
    assert not pattern_matches({"one": [True]}, event)
    assert not pattern_matches({"flag": [1]}, event)


# -- numbers ----------------------------------------------------------------------------------------


def test_exact_numbers_compare_as_numbers_not_as_text() -> None:
    """OPERATORS "Numeric (equals)": "Price is 100" `[100]`; 301.8 written 3.018e2 is the same number."""
    assert matches(detail(**{"x-limit": [3.018e2]}))
    assert matches(detail(**{"c-count": [5.0]}))
    assert not matches(detail(**{"c-count": ["5"]})), "a string never equals a number"
    assert not pattern_matches({"n": [5]}, {"n": "5"})


@pytest.mark.parametrize(
    ("expression", "value", "expected"),
    [
        ([">", 0, "<=", 5], 5, True),
        ([">", 0, "<=", 5], 0, False),
        ([">", 0, "<=", 5], 0.000001, True),
        ([">=", 0, "<", 5], 0, True),
        ([">=", 0, "<", 5], 5, False),
        (["<", 10], 3, True),
        (["<", 10], 10, False),
        (["<=", 10], 10, True),
        ([">", 10], 10.5, True),
        (["=", 3.018e2], 301.8, True),
        (["=", 100], 100.0, True),
        (["=", 100], 101, False),
    ],
)
def test_numeric_ranges(expression: list[Any], value: float, expected: bool) -> None:
    """CONTENT "Numeric matching": `[">", 0, "<=", 5]`, `["<", 10]`, `["=", 3.018e2]`."""
    assert pattern_matches({"n": [{"numeric": expression}]}, {"n": value}) is expected


def test_numeric_matching_needs_json_numbers() -> None:
    """CONTENT: "Numeric matching works with values that are JSON numbers" (not strings, not booleans)."""
    pattern = {"n": [{"numeric": [">", 0]}]}
    assert not pattern_matches(pattern, {"n": "5"})
    assert not pattern_matches(pattern, {"n": True})
    assert not pattern_matches(pattern, {"n": None})


# -- strings ----------------------------------------------------------------------------------------


def test_prefix_matches_string_values_only() -> None:
    """CONTENT "Prefix matching": `"time": [{"prefix": "2017-10-02"}]`; strings only."""
    assert pattern_matches({"time": [{"prefix": "2017-12-22"}]}, EC2_EVENT)
    assert not pattern_matches({"time": [{"prefix": "2017-10-02"}]}, EC2_EVENT)
    assert not pattern_matches({"n": [{"prefix": "12"}]}, {"n": 123})


def test_prefix_ignoring_case() -> None:
    """OPERATORS "Begins with (ignore case)": `{"prefix": {"equals-ignore-case": "eventb"}}`."""
    pattern = {"service": [{"prefix": {"equals-ignore-case": "eventb"}}]}
    assert pattern_matches(pattern, {"service": "EventBridge"})
    assert not pattern_matches(pattern, {"service": "SNS"})


def test_suffix_and_suffix_ignoring_case() -> None:
    """OPERATORS "Ends with" `{"suffix": ".png"}` and "Ends with (ignore case)" `"tbridge"`."""
    assert pattern_matches({"FileName": [{"suffix": ".png"}]}, {"FileName": "cat.png"})
    assert not pattern_matches({"FileName": [{"suffix": ".png"}]}, {"FileName": "cat.PNG"})
    pattern = {"service": [{"suffix": {"equals-ignore-case": "tbridge"}}]}
    assert pattern_matches(pattern, {"service": "EVENTBRIDGE"})
    assert not pattern_matches(pattern, {"service": "eventbus"})


def test_equals_ignore_case() -> None:
    """OPERATORS "Equals (ignore case)": `"Name": [{"equals-ignore-case": "alice"}]` matches "Alice"."""
    pattern = {"Name": [{"equals-ignore-case": "alice"}]}
    assert pattern_matches(pattern, {"Name": "Alice"})
    assert pattern_matches(pattern, {"Name": "ALICE"})
    assert not pattern_matches(pattern, {"Name": "Alicia"})


@pytest.mark.parametrize(
    ("wildcard", "value", "expected"),
    [
        ("dir/*.png", "dir/cat.png", True),
        ("dir/*.png", "dir/sub/cat.png", True),
        ("dir/*.png", "dir/cat.jpg", False),
        ("dir/*.png", "other/cat.png", False),
        ("*", "", True),
        ("Simple*Service", "SimpleStorageService", True),
        ("Simple*Service", "SimpleService", True),
        ("a*b*c", "aXbYc", True),
        ("a*b*c", "aXbY", False),
        ("a\\*b", "a*b", True),
        ("a\\*b", "aXb", False),
        ("a\\\\b", "a\\b", True),
        ("a.b", "aXb", False),
    ],
)
def test_wildcard(wildcard: str, value: str, expected: bool) -> None:
    """OPERATORS "Wildcard": `"FileName": [{"wildcard": "dir/*.png"}]`; event-ruler README "Wildcard
    matching": `\\*` is a literal asterisk, `\\\\` a literal backslash."""
    assert pattern_matches({"f": [{"wildcard": wildcard}]}, {"f": value}) is expected


def test_wildcard_refuses_consecutive_asterisks_and_other_escapes() -> None:
    """event-ruler README "Wildcard matching": "consecutive wildcard characters are not allowed" and
    "A backslash escaping any character other than asterisk or backslash is not allowed"."""
    with pytest.raises(PatternError, match="Consecutive wildcard"):
        validate_pattern({"f": [{"wildcard": "a**b"}]})
    with pytest.raises(PatternError, match="Invalid escape"):
        validate_pattern({"f": [{"wildcard": "a\\b"}]})
    with pytest.raises(PatternError, match="Invalid escape"):
        validate_pattern({"f": [{"wildcard": "trailing\\"}]})


# -- anything-but -----------------------------------------------------------------------------------


def test_anything_but_a_string_a_number_or_a_list() -> None:
    """CONTENT "Anything-but matching": a string, a number, a list of only strings or only numbers."""
    assert matches(detail(state=[{"anything-but": "initializing"}]))
    assert not matches(detail(state=[{"anything-but": "terminated"}]))
    assert matches(detail(state=[{"anything-but": ["stopped", "overloaded"]}]))
    assert not matches(detail(state=[{"anything-but": ["stopped", "terminated"]}]))
    assert matches(detail(**{"c-count": [{"anything-but": 123}]}))
    assert not matches(detail(**{"c-count": [{"anything-but": [100, 5, 300]}]}))
    assert not matches(detail(**{"c-count": [{"anything-but": 5.0}]})), "numbers compare as numbers"


def test_anything_but_needs_the_field() -> None:
    """OPERATORS: comparison operators work on leaf nodes; anything-but matches a value that is present
    and different, never a missing field (event-ruler)."""
    assert not matches(detail(absent=[{"anything-but": "x"}]))


def test_anything_but_prefix_suffix_ignore_case_and_wildcard() -> None:
    """OPERATORS "Anything-but (begins with)", "(ends with)", "(ignore case)", "using a wildcard"."""
    assert not pattern_matches({"Region": [{"anything-but": {"prefix": "us-"}}]}, {"Region": "us-east-1"})
    assert pattern_matches({"Region": [{"anything-but": {"prefix": "us-"}}]}, {"Region": "eu-west-1"})
    assert not pattern_matches({"FileName": [{"anything-but": {"suffix": ".png"}}]}, {"FileName": "a.png"})
    assert pattern_matches({"FileName": [{"anything-but": {"suffix": ".png"}}]}, {"FileName": "a.jpg"})
    ignore_case = {"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}
    assert not pattern_matches(ignore_case, {"state": "INITIALIZING"})
    assert pattern_matches(ignore_case, {"state": "running"})
    wildcard = {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}
    assert not pattern_matches(wildcard, {"FilePath": "/usr/lib/x.so"})
    assert pattern_matches(wildcard, {"FilePath": "/usr/bin/x"})


def test_anything_but_operators_take_lists_of_strings() -> None:
    """event-ruler README "Anything-but prefix list", "suffix list", "ignore-case list", "wildcard list"."""
    assert not pattern_matches({"s": [{"anything-but": {"prefix": ["init", "error"]}}]}, {"s": "error-1"})
    assert pattern_matches({"s": [{"anything-but": {"prefix": ["init", "error"]}}]}, {"s": "ok"})
    assert not pattern_matches({"s": [{"anything-but": {"suffix": ["1234", "6789"]}}]}, {"s": "i-6789"})
    assert not pattern_matches(
        {"s": [{"anything-but": {"equals-ignore-case": ["Stopped", "OverLoaded"]}}]}, {"s": "overloaded"}
    )
    assert not pattern_matches(
        {"s": [{"anything-but": {"wildcard": ["*/bin/*.jar", "*/bin/*.class"]}}]}, {"s": "/a/bin/b.class"}
    )


def test_anything_but_string_operators_match_values_that_are_not_strings() -> None:
    """event-ruler: anything-but excludes only what it names, so a number is "anything but" a prefix."""
    assert pattern_matches({"n": [{"anything-but": {"prefix": "1"}}]}, {"n": 123})
    assert pattern_matches({"n": [{"anything-but": "123"}]}, {"n": 123})
    assert pattern_matches({"n": [{"anything-but": [123]}]}, {"n": "123"})


# -- exists, cidr ------------------------------------------------------------------------------------


def test_exists_true_and_false() -> None:
    """CONTENT "Exists matching": presence or absence of a field."""
    assert matches(detail(state=[{"exists": True}]))
    assert not matches(detail(state=[{"exists": False}]))
    assert matches(detail(**{"c-count-2": [{"exists": False}]}))
    assert not matches(detail(**{"c-count-2": [{"exists": True}]}))
    assert pattern_matches({"gone": [{"exists": False}]}, {}), "a missing top-level field"
    assert pattern_matches({"detail": {"gone": [{"exists": False}]}}, {}), "a missing parent too"


def test_exists_works_on_leaf_nodes_only() -> None:
    """CONTENT: "Exists matching only works on leaf nodes": `exists: false` matches `c-count` when its
    value is an object."""
    event = {"detail": {"state": ["initializing", "running"], "c-count": {"c1": 100}}}
    assert pattern_matches({"detail": {"c-count": [{"exists": False}]}}, event)
    assert not pattern_matches({"detail": {"c-count": [{"exists": True}]}}, event)


def test_exists_counts_null_as_a_value_and_an_empty_array_as_none() -> None:
    """event-ruler: null is a leaf value; an empty array holds none."""
    assert pattern_matches({"f": [{"exists": True}]}, {"f": None})
    assert pattern_matches({"f": [{"exists": False}]}, {"f": []})


@pytest.mark.parametrize(
    ("cidr", "address", "expected"),
    [
        ("10.0.0.0/24", "10.0.0.33", True),
        ("10.0.0.0/24", "10.0.1.33", False),
        ("10.0.0.0/8", "10.255.3.4", True),
        ("2001:db8::/32", "2001:db8:0:0:1::1", True),
        ("2001:db8::/32", "2001:db9::1", False),
        ("10.0.0.0/24", "not an address", False),
        ("10.0.0.0/24", "::ffff:10.0.0.1", False),
    ],
)
def test_cidr_ipv4_and_ipv6(cidr: str, address: str, expected: bool) -> None:
    """CONTENT "IP address matching": "You can use IP address matching for IPv4 and IPv6 addresses"."""
    assert pattern_matches({"ip": [{"cidr": cidr}]}, {"ip": address}) is expected


def test_cidr_does_not_match_numbers() -> None:
    """CONTENT: IP addresses are strings in the event."""
    assert not pattern_matches({"ip": [{"cidr": "10.0.0.0/8"}]}, {"ip": 10})


def test_an_ip_address_matches_the_same_address_written_otherwise() -> None:
    """event-ruler (JsonRuleCompiler): an exact value that is an IP address is matched as an address."""
    assert pattern_matches({"ip": ["2001:db8::1"]}, {"ip": "2001:0db8:0000:0000:0000:0000:0000:0001"})
    assert not pattern_matches({"ip": ["2001:db8::1"]}, {"ip": "2001:db8::2"})


# -- $or ---------------------------------------------------------------------------------------------


def test_or_of_fields() -> None:
    """OPERATORS "Or (multiple fields)": `"$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]`."""
    pattern = {"$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]}
    assert pattern_matches(pattern, {"Location": "New York", "Day": "Sunday"})
    assert pattern_matches(pattern, {"Location": "Paris", "Day": "Monday"})
    assert not pattern_matches(pattern, {"Location": "Paris", "Day": "Sunday"})


def test_or_nested_with_and_and_another_or() -> None:
    """event-ruler README "Nested Or and And": source && (metricName || (metricType && namespace &&
    (metricId || spaceId)) || scope)."""
    pattern = {
        "source": ["aws.cloudwatch"],
        "$or": [
            {"metricName": ["CPUUtilization", "ReadLatency"]},
            {
                "metricType": ["MetricType"],
                "namespace": ["AWS/EC2", "AWS/ES"],
                "$or": [{"metricId": [1234]}, {"spaceId": [1000]}],
            },
            {"scope": ["Service"]},
        ],
    }
    base = {"source": "aws.cloudwatch"}
    assert pattern_matches(pattern, {**base, "metricName": "ReadLatency"})
    assert pattern_matches(
        pattern, {**base, "metricType": "MetricType", "namespace": "AWS/ES", "spaceId": 1000}
    )
    assert not pattern_matches(pattern, {**base, "metricType": "MetricType", "namespace": "AWS/ES"})
    assert not pattern_matches(pattern, {"source": "aws.ec2", "scope": "Service"})


def test_or_inside_a_nested_object() -> None:
    """event-ruler README "Parallel Or": `"detail": {"$or": [...]}` applies within detail."""
    pattern = {"detail": {"$or": [{"state": ["running"]}, {"c-count": [{"numeric": [">", 4]}]}]}}
    assert matches(pattern)
    assert not pattern_matches(pattern, {"detail": {"state": "stopped", "c-count": 1}})


# -- ARRAYS ------------------------------------------------------------------------------------------


def test_an_event_array_matches_when_the_intersection_is_not_empty() -> None:
    """ARRAYS: the pattern "matches if the intersection of the event pattern array and the event array
    is non-empty"."""
    pattern = {
        "resources": [
            "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
        ]
    }
    event = {
        "resources": [
            "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b",
            "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
        ]
    }
    assert pattern_matches(pattern, event)
    assert not pattern_matches({"resources": ["arn:other"]}, event)


def test_operators_apply_to_each_element_of_an_event_array() -> None:
    """ARRAYS with CONTENT operators: any element may satisfy the operator."""
    assert pattern_matches({"n": [{"numeric": [">", 10]}]}, {"n": [1, 2, 30]})
    assert pattern_matches({"s": [{"prefix": "b"}]}, {"s": ["a", "bc"]})


def test_a_nested_pattern_matches_one_element_of_an_array_of_objects() -> None:
    """event-ruler README "JSON Array Matching": fields of different array elements are not combined
    (rulesForJSONEvent)."""
    event = {
        "employees": [
            {"firstName": "John", "lastName": "Doe"},
            {"firstName": "Anna", "lastName": "Smith"},
            {"firstName": "Peter", "lastName": "Jones"},
        ]
    }
    assert pattern_matches({"employees": {"firstName": ["Anna"]}}, event)
    assert pattern_matches({"employees": {"firstName": ["Anna"], "lastName": ["Smith"]}}, event)
    assert not pattern_matches({"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}}, event)
    nested = {"employees": [[event["employees"][0], event["employees"][1]], [event["employees"][2]]]}
    assert pattern_matches({"employees": {"firstName": ["Peter"]}}, nested)


def test_complex_example() -> None:
    """CONTENT "Complex example with multiple matching"."""
    pattern = {
        "time": [{"prefix": "2017-12-22"}],
        "detail": {
            "state": [{"anything-but": "initializing"}],
            "c-count": [{"numeric": [">", 0, "<=", 5]}],
            "d-count": [{"numeric": ["<", 10]}],
            "x-limit": [{"anything-but": [100, 200, 300]}],
            "source-ip": [{"cidr": "10.0.0.0/8"}],
        },
    }
    assert matches(pattern)
    assert not matches({**pattern, "time": [{"prefix": "2018"}]})


def test_a_value_list_may_mix_exact_values_and_operators() -> None:
    """CONTENT: each array entry is one alternative, whatever its kind."""
    pattern = {"s": ["a", {"prefix": "zz"}, {"exists": False}]}
    assert pattern_matches(pattern, {"s": "a"})
    assert pattern_matches(pattern, {"s": "zzz"})
    assert pattern_matches(pattern, {})
    assert not pattern_matches(pattern, {"s": "b"})


def test_an_event_that_is_not_an_object_matches_nothing() -> None:
    assert not compile_pattern({"a": ["b"]}).matches(["a"])  # type: ignore[arg-type]


def test_patterns_in_json_text_compile_too() -> None:
    """PutRule and FilterCriteria carry the pattern as a JSON string."""
    assert compile_pattern('{"source": ["aws.ec2"]}').matches(EC2_EVENT)
    with pytest.raises(PatternError, match="not valid JSON"):
        compile_pattern('{"source": ')


# -- invalid patterns name the field ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "field", "problem"),
    [
        ({"source": "aws.ec2"}, "source", "must be an object or an array"),
        ({"source": []}, "source", "Empty arrays are not allowed"),
        ({"detail": {}}, "detail", "Empty objects are not allowed"),
        ({}, "", "Empty objects are not allowed"),
        ({"s": [["nested"]]}, "s", "Match value must be String, number, true, false, or null"),
        ({"s": [{"prefix": 5}]}, "s", "prefix match pattern must be a string"),
        ({"s": [{"prefix": {"wildcard": "x"}}]}, "s", "Unsupported prefix pattern"),
        ({"s": [{"suffix": ["x"]}]}, "s", "suffix match pattern must be a string"),
        ({"s": [{"equals-ignore-case": 1}]}, "s", "equals-ignore-case match pattern must be a string"),
        ({"s": [{"regex": "x"}]}, "s", "Unrecognized match type regex"),
        ({"s": [{"prefix": "a", "suffix": "b"}]}, "s", "exactly one operator"),
        ({"d": {"s": [{"anything-but": ["a", 1]}]}}, "d.s", "only strings or only numbers"),
        ({"s": [{"anything-but": []}]}, "s", "only strings or only numbers"),
        ({"s": [{"anything-but": None}]}, "s", "only strings or only numbers"),
        ({"s": [{"anything-but": {"exists": True}}]}, "s", "Unsupported anything-but pattern: exists"),
        ({"s": [{"anything-but": {"prefix": ""}}]}, "s", "empty prefix is not allowed"),
        ({"s": [{"anything-but": {"suffix": [1]}}]}, "s", "must be a string or a list of strings"),
        ({"s": [{"anything-but": {"wildcard": "a**"}}]}, "s", "Consecutive wildcard"),
        ({"n": [{"numeric": [">", "0"]}]}, "n", "Value of > must be numeric"),
        ({"n": [{"numeric": ["~", 0]}]}, "n", "Unrecognized numeric range operator"),
        ({"n": [{"numeric": [">", 0, ">", 5]}]}, "n", "Bad numeric range operator"),
        ({"n": [{"numeric": ["<", 0, "<=", 5]}]}, "n", "Too many terms"),
        ({"n": [{"numeric": [">", 0, "<", 5, "<", 6]}]}, "n", "Too many terms"),
        ({"n": [{"numeric": [">", 5, "<", 1]}]}, "n", "matches no number"),
        ({"n": [{"numeric": "> 5"}]}, "n", "must be a non-empty array"),
        ({"n": [{"numeric": ["=", 1, 2]}]}, "n", "exactly one number"),
        ({"e": [{"exists": "yes"}]}, "e", "must be either true or false"),
        ({"ip": [{"cidr": "10.0.0.0"}]}, "ip", "Malformed CIDR"),
        ({"ip": [{"cidr": "10.0.0.300/8"}]}, "ip", "Invalid IP address"),
        ({"ip": [{"cidr": "10.0.0.1/32"}]}, "ip", "IPv4 mask bits must be < 32"),
        ({"ip": [{"cidr": "::1/128"}]}, "ip", "IPv6 mask bits must be < 128"),
        ({"$or": [{"a": ["x"]}]}, "$or", "at least 2 Objects"),
        ({"$or": {"a": ["x"]}}, "$or", "must be an Array"),
        ({"$or": [{"a": ["x"]}, "b"]}, "$or[1]", "Only JSON object is allowed"),
        ({"$or": [{"a": ["x"]}, {"numeric": ["x"]}]}, "$or[1].numeric", "reserved name"),
        ({"$or": [{"a": ["x"]}, {}]}, "$or[1]", "Empty objects are not allowed"),
    ],
)
def test_invalid_patterns_are_refused_naming_the_field(
    pattern: dict[str, Any], field: str, problem: str
) -> None:
    """EVENT_PATTERNS / OPERATORS: what PutRule refuses ("Event pattern is not valid"), with the field."""
    with pytest.raises(PatternError) as raised:
        validate_pattern(pattern)
    assert raised.value.field == field
    assert problem in str(raised.value)
    assert isinstance(raised.value, ValueError)
    assert repr(field) in str(raised.value) or field == ""


def test_pattern_matches_refuses_an_invalid_pattern_too() -> None:
    with pytest.raises(PatternError):
        pattern_matches({"source": "aws.ec2"}, EC2_EVENT)


# -- properties --------------------------------------------------------------------------------------

leaf_values = st.one_of(
    st.text(max_size=8),
    st.integers(-1000, 1000),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.booleans(),
    st.none(),
)
keys = st.sampled_from(["a", "b", "c", "detail", "x-y"])
events = st.recursive(
    st.dictionaries(keys, leaf_values, max_size=3),
    lambda children: st.dictionaries(
        keys, st.one_of(leaf_values, children, st.lists(leaf_values, max_size=3)), max_size=3
    ),
    max_leaves=8,
)


def _self_pattern(event: dict[str, Any]) -> dict[str, Any]:
    """A pattern naming every leaf of `event` with its own value (arrays as they are)."""
    pattern: dict[str, Any] = {}
    for key, value in event.items():
        if isinstance(value, dict):
            nested = _self_pattern(value)
            if nested:
                pattern[key] = nested
        elif isinstance(value, list):
            if value:
                pattern[key] = list(value)
        else:
            pattern[key] = [value]
    return pattern


@given(events)
def test_property_an_event_matches_the_pattern_of_its_own_values(event: dict[str, Any]) -> None:
    pattern = _self_pattern(event)
    if pattern:
        assert pattern_matches(pattern, event)


def _wildcard_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*")


@given(st.text(max_size=6), st.text(max_size=10))
def test_property_prefix_is_the_wildcard_of_the_escaped_prefix_and_a_star(prefix: str, value: str) -> None:
    """Two documented operators that must agree: `prefix p` and `wildcard p*` (p escaped)."""
    by_prefix = pattern_matches({"f": [{"prefix": prefix}]}, {"f": value})
    by_wildcard = pattern_matches({"f": [{"wildcard": _wildcard_escape(prefix) + "*"}]}, {"f": value})
    assert by_prefix == by_wildcard == value.startswith(prefix)


@given(st.lists(st.text(max_size=3), min_size=1, max_size=4), leaf_values)
def test_property_anything_but_is_the_complement_of_the_exact_values(excluded: list[str], value: Any) -> None:
    """For a present leaf, `anything-but [values]` matches exactly when `[values]` does not."""
    exact = pattern_matches({"f": list(excluded)}, {"f": value})
    assert pattern_matches({"f": [{"anything-but": excluded}]}, {"f": value}) is not exact


@given(
    st.floats(-1e3, 1e3, allow_nan=False),
    st.floats(-1e3, 1e3, allow_nan=False),
    st.floats(-2e3, 2e3, allow_nan=False),
    st.sampled_from([">", ">="]),
    st.sampled_from(["<", "<="]),
)
def test_property_numeric_ranges_agree_with_python(
    low: float, high: float, value: float, lo: str, hi: str
) -> None:
    low, high = min(low, high), max(low, high)
    if low == high and (lo, hi) != (">=", "<="):
        return
    expected = (value > low if lo == ">" else value >= low) and (value < high if hi == "<" else value <= high)
    assert pattern_matches({"n": [{"numeric": [lo, low, hi, high]}]}, {"n": value}) is expected


@given(events, events)
def test_property_or_is_the_union_of_its_objects(first: dict[str, Any], second: dict[str, Any]) -> None:
    a, b = _self_pattern(first), _self_pattern(second)
    if not a or not b:
        return
    for event in (first, second, {**first, **second}):
        either = pattern_matches({"$or": [a, b]}, event)
        assert either == (pattern_matches(a, event) or pattern_matches(b, event))


def test_compiled_patterns_are_reused() -> None:
    """A rule is matched against every event: compiling per event would cost the matcher its speed."""
    from samlite.events import patterns

    patterns._compile_text.cache_clear()
    for _ in range(5):
        pattern_matches({"source": ["aws.ec2"]}, EC2_EVENT)
    assert patterns._compile_text.cache_info().misses == 1
