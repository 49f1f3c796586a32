"""S3's part of the snapshot: every bucket, and every version of every object with its bytes.

What is kept is what S3's APIs show. Per bucket: its name, creation date, versioning status,
notification configuration (in PutBucketNotificationConfiguration's shape), tags, policy and default
encryption. Per key, its versions oldest first, each an object (version id, last modified, ETag, size,
storage class, the headers HeadObject answers: Content-Type and the other system metadata,
`x-amz-meta-*`, encryption, checksum, object lock, website redirect; its tags; and its bytes, kept
once as a blob named by their SHA-256) or a delete marker (version id, last modified).

Not kept: unfinished multipart uploads, object ACLs (objects come back private), bucket CORS,
lifecycle, website, logging and replication configurations.

Objects are put back into moto's buckets directly (`FakeKey`s in the bucket's version lists), never
through PutObject: no notification is sent, so restoring invokes no function.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from types import SimpleNamespace
from typing import Any

from samlite.model import AwsApi, Resource
from samlite.persistence.codec import plain, time_of, time_text
from samlite.persistence.section import CaptureContext, RestoreContext, SavedResource

BUCKET = "AWS::S3::Bucket"
_CHUNK = 1 << 20
# FakeKey attributes restored as they were, when the version has them (absent ones stay moto's default).
_KEY_FIELDS = (
    "website_redirect_location",
    "checksum_algorithm",
    "checksum_type",
    "checksum_value",
    "checksum_parts",
    "lock_mode",
    "lock_legal_status",
    "lock_until",
    "encryption",
    "kms_key_id",
    "bucket_key_enabled",
)


class S3Section:
    name = "s3"
    types = (BUCKET,)

    def __init__(self) -> None:
        # (bucket, key, version id, ETag, size, last modified) -> SHA-256 of the bytes: a version's
        # bytes never change, so each is read once however many snapshots are taken.
        self._digests: dict[tuple[str, str, str, str, int, str], str] = {}

    def template_name(self, resource: Resource) -> str | None:
        return resource.ref if resource.type == BUCKET else None

    # -- capture -------------------------------------------------------------------------------------

    def capture(self, context: CaptureContext) -> dict[str, Any]:
        s3 = context.aws.backend("s3")
        buckets = []
        seen: dict[tuple[str, str, str, str, int, str], str] = {}
        for name, bucket in sorted(dict(s3.buckets).items()):
            if getattr(bucket, "region_name", context.aws.region) != context.aws.region:
                continue  # another region's bucket: not this stack's account view
            keys = []
            for key_name, versions in sorted(dict.copy(bucket.keys).items()):
                saved = [self._version(context, s3, name, v, seen) for v in list(versions)]
                kept = [entry for entry in saved if entry is not None]
                if kept:
                    keys.append({"key": key_name, "versions": kept})
            buckets.append(
                {
                    "name": name,
                    "logical_id": context.logical_id(BUCKET, name),
                    "created": time_text(bucket.creation_date),
                    "config": _bucket_config(s3, bucket),
                    "keys": keys,
                }
            )
        self._digests = seen  # forget versions that are gone
        return {"buckets": buckets}

    def _version(
        self, context: CaptureContext, s3: Any, bucket: str, version: Any, seen: dict[Any, str]
    ) -> dict[str, Any] | None:
        last_modified = time_text(version.last_modified)
        if not hasattr(version, "contentsize"):  # a delete marker
            return {"delete_marker": True, "version_id": version.version_id, "last_modified": last_modified}
        if getattr(version, "disposed", False):
            return None  # replaced while this snapshot was taken: the next one has its successor
        identity = (bucket, version.name, version.version_id, version.etag, version.size, str(last_modified))
        digest = self._digests.get(identity)
        if digest is None or not context.folder.has_blob(digest):
            try:
                digest = context.folder.write_blob(_chunks(version))
            except ValueError:  # its buffer was closed under us: replaced meanwhile
                return None
        seen[identity] = digest
        context.blobs.add(digest)
        entry: dict[str, Any] = {
            "version_id": version._version_id,
            "versioned": bool(getattr(version, "_is_versioned", False)),
            "last_modified": last_modified,
            "etag": version.etag.strip('"'),
            "size": version.size,
            "blob": digest,
            "storage_class": version.storage_class,
            "metadata": dict(version.metadata),
            "tags": s3.tagger.get_tag_dict_for_resource(version.arn),
        }
        for field_name in _KEY_FIELDS:
            value = getattr(version, field_name, None)
            if value is not None:
                entry[field_name] = plain(value)
        return entry

    # -- reconciling ---------------------------------------------------------------------------------

    def saved(self, content: Mapping[str, Any]) -> list[SavedResource]:
        return [SavedResource(BUCKET, b["name"], b.get("logical_id")) for b in content.get("buckets", [])]

    def refusal(self, content: Mapping[str, Any], saved: SavedResource, template: Resource) -> str | None:
        return None

    def discard(self, aws: AwsApi, saved: SavedResource) -> None:
        s3 = aws.backend("s3")
        bucket = s3.buckets.get(saved.name)
        if bucket is None:
            return
        for versions in list(dict.copy(bucket.keys).values()):
            for version in list(versions):
                with contextlib.suppress(Exception):
                    version.dispose()
        bucket.keys.clear()
        s3.delete_bucket(saved.name)  # also frees the name in moto's registry of every account's buckets

    # -- restore -------------------------------------------------------------------------------------

    def restore(self, context: RestoreContext, content: Mapping[str, Any]) -> None:
        s3 = context.aws.backend("s3")
        buckets = versions = 0
        for saved in content.get("buckets", []):
            decision = context.decide(BUCKET, saved["name"])
            if decision == "drop":
                continue
            if decision == "recreate" and saved["name"] not in s3.buckets:
                s3.create_bucket(saved["name"], context.aws.region)
                _apply_config(s3, saved["name"], saved.get("config") or {})
            bucket = s3.buckets[saved["name"]]
            created = time_of(saved.get("created"))
            if created is not None:
                bucket.creation_date = created
            for entry in saved.get("keys", []):
                restored = _restore_versions(context, s3, bucket, entry["key"], entry["versions"])
                versions += restored
            buckets += 1
        if buckets:
            context.summary.append(_count(buckets, "bucket") + f" ({_count(versions, 'object version')})")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _chunks(version: Any) -> Iterator[bytes]:
    """A version's bytes a block at a time, under moto's own lock of the key (as moto reads them)."""
    buffer = getattr(version, "_value_buffer", None)
    lock = getattr(version, "lock", None)
    if buffer is None or lock is None:
        yield version.value
        return
    with lock:
        buffer.seek(0)
        while chunk := buffer.read(_CHUNK):
            yield chunk


def _bucket_config(s3: Any, bucket: Any) -> dict[str, Any]:
    policy = bucket.policy
    return {
        "versioning": bucket.versioning_status,
        "notifications": _notifications(bucket.notification_configuration),
        "tags": s3.tagger.get_tag_dict_for_resource(bucket.arn),
        "policy": policy.decode() if isinstance(policy, bytes) else policy,
        "encryption": plain(bucket.encryption) if bucket.encryption else None,
    }


def _notifications(configuration: Any) -> dict[str, Any] | None:
    """moto's NotificationConfiguration in PutBucketNotificationConfiguration's shape."""
    if configuration is None:
        return None
    shape: dict[str, Any] = {}
    for attribute, element, target in (
        ("topic", "TopicConfiguration", "Topic"),
        ("queue", "QueueConfiguration", "Queue"),
        ("cloud_function", "CloudFunctionConfiguration", "CloudFunction"),
    ):
        entries = [
            {
                "Id": n.id,
                "Event": list(n.events),
                target: n.arn,
                **({"Filter": n.filters} if n.filters else {}),
            }
            for n in getattr(configuration, attribute, None) or []
        ]
        if entries:
            shape[element] = entries
    if getattr(configuration, "event_bridge", None) is not None:
        shape["EventBridgeConfiguration"] = plain(configuration.event_bridge)
    return shape


def _apply_config(s3: Any, name: str, config: Mapping[str, Any]) -> None:
    if config.get("versioning"):
        s3.put_bucket_versioning(name, config["versioning"])
    if config.get("notifications"):
        s3.put_bucket_notification_configuration(name, config["notifications"])
    if config.get("tags"):
        s3.put_bucket_tagging(name, dict(config["tags"]))
    if config.get("policy"):
        s3.put_bucket_policy(name, str(config["policy"]).encode())
    if config.get("encryption"):
        s3.put_bucket_encryption(name, dict(config["encryption"]))


def _restore_versions(
    context: RestoreContext, s3: Any, bucket: Any, key_name: str, saved: list[Mapping[str, Any]]
) -> int:
    from moto.s3.models import FakeDeleteMarker, FakeKey

    versions: list[Any] = []
    for entry in saved:
        if entry.get("delete_marker"):
            marker = FakeDeleteMarker(key=versions[-1] if versions else SimpleNamespace(name=key_name))
            marker._version_id = entry["version_id"]
            marker.last_modified = time_of(entry["last_modified"], naive=True)
            versions.append(marker)
            continue
        data = context.folder.read_blob(entry["blob"])
        key = FakeKey(
            name=key_name,
            value=data,
            account_id=s3.account_id,
            region_name=bucket.region_name,
            storage=entry.get("storage_class") or "STANDARD",
            etag=entry.get("etag"),
            is_versioned=bool(entry.get("versioned")),
            version_id=entry.get("version_id"),
            bucket_name=bucket.name,
        )
        key.last_modified = time_of(entry["last_modified"], naive=True)
        metadata = key._metadata
        metadata.clear()
        metadata.update(entry.get("metadata") or {})
        for field_name in _KEY_FIELDS:
            if field_name in entry:
                setattr(key, field_name, entry[field_name])
        tags = entry.get("tags") or {}
        if tags:
            s3.tagger.tag_resource(key.arn, [{"Key": k, "Value": v} for k, v in tags.items()])
        versions.append(key)
    if versions:
        bucket.keys.setlist(key_name, versions)
    return len(versions)
