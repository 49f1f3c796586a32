"""S3 answers written to XML directly (samlite.moto_changes.s3_xml_body) are the bytes moto's own
`S3Serializer._serialize_body` (xmltodict) writes: random dicts of the forms moto's serializer builds
(nested elements, repeated elements, attributes, text beside children, empty lists, None, booleans,
numbers, characters XML must escape) and forms it never builds (comments, namespace dicts, tuples,
bytes, several roots, names xmltodict refuses), which must go to xmltodict and answer, or raise, the
same. And whole S3 answers (ListObjectsV2, errors) through moto's serializer.

The ListObjectsV2 answer's shape: Amazon S3 API Reference, "ListObjectsV2", Response Syntax
(https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samlite.moto_changes import s3_xml_body

NAMES = st.sampled_from(["Key", "ETag", "Size", "Contents", "a", "é", "x-y", "ns:Tag", "_", "Name1"])
ODD_NAMES = st.sampled_from(["a b", "<x", "?pi", "!x", "a/b", 'q"', "=", "#comment", "@xmlns", "", "\t"])
# Text with the characters XML escapes (in text and in attributes) well represented.
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)), st.sampled_from("&<>\"'\n\r\t")
    ),
    max_size=8,
)
LEAVES = st.one_of(
    TEXT,
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.just([]),
)
ODD_LEAVES = st.one_of(
    st.binary(max_size=3), st.tuples(TEXT), st.just({"@xmlns": {"p": "u"}}), st.just([[1]])
)


def trees(names: Any, leaves: Any) -> Any:
    def element(children: Any) -> Any:
        attributes = st.dictionaries(
            names.map(lambda name: f"@{name}"), st.one_of(TEXT, st.none()), max_size=2
        )
        return st.builds(
            lambda members, attrs, text: {
                **attrs,
                **members,
                **({"#text": text} if text is not None else {}),
            },
            st.dictionaries(names, children, max_size=3),
            attributes,
            st.one_of(st.none(), TEXT),
        )

    return st.recursive(
        leaves, lambda children: st.one_of(element(children), st.lists(children, max_size=3)), max_leaves=12
    )


BODIES = st.dictionaries(NAMES, trees(NAMES, LEAVES), min_size=1, max_size=1)
ODD_BODIES = st.dictionaries(
    st.one_of(NAMES, ODD_NAMES), trees(st.one_of(NAMES, ODD_NAMES), st.one_of(LEAVES, ODD_LEAVES)), max_size=2
)


@pytest.fixture(scope="module")
def bodies() -> Iterator[Any]:
    """A function writing a body with moto's own `_serialize_body`, or with the change's."""
    from moto.core.serialize import S3Serializer

    assert not s3_xml_body.CHANGE.applied, "the test compares with moto's own code"
    original = S3Serializer._serialize_body
    changed = s3_xml_body._direct_xml(original)
    serializer = S3Serializer.__new__(S3Serializer)
    serializer.pretty_print = False

    def written(body: Any, *, change: bool) -> Any:
        try:
            return (changed if change else original)(serializer, body)
        except Exception as error:  # moto's refusal must be the same refusal
            return ("raised", type(error).__name__, str(error))

    s3_xml_body.forget()
    yield written
    s3_xml_body.forget()


@settings(max_examples=400, deadline=None)
@given(body=BODIES)
def test_bodies_are_written_as_xmltodict_writes_them(bodies: Any, body: dict[str, Any]) -> None:
    assert bodies(body, change=True) == bodies(body, change=False)


@settings(max_examples=400, deadline=None)
@given(body=ODD_BODIES)
def test_odd_bodies_are_xmltodicts_to_write(bodies: Any, body: dict[str, Any]) -> None:
    assert bodies(body, change=True) == bodies(body, change=False)


def test_escaping_and_empty_elements_are_xmltodicts(bodies: Any) -> None:
    body = {
        "ListBucketResult": {
            "@xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
            "@q": "a\"b'c\n\t&<>",
            "Name": "b&<>\"'\r",
            "Prefix": "",
            "Contents": [{"Key": "k1", "Size": 1}, {"Key": "k2", "Size": 0}],
            "IsTruncated": False,
            "Empty": [],
            "Nothing": None,
            "#text": "tail",
        }
    }
    written = bodies(body, change=True)
    assert written == bodies(body, change=False)
    assert "<Prefix/>" in written and "<Empty" not in written and "<Nothing/>" in written


def _list_answer(serializer_class: Any, keys: int) -> Any:
    from moto.core.serialize import XFormedAttributePicker
    from moto.core.utils import get_service_model

    operation = get_service_model("s3").operation_model("ListObjectsV2")
    serializer = serializer_class(
        operation_model=operation, pretty_print=False, value_picker=XFormedAttributePicker()
    )
    result = {
        "Name": "bucket",
        "Prefix": "obj/",
        "MaxKeys": 1000,
        "KeyCount": keys,
        "IsTruncated": False,
        "Contents": [
            {
                "Key": f"obj/{n:03d}&<>",
                "LastModified": "2026-12-02T03:00:00.000Z",
                "ETag": '"0f343b0931126a20f133d67c2b018a3b"',
                "Size": 1024,
                "StorageClass": "STANDARD",
            }
            for n in range(keys)
        ],
    }
    return serializer.serialize(result)


def test_a_list_answer_is_motos() -> None:
    from moto.core.serialize import S3Serializer

    assert not s3_xml_body.CHANGE.applied
    expected = {keys: _list_answer(S3Serializer, keys) for keys in (0, 1, 100)}
    with (
        mock.patch.object(
            S3Serializer, "_serialize_body", s3_xml_body._direct_xml(S3Serializer._serialize_body)
        ),
        mock.patch("xmltodict.unparse", side_effect=AssertionError("xmltodict was used")),
    ):
        assert {keys: _list_answer(S3Serializer, keys) for keys in (0, 1, 100)} == expected


# xmltodict's emitter as the writer reproduces it (moto's xmltodict dependency has no upper bound).
EMIT_SIGNATURE = (
    "(key, value, content_handler, attr_prefix='@', cdata_key='#text', depth=0, preprocessor=None, "
    "pretty=False, newl='\\n', indent='\\t', namespace_separator=':', namespaces=None, full_document=True, "
    "expand_iter=None, encoding='utf-8', bytes_errors='replace', comment_key='#comment')"
)


def test_xmltodict_is_the_one_the_writer_reproduces() -> None:
    """A canary: an xmltodict release that moves its emitter fails here by name."""
    import xmltodict

    from samlite.moto_changes.seam import signature_text

    assert signature_text(xmltodict._emit) == EMIT_SIGNATURE
    assert signature_text(xmltodict._validate_name) == "(value, kind)"


def test_the_change_is_applied_with_s3() -> None:
    from moto.core.serialize import S3Serializer

    original = S3Serializer._serialize_body
    s3_xml_body.CHANGE.apply()
    try:
        assert S3Serializer._serialize_body is not original
        assert s3_xml_body.CHANGE.drifted() == []
    finally:
        s3_xml_body.CHANGE.restore()
    assert S3Serializer._serialize_body is original
