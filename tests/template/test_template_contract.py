"""What the rest of the project relies on in template.yaml, and the function's least privilege.

The policy is checked after aws-sam-translator expanded the template, i.e. on the IAM role AWS creates.
"""

from __future__ import annotations

from typing import Any

from tests.template.sam_template import BUCKET_NAME, props, sub


def test_logical_ids_and_outputs(template: dict[str, Any]) -> None:
    kinds = {k: v["Type"] for k, v in template["Resources"].items()}
    assert kinds["UploadsBucket"] == "AWS::S3::Bucket"
    assert kinds["CatalogTable"] == "AWS::DynamoDB::Table"
    assert kinds["CatalogFunction"] == "AWS::Serverless::Function"
    assert kinds["CatalogDeadLetterQueue"] == "AWS::SQS::Queue"
    assert template["Outputs"] == {
        "UploadsBucketName": {
            "Description": template["Outputs"]["UploadsBucketName"]["Description"],
            "Value": {"Ref": "UploadsBucket"},
        },
        "CatalogTableName": {
            "Description": template["Outputs"]["CatalogTableName"]["Description"],
            "Value": {"Ref": "CatalogTable"},
        },
        "CatalogFunctionName": {
            "Description": template["Outputs"]["CatalogFunctionName"]["Description"],
            "Value": {"Ref": "CatalogFunction"},
        },
        "DeadLetterQueueUrl": {
            "Description": template["Outputs"]["DeadLetterQueueUrl"]["Description"],
            "Value": {"Ref": "CatalogDeadLetterQueue"},
        },
        "ApiUrl": {
            "Description": template["Outputs"]["ApiUrl"]["Description"],
            "Value": {"Fn::Sub": "https://${CatalogApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/v1/"},
        },
        "ApiKeyId": {
            "Description": template["Outputs"]["ApiKeyId"]["Description"],
            "Value": {"Ref": "CatalogApiApiKey"},
        },
        "ApiFunctionName": {
            "Description": template["Outputs"]["ApiFunctionName"]["Description"],
            "Value": {"Ref": "ApiFunction"},
        },
        "ReconcileFunctionName": {
            "Description": template["Outputs"]["ReconcileFunctionName"]["Description"],
            "Value": {"Ref": "ReconcileFunction"},
        },
        "StatsTableName": {
            "Description": template["Outputs"]["StatsTableName"]["Description"],
            "Value": {"Ref": "CatalogStatsTable"},
        },
    }


def test_function(template: dict[str, Any], transformed: dict[str, Any]) -> None:
    fn = props(template, "CatalogFunction")
    assert fn["Handler"] == "upload_catalog.handlers.s3_events.handle"
    assert fn["CodeUri"] == "app/"
    assert fn["Environment"]["Variables"]["CATALOG_TABLE"] == {"Ref": "CatalogTable"}
    assert fn["Events"]["Uploads"] == {
        "Type": "S3",
        "Properties": {
            "Bucket": {"Ref": "UploadsBucket"},
            "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
        },
    }
    lam = props(transformed, "CatalogFunction")
    assert lam["Architectures"] == ["arm64"]
    major, minor = lam["Runtime"].removeprefix("python").split(".")
    assert (int(major), int(minor)) >= (3, 12), lam["Runtime"]
    assert lam["LoggingConfig"]["LogFormat"] == "JSON"
    assert lam["DeadLetterConfig"] == {"TargetArn": {"Fn::GetAtt": ["CatalogDeadLetterQueue", "Arn"]}}
    invoke = props(transformed, "CatalogFunctionEventInvokeConfig")
    assert invoke["MaximumRetryAttempts"] == 2
    assert 60 <= invoke["MaximumEventAgeInSeconds"] <= 21600
    logs = props(template, "CatalogFunctionLogGroup")
    assert logs["LogGroupName"] == {"Fn::Sub": "/aws/lambda/${CatalogFunction}"}
    assert logs["RetentionInDays"] == {"Ref": "LogRetentionInDays"}


def test_bucket_is_private_encrypted_and_tls_only(template: dict[str, Any]) -> None:
    bucket = props(template, "UploadsBucket")
    assert bucket["BucketName"] == BUCKET_NAME
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    statements = props(template, "UploadsBucketPolicy")["PolicyDocument"]["Statement"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in statements
    )


def test_table_contract(template: dict[str, Any]) -> None:
    res = template["Resources"]["CatalogTable"]
    assert res["DeletionPolicy"] == "Retain" and res["UpdateReplacePolicy"] == "Retain"
    table = res["Properties"]
    assert table["KeySchema"] == [
        {"AttributeName": "bucket", "KeyType": "HASH"},
        {"AttributeName": "key", "KeyType": "RANGE"},
    ]
    assert {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]} == {
        "bucket": "S",
        "key": "S",
        "live_all": "S",
        "live_family": "S",
        "live_type": "S",
        "listed_at": "S",
    }
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"]["SSEEnabled"] is True


def _resources_named(statement_resource: Any) -> list[Any]:
    return statement_resource if isinstance(statement_resource, list) else [statement_resource]


def test_catalog_policy_names_only_its_bucket_table_and_queue(transformed: dict[str, Any]) -> None:
    role = props(transformed, "CatalogFunctionRole")
    # Logging to CloudWatch only (AWS managed; the function's own log group is created by the template).
    assert role["ManagedPolicyArns"] == ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
    bucket_arn = "arn:aws:s3:::" + sub(BUCKET_NAME)
    allowed = {
        ("s3:GetObject", f"{bucket_arn}/*"),
        ("s3:GetObjectVersion", f"{bucket_arn}/*"),
        ("s3:ListBucket", bucket_arn),
        ("dynamodb:PutItem", "CatalogTable.Arn"),
        ("sqs:SendMessage", "CatalogDeadLetterQueue.Arn"),
    }
    granted = set()
    for policy in role["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            for resource in _resources_named(statement["Resource"]):
                if isinstance(resource, dict) and "Fn::GetAtt" in resource:
                    name = ".".join(resource["Fn::GetAtt"])
                else:
                    name = sub(resource)
                granted |= {(action, name) for action in actions}
    assert granted == allowed


def _references(node: Any) -> set[str]:
    """Logical ids a node refers to through Ref, Fn::GetAtt or Fn::Sub."""
    found: set[str] = set()
    if isinstance(node, dict):
        for name, value in node.items():
            if name == "Ref" and isinstance(value, str):
                found.add(value)
            elif name == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else value.split(".")[0])
            elif name == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                found |= {part.split("}")[0].split(".")[0] for part in text.split("${")[1:]}
                found |= _references(value[1] if isinstance(value, list) else None)
            else:
                found |= _references(value)
    elif isinstance(node, list):
        for value in node:
            found |= _references(value)
    return found


def test_no_circular_dependency_after_the_transform(transformed: dict[str, Any]) -> None:
    resources = transformed["Resources"]
    graph = {
        logical_id: {
            ref
            for ref in _references(res.get("Properties", {})) | set(_as_list(res.get("DependsOn")))
            if ref in resources
        }
        for logical_id, res in resources.items()
    }
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, f"circular dependency: {' -> '.join((*path, node))}"
        if node in done:
            return
        for dep in graph[node]:
            visit(dep, (*path, node))
        done.add(node)

    for node in graph:
        visit(node, ())


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
