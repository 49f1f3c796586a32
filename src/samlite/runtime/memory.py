"""Memory of a worker process tree, measured the way Lambda's REPORT line means it.

Lambda's "Max Memory Used" is the peak resident memory of the execution environment. On Linux the
kernel keeps each process's peak (`VmHWM` in /proc/PID/status); children (a function's subprocesses)
are added with their current RSS. Reading /proc directly costs tens of microseconds, where
`psutil.Process.children()` scans every process on the machine: it matters on the warm path.
"""

from __future__ import annotations

import sys
from pathlib import Path

import psutil

MIB = 1024 * 1024


def _status_kib(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _children(pid: int) -> list[int]:
    if sys.platform == "linux":
        try:
            text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        except OSError:
            text = None
        if text is not None:
            direct = [int(child) for child in text.split()]
            return direct + [grandchild for child in direct for grandchild in _children(child)]
    try:
        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return []


def _rss(pid: int) -> int:
    kib = _status_kib(pid, "VmRSS:") if sys.platform == "linux" else None
    if kib is not None:
        return kib * 1024
    try:
        return int(psutil.Process(pid).memory_info().rss)
    except psutil.Error:
        return 0


def current_rss(pid: int) -> int:
    """Resident bytes of the process and all its descendants now."""
    return _rss(pid) + sum(_rss(child) for child in _children(pid))


def peak_rss(pid: int) -> int:
    """Peak resident bytes of the process (kernel high-water mark) plus its descendants' current RSS."""
    own = _status_kib(pid, "VmHWM:") if sys.platform == "linux" else None
    own_bytes = own * 1024 if own is not None else _rss(pid)
    return own_bytes + sum(_rss(child) for child in _children(pid))


def to_mb(size: int) -> int:
    """Whole megabytes, rounded up, as Lambda reports them."""
    return -(-size // MIB)
