"""moto's IAM policy evaluation, remembered: the same policy document, action and resource give the
same answer, so each is worked out once instead of on every request.

With IAM on, moto evaluates every request against each of the caller's policies (`IAMRequestBase.
check_action_permitted`): `IAMPolicy(policy)` parses the document's JSON, and `is_action_permitted`
turns every Action and Resource pattern of every statement into a regular expression and matches it.
That is ~10% of a small S3 or DynamoDB call. The answer is a pure function of the document, the
action, the resource, the principal and the request's condition values (identity policies are
evaluated with none), so this change:

- parses each distinct document once (`IAMPolicy.__init__`; moto only reads the parsed document);
- remembers `is_action_permitted`'s answer per (document, action, resource, principal, condition
  values) in a bounded table, and computes it with moto's own code on a miss.

Which policies apply is still collected by moto on every request (attaching or detaching a policy,
or a new policy version, takes effect at once), and everything around the answer (explicit deny,
the role trust check of AssumeRole, the errors raised) is moto's own code, unchanged.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target

# Distinct (document, action, resource) triples a process sees are few (a stack's roles and calls);
# the bound only guards against unbounded input, and a full table simply starts again.
_MAX_ENTRIES = 20_000

_lock = threading.Lock()
_parsed: dict[str, Any] = {}
_answers: dict[tuple[Any, ...], Any] = {}
_DOCUMENT_ATTR = "_samlite_document"


def _document_of(policy: Any) -> str:
    """The policy's JSON document, found exactly as moto's `IAMPolicy.__init__` finds it."""
    from moto.iam.models import Policy

    if isinstance(policy, Policy):
        default_version = next(version for version in policy.versions if version.is_default)
        return str(default_version.document)
    if isinstance(policy, str):
        return policy
    return str(policy["policy_document"])


def _parse(document: str) -> Any:
    parsed = _parsed.get(document)
    if parsed is None:
        parsed = json.loads(document)
        with _lock:
            if len(_parsed) >= _MAX_ENTRIES:
                _parsed.clear()
            _parsed[document] = parsed
    return parsed


def _wrap_init(_original: Callable[..., None]) -> Callable[..., None]:
    def __init__(self: Any, policy: Any) -> None:
        document = _document_of(policy)
        setattr(self, _DOCUMENT_ATTR, document)
        self._policy_json = _parse(document)

    return __init__


def _wrap_is_action_permitted(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def is_action_permitted(
        self: Any,
        action: str,
        resource: str = "*",
        principal: str | None = None,
        incoming_condition_values: dict[str, str] | None = None,
    ) -> Any:
        document = getattr(self, _DOCUMENT_ATTR, None)
        conditions = _frozen(incoming_condition_values)
        if document is None or conditions is _UNHASHABLE:
            return original(self, action, resource, principal, incoming_condition_values)
        key = (document, action, resource, principal, conditions)
        answer = _answers.get(key)
        if answer is None:
            answer = original(self, action, resource, principal, incoming_condition_values)
            with _lock:
                if len(_answers) >= _MAX_ENTRIES:
                    _answers.clear()
                _answers[key] = answer
        return answer

    return is_action_permitted


_UNHASHABLE = object()


def _frozen(values: dict[str, Any] | None) -> Any:
    if values is None:
        return None
    try:
        frozen = tuple(sorted(values.items()))
        hash(frozen)
    except TypeError:
        return _UNHASHABLE
    return frozen


def forget() -> None:
    """Drop what was remembered (tests)."""
    with _lock:
        _parsed.clear()
        _answers.clear()


_POLICY = "moto.iam.access_control:IAMPolicy"
CHANGE = MotoChange(
    name="iam-policy-decisions",
    reason="moto parses and evaluates every policy again on every request",
    patches=(
        Patch(Target(f"{_POLICY}.__init__", "(self, policy)"), _wrap_init),
        Patch(
            Target(
                f"{_POLICY}.is_action_permitted",
                "(self, action, resource='*', principal=None, incoming_condition_values=None)",
            ),
            _wrap_is_action_permitted,
        ),
    ),
    on_apply=forget,
)
