"""A service's regions come from samlite's small file when it has them, and are always moto's answer."""

from __future__ import annotations

import pytest
from moto.core.base_backend import AccountSpecificBackend

from samlite.moto_changes import backend_regions

SERVICES = ("s3", "dynamodb", "sqs", "iam", "lambda", "events", "states")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMLITE_CACHE_DIR", str(tmp_path))
    backend_regions.forget()
    yield tmp_path
    backend_regions.forget()


def _moto_own(service: str) -> list[str]:
    original = backend_regions.CHANGE.patches[0].target.current()
    backend = AccountSpecificBackend(service, "123456789012", object, False, None)
    return list(original(backend, service))


def test_the_regions_are_moto_s_whether_listed_or_read_back(cache_dir):
    calls: list[str] = []

    def original(backend, service):
        calls.append(service)
        return _moto_own(service)

    regions = backend_regions._remembered(original)
    first = {service: regions(None, service) for service in SERVICES}
    assert first == {service: _moto_own(service) for service in SERVICES}
    assert calls == list(SERVICES)
    assert backend_regions.cache_file().is_file()

    backend_regions.forget()  # as a new process: the file answers, moto's code is not asked again
    again = {service: regions(None, service) for service in SERVICES}
    assert again == first
    assert calls == list(SERVICES)


def test_a_corrupt_file_is_a_miss_and_is_rewritten(cache_dir):
    path = backend_regions.cache_file()
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    regions = backend_regions._remembered(lambda backend, service: ["us-east-1", "eu-west-1"])
    assert regions(None, "sqs") == ["us-east-1", "eu-west-1"]
    backend_regions.forget()
    assert backend_regions._read(path) == {"sqs": ["us-east-1", "eu-west-1"]}


def test_a_caller_changing_the_answer_does_not_change_the_next_one(cache_dir):
    regions = backend_regions._remembered(lambda backend, service: ["us-east-1"])
    regions(None, "sns").append("mars-north-1")  # moto extends the list it is given
    assert regions(None, "sns") == ["us-east-1"]


def test_caches_off_keeps_the_answers_in_memory_only(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMLITE_CACHE_DIR", "off")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    backend_regions.forget()
    try:
        assert backend_regions.cache_file() is None
        regions = backend_regions._remembered(lambda backend, service: ["us-east-1"])
        assert regions(None, "sqs") == ["us-east-1"]
        assert list(tmp_path.iterdir()) == []
    finally:
        backend_regions.forget()


def test_applied_it_serves_moto_s_backends(cache_dir):
    backend_regions.CHANGE.apply()
    try:
        backend = AccountSpecificBackend("sqs", "123456789012", object, True, ["aws"])
        assert backend.regions == [*_moto_own("sqs"), "aws"]
        assert backend_regions._read(backend_regions.cache_file())["sqs"] == _moto_own("sqs")
    finally:
        backend_regions.CHANGE.restore()
