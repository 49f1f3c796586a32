"""Object keys in URLs: ``/objects/{key+}`` and its ``/content`` suffix.

A REST API (payload format 1.0) passes ``pathParameters`` still percent-encoded, as the client sent
them (aws/aws-lambda-dotnet#386: ``files/tmh/file%20name.xml`` arrives as ``tmh/file%20name.xml``;
serverless/serverless#5037; live captures in hotsock/voker#8), unlike HTTP APIs (payload 2.0), which
decode them (aws-powertools/powertools-lambda-python#1098). The key is therefore decoded here, once,
with ``unquote`` (not ``unquote_plus``: in a path a ``+`` is a literal plus, unlike in S3 event keys).
Decoding is strict UTF-8 (``object_key``, the rule the catalog function applies to event keys too):
bytes that are not UTF-8 are a 400 naming the key, not a mangled key.

API Gateway only accepts a greedy variable as the *last* path segment (Amazon API Gateway Developer
Guide, "greedy path variable must be at the end of the resource path"), so ``/objects/{key+}/content``
cannot be its own resource: the route is ``GET /objects/{key+}`` and a raw parameter ending in
``/content`` selects the content route. The suffix is recognised on the raw value, so the metadata of
a key whose last segment is ``content`` stays reachable by encoding that slash: ``/objects/a%2Fcontent``.
"""

from __future__ import annotations

from upload_catalog.controllers.api_http import ApiError
from upload_catalog.object_key import InvalidKey
from upload_catalog.object_key import decode_key as decode_object_key

CONTENT_SUFFIX = "/content"


def decode_key(raw: str | None) -> str:
    """The object key of a raw ``{key+}`` path parameter; ApiError 400 names what is wrong."""
    if not raw:
        raise ApiError(400, "path parameter key is empty: use /objects/{key}")
    try:
        return decode_object_key(raw, form_encoded=False)
    except InvalidKey as err:
        shown = raw if len(raw) <= 80 else raw[:80] + "..."
        raise ApiError(400, f"path parameter key {shown!r} {err}") from None


def is_content_path(raw: str | None) -> bool:
    """Whether a raw ``{key+}`` value addresses the content route (``<key>/content``)."""
    return bool(raw) and raw.endswith(CONTENT_SUFFIX) and len(raw) > len(CONTENT_SUFFIX)


def strip_content_suffix(raw: str) -> str:
    return raw[: -len(CONTENT_SUFFIX)]
