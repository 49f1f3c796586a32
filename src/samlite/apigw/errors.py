"""The local API gateway's error types: a template it cannot serve, and a port it cannot bind."""

from __future__ import annotations


class GatewayConfigError(Exception):
    """An API of the template cannot be served as written; the message names the resource and route."""


class PortInUseError(OSError):
    """The gateway's port is already taken by another process (`--api-port` picks another one)."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(f"cannot serve the API gateway on {host}:{port}: the port is already in use")
        self.host = host
        self.port = port
