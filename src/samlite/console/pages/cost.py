"""Cost page: what the work since start would cost on AWS (`samlite.console.cost.model`)."""

from __future__ import annotations

from samlite.console.context import ConsoleContext
from samlite.console.cost.model import cost_report, lambda_usage
from samlite.console.cost.prices import PRICES
from samlite.console.http import ConsoleRequest, json_response
from samlite.console.router import Router
from samlite.endpoint.local_apis import ApiResponse


def report(context: ConsoleContext) -> dict:
    recorder = context.sources.recorder
    records = {
        logical_id: recorder.invocations_since(logical_id, 0)
        for logical_id in context.sources.stack.functions
    }
    return cost_report(PRICES, lambda_usage(records), context.meter.reading())


def register(router: Router, context: ConsoleContext) -> None:
    def cost(_request: ConsoleRequest) -> ApiResponse:
        return json_response(report(context))

    router.add("GET", "/api/cost", cost)
