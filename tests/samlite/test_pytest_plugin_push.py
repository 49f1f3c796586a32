"""The pytest plugin's chaos option and `samlite.trigger`, as users see them (pytester, subprocess),
on the pushed-triggers fixture template (tests/samlite/push_fixtures)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.samlite.test_pytest_plugin import plugin_args

pytest_plugins = ["pytester"]

FIXTURE = Path(__file__).parent / "push_fixtures"


def test_chaos_option_and_trigger_in_the_fixture(pytester: pytest.Pytester) -> None:
    shutil.copytree(FIXTURE, pytester.path, dirs_exist_ok=True)
    pytester.makeini(
        """
        [pytest]
        samlite_chaos = duplicate=0,seed=1
        """
    )
    pytester.makepyfile(
        test_push="""
        def test_chaos_duplicates_and_wait_covers_it(samlite, samlite_outputs):
            samlite.client("sns").publish(
                TopicArn=samlite_outputs["TopicArn"],
                Message="twice",
                MessageAttributes={"color": {"DataType": "String", "StringValue": "red"}},
            )
            samlite.wait(timeout=30)
            records = samlite.invocations("SnsFunction")
            assert [record.source for record in records] == ["sns", "sns"]
            assert any("chaos: delivering twice" in line for line in samlite.log_lines("samlite"))

        def test_trigger_fires_a_schedule_now(samlite):
            fired = samlite.trigger("TickFunction.Nightly")
            assert fired.kind == "rule"
            samlite.wait(timeout=30)
            records = samlite.invocations("TickFunction")  # duplicate=1: a schedule is delivered twice too
            expected = ("schedule", {"nightly": True}, fired.arn)
            assert [(r.source, r.event, r.trigger) for r in records] == [expected, expected]
        """
    )
    result = pytester.runpytest_subprocess(
        *plugin_args(), "-p", "no:cacheprovider", "--samlite-chaos", "duplicate=1,seed=7", timeout=180
    )
    result.assert_outcomes(passed=2)


def test_a_malformed_chaos_option_is_a_usage_error_naming_the_key(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    result = pytester.runpytest_subprocess(*plugin_args(), "--samlite-chaos", "drop=0.5", timeout=120)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--chaos: unknown key 'drop'*--samlite-chaos / ini samlite_chaos*"])
