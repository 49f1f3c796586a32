"""moto's SSM works without importing moto's EC2 until EC2 is needed (`moto_changes.ssm_without_ec2`).

If a moto release adds another use of EC2 to its SSM models, or moves the import, the stand-in falls
back to moto's own import and the first test fails by name: the 2.7 s import is back on every
function's first `ssm:GetParameter`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tests.samlite.embedded import client, running_endpoint, unique

_FRESH_PROCESS = textwrap.dedent(
    """
    import json, sys
    from tests.samlite.embedded import client, running_endpoint
    with running_endpoint(iam=True) as running:
        ssm = client(running.aws, "ssm")
        ssm.put_parameter(Name="/app/db-host", Value="db.local", Type="String")
        value = ssm.get_parameter(Name="/app/db-host")["Parameter"]["Value"]
        described = [p["Name"] for p in ssm.describe_parameters()["Parameters"]]
        stand_in = type(sys.modules["moto.ssm.models"].ec2_backends).__name__
        print(json.dumps({"value": value, "described": described, "stand_in": stand_in,
                          "ec2_imported": "moto.ec2" in sys.modules}))
    """
)


def test_parameter_store_calls_do_not_import_moto_ec2():
    completed = subprocess.run(
        [sys.executable, "-c", _FRESH_PROCESS], capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    seen = json.loads(completed.stdout.strip().splitlines()[-1])
    assert seen == {
        "value": "db.local",
        "described": ["/app/db-host"],
        "stand_in": "LazyEc2Backends",
        "ec2_imported": False,
    }


@pytest.fixture(scope="module")
def aws():
    with running_endpoint(iam=True) as running:
        yield running.aws


def test_send_command_still_targets_ec2_instances_by_tag(aws):
    """Run Command resolves tag targets to the account's instances ("Using targets and rate controls
    to send commands to a fleet", AWS Systems Manager User Guide): moto's EC2 is loaded for it."""
    tag = unique("fleet")
    ec2 = client(aws, "ec2")
    instance = ec2.run_instances(
        ImageId="ami-12c6146b",
        MinCount=1,
        MaxCount=1,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": tag}]}],
    )["Instances"][0]["InstanceId"]

    command = client(aws, "ssm").send_command(
        DocumentName="AWS-RunShellScript",
        Targets=[{"Key": "tag:Name", "Values": [tag]}],
        Parameters={"commands": ["echo hello"]},
    )["Command"]

    assert command["InstanceIds"] == [instance]
