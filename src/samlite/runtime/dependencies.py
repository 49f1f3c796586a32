"""A function's `requirements.txt`, installed once into a cache keyed by the file's content.

`sam build` would install a function's requirements next to its code; samlite never copies the code
(so edits are live) and instead installs them with `pip install --target` into
`<cache>/deps/<sha256 of requirements.txt + Python version>/`, put on the worker's path right after
CodeUri. The same file content is never installed twice, across functions and across runs. pip runs
with CodeUri as its working directory, so relative paths and `--find-links` lines in the file mean
what they mean to `sam build`.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from samlite.errors import SamliteError

REQUIREMENTS_FILE = "requirements.txt"
_COMPLETE_MARKER = ".samlite-complete"
_install_lock = threading.Lock()


class DependencyInstallError(SamliteError, RuntimeError):
    """pip could not install a function's requirements.txt."""


def default_cache_dir() -> Path:
    """`$SAMLITE_CACHE_DIR`, else `$XDG_CACHE_HOME/samlite`, else `~/.cache/samlite`."""
    explicit = os.environ.get("SAMLITE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "samlite"


def requirements_key(requirements: bytes) -> str:
    digest = hashlib.sha256(requirements)
    digest.update(f"\0python{sys.version_info.major}.{sys.version_info.minor}".encode())
    return digest.hexdigest()[:32]


def ensure_requirements(code_uri: Path, cache_dir: Path, *, function_id: str) -> Path | None:
    """The directory holding `code_uri`'s requirements, installing them on first use; None if none."""
    requirements_path = code_uri / REQUIREMENTS_FILE
    if not requirements_path.is_file():
        return None
    content = requirements_path.read_bytes()
    if not content.strip():
        return None
    target = cache_dir / "deps" / requirements_key(content)
    if (target / _COMPLETE_MARKER).exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _install_lock, open(target.parent / f"{target.name}.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)  # another samlite process may be installing it too
        if (target / _COMPLETE_MARKER).exists():
            return target
        staging = Path(tempfile.mkdtemp(prefix=f"{target.name}.", dir=target.parent))
        try:
            _pip_install(requirements_path, staging, code_uri, function_id)
            (staging / _COMPLETE_MARKER).write_text(str(requirements_path))
            if target.exists():
                shutil.rmtree(target)
            staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _pip_install(requirements_path: Path, target: Path, cwd: Path, function_id: str) -> None:
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input",
        "--target", str(target), "-r", str(requirements_path),
    ]  # fmt: skip
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        output = (completed.stderr or completed.stdout).strip().splitlines()
        detail = "\n".join(output[-15:])
        raise DependencyInstallError(
            f"function {function_id}: pip could not install {requirements_path}:\n{detail}"
        )
