"""Entry point of the statistics function: ``upload_catalog.handlers.stats.handle``.

Triggered by the catalog table's stream (an event-source mapping with ``ReportBatchItemFailures``);
returns the partial batch response (``controllers.stats_updates``). Imports only what it uses: the
stream function's cold start is the DynamoDB client and its own rules.
"""

from __future__ import annotations

from typing import Any

from upload_catalog.controllers.stats_updates import StatsUpdater
from upload_catalog.logs import configure_logging
from upload_catalog.services.clients import create_dynamodb_client
from upload_catalog.services.stats_table import DynamoStatsStore
from upload_catalog.stats_config import load_stats_config

CONFIG = load_stats_config()
LOGGER = configure_logging(CONFIG.log_level)
UPDATER = StatsUpdater(DynamoStatsStore(create_dynamodb_client(), CONFIG.stats_table))


def handle(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    """Apply one batch of stream records to the statistics; the partial batch response."""
    return UPDATER.handle(event)
