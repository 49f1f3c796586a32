"""`samlite start` to ready on template.yaml, next to what merely importing its engine costs.

Each run spawns the real command (`python -m samlite start -t template.yaml --port N`) in a fresh
interpreter and times from spawn to its `samlite ready` line, i.e. endpoint bound, template translated
and provisioned, runtime and event wiring attached, state files written, endpoint answering. It is then
stopped with SIGTERM, and the time to exit is reported too. Baselines, measured in the same run and
alternated with it (the machine is shared and noisy): a bare interpreter importing moto's server and
boto3 (`python -c "import moto.server, boto3"`), and moto's own stock server (`python -m moto.server`)
until its port answers. Target (issue 13): 0.5 s to ready (issue 4's was 2 s; LocalStack's start is
reported at about 9 s).

Every child runs with bytecode caching on (`PYTHONDONTWRITEBYTECODE` is dropped from its environment),
as on a user's machine: pip compiles the installed packages, and samlite's own sources are compiled by
the warm-up run. A caller whose shell sets the variable would otherwise time samlite compiling its
~300 modules from source on every start, and compare that with imports of compiled packages.
"""

from __future__ import annotations

import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from peers import free_port
from samlite_start import READY, child_env, samlite_started

REPO = Path(__file__).resolve().parents[1]
RUNS = 5
TARGET_S = 0.5


def samlite_start(state_dir: Path) -> tuple[float, float]:
    """Seconds from spawn to the ready line, and from SIGTERM to exit."""
    with samlite_started(REPO, "--state-dir", str(state_dir)) as started:
        stopping = time.perf_counter()
        started.process.send_signal(signal.SIGTERM)
        started.process.wait(timeout=30)
        if started.process.returncode != 0:
            raise RuntimeError(f"samlite start exited with {started.process.returncode} after SIGTERM")
        return started.ready_s, time.perf_counter() - stopping


def bare_imports() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import moto.server, boto3"], check=True, env=child_env())
    return time.perf_counter() - started


def moto_server() -> float:
    """Seconds until moto's stock server (`python -m moto.server`) answers HTTP on a free port."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=child_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1):
                    break
            except urllib.error.HTTPError:
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError("moto.server exited before answering") from None
                time.sleep(0.01)
        return time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(10)


def main() -> None:
    ready: list[float] = []
    stop: list[float] = []
    imports: list[float] = []
    stock: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-start-") as scratch:
        samlite_start(Path(scratch))  # warm-up: .pyc files, the dependency cache
        bare_imports()
        for _ in range(RUNS):
            imports.append(bare_imports())
            seconds, stopped = samlite_start(Path(scratch))
            ready.append(seconds)
            stop.append(stopped)
            stock.append(moto_server())
    median_ready = statistics.median(ready)
    median_imports = statistics.median(imports)
    median_stock = statistics.median(stock)
    print("## samlite start: time to ready on template.yaml")
    print()
    print(f"Median of {RUNS} runs each, alternated, after one warm-up; fresh interpreter per run.")
    print()
    print("| what | median (s) | min (s) | max (s) |")
    print("|---|---|---|---|")
    for label, values in (
        (f"`samlite start` to its `{READY.decode()}` line", ready),
        ("`samlite start`: SIGTERM to exit", stop),
        ('baseline: `python -c "import moto.server, boto3"`', imports),
        ("baseline: stock `python -m moto.server` until it answers", stock),
    ):
        print(f"| {label} | {statistics.median(values):.2f} | {min(values):.2f} | {max(values):.2f} |")
    print()
    print(
        f"- ready / bare imports: {median_ready / median_imports:.2f}x; ready / stock moto server: "
        f"{median_ready / median_stock:.2f}x"
    )
    verdict = "met" if median_ready <= TARGET_S else "NOT met"
    print(f"- target: ready in {TARGET_S:g} s or less: {verdict} ({median_ready:.2f} s)")


if __name__ == "__main__":
    main()
