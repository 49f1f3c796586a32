"""The `samlite` command line: one module per sub-command, each exposing `register(subparsers)`."""

from __future__ import annotations

import argparse
import importlib
import sys

# Sub-command modules, imported lazily so `samlite generate-event` does not pay for moto.
SUBCOMMANDS = ("invoke", "generate_event", "start", "trigger")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with every sub-command, or with `only` that one (a module name of SUBCOMMANDS)."""
    parser = argparse.ArgumentParser(
        prog="samlite",
        description="Run an AWS SAM template locally: no Docker, no AWS account.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in SUBCOMMANDS if only is None else (only,):
        importlib.import_module(f"samlite.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Only the sub-command being run is imported: the others' imports (the runtime, the template
    # model) would otherwise delay `samlite start` before its own start-up can overlap them.
    first = argv[0].replace("-", "_") if argv else ""
    parser = build_parser(first if first in SUBCOMMANDS else None)
    args = parser.parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
