"""moto's request ids drawn in one call (samlite.moto_changes.request_ids) keep moto's shape: 52 letters
and digits in `x-amzn-requestid`, different per response, repeatable when moto's random source is
seeded (moto's `/moto-api/seed`)."""

from __future__ import annotations

import string
from collections.abc import Iterator

import pytest

from samlite.moto_changes import request_ids


@pytest.fixture
def applied() -> Iterator[None]:
    request_ids.CHANGE.apply()
    try:
        yield
    finally:
        request_ids.CHANGE.restore()


def test_ids_have_moto_s_alphabet_and_length_and_land_in_the_headers(applied: None) -> None:
    from moto.core import responses

    headers: dict[str, str] = {}
    first = responses.gen_amzn_requestid_long(headers)
    assert headers == {"x-amzn-requestid": first}
    assert len(first) == 52
    assert set(first) <= set(string.ascii_letters + string.digits)
    assert responses.gen_amzn_requestid_long() != first


def test_a_seeded_random_source_repeats_the_ids(applied: None) -> None:
    from moto.moto_api._internal import mock_random
    from moto.utilities import aws_headers

    mock_random.seed(42)
    once = [aws_headers.gen_amzn_requestid_long() for _ in range(3)]
    mock_random.seed(42)
    assert [aws_headers.gen_amzn_requestid_long() for _ in range(3)] == once


def test_a_response_carries_one(applied: None) -> None:
    from moto.core.responses import BaseResponse

    headers, _body = BaseResponse._enrich_response({}, "<RequestId>x</RequestId>")
    assert len(headers["x-amzn-requestid"]) == 52
