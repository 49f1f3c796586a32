"""requirements.txt in CodeUri: installed once, offline here, into a cache keyed by the file's hash."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from samlite.runtime import DependencyInstallError, LambdaRuntime
from samlite.runtime.dependencies import ensure_requirements
from tests.samlite.runtime.runtime_specs import FUNCTIONS, make_spec
from tests.samlite.wheels import build_wheel


@pytest.fixture
def function_with_requirements(tmp_path: Path) -> Path:
    code = tmp_path / "uses_dependency"
    shutil.copytree(FUNCTIONS / "uses_dependency", code)
    (code / "wheels").mkdir()
    build_wheel(code / "wheels")
    (code / "requirements.txt").write_text("--no-index\n--find-links ./wheels\ntinydep==1.0\n")
    return code


def test_requirements_are_installed_once_and_put_on_the_path(
    function_with_requirements: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    spec = make_spec("app.handler", logical_id="UsesDep", code_uri=function_with_requirements)
    with LambdaRuntime(cache_dir=cache) as runtime:
        result = runtime.invoke(spec, b"{}")
    assert not result.failed, result.payload
    body = json.loads(result.payload)
    assert body["tinydep"] == "from tinydep 1.0"
    installed = list((cache / "deps").iterdir())
    [target] = [path for path in installed if path.is_dir()]
    assert body["file"].startswith(str(target))
    marker = target / ".samlite-complete"
    stamp = marker.stat().st_mtime_ns
    # A second runtime (another samlite run) finds the cache and does not run pip again.
    assert ensure_requirements(function_with_requirements, cache, function_id="UsesDep") == target
    assert marker.stat().st_mtime_ns == stamp


def test_changed_requirements_get_a_new_cache_entry(function_with_requirements: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = ensure_requirements(function_with_requirements, cache, function_id="UsesDep")
    (function_with_requirements / "requirements.txt").write_text(
        "--no-index\n--find-links ./wheels\ntinydep>=1.0\n"
    )
    second = ensure_requirements(function_with_requirements, cache, function_id="UsesDep")
    assert first is not None and second is not None and first != second


def test_no_requirements_means_no_dependency_directory(tmp_path: Path) -> None:
    assert ensure_requirements(FUNCTIONS / "echo", tmp_path, function_id="Echo") is None


def test_pip_failure_names_the_function_and_the_file(tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "requirements.txt").write_text("--no-index\nsamlite-package-that-does-not-exist==9.9\n")
    with pytest.raises(
        DependencyInstallError, match=r"function Broken: pip could not install .*requirements\.txt"
    ):
        ensure_requirements(code, tmp_path / "cache", function_id="Broken")
    assert not [path for path in (tmp_path / "cache" / "deps").iterdir() if path.is_dir()]
