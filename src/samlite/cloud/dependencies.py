"""Every function's dependencies ready before `samlite ready`: the first invocation never waits for pip.

Before the ready line, each function is prepared (`LambdaRuntime.prepare`): the Lambda runtime for
the interpreter its Runtime declares, its requirements.txt, its layers' requirements and packages,
its view of /opt. Functions are prepared in parallel (pip runs in subprocesses; the same content is
installed once, see `samlite.runtime.dependencies`), everything is cached across runs, and each
function that needed anything gets one progress line. If pip fails, every failure is collected and
start stops with one `DependencyInstallError`: a headline naming the functions, then pip's own output
as one block per function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from time import monotonic

from samlite.model import FunctionSpec
from samlite.runtime import DependencyInstallError, LambdaRuntime, Preparation

MAX_PARALLEL = 4

Log = Callable[[str], None]


def prepare_functions(runtime: LambdaRuntime, specs: Iterable[FunctionSpec], log: Log) -> None:
    """Prepare every function (see the module docstring); raises the collected pip failures."""
    pending = list(specs)
    if not pending:
        return
    needing = [spec.logical_id for spec in pending if _may_install(spec)]
    if needing:
        log(f"getting dependencies ready for {', '.join(needing)} (pip runs for what is not cached yet)")
    failures: dict[str, DependencyInstallError] = {}

    def prepare(spec: FunctionSpec) -> None:
        started = monotonic()
        try:
            preparation = runtime.prepare(spec)
        except DependencyInstallError as error:
            failures[spec.logical_id] = error
            return
        _report(preparation, monotonic() - started, log)

    with ThreadPoolExecutor(min(MAX_PARALLEL, len(pending)), thread_name_prefix="samlite-prepare") as pool:
        for future in [pool.submit(prepare, spec) for spec in pending]:
            future.result()  # anything but a pip failure (a samlite bug, an unsupported function) is raised
    if failures:
        raise _combined(failures)


def _may_install(spec: FunctionSpec) -> bool:
    return bool(spec.layers) or (spec.code_uri / "requirements.txt").is_file()


def _report(preparation: Preparation, seconds: float, log: Log) -> None:
    for note in preparation.notes:
        log(f"warning: {note}")
    if not preparation.installs:
        return
    installed = [what for what, result in preparation.installs if result.installed_now]
    cached = [what for what, result in preparation.installs if not result.installed_now]
    parts = []
    if installed:
        parts.append(f"installed {', '.join(installed)}")
    if cached:
        parts.append(f"from the cache: {', '.join(cached)}")
    log(f"{preparation.logical_id}: dependencies ready in {seconds:.1f} s ({'; '.join(parts)})")


def _combined(failures: dict[str, DependencyInstallError]) -> DependencyInstallError:
    names = ", ".join(sorted(failures))
    blocks = []
    for logical_id in sorted(failures):
        error = failures[logical_id]
        blocks.append(f"--- {error.headline}")
        blocks.append(error.output or "(pip printed nothing)")
    plural = "s" if len(failures) > 1 else ""
    return DependencyInstallError(
        f"pip could not install the dependencies of function{plural} {names}", "\n".join(blocks)
    )
