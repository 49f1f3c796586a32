"""The local gateway's API keys, written into moto's API Gateway so they are readable as on AWS.

CloudFormation cannot output a key's value, so users and tests written for a deployed stack read it
with `aws apigateway get-api-key --api-key <ApiKeyId output> --include-value`. Writing the keys into
moto makes that work locally. It is done on the first use of moto's API Gateway (the first
apigateway request waits for it): its import costs about 0.2 s, which start-up need not spend.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from samlite.model import AwsApi


@dataclass(frozen=True)
class KeyRecord:
    """An API key as moto's API Gateway holds it: id (`Ref`), name, value, enabled."""

    key_id: str
    name: str
    value: str
    enabled: bool


def register_api_keys(aws: AwsApi, keys: Iterable[KeyRecord]) -> None:
    """Make `keys` readable through moto's API Gateway from its first use on."""
    records = list(keys)

    def register() -> None:
        from moto.apigateway.models import ApiKey as MotoApiKey

        backend_keys = aws.backend("apigateway").keys
        for key in records:
            backend_keys[key.key_id] = MotoApiKey(
                key.key_id, name=key.name, enabled=key.enabled, value=key.value
            )

    aws.on_first_use("apigateway", register)
