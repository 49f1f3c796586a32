"""`samlite start` as a user runs it, in a subprocess, and its output read line by line.

The command-line tests spawn the real command and wait for lines of its output with a deadline
(`samlite ready`, a step of a state machine, `samlite stopped`): the output is read on a thread, so
that a wait can time out and fail naming what it waited for, with what came instead.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

READY_TIMEOUT_S = 60


def spawn_start(project: Path, *args: str) -> subprocess.Popen[str]:
    """`python -m samlite start ARGS` in `project`, its stdout and stderr piped as text."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "samlite", "start", *args],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


class OutputLines:
    """Reads a process's stdout on a thread; `seen` holds every line waited through so far."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        assert process.stdout is not None
        threading.Thread(target=self._read, args=(process.stdout,), daemon=True).start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, text: str, timeout: float, *, anywhere: bool = False) -> str:
        """The first line that starts with `text` (`anywhere`: that holds it); fails after `timeout`
        seconds or at the end of the output."""
        how = "with" if anywhere else "starting with"
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line {how} {text!r}; got {self.seen[-30:]}") from None
            if line is None:
                raise AssertionError(f"output ended before a line {how} {text!r}; got {self.seen[-30:]}")
            self.seen.append(line)
            if (text in line) if anywhere else line.startswith(text):
                return line

    def rest(self, timeout: float = 10) -> list[str]:
        """Every line seen, once the output ended or `timeout` seconds passed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
        return self.seen
