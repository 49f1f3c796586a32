"""Integration tests of upload-catalog: the same tests against samlite (default) or a deployed stack.

Target:
- default: `template.yaml` runs locally on samlite for the session (the samlite pytest plugin);
- `STACK_NAME=<stack>` (and `SAMLITE` unset): the deployed CloudFormation stack of that name, its
  outputs read with DescribeStacks and default boto3 clients (credentials and region from the
  environment, as the pipeline's `configure-aws-credentials` step sets them). The API tests call the
  `ApiUrl` output with the value of the `ApiKeyId` key (`apigateway:GET` on the key is needed to read
  it) and check CORS against the stack's `CorsAllowedOrigins` parameter.
- on samlite, the stack runs with `CorsAllowedOrigins=https://app.example.com` (LOCAL_CORS_ORIGIN) so
  that the CORS tests have an allowed origin to check. Chaos delivery is the command line's:
  `make test` runs this suite once without it and once with `--samlite-chaos $(CHAOS)`.

Every test works under its own key prefix, so tests never depend on each other's objects and the
tests are safe to run against a shared staging stack (each test removes its objects afterwards there).
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.stack_target import LOCAL_CONVERGE_S, CatalogApi, Stack, aws_stack, target_is_aws

# The browser origin the local stack allows (template parameter CorsAllowedOrigins, empty by default, so
# the CORS tests need one); `--samlite-parameter-overrides CorsAllowedOrigins=...` takes precedence.
LOCAL_CORS_ORIGIN = "https://app.example.com"

if target_is_aws():

    @pytest.fixture(scope="session")
    def stack() -> Stack:
        """The deployed stack named by STACK_NAME."""
        return aws_stack(os.environ["STACK_NAME"])

else:

    @pytest.fixture(scope="session")
    def samlite_options(samlite_options: Any) -> Any:
        """The plugin's options, plus an allowed CORS origin unless the command line or ini sets one."""
        overrides = {"CorsAllowedOrigins": LOCAL_CORS_ORIGIN, **samlite_options.parameter_overrides}
        return dataclasses.replace(samlite_options, parameter_overrides=overrides)

    @pytest.fixture(scope="session")
    def stack(samlite_cloud: Any, samlite_outputs: Any, samlite_client: Any) -> Stack:
        """template.yaml on samlite. The dependency on samlite_cloud is declared, not requested at run
        time, so that the plugin sees which test is its last user and stops the cloud right after it."""
        return Stack(
            target="samlite",
            outputs=samlite_outputs,
            client=samlite_client,
            settle=samlite_cloud.wait_idle,
            converge_timeout=LOCAL_CONVERGE_S,
            local=samlite_cloud,
            parameters=dict(samlite_cloud.stack.parameters),
        )


@pytest.fixture(scope="session")
def api(stack: Stack) -> Iterator[CatalogApi]:
    """The REST API at the `ApiUrl` output, with the stack's API key (one HTTP session for the run)."""
    client = CatalogApi(stack.api_url, stack.api_key)
    yield client
    client.session.close()


@pytest.fixture
def prefix(stack: Stack) -> Iterator[str]:
    """A key prefix of this test alone; on AWS its objects (every version) are removed afterwards."""
    value = f"it-{uuid.uuid4().hex[:12]}/"
    yield value
    if stack.target == "aws":
        remove_all_versions(stack, value)


def remove_all_versions(stack: Stack, key_prefix: str) -> None:
    """Delete every version and delete marker under `key_prefix` (the uploads bucket is versioned)."""
    paginator = stack.s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=stack.bucket, Prefix=key_prefix):
        doomed = [
            {"Key": item["Key"], "VersionId": item["VersionId"]}
            for item in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        for start in range(0, len(doomed), 1000):
            stack.s3.delete_objects(Bucket=stack.bucket, Delete={"Objects": doomed[start : start + 1000]})
