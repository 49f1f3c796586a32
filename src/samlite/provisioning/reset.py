"""Empty a provisioned stack's resources (test isolation), or remove them (when the local cloud stops).

`empty_resources`: buckets, tables and queues lose their contents but stay as provisioned (names,
notification configurations, keys, attributes), so each test starts from a freshly provisioned stack.
`remove_resources`: the stack's resources leave moto's backends, which are global to the process, so a
later start of the same template in the same process (a test session, the pytest plugin) provisions
it afresh instead of failing on names already taken.

Everything is done in moto's backends, in-process, and never through the endpoint: S3 events are built
from the requests the endpoint serves (`S3Notifier`), so emptying a bucket this way fires no
`ObjectRemoved` event and invokes no function.
"""

from __future__ import annotations

from collections.abc import Iterable

from samlite.model import AwsApi, Resource
from samlite.provisioning.resources import KINDS
from samlite.provisioning.resources.iam import remove_roles


def empty_resources(aws: AwsApi, resources: Iterable[Resource]) -> None:
    """Empty every bucket (all versions, delete markers and unfinished multipart uploads), table and
    queue among `resources`, in the running embedded AWS `aws`."""
    for resource in resources:
        kind = KINDS.get(resource.type)
        if kind is not None and kind.empty is not None:
            kind.empty(aws, resource)


def remove_resources(aws: AwsApi, resources: Iterable[Resource], role_arns: Iterable[str] = ()) -> None:
    """Delete the stack's resources (with their contents) from moto's backends; `role_arns` adds roles
    that provisioning created for functions naming a role outside the template. Missing ones are
    skipped."""
    resources = list(resources)
    empty_resources(aws, resources)
    for resource in sorted(resources, key=lambda r: -_rank(r)):  # what names others goes last
        kind = KINDS.get(resource.type)
        if kind is not None and kind.remove is not None:
            kind.remove(aws, resource)
    remove_roles(aws, set(role_arns))


def _rank(resource: Resource) -> int:
    kind = KINDS.get(resource.type)
    return kind.order(resource) if kind is not None else 9
