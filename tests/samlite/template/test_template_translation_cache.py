"""Translations remembered on disk (samlite.template.translation_cache): a hit is the translator's own
answer, anything that could change the answer is a miss, and a broken cache is only a miss."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from samlite.template import load_stack, translation_cache
from samlite.template.translate import translate
from samlite.template.yaml_loader import load_template_file

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.11
      Environment:
        Variables:
          STAGE: !Ref Stage
      Events:
        Get:
          Type: Api
          Properties:
            Path: /items
            Method: get
"""


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("SAMLITE_CACHE_DIR", str(directory))
    return directory / "translations"


@pytest.fixture
def translations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the translator's own runs (each cache miss is one)."""
    from samlite.template import translate as module

    runs: list[int] = []
    original = module._run_translator

    def counted(*args: Any) -> dict[str, Any]:
        runs.append(1)
        return original(*args)

    monkeypatch.setattr(module, "_run_translator", counted)
    return runs


def _translate(path: Path, parameters: dict[str, Any] | None = None, region: str = "us-east-1") -> Any:
    return translate(load_template_file(path), path.parent, parameters or {"Stage": "dev"}, region)


def test_a_hit_is_the_translators_own_answer(
    write_template: Callable[[str], Path], cache_dir: Path, translations: list[int], monkeypatch: Any
) -> None:
    path = write_template(TEMPLATE)
    first = _translate(path)
    assert len(list(cache_dir.glob("*.json"))) == 1
    second = _translate(path)
    assert second == first
    assert len(translations) == 1, "the second translation came from the cache"

    monkeypatch.setenv("SAMLITE_CACHE_DIR", "off")
    assert _translate(path) == first, "a fresh translation equals the stored one"
    assert len(translations) == 2


def test_a_whole_stack_loads_the_same_from_the_cache(
    write_template: Callable[[str], Path], cache_dir: Path, translations: list[int]
) -> None:
    path = write_template(TEMPLATE)
    first, second = load_stack(path), load_stack(path)
    assert len(translations) == 1
    assert second.resources.keys() == first.resources.keys()
    for logical_id, resource in first.resources.items():
        assert second.resources[logical_id].properties == resource.properties, logical_id


@pytest.mark.parametrize(
    "change",
    ["template", "openapi", "parameter", "region"],
)
def test_whatever_changes_the_answer_is_a_miss(
    write_template: Callable[[str], Path], cache_dir: Path, translations: list[int], change: str
) -> None:
    api = """\
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionUri: openapi.yaml
"""
    path = write_template(TEMPLATE + api)
    openapi = path.parent / "openapi.yaml"
    openapi.write_text('openapi: "3.0.1"\ninfo: {title: one, version: "1"}\npaths: {}\n')
    parameters, region = {"Stage": "dev"}, "us-east-1"
    first = _translate(path, parameters, region)
    if change == "template":
        path.write_text(path.read_text().replace("Default: dev", "Default: prod"))
    elif change == "openapi":  # inlined before the key is made: its contents are part of it
        openapi.write_text('openapi: "3.0.1"\ninfo: {title: two, version: "1"}\npaths: {}\n')
    elif change == "parameter":
        parameters = {"Stage": "prod"}
    else:
        region = "eu-west-1"
    second = _translate(path, parameters, region)
    assert len(translations) == 2, f"a changed {change} translates afresh"
    if change in ("template", "openapi"):
        assert second != first


def test_a_corrupt_or_foreign_entry_is_a_miss_and_is_replaced(
    write_template: Callable[[str], Path], cache_dir: Path, translations: list[int]
) -> None:
    path = write_template(TEMPLATE)
    first = _translate(path)
    (entry,) = cache_dir.glob("*.json")
    for damage in ("{not json", json.dumps({"key": "another", "template": {}}), "[]"):
        entry.write_text(damage)
        assert _translate(path) == first
    assert len(translations) == 4
    assert _translate(path) == first
    assert len(translations) == 4, "the last translation was stored again"


def test_an_unwritable_cache_only_costs_the_translation(
    write_template: Callable[[str], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    translations: list[int],
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("SAMLITE_CACHE_DIR", str(blocker))
    path = write_template(TEMPLATE)
    assert _translate(path) == _translate(path)
    assert len(translations) == 2


def test_an_invalid_template_is_never_cached(
    write_template: Callable[[str], Path], cache_dir: Path, translations: list[int]
) -> None:
    from samlite.errors import TemplateError

    path = write_template(TEMPLATE.replace("Type: Api", "Type: NoSuchEventSource"))
    for _ in range(2):
        with pytest.raises(TemplateError, match="SAM template is invalid"):
            _translate(path)
    assert len(translations) == 2
    assert not list(cache_dir.glob("*.json"))


def test_the_newest_entries_are_kept(
    write_template: Callable[[str], Path], cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(translation_cache, "MAX_ENTRIES", 3)
    path = write_template(TEMPLATE)
    for stage in range(5):
        _translate(path, {"Stage": f"s{stage}"})
    assert len(list(cache_dir.glob("*.json"))) == 3
    assert not list(cache_dir.glob(".*.tmp")), "no half-written file is left behind"


def test_the_default_location_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SAMLITE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert translation_cache.cache_dir() == tmp_path / "samlite" / "translations"
    monkeypatch.setenv("SAMLITE_CACHE_DIR", "off")
    assert translation_cache.cache_dir() is None
