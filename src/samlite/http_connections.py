"""Connection tracking for samlite's keep-alive HTTP servers (the gateway's and the AWS endpoint's).

`socketserver`'s `shutdown()` and `server_close()` stop accepting and close the listening socket, but
an HTTP/1.1 connection kept alive stays open in its handler thread, which goes on serving requests.
`ConnectionTracking` remembers each open connection so that `close_connections()` can end them all.

It lives at the package root, with no imports beyond the standard library, so that both servers
share it without either importing the other (the endpoint's server module pulls in moto).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any


class ConnectionTracking:
    """A `socketserver` mixin (list it before the server class) whose `close_connections()` ends
    every connection still open, so that a stopped server answers nothing more."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)  # type: ignore[misc]

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)  # type: ignore[misc]

    def close_connections(self) -> None:
        """End kept-alive connections: their handler threads read end-of-file and finish."""
        with self._connections_lock:
            connections = list(self._connections)
            self._connections.clear()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
