"""Provisioning a real SAM template through samlite.template.load_stack: SAM policy templates,
generated names, S3 notifications and outputs end up as on AWS, and each function's role is enforced."""

from __future__ import annotations

import textwrap

import pytest
from botocore.exceptions import ClientError

from samlite.iam.function_credentials import FunctionCredentials
from samlite.provisioning.provision import provision
from tests.samlite.embedded import client, running_endpoint, unique, write_project

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  # Named rather than generated: a function whose policy refers to the bucket that notifies it would
  # be a circular dependency CloudFormation refuses (the bucket needs the function, the function's role
  # the bucket); a computed name breaks the cycle, as in template.yaml.
  Inbox:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${AWS::StackName}-inbox-${AWS::AccountId}"
      VersioningConfiguration: {Status: Enabled}
  Items:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: pk, AttributeType: S}
        - {AttributeName: kind, AttributeType: S}
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      GlobalSecondaryIndexes:
        - IndexName: byKind
          KeySchema: [{AttributeName: kind, KeyType: HASH}]
          Projection: {ProjectionType: ALL}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.11
      Policies:
        - S3ReadPolicy: {BucketName: !Sub "${AWS::StackName}-inbox-${AWS::AccountId}"}
        - DynamoDBCrudPolicy: {TableName: !Ref Items}
      Events:
        Uploaded:
          Type: S3
          Properties:
            Bucket: !Ref Inbox
            Events: s3:ObjectCreated:*
            Filter: {S3Key: {Rules: [{Name: prefix, Value: in/}]}}
Outputs:
  InboxName: {Value: !Ref Inbox}
  ItemsName: {Value: !Ref Items}
"""


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    from samlite.template import load_stack

    path = write_project(tmp_path_factory.mktemp("template"), textwrap.dedent(TEMPLATE))
    with running_endpoint(iam=True) as running:
        aws = running.aws
        stack = load_stack(path, stack_name=unique("tpl"), endpoint_url=aws.url)
        result = provision(aws, stack, running.services)
        yield aws, stack, result


def test_outputs_name_the_created_bucket_and_table(deployed):
    aws, stack, _ = deployed
    outputs = {
        o["OutputKey"]: o["OutputValue"]
        for o in client(aws, "cloudformation").describe_stacks(StackName=stack.stack_name)["Stacks"][0][
            "Outputs"
        ]
    }
    assert client(aws, "s3").get_bucket_versioning(Bucket=outputs["InboxName"])["Status"] == "Enabled"
    assert (
        client(aws, "dynamodb").describe_table(TableName=outputs["ItemsName"])["Table"]["TableStatus"]
        == "ACTIVE"
    )


def test_s3_event_became_the_buckets_notification_configuration(deployed):
    aws, stack, result = deployed
    config = client(aws, "s3").get_bucket_notification_configuration(Bucket=stack.outputs["InboxName"])
    (entry,) = config["LambdaFunctionConfigurations"]
    assert entry["LambdaFunctionArn"] == result.function_arns["Worker"]
    assert entry["Events"] == ["s3:ObjectCreated:*"]


def test_sam_policy_templates_are_enforced_per_function(deployed):
    aws, stack, _ = deployed
    bucket, table = stack.outputs["InboxName"], stack.outputs["ItemsName"]
    client(aws, "s3").put_object(Bucket=bucket, Key="in/a.txt", Body=b"a")
    env = FunctionCredentials(aws).credentials_for(stack.functions["Worker"])
    s3, ddb = client(aws, "s3", env), client(aws, "dynamodb", env)
    assert s3.get_object(Bucket=bucket, Key="in/a.txt")["Body"].read() == b"a"  # S3ReadPolicy
    with pytest.raises(ClientError, match="AccessDenied"):
        s3.put_object(Bucket=bucket, Key="in/b.txt", Body=b"b")  # S3ReadPolicy does not write
    ddb.put_item(TableName=table, Item={"pk": {"S": "1"}, "kind": {"S": "doc"}})  # DynamoDBCrudPolicy
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "1"}})["Item"]["kind"] == {"S": "doc"}
    # DynamoDBCrudPolicy grants the table's indexes too (table/NAME/index/*).
    found = ddb.query(
        TableName=table,
        IndexName="byKind",
        KeyConditionExpression="kind = :k",
        ExpressionAttributeValues={":k": {"S": "doc"}},
    )
    assert found["Count"] == 1
    with pytest.raises(ClientError) as raised:
        client(aws, "sqs", env).create_queue(QueueName=unique("not-allowed"))
    assert raised.value.response["Error"]["Code"] in ("AccessDenied", "AccessDeniedException")
