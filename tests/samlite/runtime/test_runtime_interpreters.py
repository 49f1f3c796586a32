"""Each function runs under the Python its Runtime declares, when this machine has it.

Lambda runs `python3.13` functions on Python 3.13 ("Lambda runtimes", supported runtimes); code that
only breaks there (a module removed in 3.13, such as `cgi`) must break locally too. An interpreter
other than samlite's gets awslambdaric installed for it from PyPI, in the dependency cache.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from samlite.errors import ConfigError
from samlite.runtime import LambdaRuntime
from samlite.runtime.interpreters import InterpreterChooser, machine_architecture, probe
from tests.samlite.runtime.runtime_specs import make_spec

OWN = f"python{sys.version_info.major}.{sys.version_info.minor}"
REPORT = """\
import os, sys

def handler(event, context):
    import awslambdaric
    return {
        "executable": sys.executable,
        "version": list(sys.version_info[:2]),
        "ric": awslambdaric.__file__,
        "ric_real": os.path.realpath(awslambdaric.__file__),
    }
"""


def _script(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def test_the_own_interpreter_serves_its_own_version() -> None:
    choice = InterpreterChooser().choose(OWN)
    assert choice.interpreter.own and choice.note is None


def test_a_missing_version_runs_on_samlites_python_with_one_line(monkeypatch, tmp_path: Path) -> None:
    # A pyenv shim for a version that is not selected exists on PATH but fails to run: it is skipped.
    _script(tmp_path / "bin", "python3.97", "echo 'pyenv: python3.97: command not found' >&2; exit 127")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    choice = InterpreterChooser().choose("python3.97")
    assert choice.interpreter.own
    assert choice.note_for("Fn", "python3.97") == (
        "Function 'Fn' declares Runtime python3.97; this machine has no python3.97 (on PATH, or given with "
        f"--python python3.97=PATH), so it runs on Python {OWN[6:]} instead"
    )


def test_the_declared_version_is_found_on_path(monkeypatch, tmp_path: Path) -> None:
    # The probe asks the interpreter its version: this stand-in answers 3.98 (and has no pip).
    _script(tmp_path / "bin", "python3.98", "echo 3 98 False")
    _script(tmp_path / "bin", "python3.96", f'exec "{sys.executable}" "$@"')  # really samlite's version
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    chooser = InterpreterChooser()
    found = chooser.choose("python3.98")
    assert found.interpreter.executable == tmp_path / "bin" / "python3.98"
    assert found.interpreter.version == (3, 98) and not found.interpreter.has_pip and found.note is None
    assert chooser.choose("python3.96").interpreter.own  # a python3.96 that is not 3.96 is not used


def test_an_interpreter_given_for_a_runtime(tmp_path: Path) -> None:
    given = _script(tmp_path / "bin", "py", f'exec "{sys.executable}" "$@"')
    choice = InterpreterChooser({"python3.12": given}).choose("python3.12")
    assert choice.interpreter.executable == given and not choice.interpreter.own
    if OWN != "python3.12":
        assert choice.note == (
            f"it runs on Python {OWN[6:]} instead ({given}, given by --python python3.12=...)"
        )
    with pytest.raises(ConfigError, match=r"--python python3.12=/nonexistent/python: .* does not run"):
        InterpreterChooser({"python3.12": Path("/nonexistent/python")}).choose("python3.12")
    with pytest.raises(ConfigError, match=r"--python python3.12=no-such-python-here: no no-such-python-here"):
        InterpreterChooser({"python3.12": Path("no-such-python-here")}).choose("python3.12")


def test_the_architecture_line(tmp_path: Path) -> None:
    other = "arm64" if machine_architecture() == "x86_64" else "x86_64"
    spec = make_spec("app.echo", logical_id="Arm", architectures=(other,))
    with LambdaRuntime(cache_dir=tmp_path / "cache") as runtime:
        notes = runtime.prepare(spec).notes
    assert (
        f"Function 'Arm' declares Architectures [{other}]; this machine is {machine_architecture()}"
        in notes[-1]
    )


@pytest.fixture(scope="module")
def other_interpreter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An interpreter that is not samlite's own (a venv without pip of the same Python): what the
    machine has when it has only one Python. It takes samlite's other-interpreter path all the same."""
    folder = tmp_path_factory.mktemp("other-python")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder / "venv")], check=True)
    return folder / "venv" / "bin" / "python"


