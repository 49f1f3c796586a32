"""moto's request ids drawn in one call instead of 52.

Every moto response gets an `x-amzn-requestid` of 52 letters and digits (`gen_amzn_requestid_long`),
drawn from moto's own random source with 52 separate `choice()` calls (and an import per call): ~5%
of a small S3 or DynamoDB call. This change draws the same 52 characters from the same source in one
`choices()` call. Ids keep their alphabet and length, and seeding moto's random source
(`/moto-api/seed`) still makes them repeatable; only the sequence a given seed yields differs.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target

_ALPHABET = string.ascii_letters + string.digits  # moto's get_random_string(include_digits=True)
_LENGTH = 52


def _drawn_at_once(_original: Callable[..., str]) -> Callable[..., str]:
    from moto.moto_api._internal import mock_random

    choices = mock_random.choices

    def gen_amzn_requestid_long(headerdict: dict[str, Any] | None = None) -> str:
        request_id = "".join(choices(_ALPHABET, k=_LENGTH))
        if headerdict is not None and isinstance(headerdict, dict):
            headerdict.update({"x-amzn-requestid": request_id})
        return request_id

    return gen_amzn_requestid_long


_SIGNATURE = "(headerdict=None)"
CHANGE = MotoChange(
    name="request-ids",
    reason="moto draws each response's request id with 52 calls to its random source",
    patches=(
        # responses.py imported the function by name: both references are replaced.
        Patch(Target("moto.utilities.aws_headers:gen_amzn_requestid_long", _SIGNATURE), _drawn_at_once),
        Patch(Target("moto.core.responses:gen_amzn_requestid_long", _SIGNATURE), _drawn_at_once),
    ),
    relies_on=(
        Target(
            "moto.moto_api._internal.moto_random:MotoRandom.get_random_string",
            "(self, length=20, include_digits=True, lower_case=False)",
        ),
    ),
)
