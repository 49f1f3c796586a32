"""CloudFormation `DescribeStacks` for the local stack, answered by samlite.

Integration tests written for a deployed stack find its outputs with DescribeStacks; the embedded
endpoint answers it for the provisioned stack so the same tests run locally. moto's CloudFormation
cannot hold SAM's stack (it fails creating the generated RestApi) and importing it costs ~2 s, so the
stack record is samlite's own, served in the Query protocol's XML (API version 2010-05-15). Other
CloudFormation calls still go to moto, which knows no stack.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from samlite.endpoint.aws_errors import QUERY, render
from samlite.endpoint.local_apis import ApiResponse
from samlite.iam.request_auth import check_request
from samlite.model import AwsError

XMLNS = "http://cloudformation.amazonaws.com/doc/2010-05-15/"


@dataclass(frozen=True)
class StackRecord:
    """What DescribeStacks reports about the local stack."""

    stack_name: str
    stack_id: str
    outputs: Sequence[Mapping[str, str]]  # OutputKey, OutputValue, Description?, ExportName?
    parameters: Mapping[str, str] = field(default_factory=dict)
    creation_time: datetime = field(default_factory=lambda: datetime.now(UTC))


def stack_id(region: str, account_id: str, stack_name: str) -> str:
    return f"arn:aws:cloudformation:{region}:{account_id}:stack/{stack_name}/{uuid.uuid4()}"


def outputs_as_details(outputs: Mapping[str, Any]) -> list[dict[str, str]]:
    """`{"Key": value}` outputs in DescribeStacks' shape (lists joined with commas, as CloudFormation)."""
    details = []
    for key, value in outputs.items():
        text = ",".join(str(item) for item in value) if isinstance(value, list) else str(value)
        details.append({"OutputKey": key, "OutputValue": text})
    return details


class StackApi:
    """Answers `DescribeStacks` for the registered stacks (a `LocalApi`); everything else is moto's."""

    protocol = QUERY

    def __init__(self, account_id: str, iam_enabled: bool) -> None:
        self._account_id = account_id
        self._iam_enabled = iam_enabled
        self._stacks: dict[str, StackRecord] = {}

    def register(self, record: StackRecord) -> None:
        self._stacks[record.stack_name] = record

    def match(self, environ: Mapping[str, Any], body: bytes) -> dict[str, str] | None:
        """The request's parameters when it is a CloudFormation DescribeStacks call, else None."""
        if not self._stacks or environ.get("REQUEST_METHOD") != "POST":
            return None
        if "/cloudformation/" not in str(environ.get("HTTP_AUTHORIZATION", "")):
            return None
        params = dict(parse_qsl(body.decode("utf-8", "replace")))
        return params if params.get("Action") == "DescribeStacks" else None

    def handle(self, environ: Mapping[str, Any], body: bytes, params: Mapping[str, str]) -> ApiResponse:
        request_id = str(uuid.uuid4())
        name = params.get("StackName")
        records = list(self._stacks.values())
        if name:
            records = [r for r in records if name in (r.stack_name, r.stack_id)]
        resource = records[0].stack_id if records else "*"
        if self._iam_enabled:
            denial = check_request(self._account_id, environ, body, "cloudformation:DescribeStacks", resource)
            if denial is not None:
                return render(denial, QUERY, request_id=request_id, xmlns=XMLNS)
        if name and not records:
            return _error(400, "ValidationError", f"Stack with id {name} does not exist", request_id)
        members = "".join(_stack_xml(record) for record in records)
        xml = (
            f'<DescribeStacksResponse xmlns="{XMLNS}"><DescribeStacksResult><Stacks>{members}</Stacks>'
            f"</DescribeStacksResult><ResponseMetadata><RequestId>{request_id}</RequestId>"
            "</ResponseMetadata></DescribeStacksResponse>"
        )
        return ApiResponse(200, _headers(request_id), xml.encode())


def _stack_xml(record: StackRecord) -> str:
    outputs = "".join(
        "<member>" + "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in output.items()) + "</member>"
        for output in record.outputs
    )
    parameters = "".join(
        f"<member><ParameterKey>{escape(k)}</ParameterKey><ParameterValue>{escape(v)}</ParameterValue></member>"
        for k, v in record.parameters.items()
    )
    created = record.creation_time.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return (
        f"<member><StackName>{escape(record.stack_name)}</StackName><StackId>{escape(record.stack_id)}</StackId>"
        f"<CreationTime>{created}</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus>"
        f"<Parameters>{parameters}</Parameters><Outputs>{outputs}</Outputs><Tags/>"
        "<DisableRollback>false</DisableRollback><EnableTerminationProtection>false</EnableTerminationProtection>"
        "<DriftInformation><StackDriftStatus>NOT_CHECKED</StackDriftStatus></DriftInformation></member>"
    )


def _headers(request_id: str) -> list[tuple[str, str]]:
    return [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]


def _error(status: int, code: str, message: str, request_id: str) -> ApiResponse:
    return render(AwsError(status, code, message), QUERY, request_id=request_id, xmlns=XMLNS)
