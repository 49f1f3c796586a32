"""A Lambda authorizer's policy document, evaluated against the request's method ARN.

API Gateway Developer Guide, "Output from an API Gateway Lambda authorizer" and "Control access for
invoking an API" (statement reference): statements allow or deny `execute-api:Invoke` on method ARNs
`arn:aws:execute-api:{region}:{account}:{api}/{stage}/{verb}/{resource}`, where `*` matches any run
of characters (across `/` too) and `?` one character. As in IAM, an explicit Deny wins over any
Allow, and no matching Allow is a deny. The policy is evaluated per request, also when it came from
the cache, so a policy that names one method denies another method that shares the cached identity.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum
from functools import lru_cache
from typing import Any

_INVOKE = "execute-api:invoke"


class Verdict(Enum):
    ALLOW = "allow"
    EXPLICIT_DENY = "explicit-deny"
    IMPLICIT_DENY = "implicit-deny"


class MalformedPolicy(ValueError):
    """The policy document is not one API Gateway can evaluate (the message says why)."""


def evaluate(policy: Any, method_arn: str) -> Verdict:
    """Allow, explicit deny or implicit deny of invoking `method_arn` under `policy`."""
    if not isinstance(policy, Mapping):
        raise MalformedPolicy("policyDocument must be an object")
    statements = policy.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list):
        raise MalformedPolicy("policyDocument.Statement must be a list of statements")
    allowed = False
    for statement in statements:
        if not isinstance(statement, Mapping):
            raise MalformedPolicy("each policy statement must be an object")
        effect = statement.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise MalformedPolicy(f"statement Effect must be Allow or Deny, not {effect!r}")
        if not (_action_matches(statement) and _resource_matches(statement, method_arn)):
            continue
        if effect == "Deny":
            return Verdict.EXPLICIT_DENY
        allowed = True
    return Verdict.ALLOW if allowed else Verdict.IMPLICIT_DENY


def _strings(value: Any, field: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise MalformedPolicy(f"statement {field} must be a string or a list of strings")


def _action_matches(statement: Mapping[str, Any]) -> bool:
    if "NotAction" in statement:
        return not any(
            _glob(a.lower()).fullmatch(_INVOKE) for a in _strings(statement["NotAction"], "NotAction")
        )
    if "Action" not in statement:
        raise MalformedPolicy("a policy statement needs an Action")
    return any(_glob(action.lower()).fullmatch(_INVOKE) for action in _strings(statement["Action"], "Action"))


def _resource_matches(statement: Mapping[str, Any], method_arn: str) -> bool:
    if "NotResource" in statement:
        return not any(
            _glob(r).fullmatch(method_arn) for r in _strings(statement["NotResource"], "NotResource")
        )
    if "Resource" not in statement:
        raise MalformedPolicy("a policy statement needs a Resource")
    return any(
        _glob(resource).fullmatch(method_arn) for resource in _strings(statement["Resource"], "Resource")
    )


@lru_cache(maxsize=1024)
def _glob(pattern: str) -> re.Pattern[str]:
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)
