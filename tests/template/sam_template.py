"""Reads template.yaml (with its short-form tags) for the tests, and provisions the bucket and table it
defines into an AWS endpoint (moto in service tests) - from the template's own properties, not a copy.
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path
from typing import Any

from cfnlint.decode import decode
from samtranslator.translator.transform import transform

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
PSEUDO = {
    "AWS::AccountId": "123456789012",
    "AWS::Region": "us-east-1",
    "AWS::Partition": "aws",
    "AWS::StackName": "upload-catalog-test",
    "AWS::URLSuffix": "amazonaws.com",
}


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """The template as plain dicts and lists; fails with cfn-lint's messages if it cannot be parsed."""
    template, problems = decode(str(path))
    if problems or template is None:
        raise AssertionError(f"{path} does not parse: {[str(p) for p in problems]}")
    return json.loads(json.dumps(template))  # drop cfn-lint's node classes


def sub(value: Any, variables: dict[str, str] | None = None) -> str:
    """Resolve a string-form ``Fn::Sub`` (or a plain string) against pseudo parameters and ``variables``."""
    if isinstance(value, str):
        return value
    if not (isinstance(value, dict) and isinstance(value.get("Fn::Sub"), str)):
        raise AssertionError(f"expected a plain string or a string-form Fn::Sub, got {value!r}")
    known = {**PSEUDO, **(variables or {})}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in known:
            raise AssertionError(f"Fn::Sub variable ${{{name}}} is not known to the test resolver")
        return known[name]

    return re.sub(r"\$\{([^}!]+)\}", replace, value["Fn::Sub"])


def resource(template: dict[str, Any], logical_id: str, kind: str) -> dict[str, Any]:
    res = template["Resources"].get(logical_id)
    if res is None or res.get("Type") != kind:
        raise AssertionError(f"template has no {kind} named {logical_id}")
    return res.get("Properties", {})


def create_bucket(s3: Any, template: dict[str, Any], logical_id: str = "UploadsBucket") -> str:
    """Create the bucket with the settings its template properties give; returns its name."""
    props = resource(template, logical_id, "AWS::S3::Bucket")
    name = sub(props["BucketName"])
    s3.create_bucket(Bucket=name)
    if "PublicAccessBlockConfiguration" in props:
        s3.put_public_access_block(
            Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
        )
    if "BucketEncryption" in props:
        # CloudFormation: ServerSideEncryptionByDefault; the S3 API: ApplyServerSideEncryptionByDefault.
        rules = [
            {
                ("ApplyServerSideEncryptionByDefault" if k == "ServerSideEncryptionByDefault" else k): v
                for k, v in rule.items()
            }
            for rule in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        ]
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
    if "VersioningConfiguration" in props:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=props["VersioningConfiguration"])
    if "OwnershipControls" in props:
        s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=props["OwnershipControls"])
    if "LifecycleConfiguration" in props:
        rules = [{**rule, "Filter": {"Prefix": ""}} for rule in props["LifecycleConfiguration"]["Rules"]]
        for rule in rules:
            rule["ID"] = rule.pop("Id")
        s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": rules})
    return name


def create_table(
    dynamodb: Any,
    template: dict[str, Any],
    logical_id: str = "CatalogTable",
    name: str = "upload-catalog-test-CatalogTable",
) -> str:
    """Create the table (keys, billing, encryption, TTL, PITR) from its template properties."""
    props = resource(template, logical_id, "AWS::DynamoDB::Table")
    kwargs: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PROVISIONED"),
    }
    if "GlobalSecondaryIndexes" in props:
        kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    if "SSESpecification" in props:
        kwargs["SSESpecification"] = {"Enabled": props["SSESpecification"]["SSEEnabled"]}
    if "StreamSpecification" in props:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    dynamodb.create_table(**kwargs)
    ttl = props.get("TimeToLiveSpecification")
    if ttl:
        dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    pitr = props.get("PointInTimeRecoverySpecification")
    if pitr:
        dynamodb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification=pitr)
    return name


#: The uploads bucket's name as template.yaml computes it (no !Ref, to avoid a circular dependency).
BUCKET_NAME = {"Fn::Sub": "${AWS::StackName}-uploads-${AWS::AccountId}-${AWS::Region}"}


class NoManagedPolicies:
    """aws-sam-translator asks IAM for managed policy names only when a template uses them by name."""

    def load(self) -> dict[str, str]:
        return {}


def transform_offline(template: dict[str, Any]) -> dict[str, Any]:
    """Run aws-sam-translator without AWS: a region, and an s3:// stand-in for each local CodeUri."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    sam = copy.deepcopy(template)
    for res in sam["Resources"].values():
        if res["Type"] == "AWS::Serverless::Function":
            res["Properties"]["CodeUri"] = "s3://artifacts/app.zip"
    return transform(sam, {"AWS::Region": "us-east-1"}, NoManagedPolicies())


def props(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return template["Resources"][logical_id]["Properties"]
