"""The one reader of S3 requests: which bucket and key a request names, and what a POST form holds.

Four parts of samlite look at an S3 request before or after moto serves it: the presigned check
(IAM), the POST-policy check, the middleware (who signed it) and the builder of S3 events. They must
agree with each other and with what moto stores, or a form can be authorised for one key, stored
under another and announced under a third. So they all read the request here, and moto is handed
the POST form exactly as it was read (`PostForm.encoded()`), never the bytes the client sent.

Addressing (S3 user guide, "Virtual hosting of buckets" and "Methods for accessing a bucket"):
path style `/bucket/key` or virtual-hosted `bucket.s3.<region>.amazonaws.com/key` (`bucket.s3.localhost`,
`bucket.localhost` locally); the key is the raw path percent-decoded with `unquote` (a `+` in a path is
a plus sign).

POST forms (S3 API reference, "POST Object", and "Browser-based uploads using POST"): the body is
multipart/form-data; the `file` field holds the content and must be the last field: fields after it
are ignored. Field names are matched without regard to case, as S3 matches policy conditions to
them. Where S3's documentation does not say what happens, samlite refuses rather than guess, so that
no two readings of one form can exist:
- a Content-Type with no `boundary`, or with more than one `boundary` parameter;
- a body werkzeug's multipart parser (the one moto uses) cannot read, or a part without a name;
- two fields before the file whose names differ only in case (`key` and `KEY`), or repeat exactly.
And as S3 does: no `file` field is 400 InvalidArgument; no `key` field before the file is 400
InvalidArgument "Bucket POST must contain a field named 'key'..." with ArgumentName `key` (as captured
from S3 in 2014 and 2020; a key after the file is as good as none).
Everything before the first boundary (a preamble, RFC 2046 section 5.1.1) is not part of the form.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import NEED_DATA, Data, Epilogue, Field, File, MultipartDecoder, Preamble

from samlite.model import AwsError

FORM_CONTENT_TYPE = "multipart/form-data"
_BOUNDARY_PARAMETER = re.compile(r";\s*boundary\*?\s*=", re.IGNORECASE)
# Characters a field name may not carry into the form samlite re-encodes for moto.
_UNSAFE_NAME = re.compile(r'["\r\n\\]')


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup (headers come in either case)."""
    wanted = name.lower()
    for header_name, value in headers.items():
        if str(header_name).lower() == wanted:
            return str(value)
    return None


@dataclass(frozen=True)
class S3Address:
    """The bucket and decoded key a request names (key "" for bucket-level requests)."""

    bucket: str
    key: str

    @property
    def arn(self) -> str:
        """The resource ARN IAM checks: the bucket's, or the object's when there is a key."""
        return f"arn:aws:s3:::{self.bucket}/{self.key}" if self.key else f"arn:aws:s3:::{self.bucket}"


def address_of(host: str, raw_path: str) -> S3Address:
    """Bucket and key of a request, virtual-hosted or path style; `raw_path` is still percent-encoded."""
    path = raw_path.split("?", 1)[0]
    virtual_bucket = _bucket_from_host(host)
    if virtual_bucket:
        return S3Address(virtual_bucket, unquote(path.lstrip("/")))
    bucket, _, key = path.lstrip("/").partition("/")
    return S3Address(unquote(bucket), unquote(key))


def _bucket_from_host(host: str) -> str | None:
    hostname = host.strip().lower()
    if hostname.startswith("["):  # IPv6 literal, always path style
        return None
    hostname = hostname.rsplit(":", 1)[0] if ":" in hostname else hostname
    try:
        ipaddress.ip_address(hostname)
        return None
    except ValueError:
        pass
    for marker in (".s3.", ".s3-"):
        at = hostname.rfind(marker)
        if at > 0:
            return hostname[:at]
    if hostname.endswith(".localhost") and hostname != "s3.localhost":
        return hostname[: -len(".localhost")]
    return None


def is_form_upload(method: str, content_type: str | None) -> bool:
    """A browser-based (POST form) upload: POST with a multipart/form-data body."""
    return method.upper() == "POST" and (content_type or "").lower().startswith(FORM_CONTENT_TYPE)


class MalformedForm(Exception):
    """The form cannot be read one way only; `error` is the answer (S3's code, samlite's reason)."""

    def __init__(self, error: AwsError) -> None:
        super().__init__(error.message)
        self.error = error


