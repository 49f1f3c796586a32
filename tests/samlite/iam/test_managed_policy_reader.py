"""Reading one AWS managed policy out of moto's bundled copy gives what parsing the whole copy gives."""

from __future__ import annotations

import json

from moto.iam.aws_managed_policies import aws_managed_policies_data

from samlite.iam.roles import _aws_managed_policy


def test_every_bundled_policy_reads_as_the_whole_document_parses():
    whole = json.loads(aws_managed_policies_data)
    assert whole, "moto's bundled copy is empty"
    differing = [name for name, data in whole.items() if _aws_managed_policy(name) != data]
    assert differing == []


def test_an_unknown_policy_is_none_and_a_prefix_of_a_known_one_is_not_a_match():
    assert _aws_managed_policy("NoSuchPolicyAnywhere") is None
    assert _aws_managed_policy("AWSLambdaBasicExecution") is None  # AWSLambdaBasicExecutionRole exists
