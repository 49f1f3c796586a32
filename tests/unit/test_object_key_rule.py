"""One rule for object keys: what the API refuses, the catalog function refuses too (never a tombstone).

Amazon S3 User Guide, "Naming Amazon S3 objects": a key is a sequence of Unicode characters whose
UTF-8 encoding is at most 1,024 bytes. `%C0%AF` (an overlong `/`), `%ED%A0%80` (an encoded UTF-16
surrogate) and a lone `%FF` decode to bytes that are not UTF-8, so no object has such a key: an
event record naming one is malformed (reported, then dead-lettered) and a request path naming one is
a 400, instead of a catalog entry (or tombstone) under a name with U+FFFD in it.
"""

from __future__ import annotations

from urllib.parse import quote, quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st
from upload_catalog.controllers.api_http import ApiError
from upload_catalog.controllers.catalog import OUTCOME_MALFORMED, CatalogController, EventProcessingError
from upload_catalog.controllers.events import parse_event
from upload_catalog.controllers.object_keys import decode_key as api_key

from tests.unit.fakes import FakeBucket, FakeCatalog
from tests.unit.s3_event_factory import event, s3_record

NOT_UTF8 = ["%C0%AF", "%ED%A0%80", "a%FFb", "photos/%E2%82", "%F4%90%80%80"]
KEYS = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=60)


def _event_key(encoded: str) -> tuple[str | None, str | None]:
    """(decoded key, None) when the catalog function accepts the record, else (None, reason)."""
    parsed = parse_event(event(s3_record("ObjectRemoved:Delete", encoded, "0A", encoded=True)))
    if parsed.objects:
        return parsed.objects[0][1].key, None
    return None, parsed.malformed[0].reason


def _api_key(encoded: str) -> tuple[str | None, str | None]:
    try:
        return api_key(encoded), None
    except ApiError as err:
        assert err.status == 400
        return None, err.message


@pytest.mark.parametrize("encoded", NOT_UTF8)
def test_keys_that_are_not_utf8_are_refused_by_the_api_and_the_catalog_alike(encoded: str) -> None:
    key, reason = _event_key(encoded)
    assert key is None and reason is not None
    assert reason.startswith("s3.object.key") and "not percent-encoded UTF-8" in reason
    key, message = _api_key(encoded)
    assert key is None and message is not None
    assert message.startswith("path parameter key") and "not percent-encoded UTF-8" in message


@pytest.mark.parametrize("encoded", NOT_UTF8)
def test_a_delete_event_for_such_a_key_leaves_no_tombstone_and_fails_the_invocation(encoded: str) -> None:
    catalog = FakeCatalog()
    controller = CatalogController(FakeBucket(), catalog, sniff_bytes=65536, tombstone_ttl_seconds=3600)
    with pytest.raises(EventProcessingError) as raised:
        controller.handle_event(event(s3_record("ObjectRemoved:Delete", encoded, "0A", encoded=True)))
    assert [outcome.outcome for outcome in raised.value.report.records] == [OUTCOME_MALFORMED]
    assert catalog.items == {}


@given(KEYS)
def test_every_real_key_is_read_back_by_both_paths(key: str) -> None:
    """S3 form-encodes event keys (space as +); a REST API path percent-encodes them (+ is a plus)."""
    if len(key.encode("utf-8")) > 1024:
        return
    assert _event_key(quote_plus(key, safe="/")) == (key, None)
    assert _api_key(quote(key, safe="/")) == (key, None)


@given(st.binary(min_size=1, max_size=12))
def test_both_paths_agree_on_every_byte_string(raw: bytes) -> None:
    encoded = "".join(f"%{byte:02X}" for byte in raw)
    event_key, _ = _event_key(encoded)
    path_key, _ = _api_key(encoded)
    assert event_key == path_key  # both the same key, or both refused
    try:
        expected: str | None = raw.decode("utf-8")
    except UnicodeDecodeError:
        expected = None
    assert path_key == expected
