"""The `samlite` command line: one module per sub-command, each exposing `register(subparsers)`."""

from __future__ import annotations

import argparse
import importlib
import sys

# Sub-command modules, imported lazily so `samlite generate-event` does not pay for moto.
SUBCOMMANDS = ("invoke", "generate_event")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="samlite",
        description="Run an AWS SAM template locally: no Docker, no AWS account.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(f"samlite.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
