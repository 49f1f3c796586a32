"""Whether moto enforces IAM, switched with moto's own `enable_iam_authentication()` and
`disable_iam_authentication()`.

moto's switch is process-wide: every embedded AWS in one process shares it, so they must agree. The
first one to start enters moto's context manager; the last one to stop leaves it, which puts back
whatever moto had before (the switch of a test using `mock_aws` with IAM, for instance).
"""

from __future__ import annotations

import contextlib
import threading

from samlite.errors import EndpointError

_lock = threading.Lock()
_modes: list[bool] = []
_stack: contextlib.ExitStack | None = None


def enforce(iam: bool) -> None:
    """Register one user of moto's IAM switch with setting `iam` (refused if another one differs)."""
    global _stack  # noqa: PLW0603 (moto's switch is process-wide)
    from moto.core.authorization import disable_iam_authentication, enable_iam_authentication

    with _lock:
        if _modes and _modes[0] != iam:
            raise EndpointError(
                f"another embedded AWS in this process runs with iam={_modes[0]}; moto's IAM switch is "
                "process-wide, so both must use the same setting"
            )
        if not _modes:
            stack = contextlib.ExitStack()
            stack.enter_context(enable_iam_authentication() if iam else disable_iam_authentication())
            _stack = stack
        _modes.append(iam)


def release(iam: bool) -> None:
    """Undo one `enforce(iam)`; the last one gives moto its previous switch back."""
    global _stack
    with _lock:
        if iam not in _modes:
            return
        _modes.remove(iam)
        if not _modes and _stack is not None:
            stack, _stack = _stack, None
            stack.close()
