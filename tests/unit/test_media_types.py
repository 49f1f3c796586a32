"""One definition of a valid media type (``catalog_index.MEDIA_RANGE``): the API configuration's allowed
types, the listing's ``type`` filter and an upload's declared type accept and refuse the same values
(an upload names one type, so only it refuses a ``type/*`` family)."""

from __future__ import annotations

import json

import pytest
from upload_catalog.api_config import load_api_config
from upload_catalog.config import ConfigError
from upload_catalog.controllers.api_http import ApiError, Request
from upload_catalog.controllers.listing import parse_list_params
from upload_catalog.controllers.uploads_api import UploadRules, UploadsController

from tests.unit.test_api_fakes import BUCKET, FakeObjectUrls

ENV = {"CATALOG_TABLE": "t", "UPLOADS_BUCKET": "b", "STATS_TABLE": "s", "MAX_UPLOAD_BYTES": "1000"}
LONGEST_TOKEN = "a" * 127  # RFC 6838, 4.2: type and subtype names are at most 127 characters


def config_accepts(value: str) -> bool:
    try:
        load_api_config({**ENV, "ALLOWED_CONTENT_TYPES": value})
    except ConfigError as err:
        assert "ALLOWED_CONTENT_TYPES" in str(err)
        return False
    return True


def listing_accepts(value: str) -> bool:
    try:
        parse_list_params({"type": value})
    except ApiError as err:
        assert err.status == 400 and "query parameter type" in str(err)
        return False
    return True


def upload_accepts(value: str) -> bool:
    """Whether the declared type passes validation (every family is allowed, so only the format counts)."""
    rules = UploadRules(
        allowed_types=tuple(f"{c}/*" for c in ("image", "text", "application", "a" * 127)), max_size=1000
    )
    controller = UploadsController(FakeObjectUrls(), BUCKET, rules, new_id=lambda: "id")
    body = json.dumps({"filename": "f", "content_type": value, "size": 1}).encode()
    try:
        controller.create(Request("POST", "/uploads", body=body))
    except ApiError as err:
        assert err.status == 400 and "content_type" in str(err), err
        return False
    return True


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("image/png", True),
        ("image/svg+xml", True),
        ("application/vnd.ms-excel", True),
        (f"image/{LONGEST_TOKEN}", True),
        (f"{LONGEST_TOKEN}/png", True),
        (f"image/{LONGEST_TOKEN}a", False),  # one character too long
        (f"{LONGEST_TOKEN}a/png", False),
        ("image", False),
        ("image/", False),
        ("/png", False),
        ("*/*", False),
        ("image/p ng", False),
        ("image/png/x", False),
    ],
)
def test_every_use_agrees_on_a_media_type(value: str, valid: bool) -> None:
    assert (config_accepts(value), listing_accepts(value), upload_accepts(value)) == (valid, valid, valid)


def test_a_family_is_a_valid_range_but_not_an_uploads_type() -> None:
    assert (config_accepts("image/*"), listing_accepts("image/*"), upload_accepts("image/*")) == (
        True,
        True,
        False,
    )
