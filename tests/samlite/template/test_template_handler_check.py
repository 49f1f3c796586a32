"""A handler that cannot be loaded is reported when the cloud starts, not when the first event arrives.

Lambda Developer Guide, "Lambda function errors in Python": what awslambdaric cannot load it reports on
invoke as Runtime.ImportModuleError (no such module), Runtime.UserCodeSyntaxError or
Runtime.HandlerNotFound (no such function in the module). The check reads files only; none of the
function's code runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from samlite.errors import TemplateError
from samlite.model import FunctionSpec
from samlite.template.handler_check import check_handler


def _spec(code: Path, handler: str) -> FunctionSpec:
    return FunctionSpec(
        logical_id="Fn", function_name="fn", handler=handler, runtime="python3.12", code_uri=code
    )


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.mark.parametrize(
    ("files", "handler"),
    [
        ({"app.py": "def handler(e, c):\n    return e\n"}, "app.handler"),
        ({"app.py": "async def handler(e, c):\n    return e\n"}, "app.handler"),
        ({"pkg/__init__.py": "", "pkg/api.py": "def handle(e, c): ...\n"}, "pkg.api.handle"),
        ({"pkg/__init__.py": "", "pkg/api.py": "def handle(e, c): ...\n"}, "pkg/api.handle"),
        ({"ns/mod.py": "def handle(e, c): ...\n"}, "ns.mod.handle"),  # a namespace package
        (
            {"pkg/__init__.py": "from pkg.impl import handle\n", "pkg/impl.py": "def handle(e, c): ...\n"},
            "pkg.handle",
        ),
        ({"app.py": "import json as handler\n"}, "app.handler"),
        ({"app.py": "from functools import partial\nhandler = partial(print)\n"}, "app.handler"),
        (
            {"app.py": "try:\n    import ujson\nexcept ImportError:\n    def handler(e, c): ...\n"},
            "app.handler",
        ),
        ({"app.py": "from helpers import *\n"}, "app.handler"),  # cannot be read: not judged
        ({"app.py": "def __getattr__(name):\n    return print\n"}, "app.handler"),
        ({"app.py": "globals()['handler'] = print\n"}, "app.handler"),
        ({"app.py": "class handler:\n    def __init__(self, e, c): ...\n"}, "app.handler"),
        ({"requirements.txt": "some-package\n"}, "some_package.handler"),  # installed on first use
    ],
    ids=[
        "function",
        "async",
        "dotted",
        "slashed",
        "namespace",
        "re-exported",
        "import-as",
        "assigned",
        "in-try",
        "star-import",
        "module-getattr",
        "globals",
        "class",
        "from-requirements",
    ],
)
def test_loadable_handlers_pass(tmp_path: Path, files: dict[str, str], handler: str) -> None:
    check_handler(_spec(_write(tmp_path, files), handler))


@pytest.mark.parametrize(
    ("files", "handler", "message"),
    [
        ({"app.py": "def handler(e, c): ...\n"}, "missing.handler", "module 'missing' not found in CodeUri"),
        ({"app.py": "def handler(e, c): ...\n"}, "app.sub.handler", "module 'app.sub' not found"),
        ({"app.py": "def handler(e, c)\n    return 1\n"}, "app.handler", "has a syntax error at line 1"),
        ({"app.py": "def other(e, c): ...\n"}, "app.handler", "defines no 'handler' at its top level"),
        ({"app.py": "def outer():\n    def handler(e, c): ...\n"}, "app.handler", "defines no 'handler'"),
        ({"app.py": ""}, "sys.handler", "module 'sys' is a built-in module"),
    ],
    ids=["no-module", "no-submodule", "syntax-error", "no-function", "nested-only", "builtin"],
)
def test_handlers_that_cannot_load_are_refused(
    tmp_path: Path, files: dict[str, str], handler: str, message: str
) -> None:
    with pytest.raises(TemplateError) as raised:
        check_handler(_spec(_write(tmp_path, files), handler))
    assert str(raised.value).startswith("Resource 'Fn' property 'Handler': ")
    assert message in str(raised.value)


def test_a_code_uri_that_is_not_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"Resource 'Fn' property 'CodeUri': .* is not a directory"):
        check_handler(_spec(tmp_path / "absent", "app.handler"))
