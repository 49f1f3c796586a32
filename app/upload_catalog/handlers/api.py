"""Entry point of the API function: ``upload_catalog.handlers.api.handle`` (REST API, Lambda proxy).

As for the catalog function, configuration and boto3 clients are created once per execution
environment, at import (Lambda's init phase): a missing variable fails the init naming it.
"""

from __future__ import annotations

from typing import Any

from upload_catalog.api_config import ApiConfig, load_api_config
from upload_catalog.controllers.api_http import ApiError, error_response
from upload_catalog.controllers.cors import CorsPolicy
from upload_catalog.controllers.objects_api import ObjectsController
from upload_catalog.controllers.router import Router
from upload_catalog.controllers.stats_api import StatsController
from upload_catalog.controllers.uploads_api import UploadRules, UploadsController
from upload_catalog.handlers.api_gateway import request_from_event, result_from_response
from upload_catalog.logs import configure_logging
from upload_catalog.services.catalog_reader import DynamoCatalogReader
from upload_catalog.services.clients import create_api_clients
from upload_catalog.services.object_urls import S3ObjectUrls
from upload_catalog.services.stats_table import DynamoStatsReader


def build_router(config: ApiConfig) -> Router:
    """Wire the real services into the controllers."""
    clients = create_api_clients()
    urls = S3ObjectUrls(clients.s3)
    return Router(
        ObjectsController(DynamoCatalogReader(clients.dynamodb, config.table_name), urls, config.bucket),
        UploadsController(urls, config.bucket, UploadRules(config.allowed_types, config.max_upload_bytes)),
        StatsController(DynamoStatsReader(clients.dynamodb, config.stats_table), config.bucket),
        CorsPolicy(config.cors_origins),
    )


CONFIG = load_api_config()
LOGGER = configure_logging(CONFIG.log_level)
ROUTER = build_router(CONFIG)


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one API Gateway proxy request (payload format 1.0)."""
    try:
        request = request_from_event(event)
    except ApiError as err:
        return result_from_response(error_response(err))
    response = ROUTER.dispatch(request)
    LOGGER.info(
        "%s %s %s",
        request.method,
        request.resource,
        response.status,
        extra={"method": request.method, "resource": request.resource, "status": response.status},
    )
    return result_from_response(response)
