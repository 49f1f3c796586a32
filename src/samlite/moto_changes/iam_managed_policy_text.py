"""moto's bundled copy of the AWS managed policies is read from its file when used, not kept in memory.

`moto.iam.models` imports `aws_managed_policies_data`, one 4.5 MiB string of ~1,600 policies, and
keeps it for the life of the process: 6% of an idle `samlite start`, for a document that is read only
when moto's `iam.load_aws_managed_policies` setting is on (`IAMBackend._init_aws_policies`), when moto's
SSO Admin is imported, or when a template attaches an AWS managed policy (`samlite.iam.roles`, which
reads the policies it names). While this change is applied the string is dropped from both modules:
`_init_aws_policies` and the module's attribute (a module `__getattr__`) read the same text from
moto's own module file each time it is asked for, so every reader gets what moto ships.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from collections.abc import Callable
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target

_DATA_MODULE = "moto.iam.aws_managed_policies"
_NAME = "aws_managed_policies_data"


def policies_text() -> str:
    """The document, from moto's module file (its cached bytecode), without keeping it anywhere."""
    spec = importlib.util.find_spec(_DATA_MODULE)
    if spec is None or spec.loader is None:
        raise ImportError(f"moto has no {_DATA_MODULE}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(getattr(module, _NAME))


def _module_getattr(name: str) -> Any:
    if name == _NAME:
        return policies_text()
    raise AttributeError(f"module {_DATA_MODULE!r} has no attribute {name!r}")


def _reading_on_demand(original: Callable[[Any], list[Any]]) -> Callable[[Any], list[Any]]:
    @functools.wraps(original)
    def _init_aws_policies(self: Any) -> list[Any]:
        from moto.iam import models
        from moto.iam.models import AWSManagedPolicy
        from moto.settings import load_iam_aws_managed_policies

        if not load_iam_aws_managed_policies():
            return []
        if isinstance(models.__dict__.get(_NAME), str):  # not applied after all: moto's own code
            return original(self)
        return [
            AWSManagedPolicy.from_data(name, self.account_id, self.region_name, data)
            for name, data in json.loads(policies_text()).items()
        ]

    return _init_aws_policies


def _drop_text() -> None:
    import moto.iam.aws_managed_policies as data_module
    from moto.iam import models

    models.__dict__.pop(_NAME, None)
    data_module.__dict__.pop(_NAME, None)
    data_module.__getattr__ = _module_getattr  # type: ignore[attr-defined]


def _put_text_back() -> None:
    import moto.iam.aws_managed_policies as data_module
    from moto.iam import models

    text = policies_text()
    data_module.__dict__.pop("__getattr__", None)
    setattr(data_module, _NAME, text)
    setattr(models, _NAME, text)


CHANGE = MotoChange(
    name="iam-managed-policy-text-on-demand",
    reason="moto keeps its 4.5 MiB copy of the AWS managed policies in memory, read only on demand",
    patches=(Patch(Target("moto.iam.models:IAMBackend._init_aws_policies", "(self)"), _reading_on_demand),),
    on_apply=_drop_text,
    on_restore=_put_text_back,
)
