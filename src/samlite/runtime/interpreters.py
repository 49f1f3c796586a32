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

Probing runs the interpreter, which for a pyenv shim takes about half a second: results are kept for
the process (per path and modification time), and `prefetch` starts the search on a thread, so that
`samlite start` overlaps it with its other start-up work instead of waiting for it. What the search on
PATH found is also remembered in the cache folder (`interpreters.json`): an interpreter while its file
is unchanged, and "not an interpreter" for a day (a pyenv shim answers differently once its version is
installed; at worst the line saying so is shown a day longer). A `--python` interpreter is always asked.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping
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

    def __init__(self, pythons: Mapping[str, Path] | None = None, cache_dir: Path | None = None) -> None:
        self._pythons = dict(pythons or {})
        self._remember_in = cache_dir / REMEMBERED_FILE if cache_dir is not None else None
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
            interpreter = probe(Path(found), remember_in=self._remember_in)
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


_probes: dict[tuple[str, int], Interpreter | None] = {}
_probe_locks: dict[str, threading.Lock] = {}
_probes_guard = threading.Lock()


def probe(executable: Path, *, remember_in: Path | None = None) -> Interpreter | None:
    """The interpreter at `executable`, or None when it does not run as Python 3 (remembered for the
    process, and in `remember_in` across processes; see the module docstring)."""
    try:
        stat = executable.stat()
    except OSError:
        return None
    key = (str(executable), stat.st_mtime_ns)
    with _probes_guard:
        lock = _probe_locks.setdefault(key[0], threading.Lock())
    with lock:  # a second caller waits for the first probe of that path
        if key not in _probes:
            known = _recall(remember_in, executable, stat) if remember_in is not None else _UNKNOWN
            if isinstance(known, _Unknown):
                _probes[key] = _run_probe(executable)
                if remember_in is not None:
                    _remember(remember_in, executable, stat, _probes[key])
            else:
                _probes[key] = known
        return _probes[key]


REMEMBERED_FILE = "interpreters.json"
NOT_PYTHON_FOR_S = 24 * 3600


class _Unknown:
    """Nothing remembered about a path (or only something too old to trust)."""


_UNKNOWN = _Unknown()


def _recall(path: Path, executable: Path, stat: os.stat_result) -> Interpreter | _Unknown | None:
    try:
        entry = json.loads(path.read_text()).get(str(executable))
    except (OSError, ValueError, AttributeError):
        return _UNKNOWN
    if not isinstance(entry, dict) or entry.get("file") != [stat.st_mtime_ns, stat.st_size]:
        return _UNKNOWN
    if entry.get("version") is None:
        fresh = time.time() - float(entry.get("checked", 0)) < NOT_PYTHON_FOR_S
        return None if fresh else _UNKNOWN
    version = tuple(entry["version"])
    return Interpreter(executable, (version[0], version[1]), bool(entry.get("pip")), own=False)


def _remember(path: Path, executable: Path, stat: os.stat_result, found: Interpreter | None) -> None:
    """Best effort: a lost update only means probing again next time."""
    with contextlib.suppress(OSError, ValueError):
        try:
            entries = json.loads(path.read_text())
        except (OSError, ValueError):
            entries = {}
        entries[str(executable)] = {
            "file": [stat.st_mtime_ns, stat.st_size],
            "version": list(found.version) if found is not None else None,
            "pip": found.has_pip if found is not None else False,
            "checked": time.time(),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        temporary.write_text(json.dumps(entries, indent=1))
        temporary.replace(path)


def prefetch(
    runtimes: Iterable[str], pythons: Mapping[str, Path] | None = None, cache_dir: Path | None = None
) -> threading.Thread:
    """Look for the interpreters of `runtimes` on a daemon thread (errors are left for `choose`)."""

    def search() -> None:
        chooser = InterpreterChooser(pythons, cache_dir)
        for runtime in sorted(set(runtimes)):
            with contextlib.suppress(ConfigError):
                chooser.choose(runtime)

    thread = threading.Thread(target=search, name="samlite-interpreters", daemon=True)
    thread.start()
    return thread


def _run_probe(executable: Path) -> Interpreter | None:
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
