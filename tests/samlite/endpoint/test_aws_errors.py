"""The one renderer of AWS errors: each protocol's shape, as SDKs parse it.

Shapes from the AWS SDK protocol definitions botocore implements (`botocore/parsers.py`: RestXML for S3,
Query, JSON and REST-JSON), checked here by letting botocore's own parsers read what samlite writes.
"""

from __future__ import annotations

import zlib

import pytest
from botocore.awsrequest import HeadersDict
from botocore.parsers import create_parser

from samlite.endpoint.aws_errors import JSON, QUERY, REST_JSON, S3, in_service_shape, render
from samlite.model import AwsError

ERROR = AwsError(403, "AccessDenied", "Access <Denied> & more", {"ArgumentName": "key"})


def _parsed(protocol: str, status: int, headers: list[tuple[str, str]], body: bytes) -> dict:
    parser = create_parser(protocol)
    response = {"status_code": status, "headers": HeadersDict(headers), "body": body}
    return parser.parse(response, None)["Error"]


@pytest.mark.parametrize(
    ("protocol", "botocore_protocol"),
    [(S3, "rest-xml"), (QUERY, "query"), (JSON, "json"), (REST_JSON, "rest-json")],
)
def test_every_protocol_is_read_back_by_botocore(protocol: str, botocore_protocol: str) -> None:
    response = render(ERROR, protocol)
    error = _parsed(botocore_protocol, response.status, response.headers, response.body)
    assert (response.status, error["Code"], error["Message"]) == (
        403,
        "AccessDenied",
        "Access <Denied> & more",
    )


def test_s3_errors_carry_the_codes_own_elements() -> None:
    response = render(ERROR, S3)
    assert b"<ArgumentName>key</ArgumentName>" in response.body
    assert ("Content-Type", "application/xml") in response.headers


def test_the_query_protocol_names_its_namespace_when_given() -> None:
    body = render(ERROR, QUERY, xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/").body
    assert body.startswith(b'<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">')


def test_an_unknown_protocol_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown AWS protocol"):
        render(ERROR, "soap")


MOTO_IAM_ERROR = (
    b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: x is not authorized"
    b" to perform: dynamodb:GetItem</Message></Error><RequestId>r1</RequestId></ErrorResponse>"
)


def test_moto_iam_errors_to_json_services_take_the_json_shape_and_a_true_checksum() -> None:
    headers = [
        ("Content-Type", "text/xml"),
        ("x-amz-crc32", str(zlib.crc32(MOTO_IAM_ERROR))),
        ("x-amzn-RequestId", "r1"),
    ]
    status, shaped, body = in_service_shape(
        {"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.GetItem"}, (403, headers, MOTO_IAM_ERROR)
    )
    error = _parsed("json", status, shaped, body)
    assert error["Code"] == "AccessDeniedException"
    assert dict(shaped)["x-amzn-RequestId"] == "r1"
    # DynamoDB clients check the body against x-amz-crc32 (botocore 1.42 raises ChecksumError).
    assert dict(shaped)["x-amz-crc32"] == str(zlib.crc32(body))


def test_other_responses_pass_through_untouched() -> None:
    response = (200, [("Content-Type", "application/x-amz-json-1.0")], b"{}")
    assert in_service_shape({"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.GetItem"}, response) is response
    s3_denied = (403, [("Content-Type", "application/xml")], MOTO_IAM_ERROR)
    assert in_service_shape({}, s3_denied) is s3_denied
