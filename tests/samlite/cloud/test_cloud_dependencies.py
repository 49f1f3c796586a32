"""Dependencies before ready: every function prepared at start, in parallel, cached, pip's errors in one
block naming the function."""

from __future__ import annotations

from pathlib import Path

import pytest

from samlite.cloud.dependencies import prepare_functions
from samlite.runtime import DependencyInstallError, LambdaRuntime
from tests.samlite.runtime.runtime_specs import make_spec
from tests.samlite.wheels import build_wheel


def _function(tmp_path: Path, name: str, requirements: str | None) -> Path:
    code = tmp_path / name
    code.mkdir()
    (code / "app.py").write_text(
        "def handler(event, context):\n    import tinydep\n    return tinydep.VALUE\n"
    )
    if requirements is not None:
        (code / "wheels").mkdir()
        build_wheel(code / "wheels", version="1.0")
        (code / "requirements.txt").write_text(requirements)
    return code


def test_each_function_is_ready_before_its_first_invocation(tmp_path: Path) -> None:
    wheels = "--no-index\n--find-links ./wheels\n"
    specs = [
        make_spec(
            "app.handler", logical_id="One", code_uri=_function(tmp_path, "one", f"{wheels}tinydep==1.0\n")
        ),
        make_spec("app.handler", logical_id="Two", code_uri=_function(tmp_path, "two", f"{wheels}tinydep\n")),
        make_spec("app.handler", logical_id="Plain", code_uri=_function(tmp_path, "plain", None)),
    ]
    lines: list[str] = []
    cache = tmp_path / "cache"
    with LambdaRuntime(cache_dir=cache) as runtime:
        prepare_functions(runtime, specs, lines.append)
        # Prepared: the first invocation runs at once, pip is not started again.
        (tmp_path / "one" / "wheels" / "tinydep-1.0-py3-none-any.whl").unlink()
        assert runtime.invoke(specs[0], b"{}").payload == b'"from tinydep 1.0"'
    assert lines[0] == "getting dependencies ready for One, Two (pip runs for what is not cached yet)"
    ready = sorted(line for line in lines if ": dependencies ready in " in line)
    assert [line.split(":")[0] for line in ready] == ["One", "Two"]  # one line per function with any
    assert all("installed requirements.txt" in line for line in ready)
    again: list[str] = []
    with LambdaRuntime(cache_dir=cache) as runtime:
        prepare_functions(runtime, specs[1:2], again.append)
    assert (
        again[-1].startswith("Two: dependencies ready in ")
        and "from the cache: requirements.txt" in again[-1]
    )


def test_pip_failures_are_one_error_with_a_block_per_function(tmp_path: Path) -> None:
    specs = [
        make_spec("app.handler", logical_id=name, code_uri=_function(tmp_path, name.lower(), text))
        for name, text in (
            ("Good", "--no-index\n--find-links ./wheels\ntinydep==1.0\n"),
            ("BadA", "--no-index\nsamlite-missing-a==1\n"),
            ("BadB", "--no-index\nsamlite-missing-b==1\n"),
        )
    ]
    lines: list[str] = []
    with (
        LambdaRuntime(cache_dir=tmp_path / "cache") as runtime,
        pytest.raises(DependencyInstallError) as raised,
    ):
        prepare_functions(runtime, specs, lines.append)
    error = raised.value
    assert error.headline == "pip could not install the dependencies of functions BadA, BadB"
    blocks = error.output.split("--- ")[1:]
    assert [block.split(":")[0] for block in blocks] == ["function BadA", "function BadB"]
    assert "samlite-missing-a" in blocks[0] and "samlite-missing-b" in blocks[1]
    assert any(line.startswith("Good: dependencies ready") for line in lines)  # the others still ran
