"""The provisioning tests share one running embedded AWS per module, with samlite's services attached."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from samlite.endpoint.embedded_aws import EmbeddedAws
from samlite.services.wiring import LocalServices
from tests.samlite.embedded import Endpoint, running_endpoint


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Endpoint]:
    with running_endpoint(iam=True) as running:
        yield running


@pytest.fixture(scope="module")
def aws(endpoint: Endpoint) -> EmbeddedAws:
    return endpoint.aws


@pytest.fixture(scope="module")
def services(endpoint: Endpoint) -> LocalServices:
    return endpoint.services
