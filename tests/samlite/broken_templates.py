"""Templates samlite must refuse at start, and the words its one-line error must contain.

Shared by tests/samlite/test_start_refusals.py and bench/bench_template_refusals.py (which times them).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.samlite.projects import write_project

_FUNCTION = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: {handler}
      Timeout: {timeout}
      MemorySize: {memory}
"""


def _function(handler: str = "app.handler", timeout: int = 3, memory: int = 128) -> str:
    return _FUNCTION.format(handler=handler, timeout=timeout, memory=memory)


def _alias_bomb() -> str:
    lines = ["Metadata:", "  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    lines += ["Resources:", "  Bucket:", "    Type: AWS::S3::Bucket", "    Metadata: {Lots: *a11}"]
    return "\n".join(lines) + "\n"


# name -> (file name, template text, what the error line must contain)
BROKEN_TEMPLATES: dict[str, tuple[str, str, str]] = {
    "unknown-type": (
        "template.yaml",
        "Resources:\n  Thing:\n    Type: AWS::Nope::Thing\n",
        "Resource 'Thing' property 'Type': AWS::Nope::Thing is not a resource type",
    ),
    "circular-depends-on": (
        "template.yaml",
        "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    DependsOn: B\n"
        "  B:\n    Type: AWS::SQS::Queue\n    DependsOn: A\n",
        "Resource 'A' property 'DependsOn': circular dependency between resources A -> B -> A",
    ),
    "duplicate-id-yaml": (
        "template.yaml",
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n  Bucket:\n    Type: AWS::SQS::Queue\n",
        "line 4: duplicate logical id 'Bucket' in Resources (first at line 2)",
    ),
    "duplicate-id-json": (
        "template.json",
        '{"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}, "Bucket": {"Type": "AWS::SQS::Queue"}}}',
        "duplicate logical id 'Bucket' in Resources",
    ),
    "handler-nodots": ("template.yaml", _function(handler="nodots"), "property 'Handler': 'nodots' is not"),
    "handler-module-missing": (
        "template.yaml",
        _function(handler="missing.handler"),
        "Resource 'Fn' property 'Handler': module 'missing' not found in CodeUri",
    ),
    "timeout-100000": (
        "template.yaml",
        _function(timeout=100000),
        "Resource 'Fn' property 'Timeout': 100000 is outside Lambda's range",
    ),
    "memory-size-1": (
        "template.yaml",
        _function(memory=1),
        "Resource 'Fn' property 'MemorySize': 1 is outside Lambda's range",
    ),
    "3000-resources": (
        "template.json",
        json.dumps({"Resources": {f"Queue{i}": {"Type": "AWS::SQS::Queue"} for i in range(3000)}}),
        "declares 3000 resources, over CloudFormation's quota of 500",
    ),
    "yaml-alias-bomb": ("template.yaml", _alias_bomb(), "YAML aliases expand to more than"),
}


def write_broken(folder: Path, name: str) -> tuple[Path, str]:
    """Write the broken template `name` (and a src/app.py) into `folder`; (its path, expected words)."""
    file_name, text, expected = BROKEN_TEMPLATES[name]
    return write_project(folder, text, file_name), expected
