"""Collect a worker's output as Lambda does: stdout/stderr lines plus framed log records.

awslambdaric writes `logging` records and its own error reports to the telemetry file descriptor
named by `_LAMBDA_TELEMETRY_LOG_FD`, one frame per record (4-byte type, 4-byte length, 8-byte
timestamp, message; big-endian), so a multi-line traceback stays one log event, as in CloudWatch.
Plain `print` output arrives on stdout and is split into lines.

A record must be attributed to the invocation that wrote it. The worker writes to its pipes before
it posts `/response`, so when the response arrives the bytes are already in the kernel's pipe
buffer: `drain()` reads whatever is there, under the same lock as the background reader, so nothing
written during an invocation is reported after its `END` line.
"""

from __future__ import annotations

import os
import selectors
import threading
from collections.abc import Callable

_FRAME_HEADER = 16


class LogCapture:
    """Read a worker's stdout pipe and telemetry pipe on a background thread, emitting messages."""

    def __init__(self, stdout_fd: int, telemetry_fd: int, emit: Callable[[str], None]) -> None:
        self._emit = emit
        self._lock = threading.Lock()
        self._line_buffer = b""
        self._frame_buffer = b""
        self._open = {stdout_fd: self._on_stdout, telemetry_fd: self._on_frames}
        for fd in self._open:
            os.set_blocking(fd, False)
        self._selector = selectors.DefaultSelector()
        for fd in self._open:
            self._selector.register(fd, selectors.EVENT_READ)
        self.eof = threading.Event()
        self._thread = threading.Thread(target=self._run, name="samlite-worker-logs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def abandon(self) -> None:
        """Close the pipes without reading them (the worker never started)."""
        with self._lock:
            for fd in list(self._open):
                self._selector.unregister(fd)
                os.close(fd)
            self._open.clear()
            self._selector.close()
        self.eof.set()

    def drain(self, *, flush_partial: bool = True) -> None:
        """Emit everything already written by the worker (and a trailing line with no newline)."""
        with self._lock:
            for fd in list(self._open):
                self._read_available(fd)
            if flush_partial and self._line_buffer:
                self._emit_text(self._line_buffer)
                self._line_buffer = b""

    def join(self, timeout: float) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while self._open:
            for key, _ in self._selector.select(timeout=1.0):
                with self._lock:
                    self._read_available(key.fd)
        with self._lock:
            if self._line_buffer:
                self._emit_text(self._line_buffer)
                self._line_buffer = b""
        self._selector.close()
        self.eof.set()

    def _read_available(self, fd: int) -> None:
        handler = self._open.get(fd)
        if handler is None:
            return
        while True:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                self._selector.unregister(fd)
                os.close(fd)
                del self._open[fd]
                return
            handler(chunk)

    def _on_stdout(self, chunk: bytes) -> None:
        data = self._line_buffer + chunk
        *lines, self._line_buffer = data.split(b"\n")
        for line in lines:
            self._emit_text(line)

    def _on_frames(self, chunk: bytes) -> None:
        data = self._frame_buffer + chunk
        offset = 0
        while len(data) - offset >= _FRAME_HEADER:
            length = int.from_bytes(data[offset + 4 : offset + 8], "big")
            end = offset + _FRAME_HEADER + length
            if end > len(data):
                break
            self._emit_text(data[offset + _FRAME_HEADER : end])
            offset = end
        self._frame_buffer = data[offset:]

    def _emit_text(self, raw: bytes) -> None:
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        self._emit(text)
