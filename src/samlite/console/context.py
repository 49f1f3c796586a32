"""What every console handler works with: the cloud's sources, admin clients, the request meter."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from samlite.console.aws_clients import AdminClients
from samlite.console.cost.meter import RequestMeter
from samlite.console.sources import ConsoleSources


@dataclass
class ConsoleContext:
    sources: ConsoleSources
    clients: AdminClients
    meter: RequestMeter
    started_at: float = field(default_factory=time.time)
    closed: bool = False
