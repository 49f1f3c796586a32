"""sts:AssumeRole is decided as STS decides it: the caller's policies and the role's trust policy.

moto's check (`IAMRequestBase.check_action_permitted` with `_check_role_trust_relationship`) reads
only `Principal.AWS` of the trust policy: a statement naming a service (`{"Service":
"lambda.amazonaws.com"}`, which every Lambda execution role has) makes it fail with a TypeError, which
the endpoint answers as a raw 500; and an account principal (`arn:aws:iam::123456789012:root`, the
usual way to let an account's administrators assume a role) never matches a user.

What IAM documents ("Policy evaluation logic" and "Cross-account policy evaluation logic", IAM User
Guide; "AWS JSON policy elements: Principal"): role trust policies are an exception to the rule that
either policy suffices; they must allow the caller explicitly. So, for a role of this account:
- an explicit Deny, in the caller's policies or in a trust statement matching the caller, refuses;
- a trust statement allowing the caller itself (its user or role ARN, its session ARN, or `*`) is
  enough on its own;
- a trust statement allowing the caller's account (`arn:aws:iam::ACCOUNT:root` or `ACCOUNT`) lets the
  caller's own policies decide: they must allow `sts:AssumeRole` on the role;
- otherwise (a trust policy naming only services, other accounts or other principals) the answer is
  AccessDenied, even for an administrator allowed `*`.
Conditions of trust statements ("IAM JSON policy elements: Condition operators") are checked on the
keys an AssumeRole request carries: `sts:ExternalId`, `sts:RoleSessionName`, `aws:PrincipalArn`,
`aws:PrincipalAccount`, `aws:PrincipalType`, with the string operators (`StringEquals`,
`StringNotEquals`, `StringLike`, `StringNotLike`, their `...IgnoreCase` and `...IfExists` forms): a key
the request lacks fails the condition unless `...IfExists`. A condition samlite cannot evaluate keeps
an Allow from granting and makes a Deny refuse: it fails closed. Every other action is moto's check,
unchanged.
"""

from __future__ import annotations

import fnmatch
import functools
import json
from collections.abc import Callable, Iterable
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target

DIRECT = "direct"  # the trust policy names the caller (or everyone)
ACCOUNT = "account"  # the trust policy names the caller's account: its own policies decide
DENIED = "denied"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _aws_principals(statement: dict[str, Any]) -> list[str] | None:
    """The statement's AWS principals; ["*"] for `"Principal": "*"`; None with NotPrincipal."""
    if "NotPrincipal" in statement:
        return None
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    if not isinstance(principal, dict):
        return []
    return [str(value) for value in _as_list(principal.get("AWS"))]


def caller_arns(access_key: Any) -> set[str]:
    """The ARNs a trust policy may name the caller by: a user's ARN; for a role session, the session
    ARN and its role's ARN."""
    arn = str(access_key.arn)
    names = {arn}
    owner_role = getattr(access_key, "_owner_role_name", None)
    if owner_role and ":assumed-role/" in arn:
        partition = arn.split(":")[1]
        names.add(f"arn:{partition}:iam::{access_key.account_id}:role/{owner_role}")
    return names


def trust_of(
    trust_document: str | dict[str, Any],
    arns: set[str],
    account_id: str,
    conditions_hold: Callable[[dict[str, Any]], bool],
    action: str = "sts:AssumeRole",
) -> str | None:
    """DIRECT, ACCOUNT or DENIED for a caller known by `arns` in `account_id`; None when no statement
    allows it. `conditions_hold(statement)` evaluates a statement's Condition block."""
    document = json.loads(trust_document) if isinstance(trust_document, str) else trust_document
    partition = next(iter(arns)).split(":")[1] if arns else "aws"
    account_names = {account_id, f"arn:{partition}:iam::{account_id}:root"}
    found: str | None = None
    for statement in _as_list(document.get("Statement")):
        if not isinstance(statement, dict) or not _names_action(statement, action):
            continue
        principals = _aws_principals(statement)
        if principals is None:
            continue  # NotPrincipal in a trust policy: not something samlite emulates; never grants
        direct = "*" in principals or bool(arns.intersection(principals))
        by_account = bool(account_names.intersection(principals))
        if not (direct or by_account) or not conditions_hold(statement):
            continue
        if statement.get("Effect") == "Deny":
            return DENIED
        found = DIRECT if direct or found == DIRECT else ACCOUNT
    return found


