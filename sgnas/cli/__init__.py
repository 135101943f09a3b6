"""The sgnas command line: one subcommand per pipeline step, each a module of sgnas.cli.

Every subcommand reports bad input as a single ``sgnas: error: ...`` line and a
non-zero exit; tracebacks are reserved for bugs.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from sgnas._infra.argparser import ArgumentParser
from sgnas._infra.command import run_tool

__all__ = ["main"]

#: subcommand name -> module under sgnas.cli exposing ``register(subparsers)``
COMMANDS: dict[str, str] = {
    "cost": "cost",
    "zoo": "zoo",
    "space": "space",
    "bench": "bench",
    "train-supernet": "train_supernet",
    "train-generator": "train_generator",
    "search": "search",
    "evaluate": "evaluate",
    "pipeline": "pipeline",
    "export": "export",
    "latency-table": "latency_table",
}


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(prog="sgnas", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMANDS.values():
        importlib.import_module(f"sgnas.cli.{module_name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return run_tool("sgnas", lambda: args.func(args))

