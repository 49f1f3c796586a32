"""Checks a Lambda API answer against the API's own model (botocore's service-2.json): every key is a
member of its shape, every value of its shape's type, every enum value one of the model's. boto3
parses loosely (unknown keys vanish, wrong types pass through), so a test reading answers through it
would not see a shape that is wrong; this does."""

from __future__ import annotations

from typing import Any

import botocore.session

_MODEL = botocore.session.get_session().get_service_model("lambda")


def shape_problems(operation: str, document: Any) -> list[str]:
    """What in `document` (the raw JSON answer of `operation`) is not in the operation's output shape."""
    return _check(document, _MODEL.operation_model(operation).output_shape, operation)


def _check(value: Any, shape: Any, path: str) -> list[str]:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: {shape.name} must be an object, not {value!r}"]
        problems = []
        for key, item in value.items():
            member = shape.members.get(key)
            if member is None:
                problems.append(f"{path}.{key}: not a member of {shape.name}")
            elif member.serialization.get("location") not in (None, "body"):
                problems.append(f"{path}.{key}: a {member.serialization['location']} member, not in the body")
            else:
                problems += _check(item, member, f"{path}.{key}")
        return problems
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: must be a list, not {value!r}"]
        return [
            problem for i, item in enumerate(value) for problem in _check(item, shape.member, f"{path}[{i}]")
        ]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: must be an object, not {value!r}"]
        return [problem for k, item in value.items() for problem in _check(item, shape.value, f"{path}[{k}]")]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: must be a string, not {value!r}"]
        enum = shape.metadata.get("enum")
        return [f"{path}: {value!r} is not one of {enum}"] if enum and value not in enum else []
    if kind in ("integer", "long"):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path}: must be an integer, not {value!r}"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: must be a boolean, not {value!r}"]
    if kind in ("double", "float"):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return [] if ok else [f"{path}: must be a number, not {value!r}"]
    return []
