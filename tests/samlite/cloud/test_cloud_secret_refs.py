"""A template whose function names a secret by Ref, in its policy and its environment, starts and runs,
with IAM off (`--no-iam`, which used to stop at "Resource ... must be in ARN format or *") and on.

Ref of an AWS::SecretsManager::Secret is the secret's ARN ("AWS::SecretsManager::Secret" return values
in the CloudFormation template reference), so SAM's AWSSecretsManagerGetSecretValuePolicy names that
ARN and the function reads the secret through it.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
from pathlib import Path

import pytest

from samlite.cloud.local_cloud import CloudOptions, LocalCloud

FIXTURE = Path(__file__).resolve().parents[1] / "cloud_fixtures_secrets"


@pytest.mark.parametrize("iam", [False, True], ids=["no-iam", "iam"])
def test_a_function_reads_the_secret_its_policy_names_by_ref(tmp_path: Path, iam: bool) -> None:
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    options = CloudOptions(
        template=tmp_path / "template.yaml",
        port=0,
        api_port=0,
        iam=iam,
        stack_name=f"sec-{uuid.uuid4().hex[:8]}",
        state_dir=tmp_path / ".samlite",
        log_sink=lambda source, line: None,
    )
    with LocalCloud(options) as cloud:
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
