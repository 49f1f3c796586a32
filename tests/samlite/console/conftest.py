"""A local cloud of the console's fixture template per test module (stopped after the module's last
test: moto's state is process-wide), and a client of the console's JSON API that carries the token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from samlite.cloud.local_cloud import LocalCloud
from tests.samlite.embedded import running_cloud

FIXTURES = Path(__file__).resolve().parent / "fixtures"


class ConsoleClient:
    """Calls `/_samlite/api/...` as the console's page does (token header, same origin)."""

    def __init__(self, cloud: LocalCloud) -> None:
        assert cloud.console is not None and cloud.console_url is not None
        self.base = cloud.console_url.rstrip("/")
        self.token = cloud.console.token
        self.session = requests.Session()
        self.session.headers["X-Samlite-Token"] = self.token

    def url(self, path: str) -> str:
        return f"{self.base}/api{path}"

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.url(path), timeout=60, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        answer = self.call("GET", path, **kwargs)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def send(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        answer = self.call(method, path, **kwargs)
        assert answer.status_code == status, answer.text
        return answer.json()


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    state_dir = tmp_path_factory.mktemp("console-state")
    with running_cloud(FIXTURES / "template.yaml", state_dir=state_dir, stack_name="console") as running:
        yield running


@pytest.fixture(scope="module")
def console(cloud: LocalCloud) -> Iterator[ConsoleClient]:
    client = ConsoleClient(cloud)
    yield client
    client.session.close()


@pytest.fixture(scope="module")
def outputs(cloud: LocalCloud) -> dict[str, Any]:
    return cloud.outputs


@pytest.fixture(scope="module")
def triggers_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    """The triggers fixture: a worker fed by every kind of trigger, with a layer, and a state machine."""
    state_dir = tmp_path_factory.mktemp("console-triggers-state")
    template = FIXTURES / "triggers" / "template.yaml"
    with running_cloud(template, state_dir=state_dir, stack_name="console-triggers") as running:
        yield running


@pytest.fixture(scope="module")
def triggers_console(triggers_cloud: LocalCloud) -> Iterator[ConsoleClient]:
    client = ConsoleClient(triggers_cloud)
    yield client
    client.session.close()
