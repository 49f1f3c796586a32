"""A function's Layers, found on this machine: template layers, --layer-map, the Powertools layers.

Behaviour pinned by the Lambda developer guide ("Packaging your layer content": layer paths;
"Adding layers to functions": merge order and at most five layers), the SAM developer guide
("Building Lambda layers in AWS SAM": BuildMethod), the AWS::Lambda::LayerVersion reference (Ref is
the LayerVersionArn; CompatibleRuntimes only filters listings) and the Powertools for AWS Lambda
(Python) documentation ("Lambda Layer": names, accounts, versions).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from samlite.errors import UnsupportedError
from samlite.model.layers import AT_ROOT, UNDER_PYTHON
from samlite.template import load_stack
from samlite.template import powertools_layers as pt

POWERTOOLS_V3 = "arn:aws:lambda:{region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:6"
UNKNOWN = "arn:aws:lambda:us-east-1:999999999999:layer:private-deps:4"

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    CodeUri: src/
    Handler: app.handler
Resources:
  BuiltLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      LayerName: built
      ContentUri: layers/built/
      CompatibleRuntimes: [python3.12]
    Metadata:
      BuildMethod: python3.12
  PlainLayer:
    Type: AWS::Lambda::LayerVersion
    Properties:
      Content: layers/plain/
      CompatibleRuntimes: [python3.11]
  Layered:
    Type: AWS::Serverless::Function
    Properties:
      Layers:
        - !Ref BuiltLayer
        - !Ref PlainLayer
        - !Sub "arn:aws:lambda:${AWS::Region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:6"
"""  # noqa: E501
HEAD = TEMPLATE.split("        - !Ref BuiltLayer", maxsplit=1)[0]


@pytest.fixture
def layered_template(write_template: Callable[[str], Path]) -> Path:
    path = write_template(TEMPLATE)
    (path.parent / "layers" / "built").mkdir(parents=True)
    (path.parent / "layers" / "built" / "requirements.txt").write_text("tinydep==1.0\n")
    (path.parent / "layers" / "plain" / "python").mkdir(parents=True)
    return path


def test_layer_version_ref_is_its_arn_and_each_layer_is_found(layered_template: Path) -> None:
    stack = load_stack(layered_template, region="eu-west-1")
    built, plain, powertools = stack.function("Layered").layers
    # SAM renames BuiltLayer to BuiltLayer<hash>; Ref of a LayerVersion is its LayerVersionArn.
    assert built.arn == "arn:aws:lambda:eu-west-1:123456789012:layer:built:1"
    assert built.name == "BuiltLayer" and built.content == layered_template.parent / "layers" / "built"
    assert built.content_prefix == UNDER_PYTHON  # sam build puts a python3.x layer's files in python/
    assert built.requirements == built.content / "requirements.txt"
    assert plain.arn.startswith("arn:aws:lambda:eu-west-1:123456789012:layer:samlite-PlainLayer-")
    assert plain.content_prefix == AT_ROOT and plain.requirements is None
    assert powertools.packages == ("aws-lambda-powertools[all]==3.4.1",)
    assert powertools.origin == "powertools" and powertools.content is None
    resource = next(r for r in stack.resources.values() if r.logical_id.startswith("BuiltLayer"))
    assert resource.attributes["LayerVersionArn"] == built.arn


def test_compatible_runtimes_only_warn(layered_template: Path) -> None:
    stack = load_stack(layered_template)
    [warning] = [w for w in stack.warnings if "PlainLayer" in w]
    assert warning.startswith(
        "Function 'Layered' property 'Layers': layer PlainLayer is built for python3.11"
    )
    assert "not the function's python3.12" in warning
    assert "Layered" in stack.functions  # Lambda runs it anyway


def test_an_unknown_arn_names_the_function_the_arn_and_the_flag(write_template) -> None:
    path = write_template(TEMPLATE.replace("!Ref PlainLayer", UNKNOWN))
    (path.parent / "layers" / "built").mkdir(parents=True)
    stack = load_stack(path)
    with pytest.raises(UnsupportedError) as raised:
        stack.function("Layered")
    message = str(raised.value)
    assert message.startswith(f"Function 'Layered' property 'Layers': layer {UNKNOWN} is not defined")
    assert "--layer-map ARN=DIR" in message and "\n" not in message


@pytest.mark.parametrize(
    ("key", "matches"),
    [
        (UNKNOWN, True),
        ("arn:aws:lambda:us-east-1:999999999999:layer:private-deps", True),  # every version
        ("arn:aws:lambda:us-east-1:999999999999:layer:", True),  # every layer of the account
        ("arn:aws:lambda:us-east-1:999999999999:layer:private", False),  # not at a ':' boundary
        ("arn:aws:lambda:us-east-1:999999999999:layer:private-deps:3", False),
    ],
)
def test_layer_map_by_arn_or_prefix(write_template, tmp_path: Path, key: str, matches: bool) -> None:
    path = write_template(TEMPLATE.replace("!Ref PlainLayer", UNKNOWN))
    (path.parent / "layers" / "built").mkdir(parents=True)
    folder = tmp_path / "mapped"
    folder.mkdir()
    stack = load_stack(path, layer_map={key: folder})
    if matches:
        mapped = stack.function("Layered").layers[1]
        assert (mapped.arn, mapped.content, mapped.origin) == (UNKNOWN, folder, "layer-map")
        assert mapped.content_prefix == AT_ROOT  # a folder holding the layer's .zip content
    else:
        with pytest.raises(UnsupportedError, match="--layer-map"):
            stack.function("Layered")


