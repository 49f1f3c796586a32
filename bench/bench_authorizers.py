"""What an authorizer adds to a request, cached and not, next to the same route unprotected.

Baseline: `GET /Prod/open` of the authorizer fixture (Lambda proxy, no authorizer), measured in this
run. Then `GET /Prod/token/x` behind a TOKEN authorizer whose result is cached (ReauthorizeEvery
300: one authorizer invocation, then none), and `GET /Prod/request` behind a REQUEST authorizer with
ReauthorizeEvery 0 (the authorizer function runs on every request: two invocations per request).
Over real HTTP on a kept-alive connection; runs alternate in rounds so noise hits all alike.
"""

from __future__ import annotations

import http.client
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from samlite.apigw import LocalApiGateway  # noqa: E402
from samlite.runtime import LambdaRuntime  # noqa: E402
from samlite.template import load_stack  # noqa: E402

TEMPLATE = REPO / "tests" / "samlite" / "apigw" / "fixtures" / "authorizers" / "template.yaml"
ROUNDS = 10
PER_ROUND = 30


def main() -> None:
    stack = load_stack(TEMPLATE)
    with LambdaRuntime() as runtime, LocalApiGateway(stack, runtime.invoke, port=0) as gateway:
        connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=30)

        def get(path: str, headers: dict[str, str]) -> Callable[[], int]:
            def call() -> int:
                connection.request("GET", f"/Prod{path}", headers=headers)
                reply = connection.getresponse()
                reply.read()
                return reply.status

            return call

        cases = {
            "no authorizer (baseline)": get("/open", {}),
            "TOKEN authorizer, cached": get("/token/x", {"Authorization": "allow-bench"}),
            "REQUEST authorizer, TTL 0 (invoked every time)": get(
                "/request?tenant=t", {"X-User": "allow-bench"}
            ),
        }
        timings: dict[str, list[float]] = {name: [] for name in cases}
        for call in cases.values():  # warm every worker and the cache
            for _ in range(3):
                assert call() == 200
        for _ in range(ROUNDS):
            for name, call in cases.items():
                for _ in range(PER_ROUND):
                    started = time.perf_counter()
                    status = call()
                    timings[name].append((time.perf_counter() - started) * 1000)
                    assert status == 200, (name, status)
        connection.close()
    baseline = statistics.median(timings["no authorizer (baseline)"])
    print("| path | p50 ms | ratio to baseline |")
    print("|---|---|---|")
    for name, values in timings.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.2f} | {median / baseline:.2f}x |")


if __name__ == "__main__":
    main()
