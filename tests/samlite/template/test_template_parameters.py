"""Parameters: override parsing (both SAM forms), defaults, types and constraints."""

from __future__ import annotations

import pytest

from samlite.template import TemplateError, load_stack, parse_parameter_overrides
from samlite.template.parameters import resolve_parameters


def test_parse_simple_and_sam_long_forms() -> None:
    assert parse_parameter_overrides(["A=1", "ParameterKey=B,ParameterValue=two,with,commas"]) == {
        "A": "1",
        "B": "two,with,commas",
    }


def test_parse_several_pairs_in_one_item_and_quoted_values() -> None:
    assert parse_parameter_overrides(["A=1 B='x y'"]) == {"A": "1", "B": "x y"}
    assert parse_parameter_overrides(["ParameterKey=A,ParameterValue=1 ParameterKey=B,ParameterValue=2"]) == {
        "A": "1",
        "B": "2",
    }


def test_parse_keeps_a_single_value_with_spaces_and_equals() -> None:
    assert parse_parameter_overrides(["Greeting=hello world"]) == {"Greeting": "hello world"}
    assert parse_parameter_overrides(["Expr=a=b"]) == {"Expr": "a=b"}
    assert parse_parameter_overrides(["Empty="]) == {"Empty": ""}


@pytest.mark.parametrize("item", ["novalue", "=x", "bad-key=1", "ParameterKey=A"])
def test_parse_rejects_bad_items_naming_them(item: str) -> None:
    with pytest.raises(TemplateError, match=rf"parameter override {item!r}"):
        parse_parameter_overrides([item])


DECLARATIONS = {
    "Env": {"Type": "String", "AllowedValues": ["dev", "prod"], "Default": "dev"},
    "Name": {
        "Type": "String",
        "AllowedPattern": "[a-z]+",
        "MinLength": 2,
        "MaxLength": 4,
        "Default": "ab",
        "ConstraintDescription": "lower-case letters",
    },
    "Count": {"Type": "Number", "MinValue": 1, "MaxValue": 5, "Default": 2},
    "Ids": {"Type": "List<Number>", "Default": "1, 2"},
    "Names": {"Type": "CommaDelimitedList", "Default": "a, b ,c"},
    "Key": {"Type": "AWS::EC2::KeyPair::KeyName", "Default": "my-key"},
}


def test_defaults_types_and_list_values() -> None:
    resolved = resolve_parameters(DECLARATIONS, {})
    assert resolved.raw["Count"] == "2"
    assert resolved.typed["Ids"] == ["1", "2"]
    assert resolved.typed["Names"] == ["a", "b", "c"]
    assert resolved.typed["Key"] == "my-key"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"Env": "qa"}, r"Parameter 'Env': 'qa' is not one of the AllowedValues \('dev', 'prod'\)"),
        ({"Name": "AB"}, r"Parameter 'Name': 'AB' does not match AllowedPattern '\[a-z\]\+' \(lower-case"),
        ({"Name": "a"}, r"Parameter 'Name': 'a' is shorter than MinLength 2"),
        ({"Name": "abcde"}, r"Parameter 'Name': 'abcde' is longer than MaxLength 4"),
        ({"Count": "many"}, r"Parameter 'Count': 'many' is not a Number"),
        ({"Count": "0"}, r"Parameter 'Count': 0 is below MinValue 1"),
        ({"Count": "9"}, r"Parameter 'Count': 9 is above MaxValue 5"),
        ({"Ids": "1,x"}, r"Parameter 'Ids': 'x' is not a Number"),
    ],
)
def test_constraint_violations_name_the_parameter(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        resolve_parameters(DECLARATIONS, overrides)


def test_missing_value_without_default() -> None:
    with pytest.raises(TemplateError, match=r"Parameter 'Bucket': no Default and no value given"):
        resolve_parameters({"Bucket": {"Type": "String"}}, {})


def test_unknown_override_is_a_warning() -> None:
    resolved = resolve_parameters({"A": {"Type": "String", "Default": "x"}}, {"Typo": "1"})
    assert resolved.warnings == ["parameter override 'Typo' is not a parameter of the template (ignored)"]


def test_no_echo_parameter_is_usable(write_template) -> None:
    path = write_template("""\
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          Token: {Type: String, NoEcho: true}
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src
              Handler: app.handler
              Runtime: python3.12
              Environment: {Variables: {TOKEN: !Ref Token}}
        """)
    stack = load_stack(path, parameter_overrides=parse_parameter_overrides(["Token=s3cret"]))
    assert stack.function("Fn").environment["TOKEN"] == "s3cret"


def test_non_string_overrides_from_python_callers() -> None:
    resolved = resolve_parameters(DECLARATIONS, {"Count": 3, "Ids": [4, 5]})  # type: ignore[dict-item]
    assert resolved.raw["Count"] == "3"
    assert resolved.typed["Ids"] == ["4", "5"]
