"""A request's headers as moto reads them, with each WSGI key's header name worked out once.

moto's `Request.headers` is a live view over the WSGI environ (`moto.core.request.EnvironHeaders`):
every `keys()`, `items()`, `dict(headers)` or `for` walks the whole environ and spells each header's
name again (`HTTP_X_AMZ_DATE` -> `X-Amz-Date`). moto's S3 code walks it ~60 times per PutObject,
~12% of the call. The name is a function of the key alone, so this view remembers it per key and
still walks the live environ each time (what moto writes into it is seen, as before). A request
whose environ keeps original spellings (S3 metadata names with underscores) is left to moto's
own iteration, which applies them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

_MAX_NAMES = 4096  # distinct WSGI keys remembered; clients choose header names, so it is bounded
_CONTENT_KEYS = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})
_UNSEEN = object()
_lock = threading.Lock()
_names: dict[str, str | None] = {}


def _name_of(key: str) -> str | None:
    """The header name werkzeug's EnvironHeaders gives `key`, or None when it is not a header."""
    from werkzeug.datastructures import EnvironHeaders

    return next((name for name, _ in EnvironHeaders({key: "x"})), None)


@lru_cache(maxsize=1)
def headers_class() -> type:
    """Built on first use (importing moto costs what `import samlite...` should not)."""
    from moto.core.request import PRESERVED_HEADER_NAMES_ENVIRON_KEY, EnvironHeaders

    class RememberedNamesHeaders(EnvironHeaders):
        """moto's EnvironHeaders; the same items in the same order, names remembered per key."""

        def __iter__(self) -> Iterator[tuple[str, str]]:
            environ: dict[str, Any] = self.environ
            if environ.get(PRESERVED_HEADER_NAMES_ENVIRON_KEY):
                yield from super().__iter__()
                return
            names = _names
            for key, value in environ.items():
                name = names.get(key, _UNSEEN)
                if name is _UNSEEN:
                    name = _name_of(key)
                    if len(names) < _MAX_NAMES:
                        with _lock:
                            names[key] = name
                if name is None or (key in _CONTENT_KEYS and not value):
                    continue
                yield name, value  # type: ignore[misc]

    return RememberedNamesHeaders
