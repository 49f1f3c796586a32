"""Which Python runs a function: the one its `Runtime` declares, when this machine has it.

A function declaring `python3.13` must not quietly run on samlite's own 3.11: code that only breaks on
the newer runtime (a module removed in 3.13, a changed default) would pass locally and fail on AWS.
So each function gets, in this order:

1. the interpreter given for its runtime (`--python python3.13=PATH`, or `python` in samlite's config);
2. samlite's own interpreter, when it is that version;
3. `python3.13` on PATH, if it runs and really is 3.13 (a pyenv shim for a version that is not
   selected fails to run, and is skipped);
4. otherwise samlite's own interpreter, with one line saying so (`Choice.note`).

An interpreter other than samlite's own gets the Lambda runtime's packages (awslambdaric, boto3)
installed for it in a cached environment (`runtime_environment`).
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from samlite.errors import ConfigError

_RUNTIME = re.compile(r"^python(\d+)\.(\d+)$")
_PROBE = (
    "import sys, importlib.util; "
    "print(sys.version_info[0], sys.version_info[1], importlib.util.find_spec('pip') is not None)"
)
_PROBE_TIMEOUT_S = 20.0
# Lambda's names for the machine architectures (platform.machine() says x86_64/AMD64, aarch64/arm64).
_ARCHITECTURES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}


@dataclass(frozen=True)
class Interpreter:
    """A Python interpreter on this machine; `own` is samlite's, whose packages the workers reuse."""

    executable: Path
    version: tuple[int, int]
    has_pip: bool
    own: bool = False

    @property
    def label(self) -> str:
        return f"python{self.version[0]}.{self.version[1]}"

    @property
    def version_text(self) -> str:
        return f"{self.version[0]}.{self.version[1]}"


def own_interpreter() -> Interpreter:
    return Interpreter(Path(sys.executable), (sys.version_info[0], sys.version_info[1]), True, own=True)


def machine_architecture() -> str:
    """This machine's architecture in Lambda's words (x86_64 or arm64)."""
    machine = platform.machine()
    return _ARCHITECTURES.get(machine.lower(), machine)


@dataclass(frozen=True)
class Choice:
    """The interpreter a runtime gets, and the line to show when it is not the declared version."""

    interpreter: Interpreter
    note: str | None = None

    def note_for(self, logical_id: str, runtime: str) -> str | None:
        if self.note is None:
            return None
        return f"Function '{logical_id}' declares Runtime {runtime}; {self.note}"


class InterpreterChooser:
    """Chooses (and remembers) the interpreter of each declared runtime; see the module docstring.

    `pythons` maps runtimes to interpreters: a path, or a command name looked up on PATH.
    """

    def __init__(self, pythons: Mapping[str, Path] | None = None) -> None:
        self._pythons = dict(pythons or {})
        self._own = own_interpreter()
        self._choices: dict[str, Choice] = {}
        self._lock = threading.Lock()

    def choose(self, runtime: str) -> Choice:
        with self._lock:
            if runtime not in self._choices:
                self._choices[runtime] = self._choose(runtime)
            return self._choices[runtime]

    def _choose(self, runtime: str) -> Choice:
        declared = _declared_version(runtime)
        if runtime in self._pythons:
            given = self._pythons[runtime]
            interpreter = self._given(runtime, given)
            if interpreter.version == declared:
                return Choice(interpreter)
            return Choice(
                interpreter,
                f"it runs on Python {interpreter.version_text} instead ({interpreter.executable}, given "
                f"by --python {runtime}=...)",
            )
        if declared == self._own.version or declared is None:
            return Choice(self._own)
        found = shutil.which(runtime)
        if found is not None:
            interpreter = probe(Path(found))
            if interpreter is not None and interpreter.version == declared:
                return Choice(interpreter)
        return Choice(
            self._own,
            f"this machine has no {runtime} (on PATH, or given with --python {runtime}=PATH), so it runs "
            f"on Python {self._own.version_text} instead",
        )

    def _given(self, runtime: str, given: Path) -> Interpreter:
        location = given
        if not given.is_absolute() and os.sep not in str(given):
            found = shutil.which(str(given))
            if found is None:
                raise ConfigError(f"--python {runtime}={given}: no {given} on PATH")
            location = Path(found)
        interpreter = probe(location)
        if interpreter is None:
            raise ConfigError(f"--python {runtime}={given}: {location} does not run as a Python interpreter")
        return interpreter


def probe(executable: Path) -> Interpreter | None:
    """The interpreter at `executable`, or None when it does not run as Python 3."""
    try:
        completed = subprocess.run(
            [str(executable), "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=_PROBE_TIMEOUT_S,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    parts = completed.stdout.split()
    if completed.returncode != 0 or len(parts) != 3 or not (parts[0].isdigit() and parts[1].isdigit()):
        return None
    version = (int(parts[0]), int(parts[1]))
    own = Path(executable) == Path(sys.executable)
    return Interpreter(Path(executable), version, parts[2] == "True", own=own)


def _declared_version(runtime: str) -> tuple[int, int] | None:
    match = _RUNTIME.match(runtime)
    return (int(match.group(1)), int(match.group(2))) if match else None
