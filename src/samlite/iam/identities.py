"""Who signed an S3 request: the `userIdentity.principalId` of its events, and which function it was.

AWS puts the requester's principal in S3 events: `AWS:<user id>` for an IAM user's key and
`AWS:<role id>:<session name>` for assumed-role credentials (Lambda names the session after the
function, so a function's writes show up as `AWS:AROA...:<FunctionName>`). samlite reads both from
moto's IAM and STS backends in-process; the session name is also how the recursion guard knows that a
request came from a function.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

ANONYMOUS = "Anonymous"


@dataclass(frozen=True)
class CallerIdentity:
    principal_id: str
    session_name: str | None = None


class MotoIdentities:
    """Resolves access key ids through moto's IAM/STS backends, caching what it found."""

    def __init__(self, account_id: str, partition: str = "aws") -> None:
        self._account_id = account_id
        self._partition = partition
        self._cache: dict[str, CallerIdentity] = {}
        self._lock = threading.Lock()

    def identify(self, access_key_id: str | None) -> CallerIdentity:
        if not access_key_id:
            return CallerIdentity(ANONYMOUS)
        with self._lock:
            cached = self._cache.get(access_key_id)
        if cached is not None:
            return cached
        identity = self._lookup(access_key_id)
        if identity is not None:
            with self._lock:
                self._cache[access_key_id] = identity
            return identity
        return CallerIdentity(f"AWS:{access_key_id}")

    def function_of(self, access_key_id: str) -> str | None:
        """The session name of assumed-role credentials: the function whose role they are."""
        return self.identify(access_key_id).session_name

    def _lookup(self, access_key_id: str) -> CallerIdentity | None:
        from moto.iam.models import iam_backends
        from moto.sts.models import sts_backends

        sts = sts_backends[self._account_id][self._partition]
        assumed = sts.get_assumed_role_from_access_key(access_key_id)
        if assumed is not None:
            return CallerIdentity(f"AWS:{assumed.user_id}", assumed.session_name)
        iam = iam_backends[self._account_id][self._partition]
        user = iam.get_user_from_access_key_id(access_key_id)
        if user is not None:
            return CallerIdentity(f"AWS:{user.id}")
        return None
