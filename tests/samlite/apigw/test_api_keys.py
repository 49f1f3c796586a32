"""API keys: usage-plan keys of the template, local keys for keyless APIs, stable values."""

from __future__ import annotations

import re
from pathlib import Path

from samlite.apigw.api_keys import KEY_LENGTH, build_key_ring
from samlite.apigw.routes import load_routes
from samlite.template import Stack, load_stack


def test_usage_plan_key_is_accepted_by_its_api(explicit_stack: Stack) -> None:
    ring = build_key_ring(explicit_stack, load_routes(explicit_stack).apis)
    key = ring.keys["ApiApiKey"]
    # Ref of the key resource is its id, as on AWS; the value is a 40-character secret.
    assert key.key_id == explicit_stack.resources["ApiApiKey"].ref
    assert re.fullmatch(rf"[A-Za-z0-9]{{{KEY_LENGTH}}}", key.value)
    assert ring.find("Api", key.value) is key
    assert ring.find("Api", "wrong") is None and ring.find("Api", None) is None
    assert not ring.warnings


def test_key_values_are_stable_per_stack_and_differ_between_stacks(explicit_stack: Stack) -> None:
    template = Path(__file__).parent / "fixtures" / "explicit" / "template.yaml"
    again = load_stack(template)
    other = load_stack(template, stack_name="other")
    values = [
        build_key_ring(stack, load_routes(stack).apis).keys["ApiApiKey"].value
        for stack in (explicit_stack, again, other)
    ]
    assert values[0] == values[1] != values[2]


def test_api_requiring_keys_without_a_usage_plan_gets_a_local_key(gateway_stack: Stack) -> None:
    ring = build_key_ring(gateway_stack, load_routes(gateway_stack).apis)
    assert set(ring.keys) == {"ServerlessRestApiLocalApiKey"}
    local = ring.keys["ServerlessRestApiLocalApiKey"]
    assert ring.find("ServerlessRestApi", local.value) is local
    assert "HttpApi" not in ring.accepted  # HTTP APIs have no API keys
    (warning,) = ring.warnings
    assert "ServerlessRestApi" in warning and "usage plan" in warning
