"""Verifying a bearer JWT as API Gateway does before a JWT or Cognito user pool authorizer allows it.

HTTP API developer guide, "Controlling access to HTTP APIs with JWT authorizers", the validation
steps: the token's `kid` must name a key of the issuer's JWKS, its algorithm must be RSA-based and its
signature valid under that key, `iss` must be the configured issuer, `exp` after now, `nbf` and `iat`
before now. Audience and scopes are the callers' (they differ between the two authorizer kinds).
Signatures are checked with joserfc.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from samlite.apigw.authorizers.jwks import JwksUnavailable

if TYPE_CHECKING:
    from joserfc.jwk import KeySet

# joserfc (and the cryptography it loads) is imported by the first token to verify: an API without JWT
# authorizers never needs it, and `samlite start` should not pay for it.

RSA_ALGORITHMS = ("RS256", "RS384", "RS512")  # "Currently, only RSA-based algorithms are supported"

KeysFor = Callable[[str, "str | None"], "KeySet"]  # (issuer, kid) -> the issuer's keys


class InvalidToken(Exception):
    """The token is refused; `description` is what API Gateway puts in `error_description`."""

    def __init__(self, description: str, *, expired: bool = False, unavailable: bool = False) -> None:
        super().__init__(description)
        self.description = description
        self.expired = expired
        self.unavailable = unavailable  # the issuer's keys could not be fetched (logged by the caller)


@dataclass(frozen=True)
class VerifiedToken:
    header: dict[str, Any]
    claims: dict[str, Any]


def bearer_value(raw: str) -> str:
    """The token of an identity source value: the token itself, or `Bearer <token>`."""
    value = raw.strip()
    if value[:7].lower() == "bearer ":
        return value[7:].strip()
    return value


def verify(
    token: str, issuers: Collection[str], keys_for: KeysFor, now: Callable[[], float] = time.time
) -> VerifiedToken:
    """The token's header and claims once signature and time claims check out; `InvalidToken` else."""
    from joserfc import jws, jwt
    from joserfc.errors import BadSignatureError, DecodeError, JoseError

    try:
        compact = jws.extract_compact(token.encode("utf-8"))
        claims = json.loads(compact.payload)
    except (JoseError, ValueError, UnicodeError):
        raise InvalidToken("the token is not a valid JWT") from None
    if not isinstance(claims, dict):
        raise InvalidToken("the token's payload is not a JSON object")
    header = dict(compact.protected)
    if header.get("alg") not in RSA_ALGORITHMS:
        raise InvalidToken(f"the token's algorithm {header.get('alg')!r} is not supported (RSA only)")
    issuer = str(claims.get("iss", "")).rstrip("/")
    if issuer not in {value.rstrip("/") for value in issuers}:
        raise InvalidToken("the token does not have a valid issuer")
    kid = header.get("kid")
    try:
        key_set = keys_for(issuer, kid if isinstance(kid, str) else None)
    except JwksUnavailable as exc:
        raise InvalidToken(f"unable to fetch the issuer's keys: {exc}", unavailable=True) from exc
    if not any(key.kid == kid for key in key_set.keys):
        raise InvalidToken("the token's kid does not match a key of the issuer's JWKS")
    try:
        jwt.decode(token, key_set, algorithms=list(RSA_ALGORITHMS))
    except BadSignatureError:
        raise InvalidToken("the token's signature is invalid") from None
    except (DecodeError, JoseError) as exc:
        raise InvalidToken(f"the token could not be verified: {exc}") from None
    _check_times(claims, now())
    return VerifiedToken(header, claims)


def _check_times(claims: dict[str, Any], moment: float) -> None:
    for name in ("exp", "nbf", "iat"):
        if name in claims and not isinstance(claims[name], int | float):
            raise InvalidToken(f"the token's {name} claim is not a number")
    if "exp" not in claims:
        raise InvalidToken("the token has no exp claim")
    if claims["exp"] <= moment:
        raise InvalidToken("the token has expired", expired=True)
    if "nbf" in claims and claims["nbf"] > moment:
        raise InvalidToken("the token is not valid yet (nbf)")
    if "iat" in claims and claims["iat"] > moment:
        raise InvalidToken("the token was issued in the future (iat)")


def token_scopes(claims: dict[str, Any]) -> list[str]:
    """`scope` (space-separated) or `scp` (a list or a string)."""
    raw = claims.get("scope", claims.get("scp"))
    if isinstance(raw, str):
        return raw.split()
    if isinstance(raw, list):
        return [str(item) for item in raw]
    return []
