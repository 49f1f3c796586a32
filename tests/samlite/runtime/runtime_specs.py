"""FunctionSpecs and a log recorder for the runtime tests (a plain module: test files import it)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from samlite.model import FunctionSpec

FUNCTIONS = Path(__file__).resolve().parent.parent / "functions"
ECHO = FUNCTIONS / "echo"


class LogRecorder:
    """A log sink that keeps every (function, line) pair."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def __call__(self, logical_id: str, line: str) -> None:
        self.lines.append((logical_id, line))


def make_spec(
    handler: str, *, logical_id: str | None = None, code_uri: Path = ECHO, **changes: object
) -> FunctionSpec:
    name = logical_id or handler.rsplit(".", 1)[-1].title().replace("_", "")
    spec = FunctionSpec(
        logical_id=name,
        function_name=f"samlite-{name}",
        handler=handler,
        runtime="python3.12",
        code_uri=code_uri,
    )
    return dataclasses.replace(spec, **changes)  # type: ignore[arg-type]
