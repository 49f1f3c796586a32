"""The lines Lambda itself writes around an invocation: START, END, REPORT and their JSON forms.

Text format (CloudWatch, "Using Lambda function logs"), fields separated by tabs:
  START RequestId: <id> Version: $LATEST
  END RequestId: <id>
  REPORT RequestId: <id>	Duration: 1.23 ms	Billed Duration: 97 ms	Memory Size: 128 MB
      Max Memory Used: 40 MB	Init Duration: 95.10 ms   (one line)
With `LoggingConfig.LogFormat: JSON`, Lambda writes `platform.start` and `platform.report` records
instead (Telemetry API event schema: `record.metrics.durationMs`, `billedDurationMs`, ...).
Failures: a timeout logs `<time> <id> Task timed out after 3.00 seconds`; a dead runtime logs
`RequestId: <id> Error: Runtime exited with error: signal: killed` then `Runtime.ExitError`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass

SUCCESS = "success"
FAILURE = "error"
TIMEOUT = "timeout"


def timestamp(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class Report:
    request_id: str
    duration_ms: float
    memory_size_mb: int
    max_memory_used_mb: int
    init_duration_ms: float | None
    status: str = SUCCESS
    error_type: str | None = None

    @property
    def billed_duration_ms(self) -> int:
        """Lambda bills in 1 ms increments, rounded up, and since 1 August 2025 the INIT phase too
        ("AWS Lambda standardizes billing for INIT Phase", AWS Compute Blog): on a cold start the
        Billed Duration covers Init Duration plus Duration, as it always did for container images."""
        return max(1, math.ceil(self.duration_ms + (self.init_duration_ms or 0.0)))


def start_line(request_id: str, log_format: str, version: str = "$LATEST") -> str:
    if _is_json(log_format):
        record = {"requestId": request_id, "version": version}
        return json.dumps({"time": timestamp(), "type": "platform.start", "record": record})
    return f"START RequestId: {request_id} Version: {version}"


def end_lines(request_id: str, log_format: str) -> list[str]:
    return [] if _is_json(log_format) else [f"END RequestId: {request_id}"]


def report_line(report: Report, log_format: str) -> str:
    if _is_json(log_format):
        metrics: dict[str, float | int] = {
            "durationMs": round(report.duration_ms, 2),
            "billedDurationMs": report.billed_duration_ms,
            "memorySizeMB": report.memory_size_mb,
            "maxMemoryUsedMB": report.max_memory_used_mb,
        }
        if report.init_duration_ms is not None:
            metrics["initDurationMs"] = round(report.init_duration_ms, 2)
        record: dict[str, object] = {
            "requestId": report.request_id,
            "metrics": metrics,
            "status": report.status,
        }
        if report.error_type:
            record["errorType"] = report.error_type
        return json.dumps({"time": timestamp(), "type": "platform.report", "record": record})
    fields = [
        f"REPORT RequestId: {report.request_id}",
        f"Duration: {report.duration_ms:.2f} ms",
        f"Billed Duration: {report.billed_duration_ms} ms",
        f"Memory Size: {report.memory_size_mb} MB",
        f"Max Memory Used: {report.max_memory_used_mb} MB",
    ]
    if report.init_duration_ms is not None:
        fields.append(f"Init Duration: {report.init_duration_ms:.2f} ms")
    if report.status != SUCCESS:
        fields.append(f"Status: {report.status}")
        if report.error_type:
            fields.append(f"Error Type: {report.error_type}")
    return "\t".join(fields) + "\t"


def init_report_line(init_duration_ms: float, error_type: str, log_format: str) -> str:
    if _is_json(log_format):
        record = {
            "initializationType": "on-demand",
            "phase": "init",
            "status": FAILURE,
            "errorType": error_type,
            "metrics": {"durationMs": round(init_duration_ms, 2)},
        }
        return json.dumps({"time": timestamp(), "type": "platform.initReport", "record": record})
    fields = [f"INIT_REPORT Init Duration: {init_duration_ms:.2f} ms", "Phase: init", "Status: error"]
    return "\t".join([*fields, f"Error Type: {error_type}"])


def timeout_lines(request_id: str, timeout_s: float) -> list[str]:
    return [f"{timestamp()} {request_id} Task timed out after {timeout_s:.2f} seconds"]


def exit_lines(request_id: str, reason: str) -> list[str]:
    return [f"RequestId: {request_id} Error: Runtime exited with error: {reason}", "Runtime.ExitError"]


def _is_json(log_format: str) -> bool:
    return log_format.upper() == "JSON"
