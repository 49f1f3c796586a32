"""The environment variables of a worker, as Lambda defines them for a Python function.

Source: AWS Lambda developer guide, "Defined runtime environment variables". The worker does not
inherit samlite's environment: a stray `AWS_PROFILE` or `HOME/.aws` would let a function reach real
AWS with the developer's credentials, which on Lambda it could never do. Only PATH and the locale
are carried over, so subprocesses and text encodings behave.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from samlite.model import FunctionSpec

DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "samlite", "AWS_SECRET_ACCESS_KEY": "samlite"}
_INHERITED = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "SYSTEMROOT")
_CREDENTIAL_KEYS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def log_stream_name(now: dt.datetime | None = None, version: str = "$LATEST") -> str:
    """`YYYY/MM/DD/[$LATEST]<32 hex>` (`[1]` for version 1): one log stream per execution environment,
    as on Lambda."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y/%m/%d}/[{version}]{secrets.token_hex(16)}"


@dataclass(frozen=True)
class WorkerPaths:
    """Where a worker's code, dependencies, layers and runtime live on this machine.

    The Python path is Lambda's order: the deployment package (CodeUri, and its requirements, which
    `sam build` installs into the package), then the layers' `python/lib/python3.x/site-packages` and
    `python/` (merged in `opt_dir`, see layer_view), then the runtime's own packages.
    """

    task_root: Path
    dependencies: Path | None
    runtime_dir: Path
    debug_dir: Path | None = None
    layer_paths: tuple[Path, ...] = ()
    opt_dir: Path | None = None

    def python_path(self) -> str:
        entries = [self.task_root, self.dependencies, *self.layer_paths, self.runtime_dir, self.debug_dir]
        return os.pathsep.join(str(entry) for entry in entries if entry is not None)

    @property
    def own_path(self) -> list[str]:
        """The function's own part of the path (code, requirements, layers), which wins over the runtime's."""
        entries = [self.task_root, self.dependencies, *self.layer_paths]
        return [str(entry) for entry in entries if entry is not None]

    def search_paths(self) -> dict[str, str]:
        """PATH and LD_LIBRARY_PATH with the places Lambda adds ("Defined runtime environment
        variables"): the task root and its lib/ for libraries, and /opt/bin, /opt/lib of the layers."""
        path = os.environ.get("PATH", os.defpath)
        libraries = [str(self.task_root), str(self.task_root / "lib")]
        if self.opt_dir is not None:
            path = f"{path}{os.pathsep}{self.opt_dir / 'bin'}"
            libraries.append(str(self.opt_dir / "lib"))
        return {"PATH": path, "LD_LIBRARY_PATH": os.pathsep.join(libraries)}


def build_environment(
    spec: FunctionSpec,
    *,
    paths: WorkerPaths,
    runtime_api: str,
    telemetry_fd: int,
    region: str,
    endpoint_url: str | None,
    credentials: Mapping[str, str],
    stream_name: str,
) -> dict[str, str]:
    """Everything the worker process sees in `os.environ`."""
    env = {key: os.environ[key] for key in _INHERITED if key in os.environ}
    env.update(paths.search_paths())
    env.update({str(key): str(value) for key, value in spec.environment.items()})
    if endpoint_url and "AWS_ENDPOINT_URL" not in env:
        env["AWS_ENDPOINT_URL"] = endpoint_url
        # The SDKs put a host prefix before some operations' endpoint ("sync-" for Step Functions'
        # StartSyncExecution): on a local endpoint that is a host name that does not resolve.
        env.setdefault("AWS_DISABLE_HOST_PREFIX_INJECTION", "true")
    # Reserved variables: Lambda does not let a template override these.
    env.update(
        {
            "_HANDLER": spec.handler,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
            "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(spec.timeout),
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.function_name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": stream_name,
            "AWS_LAMBDA_LOG_FORMAT": spec.log_format,
            "AWS_LAMBDA_RUNTIME_API": runtime_api,
            "LAMBDA_TASK_ROOT": str(paths.task_root),
            "LAMBDA_RUNTIME_DIR": str(paths.runtime_dir),
            "PYTHONPATH": paths.python_path(),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "TZ": ":UTC",
            "_LAMBDA_TELEMETRY_LOG_FD": str(telemetry_fd),
        }
    )
    if spec.log_format.upper() == "JSON" and spec.application_log_level:
        env["AWS_LAMBDA_LOG_LEVEL"] = spec.application_log_level.upper()
    for key in _CREDENTIAL_KEYS:
        env.pop(key, None)
    env.update({key: str(value) for key, value in credentials.items()})
    if "AWS_ACCESS_KEY_ID" in env:
        env["AWS_ACCESS_KEY"] = env["AWS_ACCESS_KEY_ID"]  # Lambda sets both names
    if sys.platform == "darwin":
        env.setdefault("OBJC_DISABLE_INITIALIZE_FORK_SAFETY", "YES")
    return env
