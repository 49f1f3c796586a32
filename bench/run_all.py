"""Run every `bench/bench_*.py` in its own interpreter and collect what they print in bench/results.md.

Each benchmark measures its figures next to a baseline taken in the same run (this machine is shared
and noisy, so only ratios are comparable across runs). A benchmark that fails is reported, not hidden,
and makes this script exit non-zero.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results.md"


def run_one(script: Path) -> tuple[str, bool]:
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, str(script)],
        cwd=BENCH_DIR.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    output = completed.stdout.strip()
    if completed.returncode != 0:
        tail = completed.stderr.strip()[-3000:]
        output += f"\n\n**FAILED** (exit {completed.returncode}):\n```\n{tail}\n```"
    return f"{output}\n\n_{script.name}: {elapsed:.1f} s_\n", completed.returncode == 0


def main() -> int:
    scripts = sorted(BENCH_DIR.glob("bench_*.py"))
    if len(sys.argv) > 1:
        scripts = [s for s in scripts if any(name in s.name for name in sys.argv[1:])]
    header = (
        "# Benchmark results\n\n"
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores, `make bench`.\n"
        "Each figure stands next to its baseline measured in the same run.\n"
    )
    sections = [header]
    all_ok = True
    for script in scripts:
        print(f"running {script.name} ...", file=sys.stderr, flush=True)
        section, ok = run_one(script)
        all_ok &= ok
        print(section, flush=True)
        sections.append(section)
    RESULTS.write_text("\n".join(sections), encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(BENCH_DIR.parent)}", file=sys.stderr)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
