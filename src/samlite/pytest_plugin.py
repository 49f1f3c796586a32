"""samlite's pytest plugin: a whole SAM template running locally for a test session.

Installed with samlite as a ``pytest11`` entry point, so a project that depends on samlite gets these
fixtures without any conftest code. Nothing starts unless a test asks for one of them, and this module
imports neither boto3 nor the local cloud until then (inside the fixtures, on purpose): loading the
plugin costs every other pytest run nothing.

Configuration (command line, else ini file, else default):

- ``--samlite-template PATH`` / ini ``samlite_template``: the template, relative to the rootdir;
  default ``template.yaml``.
- ``--samlite-parameter-overrides K=V`` (repeatable) / ini ``samlite_parameter_overrides`` (one
  ``K=V`` a line): template parameters, as ``sam deploy --parameter-overrides``.
- ``--samlite-env-vars FILE`` / ini ``samlite_env_vars``: the functions' environment overrides, the JSON
  file of ``sam local invoke --env-vars``.
- ``--samlite-no-iam`` / ini ``samlite_iam = false``: functions run with administrator rights instead
  of their own role's.
- ``--samlite-chaos SPEC`` / ini ``samlite_chaos``: ``duplicate=P,reorder=P,delay=MS[,seed=N]``:
  pushed deliveries (S3, SNS, EventBridge, schedules) are duplicated, reordered and delayed within
  what AWS's delivery contract allows, as ``samlite start --chaos`` does; ``wait()`` covers them.
- ini ``samlite_persist_dir``: keep the cloud's data across sessions in this folder (as ``samlite start
  --persist --state-dir DIR``). Unset (the default), the plugin persists nothing: every session starts
  from the template alone, whatever ``[tool.samlite] persist`` says for ``samlite start``.

Fixtures:

- ``samlite_cloud`` (session): the running ``LocalCloud``; started at first use, stopped after the
  last test that depends on it (moto's state is process-wide; the rest of the suite must not run
  next to it) or at the end of the session.
- ``samlite`` (function): the same cloud, emptied first (``reset()``: buckets, tables and queues empty,
  recorded invocations and logs cleared), wrapped in a ``SamliteHandle`` with the helpers below.
  Use it in every test that must not see an earlier test's objects.
- ``samlite_outputs`` (session): the stack outputs, resolved to local values (``{"BucketName": ...}``).
- ``samlite_client`` (session): ``samlite_client("s3")`` is a boto3 client on the local endpoint with
  administrator credentials (one client per service, reused).
- ``samlite_options`` (session): the ``CloudOptions`` the cloud is started with. Override this fixture
  in a conftest to set anything the options above do not cover.

``SamliteHandle.wait()`` blocks until every queued asynchronous invocation (S3 notifications included)
has finished, its retries too, and every event-source mapping is idle (no SQS message a mapping would
take or that will come back after its visibility timeout, every stream record delivered or given up);
``invocations(function_id)`` and ``log_lines(function_id)`` read what a function did, and each recorded
invocation's ``source`` ("s3", "sqs", "dynamodb", "kinesis", ...) and ``trigger`` (the event-source
mapping's ARN) say what delivered it; ``trigger(id)`` fires a schedule now (a scheduled
rule or schedule by logical id, or a function's one Schedule / ScheduleV2 event).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from samlite.cloud.local_cloud import CloudOptions, LocalCloud

#: How long `SamliteHandle.wait` waits by default: generous, a cold start plus two retries fit in it.
DEFAULT_WAIT_TIMEOUT_S = 30.0


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the samlite options (command line and ini file)."""
    group = parser.getgroup("samlite", "samlite: run a SAM template locally for the test session")
    group.addoption(
        "--samlite-template",
        dest="samlite_template",
        default=None,
        metavar="PATH",
        help="SAM template started by the samlite fixtures (default: ini samlite_template, then "
        "template.yaml in the rootdir).",
    )
    group.addoption(
        "--samlite-parameter-overrides",
        dest="samlite_parameter_overrides",
        action="append",
        default=None,
        metavar="KEY=VALUE",
        help="Template parameter override; repeat for several (replaces ini samlite_parameter_overrides).",
    )
    group.addoption(
        "--samlite-env-vars",
        dest="samlite_env_vars",
        default=None,
        metavar="FILE",
        help="JSON file of function environment overrides, as `sam local invoke --env-vars`.",
    )
    group.addoption(
        "--samlite-no-iam",
        dest="samlite_no_iam",
        action="store_true",
        default=False,
        help="Do not enforce each function's own IAM role (functions get administrator rights).",
    )
    parser.addini("samlite_template", "SAM template for the samlite fixtures, relative to the rootdir.")
    parser.addini(
        "samlite_parameter_overrides", "Template parameter overrides, one KEY=VALUE a line.", type="linelist"
    )
    parser.addini("samlite_env_vars", "JSON file of function environment overrides, relative to the rootdir.")
    parser.addini(
        "samlite_iam", "Enforce each function's IAM role (default true).", type="bool", default=True
    )
    group.addoption(
        "--samlite-chaos",
        dest="samlite_chaos",
        default=None,
        metavar="SPEC",
        help="duplicate=P,reorder=P,delay=MS[,seed=N]: chaos on pushed deliveries (over ini samlite_chaos).",
    )
    parser.addini("samlite_chaos", "Chaos on pushed deliveries: duplicate=P,reorder=P,delay=MS[,seed=N].")
    parser.addini(
        "samlite_persist_dir", "Keep the cloud's data across sessions in this folder (default: keep nothing)."
    )


