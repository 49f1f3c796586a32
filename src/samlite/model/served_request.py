"""A request the embedded AWS endpoint has answered, as seen by observers (e.g. S3 notifications)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ServedRequest:
    """Everything an observer needs to react to an AWS API call after the embedded AWS served it.

    `path` is the raw, still percent-encoded request path; `access_key_id` identifies the caller (from
    the SigV4 Authorization header or a presigned URL's query), so event sources can tell which
    function's credentials caused a write.
    """

    service: str
    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    status: int
    response_headers: Mapping[str, str]
    response_body: bytes
    host: str = ""
    access_key_id: str | None = None
    source_ip: str = "127.0.0.1"
    extra: Mapping[str, str] = field(default_factory=dict)