def test_a_function_runs_under_the_interpreter_given_for_its_runtime(
    other_interpreter: Path, tmp_path: Path
) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text(REPORT)
    spec = make_spec("app.handler", logical_id="Pinned", code_uri=code, runtime="python3.12")
    cache = tmp_path / "cache"
    with LambdaRuntime(cache_dir=cache, pythons={"python3.12": other_interpreter}) as runtime:
        preparation = runtime.prepare(spec)
        first = runtime.invoke(spec, b"{}")
        warm = runtime.invoke(spec, b"{}")
    assert not first.failed, first.payload
    body = json.loads(first.payload)
    assert body["executable"] == str(other_interpreter)
    assert f"runtime-python{OWN[6:]}-" in body["ric"]  # its own runtime directory, not samlite's
    assert Path(body["ric_real"]).is_relative_to(cache / "deps")  # awslambdaric installed for it
    [(what, installed)] = preparation.installs
    assert what == f"awslambdaric for Python {OWN[6:]}" and installed.installed_now
    if OWN != "python3.12":
        assert preparation.notes == (
            f"Function 'Pinned' declares Runtime python3.12; it runs on Python {OWN[6:]} instead "
            f"({other_interpreter}, given by --python python3.12=...)",
        )
    assert warm.init_duration_ms is None  # warm workers of that interpreter are reused
    with LambdaRuntime(cache_dir=cache, pythons={"python3.12": other_interpreter}) as again:
        assert not again.prepare(spec).installed_now  # the runtime client is cached across runs


def _real_interpreters() -> dict[str, Path]:
    """Pythons of other versions than samlite's on this machine (PATH, pyenv), by runtime."""
    found: dict[str, Path] = {}
    candidates = [shutil.which(f"python3.{minor}") for minor in range(9, 15)]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python3.*[0-9]")))
    for candidate in candidates:
        interpreter = probe(Path(candidate)) if candidate else None
        if interpreter is not None and interpreter.label != OWN:
            found.setdefault(interpreter.label, interpreter.executable)
    return found


REAL = _real_interpreters()


@pytest.mark.skipif("python3.13" not in REAL, reason="no Python 3.13 on this machine")
def test_code_that_breaks_on_the_declared_runtime_breaks_locally(tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text("def handler(event, context):\n    import cgi\n    return 'ok'\n")
    spec = make_spec("app.handler", logical_id="Cgi", code_uri=code, runtime="python3.13")
    with LambdaRuntime(cache_dir=tmp_path / "cache", pythons={"python3.13": REAL["python3.13"]}) as runtime:
        assert runtime.prepare(spec).notes == ()
        result = runtime.invoke(spec, b"{}")
    assert result.error_type == "ModuleNotFoundError", result.payload  # cgi was removed in 3.13


@pytest.mark.skipif(not REAL, reason="no Python of another version on this machine")
def test_a_real_interpreter_of_another_version(tmp_path: Path) -> None:
    runtime_name, executable = next(iter(sorted(REAL.items())))
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text(REPORT)
    spec = make_spec("app.handler", logical_id="Real", code_uri=code, runtime=runtime_name)
    with LambdaRuntime(cache_dir=tmp_path / "cache", pythons={runtime_name: executable}) as runtime:
        result = runtime.invoke(spec, b"{}")
    assert not result.failed, result.payload
    assert "python" + ".".join(map(str, json.loads(result.payload)["version"])) == runtime_name


def test_what_the_search_on_path_found_is_remembered_across_processes(monkeypatch, tmp_path: Path) -> None:
    """Probing a pyenv shim takes about half a second at every start: its answer is kept in the cache."""
    from samlite.runtime import interpreters

    runs = tmp_path / "runs.txt"
    _script(tmp_path / "bin", "python3.95", f"echo run >> {runs}; exit 127")
    _script(tmp_path / "bin", "python3.94", f"echo run >> {runs}.ok; echo 3 94 True")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    cache = tmp_path / "cache"
    for _ in range(2):  # two "processes": the in-process memory is dropped in between
        monkeypatch.setattr(interpreters, "_probes", {})
        chooser = InterpreterChooser(cache_dir=cache)
        assert chooser.choose("python3.95").interpreter.own
        assert chooser.choose("python3.94").interpreter.version == (3, 94)
    assert runs.read_text() == "run\n" and Path(f"{runs}.ok").read_text() == "run\n"
    remembered = json.loads((cache / "interpreters.json").read_text())
    assert remembered[str(tmp_path / "bin" / "python3.95")]["version"] is None
    stale = {
        **remembered,
        str(tmp_path / "bin" / "python3.95"): {
            **remembered[str(tmp_path / "bin" / "python3.95")],
            "checked": 0,
        },
    }
    (cache / "interpreters.json").write_text(json.dumps(stale))
    monkeypatch.setattr(interpreters, "_probes", {})
    InterpreterChooser(cache_dir=cache).choose("python3.95")
    assert runs.read_text() == "run\nrun\n"  # "not an interpreter" is trusted for a day only
