"""`samlite trigger ID`: fire a schedule now, on the endpoint at `POST /_samlite/trigger/{id}`.

Tests and developers should not wait for `rate(1 day)`. The id is what the template says: a rule's or a
schedule's logical id (`NightlyFunctionTick`), a function's logical id when the function has exactly
one Schedule / ScheduleV2 event (`NightlyFunction`), or `Function.Event`; a rule or schedule name or
ARN works too. Disabled schedules fire as well: that is how a test runs one.

The call is answered by samlite (a `LocalApi`), IAM-checked like the calls moto serves: it must be
SigV4-signed by a principal allowed `samlite:Trigger` on the rule or schedule's ARN (the administrator
of `.samlite/env` is). The answer is JSON: `{"Id", "Kind", "Name", "Arn", "Time", "Targets"}`; an id
that names no schedule is a 404 listing those that exist, an event-pattern rule a 400 saying so.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import unquote

from samlite.endpoint.aws_errors import REST_JSON
from samlite.endpoint.local_apis import ApiResponse
from samlite.iam.request_auth import check_request
from samlite.model import AwsError

TRIGGER_PATH = re.compile(r"^/_samlite/trigger/(?P<id>[^/]+)/?$")
TRIGGER_ACTION = "samlite:Trigger"


class TriggerError(LookupError):
    """The id names no schedule (`status` 404) or something that is not one (400)."""

    def __init__(self, message: str, status: int = 404) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class TriggerResult:
    """What was fired: the id asked for, `rule` or `schedule`, its name and ARN, when, and its targets."""

    id: str
    kind: str
    name: str
    arn: str
    time: str
    targets: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            key.title(): (list(value) if isinstance(value, tuple) else value)
            for key, value in asdict(self).items()
        }


class TriggerApi:
    """The `LocalApi` serving `POST /_samlite/trigger/{id}`."""

    protocol = REST_JSON

    def __init__(
        self,
        trigger: Callable[[str], TriggerResult],
        resolve_arn: Callable[[str], str],
        iam_account_id: str | None,
    ) -> None:
        self._trigger = trigger
        self._resolve_arn = resolve_arn
        self._iam_account_id = iam_account_id

    def match(self, environ: Mapping[str, Any], body: bytes) -> str | None:
        if environ.get("REQUEST_METHOD") != "POST":
            return None
        found = TRIGGER_PATH.match(str(environ.get("PATH_INFO", "")))
        return unquote(found["id"]) if found else None

    def handle(self, environ: Mapping[str, Any], body: bytes, trigger_id: str) -> ApiResponse | AwsError:
        request_id = str(uuid.uuid4())
        try:
            arn = self._resolve_arn(trigger_id)
        except TriggerError as error:
            code = "ResourceNotFoundException" if error.status == 404 else "ValidationException"
            return AwsError(error.status, code, str(error))
        if self._iam_account_id is not None:
            denied = check_request(self._iam_account_id, environ, body, TRIGGER_ACTION, arn)
            if denied is not None:
                code = "AccessDeniedException" if denied.code == "AccessDenied" else denied.code
                return AwsError(denied.status, code, denied.message)
        try:
            result = self._trigger(trigger_id)
        except TriggerError as error:
            return AwsError(error.status, "ResourceNotFoundException", str(error))
        headers = [("Content-Type", "application/json"), ("x-amzn-RequestId", request_id)]
        return ApiResponse(200, headers, json.dumps(result.to_json()).encode("utf-8"))
