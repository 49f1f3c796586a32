"""`samlite start` as a user runs it: a subprocess, its ready line, SIGTERM, and its one-line errors."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import requests

from samlite.cli import build_parser
from tests.samlite.start_process import READY_TIMEOUT_S, OutputLines, spawn_start

FIXTURE = Path(__file__).resolve().parent / "cloud_fixtures"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    return tmp_path


@pytest.fixture
def started(project: Path) -> Iterator[tuple[subprocess.Popen[str], OutputLines]]:
    process = spawn_start(project, "--port", "0", "--stack-name", f"cli-{uuid.uuid4().hex[:8]}")
    lines = OutputLines(process)
    try:
        yield process, lines
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_start_prints_outputs_credentials_next_steps_then_one_ready_line(
    started: tuple[subprocess.Popen[str], OutputLines], project: Path
) -> None:
    _, lines = started
    ready = lines.wait_for("samlite ready", READY_TIMEOUT_S)
    url = ready.split()[2]
    assert url.startswith("http://127.0.0.1:")
    text = "\n".join(lines.seen)
    outputs = json.loads((project / ".samlite" / "outputs.json").read_text())
    assert outputs["BucketName"] in text
    assert "AWS_SECRET_ACCESS_KEY=" in text
    assert f"aws s3 cp ./photo.jpg s3://{outputs['BucketName']}/photo.jpg" in text
    assert "import boto3" in text
    assert "AWS::CloudWatch::Dashboard (Setting)" in text
    assert sum(line.startswith("samlite ready") for line in lines.seen) == 1
    assert requests.get(url + "/", timeout=5).status_code in (200, 403)
    console = ready.rsplit("; console: ", 1)[1]
    assert console == f"{url}/_samlite/"
    page = requests.get(console, timeout=5)
    assert page.status_code == 200 and "samlite console" in page.text


def test_no_console_serves_no_console(project: Path) -> None:
    process = spawn_start(
        project, "--port", "0", "--no-console", "--stack-name", f"cli-{uuid.uuid4().hex[:8]}"
    )
    lines = OutputLines(process)
    try:
        ready = lines.wait_for("samlite ready", READY_TIMEOUT_S)
        assert "console" not in ready
        answer = requests.get(ready.split()[2] + "/_samlite/", timeout=5)
        assert "samlite console" not in answer.text
    finally:
        process.terminate()
        process.wait(20)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_sigterm_or_ctrl_c_stops_everything_and_exits_zero(
    started: tuple[subprocess.Popen[str], OutputLines], project: Path, signum: int
) -> None:
    process, lines = started
    ready = lines.wait_for("samlite ready", READY_TIMEOUT_S)
    # Run a function so that worker processes exist, then make sure none outlives the command.
    _invoke_echo(ready.split()[2], project / ".samlite")
    children = psutil.Process(process.pid).children(recursive=True)
    assert children, "the runtime should have started worker processes"

    process.send_signal(signum)
    assert process.wait(30) == 0
    assert "samlite stopped" in lines.rest()
    _, alive = psutil.wait_procs(children, timeout=10)
    assert alive == [], f"orphan processes: {[p.pid for p in alive]}"
    assert process.stderr is not None
    assert "Traceback" not in process.stderr.read()


def _invoke_echo(url: str, state_dir: Path) -> None:
    """Invoke the fixture's echo function through the Invoke API with the credentials of `.samlite/env`."""
    import boto3

    env = dict(
        line.removeprefix("export ").split("=", 1) for line in (state_dir / "env").read_text().splitlines()
    )
    assert env["AWS_ENDPOINT_URL"] == url
    outputs = json.loads((state_dir / "outputs.json").read_text())
    client = boto3.client(
        "lambda",
        endpoint_url=url,
        region_name=env["AWS_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    response = client.invoke(FunctionName=outputs["UnprivilegedName"], Payload=b'{"hi": 1}')
    assert json.loads(response["Payload"].read())["echo"] == {"hi": 1}


def test_a_port_in_use_is_one_line_on_stderr_and_exit_status_2(project: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = spawn_start(project, "--port", str(port))
        stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 2
    assert stderr.count("\n") == 1 and stderr.startswith("samlite start: error:")
    assert str(port) in stderr
    assert "samlite ready" not in stdout


def test_a_template_error_is_one_line_on_stderr_and_exit_status_2(project: Path) -> None:
    process = spawn_start(project, "-t", "missing.yaml", "--port", "0")
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2
    assert stderr.count("\n") == 1 and "missing.yaml" in stderr
    assert "Traceback" not in stderr


def test_help_says_what_api_port_does(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["start", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--api-port" in help_text
    assert "local API Gateway serving the template's REST and HTTP APIs" in help_text
    assert "--no-iam" in help_text and "--no-watch" in help_text


def test_a_template_with_an_api_prints_its_local_url_and_serves_it(project: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        refused = spawn_start(project, "-t", "api/template.yaml", "--port", "0", "--api-port", str(taken))
        _, stderr = refused.communicate(timeout=60)
    assert refused.returncode == 2
    assert stderr.count("\n") == 1 and str(taken) in stderr

    process = spawn_start(project, "-t", "api/template.yaml", "--port", "0", "--api-port", "0")
    lines = OutputLines(process)
    try:
        lines.wait_for("samlite ready", READY_TIMEOUT_S)
        [url_line] = [line for line in lines.seen if line.startswith("  ServerlessRestApi: ")]
        base = url_line.split(": ", 1)[1]
        [key_line] = [line for line in lines.seen if line.startswith("  API key ServerlessRestApiApiKey: ")]
        key = key_line.split(": ", 1)[1]
        assert requests.get(f"{base}/hello/cli", timeout=30).status_code == 403
        answer = requests.get(f"{base}/hello/cli", headers={"x-api-key": key}, timeout=30)
        assert answer.json() == {"hello": "cli"}
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
