"""Recycle a function's warm workers when a file under its CodeUri changes (`samlite start`'s dev loop).

A warm worker has already imported the handler module, so an edit would otherwise only show after a
restart. On AWS a new deployment likewise gets new execution environments: recycling makes the next
invocation a cold start on the new code, with nothing else restarted (the embedded AWS keeps its state).

One watchfiles thread watches every CodeUri (and the local folders of each function's layers);
several functions sharing one folder are all recycled. watchfiles' default filter ignores
`__pycache__`, `.pyc`, editor swap files and VCS directories, so a function importing its own code does
not trigger a recycle loop. Folders samlite itself writes to (its state folder with the logs, its
cache) are ignored wherever they are: with `CodeUri: ./` the state folder lies inside the code, and
every log line written would otherwise recycle the workers, forever.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

# Editors often write a file in several steps; changes closer together than this are one change.
DEBOUNCE_MS = 300
# How often the watch loop checks that it must stop (bounds how long `stop()` takes).
STOP_CHECK_MS = 100

OnChange = Callable[[str, list[Path]], None]


class CodeWatcher:
    """Watches each function's CodeUri and calls `on_change(logical_id, changed_paths)`.

    `code_uris` maps function logical ids to their CodeUri directories; ones that do not exist are
    skipped (the template model already warned about them). `start()` runs the watch in a daemon
    thread; `stop()` ends it and waits for it.
    """

    def __init__(
        self,
        code_uris: Mapping[str, Path | Sequence[Path]],
        *,
        on_change: OnChange,
        ignore: Iterable[Path] = (),
    ) -> None:
        self._roots = {
            logical_id: tuple(
                Path(path).resolve() for path in ([paths] if isinstance(paths, Path) else paths)
            )
            for logical_id, paths in code_uris.items()
        }
        self._ignored = tuple(Path(path).resolve() for path in ignore)
        self._on_change = on_change
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def watched(self) -> list[Path]:
        """The distinct directories watched (a directory inside another one is covered by it)."""
        directories = sorted(
            {
                path
                for paths in self._roots.values()
                for path in paths
                if path.is_dir() and not self.ignored(path)
            }
        )
        return [d for d in directories if not any(o != d and d.is_relative_to(o) for o in directories)]

    def ignored(self, path: Path) -> bool:
        """Whether `path` lies in a folder samlite writes to itself (state folder, cache)."""
        return any(path == folder or path.is_relative_to(folder) for folder in self._ignored)

    def start(self) -> None:
        if self._thread is not None or not self.watched:
            return
        self._thread = threading.Thread(target=self._run, name="samlite-code-watch", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def functions_of(self, changed: Path) -> list[str]:
        """The functions whose CodeUri (or layer folder) contains `changed`; none for an ignored path."""
        changed = changed.resolve()
        if self.ignored(changed):
            return []
        return sorted(
            logical_id
            for logical_id, roots in self._roots.items()
            if any(changed.is_relative_to(root) for root in roots)
        )

    def _run(self) -> None:
        from watchfiles import watch

        for changes in watch(
            *self.watched,
            debounce=DEBOUNCE_MS,
            step=STOP_CHECK_MS,
            stop_event=self._stop,
            rust_timeout=STOP_CHECK_MS,
            yield_on_timeout=False,
            raise_interrupt=False,
        ):
            by_function: dict[str, list[Path]] = {}
            for _kind, changed_path in changes:
                path = Path(changed_path)
                for logical_id in self.functions_of(path):
                    by_function.setdefault(logical_id, []).append(path)
            for logical_id, paths in sorted(by_function.items()):
                self._on_change(logical_id, sorted(set(paths)))
