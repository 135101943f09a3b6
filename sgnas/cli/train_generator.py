"""``sgnas train-generator --supernet RUN``: train the architecture generator once over a trained supernet.

Without ``--preset`` the supernet run's own config is used (plus ``--set``
overrides), so the generator sees the same data and space as the supernet.
Runs under ``torchrun`` like ``train-supernet`` (see its help).
"""

from __future__ import annotations

import argparse

from sgnas.cli._config_args import add_config_arguments, config_from_args, print_json
from sgnas.pipeline import prepare, resolve_run, train_generator

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("train-generator", help="train the architecture generator", description=__doc__)
    parser.add_argument("--supernet", required=True, metavar="RUN",
                        help="a finished train-supernet run directory, or its supernet.pt")
    add_config_arguments(parser, preset_default=None)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    _, supernet_run = resolve_run(args.supernet, "supernet", "supernet.pt")
    config = config_from_args(args, supernet_run)
    runtime = prepare(config, args.data_dir, rebuild=args.rebuild)
    run_dir = train_generator(runtime, args.supernet, args.runs_dir)
    if not runtime.dist.is_main:  # under torchrun rank 0 reports
        return 0
    results = run_dir.results
    summary = {k: results[k] for k in ("best_epoch", "mean_relative_error", "kendall_tau", "top1_middle",
                                        "seconds_per_target", "generator")}
    if args.json:
        print_json({"run": str(run_dir.path), **summary})
    else:
        print(f"run: {run_dir.path}")
        for key, value in summary.items():
            print(f"{key}: {value}")
    return 0
