"""Workers forked from the pre-warmed fork server behave like spawned `python -m awslambdaric` ones."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import psutil
import pytest

from samlite.runtime import LambdaRuntime
from tests.samlite.runtime.runtime_specs import make_spec

FAKE_SIMPLEJSON = '''\
"""A simplejson shipped in the function's own code: it must win over the runtime's preloaded copy."""
import json as _json

SHADOWED_BY_FUNCTION = True
loads = _json.loads


class JSONEncoder(_json.JSONEncoder):
    def __init__(self, use_decimal=False, **kwargs):
        super().__init__(**kwargs)


class raw_json:
    RawJSON = str
'''

PROBE = """\
import os
import sys
import time


def handler(event, context):
    import simplejson

    return {
        "shadowed": getattr(simplejson, "SHADOWED_BY_FUNCTION", False),
        "tz": list(time.tzname),
        "argv": sys.argv,
        "own_session": os.getsid(0) == os.getpid(),
        "stdin": os.readlink("/proc/self/fd/0"),
        "path0": sys.path[0],
        "cwd": os.getcwd(),
    }
"""


@pytest.fixture(scope="module", params=[True, False], ids=["forked", "spawned"])
def any_runtime(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    with LambdaRuntime(fork_workers=request.param, cache_dir=tmp_path_factory.mktemp("cache")) as runtime:
        yield runtime


@pytest.fixture(scope="module")
def probe_code(tmp_path_factory: pytest.TempPathFactory) -> Path:
    code = tmp_path_factory.mktemp("probe")
    (code / "probe.py").write_text(PROBE)
    return code


def test_worker_process_looks_the_same_forked_or_spawned(
    any_runtime: LambdaRuntime, probe_code: Path
) -> None:
    result = any_runtime.invoke(make_spec("probe.handler", code_uri=probe_code, logical_id="Probe"), b"{}")
    body = json.loads(result.payload)
    assert body["argv"][0].endswith(("awslambdaric", "awslambdaric/__main__.py"))
    assert body == {
        "shadowed": False,
        "tz": ["UTC", "UTC"],
        "argv": [body["argv"][0], "probe.handler"],
        "own_session": True,
        "stdin": "/dev/null",
        "path0": str(probe_code),
        "cwd": str(probe_code),
    }


def test_function_code_shadows_the_runtimes_simplejson(
    any_runtime: LambdaRuntime, probe_code: Path, tmp_path: Path
) -> None:
    code = tmp_path / "shadow"
    (code / "simplejson").mkdir(parents=True)
    (code / "simplejson" / "__init__.py").write_text(FAKE_SIMPLEJSON)
    (code / "probe.py").write_text(PROBE)
    result = any_runtime.invoke(make_spec("probe.handler", code_uri=code, logical_id="Shadow"), b"{}")
    assert not result.failed, result.payload
    assert json.loads(result.payload)["shadowed"] is True


def test_outcomes_match_in_both_modes(any_runtime: LambdaRuntime) -> None:
    exit_result = any_runtime.invoke(make_spec("app.exit_process", logical_id="ExitBoth"), b'{"code": 7}')
    assert exit_result.error_type == "Runtime.ExitError"
    assert json.loads(exit_result.payload)["errorMessage"].endswith("exit status 7")
    ok = any_runtime.invoke(make_spec("app.echo", logical_id="EchoBoth"), b"{}")
    assert not ok.failed and ok.cold_start and ok.max_memory_used_mb > 5


def test_killing_the_fork_server_takes_its_workers_along(tmp_path: Path) -> None:
    runtime = LambdaRuntime(cache_dir=tmp_path)
    try:
        body = json.loads(runtime.invoke(make_spec("app.echo", logical_id="EchoOrphan"), b"{}").payload)
        worker = psutil.Process(body["pid"])
        fork_server = worker.parent()
        assert fork_server is not None and "fork_server_main" in " ".join(fork_server.cmdline())
        os.kill(fork_server.pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while worker.is_running() and worker.status() != psutil.STATUS_ZOMBIE and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not worker.is_running() or worker.status() == psutil.STATUS_ZOMBIE
        # The runtime notices: the dead fork server is reaped (no zombie left until stop), and the
        # next worker is forked from a new one.
        assert _gone(fork_server.pid, within_s=5), "the killed fork server was left a zombie"
        again = runtime.invoke(make_spec("app.echo", logical_id="EchoOrphan"), b"{}")
        assert not again.failed and again.cold_start
        parent = psutil.Process(json.loads(again.payload)["pid"]).parent()
        assert parent is not None and parent.pid != fork_server.pid
        assert "fork_server_main" in " ".join(parent.cmdline())
    finally:
        runtime.close()


def _gone(pid: int, *, within_s: float) -> bool:
    """The process no longer exists, not even as a zombie waiting for its parent to reap it."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            psutil.Process(pid).status()
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.02)
    return False
