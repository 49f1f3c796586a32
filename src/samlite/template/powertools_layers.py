"""The public Powertools for AWS Lambda (Python) layers, resolved offline to the PyPI release they carry.

A template naming `arn:aws:lambda:{region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-
x86_64:6` gets, locally, `aws-lambda-powertools[all]==3.4.1` installed from PyPI into the layer's
`python/` folder: what the published layer holds (the Powertools package with every extra dependency;
the layer stacks build it with `include_extras=True`, `layer/layer/layer_stack.py` and
`layer_v3/layer/layer_stack.py` in aws-powertools/powertools-lambda-python). No AWS call is made:
Lambda's GetLayerVersion is the only other way to learn a version's release (its Description ends
with it), and it needs an account.

Names and accounts, from the Powertools documentation ("Lambda Layer" in Installation / Homepage):
- V2: `AWSLambdaPowertoolsPythonV2` (x86_64) and `AWSLambdaPowertoolsPythonV2-Arm64`;
- V3: `AWSLambdaPowertoolsPythonV3-{python_version}-{x86_64|arm64}`, python_version without the
  dot (`python312`);
- accounts: 017000801446 (every commercial region), 498634801083 (aws-cn, cn-north-1),
  165087284144 (us-gov-east-1) and 165093116878 (us-gov-west-1).

Layer version -> release: each release's layer version as the Powertools documentation gave it,
taken from the repository's history (docs/index.md, changed by the release workflow's "layer docs
update" commits on the `v2` and `develop` branches, matched to the release tag of that day) and, for
3.3.0-3.4.1, from the "docs(layer): update layer version number - vX.Y.Z" pull requests (#5562,
#5785, #5869). Versions not listed (V2 1-10 were pre-release builds; later V3 versions are newer than
this table) are unknown: the function's Layers error names the ARN and `--layer-map`, which maps any
ARN to a local folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PACKAGE = "aws-lambda-powertools"
EXTRAS = "all"

ACCOUNTS = {
    "017000801446": "commercial regions",
    "498634801083": "AWS China (cn-north-1)",
    "165087284144": "AWS GovCloud (us-gov-east-1)",
    "165093116878": "AWS GovCloud (us-gov-west-1)",
}

_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-cn|aws-us-gov):lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):layer:"
    r"(?P<name>AWSLambdaPowertoolsPythonV2(?P<v2arm>-Arm64)?"
    r"|AWSLambdaPowertoolsPythonV3-python(?P<python>3\d+)-(?P<arch>x86_64|arm64))"
    r":(?P<version>\d+)$"
)

# Layer version -> the aws-lambda-powertools release it carries (see the module docstring).
V2_RELEASES: dict[int, str] = {
    11: "2.0.0", 12: "2.1.0", 13: "2.2.0", 14: "2.3.0", 15: "2.3.1", 16: "2.4.0", 17: "2.5.0",
    18: "2.6.0", 19: "2.7.0", 20: "2.7.1", 21: "2.8.0", 22: "2.9.0", 23: "2.9.1", 24: "2.10.0",
    25: "2.11.0", 26: "2.12.0", 27: "2.13.0", 28: "2.13.0", 29: "2.14.0", 30: "2.14.0", 31: "2.14.1",
    32: "2.15.0", 33: "2.16.1", 34: "2.16.2", 35: "2.17.0", 36: "2.18.0", 37: "2.19.0", 38: "2.20.0",
    39: "2.21.0", 40: "2.22.0", 41: "2.23.0", 42: "2.23.1", 43: "2.24.0", 44: "2.25.0", 45: "2.25.1",
    46: "2.26.0", 47: "2.26.1", 48: "2.27.0", 49: "2.27.1", 50: "2.28.0", 51: "2.28.1", 52: "2.29.0",
    53: "2.29.1", 55: "2.29.1", 56: "2.30.0", 57: "2.30.1", 58: "2.30.2", 59: "2.31.0", 60: "2.32.0",
    61: "2.33.0", 62: "2.33.1", 63: "2.34.0", 64: "2.34.1", 65: "2.34.2", 66: "2.35.0", 67: "2.35.1",
    68: "2.36.0", 69: "2.37.0", 70: "2.38.0", 71: "2.38.1", 72: "2.39.0", 73: "2.39.1", 74: "2.40.0",
    75: "2.40.1", 76: "2.41.0", 77: "2.42.0", 78: "2.43.0", 79: "2.43.1",
}  # fmt: skip
V3_RELEASES: dict[int, str] = {1: "3.0.0", 2: "3.1.0", 3: "3.2.0", 4: "3.3.0", 5: "3.4.0", 6: "3.4.1"}


@dataclass(frozen=True)
class PowertoolsLayer:
    """A public Powertools layer ARN, read: which major line, runtime and architecture it is for."""

    arn: str
    major: int
    version: int
    architecture: str
    python: str | None  # "python3.12" for V3 layers (one per runtime); None for V2 (any runtime)
    release: str | None  # the PyPI release, None when the version is not in the table

    @property
    def requirement(self) -> str:
        return f"{PACKAGE}[{EXTRAS}]=={self.release}"

    def unknown_version_reason(self) -> str:
        table = V2_RELEASES if self.major == 2 else V3_RELEASES
        newest = max(table)
        return (
            f"version {self.version} of this Powertools for AWS Lambda (Python) V{self.major} layer is not "
            f"in samlite's table (it knows up to version {newest}, release {table[newest]})"
        )


def parse(arn: str) -> PowertoolsLayer | None:
    """The Powertools layer `arn` names, or None when it is not one of the public Powertools layers."""
    match = _ARN.match(arn)
    if match is None or match["account"] not in ACCOUNTS:
        return None
    version = int(match["version"])
    if match["python"]:
        minor = match["python"][1:]
        return PowertoolsLayer(arn, 3, version, match["arch"], f"python3.{minor}", V3_RELEASES.get(version))
    architecture = "arm64" if match["v2arm"] else "x86_64"
    return PowertoolsLayer(arn, 2, version, architecture, None, V2_RELEASES.get(version))
