"""Every resource type samlite creates, one module per AWS service, each exporting `KINDS`."""

from __future__ import annotations

from samlite.provisioning.resources import (
    awslambda,
    cognito,
    dynamodb,
    event_source_mappings,
    events,
    iam,
    kinesis,
    kms,
    lambda_versions,
    s3,
    scheduler,
    secretsmanager,
    sns,
    sqs,
    ssm,
    stepfunctions,
)
from samlite.provisioning.resources.kinds import ResourceKind

KINDS: dict[str, ResourceKind] = {
    kind.type: kind
    for module in (
        iam,
        kms,
        secretsmanager,
        ssm,
        sqs,
        sns,
        dynamodb,
        kinesis,
        awslambda,
        lambda_versions,
        event_source_mappings,
        s3,
        cognito,
        stepfunctions,
        events,
        scheduler,
    )
    for kind in module.KINDS
}
