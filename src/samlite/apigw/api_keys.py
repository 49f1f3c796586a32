"""API keys: which key values each REST API accepts, and the local values of the template's keys.

On AWS a method with `ApiKeyRequired` accepts a key that is enabled and attached, through a usage plan
(`AWS::ApiGateway::UsagePlanKey` -> `UsagePlan.ApiStages`) or the key's own `StageKeys`, to the API's
stage. Without a `Value` property AWS generates the value; samlite derives one from the stack name and
the key's logical id instead, so it is stable across restarts and a test or a README can rely on it.
`Ref` of the key resource stays its id (the template model computes it as CloudFormation would).
When an API requires keys but the template attaches none (`Auth: ApiKeyRequired` without a
`UsagePlan`), a deployed API would refuse every call; samlite generates one key for that API, named
`<ApiLogicalId>LocalApiKey`, so the API stays usable locally, and says so in a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from samlite.apigw.routes import ApiDefinition
from samlite.template import Stack
from samlite.template.naming import stable_token

_KEY_TYPE = "AWS::ApiGateway::ApiKey"
_PLAN_TYPE = "AWS::ApiGateway::UsagePlan"
_PLAN_KEY_TYPE = "AWS::ApiGateway::UsagePlanKey"
_ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"  # resource ids such as `gjjx9m8fp8`
KEY_LENGTH = 40  # generated API key values on AWS are 40 alphanumerics


@dataclass(frozen=True)
class ApiKey:
    """One key: the resource's logical id, its id (`Ref`), its value, and whether it is enabled."""

    logical_id: str
    key_id: str
    value: str
    enabled: bool = True


@dataclass(frozen=True)
class ApiKeyRing:
    """The keys of a stack and, per API logical id, the keys that API accepts."""

    keys: Mapping[str, ApiKey]  # by logical id
    accepted: Mapping[str, tuple[ApiKey, ...]]  # by API logical id
    warnings: tuple[str, ...] = ()

    def find(self, api_logical_id: str, value: str | None) -> ApiKey | None:
        """The enabled key with this value that the API accepts, if any."""
        if not value:
            return None
        for key in self.accepted.get(api_logical_id, ()):
            if key.enabled and key.value == value:
                return key
        return None


def local_key_value(stack_name: str, logical_id: str) -> str:
    """A stable, random-looking 40-character key value for a key resource of a stack."""
    return stable_token("samlite-api-key", stack_name, logical_id, length=KEY_LENGTH, alphabet=_ALPHANUMERIC)


def build_key_ring(stack: Stack, apis: list[ApiDefinition]) -> ApiKeyRing:
    """Read the stack's API keys and usage plans, and decide what each API accepts."""
    resources = stack.resources
    keys: dict[str, ApiKey] = {}
    for logical_id, resource in resources.items():
        if resource.type == _KEY_TYPE:
            value = resource.properties.get("Value")
            keys[logical_id] = ApiKey(
                logical_id=logical_id,
                key_id=resource.ref,
                value=str(value) if value else local_key_value(stack.stack_name, logical_id),
                enabled=_enabled(resource.properties.get("Enabled", False)),
            )
    by_id = {key.key_id: key for key in keys.values()}
    # (api id, stage) -> keys attached to it
    attached: dict[tuple[str, str], list[ApiKey]] = {}
    plans = {r.ref: r for r in resources.values() if r.type == _PLAN_TYPE}
    for resource in resources.values():
        if resource.type != _PLAN_KEY_TYPE:
            continue
        key = by_id.get(str(resource.properties.get("KeyId")))
        plan = plans.get(str(resource.properties.get("UsagePlanId")))
        if key is None or plan is None:
            continue
        for api_stage in plan.properties.get("ApiStages") or []:
            target = (str(api_stage.get("ApiId")), str(api_stage.get("Stage")))
            attached.setdefault(target, []).append(key)
    for logical_id, key in keys.items():
        for stage_key in resources[logical_id].properties.get("StageKeys") or []:
            target = (str(stage_key.get("RestApiId")), str(stage_key.get("StageName")))
            attached.setdefault(target, []).append(key)

    accepted: dict[str, tuple[ApiKey, ...]] = {}
    warnings: list[str] = []
    for api in apis:
        if not api.requires_api_key:
            continue
        found = tuple(dict.fromkeys(attached.get((api.api_id, api.stage), [])))
        if not found:
            logical_id = f"{api.logical_id}LocalApiKey"
            local = ApiKey(
                logical_id=logical_id,
                key_id=stable_token(stack.stack_name, logical_id, length=10, alphabet=_ID_ALPHABET),
                value=local_key_value(stack.stack_name, logical_id),
            )
            keys[logical_id] = local
            found = (local,)
            warnings.append(
                f"Resource '{api.logical_id}' requires API keys but no usage plan attaches one to stage "
                f"'{api.stage}': samlite made the local key '{logical_id}' (on AWS no key would be accepted)"
            )
        if api.api_key_source != "HEADER":
            warnings.append(
                f"Resource '{api.logical_id}': API key source '{api.api_key_source}' (from an authorizer) is "
                "not supported locally; keys are read from the x-api-key header"
            )
        accepted[api.logical_id] = found
    return ApiKeyRing(keys=keys, accepted=accepted, warnings=tuple(warnings))


def _enabled(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)
