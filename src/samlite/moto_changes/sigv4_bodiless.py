"""A fix for moto's SigV4 check of bodiless requests to REST services (e.g. API Gateway's GETs).

moto 5.2.5 recomputes the caller's signature from `data=self._body or self._data`; for a GET to a
REST-JSON service its response class leaves the request *headers* in `_data`, so the recomputed
canonical request carries a made-up body and every signed GET fails with SignatureDoesNotMatch
(`aws apigateway get-api-key` among them). A request without a body is signed over the empty
payload, so that is what the check must use. It changes
nothing for other methods: a query-protocol POST (IAM, SQS) keeps its form parameters in `_data`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target

_BODILESS_METHODS = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})


def _signed_over_empty_body(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def create_aws_request(self: Any) -> Any:
        if self._method in _BODILESS_METHODS and not self._body:
            saved, self._data = self._data, b""
            try:
                return original(self)
            finally:
                self._data = saved
        return original(self)

    return create_aws_request


CHANGE = MotoChange(
    name="sigv4-bodiless-requests",
    reason="moto recomputes a signed GET's signature over a made-up body",
    patches=(
        Patch(
            Target("moto.iam.access_control:IAMRequestBase._create_aws_request", "(self)"),
            _signed_over_empty_body,
        ),
    ),
)
