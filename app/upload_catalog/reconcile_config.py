"""Configuration of the reconcile function from environment variables, read once at cold start.

``CATALOG_TABLE``, ``CHECKPOINT_TABLE`` (where runs keep their checkpoint) and ``UPLOADS_BUCKET`` name what
it works on;
``RECONCILE_PAGE_SIZE`` (keys per chunk and per List / Query page, at most 1000: S3's page),
``RECONCILE_WORKERS`` (repairs in flight), ``RECONCILE_MAX_CONTINUATIONS`` (steps chained in a row) tune
it. Lambda sets ``AWS_LAMBDA_FUNCTION_NAME``, which the function invokes to continue a run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from upload_catalog.config import ConfigError, load_config, positive_int

#: ListObjectVersions returns at most 1000 entries a page.
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class ReconcileConfig:
    table_name: str
    checkpoint_table: str
    bucket: str
    function_name: str | None
    tombstone_ttl_seconds: int
    sniff_bytes: int
    log_level: str
    page_size: int = MAX_PAGE_SIZE
    workers: int = 16
    max_continuations: int = 15


def _required(env: Mapping[str, str], name: str, what: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"environment variable {name} is not set: it must name {what}")
    return value


def load_reconcile_config(env: Mapping[str, str] | None = None) -> ReconcileConfig:
    """Build the configuration from ``env`` (default ``os.environ``); ConfigError names a bad variable."""
    env = os.environ if env is None else env
    base = load_config(env)
    continuations = env.get("RECONCILE_MAX_CONTINUATIONS", "").strip()
    if continuations and not continuations.isdigit():
        raise ConfigError(
            "environment variable RECONCILE_MAX_CONTINUATIONS must be an integer from 0, "
            f"got {continuations!r}"
        )
    return ReconcileConfig(
        table_name=base.table_name,
        checkpoint_table=_required(
            env, "CHECKPOINT_TABLE", "the table that keeps the reconcile's checkpoints"
        ),
        bucket=_required(env, "UPLOADS_BUCKET", "the uploads bucket"),
        function_name=env.get("AWS_LAMBDA_FUNCTION_NAME", "").strip() or None,
        tombstone_ttl_seconds=base.tombstone_ttl_seconds,
        sniff_bytes=base.sniff_bytes,
        log_level=base.log_level,
        page_size=positive_int(env, "RECONCILE_PAGE_SIZE", MAX_PAGE_SIZE, maximum=MAX_PAGE_SIZE),
        workers=positive_int(env, "RECONCILE_WORKERS", 16, maximum=64),
        max_continuations=int(continuations) if continuations else 15,
    )
