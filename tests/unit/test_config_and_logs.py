"""Configuration from the environment and the JSON log format."""

from __future__ import annotations

import json
import logging

import pytest
from upload_catalog.config import DEFAULT_TOMBSTONE_TTL_SECONDS, MAX_SNIFF_BYTES, ConfigError, load_config
from upload_catalog.logs import JsonFormatter


def test_defaults() -> None:
    config = load_config({"CATALOG_TABLE": "catalog"})
    assert config.table_name == "catalog"
    assert config.tombstone_ttl_seconds == DEFAULT_TOMBSTONE_TTL_SECONDS
    assert config.sniff_bytes == MAX_SNIFF_BYTES == 65536
    assert config.log_level == "INFO"


def test_overrides_and_lambda_level_names() -> None:
    config = load_config(
        {
            "CATALOG_TABLE": "t",
            "TOMBSTONE_TTL_SECONDS": "60",
            "SNIFF_BYTES": "1024",
            "AWS_LAMBDA_LOG_LEVEL": "WARN",
        }
    )
    assert (config.tombstone_ttl_seconds, config.sniff_bytes, config.log_level) == (60, 1024, "WARNING")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "CATALOG_TABLE is not set"),
        ({"CATALOG_TABLE": "  "}, "CATALOG_TABLE is not set"),
        ({"CATALOG_TABLE": "t", "TOMBSTONE_TTL_SECONDS": "soon"}, "TOMBSTONE_TTL_SECONDS must be an integer"),
        ({"CATALOG_TABLE": "t", "TOMBSTONE_TTL_SECONDS": "0"}, "TOMBSTONE_TTL_SECONDS must be positive"),
        ({"CATALOG_TABLE": "t", "SNIFF_BYTES": "70000"}, "SNIFF_BYTES must be positive and at most 65536"),
        ({"CATALOG_TABLE": "t", "LOG_LEVEL": "LOUD"}, "LOG_LEVEL has unknown level 'LOUD'"),
    ],
)
def test_bad_environment_names_the_variable(env: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(env)


def test_json_formatter_keeps_extra_fields_on_one_line() -> None:
    record = logging.LogRecord(
        "upload_catalog", logging.INFO, __file__, 1, "create %s %s", ("s3://b/k", "written"), None
    )
    record.key = "한글 k"
    record.outcome = "written"
    line = JsonFormatter().format(record)
    assert "\n" not in line
    payload = json.loads(line)
    assert payload["message"] == "create s3://b/k written"
    assert (payload["level"], payload["logger"], payload["key"], payload["outcome"]) == (
        "INFO",
        "upload_catalog",
        "한글 k",
        "written",
    )
    assert payload["timestamp"].endswith("+00:00")
