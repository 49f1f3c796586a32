"""Lambda runtime speed: warm invoke latency and cold start against the floor of importing awslambdaric.

Run: .venv/bin/python bench/bench_runtime.py
- warm: `LambdaRuntime.invoke` of a no-op function on a warm worker, wall time in the caller.
- cold: `invoke` on a fresh worker (the pool is recycled before each run): process spawn, Python and
  awslambdaric start-up, handler import, first `/next`, the invocation and its response.
- floor: a bare `python -c "import awslambdaric"` (spawn, interpreter start-up, import, exit), measured
  in the same run with the same interpreter, so the ratio holds on any machine.
Targets: warm p50 <= 1.5 ms (issue 13; issue 3 asked 3 ms); cold start <= 1.3x the floor.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from samlite.model import FunctionSpec
from samlite.runtime import LambdaRuntime

WARM_INVOCATIONS = 1000
COLD_STARTS = 25


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure_floor() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import awslambdaric"], check=True)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="samlite-bench-") as scratch:
        code = Path(scratch) / "code"
        code.mkdir()
        (code / "noop.py").write_text("def handler(event, context):\n    return None\n")
        spec = FunctionSpec("Noop", "noop", "noop.handler", "python3.12", code)
        with LambdaRuntime(cache_dir=Path(scratch) / "cache") as runtime:
            runtime.invoke(spec, b"{}")  # build the runtime directory, warm the page cache
            warm = []
            for _ in range(WARM_INVOCATIONS):
                start = time.perf_counter()
                result = runtime.invoke(spec, b"{}")
                warm.append((time.perf_counter() - start) * 1000)
                assert not result.failed
            # Cold starts and the floor alternate, so that both see the same load on a shared machine.
            cold, init, floor = [], [], []
            for _ in range(COLD_STARTS):
                floor.append(measure_floor())
                runtime.recycle("Noop")
                start = time.perf_counter()
                result = runtime.invoke(spec, b"{}")
                cold.append((time.perf_counter() - start) * 1000)
                assert result.cold_start and not result.failed
                init.append(result.init_duration_ms or 0.0)
    cold_p50, floor_p50 = statistics.median(cold), statistics.median(floor)
    print("## Lambda runtime (no-op Python function)")
    print()
    print("| measure | p50 | p99 / max | target |")
    print("|---|---|---|---|")
    warm_p50, warm_p99 = statistics.median(warm), percentile(warm, 0.99)
    rows = [
        (f"warm invoke ({WARM_INVOCATIONS}x)", f"{warm_p50:.2f} ms", f"{warm_p99:.2f} ms", "p50 <= 1.5 ms"),
        (
            f"cold start, spawn to response ({COLD_STARTS}x)",
            f"{cold_p50:.1f} ms",
            f"{max(cold):.1f} ms",
            "<= 1.3x floor",
        ),
        ("of which Init Duration (REPORT)", f"{statistics.median(init):.1f} ms", f"{max(init):.1f} ms", ""),
        (
            f'floor: `python -c "import awslambdaric"` ({COLD_STARTS}x)',
            f"{floor_p50:.1f} ms",
            f"{max(floor):.1f} ms",
            "",
        ),
    ]
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print(f"- cold start / floor: **{cold_p50 / floor_p50:.2f}x** (target <= 1.3x)")
    print(f"- warm p50: **{warm_p50:.2f} ms** (target <= 1.5 ms)")


if __name__ == "__main__":
    main()
