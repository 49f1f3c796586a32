"""One CloudFormation resource of the translated template, with every intrinsic resolved."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Resource:
    """One CloudFormation resource of the translated template, intrinsics resolved.

    `ref` is what `Ref` returns for it and `attributes` what `Fn::GetAtt` returns (e.g. `Arn`), both
    computed locally the way CloudFormation would name things, so that provisioning, the function
    environment and the stack outputs all agree.
    """

    logical_id: str
    type: str
    properties: Mapping[str, Any]
    ref: str
    attributes: Mapping[str, Any] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)
