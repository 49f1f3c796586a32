"""Configuration of the API function from environment variables, read once at cold start.

The template passes its parameters through: ``ALLOWED_CONTENT_TYPES`` (comma-separated media types,
``image/*`` for a family), ``MAX_UPLOAD_BYTES``, ``CORS_ALLOWED_ORIGINS`` (comma-separated origins;
empty means no cross-origin browser access), plus the table, statistics table and bucket names.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from upload_catalog.catalog_index import MEDIA_RANGE
from upload_catalog.config import ConfigError, load_config

#: A presigned POST can upload at most 5 GiB (Amazon S3 User Guide, "Uploading objects").
MAX_POST_BYTES = 5 * 1024**3
_ORIGIN = re.compile(r"^https?://[^/\s?#]+$")


@dataclass(frozen=True)
class ApiConfig:
    """Settings of the API function."""

    table_name: str
    bucket: str
    stats_table: str
    allowed_types: tuple[str, ...]
    max_upload_bytes: int
    cors_origins: frozenset[str]
    log_level: str = "INFO"


def _split(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def load_api_config(env: Mapping[str, str] | None = None) -> ApiConfig:
    """Build the configuration from ``env`` (default ``os.environ``); ConfigError names a bad variable."""
    env = os.environ if env is None else env
    base = load_config(env)
    bucket = env.get("UPLOADS_BUCKET", "").strip()
    if not bucket:
        raise ConfigError("environment variable UPLOADS_BUCKET is not set: it must name the uploads bucket")
    stats_table = env.get("STATS_TABLE", "").strip()
    if not stats_table:
        raise ConfigError("environment variable STATS_TABLE is not set: it must name the statistics table")
    types = [t.lower() for t in _split(env.get("ALLOWED_CONTENT_TYPES", ""))]
    if not types:
        raise ConfigError("environment variable ALLOWED_CONTENT_TYPES is empty: name at least one media type")
    bad = [t for t in types if not MEDIA_RANGE.match(t)]
    if bad:
        raise ConfigError(f"environment variable ALLOWED_CONTENT_TYPES has invalid media types: {bad}")
    raw_max = env.get("MAX_UPLOAD_BYTES", "").strip()
    if not raw_max.isdigit() or not 0 < int(raw_max) <= MAX_POST_BYTES:
        raise ConfigError(
            f"environment variable MAX_UPLOAD_BYTES must be an integer from 1 to {MAX_POST_BYTES}, "
            f"got {raw_max!r}"
        )
    origins = [o.rstrip("/") for o in _split(env.get("CORS_ALLOWED_ORIGINS", ""))]
    bad = [o for o in origins if o != "*" and not _ORIGIN.match(o)]
    if bad:
        raise ConfigError(
            f"environment variable CORS_ALLOWED_ORIGINS has invalid origins {bad}: use scheme://host[:port]"
        )
    return ApiConfig(
        table_name=base.table_name,
        bucket=bucket,
        stats_table=stats_table,
        allowed_types=tuple(dict.fromkeys(types)),
        max_upload_bytes=int(raw_max),
        cors_origins=frozenset(origins),
        log_level=base.log_level,
    )
