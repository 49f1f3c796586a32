"""`CloudOptions`: how to run a template locally; the defaults are `samlite start`'s."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from samlite.persistence.options import PersistOptions
from samlite.services.awslambda.async_queue import DEFAULT_RETRY_DELAYS
from samlite.services.chaos import ChaosPolicy
from samlite.services.s3.flow_control import DEFAULT_LIMIT as DEFAULT_FLOW_CONTROL_LIMIT
from samlite.services.stepfunctions.service import DEFAULT_TIME_SCALE


@dataclass
class CloudOptions:
    """How to run a template locally; the defaults are `samlite start`'s.

    `port=0` binds a free port (tests, the demo); so does `api_port=0` for the API gateway, which is
    only started when the template has a REST or HTTP API. `retry_delays` replace Lambda's 1 and 2
    minute async retry delays so the failure path of a test takes milliseconds. `log_sink(source,
    line)` receives every log line as it is written: `source` is a function's logical id or "samlite"
    for samlite's own lines (the command line passes a terminal printer; tests usually pass nothing).
    `states_time_scale`: state machines' Wait states and Retry intervals take this fraction of their
    length (default 0.001: a 60 s Wait takes 60 ms; 1 is AWS's pace); timeouts are not scaled.
    `flow_control_limit`: S3 writes from outside the functions wait while this many asynchronous
    events are outstanding (`samlite.services.s3.flow_control`); None lets writers run unchecked.
    `layer_map` (layer ARN or ARN prefix -> folder) and `pythons` (runtime -> interpreter) win over the
    project's samlite.toml / `[tool.samlite]` (`samlite.config`); `cache_dir` is where installs and
    inline code are cached (default: samlite's cache).
    `chaos` (`--chaos`) duplicates, reorders and delays pushed deliveries within their AWS contract.
    `persist` keeps the stack's data in `<state_dir>/state/` across restarts (`--persist`); None keeps
    nothing (the default, and the pytest plugin's unless asked).
    """

    template: Path = Path("template.yaml")
    host: str = "127.0.0.1"
    port: int = 4566
    api_port: int = 3000
    parameter_overrides: Mapping[str, str] = field(default_factory=dict)
    env_vars: Mapping[str, Mapping[str, str]] | None = None
    iam: bool = True
    watch: bool = True
    debug_port: int | None = None
    debug_function: str | None = None
    stack_name: str = "samlite"
    region: str = "us-east-1"
    state_dir: Path = Path(".samlite")
    retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS
    states_time_scale: float = DEFAULT_TIME_SCALE
    log_sink: Callable[[str, str], None] | None = None
    console: bool = True  # the console at /_samlite/ on the endpoint (`--no-console` turns it off)
    flow_control_limit: int | None = DEFAULT_FLOW_CONTROL_LIMIT
    layer_map: Mapping[str, Path] = field(default_factory=dict)
    pythons: Mapping[str, Path] = field(default_factory=dict)
    cache_dir: Path | None = None
    chaos: ChaosPolicy | None = None
    persist: PersistOptions | None = None
