"""The project's own template.yaml (upload-catalog) loads completely through the template model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from samlite.template import Stack, load_stack

APP_TEMPLATE = Path(__file__).resolve().parents[3] / "template.yaml"


@pytest.fixture(scope="module")
def stack() -> Stack:
    return load_stack(APP_TEMPLATE)


def _intrinsics_left(value: Any) -> list[Any]:
    if isinstance(value, dict):
        if len(value) == 1 and (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::")):
            return [value]
        return [found for item in value.values() for found in _intrinsics_left(item)]
    if isinstance(value, list):
        return [found for item in value for found in _intrinsics_left(item)]
    return []


def test_loads_without_warnings_or_unsupported_functions(stack: Stack) -> None:
    assert stack.warnings == []
    assert stack.unsupported_functions == {}
    assert stack.functions


def test_every_function_is_runnable_here(stack: Stack) -> None:
    for spec in stack.functions.values():
        assert spec.runtime.startswith("python3.")
        assert spec.code_uri.is_dir(), spec.code_uri
        module = spec.handler.rsplit(".", 1)[0].replace(".", "/")
        assert (spec.code_uri / f"{module}.py").is_file(), spec.handler
        assert all(isinstance(value, str) for value in spec.environment.values())


def test_no_intrinsic_is_left_unresolved(stack: Stack) -> None:
    for resource in stack.resources.values():
        assert _intrinsics_left(dict(resource.properties)) == [], resource.logical_id
    assert _intrinsics_left(stack.outputs) == []
    for spec in stack.functions.values():
        assert _intrinsics_left(list(spec.policy_documents)) == [], spec.logical_id
        assert _intrinsics_left(dict(spec.events)) == [], spec.logical_id


def test_s3_event_sources_name_buckets_of_the_stack(stack: Stack) -> None:
    buckets = {r.ref for r in stack.resources.values() if r.type == "AWS::S3::Bucket"}
    s3_events = [
        event for spec in stack.functions.values() for event in spec.events.values() if event["Type"] == "S3"
    ]
    assert s3_events
    for event in s3_events:
        assert event["Properties"]["Bucket"] in buckets
