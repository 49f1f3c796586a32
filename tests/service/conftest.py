"""Fixtures of the service tests: moto's in-process AWS with the template's bucket and table."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.template.sam_template import PSEUDO, create_bucket, create_table, load_template


@dataclass
class Aws:
    s3: Any
    dynamodb: Any
    bucket: str
    table: str


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and region, and no endpoint override: moto intercepts inside the process."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", PSEUDO["AWS::Region"])
    monkeypatch.setenv("AWS_REGION", PSEUDO["AWS::Region"])


@pytest.fixture
def aws(aws_env: None) -> Iterator[Aws]:
    template = load_template()
    with mock_aws():
        s3 = boto3.client("s3")
        dynamodb = boto3.client("dynamodb")
        yield Aws(s3, dynamodb, create_bucket(s3, template), create_table(dynamodb, template))
