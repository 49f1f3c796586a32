"""The samlite pytest plugin, tested as its users see it: pytest runs on a tiny template (pytester).

Each case runs pytest in a subprocess (`runpytest_subprocess`): moto's state is global to a process, and
a subprocess also proves that the session fixture stops everything it started once pytest exits.
"""

from __future__ import annotations

import shutil
import socket
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytest_plugins = ["pytester"]

FIXTURES = Path(__file__).parent / "plugin_fixtures"
PLUGIN_MODULE = "samlite.pytest_plugin"


def plugin_args() -> list[str]:
    """`-p samlite.pytest_plugin` unless the installed distribution already declares the entry point
    (loading the module under a second name would make pytest refuse it as registered twice)."""
    for entry_point in metadata.entry_points(group="pytest11"):
        if entry_point.value == PLUGIN_MODULE:
            return []
    return ["-p", PLUGIN_MODULE]


def copy_stack(pytester: pytest.Pytester, into: str = ".") -> Path:
    target = pytester.path / into
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "template.yaml", target / "template.yaml")
    shutil.copytree(FIXTURES / "recorder", target / "recorder")
    return target


def port_is_closed(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return False
    except OSError:
        return True


def test_fixtures_deliver_record_and_reset_between_tests(pytester: pytest.Pytester) -> None:
    copy_stack(pytester)
    pytester.makepyfile(
        test_stack="""
        from pathlib import Path

        def test_upload_reaches_the_function(samlite, samlite_outputs, samlite_client):
            s3 = samlite_client("s3")
            assert samlite_client("s3") is s3  # one client per service
            s3.put_object(Bucket=samlite_outputs["InboxBucketName"], Key="photos/a b.txt", Body=b"x")
            samlite.wait(timeout=30)
            records = samlite.invocations("RecorderFunction")
            assert [record.source for record in records] == ["s3"]
            assert records[0].event["Records"][0]["s3"]["object"]["key"] == "photos/a+b.txt"
            assert records[0].result.error_type is None
            assert any("hello photos/a b.txt" in line for line in samlite.log_lines("RecorderFunction"))
            assert samlite_outputs["Greeting"] == "hello"
            Path("endpoint.txt").write_text(samlite.url)

        def test_next_test_starts_empty(samlite, samlite_outputs, samlite_client):
            listing = samlite_client("s3").list_objects_v2(Bucket=samlite_outputs["InboxBucketName"])
            assert listing["KeyCount"] == 0
            assert samlite.invocations("RecorderFunction") == []
            assert samlite.log_lines("RecorderFunction") == []

        def test_wait_covers_retries(samlite, samlite_outputs, samlite_client):
            samlite_client("s3").put_object(
                Bucket=samlite_outputs["InboxBucketName"], Key="fail/x", Body=b"x"
            )
            samlite.wait(timeout=30)
            records = samlite.invocations("RecorderFunction")
            # Lambda's async invocation: the first attempt and 2 retries, all recorded.
            assert len(records) == 3
            assert all(record.result.error_type for record in records)
        """
    )
    pytester.makepyfile(
        test_z_later="""
        import socket
        from pathlib import Path
        from urllib.parse import urlsplit

        def test_cloud_already_stopped_for_tests_that_do_not_use_it():
            parts = urlsplit(Path("endpoint.txt").read_text())
            try:
                socket.create_connection((parts.hostname, parts.port), timeout=1).close()
            except OSError:
                return
            raise AssertionError("the cloud still runs after its last user")
        """
    )
    result = pytester.runpytest_subprocess(*plugin_args(), "-p", "no:cacheprovider", timeout=180)
    result.assert_outcomes(passed=4)
    url = (pytester.path / "endpoint.txt").read_text()
    assert url.startswith("http://127.0.0.1:")
    assert port_is_closed(url), "the session fixture must stop the endpoint when pytest ends"


def test_ini_template_and_command_line_overrides(pytester: pytest.Pytester) -> None:
    copy_stack(pytester, "stack")
    # sam local's --env-vars shape: function logical id -> variables; it beats the template's value.
    pytester.makefile(".json", env='{"RecorderFunction": {"GREETING": "salut"}}')
    pytester.makeini(
        """
        [pytest]
        samlite_template = stack/template.yaml
        samlite_parameter_overrides =
            Greeting=from-ini
        """
    )
    pytester.makepyfile(
        test_params="""
        def test_greeting(samlite, samlite_outputs, samlite_client):
            assert samlite_outputs["Greeting"] == "bonjour"
            samlite_client("s3").put_object(Bucket=samlite_outputs["InboxBucketName"], Key="k", Body=b"")
            samlite.wait()
            assert any("salut k" in line for line in samlite.log_lines("RecorderFunction"))
        """
    )
    result = pytester.runpytest_subprocess(
        *plugin_args(),
        "-p",
        "no:cacheprovider",
        "--samlite-parameter-overrides",
        "Greeting=bonjour",
        "--samlite-env-vars",
        "env.json",
        timeout=180,
    )
    result.assert_outcomes(passed=1)


def test_missing_env_vars_file_fails_with_its_path(pytester: pytest.Pytester) -> None:
    copy_stack(pytester)
    pytester.makepyfile(test_env="def test_needs_cloud(samlite_cloud):\n    pass\n")
    result = pytester.runpytest_subprocess(
        *plugin_args(), "-p", "no:cacheprovider", "--samlite-env-vars", "absent.json", timeout=120
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*--env-vars file not found: *absent.json*"])


def test_missing_template_fails_with_its_path(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_missing="""
        def test_needs_cloud(samlite_cloud):
            pass
        """
    )
    result = pytester.runpytest_subprocess(*plugin_args(), "-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*samlite template *template.yaml does not exist*--samlite-template*"])


def test_malformed_override_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    result = pytester.runpytest_subprocess(
        *plugin_args(), "--samlite-parameter-overrides", "Greeting", timeout=120
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*samlite parameter override 'Greeting' is not KEY=VALUE*"])


def test_plugin_costs_nothing_when_unused(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_plain="""
        import sys

        def test_plain():
            assert "samlite.cloud.local_cloud" not in sys.modules
            assert "boto3" not in sys.modules
        """
    )
    result = pytester.runpytest_subprocess(*plugin_args(), "-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(passed=1)


def test_broken_template_fails_with_samlite_message_not_traceback(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".yaml",
        template="""
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              CodeUri: missing-dir/
              Environment:
                Variables:
                  TABLE: !Ref NoSuchResource
        """,
    )
    pytester.makepyfile(test_broken="def test_needs_cloud(samlite_cloud):\n    pass\n")
    result = pytester.runpytest_subprocess(*plugin_args(), "-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*samlite could not start *template.yaml: *"])
    assert "Traceback" not in result.stdout.str()
