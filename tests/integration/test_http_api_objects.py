"""The object life cycle through the API: presigned POST upload, download redirect, delete.

The upload is a real browser-style multipart/form-data POST to the presigned form (`requests`
encodes it; the file is the last field, as S3 requires), so the form's policy conditions are checked
by S3 itself (on samlite, by the embedded S3). The catalog entry then appears through the S3 event,
exactly as for any other upload.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.integration import generated_images as images
from tests.integration.stack_target import CatalogApi, Stack


def create_form(api: CatalogApi, filename: str, content_type: str, size: int) -> dict[str, Any]:
    response = api.request(
        "POST", "/uploads", json={"filename": filename, "content_type": content_type, "size": size}
    )
    assert response.status_code == 201, response.text
    return response.json()


def post_form(form: dict[str, Any], body: bytes, content_type: str) -> requests.Response:
    """The multipart POST a browser's <form> would send: every field of the form, then the file."""
    fields = [(name, (None, value)) for name, value in form["fields"].items()]
    fields.append(("file", ("upload", body, content_type)))
    return requests.post(form["url"], files=fields, timeout=30)


@pytest.fixture
def uploaded(stack: Stack, api: CatalogApi) -> Any:
    """An image uploaded through a presigned form: (key, bytes); removed afterwards on AWS."""
    body = images.png(12, 7)
    form = create_form(api, "holiday photo.png", "image/png", len(body))
    response = post_form(form, body, "image/png")
    assert response.status_code in (200, 201, 204), response.text
    key = form["key"]
    yield key, body
    if stack.target == "aws":
        from conftest import remove_all_versions

        remove_all_versions(stack, key)


def test_presigned_form_names_a_server_chosen_key_under_uploads(api: CatalogApi) -> None:
    form = create_form(api, "../../etc/passwd", "text/plain", 5)
    assert form["key"].startswith("uploads/")
    assert ".." not in form["key"].split("/")
    assert form["fields"]["key"] == form["key"]
    assert form["expires_in"] == 15 * 60
    assert form["fields"]["Content-Type"] == "text/plain"


def test_upload_through_the_presigned_post_appears_in_the_catalog(
    stack: Stack, api: CatalogApi, uploaded: Any
) -> None:
    key, body = uploaded
    stack.wait_live(key)
    entry = api.get(api.object_path(key)).json()
    assert entry["key"] == key
    assert (entry["size"], entry["content_type"], entry["width"], entry["height"]) == (
        len(body),
        "image/png",
        12,
        7,
    )
    listed = api.get("/objects", params={"prefix": key}).json()["items"]
    assert [item["key"] for item in listed] == [key]


def test_presigned_post_refuses_a_size_other_than_declared(api: CatalogApi) -> None:
    form = create_form(api, "short.txt", "text/plain", 10)
    response = post_form(form, b"twenty bytes, not 10", "text/plain")
    assert response.status_code == 400  # S3: EntityTooLarge (content-length-range 10..10)
    assert b"EntityTooLarge" in response.content


def test_presigned_post_refuses_another_content_type(api: CatalogApi) -> None:
    form = create_form(api, "note.txt", "text/plain", 4)
    fields = dict(form["fields"], **{"Content-Type": "text/html"})
    response = post_form({**form, "fields": fields}, b"<b/>", "text/html")
    assert response.status_code == 403  # S3: AccessDenied, "Policy Condition failed"
    assert b"Policy Condition failed" in response.content


def test_content_redirects_to_a_download_of_the_bytes(stack: Stack, api: CatalogApi, uploaded: Any) -> None:
    key, body = uploaded
    stack.wait_live(key)
    response = api.get(api.object_path(key, "/content"))
    assert response.status_code == 302
    location = response.headers["Location"]
    download = requests.get(location, timeout=30)  # no API key: the presigned URL is the credential
    assert download.status_code == 200
    assert download.content == body


def test_content_of_an_absent_key_is_404(api: CatalogApi, prefix: str) -> None:
    response = api.get(api.object_path(prefix + "nothing.bin", "/content"))
    assert response.status_code == 404
    assert response.json()["error"]["code"]


def test_delete_is_202_then_the_entry_is_gone(stack: Stack, api: CatalogApi, uploaded: Any) -> None:
    key, _ = uploaded
    stack.wait_live(key)
    response = api.request("DELETE", api.object_path(key))
    assert response.status_code == 202
    assert response.json() == {"key": key, "status": "deleting"}
    stack.wait_tombstone(key)
    assert api.get(api.object_path(key)).status_code == 404
    assert api.get(api.object_path(key, "/content")).status_code == 404
    assert api.get("/objects", params={"prefix": key}).json()["items"] == []
    assert api.get("/objects", params={"prefix": key, "order": "newest"}).json()["items"] == []


def test_delete_of_an_absent_key_is_202(api: CatalogApi, prefix: str) -> None:
    response = api.request("DELETE", api.object_path(prefix + "never.txt"))
    assert response.status_code == 202  # S3's DeleteObject succeeds for a missing key; so does the API
