"""A request the embedded AWS endpoint has answered, as seen by observers (e.g. S3 notifications)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ObjectWrite:
    """One write of an S3 object key made while serving a request, as moto made it.

    `sequencer` was taken in the same step as the write, under the key's lock, so that the sequencers
    of one key's writes are in the order S3 (moto) applied them; `version_id` is the version the write
    created or removed ("null" on an unversioned bucket), `size` / `etag` those of the object it wrote
    (None for a removal).
    """

    bucket: str
    key: str
    sequencer: str
    version_id: str | None = None
    size: int | None = None
    etag: str | None = None


@dataclass(frozen=True)
class ServedRequest:
    """Everything an observer needs to react to an AWS API call after the embedded AWS served it.

    `path` is the raw, still percent-encoded request path; `access_key_id` identifies the caller (from
    the SigV4 Authorization header or a presigned URL's query), so event sources can tell which
    function's credentials caused a write. `object_writes` are the S3 object writes moto made for it,
    in the order it made them.
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
    object_writes: tuple[ObjectWrite, ...] = ()
