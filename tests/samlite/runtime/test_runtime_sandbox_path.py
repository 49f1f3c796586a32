"""The worker's runtime directory names each distribution's top-level entries as its installed files
list them, whether read from the wheel's RECORD directly or through `importlib.metadata`."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from samlite.runtime import sandbox_path
from samlite.runtime.sandbox_path import RUNTIME_DISTRIBUTIONS, build_runtime_dir


def _through_metadata(dist: metadata.Distribution) -> set[Path]:
    entries: set[Path] = set()
    for file in dist.files or ():
        parts = file.parts
        if not parts or parts[0] in ("..", "__pycache__") or parts[0].endswith(".data"):
            continue
        if len(parts) == 1 and not (
            parts[0].endswith(".py") or ".so" in parts[0] or parts[0].endswith(".pyd")
        ):
            continue
        entries.add(Path(dist.locate_file(parts[0])))
    return entries


def test_every_installed_distribution_gives_the_entries_its_files_list():
    dists = list(metadata.distributions())
    assert len(dists) > 20
    differing = {
        dist.metadata["Name"]: sandbox_path._top_level_entries(dist) ^ _through_metadata(dist)
        for dist in dists
        if sandbox_path._top_level_entries(dist) != _through_metadata(dist)
    }
    assert differing == {}


def test_the_runtime_directory_links_what_lambda_ships(tmp_path):
    runtime = build_runtime_dir(tmp_path / "runtime", RUNTIME_DISTRIBUTIONS)
    names = {entry.name for entry in runtime.iterdir()}
    assert {"awslambdaric", "boto3", "botocore", "s3transfer", "dateutil", "jmespath", "urllib3"} <= names
    assert "moto" not in names and "yaml" not in names  # samlite's own dependencies stay out
    assert all((runtime / name).is_symlink() for name in names)
