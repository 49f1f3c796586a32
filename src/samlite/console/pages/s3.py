"""S3 page: buckets, objects by prefix (a page at a time), preview, upload, download, delete.

Every call goes through the endpoint's S3 API as the administrator, so an upload or a delete is an
S3 request like any other: it fires the bucket's notifications, is checked by IAM, and shows in the
function's invocations a moment later. Listing does not return an object's type, so the page's types
are read from moto's stored metadata (a read, no request, no event).

An object's bytes are served as an attachment of type application/octet-stream, or for a preview of
a raster image as that image type, always under a sandboxing CSP: an uploaded HTML or SVG file never
runs as a page of the console's origin.
"""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import quote

from samlite.console.context import ConsoleContext
from samlite.console.http import ConsoleRequest, bad_request, json_response
from samlite.console.router import Router
from samlite.console.security import CONTENT_HEADERS
from samlite.endpoint.local_apis import ApiResponse

PAGE_SIZE = 100
PREVIEW_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp", "image/x-icon"}
)
PREVIEW_MAX_BYTES = 20 * 1024 * 1024


def _stored_types(context: ConsoleContext, bucket: str, keys: list[str]) -> dict[str, str]:
    try:
        store = context.sources.aws.backend("s3").get_bucket(bucket).keys
    except Exception:  # a bucket of another account or a moto internals change: types stay unknown
        return {}
    types: dict[str, str] = {}
    for key in keys:
        found = store.get(key)
        content_type = found.metadata.get("content-type") if found is not None else None
        if content_type:
            types[key] = str(content_type)
    return types


def _object_row(entry: dict[str, Any], types: dict[str, str]) -> dict[str, Any]:
    key = entry["Key"]
    content_type = types.get(key) or mimetypes.guess_type(key)[0] or "binary/octet-stream"
    return {
        "key": key,
        "size": entry.get("Size", 0),
        "lastModified": entry.get("LastModified"),
        "etag": str(entry.get("ETag", "")).strip('"'),
        "storageClass": entry.get("StorageClass", "STANDARD"),
        "contentType": content_type,
        "previewable": content_type in PREVIEW_TYPES and entry.get("Size", 0) <= PREVIEW_MAX_BYTES,
    }


def _disposition(key: str) -> str:
    name = key.rsplit("/", 1)[-1] or "object"
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def register(router: Router, context: ConsoleContext) -> None:
    clients = context.clients
    bucket_ids = {
        resource.ref: resource.logical_id
        for resource in context.sources.stack.resources.values()
        if resource.type == "AWS::S3::Bucket"
    }

    def buckets(_request: ConsoleRequest) -> ApiResponse:
        answer = clients.call("s3", "list_buckets")
        rows = [
            {"name": b["Name"], "created": b.get("CreationDate"), "logicalId": bucket_ids.get(b["Name"])}
            for b in answer.get("Buckets", [])
        ]
        return json_response({"buckets": rows})

    def objects(request: ConsoleRequest) -> ApiResponse:
        bucket = request.params["bucket"]
        params: dict[str, Any] = {
            "Bucket": bucket,
            "Prefix": request.arg("prefix", "") or "",
            "Delimiter": "/",
            "MaxKeys": request.int_arg("limit", PAGE_SIZE, low=1, high=1000),
        }
        if request.arg("cursor"):
            params["ContinuationToken"] = request.arg("cursor")
        answer = clients.call("s3", "list_objects_v2", **params)
        contents = answer.get("Contents", [])
        types = _stored_types(context, bucket, [entry["Key"] for entry in contents])
        return json_response(
            {
                "bucket": bucket,
                "prefix": params["Prefix"],
                "prefixes": [p["Prefix"] for p in answer.get("CommonPrefixes", [])],
                "objects": [_object_row(entry, types) for entry in contents],
                "next": answer.get("NextContinuationToken"),
            }
        )

    def content(request: ConsoleRequest) -> ApiResponse:
        bucket, key = request.params["bucket"], request.required_arg("key")
        inline = request.arg("disposition") == "inline"
        answer = clients.call("s3", "get_object", Bucket=bucket, Key=key)
        body = answer["Body"].read()
        content_type = str(answer.get("ContentType") or "")
        headers = list(CONTENT_HEADERS)
        if inline and content_type in PREVIEW_TYPES:
            headers.append(("Content-Type", content_type))
        else:
            headers += [
                ("Content-Type", "application/octet-stream"),
                ("Content-Disposition", _disposition(key)),
            ]
        return ApiResponse(200, headers, body)

    def upload(request: ConsoleRequest) -> ApiResponse:
        bucket, key = request.params["bucket"], request.required_arg("key")
        if key.startswith("/"):
            raise bad_request(f"the key {key!r} starts with '/': S3 keys are relative to the bucket")
        content_type = request.headers.get("content-type") or "binary/octet-stream"
        answer = clients.call(
            "s3", "put_object", Bucket=bucket, Key=key, Body=request.body, ContentType=content_type
        )
        return json_response(
            {
                "bucket": bucket,
                "key": key,
                "size": len(request.body),
                "etag": str(answer.get("ETag", "")).strip('"'),
                "versionId": answer.get("VersionId"),
            },
            201,
        )

    def delete(request: ConsoleRequest) -> ApiResponse:
        bucket, key = request.params["bucket"], request.required_arg("key")
        answer = clients.call("s3", "delete_object", Bucket=bucket, Key=key)
        return json_response(
            {"bucket": bucket, "key": key, "deleteMarker": answer.get("DeleteMarker", False)}
        )

    def head(request: ConsoleRequest) -> ApiResponse:
        bucket, key = request.params["bucket"], request.required_arg("key")
        answer = clients.call("s3", "head_object", Bucket=bucket, Key=key)
        answer.pop("ResponseMetadata", None)
        return json_response({"bucket": bucket, "key": key, "head": answer})

    router.add("GET", "/api/s3/buckets", buckets)
    router.add("GET", "/api/s3/buckets/{bucket}/objects", objects)
    router.add("GET", "/api/s3/buckets/{bucket}/object", content)
    router.add("GET", "/api/s3/buckets/{bucket}/object/head", head)
    router.add("PUT", "/api/s3/buckets/{bucket}/object", upload)
    router.add("DELETE", "/api/s3/buckets/{bucket}/object", delete)
