"""``/objects`` routes: list, read one entry, redirect to its content, delete it."""

from __future__ import annotations

from upload_catalog.controllers.api_http import ApiError, Request, Response, json_response
from upload_catalog.controllers.api_ports import CatalogReader, ObjectUrls
from upload_catalog.controllers.listing import list_entries, parse_list_params
from upload_catalog.controllers.object_keys import decode_key, strip_content_suffix
from upload_catalog.controllers.views import entry_view
from upload_catalog.models import CatalogEntry

#: Lifetime of a download URL (the issue: 5 minutes).
DOWNLOAD_URL_SECONDS = 300


class ObjectsController:
    """Serves the catalog of one bucket through its two ports."""

    def __init__(self, catalog: CatalogReader, urls: ObjectUrls, bucket: str) -> None:
        self._catalog = catalog
        self._urls = urls
        self._bucket = bucket

    def list(self, request: Request) -> Response:
        """``GET /objects``: one page of live entries and the cursor of the next."""
        result = list_entries(self._catalog, self._bucket, parse_list_params(request.query))
        return json_response(
            200, {"items": [entry_view(e) for e in result.entries], "next_cursor": result.next_cursor}
        )

    def get(self, request: Request) -> Response:
        """``GET /objects/{key+}``: the live entry of the key, or 404."""
        entry = self._live_entry(decode_key(request.path_parameters.get("key")))
        return json_response(200, entry_view(entry))

    def content(self, request: Request) -> Response:
        """``GET /objects/{key+}/content``: 302 to a short-lived presigned GET of a catalogued object."""
        raw = strip_content_suffix(request.path_parameters.get("key", ""))
        entry = self._live_entry(decode_key(raw))
        url = self._urls.presign_get(self._bucket, entry.key, expires_in=DOWNLOAD_URL_SECONDS)
        return Response(302, None, {"Location": url, "Cache-Control": "no-store"})

    def delete(self, request: Request) -> Response:
        """``DELETE /objects/{key+}``: delete the object; the catalog follows through the S3 event.

        202, not 204: the catalog entry disappears only once the delete's event was processed. Like S3's
        DeleteObject the request is idempotent, and a key the catalog has not seen yet (its create event
        still queued) is deleted too, rather than answered with a 404 that would leave it behind.
        """
        key = decode_key(request.path_parameters.get("key"))
        self._urls.delete(self._bucket, key)
        return json_response(202, {"key": key, "status": "deleting"})

    def _live_entry(self, key: str) -> CatalogEntry:
        item = self._catalog.get(self._bucket, key)
        if not isinstance(item, CatalogEntry):  # absent, or a tombstone
            raise ApiError(404, f"no catalog entry for key {key!r}")
        return item
