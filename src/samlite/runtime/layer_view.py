"""A function's `/opt`: its layers merged in order, as a folder of symbolic links in samlite's cache.

Lambda "merges the layer content into the execution environment" in the order the function lists its
layers ("Adding layers to functions"): each .zip is extracted into /opt, so a later layer's file
replaces an earlier layer's file at the same path, and folders of the same name merge. samlite never
writes to the real /opt. It builds the same merged tree out of symbolic links: a folder only one
layer provides is one link to that layer's folder (edits and new files in it are live), folders
several layers provide are merged file by file, the later layer winning. The worker then sees its
layers where Lambda's runtime looks for them ("Layer paths for each Lambda runtime", in "Packaging
your layer content"): `python/lib/python3.x/site-packages` and `python/` on `sys.path`, `bin/` on
PATH, `lib/` on LD_LIBRARY_PATH. Code that opens `/opt/...` by its absolute path does not see them.

The view is rebuilt when a function's workers are (re)started, and replaced atomically (the stable
path is a link to the current build), so a worker never sees half a view.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

VIEWS_FOLDER = "opt"

# A node of the merged tree: a real path, or a folder made of named nodes (a prefix such as python/).
Node = Path | Mapping[str, "Node"]


@dataclass(frozen=True)
class LayerSource:
    """One folder of one layer, appearing in /opt at `prefix` ("" for /opt itself, "python")."""

    folder: Path
    prefix: str = ""

    def as_node(self) -> Node:
        node: Node = self.folder
        for part in reversed([part for part in self.prefix.split("/") if part]):
            node = {part: node}
        return node


@dataclass(frozen=True)
class OptView:
    """The merged /opt of one set of layers, and the paths a worker gets from it."""

    root: Path

    def python_paths(self, version: tuple[int, int]) -> tuple[Path, ...]:
        """Lambda's order: the layers' site-packages before their python/ folder, after the task root."""
        site = self.root / "python" / "lib" / f"python{version[0]}.{version[1]}" / "site-packages"
        return tuple(path for path in (site, self.root / "python") if path.is_dir())

    @property
    def bin_dir(self) -> Path:
        return self.root / "bin"

    @property
    def lib_dir(self) -> Path:
        return self.root / "lib"


def view_key(sources: Sequence[LayerSource], version: tuple[int, int]) -> str:
    text = "\0".join(f"{source.prefix}={source.folder.resolve()}" for source in sources)
    return hashlib.sha256(f"{text}\0python{version[0]}.{version[1]}".encode()).hexdigest()[:24]


def build_view(sources: Sequence[LayerSource], cache_dir: Path, version: tuple[int, int]) -> OptView:
    """(Re)build the merged /opt of `sources` (in layer order, later winning) and return it."""
    views = cache_dir / VIEWS_FOLDER
    views.mkdir(parents=True, exist_ok=True)
    stable = views / view_key(sources, version)
    build = Path(tempfile.mkdtemp(prefix=f"{stable.name}.", dir=views))
    _merge(build, [source.as_node() for source in sources])
    link = views / f".{build.name}.link"
    link.symlink_to(build.name, target_is_directory=True)
    previous = os.readlink(stable) if stable.is_symlink() else None
    os.replace(link, stable)  # atomic: a worker starting now sees the old view or the new one
    if previous is not None and previous != build.name:
        shutil.rmtree(views / previous, ignore_errors=True)
    return OptView(stable)


def _children(node: Node) -> dict[str, Node]:
    if isinstance(node, Mapping):
        return dict(node)
    with contextlib.suppress(OSError):
        return {entry.name: entry for entry in node.iterdir()}
    return {}


def _is_folder(node: Node) -> bool:
    return isinstance(node, Mapping) or node.is_dir()


def _merge(target: Path, nodes: Sequence[Node]) -> None:
    """Fill the existing folder `target` with the merged children of `nodes` (later nodes win)."""
    names: dict[str, list[Node]] = {}
    for node in nodes:
        for name, child in _children(node).items():
            names.setdefault(name, []).append(child)
    for name, candidates in names.items():
        _place(target / name, candidates)


def _place(path: Path, candidates: Sequence[Node]) -> None:
    last = candidates[-1]
    if not _is_folder(last):
        path.symlink_to(last)  # a file: the last layer that has it wins, as when extracting in order
        return
    # A folder: the layers providing it since the last one that had a file there are merged.
    folders: list[Node] = []
    for candidate in reversed(candidates):
        if not _is_folder(candidate):
            break
        folders.insert(0, candidate)
    if len(folders) == 1 and isinstance(folders[0], Path):
        path.symlink_to(folders[0], target_is_directory=True)
        return
    path.mkdir()
    _merge(path, folders)
