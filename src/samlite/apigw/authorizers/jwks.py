"""The signing keys of a token issuer: its JWKS, found through OpenID discovery and kept a while.

API Gateway fetches "the public key ... from the issuer's jwks_uri" (HTTP API developer guide,
"Controlling access to HTTP APIs with JWT authorizers"): `{issuer}/.well-known/openid-configuration`
names `jwks_uri`. A Cognito user pool's issuer `https://cognito-idp.{region}.amazonaws.com/{pool}`
is the embedded AWS here, which serves the pool's JWKS at `/{pool}/.well-known/jwks.json` on its own
endpoint (`samlite.services.cognito.jwks`), so the gateway asks it there instead of the internet.
Keys are cached for `KEYS_TTL_S` and fetched again when a token names a `kid` the cache lacks (key
rotation), at most once per `REFRESH_MIN_S`.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from joserfc.jwk import KeySet

KEYS_TTL_S = 600.0
REFRESH_MIN_S = 5.0
FETCH_TIMEOUT_S = 5.0
_COGNITO_ISSUER = re.compile(r"^https://cognito-idp\.([a-z0-9-]+)\.amazonaws\.com/([\w-]+)$")


class JwksUnavailable(Exception):
    """The issuer's keys could not be fetched; the message says from where and why (logged)."""


def cognito_pool_id(issuer: str) -> str | None:
    """The user pool id of a Cognito issuer URL, else None."""
    match = _COGNITO_ISSUER.match(issuer.rstrip("/"))
    return match.group(2) if match else None


@dataclass
class _Keys:
    keys: KeySet
    fetched_at: float


Fetch = Callable[[str], Any]


def fetch_json(url: str) -> Any:
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_S) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise JwksUnavailable(f"GET {url} failed: {exc}") from exc


class JwksCache:
    """Signing keys per issuer. `aws_url` is the embedded AWS that stands in for Cognito's issuers."""

    def __init__(
        self, aws_url: str | None, fetch: Fetch = fetch_json, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._aws_url = aws_url.rstrip("/") if aws_url else None
        self._fetch = fetch
        self._clock = clock
        self._by_issuer: dict[str, _Keys] = {}
        self._lock = threading.Lock()

    def keys(self, issuer: str, kid: str | None) -> KeySet:
        """The issuer's key set, fresh enough to hold `kid` if the issuer has it."""
        with self._lock:
            cached = self._by_issuer.get(issuer)
        now = self._clock()
        if cached is not None:
            stale = now - cached.fetched_at > KEYS_TTL_S
            missing = kid is not None and not _has_kid(cached.keys, kid)
            if not stale and (not missing or now - cached.fetched_at < REFRESH_MIN_S):
                return cached.keys
        from joserfc.jwk import KeySet  # on the first key set: see `tokens`

        keys = KeySet.import_key_set(self._download(issuer))
        with self._lock:
            self._by_issuer[issuer] = _Keys(keys, now)
        return keys

    def jwks_url(self, issuer: str) -> str:
        pool = cognito_pool_id(issuer)
        if pool is not None:
            if self._aws_url is None:
                raise JwksUnavailable(
                    f"the Cognito issuer {issuer} needs the embedded AWS, which is not running"
                )
            return f"{self._aws_url}/{pool}/.well-known/jwks.json"
        discovery = self._fetch(f"{issuer.rstrip('/')}/.well-known/openid-configuration")
        uri = discovery.get("jwks_uri") if isinstance(discovery, dict) else None
        if not isinstance(uri, str):
            raise JwksUnavailable(f"{issuer}/.well-known/openid-configuration names no jwks_uri")
        return uri

    def _download(self, issuer: str) -> Any:
        url = self.jwks_url(issuer)
        document = self._fetch(url)
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise JwksUnavailable(f"{url} is not a JWKS (no 'keys' list)")
        return document


def _has_kid(keys: KeySet, kid: str) -> bool:
    return any(key.kid == kid for key in keys.keys)