@dataclass(frozen=True)
class PostForm:
    """A POST form as S3 reads it: the fields before the file (names as sent), and the file.

    Names are unique ignoring case, so `value(name)` has one answer; `key` is the object key the
    upload stores, `${filename}` already replaced by the file's name.
    """

    fields: tuple[tuple[str, str], ...]
    file_name: str
    file_content_type: str | None
    content: bytes

    @property
    def file_size(self) -> int:
        return len(self.content)

    def value(self, name: str) -> str | None:
        wanted = name.lower()
        for field_name, value in self.fields:
            if field_name.lower() == wanted:
                return value
        return None

    @property
    def key(self) -> str | None:
        template = self.value("key")
        return None if template is None else template.replace("${filename}", self.file_name)

    def encoded(self) -> tuple[str, bytes]:
        """(Content-Type, body) of this form re-encoded for moto: lower-case names, the fields before
        the file, then the file, nothing else. moto then stores exactly what the checks read."""
        boundary = "samlite" + secrets.token_hex(16)
        delimiter = b"--" + boundary.encode("ascii")
        chunks = []
        for name, value in self.fields:
            chunks += [
                delimiter,
                b"\r\n",
                f'Content-Disposition: form-data; name="{name.lower()}"\r\n\r\n'.encode(),
                value.encode("utf-8"),
                b"\r\n",
            ]
        file_name = self.file_name.replace("\\", "\\\\").replace('"', '\\"')
        head = f'Content-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        if self.file_content_type:
            head += f"Content-Type: {self.file_content_type}\r\n"
        chunks += [delimiter, b"\r\n", head.encode("utf-8"), b"\r\n", self.content, b"\r\n"]
        chunks += [delimiter, b"--\r\n"]
        return f"{FORM_CONTENT_TYPE}; boundary={boundary}", b"".join(chunks)


@dataclass(frozen=True)
class S3Request:
    """An S3 request as every part of samlite reads it: method, address, query, and its POST form."""

    method: str
    address: S3Address
    query: str
    form: PostForm | None = None


def read_s3_request(
    method: str, host: str, raw_path: str, query: str, *, content_type: str | None, body: bytes
) -> S3Request:
    """The request read once; raises MalformedForm for a POST form that cannot be read one way only.

    A POST form only counts as an upload on the bucket itself (`POST /bucket`, not `?delete` or a
    multipart upload's `?uploadId`), as S3 reads it.
    """
    address = address_of(host, raw_path)
    form = None
    if is_form_upload(method, content_type) and not address.key and address.bucket:
        form = read_post_form(str(content_type), body)
    return S3Request(method.upper(), address, query, form)


def read_post_form(content_type: str, body: bytes) -> PostForm:
    """Read a POST form upload's body (see the module docstring for what is refused)."""
    boundary = _boundary(content_type)
    decoder = MultipartDecoder(boundary.encode("latin-1"))
    decoder.receive_data(body)
    decoder.receive_data(None)
    fields: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    current: Field | File | None = None
    data = bytearray()
    while True:
        try:
            event = decoder.next_event()
        except ValueError as error:  # werkzeug's "Missing Content-Disposition header" and the like
            raise _malformed(f"a part cannot be read ({error})") from None
        if event is NEED_DATA:
            raise _malformed("the body ends before the closing boundary")
        if isinstance(event, Preamble):
            continue
        if isinstance(event, Field | File):
            current, data = event, bytearray()
            if not event.name:
                raise _malformed("a part has no field name in its Content-Disposition")
            continue
        if isinstance(event, Data):
            data += event.data
            if event.more_data or current is None:
                continue
            if current.name.lower() == "file":  # the file: S3 ignores every field after it
                if "key" not in seen:
                    raise MalformedForm(_NO_KEY)
                return PostForm(
                    fields=tuple(fields),
                    file_name=current.filename if isinstance(current, File) else "",
                    file_content_type=current.headers.get("content-type"),
                    content=bytes(data),
                )
            _add_field(fields, seen, current.name, bytes(data))
            current = None
            continue
        if isinstance(event, Epilogue):
            raise MalformedForm(
                AwsError(
                    400,
                    "InvalidArgument",
                    "POST requires exactly one file upload per request.",
                    {"ArgumentName": "file", "ArgumentValue": "0"},
                )
            )


_NO_KEY = AwsError(
    400,
    "InvalidArgument",
    "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the"
    " fields.",
    {"ArgumentName": "key", "ArgumentValue": ""},
)


def _boundary(content_type: str) -> str:
    if len(_BOUNDARY_PARAMETER.findall(content_type)) != 1:
        raise _malformed("the Content-Type must carry exactly one boundary parameter")
    _, options = parse_options_header(content_type)
    boundary = options.get("boundary", "")
    if not boundary or len(boundary) > 70:  # RFC 2046: 1 to 70 characters
        raise _malformed("the Content-Type's boundary is empty or longer than 70 characters")
    return boundary


def _add_field(fields: list[tuple[str, str]], seen: dict[str, str], name: str, value: bytes) -> None:
    lowered = name.lower()
    if lowered in seen:
        raise MalformedForm(
            AwsError(
                400,
                "InvalidArgument",
                f"The form has two fields named {seen[lowered]!r} and {name!r}: field names are not "
                "case-sensitive, and samlite refuses a form that names one field twice",
                {"ArgumentName": name},
            )
        )
    if _UNSAFE_NAME.search(name):
        raise _malformed(f"the field name {name!r} contains a quote, backslash or line break")
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        raise _malformed(f"the value of field {name!r} is not UTF-8") from None
    seen[lowered] = name
    fields.append((name, text))


def _malformed(reason: str) -> MalformedForm:
    return MalformedForm(
        AwsError(
            400,
            "MalformedPOSTRequest",
            f"The body of your POST request is not well-formed multipart/form-data: {reason}.",
        )
    )
