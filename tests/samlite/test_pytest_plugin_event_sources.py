"""The pytest plugin with polled triggers: `wait()` covers queues and streams, and each recorded
invocation says which trigger delivered it (pytest runs on the event-source fixture, in a subprocess)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.samlite.test_pytest_plugin import plugin_args

pytest_plugins = ["pytester"]

FIXTURE = Path(__file__).parent / "event_source_fixtures"


def test_wait_returns_once_queues_and_streams_are_done(pytester: pytest.Pytester) -> None:
    shutil.copytree(FIXTURE, pytester.path, dirs_exist_ok=True)
    pytester.makepyfile(
        test_polled="""
        def arn(samlite, mapping_id):
            return samlite.cloud.stack.resources[mapping_id].attributes["EventSourceMappingArn"]

        def test_a_queue_message_and_a_table_write(samlite, samlite_outputs, samlite_client):
            samlite_client("sqs").send_message(QueueUrl=samlite_outputs["WorkQueueUrl"], MessageBody="fail")
            table_name = samlite_outputs["ItemsTable"]
            samlite_client("dynamodb").put_item(TableName=table_name, Item={"id": {"S": "1"}})
            samlite.wait(timeout=30)
            queue = samlite.invocations("QueueFunction")
            # redelivered after the visibility timeout, then moved to the dead-letter queue: all waited for
            assert [(r.source, r.trigger) for r in queue] == [("sqs", arn(samlite, "QueueFunctionWork"))] * 2
            log = samlite.log_lines("QueueFunction")
            assert any("moved to the dead-letter queue" in line for line in log)
            table = samlite.invocations("TableFunction")
            expected = [("dynamodb", arn(samlite, "TableFunctionItems"))]
            assert [(r.source, r.trigger) for r in table] == expected

        def test_the_next_test_starts_clean(samlite, samlite_outputs, samlite_client):
            assert samlite.invocations("QueueFunction") == []
            stream = samlite_outputs["ClicksStream"]
            samlite_client("kinesis").put_record(StreamName=stream, Data=b"x", PartitionKey="k")
            samlite.wait(timeout=30)
            triggers = [r.trigger for r in samlite.invocations("KinesisFunction")]
            assert triggers == [arn(samlite, "KinesisFunctionClicks")]
        """
    )
    result = pytester.runpytest_subprocess(*plugin_args(), "-p", "no:cacheprovider", timeout=180)
    result.assert_outcomes(passed=2)
