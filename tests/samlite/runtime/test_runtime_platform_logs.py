"""The platform's own log lines, formatted as Lambda writes them."""

from __future__ import annotations

import json
import re

from samlite.runtime import platform_logs
from samlite.runtime.platform_logs import Report


def test_text_report_line_matches_cloudwatch() -> None:
    report = Report(
        "id-1", duration_ms=12.3456, memory_size_mb=256, max_memory_used_mb=41, init_duration_ms=95.1
    )
    assert platform_logs.report_line(report, "Text") == (
        "REPORT RequestId: id-1\tDuration: 12.35 ms\tBilled Duration: 108 ms\tMemory Size: 256 MB\t"
        "Max Memory Used: 41 MB\tInit Duration: 95.10 ms\t"
    )
    assert platform_logs.start_line("id-1", "Text") == "START RequestId: id-1 Version: $LATEST"
    assert platform_logs.end_lines("id-1", "Text") == ["END RequestId: id-1"]


def test_timeout_report_has_a_status_and_no_init_duration_when_warm() -> None:
    report = Report("id-2", 3000.4, 128, 30, None, status=platform_logs.TIMEOUT)
    line = platform_logs.report_line(report, "Text")
    assert "Init Duration" not in line and line.endswith("\tStatus: timeout\t")
    assert re.fullmatch(
        r"\S+Z id-2 Task timed out after 3\.00 seconds", platform_logs.timeout_lines("id-2", 3)[0]
    )


def test_billed_duration_rounds_up_to_the_millisecond_and_bills_init() -> None:
    assert Report("i", 0.2, 128, 1, None).billed_duration_ms == 1
    assert Report("i", 5.0, 128, 1, None).billed_duration_ms == 5
    assert Report("i", 5.01, 128, 1, None).billed_duration_ms == 6
    # Since August 2025 the INIT phase of on-demand ZIP functions is billed too.
    assert Report("i", 5.01, 128, 1, 100.5).billed_duration_ms == 106


def test_json_records_follow_the_telemetry_schema() -> None:
    start = json.loads(platform_logs.start_line("id-3", "JSON"))
    assert start["type"] == "platform.start" and start["record"] == {
        "requestId": "id-3",
        "version": "$LATEST",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", start["time"])
    report = json.loads(
        platform_logs.report_line(Report("id-3", 1.5, 128, 20, None, "error", "ValueError"), "JSON")
    )
    assert report["record"] == {
        "requestId": "id-3",
        "metrics": {"durationMs": 1.5, "billedDurationMs": 2, "memorySizeMB": 128, "maxMemoryUsedMB": 20},
        "status": "error",
        "errorType": "ValueError",
    }
    assert platform_logs.end_lines("id-3", "JSON") == []