def pytest_configure(config: pytest.Config) -> None:
    """Reject malformed parameter overrides at start-up, before any test runs (exit status 4)."""
    read_settings(config)


# The last collected test that uses `samlite_cloud`, and the cloud while it runs (see `samlite_cloud`).
_LAST_USER = pytest.StashKey[pytest.Item]()
_RUNNING = pytest.StashKey["LocalCloud"]()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Note the last test that needs the cloud (the final item list: after -k, -m and reordering)."""
    users = [item for item in session.items if "samlite_cloud" in getattr(item, "fixturenames", ())]
    if users:
        session.config.stash[_LAST_USER] = users[-1]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Stop the cloud right after the last test that uses it, rather than at the end of the session.

    moto's state and its IAM-enforcement switch are global to the process: a cloud left running while
    the rest of a suite runs (in-process moto tests, or an embedded AWS with another IAM setting) would
    change how those tests behave.
    """
    result = yield
    config = item.config
    if config.stash.get(_LAST_USER, None) is item:
        cloud = config.stash.get(_RUNNING, None)
        if cloud is not None:
            cloud.stop()
            del config.stash[_RUNNING]
    return result


@dataclass(frozen=True)
class PluginSettings:
    """The plugin's configuration once command line and ini file are merged; paths are absolute."""

    template: Path
    parameter_overrides: dict[str, str] = field(default_factory=dict)
    env_vars: Path | None = None
    iam: bool = True
    chaos: str | None = None
    persist_dir: Path | None = None  # ini samlite_persist_dir: None persists nothing


def parse_overrides(items: Sequence[str]) -> dict[str, str]:
    """``["K=V", ...]`` as a dict; an item without ``=`` or with an empty key is a usage error naming it."""
    overrides: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise pytest.UsageError(
                f"samlite parameter override {item!r} is not KEY=VALUE "
                "(--samlite-parameter-overrides / ini samlite_parameter_overrides)"
            )
        overrides[name.strip()] = value
    return overrides


def read_settings(config: pytest.Config) -> PluginSettings:
    """Merge command-line options over ini values over defaults; relative paths are from the rootdir."""
    root = Path(config.rootpath)
    # getoption with a default: a conftest that registers this plugin after the command line was parsed
    # (before the pytest11 entry point is installed) has the ini options but not the command-line ones.
    template = (
        config.getoption("samlite_template", None) or config.getini("samlite_template") or "template.yaml"
    )
    cli_overrides = config.getoption("samlite_parameter_overrides", None)
    overrides = parse_overrides(
        cli_overrides if cli_overrides is not None else config.getini("samlite_parameter_overrides")
    )
    env_vars = config.getoption("samlite_env_vars", None) or config.getini("samlite_env_vars") or None
    iam = bool(config.getini("samlite_iam")) and not config.getoption("samlite_no_iam", False)
    chaos = config.getoption("samlite_chaos", None) or config.getini("samlite_chaos") or None
    if chaos:
        _check_chaos(str(chaos))
    persist_dir = config.getini("samlite_persist_dir") or None
    return PluginSettings(
        persist_dir=(root / str(persist_dir)).resolve() if persist_dir else None,
        template=(root / str(template)).resolve(),
        parameter_overrides=overrides,
        env_vars=(root / str(env_vars)).resolve() if env_vars else None,
        iam=iam,
        chaos=str(chaos) if chaos else None,
    )


def _check_chaos(spec: str) -> None:
    from samlite.services.chaos import ChaosPolicy, ChaosSpecError

    try:
        ChaosPolicy.parse(spec)
    except ChaosSpecError as error:
        raise pytest.UsageError(f"samlite: {error} (--samlite-chaos / ini samlite_chaos)") from None


def build_options(settings: PluginSettings, state_dir: Path) -> CloudOptions:
    """The LocalCloud options for a test session: free ports (endpoint and API gateway), no file
    watching, state in `state_dir`.

    File watching is off because tests do not edit code while they run and the watcher is one more
    thread per session; the state directory is a temporary one so that tests never overwrite the
    `.samlite/` of a `samlite start` the developer is running next to them.
    """
    from samlite.cloud.local_cloud import CloudOptions
    from samlite.persistence.persister import PersistOptions
    from samlite.services.chaos import ChaosPolicy
    from samlite.template import load_env_vars_file

    if not settings.template.is_file():
        raise FileNotFoundError(
            f"samlite template {settings.template} does not exist "
            "(set --samlite-template or ini samlite_template)"
        )
    # Validated as `samlite start --env-vars` validates it: a TemplateError names the file and section.
    env_vars = load_env_vars_file(settings.env_vars) if settings.env_vars is not None else None
    return CloudOptions(
        template=settings.template,
        port=0,
        api_port=0,
        parameter_overrides=dict(settings.parameter_overrides),
        env_vars=env_vars,
        iam=settings.iam,
        watch=False,
        chaos=ChaosPolicy.parse(settings.chaos) if settings.chaos else None,
        state_dir=settings.persist_dir or state_dir,
        persist=PersistOptions() if settings.persist_dir is not None else None,
    )


