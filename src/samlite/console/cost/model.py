"""The cost of the work done since start, from what was measured: invocations and served requests.

Lambda: one request per invocation, and GB-seconds from each invocation's billed duration (the REPORT
line's `Billed Duration`, which since August 2025 includes a cold start's init phase) times the
memory size it ran with, priced by its architecture. Then S3 requests by class, DynamoDB request
units, API Gateway, SQS and SNS requests as the meter counted them. "Per million invocations" scales
the same work to a million: per function at its measured average billed duration (and at its warm
average, since a short local run has proportionally many cold starts), and for the whole run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from samlite.console.cost.meter import MeterReading
from samlite.console.cost.prices import Price, PriceTable
from samlite.console.cost.request_classes import FREE, TIER1, TIER2

MILLION = 1_000_000


@dataclass(frozen=True)
class LambdaUsage:
    """Invocations of one function at one memory size and architecture."""

    function_id: str
    architecture: str
    memory_mb: int
    invocations: int
    cold_starts: int
    billed_ms: int
    warm_billed_ms: int

    @property
    def gb_seconds(self) -> float:
        return gb_seconds(self.billed_ms, self.memory_mb)

    @property
    def average_billed_ms(self) -> float:
        return self.billed_ms / self.invocations if self.invocations else 0.0

    @property
    def average_warm_billed_ms(self) -> float | None:
        warm = self.invocations - self.cold_starts
        return self.warm_billed_ms / warm if warm else None


def gb_seconds(billed_ms: float, memory_mb: int) -> float:
    """Lambda's GB-seconds: seconds billed times memory in GB (1 GB = 1024 MB)."""
    return billed_ms / 1000.0 * memory_mb / 1024.0


def lambda_usage(records_by_function: Mapping[str, Iterable[Any]]) -> list[LambdaUsage]:
    """Group each function's recorded invocations by the memory size and architecture they ran with."""
    usage: list[LambdaUsage] = []
    for function_id, records in sorted(records_by_function.items()):
        groups: dict[tuple[int, str], list[int]] = {}
        for record in records:
            group = groups.setdefault((record.memory_size, record.architecture), [0, 0, 0, 0])
            billed = int(record.result.billed_duration_ms)
            group[0] += 1
            group[2] += billed
            if record.result.init_duration_ms is not None:
                group[1] += 1
            else:
                group[3] += billed
        for (memory, architecture), (count, cold, billed, warm) in sorted(groups.items()):
            usage.append(LambdaUsage(function_id, architecture, memory, count, cold, billed, warm))
    return usage


def _gb_second_price(prices: PriceTable, architecture: str) -> Price:
    return prices.lambda_gb_second.get(architecture, prices.lambda_gb_second["x86_64"])


def _per_million(prices: PriceTable, usage: LambdaUsage, average_ms: float | None) -> float | None:
    if average_ms is None:
        return None
    compute = gb_seconds(average_ms * MILLION, usage.memory_mb)
    return prices.lambda_requests.of(MILLION) + _gb_second_price(prices, usage.architecture).of(compute)


def _line(service: str, item: str, scope: str, quantity: float, price: Price | None) -> dict[str, Any]:
    return {
        "service": service,
        "item": item,
        "scope": scope,
        "quantity": quantity,
        "unit": price.unit if price else "request",
        "price": {"usd": price.usd, "per": price.per} if price else None,
        "cost": price.of(quantity) if price else 0.0,
    }


def _lambda_lines(prices: PriceTable, usage: list[LambdaUsage]) -> list[dict[str, Any]]:
    lines = []
    for entry in usage:
        scope = f"{entry.function_id} ({entry.memory_mb} MB, {entry.architecture})"
        lines.append(_line("Lambda", "requests", scope, entry.invocations, prices.lambda_requests))
        gb_price = _gb_second_price(prices, entry.architecture)
        lines.append(_line("Lambda", "compute", scope, entry.gb_seconds, gb_price))
    return lines


def _request_lines(prices: PriceTable, reading: MeterReading) -> list[dict[str, Any]]:
    lines = []
    for bucket in reading.scopes("s3"):
        for klass, label, price in (
            (TIER1, "PUT, COPY, POST, LIST requests", prices.s3_tier1),
            (TIER2, "GET and other requests", prices.s3_tier2),
            (FREE, "DELETE requests (free)", None),
        ):
            count = reading.get("s3", bucket, klass)
            if count:
                lines.append(_line("S3", label, bucket or "(no bucket)", count, price))
    for table in reading.scopes("dynamodb"):
        for kind, price in (("write", prices.dynamodb_write), ("read", prices.dynamodb_read)):
            units = reading.get("dynamodb", table, kind)
            if units:
                line = _line("DynamoDB", f"{kind} request units", table, units, price)
                line["requests"] = reading.get("dynamodb", table, f"{kind}_requests")
                lines.append(line)
    for api in reading.scopes("apigateway"):
        for kind, label, price in (
            ("rest", "REST API requests", prices.apigateway_rest),
            ("http", "HTTP API requests", prices.apigateway_http),
        ):
            count = reading.get("apigateway", api, kind)
            if count:
                lines.append(_line("API Gateway", label, api, count, price))
    for kind, price in (("standard", prices.sqs_requests), ("fifo", prices.sqs_fifo_requests)):
        count = reading.get("sqs", kind, "requests")
        if count:
            lines.append(_line("SQS", f"{kind} queue requests", "", count, price))
    count = reading.get("sns", "", "requests")
    if count:
        lines.append(_line("SNS", "requests", "", count, prices.sns_publishes))
    return lines


def cost_report(prices: PriceTable, usage: list[LambdaUsage], reading: MeterReading) -> dict[str, Any]:
    """Everything the cost page shows, as JSON: lines, totals, per-million figures, the price table."""
    lines = _lambda_lines(prices, usage) + _request_lines(prices, reading)
    total = sum(line["cost"] for line in lines)
    invocations = sum(entry.invocations for entry in usage)
    functions = [
        {
            "functionId": entry.function_id,
            "architecture": entry.architecture,
            "memoryMb": entry.memory_mb,
            "invocations": entry.invocations,
            "coldStarts": entry.cold_starts,
            "billedMs": entry.billed_ms,
            "gbSeconds": entry.gb_seconds,
            "cost": prices.lambda_requests.of(entry.invocations)
            + _gb_second_price(prices, entry.architecture).of(entry.gb_seconds),
            "averageBilledMs": entry.average_billed_ms,
            "averageWarmBilledMs": entry.average_warm_billed_ms,
            "perMillion": _per_million(prices, entry, entry.average_billed_ms),
            "perMillionWarm": _per_million(prices, entry, entry.average_warm_billed_ms),
        }
        for entry in usage
    ]
    return {
        "lines": lines,
        "total": total,
        "invocations": invocations,
        "functions": functions,
        "perMillionInvocations": total * MILLION / invocations if invocations else None,
        "prices": {
            "region": prices.region,
            "asOf": prices.as_of,
            "sources": list(prices.sources),
            "note": "on-demand list prices, first tier, before the free tier",
        },
    }
