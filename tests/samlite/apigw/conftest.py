"""Shared fixtures of the gateway tests: the fixture stacks, and one runtime + gateway per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from samlite.apigw import LocalApiGateway
from samlite.cloud.local_cloud import LocalCloud
from samlite.runtime import LambdaRuntime
from samlite.template import Stack, load_stack

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def gateway_stack() -> Stack:
    return load_stack(FIXTURES / "gateway" / "template.yaml")


@pytest.fixture(scope="module")
def explicit_stack() -> Stack:
    return load_stack(FIXTURES / "explicit" / "template.yaml")


@pytest.fixture(scope="module")
def gateway_logs() -> list[str]:
    return []


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LambdaRuntime]:
    with LambdaRuntime(cache_dir=tmp_path_factory.mktemp("cache")) as lambda_runtime:
        yield lambda_runtime


@pytest.fixture(scope="module")
def gateway(
    gateway_stack: Stack, runtime: LambdaRuntime, gateway_logs: list[str]
) -> Iterator[LocalApiGateway]:
    # A short integration timeout so the 504 test does not wait 29 s.
    with LocalApiGateway(
        gateway_stack, runtime.invoke, port=0, integration_timeout_s=3.0, log=gateway_logs.append
    ) as local_gateway:
        yield local_gateway


# The module's `cloud` (a LocalCloud of a fixture with a REST API `RestApi` and an HTTP API `HttpApi`,
# which test_authorizers.py and test_integrations.py each start) serves these two base URLs.
@pytest.fixture(scope="module")
def rest(cloud: LocalCloud) -> str:
    return cloud.api_urls["RestApi"]


@pytest.fixture(scope="module")
def http(cloud: LocalCloud) -> str:
    return cloud.api_urls["HttpApi"]
