"""Where `--persist` is asked for: the command line over `[tool.samlite]`; never by the pytest plugin
unless its own ini option says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from samlite.cli import build_parser
from samlite.cli.persist_options import persist_options
from samlite.persistence.options import DEFAULT_INTERVAL_S, PersistOptions
from samlite.pytest_plugin import PluginSettings, build_options

FIXTURE_TEMPLATE = Path(__file__).resolve().parents[1] / "persistence_fixtures" / "template.yaml"


def _args(*argv: str):  # type: ignore[no-untyped-def]
    return build_parser().parse_args(["start", *argv])


def _project(tmp_path: Path, settings: str) -> Path:
    project_file = tmp_path / "pyproject.toml"
    project_file.write_text(f"[project]\nname = 'x'\n\n[tool.samlite]\n{settings}\n")
    return project_file


def test_without_persist_nothing_is_kept(tmp_path: Path) -> None:
    assert persist_options(_args(), tmp_path / "pyproject.toml") is None


def test_the_command_line_asks_and_sets_every_option(tmp_path: Path) -> None:
    options = persist_options(
        _args(
            "--persist",
            "--persist-interval",
            "0.5",
            "--removed-resources",
            "drop",
            "--reset-state",
            "--reset-resource",
            "Items",
            "--reset-resource",
            "Work",
        ),
        tmp_path / "pyproject.toml",
    )
    assert options == PersistOptions(
        interval=0.5, removed_resources="drop", reset_state=True, reset_resources=("Items", "Work")
    )


def test_tool_samlite_asks_and_the_command_line_wins(tmp_path: Path) -> None:
    project_file = _project(tmp_path, 'persist = true\npersist-interval = 2\nremoved-resources = "drop"')
    assert persist_options(_args(), project_file) == PersistOptions(interval=2.0, removed_resources="drop")
    assert persist_options(_args("--persist-interval", "9"), project_file) == PersistOptions(
        interval=9.0, removed_resources="drop"
    )
    assert persist_options(_args("--no-persist"), project_file) is None
    assert persist_options(_args(), _project(tmp_path, "persist = false")) is None
    assert persist_options(_args("--persist"), tmp_path / "none.toml") == PersistOptions(
        interval=DEFAULT_INTERVAL_S
    )


@pytest.mark.parametrize(
    ("argv", "settings", "named"),
    [
        (("--reset-state",), "", "--reset-state and --reset-resource need --persist"),
        (("--persist",), 'persist-interval = "soon"', "persist-interval must be a number of seconds"),
        (("--persist",), "persist-interval = 0", "persist-interval must be more than 0 seconds"),
        (("--persist",), 'removed-resources = "maybe"', "removed-resources must be keep or drop"),
        (("--persist",), "persist = [", "pyproject.toml cannot be read"),
    ],
)
def test_bad_settings_are_one_line_naming_them(
    tmp_path: Path, argv: tuple[str, ...], settings: str, named: str
) -> None:
    with pytest.raises(ValueError, match=named.replace("[", r"\[")) as refused:
        persist_options(_args(*argv), _project(tmp_path, settings))
    assert "\n" not in str(refused.value)


def test_the_pytest_plugin_persists_nothing_unless_its_ini_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _project(tmp_path, "persist = true")  # samlite start's setting: not the plugin's
    options = build_options(PluginSettings(template=FIXTURE_TEMPLATE), tmp_path / "session")
    assert options.persist is None and options.state_dir == tmp_path / "session"
    asked = build_options(
        PluginSettings(template=FIXTURE_TEMPLATE, persist_dir=tmp_path / ".samlite-tests"),
        tmp_path / "session",
    )
    assert asked.persist == PersistOptions() and asked.state_dir == tmp_path / ".samlite-tests"
