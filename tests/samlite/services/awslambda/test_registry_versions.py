"""The function registry resolves FunctionNames and Qualifiers as Lambda does, versions and aliases
included ("Invoke" in the Lambda API reference: "You can append a version number or alias to any of the
formats"; "Lambda function aliases" and "Lambda function versions" in the Lambda developer guide)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from samlite.services.awslambda.registry import (
    Alias,
    FunctionNotFound,
    FunctionRegistry,
    QualifierConflict,
)
from tests.samlite.embedded import ACCOUNT, REGION, function_spec

ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders"


@pytest.fixture
def registry() -> FunctionRegistry:
    registry = FunctionRegistry(region=REGION, account_id=ACCOUNT)
    spec = replace(function_spec("orders"), logical_id="OrdersFunction", environment={"MODE": "v1"})
    registry.register(spec, {"Description": "x"}, "orders service")
    registry.publish_version("orders", "1")
    registry.add_alias("orders", Alias("live", "1", "production"))
    registry.add_alias("orders", Alias("edge", "$LATEST"))
    return registry


@pytest.mark.parametrize(
    ("name", "qualifier", "version"),
    [
        ("orders", None, "$LATEST"),
        ("orders", "$LATEST", "$LATEST"),
        ("orders:$LATEST", None, "$LATEST"),
        ("orders", "1", "1"),
        ("orders:1", None, "1"),
        ("orders", "live", "1"),
        ("orders:live", "live", "1"),
        ("orders:edge", None, "$LATEST"),
        (ARN, None, "$LATEST"),
        (f"{ARN}:live", None, "1"),
        (f"{ACCOUNT}:function:orders:1", None, "1"),
        ("OrdersFunction", None, "$LATEST"),  # the logical id, as `sam local start-lambda` accepts
        ("OrdersFunction:live", None, "1"),
        (f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:OrdersFunction", None, "$LATEST"),
    ],
)
def test_every_form_of_function_name_and_qualifier_resolves(registry, name, qualifier, version):
    target = registry.find(name, qualifier)
    assert target.entry.name == "orders"
    assert target.spec.function_name == "orders"
    assert target.version == version == target.spec.version


def test_the_qualifier_is_kept_as_the_caller_wrote_it(registry):
    assert registry.find("orders").qualifier is None
    assert registry.find("orders:live").qualifier == "live"
    assert registry.find("orders", "1").alias is None
    alias = registry.find("OrdersFunction", "live").alias
    assert alias is not None and (alias.name, alias.function_version, alias.description) == (
        "live",
        "1",
        "production",
    )


def test_unknown_functions_versions_and_aliases_name_the_arn_lambda_names(registry):
    with pytest.raises(FunctionNotFound) as raised:
        registry.find("nope")
    assert str(raised.value) == f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT}:function:nope"
    with pytest.raises(FunctionNotFound) as raised:
        registry.find("orders", "7")
    assert str(raised.value) == f"Function not found: {ARN}:7"
    with pytest.raises(FunctionNotFound) as raised:
        registry.find("orders:beta")
    assert raised.value.arn == f"{ARN}:beta"
    with pytest.raises(FunctionNotFound):
        registry.find(f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:orders")
    with pytest.raises(FunctionNotFound):
        registry.find("arn:aws:lambda:us-east-1:999999999999:function:orders")
    assert registry.resolve("orders:beta") is None


def test_a_qualifier_that_contradicts_the_name_is_an_error(registry):
    """Lambda: "The derived qualifier from the function name does not match the specified qualifier"."""
    with pytest.raises(QualifierConflict, match="derived qualifier"):
        registry.find("orders:1", "live")
    assert registry.resolve("orders:1", "live") is None


def test_a_physical_name_wins_over_another_functions_logical_id():
    registry = FunctionRegistry(region=REGION, account_id=ACCOUNT)
    registry.register(replace(function_spec("billing"), logical_id="Orders"))
    registry.register(replace(function_spec("Orders"), logical_id="Shipping"))
    assert registry.find("Orders").entry.name == "Orders"
    assert registry.find("Shipping").entry.name == "Orders"
    assert registry.find("billing").entry.name == "billing"


def test_a_published_version_keeps_its_configuration_when_latest_changes(registry):
    latest = registry.find("orders").spec
    registry.update("orders", replace(latest, environment={"MODE": "v2"}, timeout=30), "changed")
    assert registry.find("orders").spec.environment == {"MODE": "v2"}
    assert registry.find("orders:edge").spec.timeout == 30  # an alias of $LATEST follows it
    assert registry.find("orders:live").spec.environment == {"MODE": "v1"}
    assert registry.find("orders", "1").spec.timeout == latest.timeout
    assert registry.entry("orders").description == "changed"
    assert registry.entry("orders").versions["1"].description == "orders service"


def test_current_gives_a_spec_as_it_is_configured_now(registry):
    from_template = registry.find("orders").spec
    registry.update("orders", replace(from_template, memory_size=512))
    assert registry.current(from_template).memory_size == 512
    version_one = registry.find("orders", "1").spec
    assert registry.current(version_one) is version_one
    stranger = function_spec("not-registered")
    assert registry.current(stranger) is stranger


def test_updates_and_restore_notify_listeners_and_restore_undoes_every_update(registry):
    seen = []
    registry.on_change(lambda spec: seen.append((spec.function_name, spec.timeout)))
    template = registry.find("orders").spec
    before = registry.entry("orders").revision_id
    registry.update("orders", replace(template, timeout=60), "new")
    assert registry.entry("orders").revision_id != before
    registry.restore()
    assert registry.find("orders").spec == template
    assert registry.entry("orders").description == "orders service"
    assert seen == [("orders", 60), ("orders", template.timeout)]
    registry.restore()  # nothing changed since: nobody is told
    assert len(seen) == 2


def test_versions_and_aliases_are_checked_when_added(registry):
    with pytest.raises(ValueError, match="already published"):
        registry.publish_version("orders", "1")
    with pytest.raises(ValueError, match="not a version number"):
        registry.publish_version("orders", "one")
    with pytest.raises(ValueError, match=r"has no version '9' for alias 'next' \(published: 1\)"):
        registry.add_alias("orders", Alias("next", "9"))
    with pytest.raises(ValueError, match="has no version '4'"):
        registry.add_alias("orders", Alias("canary", "1", additional_weights={"4": 0.1}))
    with pytest.raises(ValueError, match="not valid"):
        registry.add_alias("orders", Alias("12", "1"))  # digits only would read as a version
    with pytest.raises(ValueError, match="already exists"):
        registry.add_alias("orders", Alias("live", "1"))
    with pytest.raises(FunctionNotFound):
        registry.publish_version("missing", "1")


def test_knows_a_function_whatever_the_qualifier(registry):
    assert registry.knows("orders:99")
    assert registry.knows(f"{ARN}:nope")
    assert registry.knows("OrdersFunction")
    assert not registry.knows("other:1")
