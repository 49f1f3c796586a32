"""The functions the Lambda API knows: by name, ARN or partial ARN, as Lambda resolves a FunctionName."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from samlite.model import FunctionSpec

LATEST = "$LATEST"
ARN_PATTERN = re.compile(
    r"^(?:arn:(?P<partition>[\w-]+):lambda:(?P<region>[\w-]+):)?(?:(?P<account>\d{12}):)?"
    r"(?:function:)?(?P<name>[A-Za-z0-9_-]+)(?::(?P<qualifier>[A-Za-z0-9$_-]+))?$"
)


@dataclass
class FunctionRegistry:
    """The functions the Invoke API knows, by name, with the ARN Lambda would give each."""

    region: str
    account_id: str
    partition: str = "aws"
    _by_name: dict[str, FunctionSpec] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def register(self, spec: FunctionSpec) -> str:
        """Make `spec` invocable and return its ARN; a name already taken by another function is refused."""
        with self._lock:
            existing = self._by_name.get(spec.function_name)
            if existing is not None and existing.logical_id != spec.logical_id:
                raise ValueError(
                    f"{spec.logical_id}: FunctionName {spec.function_name!r} is already used by "
                    f"{existing.logical_id}"
                )
            self._by_name[spec.function_name] = spec
        return self.arn(spec.function_name)

    def arn(self, function_name: str, qualifier: str | None = None) -> str:
        base = f"arn:{self.partition}:lambda:{self.region}:{self.account_id}:function:{function_name}"
        return f"{base}:{qualifier}" if qualifier else base

    def resolve(self, name_or_arn: str, qualifier: str | None = None) -> FunctionSpec | None:
        """The function a FunctionName (name, ARN or partial ARN, maybe qualified) designates, or None."""
        match = ARN_PATTERN.match(name_or_arn)
        if match is None:
            return None
        if match["region"] and match["region"] != self.region:
            return None
        if match["account"] and match["account"] != self.account_id:
            return None
        embedded_qualifier = match["qualifier"]
        if embedded_qualifier and qualifier and embedded_qualifier != qualifier:
            return None
        effective = embedded_qualifier or qualifier
        if effective not in (None, LATEST):
            return None
        return self._by_name.get(match["name"])

    def __iter__(self) -> Iterator[FunctionSpec]:
        return iter(list(self._by_name.values()))

    def __len__(self) -> int:
        return len(self._by_name)
