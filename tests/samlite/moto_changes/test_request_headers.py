"""The fast route's header view (samlite.moto_changes.request_headers) yields exactly what moto's
`EnvironHeaders` yields, in the same order, for any WSGI environ: header keys of every spelling,
CONTENT_TYPE and CONTENT_LENGTH empty or not, non-header keys, preserved S3 metadata spellings; and
it stays a live view (what moto writes into the environ afterwards shows)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from moto.core.request import PRESERVED_HEADER_NAMES_ENVIRON_KEY, EnvironHeaders

from samlite.moto_changes.request_headers import headers_class

# Upper case, as a WSGI server writes them (a lower-case key is not found by name, by either view).
NAME_PARTS = st.sampled_from(
    ["X", "AMZ", "DATE", "META", "MY", "KEY", "CONTENT", "TYPE", "LENGTH", "host", "a1"]
)
KEYS = st.one_of(
    st.lists(NAME_PARTS, min_size=1, max_size=4).map(lambda parts: "HTTP_" + "_".join(parts)),
    st.sampled_from(["CONTENT_TYPE", "CONTENT_LENGTH", "HTTP_CONTENT_TYPE", "REQUEST_METHOD", "wsgi.input"]),
    st.text(min_size=1, max_size=8),
)
ENVIRONS = st.dictionaries(KEYS, st.sampled_from(["", "v", "application/json", "12"]), max_size=12)


def _both(environ: dict[str, Any]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    return list(headers_class()(environ)), list(EnvironHeaders(environ))


@settings(max_examples=300)
@given(environ=ENVIRONS)
def test_the_same_items_as_moto_s_view(environ: dict[str, Any]) -> None:
    remembered, moto_s = _both(environ)
    assert remembered == moto_s  # lookups by name are werkzeug's own code, unchanged


def test_preserved_spellings_are_moto_s() -> None:
    environ = {
        "HTTP_X_AMZ_META_MY_KEY": "v",
        PRESERVED_HEADER_NAMES_ENVIRON_KEY: {"HTTP_X_AMZ_META_MY_KEY": "x-amz-meta-my_key"},
    }
    remembered, moto_s = _both(environ)
    assert remembered == moto_s == [("x-amz-meta-my_key", "v")]


def test_it_is_a_live_view_of_the_environ() -> None:
    environ: dict[str, Any] = {"HTTP_X_AMZ_DATE": "20260101T000000Z"}
    headers = headers_class()(environ)
    assert list(headers) == [("X-Amz-Date", "20260101T000000Z")]
    environ["HTTP_HOST"] = "example.com"  # as moto's setup_class writes a missing Host
    assert list(headers) == list(EnvironHeaders(environ))
    assert headers["host"] == "example.com"
