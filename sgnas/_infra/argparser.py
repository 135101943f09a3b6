"""The argument parser of every command line here: a usage error is one line, not argparse's usage block.

argparse answers an unknown option, a missing argument or a value of the wrong
type with the whole usage block and then ``PROG: error: ...``; the project's
rule is one line per bad input (the same as a bad config or path). This parser
prints ``NAME: error: MESSAGE (see PROG --help)`` and exits with status 2;
``--help`` still prints the full help. Subcommand parsers made with
``add_subparsers().add_parser`` are of the parent's class, so they answer the
same way under the tool's name (``sgnas: error: ... (see sgnas cost --help)``).
"""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

__all__ = ["ArgumentParser"]


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser whose usage errors are one line naming ``tool`` (default: the first word of ``prog``)."""

    def __init__(self, *args: Any, tool: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tool = tool or self.prog.split()[0]

    def error(self, message: str) -> NoReturn:
        """One line on stderr, then exit status 2 (argparse's status for usage errors)."""
        self.exit(2, f"{self.tool}: error: {' '.join(message.split())} (see {self.prog} --help)\n")
