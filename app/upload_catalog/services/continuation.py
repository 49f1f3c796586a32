"""The reconcile invoking itself to continue a run: an asynchronous Lambda Invoke (``InvocationType=Event``).

Needs ``lambda:InvokeFunction`` on the function's own ARN. Lambda queues the event (so the caller does
not wait) and retries it on error; a duplicate delivery is harmless (``controllers.reconcile_run``'s
tokens).
"""

from __future__ import annotations

import json
from typing import Any


class LambdaContinuation:
    """Implements ``controllers.reconcile_ports.Continuation`` over a boto3 Lambda client."""

    def __init__(self, lambda_client: Any, function_name: str) -> None:
        self._lambda = lambda_client
        self._function = function_name

    def start(self, payload: dict[str, Any]) -> None:
        self._lambda.invoke(
            FunctionName=self._function,
            InvocationType="Event",
            Payload=json.dumps(payload).encode("utf-8"),
        )
