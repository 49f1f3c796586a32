"""The functions the Lambda API knows: by name, ARN, partial ARN or logical id, with their versions and
aliases, resolved as Lambda resolves a FunctionName and a Qualifier.

Every part of samlite that reaches a function goes through here: the Invoke API, S3 notifications and
other targets (`arn:...:function:NAME:live` reaches what the alias `live` points at), the API gateway
(`current`) and the read/update calls of the Lambda API. Lambda's rules ("Invoke", "Lambda function
aliases", "Lambda function versions" in the Lambda developer guide):

- a FunctionName is a name (`my-function`, `my-function:v1`), an ARN or a partial ARN
  (`123456789012:function:my-function`), optionally ending in `:QUALIFIER`; a `Qualifier` given
  separately must agree with it;
- no qualifier and `$LATEST` mean the unpublished version; a number means that published version; any
  other qualifier names an alias, which runs the version it points at;
- a published version is a snapshot of the function's configuration when it was published: changing
  `$LATEST` (UpdateFunctionConfiguration) leaves it as it was.

samlite also accepts a function's logical id wherever a name goes, as SAM's local endpoint does
(`sam local start-lambda`): a physical name that happens to equal another function's logical id wins.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from samlite.model import LATEST_VERSION, FunctionSpec

LATEST = LATEST_VERSION
ARN_PATTERN = re.compile(
    r"^(?:arn:(?P<partition>[\w-]+):lambda:(?P<region>[\w-]+):)?(?:(?P<account>\d{12}):)?"
    r"(?:function:)?(?P<name>[A-Za-z0-9_-]+)(?::(?P<qualifier>[A-Za-z0-9$_-]+))?$"
)
VERSION_NUMBER = re.compile(r"^[0-9]+$")
# "Name" of CreateAlias / AWS::Lambda::Alias: not only digits (that would be a version).
ALIAS_NAME = re.compile(r"^(?!^[0-9]+$)[a-zA-Z0-9_-]{1,128}$")

Listener = Callable[[FunctionSpec], None]


def lambda_timestamp(when: datetime | None = None) -> str:
    """`LastModified` as the Lambda API writes it: `2024-05-01T12:00:00.000+0000`."""
    when = when or datetime.now(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"


def new_revision_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class PublishedVersion:
    """A version of a function: its configuration as it was published (`spec.version` is its number)."""

    spec: FunctionSpec
    description: str
    last_modified: str
    revision_id: str = field(default_factory=new_revision_id)


@dataclass(frozen=True)
class Alias:
    """An alias: a name for one version (`function_version`, or "$LATEST").

    `additional_weights` (RoutingConfig) are reported by GetAlias but not applied: every invocation
    of the alias runs `function_version`, so local runs are deterministic (a start-up warning says so).
    """

    name: str
    function_version: str
    description: str = ""
    additional_weights: Mapping[str, float] = field(default_factory=dict)
    revision_id: str = field(default_factory=new_revision_id)


@dataclass
class FunctionEntry:
    """One function: its $LATEST configuration (`spec`, maybe changed through the API), the one the
    template gave (`template`), its published versions and its aliases.

    `properties` are the template's `AWS::Lambda::Function` properties (intrinsics resolved), from
    which the Lambda API reports what FunctionSpec does not carry (tags, tracing, VPC...).
    """

    template: FunctionSpec
    spec: FunctionSpec
    properties: Mapping[str, Any]
    description: str
    last_modified: str
    revision_id: str = field(default_factory=new_revision_id)
    versions: dict[str, PublishedVersion] = field(default_factory=dict)
    aliases: dict[str, Alias] = field(default_factory=dict)
    template_description: str = ""

    @property
    def name(self) -> str:
        return self.spec.function_name


@dataclass(frozen=True)
class Target:
    """What a FunctionName (and Qualifier) designates: the function, the configuration that runs, and
    the qualifier as the caller wrote it (None when unqualified)."""

    entry: FunctionEntry
    spec: FunctionSpec
    qualifier: str | None
    alias: Alias | None = None

    @property
    def version(self) -> str:
        return self.spec.version


class FunctionNotFound(LookupError):
    """No function (or no such version or alias of it): `arn` is what Lambda names in its message."""

    def __init__(self, arn: str) -> None:
        super().__init__(f"Function not found: {arn}")
        self.arn = arn


class QualifierConflict(ValueError):
    """The FunctionName ends in one qualifier and the Qualifier parameter says another."""

    def __init__(self) -> None:
        super().__init__(
            "The derived qualifier from the function name does not match the specified qualifier."
        )


@dataclass
class FunctionRegistry:
    """The functions of the stack, by name and logical id, with the ARN Lambda would give each."""

    region: str
    account_id: str
    partition: str = "aws"
    _by_name: dict[str, FunctionEntry] = field(default_factory=dict)
    _by_logical_id: dict[str, str] = field(default_factory=dict)
    _listeners: list[Listener] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # -- what provisioning registers -------------------------------------------------------------

    def register(
        self, spec: FunctionSpec, properties: Mapping[str, Any] | None = None, description: str = ""
    ) -> str:
        """Make `spec` invocable and return its ARN; a name already taken by another function is refused."""
        with self._lock:
            existing = self._by_name.get(spec.function_name)
            if existing is not None and existing.spec.logical_id != spec.logical_id:
                raise ValueError(
                    f"{spec.logical_id}: FunctionName {spec.function_name!r} is already used by "
                    f"{existing.spec.logical_id}"
                )
            spec = _latest(spec)
            self._by_name[spec.function_name] = FunctionEntry(
                template=spec,
                spec=spec,
                properties=dict(properties or {}),
                description=description,
                template_description=description,
                last_modified=lambda_timestamp(),
            )
            self._by_logical_id[spec.logical_id] = spec.function_name
        return self.arn(spec.function_name)

    def publish_version(
        self, function: str, version: str, description: str | None = None
    ) -> PublishedVersion:
        """Publish `version` of `function` (name, ARN or logical id) from its current configuration.

        Raises FunctionNotFound, or ValueError for a version number that is not a number or is taken.
        """
        with self._lock:
            entry = self.find(function).entry
            if not VERSION_NUMBER.match(version):
                raise ValueError(f"version {version!r} of {entry.name} is not a version number")
            if version in entry.versions:
                raise ValueError(f"version {version} of {entry.name} is already published")
            published = PublishedVersion(
                spec=replace(entry.spec, version=version),
                description=entry.description if description is None else description,
                last_modified=lambda_timestamp(),
            )
            entry.versions[version] = published
            return published

    def add_alias(self, function: str, alias: Alias) -> None:
        """Give `function` the alias; raises FunctionNotFound, or ValueError naming what is wrong."""
        with self._lock:
            entry = self.find(function).entry
            if not ALIAS_NAME.match(alias.name):
                raise ValueError(
                    f"alias name {alias.name!r} is not valid "
                    "(1-128 letters, digits, - and _, not only digits)"
                )
            if alias.name in entry.aliases:
                raise ValueError(f"alias {alias.name!r} of {entry.name} already exists")
            for version in (alias.function_version, *alias.additional_weights):
                if version != LATEST and version not in entry.versions:
                    published = ", ".join(sorted(entry.versions, key=int)) or "none"
                    raise ValueError(
                        f"{entry.name} has no version {version!r} for alias {alias.name!r} "
                        f"(published: {published})"
                    )
            entry.aliases[alias.name] = alias

    # -- resolution ------------------------------------------------------------------------------

    def arn(self, function_name: str, qualifier: str | None = None) -> str:
        base = f"arn:{self.partition}:lambda:{self.region}:{self.account_id}:function:{function_name}"
        return f"{base}:{qualifier}" if qualifier else base

    def find(self, name_or_arn: str, qualifier: str | None = None) -> Target:
        """What a FunctionName (maybe qualified) and a Qualifier designate.

        Raises FunctionNotFound (naming the ARN Lambda names in its 404) or QualifierConflict.
        """
        match = ARN_PATTERN.match(name_or_arn)
        if match is None:
            raise FunctionNotFound(name_or_arn)
        embedded = match["qualifier"]
        if embedded and qualifier and embedded != qualifier:
            raise QualifierConflict
        effective = embedded or qualifier or None
        with self._lock:
            name = match["name"]
            entry = self._by_name.get(name)
            if entry is None and name in self._by_logical_id:
                entry = self._by_name.get(self._by_logical_id[name])
            foreign = (match["region"] and match["region"] != self.region) or (
                match["account"] and match["account"] != self.account_id
            )
            if entry is None or foreign:
                raise FunctionNotFound(
                    name_or_arn if name_or_arn.startswith("arn:") else self.arn(name, effective)
                )
            return self._target(entry, effective)

    def _target(self, entry: FunctionEntry, qualifier: str | None) -> Target:
        if qualifier in (None, LATEST):
            return Target(entry, entry.spec, qualifier)
        if qualifier in entry.versions:
            return Target(entry, entry.versions[qualifier].spec, qualifier)
        alias = entry.aliases.get(qualifier)
        if alias is None:
            raise FunctionNotFound(self.arn(entry.name, qualifier))
        if alias.function_version == LATEST:
            return Target(entry, entry.spec, qualifier, alias)
        return Target(entry, entry.versions[alias.function_version].spec, qualifier, alias)

    def knows(self, name_or_arn: str) -> bool:
        """Whether the function a FunctionName names (whatever its qualifier) is one of these."""
        try:
            self.find(re.sub(r":[^:]*$", "", name_or_arn) if _qualified(name_or_arn) else name_or_arn)
        except (FunctionNotFound, QualifierConflict):
            return False
        return True

    def resolve(self, name_or_arn: str, qualifier: str | None = None) -> FunctionSpec | None:
        """The configuration a FunctionName (and Qualifier) runs, or None when it names nothing here."""
        try:
            return self.find(name_or_arn, qualifier).spec
        except (FunctionNotFound, QualifierConflict):
            return None

    def current(self, spec: FunctionSpec) -> FunctionSpec:
        """The configuration of `spec`'s function and version now: a spec taken from the template
        before an UpdateFunctionConfiguration runs as updated. Unknown specs are returned as they are."""
        with self._lock:
            entry = self._by_name.get(spec.function_name)
            if entry is None:
                return spec
            if spec.version == LATEST:
                return entry.spec
            published = entry.versions.get(spec.version)
            return published.spec if published is not None else spec

    def entry(self, function_name: str) -> FunctionEntry | None:
        with self._lock:
            return self._by_name.get(function_name)

    def entries(self) -> list[FunctionEntry]:
        """Every function, by name."""
        with self._lock:
            return [self._by_name[name] for name in sorted(self._by_name)]

    # -- changes through the Lambda API ----------------------------------------------------------

    def on_change(self, listener: Listener) -> None:
        """Call `listener(spec)` with a function's new $LATEST configuration after each change (the
        local cloud recycles that function's warm workers)."""
        with self._lock:
            self._listeners.append(listener)

    def update(self, function_name: str, spec: FunctionSpec, description: str | None = None) -> FunctionEntry:
        """Replace the $LATEST configuration of `function_name` (UpdateFunctionConfiguration)."""
        with self._lock:
            entry = self._by_name[function_name]
            entry.spec = _latest(spec)
            if description is not None:
                entry.description = description
            entry.last_modified = lambda_timestamp()
            entry.revision_id = new_revision_id()
            listeners = list(self._listeners)
        for listener in listeners:
            listener(entry.spec)
        return entry

    def restore(self) -> None:
        """Every function back to the template's configuration (the local cloud's `reset()`)."""
        with self._lock:
            changed = [entry for entry in self._by_name.values() if entry.spec != entry.template]
            for entry in changed:
                entry.spec = entry.template
                entry.description = entry.template_description
                entry.last_modified = lambda_timestamp()
                entry.revision_id = new_revision_id()
            listeners = list(self._listeners)
        for entry in changed:
            for listener in listeners:
                listener(entry.spec)

    def __iter__(self) -> Iterator[FunctionSpec]:
        """The $LATEST configuration of every function."""
        with self._lock:
            return iter([entry.spec for entry in self._by_name.values()])

    def __len__(self) -> int:
        return len(self._by_name)


def _latest(spec: FunctionSpec) -> FunctionSpec:
    return spec if spec.version == LATEST else replace(spec, version=LATEST)


def _qualified(name_or_arn: str) -> bool:
    match = ARN_PATTERN.match(name_or_arn)
    return match is not None and match["qualifier"] is not None
