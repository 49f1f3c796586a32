"""The Lambda API calls tools make besides Invoke, answered from the template's functions.

moto's Lambda backend does not know the functions samlite runs, so without this `ListFunctions`
answers an empty account and `GetFunction` a 404 for every function of the template. Served here
(paths and shapes of the Lambda API reference, 2015-03-31):

- `ListFunctions` (`GET /functions/`, `MaxItems`, `Marker`, `FunctionVersion=ALL`): the template's
  functions, then any created through the API (moto's);
- `GetFunction` and `GetFunctionConfiguration` (`Qualifier` or `NAME:QUALIFIER`): a version or an
  alias reports that version's configuration under the ARN asked for;
- `ListVersionsByFunction`: `$LATEST` (ARN ending in `:$LATEST`, as Lambda lists it), then each
  published version; `GetAlias`, `ListAliases` (`FunctionVersion` filter);
- `UpdateFunctionConfiguration` (`PUT .../configuration`): `Environment`, `Timeout`, `MemorySize`,
  `Handler` and `Description` are applied to `$LATEST` at once (the warm workers are recycled, so the
  next invocation runs the new configuration; published versions keep theirs), validated as Lambda
  validates them; `RevisionId` is honoured; other fields are refused with a message naming them.
- `Code.Location` of GetFunction: a URL on this endpoint serving the package (`code_package.py`).

A FunctionName may be the logical id too. Calls naming a function the template does not have go on
to moto. With IAM on each call is authorized as Lambda authorizes it (`lambda_auth.py`): the action
`lambda:<Operation>` on the ARN named (qualified for a version or alias), `*` for ListFunctions.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

from samlite.endpoint.aws_errors import REST_JSON
from samlite.endpoint.local_apis import ApiResponse
from samlite.model import AwsError, FunctionSpec
from samlite.services.awslambda.code_package import CodePackage, CodePackages
from samlite.services.awslambda.configuration import alias_configuration, function_configuration, tags
from samlite.services.awslambda.function_updates import UpdateRefused, updated_spec
from samlite.services.awslambda.lambda_auth import authorize
from samlite.services.awslambda.registry import (
    LATEST,
    FunctionNotFound,
    FunctionRegistry,
    QualifierConflict,
    Target,
)

_FUNCTIONS = "/2015-03-31/functions"
_ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("GET", re.compile(rf"^{_FUNCTIONS}/?$"), "ListFunctions"),
    ("GET", re.compile(rf"^{_FUNCTIONS}/(?P<name>[^/]+)/?$"), "GetFunction"),
    ("GET", re.compile(rf"^{_FUNCTIONS}/(?P<name>[^/]+)/configuration/?$"), "GetFunctionConfiguration"),
    ("PUT", re.compile(rf"^{_FUNCTIONS}/(?P<name>[^/]+)/configuration/?$"), "UpdateFunctionConfiguration"),
    ("GET", re.compile(rf"^{_FUNCTIONS}/(?P<name>[^/]+)/versions/?$"), "ListVersionsByFunction"),
    ("GET", re.compile(rf"^{_FUNCTIONS}/(?P<name>[^/]+)/aliases/?$"), "ListAliases"),
    ("GET", re.compile(rf"^{_FUNCTIONS}/(?P<name>[^/]+)/aliases/(?P<alias>[^/]+)/?$"), "GetAlias"),
    ("GET", re.compile(r"^/_samlite/lambda/code/(?P<name>[^/]+)/(?P<version>[^/]+)\.zip$"), "GetCode"),
)
DEFAULT_MAX_ITEMS = 50
MAX_ITEMS_LIMIT = 10000
OtherFunctions = Callable[[bool], list[dict[str, Any]]]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True)
class Call:
    """One matched request: the operation, and the function (and alias) it names."""

    operation: str
    name: str | None = None
    alias: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class _Request:
    environ: Mapping[str, Any]
    body: bytes
    query: Mapping[str, str]
    call: Call


class LambdaFunctionsApi:
    """A `LocalApi` for the calls above. `other_functions(all_versions)` lists the configurations of
    functions created through the API (moto's), for ListFunctions; `iam_account_id` turns IAM on."""

    protocol = REST_JSON

    def __init__(
        self,
        registry: FunctionRegistry,
        iam_account_id: str | None = None,
        other_functions: OtherFunctions | None = None,
    ) -> None:
        self.registry = registry
        self._iam_account_id = iam_account_id
        self._other_functions = other_functions or (lambda all_versions: [])
        self._packages = CodePackages()

    # -- LocalApi --------------------------------------------------------------------------------

    def match(self, environ: Mapping[str, Any], body: bytes) -> Call | None:
        method = environ.get("REQUEST_METHOD")
        path = str(environ.get("PATH_INFO", ""))
        for route_method, pattern, operation in _ROUTES:
            found = pattern.match(path) if method == route_method else None
            if found is None:
                continue
            groups = {key: unquote(value) for key, value in found.groupdict().items()}
            call = Call(operation, groups.get("name"), groups.get("alias"), groups.get("version"))
            if operation != "GetCode" and call.name is not None and not self.registry.knows(call.name):
                return None  # a function of moto's (or none at all): moto answers
            return call
        return None

    def handle(self, environ: Mapping[str, Any], body: bytes, call: Call) -> ApiResponse | AwsError:
        query = {key: values[0] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
        request = _Request(environ, body, query, call)
        if call.operation == "GetCode":
            return self._code(call)
        if call.operation == "ListFunctions":
            return self._authorized(request, "*") or self._list_functions(query)
        target = self._target(request)
        if isinstance(target, AwsError):
            return target
        denied = self._authorized(request, self._resource(call, target))
        if denied is not None:
            return denied
        operation: Callable[[_Request, Target], ApiResponse | AwsError] = getattr(
            self, "_" + _snake(call.operation)
        )
        return operation(request, target)

    def _target(self, request: _Request) -> Target | AwsError:
        call = request.call
        reads_one_version = call.operation in ("GetFunction", "GetFunctionConfiguration")
        try:
            target = self.registry.find(
                str(call.name), request.query.get("Qualifier") if reads_one_version else None
            )
        except FunctionNotFound as missing:
            return AwsError(404, "ResourceNotFoundException", str(missing))
        except QualifierConflict as conflict:
            return AwsError(400, "InvalidParameterValueException", str(conflict))
        if target.qualifier is not None and not reads_one_version:
            return AwsError(
                400,
                "InvalidParameterValueException",
                f"{call.operation} takes an unqualified function name, not {call.name!r}",
            )
        return target

    def _resource(self, call: Call, target: Target) -> str:
        """The ARN Lambda authorizes the call on: as named for reads of one version or alias (a
        qualified ARN), the alias's for GetAlias, the function's for the rest ("Actions, resources,
        and condition keys for AWS Lambda")."""
        name = target.entry.name
        if call.operation in ("GetFunction", "GetFunctionConfiguration"):
            return self.registry.arn(name, target.qualifier)
        if call.operation == "GetAlias":
            return self.registry.arn(name, call.alias)
        return self.registry.arn(name)

    # -- operations (one method per operation, `_<snake_case name>`) ------------------------------

    def _get_function_configuration(self, request: _Request, target: Target) -> ApiResponse:
        return _json(self._configuration(target, self.registry.arn(target.entry.name, target.qualifier)))

    def _get_function(self, request: _Request, target: Target) -> ApiResponse:
        return _json(self._function(request.environ, target))

    def _list_versions_by_function(self, request: _Request, target: Target) -> ApiResponse | AwsError:
        name = target.entry.name
        qualifiers = [LATEST, *sorted(target.entry.versions, key=int)]
        packages: dict[Path, CodePackage] = {}
        versions = [
            self._configuration(self.registry.find(name, q), self.registry.arn(name, q), packages)
            for q in qualifiers
        ]
        return _page(versions, request.query, "Versions")

    def _list_aliases(self, request: _Request, target: Target) -> ApiResponse | AwsError:
        wanted = request.query.get("FunctionVersion")
        aliases = [
            alias_configuration(alias, self.registry.arn(target.entry.name, name))
            for name, alias in sorted(target.entry.aliases.items())
            if wanted is None or alias.function_version == wanted
        ]
        return _page(aliases, request.query, "Aliases")

    def _get_alias(self, request: _Request, target: Target) -> ApiResponse | AwsError:
        alias = target.entry.aliases.get(str(request.call.alias))
        arn = self.registry.arn(target.entry.name, request.call.alias)
        if alias is None:
            return AwsError(404, "ResourceNotFoundException", f"Cannot find alias arn: {arn}")
        return _json(alias_configuration(alias, arn))

    def _configuration(
        self, target: Target, arn: str, packages: dict[Path, CodePackage] | None = None
    ) -> dict[str, Any]:
        """`packages` memoises packages for one answer: functions sharing a CodeUri are zipped once."""
        spec = target.spec
        code = Path(spec.code_uri)
        package = packages.get(code) if packages is not None else None
        if package is None:
            package = self._packages.package(code)
            if packages is not None:
                packages[code] = package
        return function_configuration(target.entry, spec, arn=arn, package=package)

    def _function(self, environ: Mapping[str, Any], target: Target) -> dict[str, Any]:
        entry = target.entry
        host = str(environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}")
        location = f"http://{host}/_samlite/lambda/code/{entry.name}/{target.spec.version}.zip"
        response: dict[str, Any] = {
            "Configuration": self._configuration(target, self.registry.arn(entry.name, target.qualifier)),
            "Code": {"RepositoryType": "S3", "Location": location},
        }
        found_tags = tags(entry)
        if found_tags:
            response["Tags"] = found_tags
        if target.spec.reserved_concurrency is not None:
            response["Concurrency"] = {"ReservedConcurrentExecutions": target.spec.reserved_concurrency}
        return response

    def _list_functions(self, query: Mapping[str, str]) -> ApiResponse | AwsError:
        all_versions = query.get("FunctionVersion") == "ALL"
        if "FunctionVersion" in query and not all_versions:
            return AwsError(400, "InvalidParameterValueException", "FunctionVersion must be ALL when given")
        functions: list[dict[str, Any]] = []
        packages: dict[Path, CodePackage] = {}
        for entry in self.registry.entries():
            qualifiers = [None, *sorted(entry.versions, key=int)] if all_versions else [None]
            functions += [
                self._configuration(
                    self.registry.find(entry.name, qualifier),
                    self.registry.arn(entry.name, qualifier),
                    packages,
                )
                for qualifier in qualifiers
            ]
        functions += [_without_nones(config) for config in self._other_functions(all_versions)]
        return _page(functions, query, "Functions")

    def _update_function_configuration(self, request: _Request, target: Target) -> ApiResponse | AwsError:
        try:
            changes = json.loads(request.body or b"{}")
        except ValueError:
            return AwsError(400, "InvalidRequestContentException", "Could not parse request body into json")
        if not isinstance(changes, dict):
            return AwsError(400, "InvalidRequestContentException", "Could not parse request body into json")
        entry = target.entry
        revision = changes.get("RevisionId")
        if revision is not None and revision != entry.revision_id:
            return AwsError(
                412,
                "PreconditionFailedException",
                "The Revision Id provided does not match the latest Revision Id. Call the "
                "GetFunction/GetAlias API to retrieve the latest Revision Id",
            )
        try:
            spec, description = updated_spec(entry.spec, changes)
        except UpdateRefused as refused:
            return refused.error
        updated = self.registry.update(entry.name, spec, description)
        return _json(self._configuration(Target(updated, updated.spec, None), self.registry.arn(entry.name)))

    def _code(self, call: Call) -> ApiResponse | AwsError:
        try:
            spec: FunctionSpec = self.registry.find(str(call.name), call.version).spec
        except (FunctionNotFound, QualifierConflict) as missing:
            return AwsError(404, "ResourceNotFoundException", str(missing))
        package = self._packages.package(spec.code_uri)
        headers = [("Content-Type", "application/zip"), ("Content-Length", str(package.size))]
        return ApiResponse(200, headers, package.data)

    # -- helpers ---------------------------------------------------------------------------------

    def _authorized(self, request: _Request, resource: str) -> AwsError | None:
        if self._iam_account_id is None:
            return None
        action = f"lambda:{request.call.operation}"
        return authorize(self._iam_account_id, request.environ, request.body, action, resource)


def _without_nones(value: Any) -> Any:
    """moto's configurations hold None for absent fields; Lambda leaves such fields out."""
    if isinstance(value, dict):
        return {key: _without_nones(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nones(item) for item in value]
    return value


def _json(document: Mapping[str, Any], status: int = 200) -> ApiResponse:
    headers = [("Content-Type", "application/json"), ("x-amzn-RequestId", str(uuid.uuid4()))]
    return ApiResponse(status, headers, json.dumps(document).encode())


def _page(items: list[dict[str, Any]], query: Mapping[str, str], key: str) -> ApiResponse | AwsError:
    """One page of a list call: `MaxItems` (1-10000, default 50) from the opaque `Marker` on."""
    try:
        size = int(query.get("MaxItems", DEFAULT_MAX_ITEMS))
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_ITEMS_LIMIT:
        return AwsError(
            400,
            "InvalidParameterValueException",
            f"MaxItems must be between 1 and {MAX_ITEMS_LIMIT}, not {query.get('MaxItems')!r}",
        )
    start = 0
    if "Marker" in query:
        try:
            start = int(base64.urlsafe_b64decode(query["Marker"].encode()).decode())
        except ValueError:
            return AwsError(400, "InvalidParameterValueException", f"Invalid Marker {query['Marker']!r}")
    document: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        document["NextMarker"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
    return _json(document)
