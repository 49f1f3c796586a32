"""The catalog's upkeep in template.yaml: ReconcileFunction on its Schedule, StatsFunction on the catalog
table's stream, their least privilege (after aws-sam-translator's transform, i.e. the IAM roles AWS
creates), where their failures go, and the alarms that tell someone."""

from __future__ import annotations

from typing import Any

from upload_catalog.controllers.reconcile_request import parse_request

from tests.template.sam_template import BUCKET_NAME, props, sub

BUCKET_ARN = "arn:aws:s3:::" + sub(BUCKET_NAME)


def granted(transformed: dict[str, Any], role_id: str) -> set[tuple[str, str]]:
    role = props(transformed, role_id)
    # Logging to CloudWatch only (AWS managed; the function's own log group is created by the template).
    assert role["ManagedPolicyArns"] == ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
    found = set()
    for policy in role["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            assert "Condition" not in statement
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            for res in resources:
                name = (
                    ".".join(res["Fn::GetAtt"]) if isinstance(res, dict) and "Fn::GetAtt" in res else sub(res)
                )
                found |= {(action, name) for action in actions}
    return found


def test_reconcile_function_has_least_privilege(transformed: dict[str, Any]) -> None:
    assert granted(transformed, "ReconcileFunctionRole") == {
        ("s3:ListBucket", BUCKET_ARN),
        ("s3:ListBucketVersions", BUCKET_ARN),  # ListObjectVersions (Amazon S3 API Reference)
        ("s3:GetObject", f"{BUCKET_ARN}/*"),  # HEAD and the ranged GET of the current object
        ("s3:GetObjectVersion", f"{BUCKET_ARN}/*"),  # the ranged GET of that exact version
        ("dynamodb:Query", "CatalogTable.Arn"),  # the partition in key order: never a Scan
        ("dynamodb:PutItem", "CatalogTable.Arn"),  # conditional repairs
        ("dynamodb:GetItem", "ReconcileCheckpointTable.Arn"),
        ("dynamodb:PutItem", "ReconcileCheckpointTable.Arn"),
        (
            "lambda:InvokeFunction",
            "arn:aws:lambda:us-east-1:123456789012:function:upload-catalog-test-reconcile",
        ),
        ("sqs:SendMessage", "ReconcileDeadLetterQueue.Arn"),
    }


def test_the_reconcile_invokes_only_itself(template: dict[str, Any]) -> None:
    fn = props(template, "ReconcileFunction")
    assert sub(fn["FunctionName"]) == "upload-catalog-test-reconcile"


def test_stats_function_has_least_privilege(transformed: dict[str, Any]) -> None:
    assert granted(transformed, "StatsFunctionRole") == {
        *{
            (action, "CatalogTable.StreamArn")
            for action in (
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
            )
        },
        # TransactWriteItems needs the permissions of the actions it holds (Amazon DynamoDB Developer
        # Guide, "Using IAM with DynamoDB transactions").
        ("dynamodb:BatchGetItem", "CatalogStatsTable.Arn"),
        ("dynamodb:PutItem", "CatalogStatsTable.Arn"),
        ("dynamodb:UpdateItem", "CatalogStatsTable.Arn"),
        ("sqs:SendMessage", "StatsDeadLetterQueue.Arn"),
    }


def test_reconcile_runs_on_a_schedule_that_is_a_parameter(template: dict[str, Any]) -> None:
    fn = props(template, "ReconcileFunction")
    assert fn["Handler"] == "upload_catalog.handlers.reconcile.handle"
    assert fn["Events"]["Nightly"]["Type"] == "Schedule"
    assert fn["Events"]["Nightly"]["Properties"]["Schedule"] == {"Ref": "ReconcileSchedule"}
    assert template["Parameters"]["ReconcileSchedule"]["Default"] == "rate(1 day)"
    assert fn["DeadLetterQueue"] == {
        "Type": "SQS",
        "TargetArn": {"Fn::GetAtt": ["ReconcileDeadLetterQueue", "Arn"]},
    }
    assert fn["Environment"]["Variables"]["CHECKPOINT_TABLE"] == {"Ref": "ReconcileCheckpointTable"}
    # What EventBridge sends a Schedule's target (Amazon EventBridge User Guide, "Creating a rule that
    # runs on a schedule") is a request the function understands.
    scheduled = {"version": "0", "detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}
    assert parse_request(scheduled).chain


def test_stats_function_reads_the_stream_with_partial_batch_responses(template: dict[str, Any]) -> None:
    table = props(template, "CatalogTable")
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    mapping = props(template, "StatsFunctionStream")
    assert template["Resources"]["StatsFunctionStream"]["Type"] == "AWS::Lambda::EventSourceMapping"
    assert mapping["FunctionName"] == {"Ref": "StatsFunction"}
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["CatalogTable", "StreamArn"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["StatsDeadLetterQueue", "Arn"]
    }
    assert props(template, "StatsFunction")["Handler"] == "upload_catalog.handlers.stats.handle"


def test_every_dead_letter_queue_has_an_alarm(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    queues = {name for name, res in resources.items() if res["Type"] == "AWS::SQS::Queue"}
    watched = {
        res["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for res in resources.values()
        if res["Type"] == "AWS::CloudWatch::Alarm" and res["Properties"].get("Namespace") == "AWS/SQS"
    }
    assert queues == watched == {"CatalogDeadLetterQueue", "StatsDeadLetterQueue", "ReconcileDeadLetterQueue"}
    for res in resources.values():
        if res["Type"] == "AWS::CloudWatch::Alarm":
            assert res["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_drift_found_by_the_reconcile_raises_an_alarm(template: dict[str, Any]) -> None:
    metric = props(template, "ReconcileDriftMetric")
    assert metric["LogGroupName"] == {"Ref": "ReconcileFunctionLogGroup"}
    assert metric["FilterPattern"] == "{ $.reconcile.drift > 0 }"
    transformation = metric["MetricTransformations"][0]
    alarm = props(template, "ReconcileDriftAlarm")
    assert (alarm["Namespace"], alarm["MetricName"]) == (
        transformation["MetricNamespace"],
        transformation["MetricName"],
    )
    assert props(template, "ReconcileFunctionLogGroup")["LogGroupName"] == {
        "Fn::Sub": "/aws/lambda/${ReconcileFunction}"
    }
