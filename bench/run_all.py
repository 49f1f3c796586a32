"""Run every `bench/bench_*.py` in its own interpreter and collect what they print in bench/results.md.

Each benchmark measures its figures next to a baseline taken in the same run (this machine is shared
and noisy, so only ratios are comparable across runs). A benchmark that fails is reported, not hidden,
and makes this script exit non-zero.

`python bench/run_all.py start vs_ministack` runs only the benchmarks whose names contain one of the
words, and keeps the other sections of the previous results.md as they were, each still stamped with
the time it was measured: a full `make bench` takes the better part of an hour, and rerunning one
benchmark after a change should not throw away the others' figures.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results.md"
# The line that closes each script's section: `_bench_x.py: 12.3 s, 2026-12-02 04:10 UTC_`.
_TRAILER = re.compile(r"^_(bench_\w+\.py): [^\n]*_$", re.MULTILINE)


def _stamp() -> str:
    return f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"


def previous_sections(text: str) -> dict[str, str]:
    """Each script's section of an earlier results.md, by script name (the header left out)."""
    sections: dict[str, str] = {}
    start = 0
    for trailer in _TRAILER.finditer(text):
        body = text[start : trailer.end()]
        if not sections:  # the first section follows the file's header, up to its first "## "
            heading = body.find("\n## ")
            body = body[heading + 1 :] if heading >= 0 else body
        sections[trailer.group(1)] = body.strip("\n") + "\n"
        start = trailer.end()
    return sections


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
    return f"{output}\n\n_{script.name}: {elapsed:.1f} s, {_stamp()}_\n", completed.returncode == 0


def main() -> int:
    every = sorted(BENCH_DIR.glob("bench_*.py"))
    words = sys.argv[1:]
    scripts = [s for s in every if any(word in s.name for word in words)] if words else every
    if not scripts:
        print(f"no bench/bench_*.py matches {' '.join(words)!r}", file=sys.stderr)
        return 2
    kept = previous_sections(RESULTS.read_text(encoding="utf-8")) if words and RESULTS.exists() else {}
    header = (
        "# Benchmark results\n\n"
        f"Written {_stamp()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores, `make bench`.\n"
        "Each figure stands next to its baseline measured in the same run; each section ends with the time "
        "it was measured.\n"
    )
    ran: dict[str, str] = {}
    all_ok = True
    for script in scripts:
        print(f"running {script.name} ...", file=sys.stderr, flush=True)
        section, ok = run_one(script)
        all_ok &= ok
        print(section, flush=True)
        ran[script.name] = section
    sections = [ran.get(s.name) or kept.get(s.name) for s in every]
    RESULTS.write_text("\n".join([header, *(s for s in sections if s)]), encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(BENCH_DIR.parent)}", file=sys.stderr)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
