"""What `--persist` and its companions ask for, apart from the code that does it.

The command line and the local cloud's options name these on every start; the persister and its
sections (every service's snapshot code) are only imported when `--persist` is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DEFAULT_INTERVAL_S = 5.0

RemovedResources = Literal["keep", "drop"]
REMOVED_CHOICES: tuple[RemovedResources, ...] = ("keep", "drop")


@dataclass(frozen=True)
class PersistOptions:
    """`--persist` and its companions (see `samlite start --help`)."""

    interval: float = DEFAULT_INTERVAL_S
    removed_resources: RemovedResources = "keep"
    reset_state: bool = False
    reset_resources: tuple[str, ...] = ()
