"""Configuration from environment variables, read once at cold start.

The Lambda code has no local-only branches: the same variables drive it on AWS and on samlite, and
boto3 itself honours ``AWS_ENDPOINT_URL`` for a local endpoint.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

#: Bytes read from the start of an object to detect its type and image size (the issue's bound).
MAX_SNIFF_BYTES = 64 * 1024

#: Tombstones must outlive every late event that could still arrive. Lambda keeps an async event at most
#: ``MaximumEventAgeInSeconds`` (6 h at most) and the dead-letter queue keeps a failed one up to 14 days
#: (SQS maximum retention) before an operator may redrive it; 15 days covers both.
DEFAULT_TOMBSTONE_TTL_SECONDS = 15 * 24 * 3600


class ConfigError(ValueError):
    """An environment variable is missing or invalid; the message names it."""


@dataclass(frozen=True)
class Config:
    """Settings of the catalog function."""

    table_name: str
    tombstone_ttl_seconds: int = DEFAULT_TOMBSTONE_TTL_SECONDS
    sniff_bytes: int = MAX_SNIFF_BYTES
    log_level: str = "INFO"


def positive_int(env: Mapping[str, str], name: str, default: int, maximum: int | None = None) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"environment variable {name} must be an integer, got {raw!r}") from None
    if value <= 0 or (maximum is not None and value > maximum):
        bound = f" and at most {maximum}" if maximum is not None else ""
        raise ConfigError(f"environment variable {name} must be positive{bound}, got {value}")
    return value


def load_config(env: Mapping[str, str] | None = None) -> Config:
    """Build the configuration from ``env`` (default ``os.environ``); ConfigError names a bad variable."""
    env = os.environ if env is None else env
    table_name = env.get("CATALOG_TABLE", "").strip()
    if not table_name:
        raise ConfigError("environment variable CATALOG_TABLE is not set: it must name the catalog table")
    return Config(
        table_name=table_name,
        tombstone_ttl_seconds=positive_int(env, "TOMBSTONE_TTL_SECONDS", DEFAULT_TOMBSTONE_TTL_SECONDS),
        sniff_bytes=positive_int(env, "SNIFF_BYTES", MAX_SNIFF_BYTES, maximum=MAX_SNIFF_BYTES),
        log_level=log_level(env),
    )


def log_level(env: Mapping[str, str]) -> str:
    """The logging level: Lambda sets AWS_LAMBDA_LOG_LEVEL from LoggingConfig.ApplicationLogLevel;
    LOG_LEVEL overrides it locally."""
    level = (env.get("LOG_LEVEL") or env.get("AWS_LAMBDA_LOG_LEVEL") or "INFO").strip().upper()
    if level not in {"DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL", "TRACE", "FATAL"}:
        raise ConfigError(f"environment variable LOG_LEVEL has unknown level {level!r}")
    return {"WARN": "WARNING", "TRACE": "DEBUG", "FATAL": "CRITICAL"}.get(level, level)
