"""Events in AWS's literal shapes (tests/unit/corpus/*.json), each with the parse it must produce."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from upload_catalog.controllers.catalog import CatalogController, EventProcessingError
from upload_catalog.controllers.events import parse_event

from tests.unit.fakes import FakeBucket, FakeCatalog

CORPUS = sorted((Path(__file__).parent / "corpus").glob("*.json"))


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_parses_as_expected(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    parsed = parse_event(case["event"])
    expected = case["expected"]
    assert [[i, o.action.value, o.key] for i, o in parsed.objects] == expected["objects"]
    assert [[i, ig.event_name] for i, ig in parsed.ignored] == expected["ignored"]
    assert len(parsed.malformed) == len(expected["malformed"])
    for bad, (index, reason) in zip(parsed.malformed, expected["malformed"], strict=True):
        assert bad.index == index and reason in bad.reason


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_through_the_controller_fails_exactly_when_a_record_is_malformed(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    ctrl = CatalogController(FakeBucket(), FakeCatalog(), sniff_bytes=65536, tombstone_ttl_seconds=60)
    if case["expected"]["malformed"]:
        with pytest.raises(EventProcessingError):
            ctrl.handle_event(case["event"])
    else:
        report = ctrl.handle_event(case["event"])
        assert len(report.records) == len(case["expected"]["objects"]) + len(case["expected"]["ignored"])
