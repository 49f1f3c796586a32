"""The one reader of S3 requests: addresses, and POST forms read one way only.

POST forms follow the S3 API reference, "POST Object" ("The file or text content ... must be the last
field in the form. Any fields below it are ignored.") and RFC 2046 section 5.1.1 (a preamble before
the first boundary is not part of the message); where S3's documentation is silent (a field twice,
two boundary parameters), samlite refuses.
"""

from __future__ import annotations

import pytest

from samlite.wire.s3_request import MalformedForm, S3Address, address_of, read_post_form, read_s3_request


@pytest.mark.parametrize(
    ("host", "path", "expected"),
    [
        ("127.0.0.1:4566", "/bucket/a/b%20c.txt", ("bucket", "a/b c.txt")),
        ("localhost:4566", "/bucket/a+b", ("bucket", "a+b")),  # '+' in a path is a plus sign
        ("s3.localhost:4566", "/bucket/k", ("bucket", "k")),
        ("my.bucket.s3.localhost:4566", "/k%2Fx", ("my.bucket", "k/x")),
        ("bucket.localhost:4566", "/dir/k", ("bucket", "dir/k")),
        ("bucket.s3.us-east-1.amazonaws.com", "/k", ("bucket", "k")),
        ("bucket.s3-eu-west-1.amazonaws.com", "/k", ("bucket", "k")),
        ("[::1]:4566", "/bucket/k", ("bucket", "k")),
        ("127.0.0.1:4566", "/bucket/k?x-id=PutObject", ("bucket", "k")),
    ],
)
def test_bucket_and_key_in_path_and_virtual_host_style(
    host: str, path: str, expected: tuple[str, str]
) -> None:
    address = address_of(host, path)
    assert (address.bucket, address.key) == expected


def _body(*parts: tuple[str, str, str | None], boundary: str = "XyZ", preamble: bytes = b"") -> bytes:
    chunks = [preamble]
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"' + (
            f'; filename="{filename}"' if filename is not None else ""
        )
        chunks.append(f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n{value}\r\n".encode())
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks)


FORM = "multipart/form-data; boundary=XyZ"


def test_fields_before_the_file_only_and_the_key_with_the_file_name() -> None:
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="key"\r\n\r\nin/${filename}\r\n'
        b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a b.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\nline\r\n\r\nmore\r\n"
        b'--XyZ\r\nContent-Disposition: form-data; name="after"\r\n\r\nignored\r\n--XyZ--\r\n'
    )
    form = read_post_form(FORM, body)
    assert form.fields == (("key", "in/${filename}"),)
    assert (form.file_name, form.file_content_type, form.content) == (
        "a b.txt",
        "text/plain",
        b"line\r\n\r\nmore",
    )
    assert form.key == "in/a b.txt"


def test_field_names_are_matched_without_case_and_may_not_repeat() -> None:
    form = read_post_form(FORM, _body(("Key", "k", None), ("Policy", "p", None), ("file", "x", "f")))
    assert (form.value("key"), form.value("POLICY")) == ("k", "p")
    for twice in ((("key", "a", None), ("KEY", "b", None)), (("key", "a", None), ("key", "b", None))):
        with pytest.raises(MalformedForm) as refused:
            read_post_form(FORM, _body(*twice, ("file", "x", "f")))
        assert (refused.value.error.status, refused.value.error.code) == (400, "InvalidArgument")


def test_a_second_key_after_the_file_is_ignored() -> None:
    form = read_post_form(
        FORM, _body(("key", "mine.txt", None), ("file", "x", "f"), ("key", "yours.txt", None))
    )
    assert form.key == "mine.txt"


def test_a_key_only_after_the_file_is_no_key() -> None:
    with pytest.raises(MalformedForm) as refused:
        read_post_form(FORM, _body(("file", "x", "f"), ("key", "late.txt", None)))
    assert refused.value.error.extra["ArgumentName"] == "key"


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=XyZ; boundary=Other",
        "multipart/form-data; boundary=XyZ; BOUNDARY=Other",
        "multipart/form-data; boundary=" + "b" * 71,
    ],
)
def test_a_content_type_without_exactly_one_boundary_is_malformed(content_type: str) -> None:
    with pytest.raises(MalformedForm) as refused:
        read_post_form(content_type, _body(("key", "k", None), ("file", "x", "f")))
    assert refused.value.error.code == "MalformedPOSTRequest"


def test_a_preamble_is_not_part_of_the_form() -> None:
    preamble = b'key\r\nContent-Disposition: form-data; name="key"\r\n\r\nsneaky.txt\r\n'
    form = read_post_form(FORM, _body(("key", "real.txt", None), ("file", "x", "f"), preamble=preamble))
    assert form.fields == (("key", "real.txt"),)


def test_bodies_that_cannot_be_read_one_way_are_malformed() -> None:
    unfinished = _body(("key", "k", None), ("file", "x", "f"))[:-9]
    nameless = b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nv\r\n--XyZ--\r\n"
    no_disposition = b"--XyZ\r\nX-Other: 1\r\n\r\nv\r\n--XyZ--\r\n"
    for body in (unfinished, nameless, no_disposition):
        with pytest.raises(MalformedForm) as refused:
            read_post_form(FORM, body)
        assert refused.value.error.code == "MalformedPOSTRequest"
    with pytest.raises(MalformedForm) as no_file:
        read_post_form(FORM, _body(("key", "k", None)))
    assert no_file.value.error.code == "InvalidArgument"


def test_what_moto_is_handed_is_the_form_as_read() -> None:
    form = read_post_form(
        FORM, _body(("Key", "k.txt", None), ("x-amz-meta-A", "1", None), ("file", "data", "f.txt"))
    )
    content_type, encoded = form.encoded()
    again = read_post_form(content_type, encoded)
    assert again.fields == (("key", "k.txt"), ("x-amz-meta-a", "1"))
    assert (again.key, again.content, again.file_name) == ("k.txt", b"data", "f.txt")


def test_a_form_upload_is_read_only_on_the_bucket_itself() -> None:
    body = _body(("key", "k", None), ("file", "x", "f"))
    upload = read_s3_request("POST", "localhost:4566", "/bkt", "", content_type=FORM, body=body)
    assert upload.form is not None and upload.address == S3Address("bkt", "")
    on_an_object = read_s3_request(
        "POST", "localhost:4566", "/bkt/k", "uploadId=1", content_type=FORM, body=b""
    )
    assert on_an_object.form is None