@dataclass
class SamliteHandle:
    """A running LocalCloud with the helpers tests need: clients, outputs, waiting, invocations, logs."""

    cloud: LocalCloud
    _clients: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The endpoint, for AWS_ENDPOINT_URL."""
        return str(self.cloud.url)

    @property
    def outputs(self) -> dict[str, Any]:
        """The stack outputs resolved to local values."""
        return dict(self.cloud.outputs)

    def client(self, service: str) -> Any:
        """A boto3 client of `service` on the local endpoint with administrator credentials (cached)."""
        if service not in self._clients:
            self._clients[service] = self.cloud.client(service)
        return self._clients[service]

    def wait(self, timeout: float = DEFAULT_WAIT_TIMEOUT_S) -> None:
        """Block until every queued asynchronous invocation (retries included) has finished and every
        event-source mapping is idle (queues and streams consumed, failures retried or given up).

        Raises TimeoutError, which fails the test with the reason, when they are still running after
        `timeout` seconds: a test must not go on to assert on a half-processed state.
        """
        if not self.cloud.wait_idle(timeout):
            raise TimeoutError(
                f"samlite: queued invocations or event-source mappings still busy after {timeout} s"
            )

    def trigger(self, trigger_id: str) -> Any:
        """Fire a schedule now: a scheduled rule or schedule by logical id, a function with one Schedule /
        ScheduleV2 event, or `Function.Event`; returns what was fired (`TriggerResult`). Then `wait()`."""
        return self.cloud.trigger(trigger_id)

    def invocations(self, function_id: str) -> list[Any]:
        """The recorded invocations of a function (logical id), oldest first."""
        return list(self.cloud.invocations(function_id))

    def log_lines(self, function_id: str) -> list[str]:
        """Every log line the function printed (its START/END/REPORT lines included), oldest first."""
        return list(self.cloud.log_lines(function_id))

    def reset(self) -> None:
        """Empty buckets, tables and queues and clear the records, after in-flight invocations end.

        LocalCloud.reset waits for queued invocations first: one of the previous test still running
        would otherwise write into the freshly emptied table.
        """
        self.cloud.reset(DEFAULT_WAIT_TIMEOUT_S)


@pytest.fixture(scope="session")
def samlite_options(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> CloudOptions:
    """The options `samlite_cloud` starts with; override in a conftest to change any of them."""
    settings = read_settings(pytestconfig)
    from samlite.errors import SamliteError

    try:
        return build_options(settings, tmp_path_factory.mktemp("samlite-state"))
    except (OSError, SamliteError) as err:
        pytest.fail(str(err), pytrace=False)


@pytest.fixture(scope="session")
def samlite_cloud(samlite_options: CloudOptions, pytestconfig: pytest.Config) -> Iterator[LocalCloud]:
    """The template running locally for the session: started at first use, stopped after the last test
    that depends on it (through its arguments; `request.getfixturevalue` is not seen ahead) or, at the
    latest, at the end of the session.

    A template or provisioning problem fails the tests that use it with samlite's one-line message
    rather than a traceback through the plugin.
    """
    from samlite.cloud.local_cloud import LocalCloud
    from samlite.errors import SamliteError

    cloud = LocalCloud(samlite_options)
    try:
        cloud.start()
    except SamliteError as err:
        cloud.stop()
        pytest.fail(f"samlite could not start {samlite_options.template}: {err}", pytrace=False)
    pytestconfig.stash[_RUNNING] = cloud
    try:
        yield cloud
    finally:
        cloud.stop()  # idempotent: a no-op when the last user's teardown stopped it already
        if _RUNNING in pytestconfig.stash:
            del pytestconfig.stash[_RUNNING]


@pytest.fixture(scope="session")
def _samlite_handle(samlite_cloud: LocalCloud) -> SamliteHandle:
    return SamliteHandle(samlite_cloud)


@pytest.fixture
def samlite(_samlite_handle: SamliteHandle) -> SamliteHandle:
    """The session's cloud, emptied before this test (see `SamliteHandle.reset`)."""
    _samlite_handle.reset()
    return _samlite_handle


@pytest.fixture(scope="session")
def samlite_outputs(_samlite_handle: SamliteHandle) -> Mapping[str, Any]:
    """The stack outputs resolved to local values, e.g. ``samlite_outputs["UploadsBucketName"]``."""
    return _samlite_handle.outputs


@pytest.fixture(scope="session")
def samlite_client(_samlite_handle: SamliteHandle) -> Callable[[str], Any]:
    """``samlite_client("s3")``: a boto3 client on the local endpoint with administrator credentials."""
    return _samlite_handle.client
