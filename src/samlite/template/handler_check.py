"""Whether each function's handler can be loaded from its code, checked before the cloud starts.

Lambda's Python runtime (awslambdaric's bootstrap) loads `Handler: module.function` by importing the
module from the function's code (`LAMBDA_TASK_ROOT`, then its packaged dependencies) and reading the
function from it; what it cannot load it reports on the first invocation as
`Runtime.ImportModuleError`, `Runtime.UserCodeSyntaxError` or `Runtime.HandlerNotFound` ("Lambda
function errors in Python", Lambda Developer Guide). Locally that is too late: a typo in a handler
would only show when the first event arrives, long after `samlite ready`. So `samlite start` checks,
without running any of the function's code:
- the module file exists under CodeUri (as a module or package, dotted or slashed);
- it parses (a syntax error can never import);
- it defines the function at its top level, when that can be seen without running it (a module with
  a star import, a module `__getattr__` or `globals()` tricks is given the benefit of the doubt).
A module found only among the function's requirements (requirements.txt) or in one of its layers is
not judged either. A module that fails while it runs (an exception at import) is Lambda's init error,
reported on the first invocation as on Lambda.
"""

from __future__ import annotations

import ast
import importlib.machinery
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from samlite.model import FunctionSpec
from samlite.template.locations import Location

_DYNAMIC = frozenset({"globals", "setattr", "exec", "vars", "__getattr__"})


def check_handlers(functions: Iterable[FunctionSpec]) -> None:
    """TemplateError for the first function whose handler cannot be loaded from its code."""
    for spec in functions:
        check_handler(spec)


def check_handler(spec: FunctionSpec) -> None:
    loc = Location("Resource", spec.logical_id, ("Handler",))
    code = Path(spec.code_uri)
    if not code.is_dir():
        raise Location("Resource", spec.logical_id, ("CodeUri",)).error(f"{code} is not a directory")
    module, _, function = spec.handler.rpartition(".")
    dotted = module.replace("/", ".")
    if dotted.split(".")[0] in sys.builtin_module_names:
        raise loc.error(f"module {module!r} is a built-in module of Python: rename the handler's module")
    source = _module_source(dotted, code)
    if source is None:
        if (code / "requirements.txt").is_file() or spec.layers:
            return  # it may come with the requirements or a layer's python/, both on the path at run time
        raise loc.error(f"module {module!r} not found in CodeUri {code} (Lambda: Runtime.ImportModuleError)")
    if source.suffix != ".py":
        return  # compiled or a namespace package: nothing to read
    try:
        tree = ast.parse(source.read_bytes(), filename=str(source))
    except SyntaxError as error:
        raise loc.error(
            f"module {module!r} ({source}) has a syntax error at line {error.lineno}: {error.msg} "
            "(Lambda: Runtime.UserCodeSyntaxError)"
        ) from None
    except (OSError, ValueError) as error:
        raise loc.error(f"module {module!r} ({source}) cannot be read: {error}") from None
    if not _may_define(tree, function):
        raise loc.error(
            f"module {module!r} ({source}) defines no {function!r} at its top level "
            "(Lambda: Runtime.HandlerNotFound)"
        )


def _module_source(dotted: str, code: Path) -> Path | None:
    """The file (or namespace package directory) `import dotted` finds with only `code` on the path."""
    parts = dotted.split(".")
    search = [str(code)]
    for index, part in enumerate(parts):
        spec = importlib.machinery.PathFinder.find_spec(part, search)
        if spec is None:
            return None
        locations = spec.submodule_search_locations
        if index == len(parts) - 1:
            if spec.has_location and spec.origin:
                return Path(spec.origin)
            return Path(next(iter(locations))) if locations else None
        if locations is None:  # a plain module has no submodules
            return None
        search = list(locations)
    return None


def _may_define(tree: ast.Module, name: str) -> bool:
    """True when the module's top level binds `name`, or binds names in ways that cannot be read."""
    return any(_binds(node, name) for node in _top_level(tree.body)) or any(
        isinstance(node, ast.Name) and node.id in _DYNAMIC for node in ast.walk(tree)
    )


def _binds(node: ast.stmt, name: str) -> bool:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.name in (name, "__getattr__")
    if isinstance(node, ast.Import | ast.ImportFrom):
        return any(
            alias.name == "*" or (alias.asname or alias.name.split(".")[0]) == name for alias in node.names
        )
    return name in _bound_names(node)


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements run at import: the module body and the blocks of its if / try / with / for."""
    for node in body:
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue  # their bodies run later, or bind names elsewhere
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(node, field, None)
            if isinstance(inner, list):
                yield from _top_level(inner)
        for handler in getattr(node, "handlers", []) or []:
            yield from _top_level(handler.body)


def _bound_names(node: ast.stmt) -> set[str]:
    targets: list[ast.AST] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.For):
        targets = [node.target]
    elif isinstance(node, ast.With):
        targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
    return {sub.id for target in targets for sub in ast.walk(target) if isinstance(sub, ast.Name)}
