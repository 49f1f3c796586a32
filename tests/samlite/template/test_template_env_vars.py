"""--env-vars: SAM's file shape, its precedence, and its errors (SAM CLI `sam local invoke --env-vars`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from samlite.template import TemplateError, load_env_vars_file, load_stack

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    CodeUri: src
    Handler: app.handler
    Environment:
      Variables:
        SHARED: template
        ONLY_A: template
Resources:
  FnA:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: physical-a
  FnB:
    Type: AWS::Serverless::Function
"""


def test_parameters_section_applies_to_every_function(write_template) -> None:
    stack = load_stack(write_template(TEMPLATE), env_vars={"Parameters": {"SHARED": "all"}})
    assert stack.function("FnA").environment["SHARED"] == "all"
    assert stack.function("FnB").environment["SHARED"] == "all"


def test_function_section_beats_parameters_section(write_template) -> None:
    env_vars = {"Parameters": {"SHARED": "all"}, "FnA": {"SHARED": "a-only"}}
    stack = load_stack(write_template(TEMPLATE), env_vars=env_vars)
    assert stack.function("FnA").environment["SHARED"] == "a-only"
    assert stack.function("FnB").environment["SHARED"] == "all"


def test_physical_function_name_section_is_honoured(write_template) -> None:
    stack = load_stack(write_template(TEMPLATE), env_vars={"physical-a": {"ONLY_A": "by-name"}})
    assert stack.function("FnA").environment["ONLY_A"] == "by-name"
    assert stack.function("FnB").environment["ONLY_A"] == "template"


def test_undeclared_variables_are_not_added(write_template) -> None:
    stack = load_stack(
        write_template(TEMPLATE), env_vars={"Parameters": {"NEW": "x"}, "FnA": {"ALSO_NEW": "y"}}
    )
    assert "NEW" not in stack.function("FnA").environment
    assert "ALSO_NEW" not in stack.function("FnA").environment


def test_file_values_are_stringified(tmp_path: Path) -> None:
    path = tmp_path / "env.json"
    path.write_text(json.dumps({"Parameters": {"N": 3, "B": False, "S": "x", "Z": None}}))
    assert load_env_vars_file(path) == {"Parameters": {"N": "3", "B": "false", "S": "x", "Z": ""}}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", r"invalid JSON at line 1 column 2"),
        ("[1, 2]", r"must be a JSON object"),
        ('{"FnA": "x"}', r"section 'FnA' must be an object"),
        ('{"FnA": {"V": {"nested": 1}}}', r"'FnA.V': an environment variable value must be a string"),
    ],
)
def test_bad_files_give_clear_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "env.json"
    path.write_text(content)
    with pytest.raises(TemplateError, match=message):
        load_env_vars_file(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"--env-vars file not found: .*missing.json"):
        load_env_vars_file(tmp_path / "missing.json")


def test_bad_mapping_passed_to_load_stack(write_template) -> None:
    with pytest.raises(TemplateError, match=r"section 'FnA' must be an object"):
        load_stack(write_template(TEMPLATE), env_vars={"FnA": "oops"})  # type: ignore[dict-item]
