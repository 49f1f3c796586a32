"""Which functions a changed file recycles: their code and their layers' folders, never samlite's own."""

from __future__ import annotations

from pathlib import Path

from samlite.cloud.code_watch import CodeWatcher


def test_code_layers_and_ignored_folders(tmp_path: Path) -> None:
    project = tmp_path / "project"
    layer = tmp_path / "layers" / "shared"
    for folder in (project / ".samlite" / "logs", layer / "python", tmp_path / "cache"):
        folder.mkdir(parents=True)
    watcher = CodeWatcher(
        {"Here": project, "Layered": [tmp_path / "other", layer], "Both": [project, layer]},
        on_change=lambda logical_id, paths: None,
        ignore=[project / ".samlite", tmp_path / "cache"],
    )
    assert watcher.functions_of(project / "app.py") == ["Both", "Here"]
    assert watcher.functions_of(layer / "python" / "shared.py") == ["Both", "Layered"]
    assert watcher.functions_of(project / ".samlite" / "logs" / "Here.log") == []  # samlite's own writes
    assert watcher.functions_of(project / ".samlite") == []
    assert watcher.watched == sorted([project, layer])  # "other" does not exist; nothing ignored is watched
    ignored_root = CodeWatcher(
        {"Cached": tmp_path / "cache"}, on_change=lambda *_: None, ignore=[tmp_path / "cache"]
    )
    assert ignored_root.watched == []  # inline code lives in the cache: nothing to watch
