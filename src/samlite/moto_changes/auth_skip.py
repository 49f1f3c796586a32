"""Let samlite tell moto that it has already authorised the request being served.

moto's IAM enforcement reads the SigV4 `Authorization` header and fails with a 500 (KeyError) when a
request has none, which is how presigned URLs and browser form uploads (presigned POST) arrive.
samlite checks those itself (`samlite.iam.presigned`) and then serves them through moto with moto's
own check skipped for that one request, on that one thread: `skip_moto_auth()`. Outside it, moto's
`_authenticate_and_authorize_action` runs unchanged.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target

_skip = threading.local()


def _skippable(original: Callable[..., None]) -> Callable[..., None]:
    def checked(self: Any, iam_request_cls: type, resource: str = "*") -> None:
        if getattr(_skip, "active", False):
            return
        original(self, iam_request_cls, resource)

    return checked


@contextlib.contextmanager
def skip_moto_auth() -> Iterator[None]:
    """moto checks no IAM permission for requests served on this thread while inside."""
    _skip.active = True
    try:
        yield
    finally:
        _skip.active = False


CHANGE = MotoChange(
    name="auth-skip",
    reason="moto's IAM check fails with a 500 on requests samlite authorised from a presigned URL or form",
    patches=(
        Patch(
            Target(
                "moto.core.authorization:ActionAuthenticatorMixin._authenticate_and_authorize_action",
                "(self, iam_request_cls, resource='*')",
            ),
            _skippable,
        ),
    ),
)
