"""Physical names as CloudFormation generates them: `{stack}-{LogicalId}-{13 chars}`, limits honoured."""

from __future__ import annotations

import re

import pytest

from samlite.template import TemplateError
from samlite.template.naming import NamingContext, get_attribute, resource_names

CTX = NamingContext(stack_name="samlite", region="us-east-1", account_id="123456789012")
LONG = NamingContext(
    stack_name="a-really-long-stack-name-for-testing-limits", region="us-east-1", account_id="123456789012"
)


def test_generated_name_shape_and_stability() -> None:
    first = resource_names(CTX, "CatalogTable", "AWS::DynamoDB::Table", None, {}).ref
    assert re.fullmatch(r"samlite-CatalogTable-[A-Z0-9]{13}", first)
    assert resource_names(CTX, "CatalogTable", "AWS::DynamoDB::Table", None, {}).ref == first
    assert resource_names(CTX, "OtherTable", "AWS::DynamoDB::Table", None, {}).ref[-13:] != first[-13:]


def test_bucket_names_are_lowercase_and_at_most_63() -> None:
    name = resource_names(LONG, "UploadBucketWithAVeryLongLogicalIdentifier", "AWS::S3::Bucket", None, {}).ref
    assert name == name.lower() and len(name) <= 63
    assert re.fullmatch(r"[a-z0-9.-]+-[a-z0-9]{13}", name)


def test_function_names_at_most_64() -> None:
    names = resource_names(
        LONG, "FunctionWithAVeryLongLogicalIdentifierIndeed", "AWS::Lambda::Function", None, {}
    )
    assert len(names.ref) <= 64
    assert names.attributes["Arn"] == f"arn:aws:lambda:us-east-1:123456789012:function:{names.ref}"


def test_given_names_win() -> None:
    assert resource_names(CTX, "B", "AWS::S3::Bucket", "my-bucket", {}).ref == "my-bucket"
    assert (
        resource_names(CTX, "T", "AWS::DynamoDB::Table", "Items", {})
        .attributes["Arn"]
        .endswith(":table/Items")
    )


def test_fifo_queue_name_and_endpoint_url() -> None:
    ctx = NamingContext("samlite", "us-east-1", "123456789012", endpoint_url="http://127.0.0.1:4566")
    names = resource_names(ctx, "Jobs", "AWS::SQS::Queue", None, {"FifoQueue": True})
    assert names.attributes["QueueName"].endswith(".fifo")
    assert names.ref == f"http://127.0.0.1:4566/123456789012/{names.attributes['QueueName']}"


def test_role_arn_uses_path_and_no_region() -> None:
    names = resource_names(CTX, "Role", "AWS::IAM::Role", "r", {"Path": "/service/"})
    assert names.attributes["Arn"] == "arn:aws:iam::123456789012:role/service/r"
    assert re.fullmatch(r"AROA[A-Z0-9]{17}", names.attributes["RoleId"])


def test_table_stream_arn_only_with_stream() -> None:
    plain = resource_names(CTX, "T", "AWS::DynamoDB::Table", "t", {})
    with pytest.raises(
        TemplateError, match=r"Resource 'T' \(AWS::DynamoDB::Table\): unknown attribute 'StreamArn'"
    ):
        get_attribute(plain, "T", "AWS::DynamoDB::Table", "StreamArn")
    streamed = resource_names(CTX, "T", "AWS::DynamoDB::Table", "t", {"StreamSpecification": {"A": 1}})
    assert streamed.attributes["StreamArn"].startswith(
        "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/"
    )


def test_partition_for_china_regions() -> None:
    ctx = NamingContext("s", "cn-north-1", "123456789012")
    assert resource_names(ctx, "B", "AWS::S3::Bucket", "b", {}).attributes["Arn"] == "arn:aws-cn:s3:::b"
    assert ctx.url_suffix == "amazonaws.com.cn"


def test_api_ids_are_ten_lowercase_alphanumerics() -> None:
    rest = resource_names(CTX, "Api", "AWS::ApiGateway::RestApi", None, {})
    assert re.fullmatch(r"[a-z0-9]{10}", rest.ref)
    assert re.fullmatch(r"[a-z0-9]{10}", rest.attributes["RootResourceId"])
    http = resource_names(CTX, "Http", "AWS::ApiGatewayV2::Api", None, {})
    assert http.attributes["ApiEndpoint"] == f"https://{http.ref}.execute-api.us-east-1.amazonaws.com"
