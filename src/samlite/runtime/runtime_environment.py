"""What Lambda's Python runtime ships (awslambdaric, boto3), for each interpreter functions run on.

samlite's own interpreter reuses samlite's installed packages (`sandbox_path.build_runtime_dir`). Any
other interpreter (a function declaring python3.13 on a machine where samlite runs on 3.11) needs the
runtime interface client built for it: `awslambdaric` at samlite's own version is installed from PyPI
for that interpreter into the dependency cache (once per Python version), and linked into its
runtime directory together with samlite's boto3 and its requirements, which are pure Python and
work on any Python 3 that boto3 supports.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from samlite.runtime.dependencies import Installed, install_packages
from samlite.runtime.fork_server import ForkServer
from samlite.runtime.interpreters import Interpreter
from samlite.runtime.sandbox_path import RUNTIME_DISTRIBUTIONS, build_runtime_dir

RUNTIME_CLIENT = "awslambdaric"
SDK_DISTRIBUTIONS = ("boto3",)


@dataclass
class RuntimeEnvironment:
    """An interpreter with its runtime directory and the fork server that starts its workers."""

    interpreter: Interpreter
    runtime_dir: Path
    fork_server: ForkServer | None
    installed: Installed | None = None  # the runtime client's install, for another interpreter


def build_environment(
    interpreter: Interpreter, scratch: Path, cache_dir: Path, *, label: str, fork: bool
) -> RuntimeEnvironment:
    """The runtime environment of `interpreter`; pip may run (DependencyInstallError names `label`)."""
    if interpreter.own:
        runtime_dir = build_runtime_dir(scratch / "runtime", RUNTIME_DISTRIBUTIONS)
        return RuntimeEnvironment(interpreter, runtime_dir, ForkServer(runtime_dir) if fork else None)
    version = metadata.version(RUNTIME_CLIENT)
    installed = install_packages(
        [f"{RUNTIME_CLIENT}=={version}"],
        cache_dir,
        label=label,
        interpreter=interpreter,
        what=f"{RUNTIME_CLIENT} {version} (the Lambda runtime interface client)",
    )
    key = hashlib.sha256(str(interpreter.executable).encode()).hexdigest()[:12]
    runtime_dir = scratch / f"runtime-{interpreter.label}-{key}"
    runtime_dir.mkdir(parents=True, exist_ok=True)
    for entry in installed.path.iterdir():
        if entry.name.startswith(".") or entry.name in {"bin", "__pycache__"}:
            continue
        link = runtime_dir / entry.name
        if not link.exists():
            link.symlink_to(entry, target_is_directory=entry.is_dir())
    build_runtime_dir(runtime_dir, SDK_DISTRIBUTIONS)
    fork_server = ForkServer(runtime_dir, executable=interpreter.executable) if fork else None
    return RuntimeEnvironment(interpreter, runtime_dir, fork_server, installed)
