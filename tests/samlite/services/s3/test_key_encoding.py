"""An S3 request naming a key that is not UTF-8 is refused as S3 refuses it: 400 InvalidURI.

Amazon S3 User Guide, "Naming Amazon S3 objects": a key is a sequence of Unicode characters whose UTF-8
encoding is at most 1,024 bytes; S3 answers a URI whose percent-decoded path is not UTF-8 with
`InvalidURI` ("Couldn't parse the specified URI."). moto stored such objects under a name with U+FFFD.
"""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
import requests

from tests.samlite.embedded import client, running_endpoint, unique

# Signature checks are off (iam=False): moto reads the caller's access key from this header only.
AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/s3/aws4_request, "
    "SignedHeaders=host, Signature=0"
)


@pytest.fixture(scope="module")
def bucket():
    with running_endpoint(iam=False) as endpoint:
        name = unique("keys")
        client(endpoint.aws, "s3").create_bucket(Bucket=name)
        yield endpoint.aws, name


@pytest.mark.parametrize("encoded", ["%C0%AF", "%ED%A0%80", "a%FFb"])
@pytest.mark.parametrize("method", ["PUT", "GET", "DELETE"])
def test_a_key_that_is_not_utf8_is_invalid_uri(bucket, method: str, encoded: str) -> None:
    aws, name = bucket
    response = requests.request(
        method, f"{aws.url}/{name}/{encoded}", data=b"x", headers={"Authorization": AUTHORIZATION}, timeout=10
    )
    assert response.status_code == 400
    error = ElementTree.fromstring(response.content)
    assert error.findtext("Code") == "InvalidURI"
    assert error.findtext("Message") == "Couldn't parse the specified URI."
    assert client(aws, "s3").list_objects_v2(Bucket=name).get("KeyCount") == 0


def test_utf8_keys_are_stored_under_their_name(bucket) -> None:
    aws, name = bucket
    response = requests.put(
        f"{aws.url}/{name}/caf%C3%A9%20%F0%9F%98%80.txt",
        data=b"x",
        headers={"Authorization": AUTHORIZATION},
        timeout=10,
    )
    assert response.status_code == 200
    assert client(aws, "s3").head_object(Bucket=name, Key="café 😀.txt")["ContentLength"] == 1
