"""What functions' dependencies and layers cost, and who pays for them: start, or the first invocation.

Figures, each next to a baseline measured in the same run (the machine is shared and noisy):

1. The first invocation of a function with a requirements.txt after `LocalCloud.start()` (its
   dependencies installed before ready), against the first invocation of a function without any:
   the ratio should be about 1, pip having run before the ready line.
2. What that first invocation cost before dependencies were prepared at start: a fresh runtime with
   an empty cache installing the same requirements inside the invocation, against the same baseline.
3. A cold start and a warm invocation of a function with three layers (a merged /opt view, its paths
   on sys.path), against the same function without layers.

Requirements install from a wheel written by hand (no index), so pip's time is its own, not the
network's. Run: `python bench/bench_function_dependencies.py` (also run by `make bench`).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import shutil
import statistics
import sys
import tempfile
import textwrap
import time
import uuid
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from samlite.cloud.local_cloud import CloudOptions, LocalCloud  # noqa: E402
from samlite.model import FunctionSpec, LayerSpec  # noqa: E402
from samlite.runtime import LambdaRuntime  # noqa: E402

RUNS = 5
WARM_CALLS = 200
APP = "def handler(event, context):\n    import benchdep\n    return benchdep.VALUE\n"
PLAIN = "def handler(event, context):\n    return 'plain'\n"


def wheel(folder: Path) -> None:
    """A minimal pure-Python wheel `benchdep` 1.0 (the shape pip needs, nothing more)."""
    files = {
        "benchdep/__init__.py": "VALUE = 'benchdep'\n",
        "benchdep-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: benchdep\nVersion: 1.0\n",
        "benchdep-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = [
        f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b'=').decode()},"
        f"{len(text.encode())}"
        for path, text in files.items()
    ]
    files["benchdep-1.0.dist-info/RECORD"] = "\n".join([*record, "benchdep-1.0.dist-info/RECORD,,"]) + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / "benchdep-1.0-py3-none-any.whl", "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)


def project(root: Path) -> Path:
    (root / "deps").mkdir(parents=True)
    (root / "deps" / "app.py").write_text(APP)
    wheel(root / "deps" / "wheels")
    marker = uuid.uuid4().hex  # a new requirements.txt each run: the cache must not have it yet
    (root / "deps" / "requirements.txt").write_text(
        f"# {marker}\n--no-index\n--find-links ./wheels\nbenchdep\n"
    )
    (root / "plain").mkdir()
    (root / "plain" / "app.py").write_text(PLAIN)
    (root / "template.yaml").write_text(
        textwrap.dedent("""\
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Function: {Runtime: python3.12, Handler: app.handler, Timeout: 30}
        Resources:
          WithDeps:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: deps/}
          Plain:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: plain/}
          Warmup:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: plain/}
        """)
    )
    return root / "template.yaml"


def timed(call) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def first_invocations_after_start(root: Path) -> tuple[float, float]:
    template = project(root)
    options = CloudOptions(
        template=template,
        port=0,
        api_port=0,
        stack_name=f"bench-{uuid.uuid4().hex[:6]}",
        state_dir=root / ".samlite",
        watch=False,
        iam=False,
        cache_dir=root / "cache",
    )
    with LocalCloud(options) as cloud:
        client = cloud.client("lambda")
        names = {fid: cloud.stack.function(fid).function_name for fid in ("WithDeps", "Plain", "Warmup")}
        client.invoke(FunctionName=names["Warmup"], Payload=b"{}")  # the fork server starts on first use
        with_deps = timed(lambda: client.invoke(FunctionName=names["WithDeps"], Payload=b"{}"))
        plain = timed(lambda: client.invoke(FunctionName=names["Plain"], Payload=b"{}"))
    return with_deps, plain


def first_invocation_without_preparation(root: Path) -> tuple[float, float]:
    template = project(root)
    spec = FunctionSpec("WithDeps", "with-deps", "app.handler", "python3.12", template.parent / "deps")
    plain = dataclasses.replace(
        spec, logical_id="Plain", function_name="plain", code_uri=template.parent / "plain"
    )
    warmup = dataclasses.replace(plain, logical_id="Warmup", function_name="warmup")
    with LambdaRuntime(cache_dir=root / "cache") as runtime:
        runtime.invoke(warmup, b"{}")  # the fork server starts on first use
        with_deps_ms = timed(lambda: runtime.invoke(spec, b"{}"))
        plain_ms = timed(lambda: runtime.invoke(plain, b"{}"))
    return with_deps_ms, plain_ms


def layers(root: Path) -> tuple[FunctionSpec, FunctionSpec]:
    code = root / "code"
    code.mkdir(parents=True)
    (code / "app.py").write_text(
        "def handler(event, context):\n    import shared0, shared1, shared2\n    return 1\n"
    )
    specs = []
    for index in range(3):
        layer = root / f"layer{index}" / "python"
        layer.mkdir(parents=True)
        for other in range(3):
            (layer / f"shared{other}.py").write_text(f"LAYER = {index}\n")
        specs.append(
            LayerSpec(
                arn=f"arn:aws:lambda:us-east-1:123456789012:layer:l{index}:1",
                name=f"L{index}",
                content=layer.parent,
            )
        )
    plain_code = root / "plain"
    plain_code.mkdir()
    (plain_code / "app.py").write_text("import shared0, shared1, shared2\ndef handler(e, c):\n    return 1\n")
    for other in range(3):
        (plain_code / f"shared{other}.py").write_text("LAYER = -1\n")
    layered = FunctionSpec("Layered", "layered", "app.handler", "python3.12", code, layers=tuple(specs))
    plain = FunctionSpec("NoLayers", "no-layers", "app.handler", "python3.12", plain_code)
    return layered, plain


def cold_and_warm(runtime: LambdaRuntime, spec: FunctionSpec) -> tuple[float, float]:
    cold = runtime.invoke(spec, b"{}").init_duration_ms or 0.0
    started = time.perf_counter()
    for _ in range(WARM_CALLS):
        runtime.invoke(spec, b"{}")
    return cold, (time.perf_counter() - started) * 1000 / WARM_CALLS


def main() -> None:
    rows: dict[str, list[float]] = {key: [] for key in ("after", "after_base", "inline", "inline_base")}
    layer_rows: dict[str, list[float]] = {key: [] for key in ("cold", "cold_base", "warm", "warm_base")}
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory(prefix="bench-deps-") as scratch:
            after, after_base = first_invocations_after_start(Path(scratch) / "a")
            inline, inline_base = first_invocation_without_preparation(Path(scratch) / "b")
            layered, plain = layers(Path(scratch) / "c")
            with LambdaRuntime(cache_dir=Path(scratch) / "cache") as runtime:
                runtime.prepare(layered)
                runtime.invoke(dataclasses.replace(plain, logical_id="Warmup"), b"{}")  # fork server up
                cold_base, warm_base = cold_and_warm(runtime, plain)
                cold, warm = cold_and_warm(runtime, layered)
        for key, value in zip(rows, (after, after_base, inline, inline_base), strict=True):
            rows[key].append(value)
        for key, value in zip(layer_rows, (cold, cold_base, warm, warm_base), strict=True):
            layer_rows[key].append(value)
        shutil.rmtree(scratch, ignore_errors=True)
    median = {key: statistics.median(values) for key, values in {**rows, **layer_rows}.items()}
    print("## Function dependencies and layers (bench_function_dependencies.py)\n")
    print(f"Median of {RUNS} runs; each figure next to its baseline from the same run.\n")
    print("| what | ms | baseline ms | ratio |")
    print("|---|---|---|---|")
    lines = [
        ("first invocation with a requirements.txt, after start (prepared before ready)", "after",
         "after_base"),
        ("first invocation with a requirements.txt, pip inside the invocation (no preparation)", "inline",
         "inline_base"),
        ("cold start (Init Duration) with 3 layers merged into /opt", "cold", "cold_base"),
        ("warm invocation with 3 layers", "warm", "warm_base"),
    ]  # fmt: skip
    for label, key, base in lines:
        print(f"| {label} | {median[key]:.1f} | {median[base]:.1f} | {median[key] / median[base]:.2f}x |")
    print("\nBaselines: the first invocation of a function without requirements (same cloud or runtime),"
          " and the same function code without layers.")  # fmt: skip


if __name__ == "__main__":
    main()
