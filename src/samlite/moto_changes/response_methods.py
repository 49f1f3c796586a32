"""moto's list of a response class's methods, computed once per class instead of once per request.

`BaseResponse.call_action` (every JSON- and query-protocol call: DynamoDB, SQS, IAM, STS...) asks
`method_names_from_class(self.__class__)` whether the action is one of the class's methods, and that
runs `inspect.getmembers` over the whole class hierarchy on every request: ~7% of a DynamoDB GetItem.
The answer only changes when a class of the hierarchy gains or loses an attribute, so it is kept per
class together with the attribute names of the hierarchy's namespaces, and worked out again by moto's
own function when they differ (a patched class, a subclass made at run time).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target

_lock = threading.Lock()
_known: dict[type, tuple[tuple[tuple[str, ...], ...], list[str]]] = {}


def _shape(clazz: type) -> tuple[tuple[str, ...], ...]:
    """The attribute names of every class of the hierarchy: a method added, removed or renamed shows."""
    return tuple(tuple(vars(owner)) for owner in clazz.__mro__)


def _remembered(original: Callable[[Any], list[str]]) -> Callable[[Any], list[str]]:
    @functools.wraps(original)
    def method_names_from_class(clazz: Any) -> list[str]:
        if not isinstance(clazz, type):
            return original(clazz)
        shape = _shape(clazz)
        known = _known.get(clazz)
        if known is not None and known[0] == shape:
            return list(known[1])
        names = original(clazz)
        with _lock:
            _known[clazz] = (shape, list(names))
        return names

    return method_names_from_class


def forget() -> None:
    with _lock:
        _known.clear()


CHANGE = MotoChange(
    name="response-method-names",
    reason="moto lists a response class's methods with inspect.getmembers on every request",
    patches=(
        # responses.py imported the function by name: that is the reference call_action uses.
        Patch(Target("moto.core.responses:method_names_from_class", "(clazz)"), _remembered),
    ),
    on_apply=forget,
)
