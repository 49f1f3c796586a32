"""S3's nested answer structures read directly (samlite.moto_changes.s3_structures) give moto's own
answers: random results of the listing operations (ListObjectsV2, ListObjects, ListObjectVersions,
ListMultipartUploads) whose entries hold every member, some, none, members under the other names moto's
picker accepts (`storage_class`, `key`), None values and values of other types, through moto's S3
serializer with and without the change (the XML writer as moto's own: xmltodict).

Shapes: Amazon S3 API Reference, "ListObjectsV2" and "ListObjectVersions", Response Syntax
(https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samlite.moto_changes import s3_structures

TEXT = st.text(alphabet=st.sampled_from("ab/&<é"), max_size=4)
VALUES = st.one_of(TEXT, st.none(), st.integers(0, 5000), st.booleans())
OBJECT_MEMBERS = st.sampled_from(
    [
        "Key",
        "LastModified",
        "ETag",
        "Size",
        "StorageClass",
        "storage_class",
        "key",
        "size",
        "Other",
        "IsLatest",
    ]
)
OWNER = st.fixed_dictionaries({}, optional={"ID": TEXT, "DisplayName": TEXT, "display_name": TEXT})


def entries() -> Any:
    return st.dictionaries(OBJECT_MEMBERS, VALUES, max_size=6).flatmap(
        lambda entry: st.one_of(st.just(entry), OWNER.map(lambda owner: {**entry, "Owner": owner}))
    )


RESULTS = st.one_of(
    st.builds(
        lambda contents, prefixes, truncated: {
            "Name": "bucket",
            "Prefix": "p/",
            "MaxKeys": 1000,
            "KeyCount": len(contents),
            "IsTruncated": truncated,
            "Contents": contents,
            "CommonPrefixes": [{"Prefix": prefix} for prefix in prefixes],
        },
        st.lists(entries(), max_size=4),
        st.lists(TEXT, max_size=2),
        st.booleans(),
    ).map(lambda result: ("ListObjectsV2", result)),
    st.lists(entries(), max_size=3).map(
        lambda contents: ("ListObjects", {"Name": "b", "Contents": contents})
    ),
    st.lists(entries(), max_size=3).map(
        lambda versions: (
            "ListObjectVersions",
            {"Name": "b", "Versions": versions, "DeleteMarkers": versions[:1]},
        )
    ),
    st.lists(
        st.dictionaries(st.sampled_from(["Key", "UploadId", "Initiated", "Owner"]), TEXT), max_size=3
    ).map(lambda uploads: ("ListMultipartUploads", {"Bucket": "b", "Uploads": uploads})),
)


@pytest.fixture(scope="module")
def answers() -> Iterator[Any]:
    from moto.core import serialize
    from moto.core.utils import get_service_model

    assert not s3_structures.CHANGE.applied, "the test compares with moto's own code"
    model = get_service_model("s3")
    changed = s3_structures._direct_nested(None)

    def answer(operation: str, result: Any, *, change: bool) -> Any:
        serializer = serialize.S3Serializer(
            operation_model=model.operation_model(operation),
            pretty_print=False,
            value_picker=serialize.XFormedAttributePicker(),
        )
        patch = (
            mock.patch.object(serialize.S3Serializer, "_serialize_type_structure", changed, create=True)
            if change
            else mock.patch.object(serialize.S3Serializer, "_unused_by_moto", None, create=True)
        )
        with patch:
            try:
                written = serializer.serialize(result)
            except Exception as error:  # moto's refusal must be the same refusal
                return ("raised", type(error).__name__, str(error))
        return written["status_code"], written["headers"], written["body"]

    s3_structures.forget()
    yield answer
    s3_structures.forget()


@settings(max_examples=300, deadline=None)
@given(case=RESULTS)
def test_answers_are_motos(answers: Any, case: tuple[str, Any]) -> None:
    operation, result = case
    assert answers(operation, result, change=True) == answers(operation, result, change=False)


def test_a_listing_takes_the_direct_path(answers: Any) -> None:
    from moto.core import serialize

    result = {
        "Name": "b",
        "Contents": [{"Key": f"k{n}", "Size": n, "StorageClass": "STANDARD"} for n in range(5)],
    }
    with mock.patch.object(
        serialize.ResponseSerializer,
        "get_value",
        autospec=True,
        side_effect=serialize.ResponseSerializer.get_value,
    ) as reads:
        expected = answers("ListObjectsV2", result, change=False)
        moto_reads = reads.call_count
        reads.reset_mock()
        assert answers("ListObjectsV2", result, change=True) == expected
    assert moto_reads > 5 * 9  # every member of every entry
    assert reads.call_count < moto_reads - 5 * 9 + 1  # the top level only


def test_the_change_is_applied_with_s3() -> None:
    from moto.core.serialize import S3Serializer

    assert "_serialize_type_structure" not in vars(S3Serializer)
    assert s3_structures.CHANGE.drifted() == []  # moto still inherits it
    s3_structures.CHANGE.apply()
    try:
        assert "_serialize_type_structure" in vars(S3Serializer)
    finally:
        s3_structures.CHANGE.restore()
    assert "_serialize_type_structure" not in vars(S3Serializer)
