"""`samlite trigger ID`: fire a schedule of the running `samlite start` now.

    samlite trigger NightlyFunction            # the function's one Schedule / ScheduleV2 event
    samlite trigger NightlyFunction.Nightly    # a function's event by name
    samlite trigger CleanupRule                # a scheduled rule or a Scheduler schedule, by logical id

It calls `POST /_samlite/trigger/{ID}` on the endpoint, SigV4-signed with the administrator's
credentials: from the environment when `AWS_ENDPOINT_URL` is set there (`source .samlite/env` does
that), else from `.samlite/env` itself (`--state-dir`). Prints what was fired (JSON) and exits 0;
1 when the endpoint refused (unknown id, not a schedule, access denied), 2 when it cannot be reached
or no credentials were found.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

EXIT_REFUSED = 1
EXIT_USAGE = 2
TIMEOUT_S = 30.0


class TriggerCommandError(Exception):
    """No endpoint or credentials to use; the message says where samlite looked."""


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "trigger",
        help="fire a schedule (a function's Schedule event, a rule or a schedule) of `samlite start` now",
        description="Fire a scheduled rule or EventBridge Scheduler schedule of the running `samlite start` "
        "now, by logical id (a function with one Schedule / ScheduleV2 event, Function.Event, a rule or a "
        "schedule). Disabled schedules fire too.",
    )
    parser.add_argument("trigger_id", metavar="ID", help="logical id of the rule, schedule or function")
    parser.add_argument(
        "--state-dir",
        default=".samlite",
        metavar="DIR",
        help="where `samlite start` wrote env (default: .samlite); used when AWS_ENDPOINT_URL is not set",
    )
    parser.add_argument("--endpoint-url", help="the endpoint (default: AWS_ENDPOINT_URL, else .samlite/env)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        settings = _settings(Path(args.state_dir), args.endpoint_url)
        status, body = trigger_over_http(settings, args.trigger_id)
    except TriggerCommandError as error:
        print(f"samlite trigger: {error}", file=sys.stderr)
        return EXIT_USAGE
    if status == 200:
        print(json.dumps(json.loads(body), indent=2))
        return 0
    print(f"samlite trigger: {_message(body) or f'the endpoint answered {status}'}", file=sys.stderr)
    return EXIT_REFUSED


def _message(body: bytes) -> str:
    try:
        document = json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace").strip()
    return str(document.get("Message") or document.get("message") or "") if isinstance(document, dict) else ""


def _settings(state_dir: Path, endpoint_url: str | None) -> dict[str, str]:
    """Endpoint, credentials and region: the environment's when it names an endpoint, else env's file."""
    environ = dict(os.environ)
    if not environ.get("AWS_ENDPOINT_URL"):
        environ.update(_read_env_file(state_dir / "env"))
    if endpoint_url:
        environ["AWS_ENDPOINT_URL"] = endpoint_url
    missing = [
        name
        for name in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
        if not environ.get(name)
    ]
    if missing:
        raise TriggerCommandError(
            f"{', '.join(missing)} not set and not in {state_dir / 'env'}: is `samlite start` running here?"
        )
    return environ


def _read_env_file(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    values: dict[str, str] = {}
    for line in text.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            name, _, value = words[1].partition("=")
            values[name] = value
    return values


def trigger_over_http(settings: dict[str, str], trigger_id: str) -> tuple[int, bytes]:
    """POST the trigger, SigV4-signed (service `samlite`); returns (status, body)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = f"{settings['AWS_ENDPOINT_URL'].rstrip('/')}/_samlite/trigger/{quote(trigger_id, safe='')}"
    region = settings.get("AWS_REGION") or settings.get("AWS_DEFAULT_REGION") or "us-east-1"
    request = AWSRequest(method="POST", url=url, data=b"")
    credentials = Credentials(
        settings["AWS_ACCESS_KEY_ID"], settings["AWS_SECRET_ACCESS_KEY"], settings.get("AWS_SESSION_TOKEN")
    )
    SigV4Auth(credentials, "samlite", region).add_auth(request)
    prepared = urllib.request.Request(url, data=b"", headers=dict(request.headers.items()), method="POST")
    try:
        with urllib.request.urlopen(prepared, timeout=TIMEOUT_S) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError as error:
        raise TriggerCommandError(f"cannot reach {settings['AWS_ENDPOINT_URL']}: {error}") from error
