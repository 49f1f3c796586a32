"""A fix for moto's SigV4 check of bodiless requests to REST services (e.g. API Gateway's GETs).

moto 5.2.5 recomputes the caller's signature from `data=self._body or self._data`; for a GET to a
REST-JSON service its response class leaves the request *headers* in `_data`, so the recomputed
canonical request carries a made-up body and every signed GET fails with SignatureDoesNotMatch
(`aws apigateway get-api-key` among them). A request without a body is signed over the empty
payload, so that is what the check must use. Installed once, while IAM is enforced; it changes
nothing for other methods: a query-protocol POST (IAM, SQS) keeps its form parameters in `_data`.
"""

from __future__ import annotations

import threading
from typing import Any

_BODILESS_METHODS = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})
_lock = threading.Lock()
_installed = False


def install() -> None:
    global _installed  # noqa: PLW0603 (one process-wide patch of moto)
    from moto.iam.access_control import IAMRequestBase

    with _lock:
        if _installed:
            return
        original = IAMRequestBase._create_aws_request

        def create_aws_request(self: Any) -> Any:
            if self._method in _BODILESS_METHODS and not self._body:
                saved, self._data = self._data, b""
                try:
                    return original(self)
                finally:
                    self._data = saved
            return original(self)

        IAMRequestBase._create_aws_request = create_aws_request  # type: ignore[method-assign]
        _installed = True
