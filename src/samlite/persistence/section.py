"""What one service's part of the snapshot must do: `Section`, and the contexts it works in.

Each section module (`s3`, `dynamodb`, `sqs`, ...) captures what that service's APIs would show for
every resource in the embedded AWS (the template's and those created through the API), as plain JSON,
and restores it into moto's backends, in-process, so that restoring fires no S3 event and invokes no
function (as provisioning and reset do it, for the same reason). moto's own objects are never pickled:
they change between moto releases, while what the AWS APIs show does not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from samlite.model import AwsApi, Resource
from samlite.persistence.state_folder import StateFolder

# What restoring does with one saved resource (see `samlite.persistence.reconcile`).
Decision = Literal["into-template", "recreate", "drop"]


@dataclass(frozen=True)
class SavedResource:
    """One resource of a snapshot: its CloudFormation type, its name (as the section keys it: a bucket
    or table name, a topic or secret ARN) and the template's logical id it had when it was saved (None
    for a resource created through the API)."""

    type: str
    name: str
    logical_id: str | None


@dataclass
class CaptureContext:
    """What a capture works with: the embedded AWS, the folder (for blobs), the current template's
    logical id of each of its resources by (type, name), and the blobs the capture refers to."""

    aws: AwsApi
    folder: StateFolder
    logical_ids: Mapping[tuple[str, str], str]
    blobs: set[str] = field(default_factory=set)

    def logical_id(self, type_: str, name: str) -> str | None:
        return self.logical_ids.get((type_, name))


@dataclass
class RestoreContext:
    """What a restore works with: the embedded AWS, the folder, the decision for each saved resource,
    and where to say what was done."""

    aws: AwsApi
    folder: StateFolder
    decide: Callable[[str, str], Decision]
    log: Callable[[str], None]
    summary: list[str] = field(default_factory=list)  # "2 buckets (14 object versions)", ...


class Section(Protocol):
    """One service's part of the snapshot (see the module docstring)."""

    name: str  # the section's name in the manifest
    types: tuple[str, ...]  # the CloudFormation types whose resources it holds

    def template_name(self, resource: Resource) -> str | None:
        """The name this section keys `resource` by (one of `types`), as provisioning created it."""
        ...

    def capture(self, context: CaptureContext) -> dict[str, Any]:
        """Everything of this service in the embedded AWS, as JSON."""
        ...

    def saved(self, content: Mapping[str, Any]) -> list[SavedResource]:
        """The resources a captured content holds."""
        ...

    def refusal(self, content: Mapping[str, Any], saved: SavedResource, template: Resource) -> str | None:
        """Why the saved resource cannot go into the template's resource of the same name (a table
        whose keys changed), or None."""
        ...

    def restore(self, context: RestoreContext, content: Mapping[str, Any]) -> None:
        """Put the content back: into the template's freshly provisioned resources, or recreated."""
        ...

    def discard(self, aws: AwsApi, saved: SavedResource) -> None:
        """Remove a resource `restore` recreated from moto's process-wide backends (on stop, after the
        last snapshot), as the stop removes the template's: a later start in this process finds moto
        as a new process would."""
        ...
