"""Packages a function needs, installed once into a cache keyed by what is installed and for which Python.

`sam build` would install a function's requirements next to its code; samlite never copies the code
(so edits are live) and instead installs them with `pip install --target` into
`<cache>/deps/<sha256 of the requirements + Python version>/`, put on the worker's path right after
CodeUri. The same content is never installed twice, across functions, layers and runs. The same
cache serves every install samlite makes: a function's requirements.txt, a `BuildMethod: python3.x`
layer's requirements.txt, the packages of a public layer rebuilt from PyPI, and the Lambda runtime's
own packages for an interpreter other than samlite's.

pip runs with the requirements' folder as its working directory, so relative paths and
`--find-links` lines mean what they mean to `sam build`. It installs for the interpreter the
function runs on: that interpreter's own pip, or samlite's pip told `--python` when it has none.
Installs of different content run in parallel; two of the same content wait for one another
(threads of this process, and other samlite processes through a file lock).
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from samlite.config import default_cache_dir
from samlite.errors import SamliteError
from samlite.runtime.interpreters import Interpreter, own_interpreter

__all__ = [
    "REQUIREMENTS_FILE",
    "DependencyInstallError",
    "Installed",
    "default_cache_dir",
    "ensure_requirements",
    "install_packages",
    "install_requirements_file",
    "requirements_key",
]

REQUIREMENTS_FILE = "requirements.txt"
_COMPLETE_MARKER = ".samlite-complete"
_PIP_OUTPUT_LINES = 25
_locks_guard = threading.Lock()
_locks: dict[str, threading.Lock] = {}


class DependencyInstallError(SamliteError, RuntimeError):
    """pip could not install what a function needs; `headline` is one line, `output` pip's own words."""

    def __init__(self, headline: str, output: str = "", *, function_id: str | None = None) -> None:
        super().__init__(f"{headline}:\n{output}" if output else headline)
        self.headline = headline
        self.output = output
        self.function_id = function_id


@dataclass(frozen=True)
class Installed:
    """Where the packages are, and whether pip ran for them now (False: they came from the cache)."""

    path: Path
    installed_now: bool
    seconds: float = 0.0


def requirements_key(requirements: bytes, version: tuple[int, int] | None = None) -> str:
    major, minor = version or (sys.version_info.major, sys.version_info.minor)
    digest = hashlib.sha256(requirements)
    digest.update(f"\0python{major}.{minor}".encode())
    return digest.hexdigest()[:32]


def ensure_requirements(
    code_uri: Path, cache_dir: Path, *, function_id: str, interpreter: Interpreter | None = None
) -> Path | None:
    """The folder holding `code_uri`'s requirements, installing them on first use; None if none."""
    installed = install_requirements_file(
        code_uri / REQUIREMENTS_FILE, cache_dir, label=function_id, interpreter=interpreter
    )
    return installed.path if installed is not None else None


def install_requirements_file(
    requirements_path: Path,
    cache_dir: Path,
    *,
    label: str,
    interpreter: Interpreter | None = None,
    what: str | None = None,
) -> Installed | None:
    """`requirements_path` installed (pip run in its folder); None when there is no such file or it is
    empty. `label` is the function that needs it, `what` how pip's errors name it."""
    if not requirements_path.is_file():
        return None
    content = requirements_path.read_bytes()
    if not content.strip():
        return None
    request = _Request(content, label, what or str(requirements_path), requirements_path)
    return _ensure(request, cache_dir, interpreter)


def install_packages(
    requirements: Sequence[str],
    cache_dir: Path,
    *,
    label: str,
    interpreter: Interpreter | None = None,
    what: str | None = None,
) -> Installed:
    """Requirement lines (`aws-lambda-powertools[all]==3.4.1`) installed into their own folder."""
    content = ("\n".join(requirements) + "\n").encode()
    return _ensure(_Request(content, label, what or " ".join(requirements)), cache_dir, interpreter)


@dataclass(frozen=True)
class _Request:
    """What to install: the requirements' text, who needs it and how to name it, and the file it comes
    from (pip runs in that file's folder), if any."""

    content: bytes
    label: str
    what: str
    path: Path | None = None


def _ensure(request: _Request, cache_dir: Path, interpreter: Interpreter | None) -> Installed:
    interpreter = interpreter or own_interpreter()
    target = cache_dir / "deps" / requirements_key(request.content, interpreter.version)
    if (target / _COMPLETE_MARKER).exists():
        return Installed(target, installed_now=False)
    started = time.monotonic()
    target.parent.mkdir(parents=True, exist_ok=True)
    with _lock_for(target.name), open(target.parent / f"{target.name}.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)  # another samlite process may be installing it too
        if (target / _COMPLETE_MARKER).exists():
            return Installed(target, installed_now=False)
        staging = Path(tempfile.mkdtemp(prefix=f"{target.name}.", dir=target.parent))
        written = staging.with_suffix(".txt")
        try:
            source = request.path
            if source is None:
                written.write_bytes(request.content)
                source = written
            _pip_install(request, source, staging, interpreter)
            (staging / _COMPLETE_MARKER).write_text(request.what)
            if target.exists():
                shutil.rmtree(target)
            staging.rename(target)
        finally:
            written.unlink(missing_ok=True)
            shutil.rmtree(staging, ignore_errors=True)
    return Installed(target, installed_now=True, seconds=time.monotonic() - started)


def _lock_for(key: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def pip_command(interpreter: Interpreter) -> list[str]:
    """pip for `interpreter`: its own when it has one, else samlite's told to install for it."""
    if interpreter.own:
        return [sys.executable, "-m", "pip"]
    if interpreter.has_pip:
        return [str(interpreter.executable), "-m", "pip"]
    return [sys.executable, "-m", "pip", "--python", str(interpreter.executable)]


def _pip_install(request: _Request, source: Path, target: Path, interpreter: Interpreter) -> None:
    command = [
        *pip_command(interpreter), "install", "--quiet", "--disable-pip-version-check", "--no-input",
        "--target", str(target), "-r", str(source),
    ]  # fmt: skip
    cwd = source.parent if request.path is not None else target.parent
    completed = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )
    if completed.returncode != 0:
        output = (completed.stderr or completed.stdout).strip().splitlines()
        raise DependencyInstallError(
            f"function {request.label}: pip could not install {request.what} for Python "
            f"{interpreter.version_text}",
            "\n".join(output[-_PIP_OUTPUT_LINES:]),
            function_id=request.label,
        )
