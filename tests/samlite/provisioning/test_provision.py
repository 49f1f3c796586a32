"""Provisioning a translated template's resources into the embedded AWS (hand-made stacks)."""

from __future__ import annotations

import pytest

from samlite.errors import ProvisionError
from samlite.iam.function_credentials import FunctionCredentials
from samlite.model import Resource
from samlite.provisioning.provision import provision
from samlite.provisioning.resources.s3 import notification_config
from tests.samlite.embedded import (
    ACCOUNT,
    FakeStack,
    client,
    function_spec,
    role_resource,
    unique,
)


def _queue(logical_id: str, name: str, **props) -> Resource:
    url = f"http://localhost/{ACCOUNT}/{name}"
    arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"
    return Resource(logical_id, "AWS::SQS::Queue", props, ref=url, attributes={"Arn": arn, "QueueName": name})


def _upload_stack():
    """A stack shaped like upload-catalog's after translation."""
    stack = FakeStack()
    bucket, table = unique("uploads"), unique("catalog")
    dlq, queue, topic = unique("dlq"), unique("work"), unique("topic")
    fn_name, role_name = unique("catalog-fn"), unique("catalog-role")
    fn_arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{fn_name}"
    table_arn = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{table}"
    role = stack.add(
        role_resource(
            "CatalogFunctionRole",
            role_name,
            [
                {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::{bucket}/*"},
                {
                    "Effect": "Allow",
                    "Action": ["dynamodb:PutItem", "dynamodb:GetItem"],
                    "Resource": table_arn,
                },
            ],
            ManagedPolicyArns=["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
        )
    )
    stack.add(_queue("DeadLetters", dlq, MessageRetentionPeriod=1209600))
    stack.add(
        _queue(
            "Work",
            queue,
            VisibilityTimeout=60,
            RedrivePolicy={
                "deadLetterTargetArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:{dlq}",
                "maxReceiveCount": 3,
            },
        )
    )
    stack.add(
        Resource(
            "Alerts",
            "AWS::SNS::Topic",
            {"DisplayName": "alerts"},
            ref=f"arn:aws:sns:us-east-1:{ACCOUNT}:{topic}",
            attributes={"TopicName": topic},
        )
    )
    stack.add(
        Resource(
            "Catalog",
            "AWS::DynamoDB::Table",
            {
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                    {"AttributeName": "gsi1pk", "AttributeType": "S"},
                    {"AttributeName": "created", "AttributeType": "N"},
                ],
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": "byType",
                        "KeySchema": [{"AttributeName": "gsi1pk", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                ],
                "LocalSecondaryIndexes": [
                    {
                        "IndexName": "byCreated",
                        "KeySchema": [
                            {"AttributeName": "pk", "KeyType": "HASH"},
                            {"AttributeName": "created", "KeyType": "RANGE"},
                        ],
                        "Projection": {"ProjectionType": "KEYS_ONLY"},
                    }
                ],
                "TimeToLiveSpecification": {"AttributeName": "expires", "Enabled": True},
                "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
            },
            ref=table,
            attributes={"Arn": table_arn},
        )
    )
    spec = function_spec(fn_name, role_arn=role.attributes["Arn"])
    stack.functions["CatalogFunction"] = spec
    stack.add(
        Resource("CatalogFunction", "AWS::Lambda::Function", {}, ref=fn_name, attributes={"Arn": fn_arn})
    )
    stack.add(
        Resource(
            "Uploads",
            "AWS::S3::Bucket",
            {
                "VersioningConfiguration": {"Status": "Enabled"},
                "NotificationConfiguration": {
                    "LambdaConfigurations": [
                        {
                            "Event": "s3:ObjectCreated:*",
                            "Function": fn_arn,
                            "Filter": {
                                "S3Key": {
                                    "Rules": [
                                        {"Name": "prefix", "Value": "up/"},
                                        {"Name": "suffix", "Value": ".jpg"},
                                    ]
                                }
                            },
                        },
                        {"Event": "s3:ObjectRemoved:*", "Function": fn_arn},
                    ],
                    "QueueConfigurations": [
                        {"Event": "s3:ObjectCreated:Put", "Queue": f"arn:aws:sqs:us-east-1:{ACCOUNT}:{queue}"}
                    ],
                },
            },
            ref=bucket,
            attributes={"Arn": f"arn:aws:s3:::{bucket}"},
        )
    )
    stack.add(Resource("UploadsPermission", "AWS::Lambda::Permission", {}, ref="p"))
    stack.add(Resource("Dashboard", "AWS::CloudWatch::Dashboard", {}, ref="d"))
    stack.add(Resource("GraphApi", "AWS::AppSync::GraphQLApi", {}, ref="g"))
    stack.outputs = {"BucketName": bucket, "TableName": table}
    names = {
        "bucket": bucket,
        "table": table,
        "dlq": dlq,
        "queue": queue,
        "topic": topic,
        "fn": fn_name,
        "role": role_name,
    }
    return stack, names


@pytest.fixture(scope="module")
def provisioned(aws, services):
    stack, names = _upload_stack()
    return stack, names, provision(aws, stack, services)


def test_bucket_with_versioning_and_notifications_as_in_the_template(aws, provisioned):
    _, names, _ = provisioned
    s3 = client(aws, "s3")
    assert s3.get_bucket_versioning(Bucket=names["bucket"])["Status"] == "Enabled"
    config = s3.get_bucket_notification_configuration(Bucket=names["bucket"])
    lambdas = config["LambdaFunctionConfigurations"]
    assert [c["Events"] for c in lambdas] == [["s3:ObjectCreated:*"], ["s3:ObjectRemoved:*"]]
    assert lambdas[0]["LambdaFunctionArn"].endswith(f"function:{names['fn']}")
    rules = {r["Name"].lower(): r["Value"] for r in lambdas[0]["Filter"]["Key"]["FilterRules"]}
    assert rules == {"prefix": "up/", "suffix": ".jpg"}
    assert config["QueueConfigurations"][0]["QueueArn"].endswith(names["queue"])


def test_table_with_keys_indexes_ttl_billing_and_stream(aws, provisioned):
    _, names, _ = provisioned
    ddb = client(aws, "dynamodb")
    table = ddb.describe_table(TableName=names["table"])["Table"]
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["byType"]
    assert [i["IndexName"] for i in table["LocalSecondaryIndexes"]] == ["byCreated"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    ttl = ddb.describe_time_to_live(TableName=names["table"])["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}


def test_queues_with_redrive_policy(aws, provisioned):
    _, names, _ = provisioned
    sqs = client(aws, "sqs")
    url = sqs.get_queue_url(QueueName=names["queue"])["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "60"
    assert (
        names["dlq"] in attributes["RedrivePolicy"] and '"maxReceiveCount": 3' in attributes["RedrivePolicy"]
    )


def test_topic_exists(aws, provisioned):
    _, names, _ = provisioned
    topics = [t["TopicArn"] for t in client(aws, "sns").list_topics()["Topics"]]
    assert f"arn:aws:sns:us-east-1:{ACCOUNT}:{names['topic']}" in topics


def test_function_is_registered_for_the_invoke_api(aws, provisioned, services):
    _, names, result = provisioned
    assert (
        result.function_arns["CatalogFunction"]
        == f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{names['fn']}"
    )
    assert services.functions.resolve(names["fn"]) is not None


def test_role_policies_are_enforced_for_the_function(aws, provisioned):
    stack, names, _ = provisioned
    env = FunctionCredentials(aws).credentials_for(stack.functions["CatalogFunction"])
    ddb = client(aws, "dynamodb", env)
    ddb.put_item(TableName=names["table"], Item={"pk": {"S": "a"}, "sk": {"S": "b"}})
    with pytest.raises(Exception, match="AccessDenied"):
        ddb.delete_item(TableName=names["table"], Key={"pk": {"S": "a"}, "sk": {"S": "b"}})
    with pytest.raises(Exception, match="AccessDenied"):
        client(aws, "s3", env).put_object(Bucket=names["bucket"], Key="x", Body=b"x")


def test_types_not_emulated_are_listed_once_with_logical_ids(provisioned):
    _, _, result = provisioned
    assert {(u.logical_id, u.type) for u in result.unsupported} == {
        ("Dashboard", "AWS::CloudWatch::Dashboard"),
        ("GraphApi", "AWS::AppSync::GraphQLApi"),
    }


def test_resource_policies_are_reported_as_not_enforced(provisioned):
    _, _, result = provisioned
    assert [(u.logical_id, u.type) for u in result.not_enforced] == [
        ("UploadsPermission", "AWS::Lambda::Permission")
    ]


def test_role_named_by_arn_outside_the_template_is_created_from_the_functions_policies(aws, services):
    stack = FakeStack()
    bucket = unique("external-role")
    client(aws, "s3").create_bucket(Bucket=bucket)
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/{unique('external')}"
    spec = function_spec(
        unique("ext-fn"),
        role_arn=role_arn,
        policies=(
            {
                "PolicyName": "ReadIt",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"}
                    ],
                },
            },
        ),
    )
    stack.functions["ExtFn"] = spec
    stack.add(Resource("ExtFn", "AWS::Lambda::Function", {}, ref=spec.function_name))
    provision(aws, stack, services)
    s3 = client(aws, "s3", FunctionCredentials(aws).credentials_for(spec))
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_unrunnable_function_is_listed_with_its_reason(aws, services):
    stack = FakeStack()
    stack.unsupported_functions = {"JavaFn": "JavaFn: runtime java21 is not supported"}
    stack.add(Resource("JavaFn", "AWS::Lambda::Function", {}, ref=unique("java")))
    result = provision(aws, stack, services)
    assert [(u.logical_id, u.reason) for u in result.unsupported] == [
        ("JavaFn", "JavaFn: runtime java21 is not supported")
    ]


def test_table_without_key_schema_names_the_resource_and_property(aws, services):
    stack = FakeStack()
    stack.add(Resource("Broken", "AWS::DynamoDB::Table", {"AttributeDefinitions": [{}]}, ref=unique("t")))
    with pytest.raises(ProvisionError, match=r"Broken \(AWS::DynamoDB::Table\): KeySchema is required"):
        provision(aws, stack, services)


def test_provisioned_table_without_throughput_is_refused(aws, services):
    stack = FakeStack()
    props = {
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    }
    stack.add(Resource("NoCapacity", "AWS::DynamoDB::Table", props, ref=unique("t")))
    with pytest.raises(ProvisionError, match=r"NoCapacity.*ProvisionedThroughput is required"):
        provision(aws, stack, services)


def test_invalid_bucket_name_is_a_provision_error(aws, services):
    stack = FakeStack()
    stack.add(Resource("BadName", "AWS::S3::Bucket", {}, ref="Not_A_Valid_Bucket"))
    with pytest.raises(
        ProvisionError, match=r"BadName \(AWS::S3::Bucket\): BucketName 'Not_A_Valid_Bucket' breaks"
    ):
        provision(aws, stack, services)


def test_notification_without_target_names_the_entry():
    resource = Resource("Uploads", "AWS::S3::Bucket", {}, ref="b")
    with pytest.raises(
        ProvisionError, match=r"Uploads: NotificationConfiguration.LambdaConfigurations\[0\] needs"
    ):
        notification_config(resource, {"LambdaConfigurations": [{"Event": "s3:ObjectCreated:*"}]})


def test_stack_in_another_account_is_refused(aws, services):
    with pytest.raises(ProvisionError, match="account id 999999999999"):
        provision(aws, FakeStack(account_id="999999999999"), services)
