"""Which types CloudFormation knows, read from cfn-lint's registry snapshot in either of its layouts."""

from __future__ import annotations

import json
from pathlib import Path

from samlite.template import resource_types


def test_both_layouts_of_the_snapshot_are_read(tmp_path: Path) -> None:
    (tmp_path / "eu-west-1.json").write_text(json.dumps({"AWS::S3::Bucket": "x", "Alexa::ASK::Skill": "y"}))
    (tmp_path / "eu_west_2.py").write_text(
        'types: dict[str, str] = {\n    "AWS::SQS::Queue": "a",\n'
        '    "AWS::SNS::Topic": "b",\n    "Module": "c",\n}\n'
    )
    assert resource_types._read(tmp_path, "eu-west-1") == {"AWS::S3::Bucket", "Alexa::ASK::Skill"}
    assert resource_types._read(tmp_path, "eu-west-2") == {"AWS::SQS::Queue", "AWS::SNS::Topic"}
    assert resource_types._read(tmp_path, "ap-south-9") is None


def test_the_installed_snapshot_knows_the_common_types_and_not_made_up_ones() -> None:
    unknown = resource_types.unknown_types(
        {"AWS::S3::Bucket", "AWS::Lambda::Function", "AWS::Nope::Thing", "Custom::Mine", "Acme::X::Y"},
        "us-east-1",
    )
    assert unknown == {"AWS::Nope::Thing"}
    assert resource_types.unknown_types({"AWS::S3::Bucket"}, "xx-nowhere-1") == set()  # us-east-1's list
