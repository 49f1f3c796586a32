"""The event-source mappings of the running template, by UUID: provisioning fills it, the pollers and
the Lambda API's ListEventSourceMappings read it, and the pollers note each one's last processing
result there (what the API reports as `LastProcessingResult`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from samlite.services.awslambda.event_sources.config import MappingConfig

NO_RECORDS = "No records processed"
OK = "OK"
FUNCTION_FAILED = "PROBLEM: Function call failed"


class MappingRegistry:
    """Thread-safe; a mapping is registered once, when its template resource is provisioned."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_uuid: dict[str, MappingConfig] = {}
        self._results: dict[str, str] = {}

    def register(self, config: MappingConfig) -> None:
        with self._lock:
            existing = self._by_uuid.get(config.uuid)
            if existing is not None and existing.logical_id != config.logical_id:
                raise ValueError(
                    f"{config.logical_id}: mapping UUID {config.uuid} is {existing.logical_id}'s"
                )
            self._by_uuid[config.uuid] = config

    def note_result(self, mapping_uuid: str, failed: bool) -> None:
        with self._lock:
            self._results[mapping_uuid] = FUNCTION_FAILED if failed else OK

    def last_result(self, mapping_uuid: str) -> str:
        with self._lock:
            return self._results.get(mapping_uuid, NO_RECORDS)

    def get(self, mapping_uuid: str) -> MappingConfig | None:
        with self._lock:
            return self._by_uuid.get(mapping_uuid)

    def __iter__(self) -> Iterator[MappingConfig]:
        with self._lock:
            return iter(list(self._by_uuid.values()))

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_uuid)
