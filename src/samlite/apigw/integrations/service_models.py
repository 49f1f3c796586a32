"""How each AWS service is spoken to, from botocore's models: protocol, JSON target, signing name.

A REST `action/{Action}` integration is sent the way the service's API expects it: JSON-protocol
services (DynamoDB, Step Functions, EventBridge, Kinesis) get `X-Amz-Target: {prefix}.{Action}` and
`application/x-amz-json-1.x`; query-protocol ones (SQS, SNS) `?Action={Action}`. SQS is a query
service to API Gateway (its integrations post `Action=SendMessage&...` forms) although botocore now
speaks JSON to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# The service name in an apigateway ARN -> botocore's model name, where they differ.
_MODEL_NAMES = {
    "states": "stepfunctions",
    "monitoring": "cloudwatch",
    "email": "ses",
    "execute-api": "apigateway",
}
QUERY_FOR_APIGATEWAY = frozenset({"sqs", "sns"})


@dataclass(frozen=True)
class ServiceInfo:
    arn_name: str
    model_name: str
    protocol: str  # query, json, rest-json, rest-xml, ec2
    target_prefix: str | None
    json_version: str
    signing_name: str


@lru_cache(maxsize=64)
def service_info(arn_name: str) -> ServiceInfo:
    model = service_model(arn_name)
    metadata = model.metadata
    protocol = "query" if arn_name in QUERY_FOR_APIGATEWAY else str(metadata.get("protocol"))
    return ServiceInfo(
        arn_name=arn_name,
        model_name=model.service_name,
        protocol=protocol,
        target_prefix=metadata.get("targetPrefix"),
        json_version=str(metadata.get("jsonVersion") or "1.0"),
        signing_name=str(metadata.get("signingName") or metadata.get("endpointPrefix") or arn_name),
    )


@lru_cache(maxsize=64)
def service_model(arn_name: str) -> Any:
    """botocore's ServiceModel of a service named as in apigateway ARNs (`states`, `sqs`, ...)."""
    from botocore.exceptions import UnknownServiceError

    try:
        return _session().get_service_model(_MODEL_NAMES.get(arn_name, arn_name))
    except UnknownServiceError:
        raise LookupError(f"'{arn_name}' is not an AWS service botocore knows") from None


@lru_cache(maxsize=1)
def _session() -> Any:
    import botocore.session

    return botocore.session.get_session()
