"""A template whose function names a secret by Ref, in its policy and its environment, starts and runs,
with IAM off (`--no-iam`, which used to stop at "Resource ... must be in ARN format or *") and on.

Ref of an AWS::SecretsManager::Secret is the secret's ARN ("AWS::SecretsManager::Secret" return values
in the CloudFormation template reference), so SAM's AWSSecretsManagerGetSecretValuePolicy names that
ARN and the function reads the secret through it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.samlite.embedded import running_project

FIXTURE = Path(__file__).resolve().parents[1] / "cloud_fixtures_secrets"


@pytest.mark.parametrize("iam", [False, True], ids=["no-iam", "iam"])
def test_a_function_reads_the_secret_its_policy_names_by_ref(tmp_path: Path, iam: bool) -> None:
    with running_project(
        FIXTURE, tmp_path, stack="sec", iam=iam, log_sink=lambda source, line: None
    ) as cloud:
        arn = cloud.outputs["SecretArn"]
        assert re.fullmatch(
            r"arn:aws:secretsmanager:us-east-1:123456789012:secret:DbSecret-\w{12}-\w{6}", arn
        )
        assert cloud.client("secretsmanager").describe_secret(SecretId=arn)["ARN"] == arn
        response = cloud.client("lambda").invoke(FunctionName="Reader")
        body = json.loads(response["Payload"].read())
        assert "FunctionError" not in response, body
        assert body == {"arn": arn, "username": "admin"}
        assert not cloud.provisioned.unsupported  # nothing "not emulated, left out"
