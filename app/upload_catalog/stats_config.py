"""Configuration of the statistics (stream) function: ``STATS_TABLE`` and the log level."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from upload_catalog.config import ConfigError, log_level


@dataclass(frozen=True)
class StatsConfig:
    stats_table: str
    log_level: str = "INFO"


def load_stats_config(env: Mapping[str, str] | None = None) -> StatsConfig:
    """Build the configuration from ``env`` (default ``os.environ``); ConfigError names a bad variable."""
    env = os.environ if env is None else env
    table = env.get("STATS_TABLE", "").strip()
    if not table:
        raise ConfigError("environment variable STATS_TABLE is not set: it must name the statistics table")
    return StatsConfig(stats_table=table, log_level=log_level(env))
