"""The stack under test, whichever the target (samlite or a deployed stack): outputs, clients, waiting.

Waiting for the catalog is polling the table until it converges, with a deadline; on samlite,
`settle` (the local cloud's `wait_idle`) first waits for the queued S3 events to be processed, so
polling is rarely needed there.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Deadline for the catalog to converge: S3 event delivery on AWS is usually sub-second but can take
# longer; retries of a failed invocation come minutes later there, and no test here relies on them.
AWS_CONVERGE_S = 60.0
LOCAL_CONVERGE_S = 30.0
POLL_INTERVAL_S = 0.2
# The API key resource SAM generates for `CatalogApi`'s usage plan (`Auth.UsagePlan`): `<Api>ApiKey`.
API_KEY_LOGICAL_ID = "CatalogApiApiKey"


def target_is_aws() -> bool:
    """AWS when STACK_NAME names a deployed stack and SAMLITE does not force the local target."""
    return bool(os.environ.get("STACK_NAME")) and not os.environ.get("SAMLITE")


@dataclass
class Stack:
    """The stack under test, whichever the target: outputs, clients and a way to wait for the catalog."""

    target: str  # "samlite" or "aws"
    outputs: Mapping[str, str]
    client: Callable[[str], Any]
    settle: Callable[[float], bool] = field(default=lambda timeout: True)
    converge_timeout: float = AWS_CONVERGE_S
    local: Any = None  # the LocalCloud on samlite, else None
    parameters: Mapping[str, str] = field(default_factory=dict)  # the stack's template parameters
    _api_key: str | None = field(default=None, repr=False)

    @property
    def bucket(self) -> str:
        return self.outputs["UploadsBucketName"]

    @property
    def table(self) -> str:
        return self.outputs["CatalogTableName"]

    @property
    def s3(self) -> Any:
        return self.client("s3")

    @property
    def dynamodb(self) -> Any:
        return self.client("dynamodb")

    @property
    def api_url(self) -> str:
        """Base URL of the REST API, stage included, without a trailing slash (the `ApiUrl` output)."""
        return str(self.outputs["ApiUrl"]).rstrip("/")

    @property
    def api_key(self) -> str:
        """The value of the API key (`ApiKeyId` output) to send as `x-api-key`.

        On samlite the local gateway knows the value; on AWS the output is the key's id, and its value
        is read as the output's description says (`aws apigateway get-api-key --include-value`).
        """
        if self._api_key is None:
            if self.local is not None:
                self._api_key = self.local.api_keys[API_KEY_LOGICAL_ID]
            else:
                response = self.client("apigateway").get_api_key(
                    apiKey=self.outputs["ApiKeyId"], includeValue=True
                )
                self._api_key = str(response["value"])
        return self._api_key

    @property
    def cors_origins(self) -> tuple[str, ...]:
        """The origins the stack allows (template parameter `CorsAllowedOrigins`), empty when none."""
        raw = self.parameters.get("CorsAllowedOrigins", "")
        return tuple(origin.strip() for origin in raw.split(",") if origin.strip())

    def catalog_item(self, key: str) -> dict[str, Any] | None:
        """The catalog entry of `key` in plain Python values (strongly consistent read), or None."""
        response = self.dynamodb.get_item(
            TableName=self.table,
            Key={"bucket": {"S": self.bucket}, "key": {"S": key}},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return None if item is None else {name: plain(value) for name, value in item.items()}

    def wait_for(self, key: str, predicate: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        """Poll the catalog until `key`'s entry satisfies `predicate`; fail with the last entry seen."""
        deadline = time.monotonic() + self.converge_timeout
        self.settle(self.converge_timeout)
        while True:
            item = self.catalog_item(key)
            if item is not None and predicate(item):
                return item
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"catalog entry of {key!r} never became {what} within {self.converge_timeout:g} s; "
                    f"last seen: {item!r}"
                )
            time.sleep(POLL_INTERVAL_S)
            self.settle(POLL_INTERVAL_S)

    def wait_live(self, key: str, etag: str | None = None) -> dict[str, Any]:
        """The live entry of `key` (with that ETag, when given)."""

        def live(item: dict[str, Any]) -> bool:
            return not item.get("deleted") and (etag is None or item.get("etag") == etag.strip('"'))

        return self.wait_for(key, live, f"live (etag {etag})" if etag else "live")

    def wait_tombstone(self, key: str) -> dict[str, Any]:
        """The tombstone of `key`."""
        return self.wait_for(key, lambda item: bool(item.get("deleted")), "a tombstone")


def plain(value: Mapping[str, Any]) -> Any:
    """A DynamoDB attribute value (low-level shape) as a Python value; numbers become int."""
    ((kind, raw),) = value.items()
    if kind == "N":
        return int(raw) if raw.lstrip("-").isdigit() else float(raw)
    if kind == "BOOL":
        return bool(raw)
    if kind == "NULL":
        return None
    return raw


def aws_stack(stack_name: str) -> Stack:
    """The deployed stack: outputs from CloudFormation DescribeStacks, default clients."""
    import boto3

    description = boto3.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
    outputs = {item["OutputKey"]: item["OutputValue"] for item in description.get("Outputs", [])}
    parameters = {
        item["ParameterKey"]: item.get("ResolvedValue", item.get("ParameterValue", ""))
        for item in description.get("Parameters", [])
    }
    clients: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in clients:
            clients[service] = boto3.client(service)
        return clients[service]

    return Stack(
        target="aws", outputs=outputs, client=client, converge_timeout=AWS_CONVERGE_S, parameters=parameters
    )


@dataclass
class CatalogApi:
    """The catalog's REST API over real HTTP (`requests`), with the stack's key unless told otherwise.

    Paths are relative to the stage URL (`/objects`, ...). Redirects are never followed implicitly:
    the 302 of `/content` is part of what the tests check.
    """

    base_url: str
    key: str
    session: Any = None
    timeout_s: float = 30.0

    def __post_init__(self) -> None:
        if self.session is None:
            import requests

            self.session = requests.Session()

    def request(
        self, method: str, path: str, *, key: str | None = None, send_key: bool = True, **kwargs: Any
    ) -> Any:
        """`method` on `path`; `key` replaces the stack's key, `send_key=False` sends none."""
        headers = dict(kwargs.pop("headers", None) or {})
        if send_key:
            headers["x-api-key"] = self.key if key is None else key
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", self.timeout_s)
        return self.session.request(method, self.base_url + path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def object_path(self, key: str, suffix: str = "") -> str:
        """`/objects/<key>` with the key percent-encoded as UTF-8, slashes kept literal."""
        from urllib.parse import quote

        return f"/objects/{quote(key, safe='/')}{suffix}"

    def list_all(self, **params: Any) -> list[list[str]]:
        """Follow `next_cursor` from the first page to the last; the keys of each page, in order."""
        pages: list[list[str]] = []
        query = {name: value for name, value in params.items() if value is not None}
        for _ in range(1000):
            response = self.get("/objects", params=query)
            assert response.status_code == 200, response.text
            body = response.json()
            pages.append([item["key"] for item in body["items"]])
            if body["next_cursor"] is None:
                return pages
            query["cursor"] = body["next_cursor"]
        raise AssertionError(f"GET /objects {params} still had a next_cursor after 1000 pages")
