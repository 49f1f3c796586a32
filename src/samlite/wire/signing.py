"""Who signed a request: the access key id and the signing service, however it was signed.

SigV4 puts both in the `Authorization` header's `Credential=AKID/date/region/service/aws4_request`, a
SigV4 presigned URL in its `X-Amz-Credential` query parameter, a SigV2 presigned URL only the key in
`AWSAccessKeyId`, and a POST form in its `x-amz-credential` or `AWSAccessKeyId` field. An unsigned
request is S3's: browsers and presigned clients only ever send those to S3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from samlite.wire.s3_request import PostForm

_CREDENTIAL_IN_HEADER = re.compile(r"Credential=([^/,\s]+)/[^/]*/[^/]*/([^/,\s]+)/")


@dataclass(frozen=True)
class Signer:
    access_key_id: str | None
    service: str


def signer_of(authorization: str, query: str, form: PostForm | None = None) -> Signer:
    """The signer of a request from its Authorization header, its query string or its POST form."""
    match = _CREDENTIAL_IN_HEADER.search(authorization)
    if match:
        return Signer(match[1], match[2])
    if "X-Amz-Credential" in query or "AWSAccessKeyId" in query:
        params = dict(parse_qsl(query, keep_blank_values=True))
        credential = params.get("X-Amz-Credential")
        if credential:
            parts = credential.split("/")
            return Signer(parts[0], parts[3] if len(parts) == 5 else "s3")
        if params.get("AWSAccessKeyId"):
            return Signer(params["AWSAccessKeyId"], "s3")
    if form is not None:
        credential = form.value("x-amz-credential") or form.value("awsaccesskeyid")
        if credential:
            return Signer(credential.split("/", 1)[0], "s3")
    return Signer(None, "s3")
