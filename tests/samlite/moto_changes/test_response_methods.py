"""A response class's remembered method names (samlite.moto_changes.response_methods) are moto's own,
and follow the class when it gains a method later."""

from __future__ import annotations

from samlite.moto_changes import response_methods


def _names(clazz: type) -> list[str]:
    from moto.core import responses

    return responses.method_names_from_class(clazz)


def test_remembered_names_are_motos_and_follow_a_changed_class() -> None:
    from moto.dynamodb.responses import DynamoHandler
    from moto.s3.responses import S3Response

    class Handler(DynamoHandler):
        pass

    expected = {clazz: _names(clazz) for clazz in (DynamoHandler, S3Response, Handler)}
    change = response_methods.CHANGE
    change.apply()
    try:
        for _ in range(2):
            assert {clazz: _names(clazz) for clazz in expected} == expected
        Handler.new_action = lambda self: None  # type: ignore[attr-defined]
        assert "new_action" in _names(Handler)
        del Handler.new_action  # type: ignore[attr-defined]
        Handler.renamed = lambda self: None  # type: ignore[attr-defined]
        assert "renamed" in _names(Handler) and "new_action" not in _names(Handler)
        del Handler.renamed  # type: ignore[attr-defined]
        assert _names(Handler) == expected[Handler]
    finally:
        change.restore()