def _names_action(statement: dict[str, Any], action: str) -> bool:
    def matches(patterns: Iterable[Any]) -> bool:
        return any(_wildcard(str(pattern), action) for pattern in patterns)

    if "NotAction" in statement:
        return not matches(_as_list(statement["NotAction"]))
    return matches(_as_list(statement.get("Action")))


def _wildcard(pattern: str, value: str) -> bool:
    return fnmatch.fnmatchcase(value.lower(), pattern.lower())


_STRING_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda expected, actual: actual == expected,
    "StringNotEquals": lambda expected, actual: actual != expected,
    "StringLike": lambda expected, actual: fnmatch.fnmatchcase(actual, expected),
    "StringNotLike": lambda expected, actual: not fnmatch.fnmatchcase(actual, expected),
    "StringEqualsIgnoreCase": lambda expected, actual: actual.lower() == expected.lower(),
    "StringNotEqualsIgnoreCase": lambda expected, actual: actual.lower() != expected.lower(),
}
_NEGATED = ("StringNotEquals", "StringNotLike", "StringNotEqualsIgnoreCase")


class _CannotEvaluate(Exception):
    """A condition operator samlite does not evaluate."""


def conditions_hold(statement: dict[str, Any], context: dict[str, str]) -> bool:
    """Whether every condition of `statement` holds for the request `context` (keys lower-cased);
    _CannotEvaluate for an operator outside the string family."""
    block = statement.get("Condition") or {}
    if not isinstance(block, dict):
        raise _CannotEvaluate(str(block))
    for operator, tests in block.items():
        base = str(operator).removesuffix("IfExists")
        compare = _STRING_OPERATORS.get(base)
        if compare is None or not isinstance(tests, dict):
            raise _CannotEvaluate(str(operator))
        for key, expected in tests.items():
            actual = context.get(str(key).lower())
            if actual is None:
                if str(operator).endswith("IfExists"):
                    continue
                return False
            values = [str(value) for value in _as_list(expected)]
            # A negated operator holds when the value matches none; the others when it matches any.
            if base in _NEGATED:
                if not all(compare(value, actual) for value in values):
                    return False
            elif not any(compare(value, actual) for value in values):
                return False
    return True


def request_context(request: Any, arns: set[str]) -> dict[str, str]:
    """The condition keys an AssumeRole request carries, lower-cased."""
    data = request._data or {}

    def first(name: str) -> str | None:
        value = data.get(name)
        return str(value[0]) if isinstance(value, list) and value else None

    key = request._access_key
    is_session = ":assumed-role/" in str(key.arn)
    role_arns = [arn for arn in arns if ":role/" in arn]
    context = {
        "aws:principalarn": role_arns[0] if is_session and role_arns else str(key.arn),
        "aws:principalaccount": str(key.account_id),
        "aws:principaltype": "AssumedRole" if is_session else "User",
    }
    for name, param in (("sts:externalid", "ExternalId"), ("sts:rolesessionname", "RoleSessionName")):
        value = first(param)
        if value is not None:
            context[name] = value
    return context


def _decide(request: Any, resource: str) -> None:
    """STS's decision for AssumeRole on `resource` (a role of this account); raises AccessDenied."""
    from moto.iam.access_control import IAMPolicy, PermissionResult

    permitted = False
    for policy in request._access_key.collect_policies():
        result = IAMPolicy(policy).is_action_permitted(request._action, resource)
        if result == PermissionResult.DENIED:
            request._raise_access_denied()
        permitted = permitted or result == PermissionResult.PERMITTED
    arns = caller_arns(request._access_key)
    context = request_context(request, arns)

    def holds(statement: dict[str, Any]) -> bool:
        try:
            return conditions_hold(statement, context)
        except _CannotEvaluate:
            return statement.get("Effect") == "Deny"  # fail closed: an Allow grants nothing

    role = request.backend.get_role_by_arn(resource)
    trust = trust_of(
        role.assume_role_policy_document,
        arns,
        str(request._access_key.account_id),
        holds,
        request._action,
    )
    if trust == DIRECT or (trust == ACCOUNT and permitted):
        return
    request._raise_access_denied()


def _checked(original: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(original)
    def check_action_permitted(self: Any, resource: str) -> None:
        if not self._is_assuming_role_operation(resource):
            return original(self, resource)
        _decide(self, resource)
        return None

    return check_action_permitted


CHANGE = MotoChange(
    name="sts-trust-policy",
    reason="moto's AssumeRole trust check crashes on Service principals and ignores account principals",
    patches=(
        Patch(
            Target("moto.iam.access_control:IAMRequestBase.check_action_permitted", "(self, resource)"),
            _checked,
        ),
    ),
)
