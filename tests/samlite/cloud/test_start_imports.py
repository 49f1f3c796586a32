"""What a start imports: a template whose translation is cached starts without aws-sam-translator and
its dependencies, and without the code of features the template does not use (mapping templates, JWT
authorizers, --persist). Each start runs in a fresh interpreter, as `samlite start` and a pytest
session do, and reports the modules it ended up with."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "cloud_fixtures" / "template.yaml"
TRANSLATOR = ("samtranslator", "pydantic", "jsonschema", "cfnlint")
UNUSED_FEATURES = ("airspeed", "jsonpath_ng", "joserfc", "samlite.persistence.persister")

_START = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from samlite.cloud.local_cloud import CloudOptions, LocalCloud

    template, state_dir, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    options = CloudOptions(template=Path(template), port=port, api_port=0, watch=False, console=True,
                           state_dir=Path(state_dir))
    with LocalCloud(options):
        print(json.dumps(sorted(sys.modules)))
    """
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _modules_after_start(cache_dir: Path, state_dir: Path, port: int) -> set[str]:
    env = {**os.environ, "SAMLITE_CACHE_DIR": str(cache_dir)}
    done = subprocess.run(
        [sys.executable, "-c", _START, str(FIXTURE), str(state_dir), str(port)],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def _tops(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return [name for name in names if name in modules]


@pytest.fixture(scope="module")
def first_start(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    """A translation cache of its own, and the modules of the start that filled it."""
    cache_dir = tmp_path_factory.mktemp("samlite-cache")
    return cache_dir, _modules_after_start(cache_dir, tmp_path_factory.mktemp("state"), 0)


def test_a_first_start_translates_with_aws_sam_translator(first_start):
    """The check below can fail: an uncached template is translated, which imports the translator."""
    _, modules = first_start
    assert "samtranslator" in modules


@pytest.mark.parametrize("port", ["free", "fixed"], ids=["pytest-plugin-port-0", "samlite-start-port"])
def test_a_cached_template_starts_without_the_translator_or_unused_features(first_start, tmp_path, port):
    cache_dir, _ = first_start
    modules = _modules_after_start(cache_dir, tmp_path, 0 if port == "free" else _free_port())
    assert _tops(modules, TRANSLATOR) == []
    assert _tops(modules, UNUSED_FEATURES) == []
    assert "moto.cloudformation.models" not in modules  # prewarm leaves moto's CloudFormation alone