def test_the_longest_layer_map_key_wins_and_a_missing_folder_is_named(write_template, tmp_path) -> None:
    path = write_template(TEMPLATE.replace("!Ref PlainLayer", UNKNOWN))
    (path.parent / "layers" / "built").mkdir(parents=True)
    (tmp_path / "specific").mkdir()
    prefix = "arn:aws:lambda:us-east-1:999999999999:layer:"
    stack = load_stack(path, layer_map={prefix: tmp_path / "general", UNKNOWN: tmp_path / "specific"})
    assert stack.function("Layered").layers[1].content == tmp_path / "specific"
    gone = load_stack(path, layer_map={prefix: tmp_path / "gone"})
    with pytest.raises(
        UnsupportedError, match=r"mapped to .*gone \(layer-map arn:.*layer:\), which is not a folder"
    ):
        gone.function("Layered")


def test_a_layer_map_entry_wins_over_the_powertools_table(layered_template: Path, tmp_path: Path) -> None:
    arn = POWERTOOLS_V3.format(region="us-east-1")
    stack = load_stack(layered_template, layer_map={arn: tmp_path})
    assert stack.function("Layered").layers[2].origin == "layer-map"


@pytest.mark.parametrize(
    ("layers", "reason"),
    [
        ([UNKNOWN.replace(":4", f":{n}") for n in range(6)], r"6 layers; Lambda allows at most 5"),
        (["not-an-arn"], r"layer not-an-arn is not defined"),
    ],
)
def test_layers_lambda_would_refuse(write_template, layers: list[str], reason: str) -> None:
    text = HEAD + "".join(f"        - {arn}\n" for arn in layers)
    stack = load_stack(write_template(text))
    with pytest.raises(UnsupportedError, match=rf"Function 'Layered' property 'Layers': {reason}"):
        stack.function("Layered")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("ContentUri: layers/built/", "ContentUri: s3://bucket/layer.zip"), r"'ContentUri': .*in S3"),
        (
            ("ContentUri: layers/built/", "ContentUri: layers/missing/"),
            r"'ContentUri': .*missing is not a folder",
        ),
        (("BuildMethod: python3.12", "BuildMethod: makefile"), r"Metadata 'BuildMethod': 'makefile' is not"),
    ],
)
def test_template_layers_samlite_cannot_use(
    layered_template: Path, change: tuple[str, str], reason: str
) -> None:
    layered_template.write_text(layered_template.read_text().replace(*change))
    stack = load_stack(layered_template)
    with pytest.raises(
        UnsupportedError,
        match=rf"Function 'Layered' property 'Layers': layer arn:.*: Resource 'BuiltLayer' .*{reason}",
    ):
        stack.function("Layered")


def _powertools(partition: str, region: str, account: str, name: str, version: int) -> str:
    return f"arn:{partition}:lambda:{region}:{account}:layer:{name}:{version}"


@pytest.mark.parametrize(
    ("arn", "major", "arch", "python", "release"),
    [
        (_powertools("aws", "eu-west-1", "017000801446", "AWSLambdaPowertoolsPythonV2", 79),
         2, "x86_64", None, "2.43.1"),
        (_powertools("aws", "ap-south-1", "017000801446", "AWSLambdaPowertoolsPythonV2-Arm64", 62),
         2, "arm64", None, "2.33.1"),
        (_powertools("aws", "us-west-2", "017000801446", "AWSLambdaPowertoolsPythonV3-python313-arm64", 1),
         3, "arm64", "python3.13", "3.0.0"),
        (_powertools("aws-cn", "cn-north-1", "498634801083",
                     "AWSLambdaPowertoolsPythonV3-python39-x86_64", 6),
         3, "x86_64", "python3.9", "3.4.1"),
        (_powertools("aws-us-gov", "us-gov-west-1", "165093116878",
                     "AWSLambdaPowertoolsPythonV3-python312-x86_64", 3),
         3, "x86_64", "python3.12", "3.2.0"),
    ],
)  # fmt: skip
def test_powertools_layers_in_any_region_architecture_and_runtime(
    arn: str, major: int, arch: str, python: str | None, release: str
) -> None:
    layer = pt.parse(arn)
    assert layer is not None
    assert (layer.major, layer.architecture, layer.python, layer.release) == (major, arch, python, release)
    assert layer.requirement == f"aws-lambda-powertools[all]=={release}"


@pytest.mark.parametrize(
    "arn",
    [
        # the right name in another account is not Powertools' layer
        "arn:aws:lambda:us-east-1:123456789012:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:6",
        "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsTypeScriptV2:20",
        "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPython:3",  # V1, retired
    ],
)
def test_other_layers_are_not_powertools(arn: str) -> None:
    assert pt.parse(arn) is None


def test_a_powertools_version_newer_than_the_table_says_so(write_template) -> None:
    newer = POWERTOOLS_V3.format(region="us-east-1").replace(":6", ":27")
    stack = load_stack(write_template(HEAD + f"        - {newer}\n"))
    with pytest.raises(UnsupportedError) as raised:
        stack.function("Layered")
    message = str(raised.value)
    assert f"layer {newer}: version 27 of this Powertools" in message
    assert "knows up to version 6, release 3.4.1" in message and "--layer-map" in message


def test_the_powertools_table_is_ordered_by_release() -> None:
    """Each line's layer versions grow with its releases: a typo in the table would break the order."""
    for table in (pt.V2_RELEASES, pt.V3_RELEASES):
        releases = [tuple(int(part) for part in table[version].split(".")) for version in sorted(table)]
        assert releases == sorted(releases)
    assert all(release.startswith("2.") for release in pt.V2_RELEASES.values())
    assert all(release.startswith("3.") for release in pt.V3_RELEASES.values())
