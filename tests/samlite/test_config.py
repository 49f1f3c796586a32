"""samlite's configuration file (`samlite.toml`, `[tool.samlite]`) and the flags that win over it."""

from __future__ import annotations

from pathlib import Path

import pytest

from samlite.config import (
    ProjectConfig,
    find_config_file,
    layer_map_from_flags,
    load_project_config,
    pythons_from_flags,
)
from samlite.errors import ConfigError

ARN = "arn:aws:lambda:us-east-1:123456789012:layer:deps"


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    template = tmp_path / "sam" / "template.yaml"
    template.parent.mkdir(exist_ok=True)
    template.write_text("Resources: {}\n")
    return template


def test_tool_samlite_in_pyproject_with_paths_relative_to_the_file(tmp_path: Path) -> None:
    template = _project(
        tmp_path,
        {
            "pyproject.toml": f"""
[project]
name = "app"

[tool.samlite]
layer-map = {{ "{ARN}" = "build/deps", "{ARN}-extra:3" = "/abs/extra" }}

[tool.samlite.python]
"python3.13" = "/usr/bin/python3.13"
"python3.12" = "python3.12"
"python3.10" = "./py/bin/python"
""",
        },
    )
    config = load_project_config(template)
    assert config.source == tmp_path / "pyproject.toml"
    assert config.layer_map == {ARN: tmp_path / "build" / "deps", f"{ARN}-extra:3": Path("/abs/extra")}
    assert config.pythons == {
        "python3.13": Path("/usr/bin/python3.13"),
        "python3.12": Path("python3.12"),  # a command name, looked up on PATH when used
        "python3.10": tmp_path / "py" / "bin" / "python",
    }
    assert config.warnings == ()


def test_samlite_toml_wins_over_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    template = _project(
        tmp_path,
        {
            "pyproject.toml": f'[tool.samlite]\nlayer-map = {{ "{ARN}" = "from-pyproject" }}\n',
            "samlite.toml": f'layer-map = {{ "{ARN}" = "from-samlite-toml" }}\n',
        },
    )
    assert load_project_config(template).layer_map == {ARN: tmp_path / "from-samlite-toml"}


def test_the_search_stops_at_the_project_root(tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    (outer / "project").mkdir(parents=True)
    (outer / "samlite.toml").write_text(f'layer-map = {{ "{ARN}" = "outer" }}\n')
    (outer / "project" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    template = outer / "project" / "template.yaml"
    template.write_text("Resources: {}\n")
    assert find_config_file(template) == outer / "project" / "pyproject.toml"
    assert load_project_config(template) == ProjectConfig()  # that pyproject has no [tool.samlite]


def test_unknown_keys_are_warnings_naming_file_and_key(tmp_path: Path) -> None:
    template = _project(tmp_path, {"samlite.toml": 'layer_map = { "x" = "y" }\n'})
    [warning] = load_project_config(template).warnings
    assert "samlite.toml: unknown key 'layer_map' ignored" in warning and "layer-map" in warning


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("layer-map = 3\n", r"key 'layer-map': must be a table"),
        ('layer-map = { "deps" = "d" }\n', r"'deps' is not a layer ARN"),
        (f'layer-map = {{ "{ARN}" = 5 }}\n', r"must be a path"),
        ('python = { "py3" = "/usr/bin/python3" }\n', r"'py3' is not a Lambda Python runtime"),
        ("layer-map = {\n", r"invalid TOML"),
    ],
)
def test_bad_values_name_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    template = _project(tmp_path, {"samlite.toml": text})
    with pytest.raises(ConfigError, match=message) as raised:
        load_project_config(template)
    assert "samlite.toml" in str(raised.value)


def test_flags_win_over_the_file_key_by_key(tmp_path: Path) -> None:
    template = _project(
        tmp_path, {"samlite.toml": f'layer-map = {{ "{ARN}" = "file", "{ARN}2" = "file2" }}\n'}
    )
    flags = layer_map_from_flags([f"{ARN}=flag"], base=tmp_path)
    merged = load_project_config(template).with_overrides(layer_map=flags)
    assert merged.layer_map == {ARN: tmp_path / "flag", f"{ARN}2": tmp_path / "file2"}


def test_flag_values_are_checked(tmp_path: Path) -> None:
    assert pythons_from_flags(["python3.13=/opt/py/bin/python3.13"]) == {
        "python3.13": Path("/opt/py/bin/python3.13")
    }
    with pytest.raises(ConfigError, match=r"--layer-map 'nothing': expected KEY=VALUE"):
        layer_map_from_flags(["nothing"])
    with pytest.raises(ConfigError, match=r"--python: 'java21' is not a Lambda Python runtime"):
        pythons_from_flags(["java21=/usr/bin/java"])
