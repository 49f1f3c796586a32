"""Benchmark probe: tells the benchmark when the handler starts (system-wide monotonic clock, over UDP)."""

import json
import os
import socket
import time

_SOCKET = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
_TARGET = ("127.0.0.1", int(os.environ["BENCH_PORT"]))


def handler(event, context):
    started = time.monotonic()
    detail = event.get("detail", event) if isinstance(event, dict) else {}
    _SOCKET.sendto(json.dumps({"id": detail.get("id"), "t": started}).encode(), _TARGET)
    return {}
