"""`samlite trigger ID` against a running local cloud (in this process), through `samlite.cli.main`:
credentials from `.samlite/env` or the environment, exit status 0 / 1 / 2."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import samlite.cli
from samlite.cloud.local_cloud import LocalCloud
from tests.samlite.embedded import running_project

FIXTURE = Path(__file__).resolve().parent / "push_fixtures"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    with running_project(FIXTURE, tmp_path_factory.mktemp("trigger_cli"), stack="trig") as started:
        yield started


@pytest.fixture
def no_endpoint_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def test_trigger_with_the_state_dirs_credentials(
    cloud: LocalCloud, no_endpoint_in_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    cloud.reset()
    state = str(cloud.options.state_dir)
    assert samlite.cli.main(["trigger", "TickFunction.Nightly", "--state-dir", state]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert (answer["Kind"], answer["Targets"]) == ("rule", [cloud.provisioned.function_arns["TickFunction"]])
    assert cloud.wait_idle(30)
    assert [i.event for i in cloud.invocations("TickFunction")] == [{"nightly": True}]


def test_trigger_with_the_environments_credentials(
    cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in cloud.env().items():
        monkeypatch.setenv(name, value)
    assert samlite.cli.main(["trigger", "PlainSchedule", "--state-dir", "/nonexistent"]) == 0
    assert json.loads(capsys.readouterr().out)["Kind"] == "schedule"


def test_an_unknown_id_is_exit_status_1_with_the_reason(
    cloud: LocalCloud, no_endpoint_in_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert samlite.cli.main(["trigger", "Nope", "--state-dir", str(cloud.options.state_dir)]) == 1
    assert "samlite trigger: no schedule 'Nope'" in capsys.readouterr().err


def test_without_a_running_cloud_it_is_exit_status_2(
    tmp_path: Path, no_endpoint_in_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert samlite.cli.main(["trigger", "X", "--state-dir", str(tmp_path)]) == 2
    assert "is `samlite start` running here?" in capsys.readouterr().err


def test_an_endpoint_that_does_not_answer_is_exit_status_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "a")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "b")
    assert samlite.cli.main(["trigger", "X"]) == 2
    assert "cannot reach http://127.0.0.1:9" in capsys.readouterr().err


def test_start_refuses_a_bad_chaos_spec_naming_the_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert samlite.cli.main(["start", "-t", str(FIXTURE / "template.yaml"), "--chaos", "reorder=2"]) == 2
    assert "--chaos: reorder='2' must be a probability between 0 and 1" in capsys.readouterr().err
