"""Entry point of the reconcile function: ``upload_catalog.handlers.reconcile.handle``.

Triggered by the template's ``Schedule`` (daily by default), by ``make reconcile`` /
``scripts/reconcile.py`` through the Lambda API, and by itself to continue a run
(``controllers.reconcile_request`` lists the events). Configuration and clients are created once per
execution environment, at import; a missing variable fails the init naming it.
"""

from __future__ import annotations

from typing import Any

from upload_catalog.controllers.reconcile_repair import Repairer
from upload_catalog.controllers.reconcile_request import parse_request
from upload_catalog.controllers.reconcile_run import ReconcilePorts, ReconcileRun, RunSettings
from upload_catalog.logs import configure_logging
from upload_catalog.reconcile_config import ReconcileConfig, load_reconcile_config
from upload_catalog.services.bucket_versions import S3BucketVersions
from upload_catalog.services.catalog_partition import DynamoCatalogPartition
from upload_catalog.services.clients import create_reconcile_clients
from upload_catalog.services.continuation import LambdaContinuation
from upload_catalog.services.reconcile_checkpoints import DynamoCheckpointStore
from upload_catalog.services.s3_objects import S3ObjectStore


def build_run(config: ReconcileConfig) -> ReconcileRun:
    """Wire the real services into the run."""
    clients, lambda_client = create_reconcile_clients(with_lambda=config.function_name is not None)
    partition = DynamoCatalogPartition(clients.dynamodb, config.table_name)
    continuation = None
    if config.function_name is not None:
        continuation = LambdaContinuation(lambda_client, config.function_name)
    ports = ReconcilePorts(
        S3BucketVersions(clients.s3),
        partition,
        DynamoCheckpointStore(clients.dynamodb, config.checkpoint_table),
        continuation,
    )
    repairer = Repairer(
        S3ObjectStore(clients.s3),
        partition,
        sniff_bytes=config.sniff_bytes,
        tombstone_ttl_seconds=config.tombstone_ttl_seconds,
    )
    settings = RunSettings(
        page_size=config.page_size, workers=config.workers, max_continuations=config.max_continuations
    )
    return ReconcileRun(config.bucket, ports, repairer, settings)


CONFIG = load_reconcile_config()
LOGGER = configure_logging(CONFIG.log_level)
RUN = build_run(CONFIG)


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One step of the bucket's reconcile run; returns its summary (also logged as one JSON line)."""
    request = parse_request(event)
    remaining = context.get_remaining_time_in_millis() / 1000.0
    return RUN.run(request, invocation_id=context.aws_request_id, remaining_seconds=remaining)
