"""S3 writes to one key happen one at a time, and each takes its event's sequencer as it happens.

S3 documents ("Event message structure", Amazon S3 User Guide,
https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html) that the
`sequencer` of the events of one object key gives the order of the changes to that key: the event
with the greater sequencer is the later change. Consumers such as upload-catalog keep the state of
the event with the greatest sequencer, so a sequencer taken after the write, outside any lock, can
order two concurrent writes of one key the wrong way round for good (the catalog then describes a
version S3 does not serve).

moto writes objects without a lock, too: `S3Backend.put_object` reads the key's version list and
stores a new list, so two concurrent PUTs of one key on a versioned bucket can lose a version (and
dispose of the object another request is still reading).

This change wraps moto's object writes (`put_object`, `copy_object`, `complete_multipart_upload`,
`delete_object`; DeleteObjects and POST uploads go through them) so that:
- writes to one (bucket, key) are serialised by a lock (striped: a bounded set of re-entrant locks);
- the sequencer is taken inside that lock, right after moto's write, so one key's sequencers are
  in the order of its writes whatever the concurrency;
- inside `recording()` (the endpoint serving one request), each outermost write is recorded as an
  `ObjectWrite` (bucket, key, sequencer, version, size, ETag of what it wrote), which the S3 event
  builder uses instead of reading moto's state afterwards, when a later write may have replaced it.
Writes made outside `recording()` (provisioning, resets) take the lock and record nothing.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import threading
import zlib
from collections.abc import Callable, Iterator
from typing import Any

from samlite.events import s3_sequencer
from samlite.model import ObjectWrite
from samlite.moto_changes.seam import MotoChange, Patch, Target

_STRIPES = 64
_locks = tuple(threading.RLock() for _ in range(_STRIPES))
_local = threading.local()

Write = Callable[..., Any]
# (moto's bound arguments, the write's result, the backend) -> what was written (None: nothing)
Describe = Callable[[inspect.BoundArguments, Any, Any], ObjectWrite | None]


def key_lock(bucket: str, key: str) -> threading.RLock:
    """The lock that serialises the writes of `key` in `bucket` (shared by a few keys: striped)."""
    return _locks[zlib.crc32(f"{bucket}/{key}".encode("utf-8", "surrogatepass")) % _STRIPES]


@contextlib.contextmanager
def recording() -> Iterator[list[ObjectWrite]]:
    """Collect the object writes moto makes on this thread while inside (one served request)."""
    writes: list[ObjectWrite] = []
    previous = getattr(_local, "writes", None)
    _local.writes = writes
    try:
        yield writes
    finally:
        _local.writes = previous


def _wrap(describe: Describe, address: Callable[[inspect.BoundArguments], tuple[str, str]]) -> Any:
    def make(original: Write) -> Write:
        signature = inspect.signature(original)

        @functools.wraps(original)
        def write(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                bound = signature.bind(self, *args, **kwargs)
                bucket, key = address(bound)
            except (TypeError, KeyError, AttributeError):
                return original(self, *args, **kwargs)  # moto raises its own error for it
            with key_lock(bucket, key):
                depth = getattr(_local, "depth", 0)
                _local.depth = depth + 1
                try:
                    result = original(self, *args, **kwargs)
                finally:
                    _local.depth = depth
                writes = getattr(_local, "writes", None)
                if depth == 0 and writes is not None:  # copy and complete call put_object: once
                    described = describe(bound, result, self)
                    if described is not None:
                        writes.append(described)
                return result

        return write

    return make


def _created(bucket: str, fake_key: Any) -> ObjectWrite:
    etag = getattr(fake_key, "etag", None)
    version = getattr(fake_key, "version_id", None)
    return ObjectWrite(
        bucket=bucket,
        key=str(fake_key.name),
        sequencer=s3_sequencer(),
        version_id=None if version is None else str(version),
        size=getattr(fake_key, "size", None),
        etag=str(etag).strip('"') if etag else None,
    )


def _put_address(bound: inspect.BoundArguments) -> tuple[str, str]:
    return bound.arguments["bucket_name"], bound.arguments["key_name"]


def _put_written(bound: inspect.BoundArguments, result: Any, backend: Any) -> ObjectWrite | None:
    return None if result is None else _created(bound.arguments["bucket_name"], result)


def _copy_address(bound: inspect.BoundArguments) -> tuple[str, str]:
    return bound.arguments["dest_bucket_name"], bound.arguments["dest_key_name"]


def _copy_written(bound: inspect.BoundArguments, result: Any, backend: Any) -> ObjectWrite | None:
    bucket, key = _copy_address(bound)
    copied = backend.get_bucket(bucket).keys.get(key)  # under the key's lock: this copy's object
    return None if copied is None else _created(bucket, copied)


def _complete_address(bound: inspect.BoundArguments) -> tuple[str, str]:
    backend, bucket = bound.arguments["self"], bound.arguments["bucket_name"]
    multipart = backend.get_bucket(bucket).multiparts[bound.arguments["multipart_id"]]
    return bucket, str(multipart.key_name)


def _delete_address(bound: inspect.BoundArguments) -> tuple[str, str]:
    return bound.arguments["bucket_name"], bound.arguments["key_name"]


def _delete_written(bound: inspect.BoundArguments, result: Any, backend: Any) -> ObjectWrite | None:
    bucket, key = _delete_address(bound)
    meta = result[1] if isinstance(result, tuple) and len(result) > 1 else {}
    version = (meta or {}).get("version-id") or bound.arguments.get("version_id")
    return ObjectWrite(bucket=bucket, key=key, sequencer=s3_sequencer(), version_id=version)


_BACKEND = "moto.s3.models:S3Backend"
CHANGE = MotoChange(
    name="s3-write-order",
    reason="moto writes one S3 key from several threads at once, and events took their order afterwards",
    patches=(
        Patch(
            Target(
                f"{_BACKEND}.put_object",
                "(self, bucket_name, key_name, value, storage=None, etag=None, multipart=None, "
                "encryption=None, kms_key_id=None, bucket_key_enabled=None, lock_mode=None, "
                "lock_legal_status=None, lock_until=None, checksum_value=None, request_method='PUT', "
                "disable_notification=False)",
            ),
            _wrap(_put_written, _put_address),
        ),
        Patch(
            Target(
                f"{_BACKEND}.copy_object",
                "(self, src_key, dest_bucket_name, dest_key_name, storage=None, encryption=None, "
                "kms_key_id=None, bucket_key_enabled=None, mdirective=None, metadata=None, "
                "website_redirect_location=None, lock_mode=None, lock_legal_status=None, lock_until=None, "
                "provided_version_id=None)",
            ),
            _wrap(_copy_written, _copy_address),
        ),
        Patch(
            Target(f"{_BACKEND}.complete_multipart_upload", "(self, bucket_name, multipart_id, body)"),
            _wrap(_put_written, _complete_address),
        ),
        Patch(
            Target(
                f"{_BACKEND}.delete_object", "(self, bucket_name, key_name, version_id=None, bypass=False)"
            ),
            _wrap(_delete_written, _delete_address),
        ),
    ),
    service="s3",
)
