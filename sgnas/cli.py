"""The sgnas command line: one subcommand per pipeline step, each a module of sgnas.commands.

Every subcommand reports bad input as a single ``sgnas: error: ...`` line and a
non-zero exit; tracebacks are reserved for bugs.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from sgnas import locking
from sgnas.argparser import ArgumentParser
from sgnas.errors import SgnasError, interrupted

__all__ = ["main"]

#: subcommand name -> module under sgnas.commands exposing ``register(subparsers)``
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
}


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(prog="sgnas", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMANDS.values():
        importlib.import_module(f"sgnas.commands.{module_name}").register(subparsers)
    return parser


def _out_of_memory(err: BaseException) -> bool:
    """Whether ``err`` is the host or the device running out of memory (a setting too large for the machine)."""
    return (isinstance(err, MemoryError) or type(err).__name__ == "OutOfMemoryError"
            or "can't allocate memory" in str(err) or "out of memory" in str(err).lower())


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SgnasError as err:
        print(f"sgnas: error: {err}", file=sys.stderr)
        return 2
    except (MemoryError, RuntimeError) as err:
        if not _out_of_memory(err):
            raise
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        print(f"sgnas: error: out of memory ({first}); smaller batch sizes, images or widths need less; "
              "finished files and the last checkpoint are kept", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return interrupted("sgnas")
    finally:
        locking.release_all()  # runs left unfinished by an error are free for the next command at once


if __name__ == "__main__":
    sys.exit(main())
