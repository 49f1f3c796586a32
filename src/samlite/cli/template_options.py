"""Options that every command reading a template takes, spelled as `sam local` spells them."""

from __future__ import annotations

import argparse
import os


def add_template_options(parser: argparse.ArgumentParser) -> None:
    """`-t/--template`, `--parameter-overrides`, `--env-vars` and `--region`."""
    parser.add_argument(
        "-t",
        "--template",
        "--template-file",
        default="template.yaml",
        help="SAM template file or its directory (default: template.yaml)",
    )
    parser.add_argument(
        "--parameter-overrides",
        nargs="+",
        default=[],
        metavar="K=V",
        help="template parameter values, as K=V or ParameterKey=K,ParameterValue=V",
    )
    parser.add_argument(
        "--env-vars",
        "-n",
        metavar="FILE",
        help='JSON file of environment overrides: {"Parameters": {...}, "LogicalId": {...}}',
    )
    parser.add_argument(
        "--region",
        default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
        help="AWS region of the stack and its functions (default: $AWS_REGION or us-east-1)",
    )


def add_function_options(parser: argparse.ArgumentParser) -> None:
    """`--layer-map ARN_OR_PREFIX=DIR` and `--python RUNTIME=PATH` (both repeatable; they win over
    samlite.toml / `[tool.samlite]` in pyproject.toml, see `samlite.config`)."""
    parser.add_argument(
        "--layer-map",
        action="append",
        default=[],
        metavar="ARN_OR_PREFIX=DIR",
        help="run a layer named by ARN (or every version under an ARN prefix) from a local folder holding "
        "its content (python/, bin/, lib/...); repeatable; also layer-map in samlite.toml or [tool.samlite]",
    )
    parser.add_argument(
        "--python",
        action="append",
        default=[],
        metavar="RUNTIME=PATH",
        help="the interpreter for functions declaring RUNTIME, e.g. python3.13=/usr/bin/python3.13 "
        "(default: pythonX.Y on PATH, else samlite's own Python, with a warning); repeatable",
    )
