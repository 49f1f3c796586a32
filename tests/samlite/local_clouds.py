"""Starting a whole `LocalCloud` in a test: one way, so every test module starts it alike.

moto's backends are global to the process, so each cloud gets a stack name of its own (its resources'
names derive from it); ports are picked by the system; the code watcher is off (a test changes code
only when it says so). A fixture project is copied to a temporary folder first whenever the cloud
writes next to its template (its state folder `.samlite/`, layers' installs, a test's edits).
Imported through `tests.samlite.embedded`.
"""

from __future__ import annotations

import contextlib
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from samlite.cloud.local_cloud import CloudOptions, LocalCloud


def stack_name(prefix: str) -> str:
    """A stack name no other cloud in this process has (8 hex digits: resource names stay short)."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def cloud_options(template: Path, *, state_dir: Path, stack: str = "test", **options: Any) -> CloudOptions:
    """A test's CloudOptions: free ports, no code watch, a unique stack name that starts with `stack`.

    `options` are any other CloudOptions fields, and win (`stack_name=` for a fixed name, `watch=True`).
    """
    values: dict[str, Any] = {"port": 0, "api_port": 0, "watch": False, "stack_name": stack_name(stack)}
    values.update(options)
    return CloudOptions(template=template, state_dir=state_dir, **values)


def copy_project(fixture: Path, project: Path) -> Path:
    """Copies a fixture project's folder (its template.yaml and code) into `project`, and returns it."""
    shutil.copytree(fixture, project, dirs_exist_ok=True)
    return project


@contextlib.contextmanager
def running_cloud(
    template: Path, *, state_dir: Path, stack: str = "test", **options: Any
) -> Iterator[LocalCloud]:
    """The template's cloud, started (see `cloud_options`), stopped when the block ends."""
    with LocalCloud(cloud_options(template, stack=stack, state_dir=state_dir, **options)) as cloud:
        yield cloud


@contextlib.contextmanager
def running_project(
    fixture: Path, project: Path, *, stack: str = "test", **options: Any
) -> Iterator[LocalCloud]:
    """A copy of the fixture project in `project`, its template started, state in `project/.samlite`."""
    copy_project(fixture, project)
    with running_cloud(
        project / "template.yaml", stack=stack, state_dir=project / ".samlite", **options
    ) as cloud:
        yield cloud
