"""``/objects/{key+}`` routes: keys as API Gateway passes them, 404s, redirects, deletes."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from upload_catalog.controllers.api_http import ApiError, Request
from upload_catalog.controllers.object_keys import decode_key, is_content_path
from upload_catalog.controllers.objects_api import DOWNLOAD_URL_SECONDS, ObjectsController

from tests.unit.test_api_fakes import BUCKET, FakeCatalogReader, FakeObjectUrls, make_entry

ODD_KEYS = ["photos/2026/a b.png", "사진/여름 바다.jpg", "a+b/c%d.txt", "x/content", "dir/"]


@pytest.fixture
def parts() -> tuple[ObjectsController, FakeCatalogReader, FakeObjectUrls]:
    reader, urls = FakeCatalogReader(), FakeObjectUrls()
    for key in ODD_KEYS:
        reader.put(make_entry(key))
    return ObjectsController(reader, urls, BUCKET), reader, urls


def raw(key: str) -> str:
    """The pathParameters value of a REST API: percent-encoded as the client sent it, slashes literal."""
    return quote(key, safe="/")


def get(controller: ObjectsController, raw_key: str):
    return controller.get(Request("GET", "/objects/{key+}", {"key": raw_key}))


@pytest.mark.parametrize("key", [k for k in ODD_KEYS if not k.endswith("/content")])
def test_entry_of_keys_with_slashes_spaces_and_non_ascii(parts, key: str) -> None:
    controller, _, _ = parts
    response = get(controller, raw(key))
    assert response.status == 200 and response.body["key"] == key


def test_plus_in_a_path_is_a_literal_plus(parts) -> None:
    controller, _, _ = parts
    assert get(controller, "a+b/c%25d.txt").body["key"] == "a+b/c%d.txt"


def test_key_ending_in_content_is_reached_with_an_encoded_slash(parts) -> None:
    controller, _, _ = parts
    assert not is_content_path("x%2Fcontent") and is_content_path("x/content")
    assert get(controller, "x%2Fcontent").body["key"] == "x/content"


def test_absent_and_deleted_keys_are_404(parts) -> None:
    controller, reader, _ = parts
    with pytest.raises(ApiError) as err:
        get(controller, "nope")
    assert err.value.status == 404 and "'nope'" in err.value.message
    reader.delete("dir/")
    with pytest.raises(ApiError, match="no catalog entry"):
        get(controller, "dir/")


@pytest.mark.parametrize("bad", ["%FF%FE", "%C3", ""])
def test_undecodable_or_empty_key_is_400(bad: str) -> None:
    with pytest.raises(ApiError) as err:
        decode_key(bad)
    assert err.value.status == 400 and "path parameter key" in err.value.message


def test_overlong_key_is_400() -> None:
    with pytest.raises(ApiError, match="longer than 1024 bytes"):
        decode_key(quote("가" * 342))  # 1026 bytes of UTF-8


def test_content_redirects_to_a_five_minute_presigned_get(parts) -> None:
    controller, _, _ = parts
    response = controller.content(
        Request("GET", "/objects/{key+}", {"key": raw("사진/여름 바다.jpg") + "/content"})
    )
    assert response.status == 302 and response.body is None
    assert response.headers["Location"] == (
        f"https://{BUCKET}.s3.example/{quote('사진/여름 바다.jpg')}?X-Amz-Expires={DOWNLOAD_URL_SECONDS}"
    )
    assert DOWNLOAD_URL_SECONDS == 300


def test_content_of_a_missing_or_deleted_object_is_404(parts) -> None:
    controller, reader, _ = parts
    reader.delete("dir/")
    for key in ("missing", "dir/"):
        with pytest.raises(ApiError) as err:
            controller.content(Request("GET", "/objects/{key+}", {"key": raw(key) + "/content"}))
        assert err.value.status == 404


def test_delete_deletes_the_decoded_key_and_answers_202(parts) -> None:
    controller, _, urls = parts
    response = controller.delete(Request("DELETE", "/objects/{key+}", {"key": raw("사진/여름 바다.jpg")}))
    assert response.status == 202 and response.body == {"key": "사진/여름 바다.jpg", "status": "deleting"}
    assert urls.deleted == [(BUCKET, "사진/여름 바다.jpg")]
