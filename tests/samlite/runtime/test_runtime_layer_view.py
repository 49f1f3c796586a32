"""A function's /opt as a merged folder of links, as Lambda merges its layers ("Adding layers to
functions": layers merge in the order listed, a later layer's file replacing an earlier one's)."""

from __future__ import annotations

from pathlib import Path

from samlite.runtime.layer_view import LayerSource, build_view, view_key


def _files(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_a_folder_one_layer_provides_is_one_link_and_stays_live(tmp_path: Path) -> None:
    layer = _files(tmp_path / "one", {"python/mod.py": "X = 1\n", "bin/tool": "#!/bin/sh\n"})
    view = build_view([LayerSource(layer)], tmp_path / "cache", (3, 12))
    assert (view.root / "python").resolve() == layer / "python"
    (layer / "python" / "added.py").write_text("")
    assert (view.root / "python" / "added.py").exists()  # no rebuild needed
    assert view.python_paths((3, 12)) == (view.root / "python",)
    assert view.bin_dir.resolve() == layer / "bin"


def test_later_layers_win_file_by_file_and_folders_merge(tmp_path: Path) -> None:
    first = _files(
        tmp_path / "first",
        {"python/shared.py": "'first'", "python/pkg/__init__.py": "", "python/pkg/a.py": "", "f.txt": "1"},
    )
    second = _files(tmp_path / "second", {"python/shared.py": "'second'", "python/pkg/b.py": ""})
    view = build_view([LayerSource(first), LayerSource(second)], tmp_path / "cache", (3, 12))
    python = view.root / "python"
    assert (python / "shared.py").read_text() == "'second'"
    assert sorted(path.name for path in (python / "pkg").iterdir()) == ["__init__.py", "a.py", "b.py"]
    assert (view.root / "f.txt").read_text() == "1"
    reversed_view = build_view([LayerSource(second), LayerSource(first)], tmp_path / "cache", (3, 12))
    assert (reversed_view.root / "python" / "shared.py").read_text() == "'first'"
    assert reversed_view.root != view.root  # another order is another /opt


def test_a_prefixed_source_sits_under_python(tmp_path: Path) -> None:
    built = _files(tmp_path / "src", {"util.py": "", "requirements.txt": "x\n"})
    packages = _files(tmp_path / "deps", {"dep/__init__.py": ""})
    site = _files(tmp_path / "site", {"python/lib/python3.12/site-packages/sitemod.py": ""})
    sources = [LayerSource(built, "python"), LayerSource(packages, "python"), LayerSource(site)]
    view = build_view(sources, tmp_path / "cache", (3, 12))
    assert (view.root / "python" / "util.py").exists() and (view.root / "python" / "dep").is_dir()
    site_packages = view.root / "python" / "lib" / "python3.12" / "site-packages"
    # Lambda's bootstrap: the layers' site-packages before their python/ folder.
    assert view.python_paths((3, 12)) == (site_packages, view.root / "python")
    assert view.python_paths((3, 13)) == (view.root / "python",)


def test_a_rebuild_replaces_the_view_at_the_same_path(tmp_path: Path) -> None:
    first = _files(tmp_path / "first", {"python/a.py": ""})
    second = _files(tmp_path / "second", {"python/b.py": ""})
    sources = [LayerSource(first), LayerSource(second)]
    cache = tmp_path / "cache"
    view = build_view(sources, cache, (3, 12))
    (first / "python" / "new.py").write_text("")
    assert not (view.root / "python" / "new.py").exists()  # a merged folder is a snapshot
    again = build_view(sources, cache, (3, 12))
    assert again.root == view.root and (view.root / "python" / "new.py").exists()
    builds = [path for path in (cache / "opt").iterdir() if not path.is_symlink()]
    assert len(builds) == 1  # the replaced build is gone
    assert view.root.name == view_key(sources, (3, 12))
