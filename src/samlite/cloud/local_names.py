"""The local names of a template's resources, for people and scripts, with or without Outputs.

A deployed stack is explored through its Outputs; many templates (SAM CLI's fixtures, samples) declare
none, and their user would have to guess `samlite-Uploads-ABCDEFGHIJKLM`. So `samlite start` prints,
and writes to `.samlite/outputs.json`, what each function, bucket, table, queue and topic is called
locally: its `Ref` (a function's and a bucket's name, a table's name, a queue's URL, a topic's ARN).
"""

from __future__ import annotations

from samlite.template import Stack

# Resource type -> the group it is listed under, in the order they are shown.
GROUPS = {
    "AWS::Lambda::Function": "functions",
    "AWS::S3::Bucket": "buckets",
    "AWS::DynamoDB::Table": "tables",
    "AWS::SQS::Queue": "queues",
    "AWS::SNS::Topic": "topics",
}


def local_names(stack: Stack) -> dict[str, dict[str, str]]:
    """{group: {logical id: local name}} for the groups the template has, functions first."""
    names: dict[str, dict[str, str]] = {}
    for resource_type, group in GROUPS.items():
        members = {
            logical_id: resource.ref
            for logical_id, resource in sorted(stack.resources.items())
            if resource.type == resource_type
        }
        if members:
            names[group] = members
    return names


def describe(names: dict[str, dict[str, str]]) -> list[str]:
    """Indented lines for the terminal: `  function Recorder: samlite-Recorder-ABC`."""
    lines = []
    for group, members in names.items():
        singular = group[:-1]
        lines += [f"  {singular} {logical_id}: {name}" for logical_id, name in members.items()]
    return lines
