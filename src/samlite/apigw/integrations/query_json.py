"""A query-protocol service's XML answer (SQS, SNS) as the JSON API Gateway integrations receive.

Query APIs answer in JSON when asked for it, in the shape of their XML: `{"SendMessageResponse":
{"SendMessageResult": {...}, "ResponseMetadata": {"RequestId": ...}}}`, every member of the result
present (null when the service has no value for it). That is what mapping templates walk
(`$input.path('$.SendMessageResponse.SendMessageResult.MessageId')`, as public REST-to-SQS templates
do). moto answers query APIs in XML only, so samlite converts: elements become members, repeated
elements lists, and the result's members are completed from botocore's output shape.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from samlite.apigw.integrations.service_models import service_model


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _convert(element: ET.Element) -> Any:
    children = list(element)
    if not children:
        return element.text if element.text is not None else None
    result: dict[str, Any] = {}
    for child in children:
        name = _local(child.tag)
        value = _convert(child)
        if name in result:
            if not isinstance(result[name], list) or not getattr(result[name], "_repeated", False):
                result[name] = _Repeated([result[name]])
            result[name].append(value)
        else:
            result[name] = value
    return {key: list(value) if isinstance(value, _Repeated) else value for key, value in result.items()}


class _Repeated(list):  # type: ignore[type-arg]
    _repeated = True


def xml_to_json(service: str, body: bytes) -> bytes | None:
    """The JSON rendering of a query-protocol XML body, or None when the body is not such XML."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    name = _local(root.tag)
    converted = _convert(root)
    if name == "ErrorResponse" and isinstance(converted, dict):
        # {"Error": {"Code", "Message", "Type"}, "RequestId"}, also where the XML nests <Errors>.
        errors = converted.pop("Errors", None)
        if isinstance(errors, dict) and "Error" in errors:
            converted = {"Error": errors["Error"], **converted}
        document: Any = converted
    else:
        document = {name: converted if isinstance(converted, dict) else {}}
        if name.endswith("Response"):
            _complete_result(service, name[: -len("Response")], document[name])
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


def _complete_result(service: str, action: str, response: dict[str, Any]) -> None:
    try:
        operation = service_model(service).operation_model(action)
    except Exception:  # an action botocore does not know: leave the XML's members as they are
        return
    shape = operation.output_shape
    if shape is None:
        return
    key = f"{action}Result"
    result = response.get(key)
    if result is None:
        result = {}
    if not isinstance(result, dict):
        return
    completed = {member: result.get(member) for member in shape.members}
    completed.update({k: v for k, v in result.items() if k not in completed})
    ordered = {key: completed}
    ordered.update({k: v for k, v in response.items() if k != key})
    response.clear()
    response.update(ordered)
