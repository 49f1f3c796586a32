"""moto's AWS managed policies, read from moto's file while the change is applied: the same text for
every reader, the same policies when moto is asked to load them all, and moto's own module back after."""

from __future__ import annotations

import json

import moto.iam.aws_managed_policies as data_module
import pytest
from moto.iam import models

from samlite.moto_changes import iam_managed_policy_text
from samlite.moto_changes.iam_managed_policy_text import CHANGE, policies_text

NAME = "aws_managed_policies_data"


@pytest.fixture
def applied():
    moto_text = data_module.__dict__.get(NAME)
    CHANGE.apply()
    try:
        yield moto_text
    finally:
        CHANGE.restore()


def test_the_text_is_dropped_and_every_reader_gets_moto_s(applied):
    moto_text = applied
    assert NAME not in models.__dict__ and NAME not in data_module.__dict__
    from moto.iam.aws_managed_policies import aws_managed_policies_data  # what moto's SSO Admin does

    assert aws_managed_policies_data == policies_text() == moto_text


def test_loading_every_managed_policy_gives_moto_s_policies(applied, monkeypatch):
    import moto.settings

    monkeypatch.setattr(moto.settings, "load_iam_aws_managed_policies", lambda: True)
    backend = models.IAMBackend("us-east-1", "123456789012")
    names = sorted(policy.name for policy in backend.aws_managed_policies)
    assert names == sorted(json.loads(applied))


def test_restore_puts_moto_s_module_back():
    CHANGE.apply()
    CHANGE.restore()
    assert isinstance(models.__dict__[NAME], str) and models.__dict__[NAME] == policies_text()
    assert "__getattr__" not in data_module.__dict__
    assert iam_managed_policy_text.CHANGE.applied is False
