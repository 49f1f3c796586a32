"""How long `samlite start` takes to refuse each broken template of issue 12 (target: within a second).

Each template of tests/samlite/broken_templates.py is started as a user starts it (`samlite start -t
... --port 0 --api-port 0`, a fresh interpreter); the time to its exit (status 2, one line) is the
median of RUNS. Baseline in the same run: `samlite start --help`, the command line's own start-up.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.samlite.broken_templates import BROKEN_TEMPLATES, write_broken

RUNS = 3
TARGET_S = 1.0


def timed(arguments: list[str], cwd: Path) -> tuple[float, int]:
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "samlite", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return time.perf_counter() - started, completed.returncode


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        baseline = statistics.median(timed(["start", "--help"], folder)[0] for _ in range(RUNS))
        for name in sorted(BROKEN_TEMPLATES):
            case = folder / name
            case.mkdir()
            template, _ = write_broken(case, name)
            runs = [
                timed(["start", "-t", str(template), "--port", "0", "--api-port", "0"], case)
                for _ in range(RUNS)
            ]
            rows.append((name, statistics.median(seconds for seconds, _ in runs), {code for _, code in runs}))
    print("## samlite start refusing broken templates (bench_template_refusals.py)\n")
    print(
        f"Median of {RUNS} runs each, fresh interpreter; baseline `samlite start --help`: {baseline:.2f} s.\n"
    )
    print("| template | exit status | time to refusal s | / baseline |")
    print("|---|---|---|---|")
    for name, seconds, codes in rows:
        print(
            f"| {name} | {', '.join(map(str, sorted(codes)))} | {seconds:.2f} | {seconds / baseline:.2f}x |"
        )
    slowest = max(seconds for _, seconds, _ in rows)
    verdict = "met" if slowest <= TARGET_S else "NOT met"
    print(f"\n- slowest refusal: **{slowest:.2f} s** (target within {TARGET_S:g} s: {verdict})")


if __name__ == "__main__":
    main()
