"""Entry point of the catalog function: ``upload_catalog.handlers.s3_events.handle``.

Everything expensive happens once per execution environment, at import (Lambda's init phase): reading
the configuration, creating the boto3 clients. A missing ``CATALOG_TABLE`` therefore fails the init
with a message naming the variable, instead of failing every invocation later.
"""

from __future__ import annotations

from typing import Any

from upload_catalog.config import Config, load_config
from upload_catalog.controllers.catalog import CatalogController
from upload_catalog.logs import configure_logging
from upload_catalog.services.catalog_table import DynamoCatalogStore
from upload_catalog.services.clients import create_clients
from upload_catalog.services.s3_objects import S3ObjectStore


def build_controller(config: Config) -> CatalogController:
    """Wire the real services into the controller."""
    clients = create_clients()
    return CatalogController(
        S3ObjectStore(clients.s3),
        DynamoCatalogStore(clients.dynamodb, config.table_name),
        sniff_bytes=config.sniff_bytes,
        tombstone_ttl_seconds=config.tombstone_ttl_seconds,
    )


CONFIG = load_config()
LOGGER = configure_logging(CONFIG.log_level)
CONTROLLER = build_controller(CONFIG)


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Catalogue every record of an S3 notification event.

    Returns a summary of outcomes. Raises ``EventProcessingError`` (after every record was tried) when a
    record was malformed or failed, so that Lambda retries the event and finally dead-letters it.
    """
    LOGGER.debug("event received", extra={"event": event})  # the whole event only at DEBUG
    return CONTROLLER.handle_event(event).summary()
