"""Subcommands of the ``sgnas`` CLI, one module each, each exposing ``register(subparsers)``."""
