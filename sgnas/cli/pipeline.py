"""``sgnas pipeline``: supernet -> generator -> search by generating -> stand-alone evaluation, in one command.

Finished steps of an earlier run with the same config and seed are reused
(run directories under ``--runs-dir``); unfinished ones resume. Without
``--targets`` three targets spread over the preset's range are used.
Under ``torchrun`` the training steps and evaluations run data-parallel (see
``sgnas train-supernet --help``).
"""

from __future__ import annotations

import argparse

from sgnas.cli._config_args import add_config_arguments, config_from_args, parse_targets, print_json
from sgnas.pipeline import run_pipeline
from sgnas.search.generator.train import sweep_targets
from sgnas.training.distributed import is_main_process

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("pipeline", help="the whole method end to end", description=__doc__)
    add_config_arguments(parser)
    parser.add_argument("--targets", nargs="+", metavar="T", help="targets in millions of MACs")
    parser.add_argument("--no-evaluate", action="store_true", help="stop after the search")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    low, high = config.target_range()
    targets = parse_targets(args.targets) or [round(t, 3) for t in sweep_targets(low, high, 5)[1:4]]
    summary = run_pipeline(config, targets, args.runs_dir, args.data_dir, evaluate=not args.no_evaluate,
                           rebuild=args.rebuild)
    if not is_main_process():  # under torchrun rank 0 reports
        return 0
    if args.json:
        print_json(summary)
        return 0
    print(f"supernet run:  {summary['supernet_run']}")
    print(f"generator run: {summary['generator_run']}")
    search = summary["search"]
    for record in search["results"]:
        print(f"target {record['target_m_in_convention']:.3f}M -> {record['macs_m_in_convention']:.3f}M "
              f"({record['convention']}), supernet top-1 {record['supernet_accuracy']}: {record['architecture']}")
    print(f"search: mean |F-T|/T {search['summary']['mean_relative_error']:.4f}, "
          f"Kendall tau {search['summary'].get('kendall_tau', float('nan')):.3f}")
    for record in summary["evaluated"]:
        print(f"evaluated {record['architecture']}: test top-1 {record['test_top1']:.2f}%, "
              f"top-5 {record['test_top5']:.2f}%")
    return 0
