"""A user pool's token-signing keys and OpenID configuration, served by the embedded AWS.

On AWS, `https://cognito-idp.{region}.amazonaws.com/{pool}/.well-known/jwks.json` lists the keys
that sign the pool's tokens and `.../openid-configuration` names it as `jwks_uri` (Cognito developer
guide, "Verifying a JSON Web Token"). moto signs every pool's tokens with one bundled key and has
routes for both documents, but only under the cognito-idp host name; the embedded AWS has one host,
so these GETs (unsigned, as on AWS) are answered here for the pools that exist. The API gateway's
JWT and Cognito authorizers read the keys here, as does any client that verifies tokens itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from samlite.endpoint.aws_errors import JSON
from samlite.endpoint.local_apis import ApiResponse
from samlite.model import AwsApi

_PATH = re.compile(
    r"^/(?P<pool>[a-z]{2}(?:-[a-z]+)+-\d+_[A-Za-z0-9]+)/\.well-known/(?P<doc>jwks\.json|openid-configuration)$"
)


@lru_cache(maxsize=1)
def public_jwks() -> bytes:
    """moto's public key set, the one that verifies the tokens every pool hands out."""
    from moto.utilities.utils import load_resource

    return json.dumps(load_resource("cognitoidp/resources/jwks-public.json")).encode("utf-8")


class UserPoolKeys:
    """A `LocalApi`: GET /{pool}/.well-known/jwks.json and /openid-configuration of existing pools."""

    protocol = JSON

    def __init__(self, aws: AwsApi) -> None:
        self._aws = aws

    def match(self, environ: Mapping[str, Any], body: bytes) -> tuple[str, str] | None:
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("HTTP_AUTHORIZATION"):
            return None
        found = _PATH.match(str(environ.get("PATH_INFO", "")))
        if found is None:
            return None
        pool = found.group("pool")
        if pool not in self._aws.backend("cognito-idp").user_pools:
            return None
        return pool, found.group("doc")

    def handle(self, environ: Mapping[str, Any], body: bytes, match: tuple[str, str]) -> ApiResponse:
        pool, document = match
        if document == "jwks.json":
            content = public_jwks()
        else:
            region = pool.split("_", 1)[0]
            issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool}"
            content = json.dumps(
                {
                    "issuer": issuer,
                    "jwks_uri": f"{self._aws.url}/{pool}/.well-known/jwks.json",
                    "response_types_supported": ["code", "token"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                }
            ).encode("utf-8")
        return ApiResponse(200, [("Content-Type", "application/json")], content)
