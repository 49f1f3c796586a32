"""The console acts through the endpoint's own AWS APIs, as the administrator, like any other client.

An upload from the console is a PutObject that S3 events, IAM and the cost meter see as they see any
other; an edited item is a PutItem (streams see it); a redrive is SendMessage / Invoke. Only what an
API cannot do without side effects (peeking at queued messages) reads moto's backend directly.

The clients say who they are (`samlite-console` in the User-Agent), so the cost page can leave the
console's own requests out of what the application's work would cost.
"""

from __future__ import annotations

import threading
from typing import Any

from samlite.console.http import ConsoleError
from samlite.endpoint.embedded_aws import EmbeddedAws

CONSOLE_AGENT = "samlite-console"
# The Invoke API answers when the function does: up to Lambda's 15 minute limit.
_READ_TIMEOUT_S = {"lambda": 905.0}


def is_console_agent(user_agent: str) -> bool:
    return CONSOLE_AGENT in user_agent


class AdminClients:
    """boto3 clients on the endpoint with the administrator's credentials, made on first use."""

    def __init__(self, aws: EmbeddedAws) -> None:
        self._aws = aws
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}
        self._session: Any = None

    def client(self, service: str) -> Any:
        with self._lock:
            found = self._clients.get(service)
            if found is not None:
                return found
            import boto3
            from botocore.config import Config

            if self._session is None:
                self._session = boto3.session.Session()
            credentials = self._aws.admin_credentials
            config = Config(
                user_agent_extra=CONSOLE_AGENT,
                retries={"max_attempts": 1},
                read_timeout=_READ_TIMEOUT_S.get(service, 60.0),
                connect_timeout=5,
                max_pool_connections=16,
                s3={"addressing_style": "path"},
            )
            made = self._session.client(
                service,
                endpoint_url=self._aws.url,
                region_name=self._aws.region,
                aws_access_key_id=credentials.access_key_id,
                aws_secret_access_key=credentials.secret_access_key,
                config=config,
            )
            self._clients[service] = made
            return made

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """One API call; AWS's error comes back as a ConsoleError with AWS's code and message."""
        from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

        method = getattr(self.client(service), operation)
        try:
            return dict(method(**params))
        except ClientError as error:
            details = error.response.get("Error", {})
            status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 400)
            code = str(details.get("Code") or "Error")
            message = str(details.get("Message") or error)
            raise ConsoleError(status if 400 <= status < 600 else 400, code, f"{code}: {message}") from None
        except ParamValidationError as error:
            raise ConsoleError(400, "ValidationError", str(error)) from None
        except BotoCoreError as error:
            raise ConsoleError(502, "EndpointError", f"the endpoint did not answer: {error}") from None

    def signed_post(self, path: str, service: str) -> tuple[int, str, bytes]:
        """POST `path` on the endpoint, SigV4-signed as the administrator for `service` (what
        `samlite trigger` does): (status, x-amzn-ErrorType, body). For the endpoint's own APIs that
        boto3 has no client for; they check the signature and IAM as for any other caller."""
        import urllib.error
        import urllib.request

        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        url = f"{self._aws.url}{path}"
        credentials = self._aws.admin_credentials
        request = AWSRequest(method="POST", url=url, data=b"", headers={"User-Agent": CONSOLE_AGENT})
        signer = Credentials(credentials.access_key_id, credentials.secret_access_key)
        SigV4Auth(signer, service, self._aws.region).add_auth(request)
        prepared = urllib.request.Request(url, data=b"", headers=dict(request.headers.items()), method="POST")
        try:
            with urllib.request.urlopen(prepared, timeout=60) as response:
                return response.status, "", response.read()
        except urllib.error.HTTPError as error:
            return error.code, str(error.headers.get("x-amzn-ErrorType") or ""), error.read()
        except OSError as error:
            raise ConsoleError(502, "EndpointError", f"the endpoint did not answer: {error}") from None
