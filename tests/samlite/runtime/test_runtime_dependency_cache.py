"""The one dependency cache: installs of different content run in parallel, the same content once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from samlite.runtime import dependencies
from samlite.runtime.dependencies import Installed, install_packages, install_requirements_file


def _requirements(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "requirements.txt").write_text(text)
    return folder / "requirements.txt"


def test_different_requirements_install_at_the_same_time(monkeypatch, tmp_path: Path) -> None:
    both_inside = threading.Barrier(2, timeout=20)  # broken unless two pip runs overlap

    def fake_pip(request: Any, source: Path, target: Path, interpreter: Any) -> None:
        both_inside.wait()
        (target / "installed.txt").write_text(request.content.decode())

    monkeypatch.setattr(dependencies, "_pip_install", fake_pip)
    files = [_requirements(tmp_path / name, f"{name}==1.0\n") for name in ("alpha", "beta")]
    with ThreadPoolExecutor(2) as pool:
        results = list(
            pool.map(lambda path: install_requirements_file(path, tmp_path / "cache", label="Fn"), files)
        )
    assert all(isinstance(result, Installed) and result.installed_now for result in results)
    assert [(r.path / "installed.txt").read_text() for r in results if r] == ["alpha==1.0\n", "beta==1.0\n"]


def test_the_same_requirements_are_installed_once(monkeypatch, tmp_path: Path) -> None:
    calls: list[str] = []
    entered = threading.Event()
    release = threading.Event()

    def slow_pip(request: Any, source: Path, target: Path, interpreter: Any) -> None:
        calls.append(request.what)
        entered.set()
        assert release.wait(20)

    monkeypatch.setattr(dependencies, "_pip_install", slow_pip)
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(install_packages, ["tinydep==1.0"], tmp_path / "cache", label="A")
        assert entered.wait(20)
        second = pool.submit(install_packages, ["tinydep==1.0"], tmp_path / "cache", label="B")
        release.set()
        results = [first.result(), second.result()]
    assert calls == ["tinydep==1.0"]
    assert results[0].path == results[1].path
    assert [result.installed_now for result in results] == [True, False]
    assert not install_packages(["tinydep==1.0"], tmp_path / "cache", label="C").installed_now


def test_a_failed_install_leaves_nothing_behind(tmp_path: Path) -> None:
    with pytest.raises(dependencies.DependencyInstallError) as raised:
        install_packages(["--no-index", "samlite-no-such-package==1"], tmp_path / "cache", label="Fn")
    error = raised.value
    assert error.function_id == "Fn" and error.headline.startswith("function Fn: pip could not install ")
    assert "samlite-no-such-package" in error.output
    assert [path.name for path in (tmp_path / "cache" / "deps").iterdir() if path.is_dir()] == []
