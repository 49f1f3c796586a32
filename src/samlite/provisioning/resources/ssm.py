"""Parameters of the template (`AWS::SSM::Parameter`): String and StringList, as CloudFormation makes them.

The value is the template's (intrinsics and dynamic references resolved by the template model, which
also refuses SecureString: CloudFormation cannot create one). `AllowedPattern` is checked here, as
Parameter Store checks it (ParameterPatternMismatchException), since moto does not. Emptying (a
test's reset) puts the parameter back at version 1 with the template's value, whatever PutParameter
did since.
"""

from __future__ import annotations

import json
import re

from samlite.errors import ProvisionError
from samlite.model import AwsApi, Resource
from samlite.provisioning.resources.kinds import Provisioning, ResourceKind, fail, tag_list


def _put(aws: AwsApi, resource: Resource) -> None:
    props = resource.properties
    policies = props.get("Policies")
    aws.backend("ssm").put_parameter(
        name=resource.ref,
        description=props.get("Description"),
        value=str(props["Value"]),
        parameter_type=str(props.get("Type") or "String"),
        allowed_pattern=props.get("AllowedPattern"),
        keyid=None,
        overwrite=False,
        tags=tag_list(props.get("Tags")),
        data_type=str(props.get("DataType") or "text"),
        tier=props.get("Tier"),
        policies=policies if policies is None or isinstance(policies, str) else json.dumps(policies),
    )


def _parameter(context: Provisioning, resource: Resource) -> None:
    pattern, value = resource.properties.get("AllowedPattern"), str(resource.properties["Value"])
    if pattern and re.search(str(pattern), value) is None:
        raise ProvisionError(
            f"{resource.logical_id} (AWS::SSM::Parameter) property 'Value': {value!r} does not match "
            f"AllowedPattern {pattern!r}"
        )
    try:
        _put(context.aws, resource)
    except Exception as error:
        raise fail(resource, f"cannot create parameter {resource.ref!r}", error) from error


def _remove(aws: AwsApi, resource: Resource) -> None:
    ssm = aws.backend("ssm")
    if ssm._parameters.get(ssm._parameters.normalize_name(resource.ref)):
        ssm.delete_parameter(resource.ref)


def _empty(aws: AwsApi, resource: Resource) -> None:
    _remove(aws, resource)
    _put(aws, resource)


KINDS = (ResourceKind("AWS::SSM::Parameter", _parameter, rank=2, empty=_empty, remove=_remove),)
