"""`samlite invoke` on templates a new user brings: broken elsewhere, unsupported, or a running stack.

- one function runs although unrelated resources are broken (SAM CLI's `local invoke` runs such
  templates; its own invoke fixture has some), while a function samlite cannot run is one line, exit 2;
- `--endpoint-url` at a running `samlite start` with IAM on: the function gets its role's
  credentials from that stack, so it is allowed what its policies allow there, and nothing more.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from samlite.cli import main
from tests.samlite.embedded import running_cloud

APP = """\
import json, os
import boto3
from botocore.exceptions import ClientError

def echo(event, context):
    return {"event": event}

def uses_the_bucket(event, context):
    s3 = boto3.client("s3")
    bucket = os.environ["BUCKET"]
    listed = s3.list_objects_v2(Bucket=bucket)["KeyCount"]
    try:
        s3.put_object(Bucket=bucket, Key="not-allowed.txt", Body=b"x")
        put = "allowed"
    except ClientError as error:
        put = error.response["Error"]["Code"]
    return {"listed": listed, "put": put, "key": os.environ["AWS_ACCESS_KEY_ID"]}
"""

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  NoDefault:
    Type: String
Globals:
  Function:
    CodeUri: src/
    Runtime: python3.12
    Timeout: 20
Resources:
  Store:
    Type: AWS::S3::Bucket
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.echo
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.uses_the_bucket
      Environment:
        Variables:
          BUCKET: !Ref Store
      Policies:
        - S3ReadPolicy:
            BucketName: !Ref Store
  NeedsTheParameter:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.echo
      Environment:
        Variables:
          VALUE: !Ref NoDefault
  Layered:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.echo
      Layers: [arn:aws:lambda:us-east-1:999999999999:layer:nowhere:1]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(APP)
    (tmp_path / "template.yaml").write_text(textwrap.dedent(TEMPLATE))
    return tmp_path


def _invoke(capfd: pytest.CaptureFixture[str], project: Path, *args: str) -> tuple[int, str, str]:
    status = main(["invoke", "-t", str(project / "template.yaml"), *args])
    out, err = capfd.readouterr()
    return status, out, err


def test_one_function_runs_although_others_are_broken(project: Path, capfd, monkeypatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    status, out, err = _invoke(capfd, project, "Echo")
    assert status == 0, err
    assert json.loads(out) == {"event": {}}
    assert "left out as broken (samlite start refuses the template): NeedsTheParameter" in err

    status, out, err = _invoke(capfd, project, "NeedsTheParameter")
    assert status == 2 and out == ""
    [line] = [line for line in err.splitlines() if line.startswith("samlite invoke: error:")]
    assert "Parameter 'NoDefault': no Default and no value given" in line

    status, _, err = _invoke(capfd, project, "Layered")
    assert status == 2
    assert err.splitlines()[-1].startswith(
        "samlite invoke: error: Function 'Layered' property 'Layers': layer arn:aws:lambda:us-east-1:"
    )
    assert "--layer-map" in err.splitlines()[-1]


def test_invoke_against_a_running_stack_gets_the_functions_role(project: Path, capfd, monkeypatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    state = project / ".samlite"
    # `samlite start` refuses the whole template (it has broken parts): it runs the sound part.
    running = project / "running.yaml"
    sound = TEMPLATE.split("  NeedsTheParameter:", maxsplit=1)[0]
    running.write_text(sound.replace("    Type: String\n", "    Type: String\n    Default: x\n", 1))
    with running_cloud(running, stack="inv", state_dir=state) as cloud:
        bucket = cloud.stack.resources["Store"].ref
        cloud.client("s3").put_object(Bucket=bucket, Key="a.txt", Body=b"a")
        admin_key = cloud.admin_credentials.access_key_id
        status, out, err = _invoke(
            capfd,
            project,
            "Reader",
            "--endpoint-url",
            cloud.url,
            "--stack-name",
            cloud.options.stack_name,
            "--state-dir",
            str(state),
        )
    assert status == 0, err
    body = json.loads(out)
    assert body["listed"] == 1  # its role may list the bucket...
    assert body["put"] == "AccessDenied"  # ...and may not write to it: these are not the admin's keys
    assert body["key"] != admin_key
    assert "did not give" not in err and "dummy keys" not in err


def test_invoke_against_an_endpoint_that_is_not_samlite_says_so(project: Path, capfd, monkeypatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    status, _, err = _invoke(capfd, project, "Echo", "--endpoint-url", "http://127.0.0.1:9")
    assert status == 0, err  # the function still runs, with the caller's keys
    assert "did not give Echo its role's credentials (no answer from http://127.0.0.1:9" in err
