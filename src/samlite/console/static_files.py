"""The console's page and its assets, shipped as package data: plain HTML, CSS and JavaScript, no
build step and no library. Read once, then served from memory."""

from __future__ import annotations

import functools
import hashlib
from html import escape
from importlib import resources

from samlite.console.http import not_found
from samlite.console.security import PAGE_HEADERS
from samlite.endpoint.local_apis import ApiResponse

ASSETS = {
    "console.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}


@functools.lru_cache(maxsize=8)
def _read(name: str) -> bytes:
    return resources.files("samlite.console").joinpath("static", name).read_bytes()


def page(token: str | None, base: str) -> ApiResponse:
    """index.html, with the token in it when the page may carry it (see `security`)."""
    html = _read("index.html").decode("utf-8")
    html = html.replace("{{token}}", escape(token or "", quote=True)).replace(
        "{{base}}", escape(base, quote=True)
    )
    headers = [("Content-Type", "text/html; charset=utf-8"), *PAGE_HEADERS]
    return ApiResponse(200, headers, html.encode("utf-8"))


def asset(name: str) -> ApiResponse:
    content_type = ASSETS.get(name)
    if content_type is None:
        raise not_found(f"the console has no file {name!r}")
    body = _read(name)
    etag = hashlib.sha256(body).hexdigest()[:16]
    headers = [("Content-Type", content_type), ("ETag", f'"{etag}"'), *PAGE_HEADERS]
    return ApiResponse(200, headers, body)
