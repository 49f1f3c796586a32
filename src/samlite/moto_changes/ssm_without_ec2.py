"""moto's SSM is imported without moto's EC2, which it needs for two rare calls only.

`moto/ssm/models.py` starts with `from moto.ec2 import ec2_backends`, and importing `moto.ec2` takes
about 2.7 s and tens of MiB: a function's first `ssm:GetParameter` (what Powertools' parameters
utility does at cold start) waited that long, and so did `--persist`'s first save. moto uses EC2 only
to run a Command on instances and to check the AMI of an `aws:ec2:image` parameter.

So, on SSM's first use, `moto.ssm` and `moto.ssm.models` are imported with that one import answered by
`LazyEc2Backends`, which imports `moto.ec2` on its first use and hands on to moto's real
`ec2_backends`: what SSM does is unchanged, only when EC2 is loaded moves. The import is changed for
these two modules alone (through their own `__builtins__` while they execute), so nothing else in the
process sees a stand-in, whatever thread imports what. If moto already imported SSM (or a moto
release makes the stand-in fail), moto's own import runs. There is nothing to put back on restore: the
imported module behaves as moto's does.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import sys
import threading
import types
from typing import Any

from samlite.moto_changes.seam import MotoChange

PACKAGE = "moto.ssm"
MODELS = "moto.ssm.models"
_lock = threading.Lock()


class LazyEc2Backends:
    """Stands for `moto.ec2.ec2_backends` in moto's SSM models until it is first used."""

    @staticmethod
    def real() -> Any:
        return importlib.import_module("moto.ec2").ec2_backends

    def __getitem__(self, account_id: str) -> Any:
        return self.real()[account_id]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)

    def __iter__(self) -> Any:
        return iter(self.real())

    def __contains__(self, key: object) -> bool:
        return key in self.real()

    def __len__(self) -> int:
        return len(self.real())


_EC2 = types.SimpleNamespace(ec2_backends=LazyEc2Backends())


def _import(
    name: str,
    globals_: dict[str, Any] | None = None,
    locals_: Any = None,
    fromlist: Any = (),
    level: int = 0,
) -> Any:
    """`__import__` for moto's SSM modules while they execute: `moto.ec2` is the stand-in, and the
    package's `from .models import ...` loads the models the same way."""
    package = (globals_ or {}).get("__package__") or ""
    absolute = importlib.util.resolve_name("." * level + name, package) if level else name
    if absolute == "moto.ec2" and tuple(fromlist or ()) == ("ec2_backends",):
        return _EC2
    if absolute == MODELS and MODELS not in sys.modules:
        _load(MODELS)
    return builtins.__import__(name, globals_, locals_, fromlist, level)


def _load(name: str) -> types.ModuleType:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"moto has no module {name}")
    module = importlib.util.module_from_spec(spec)
    module.__dict__["__builtins__"] = {**vars(builtins), "__import__": _import}
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    finally:
        module.__dict__["__builtins__"] = builtins
    parent, _, child = name.rpartition(".")
    if parent in sys.modules:
        setattr(sys.modules[parent], child, module)
    return module


def import_ssm_without_ec2() -> None:
    """Import moto's SSM with EC2 deferred, unless moto's SSM (or EC2) is imported already."""
    with _lock:
        if PACKAGE in sys.modules or "moto.ec2" in sys.modules:
            return
        try:
            _load(PACKAGE)
        except Exception:  # a moto release moved what this relies on: moto's own import does it
            for name in (MODELS, PACKAGE):
                sys.modules.pop(name, None)


CHANGE = MotoChange(
    name="ssm-without-ec2",
    reason="moto's SSM imports moto's EC2 (2.7 s) for two rare calls; it is imported on EC2's first use",
    patches=(),
    service="ssm",
    on_apply=import_ssm_without_ec2,
)
