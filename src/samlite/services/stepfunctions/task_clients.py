"""The boto3 clients moto's state machine tasks call AWS with: this endpoint, as the task's role.

Every Task runs its service call (a Lambda invoke, SQS SendMessage, DynamoDB PutItem, EventBridge
PutEvents, a nested StartExecution...) through samlite's endpoint over HTTP, signed with an AssumeRole
session of the state machine's role (or the Task's `Credentials.RoleArn`). Lambda tasks included: they
reach samlite's Invoke API like any other caller, rather than the runtime in-process, because that is
the one path where IAM is decided for every service the same way it is for functions (the embedded
AWS checks the role's policies, resource ARNs included, and a missing `lambda:InvokeFunction` is
Lambda's own AccessDeniedException), where S3 events are built from the requests served, and where a
task's call cannot differ from the same call made by a function or the user. The price is one local
HTTP round trip per task (about a millisecond).

Clients are cached per service, region and session (botocore clients are thread-safe; building one
costs milliseconds), and built from a session of their own (boto3's default session is not safe to
build clients from on several threads, and Map and Parallel branches run on several).
"""

from __future__ import annotations

import random
import string
import threading
from typing import Any

from samlite.endpoint.embedded_aws import EmbeddedAws
from samlite.iam.role_sessions import RoleSessions
from samlite.moto_changes import stepfunctions_task_clients

# A Lambda task waits for the function, and a function may run up to 15 minutes; Task timeouts
# (TimeoutSeconds) are enforced by the interpreter itself.
READ_TIMEOUT_S = 15 * 60 + 60
STATES_PRINCIPAL = "states.amazonaws.com"


def session_name() -> str:
    """Step Functions names its role sessions with 32 random letters (CloudTrail and AccessDenied
    messages show `assumed-role/<Role>/<32 letters>`)."""
    return "".join(random.choices(string.ascii_letters, k=32))


class TaskClients:
    """A `ClientFactory` for moto's interpreter on one endpoint (None once the endpoint stops)."""

    def __init__(self, aws: EmbeddedAws) -> None:
        self._aws = aws
        self._sessions = RoleSessions(aws)
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()
        self._boto: Any = None

    def __call__(self, service: str, region: str, role_arn: str | None) -> Any:
        if not self._aws.running:
            return None
        # moto always passes the execution's role; without one, the service acts for itself.
        credentials = (
            self._sessions.credentials(role_arn, STATES_PRINCIPAL, session_name())
            if role_arn
            else self._aws.admin_credentials
        )
        key = (service, region, credentials.access_key_id)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._client(service, region, credentials)
                self._clients[key] = client
        return client

    def _client(self, service: str, region: str, credentials: Any) -> Any:
        import boto3
        from botocore.config import Config

        if self._boto is None:
            self._boto = boto3.session.Session()
        return self._boto.client(
            service,
            endpoint_url=self._aws.url,
            region_name=region,
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
            aws_session_token=credentials.session_token,
            config=Config(
                parameter_validation=False,  # the interpreter passes JSON values as the task wrote them
                retries={"total_max_attempts": 1},  # Retry is the state machine's business
                connect_timeout=10,
                read_timeout=READ_TIMEOUT_S,
                inject_host_prefix=False,  # "sync-127.0.0.1" does not resolve
                max_pool_connections=32,
            ),
        )

    def register(self) -> None:
        stepfunctions_task_clients.use(self)

    def release(self) -> None:
        stepfunctions_task_clients.release(self)
