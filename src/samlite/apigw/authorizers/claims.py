"""Token claims as API Gateway hands them to integrations: every value a string.

REST Cognito authorizers ("Control access to a REST API using Amazon Cognito user pools as
authorizer"; `$context.authorizer.claims.property`) pass `requestContext.authorizer.claims` with
string values; `exp` and `iat` are written as dates (`Mon Jan 01 00:00:00 UTC 2024`). HTTP API JWT
authorizers ("Working with AWS Lambda proxy integrations for HTTP APIs", `authorizer.jwt.claims`)
stringify numbers and write arrays as `[a b]`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

_DATE_CLAIMS = ("exp", "iat")


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Mapping):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def rest_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    result: dict[str, str] = {}
    for name, value in claims.items():
        if name in _DATE_CLAIMS and isinstance(value, int | float):
            result[name] = datetime.fromtimestamp(value, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
        elif isinstance(value, list):
            result[name] = ",".join(_plain(item) for item in value)
        else:
            result[name] = _plain(value)
    return result


def http_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    result: dict[str, str] = {}
    for name, value in claims.items():
        if isinstance(value, list):
            result[name] = "[" + " ".join(_plain(item) for item in value) + "]"
        else:
            result[name] = _plain(value)
    return result
