"""The data samlite's parts share, at the bottom of its layers: each part can be tested without the others.

- `functions`: what a function is (`FunctionSpec`) and what one invocation gave (`InvocationResult`);
- `layers`: one of a function's layers, where its content is on this machine (`LayerSpec`);
- `resources`: one resolved CloudFormation resource (`Resource`);
- `credentials`: an access key pair (`Credentials`);
- `aws_error`: an AWS error as a decision (`AwsError`), written in a protocol's shape by the endpoint;
- `served_request`: a request the embedded AWS answered, as its observers see it (`ServedRequest`);
- `embedded_aws`: what IAM, provisioning, reset and event delivery need of the embedded AWS (`AwsApi`).
"""

from samlite.model.aws_error import AwsError
from samlite.model.credentials import Credentials
from samlite.model.embedded_aws import AwsApi, RequestObserver
from samlite.model.functions import (
    DEFAULT_MAX_EVENT_AGE_S,
    DEFAULT_MAX_RETRY_ATTEMPTS,
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_S,
    LATEST_VERSION,
    EventInvokeConfig,
    FunctionSpec,
    InvocationResult,
)
from samlite.model.layers import LayerSpec
from samlite.model.resources import Resource
from samlite.model.served_request import ObjectWrite, ServedRequest

__all__ = [
    "DEFAULT_MAX_EVENT_AGE_S",
    "DEFAULT_MAX_RETRY_ATTEMPTS",
    "DEFAULT_MEMORY_MB",
    "DEFAULT_TIMEOUT_S",
    "LATEST_VERSION",
    "AwsApi",
    "AwsError",
    "Credentials",
    "EventInvokeConfig",
    "FunctionSpec",
    "InvocationResult",
    "LayerSpec",
    "ObjectWrite",
    "RequestObserver",
    "Resource",
    "ServedRequest",
]
