"""The local API gateway's overhead per request, next to a direct warm invoke of the same function.

Baseline: `LambdaRuntime.invoke` of the gateway fixture's echo function with the event the gateway
would build for `POST /Prod/open` (measured in this run, same warm worker). Through the gateway: the
same request over real HTTP on a kept-alive connection (`http.client`, the leanest client, so
the client's own cost stays out of the figure), so the figure is what
the gateway adds: HTTP parsing, routing, event building, response mapping, the socket round trip.
Runs alternate in rounds so machine noise hits both sides alike. Issue 5 asks for the figure; there
is no hard target.
"""

from __future__ import annotations

import http.client
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from samlite.apigw import LocalApiGateway  # noqa: E402
from samlite.apigw.event_builder import MatchedRequest, build_event, encode_event  # noqa: E402
from samlite.apigw.messages import HttpRequest  # noqa: E402
from samlite.apigw.route_matching import match_route  # noqa: E402
from samlite.runtime import LambdaRuntime  # noqa: E402
from samlite.template import load_stack  # noqa: E402

TEMPLATE = REPO / "tests" / "samlite" / "apigw" / "fixtures" / "gateway" / "template.yaml"
ROUNDS = 10
PER_ROUND = 40
BODY = b'{"name": "bench", "size": 1234}'


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    stack = load_stack(TEMPLATE)
    spec = stack.functions["EchoFunction"]
    with LambdaRuntime() as runtime, LocalApiGateway(stack, runtime.invoke, port=0) as gateway:
        api = next(api for api in gateway.apis if api.logical_id == "ServerlessRestApi")
        request = HttpRequest("POST", "/open", headers=(("Content-Type", "application/json"),), body=BODY)
        match = match_route(api, "POST", "/open")
        assert match is not None
        event = encode_event(
            build_event(
                MatchedRequest(request, api, match.route, "/open", match.path_parameters),
                stack.region,
                stack.account_id,
            )
        )
        connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=30)
        headers = {"Content-Type": "application/json"}

        def post() -> int:
            connection.request("POST", "/Prod/open", body=BODY, headers=headers)
            reply = connection.getresponse()
            reply.read()
            return reply.status

        for _ in range(20):  # warm the worker and the connection
            runtime.invoke(spec, event)
            assert post() == 200
        direct: list[float] = []
        through: list[float] = []
        in_process: list[float] = []
        for _ in range(ROUNDS):
            for _ in range(PER_ROUND):
                start = time.perf_counter()
                answer = gateway.dispatch(
                    HttpRequest(
                        "POST", "/Prod/open", headers=(("Content-Type", "application/json"),), body=BODY
                    )
                )
                in_process.append((time.perf_counter() - start) * 1000)
                assert answer.status == 200
            for _ in range(PER_ROUND):
                start = time.perf_counter()
                result = runtime.invoke(spec, event)
                direct.append((time.perf_counter() - start) * 1000)
                assert not result.failed
            for _ in range(PER_ROUND):
                start = time.perf_counter()
                status = post()
                through.append((time.perf_counter() - start) * 1000)
                assert status == 200
        connection.close()
    d50, d99 = statistics.median(direct), percentile(direct, 0.99)
    g50, g99 = statistics.median(through), percentile(through, 0.99)
    i50, i99 = statistics.median(in_process), percentile(in_process, 0.99)
    print("## API gateway overhead per request (bench/bench_gateway.py)")
    print()
    print(
        f"{len(direct)} requests per row, warm worker, echo function, `POST /Prod/open` (REST, payload 1.0)"
    )
    print()
    print("| path | p50 ms | p99 ms |")
    print("|---|---|---|")
    print(f"| direct `LambdaRuntime.invoke` (baseline) | {d50:.2f} | {d99:.2f} |")
    print(f"| `LocalApiGateway.dispatch` in process (no socket) | {i50:.2f} | {i99:.2f} |")
    print(f"| through the local gateway over HTTP | {g50:.2f} | {g99:.2f} |")
    print(f"| gateway overhead (difference) | {g50 - d50:.2f} | {g99 - d99:.2f} |")
    print()
    print(f"- ratio gateway / direct: p50 {g50 / d50:.2f}x, p99 {g99 / d99:.2f}x")


if __name__ == "__main__":
    main()
