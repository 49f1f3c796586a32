"""``POST /uploads``: validation (400/413/415), the server-chosen key, the POST policy asked for."""

from __future__ import annotations

import json
from typing import Any

import pytest
from upload_catalog.controllers.api_http import ApiError, Request
from upload_catalog.controllers.uploads_api import (
    UPLOAD_POLICY_SECONDS,
    UploadRules,
    UploadsController,
    safe_filename,
)

from tests.unit.test_api_fakes import BUCKET, FakeObjectUrls

RULES = UploadRules(allowed_types=("image/*", "application/pdf"), max_size=1000)


def post(body: Any, urls: FakeObjectUrls | None = None, raw: bytes | None = None):
    controller = UploadsController(urls or FakeObjectUrls(), BUCKET, RULES, new_id=lambda: "id123")
    data = raw if raw is not None else json.dumps(body).encode()
    return controller.create(Request("POST", "/uploads", body=data))


def refused(body: Any = None, raw: bytes | None = None) -> ApiError:
    with pytest.raises(ApiError) as err:
        post(body, raw=raw)
    return err.value


def test_presigned_post_for_a_server_chosen_key() -> None:
    urls = FakeObjectUrls()
    response = post(
        {"filename": "C:\\Users\\me\\여름 사진 (1).PNG", "content_type": "image/png", "size": 1000}, urls
    )
    assert response.status == 201
    assert response.body["key"] == "uploads/id123/여름-사진-1.PNG"
    assert response.body["expires_in"] == UPLOAD_POLICY_SECONDS == 900
    assert urls.posts == [
        {
            "bucket": BUCKET,
            "key": response.body["key"],
            "content_type": "image/png",
            "size": 1000,
            "expires_in": 900,
        }
    ]
    assert response.body["fields"]["key"] == response.body["key"]


@pytest.mark.parametrize(
    ("filename", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("a b+c%d.txt", "a-b-c-d.txt"),
        ("...", "file"),
        ("/", "file"),
        ("한글 파일.tar.gz", "한글-파일.tar.gz"),
        ("x\x00y\n.png", "x-y.png"),
        ("a - b .png", "a-b.png"),
    ],
)
def test_safe_filename(filename: str, safe: str) -> None:
    assert safe_filename(filename) == safe


def test_safe_filename_is_bounded() -> None:
    assert len(safe_filename("가" * 500 + ".png").encode()) <= 200


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"content_type": "image/png", "size": 1}, "filename"),
        ({"filename": "", "content_type": "image/png", "size": 1}, "filename"),
        ({"filename": 3, "content_type": "image/png", "size": 1}, "filename"),
        ({"filename": "a", "size": 1}, "content_type"),
        ({"filename": "a", "content_type": "png", "size": 1}, "content_type"),
        ({"filename": "a", "content_type": "image/png\r\nX: y", "size": 1}, "content_type"),
        ({"filename": "a", "content_type": "image/png"}, "size"),
        ({"filename": "a", "content_type": "image/png", "size": "1"}, "size"),
        ({"filename": "a", "content_type": "image/png", "size": True}, "size"),
        ({"filename": "a", "content_type": "image/png", "size": -1}, "size"),
        ({"filename": "a", "content_type": "image/png", "size": 1.5}, "size"),
    ],
)
def test_missing_or_invalid_fields_are_400s_naming_them(body: dict[str, Any], named: str) -> None:
    err = refused(body)
    assert err.status == 400 and f"body field {named}" in err.message


@pytest.mark.parametrize("raw", [b"", b"{", b"\xff\xfe", b"[1]", b"null", b"x" * 20000])
def test_bad_bodies_are_400s(raw: bytes) -> None:
    err = refused(raw=raw)
    assert err.status == 400 and "request body" in err.message


def test_type_not_allowed_is_415_and_families_and_case_are_honoured() -> None:
    err = refused({"filename": "a.exe", "content_type": "application/x-msdownload", "size": 1})
    assert err.status == 415 and "application/x-msdownload" in err.message and "image/*" in err.message
    assert post({"filename": "a", "content_type": "IMAGE/WebP", "size": 1}).status == 201
    assert post({"filename": "a", "content_type": "application/pdf; x=1", "size": 1}).status == 201


def test_too_large_is_413() -> None:
    err = refused({"filename": "a.png", "content_type": "image/png", "size": 1001})
    assert err.status == 413 and "1000 bytes" in err.message


@pytest.mark.parametrize(
    "raw", [b"[" * 2000 + b"]" * 2000, b'{"a":' * 2000 + b"1" + b"}" * 2000], ids=["arrays", "objects"]
)
def test_deeply_nested_body_is_400_not_a_recursion_error(raw: bytes) -> None:
    """2,000 levels fit in the body limit; Python's JSON parser raises RecursionError on them."""
    err = refused(raw=raw)
    assert err.status == 400 and "nests too deeply" in err.message
