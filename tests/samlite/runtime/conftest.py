"""Shared fixtures of the runtime tests: one LambdaRuntime per module, FunctionSpecs built directly."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from samlite.model import FunctionSpec
from samlite.runtime import LambdaRuntime
from tests.samlite.runtime.runtime_specs import LogRecorder, make_spec


@pytest.fixture(scope="module")
def sink() -> LogRecorder:
    return LogRecorder()


@pytest.fixture(scope="module")
def runtime(sink: LogRecorder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LambdaRuntime]:
    with LambdaRuntime(
        aws_endpoint_url="http://127.0.0.1:4566",
        credentials_for=lambda spec: {
            "AWS_ACCESS_KEY_ID": f"AKIA{spec.logical_id.upper()}",
            "AWS_SECRET_ACCESS_KEY": "secret",
            "AWS_SESSION_TOKEN": "token",
        },
        log_sink=sink,
        region="eu-west-1",
        cache_dir=tmp_path_factory.mktemp("cache"),
    ) as lambda_runtime:
        yield lambda_runtime


@pytest.fixture
def spec_for() -> Callable[..., FunctionSpec]:
    return make_spec
