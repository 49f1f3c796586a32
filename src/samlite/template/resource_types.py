"""Which resource types CloudFormation knows, per region: read from cfn-lint's registry snapshot.

CloudFormation refuses a template naming a type it does not know ("Template format error:
Unrecognized resource types: [AWS::Nope::Thing]"). The list of types changes every week; cfn-lint
(installed with moto's server extra, and a dependency of samlite) ships it per region, as data files
that can be read without importing cfn-lint (whose import costs seconds): `providers/<region>.json`
(recent releases) or `providers/<region_with_underscores>.py` holding a `types` dict (earlier 1.x).

Only the `AWS::` and `Alexa::` namespaces are AWS's own: `Custom::*` custom resources and types of
other publishers (the CloudFormation registry's third-party and private types) cannot be known here
and are never refused by this check.
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import lru_cache
from pathlib import Path

DEFAULT_REGION = "us-east-1"
_AWS_NAMESPACES = ("AWS::", "Alexa::")
_ALWAYS_KNOWN = frozenset({"AWS::CloudFormation::CustomResource"})
_PY_TYPE = re.compile(r'^\s*"((?:AWS|Alexa)::[A-Za-z0-9]+::[A-Za-z0-9]+)"\s*:', re.MULTILINE)


def is_aws_namespace(type_name: str) -> bool:
    return type_name.startswith(_AWS_NAMESPACES)


def unknown_types(type_names: set[str], region: str) -> set[str] | None:
    """The names in `type_names` CloudFormation does not know in `region`; None when the registry
    snapshot cannot be read (then nothing is refused)."""
    known = known_types(region)
    if known is None:
        return None
    return {name for name in type_names if is_aws_namespace(name) and name not in known}


@lru_cache(maxsize=8)
def known_types(region: str) -> frozenset[str] | None:
    providers = _providers_dir()
    if providers is None:
        return None
    for candidate in (region, DEFAULT_REGION):
        found = _read(providers, candidate)
        if found is not None:
            return found | _ALWAYS_KNOWN
    return None


def _providers_dir() -> Path | None:
    try:
        spec = importlib.util.find_spec("cfnlint")  # locates the package without importing it
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "data" / "schemas" / "providers"
    return folder if folder.is_dir() else None


def _read(providers: Path, region: str) -> frozenset[str] | None:
    as_json = providers / f"{region}.json"
    if as_json.is_file():
        return frozenset(json.loads(as_json.read_text(encoding="utf-8")))
    as_module = providers / f"{region.replace('-', '_')}.py"
    if as_module.is_file():
        return frozenset(_PY_TYPE.findall(as_module.read_text(encoding="utf-8")))
    return None
