"""The prices the cost page uses: one table, with the region, the date it was read and its sources.

On-demand list prices in US East (N. Virginia), first tier, before any free tier or savings plan:
the figures are what the work would cost beyond the free tier, which is what matters once an
application has users. Change a price here and every figure on the page follows.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Price:
    """`usd` per `per` units of `unit`."""

    usd: float
    per: int
    unit: str

    def of(self, quantity: float) -> float:
        return quantity * self.usd / self.per


@dataclass(frozen=True)
class PriceTable:
    region: str
    as_of: str
    sources: tuple[str, ...]
    lambda_requests: Price
    lambda_gb_second: dict[str, Price]  # by architecture
    s3_tier1: Price  # PUT, COPY, POST, LIST
    s3_tier2: Price  # GET, SELECT and every other request (DELETE and CANCEL are free)
    dynamodb_write: Price  # on-demand write request units
    dynamodb_read: Price  # on-demand read request units
    apigateway_rest: Price
    apigateway_http: Price
    sqs_requests: Price
    sqs_fifo_requests: Price
    sns_publishes: Price


PRICES = PriceTable(
    region="us-east-1",
    as_of="2026-12-01",
    sources=(
        "https://aws.amazon.com/lambda/pricing/",
        "https://aws.amazon.com/s3/pricing/",
        "https://aws.amazon.com/dynamodb/pricing/on-demand/",
        "https://aws.amazon.com/api-gateway/pricing/",
        "https://aws.amazon.com/sqs/pricing/",
        "https://aws.amazon.com/sns/pricing/",
    ),
    lambda_requests=Price(0.20, 1_000_000, "request"),
    lambda_gb_second={
        "x86_64": Price(0.0000166667, 1, "GB-second"),
        "arm64": Price(0.0000133334, 1, "GB-second"),
    },
    s3_tier1=Price(0.005, 1_000, "request"),
    s3_tier2=Price(0.0004, 1_000, "request"),
    # On-demand throughput prices since the reduction of 1 November 2024.
    dynamodb_write=Price(0.625, 1_000_000, "write request unit"),
    dynamodb_read=Price(0.125, 1_000_000, "read request unit"),
    apigateway_rest=Price(3.50, 1_000_000, "request"),
    apigateway_http=Price(1.00, 1_000_000, "request"),
    sqs_requests=Price(0.40, 1_000_000, "request"),
    sqs_fifo_requests=Price(0.50, 1_000_000, "request"),
    sns_publishes=Price(0.50, 1_000_000, "request"),
)
