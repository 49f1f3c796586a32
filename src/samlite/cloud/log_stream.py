"""Where the local cloud's log lines go: one file per function, and a live printer for the terminal.

Every function's lines (its own output and Lambda's START/END/REPORT lines) and samlite's own lines
(ready, outputs, dropped events) pass through `LogStream.write(source, line)`: it appends them to
`<log_dir>/<source>.log` (as CloudWatch keeps a log group per function) and hands them to a sink.
`TerminalPrinter` is the sink of `samlite start`: one stream for every function, each line prefixed
with its function id so interleaved output stays readable, coloured when the stream is a terminal and
NO_COLOR (https://no-color.org) is not set.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, TextIO

SAMLITE_SOURCE = "samlite"
# Foreground colours for function prefixes, chosen in order of first appearance (no red: errors).
_PALETTE = ("36", "32", "35", "33", "34", "96", "92", "95", "93", "94")
_SAMLITE_STYLE = "1"  # bold
_RESET = "\033[0m"
_SAMLITE_LINE_PREFIX = "samlite: "
_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._-]")


class LogStream:
    """Appends each source's lines to its own file and forwards them to `sink`; thread-safe."""

    def __init__(self, log_dir: Path, *, sink: Callable[[str, str], None] | None = None) -> None:
        self.log_dir = log_dir
        self._sink = sink
        self._files: dict[str, IO[str]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def write(self, source: str, line: str, *, echo: bool = True) -> None:
        with self._lock:
            if not self._closed:
                handle = self._files.get(source)
                if handle is None:
                    handle = self._open(source)
                handle.write(line + "\n")
                handle.flush()
            if echo and self._sink is not None:
                self._sink(source, line)

    def path_of(self, source: str) -> Path:
        """The file that holds `source`'s lines (a function's logical id, or "samlite")."""
        return self.log_dir / f"{_UNSAFE_FILE_CHARS.sub('_', source)}.log"

    def close(self) -> None:
        """Close the files; later lines still reach the sink (the last "stopped" line, for instance)."""
        with self._lock:
            self._closed = True
            files, self._files = list(self._files.values()), {}
        for handle in files:
            handle.close()

    def _open(self, source: str) -> IO[str]:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        handle = self.path_of(source).open("a", encoding="utf-8")
        self._files[source] = handle
        return handle


def use_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set to anything non-empty."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class TerminalPrinter:
    """A `LogStream` sink printing `source | line`, the prefix padded and coloured per source."""

    def __init__(self, stream: TextIO, *, colour: bool | None = None, width: int = 0) -> None:
        self._stream = stream
        self._colour = use_colour(stream) if colour is None else colour
        self._width = width
        self._styles: dict[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self, source: str, line: str) -> None:
        with self._lock:
            self._width = max(self._width, len(source))
            prefix = source.ljust(self._width)
            if source == SAMLITE_SOURCE and line.startswith(_SAMLITE_LINE_PREFIX):
                line = line[len(_SAMLITE_LINE_PREFIX) :]  # the prefix already says it
            if self._colour:
                prefix = f"\033[{self._style(source)}m{prefix}{_RESET}"
            try:
                self._stream.write(f"{prefix} | {line}\n")
                self._stream.flush()
            except (BrokenPipeError, ValueError):
                pass  # the reader went away (closed pipe) or the stream is closed: nothing to show it to

    def _style(self, source: str) -> str:
        style = self._styles.get(source)
        if style is None:
            if source == SAMLITE_SOURCE:
                style = _SAMLITE_STYLE
            else:
                taken = sum(1 for name in self._styles if name != SAMLITE_SOURCE)
                style = _PALETTE[taken % len(_PALETTE)]
            self._styles[source] = style
        return style
