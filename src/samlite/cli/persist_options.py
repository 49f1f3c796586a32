"""`samlite start`'s options of saved state: `--persist` and its companions, also in `[tool.samlite]`.

A project that always wants its data kept says so once, in its `pyproject.toml`:

    [tool.samlite]
    persist = true              # --persist
    persist-interval = 5        # --persist-interval SECONDS
    removed-resources = "keep"  # --removed-resources keep|drop

The command line wins over the file (`--no-persist` turns a file's `persist = true` off for one run).
`--reset-state` and `--reset-resource` are one-off actions and exist only on the command line.
"""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path
from typing import Any

from samlite.persistence.options import DEFAULT_INTERVAL_S, REMOVED_CHOICES, PersistOptions

PROJECT_FILE = Path("pyproject.toml")


def add_persist_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("saved state (--persist)")
    group.add_argument(
        "--persist",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="keep buckets, tables, queues, topics, secrets and parameters in STATE_DIR/state/ across "
        "restarts (also `persist = true` in [tool.samlite] of pyproject.toml)",
    )
    group.add_argument(
        "--persist-interval",
        type=_positive_seconds,
        metavar="SECONDS",
        help=f"save every SECONDS as well as on stop; a kill -9 loses at most that much (default: "
        f"{DEFAULT_INTERVAL_S:g})",
    )
    group.add_argument(
        "--removed-resources",
        choices=REMOVED_CHOICES,
        help="what to do with saved resources the template no longer declares (default: keep)",
    )
    group.add_argument(
        "--reset-state", action="store_true", help="discard the saved state and start empty (with --persist)"
    )
    group.add_argument(
        "--reset-resource",
        action="append",
        default=[],
        metavar="ID",
        help="discard the saved content of one resource (logical id or name); repeatable",
    )


def persist_options(args: argparse.Namespace, project_file: Path = PROJECT_FILE) -> PersistOptions | None:
    """The options of saved state, from the command line over `[tool.samlite]`; None without --persist."""
    settings = project_settings(project_file)
    persist = args.persist if args.persist is not None else bool(settings.get("persist", False))
    if not persist:
        if args.reset_state or args.reset_resource:
            raise ValueError(
                "--reset-state and --reset-resource need --persist (there is no saved state otherwise)"
            )
        return None
    interval = args.persist_interval or settings.get("persist-interval", DEFAULT_INTERVAL_S)
    removed = args.removed_resources or settings.get("removed-resources", "keep")
    if removed not in REMOVED_CHOICES:
        raise ValueError(
            f"{project_file}: [tool.samlite] removed-resources must be keep or drop, not {removed!r}"
        )
    return PersistOptions(
        interval=_positive_seconds(interval, f"{project_file}: [tool.samlite] persist-interval"),
        removed_resources=removed,
        reset_state=bool(args.reset_state),
        reset_resources=tuple(args.reset_resource),
    )


def project_settings(project_file: Path) -> dict[str, Any]:
    """`[tool.samlite]` of the project's pyproject.toml ({} when there is none)."""
    try:
        document = tomllib.loads(project_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"{project_file} cannot be read: {error}") from error
    settings = document.get("tool", {}).get("samlite", {})
    return settings if isinstance(settings, dict) else {}


def _positive_seconds(value: Any, what: str = "--persist-interval") -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number of seconds, not {value!r}") from None
    if not seconds > 0:
        raise ValueError(f"{what} must be more than 0 seconds, not {value!r}")
    return seconds
