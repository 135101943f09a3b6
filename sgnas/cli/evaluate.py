"""``sgnas evaluate ARCH``: train an architecture from scratch with the preset's recipe; test top-1 and top-5.

ARCH is the compact string (``335577-...``) or a JSON file. Curves go to the
run's ``metrics.jsonl``; a finished run with the same config is reused.
Runs under ``torchrun`` like ``train-supernet`` (see its help), e.g.
``torchrun --nproc_per_node 8 -m sgnas.cli evaluate ARCH --preset paper --data-dir /imagenet``.
"""

from __future__ import annotations

import argparse

from sgnas.cli._config_args import add_config_arguments, config_from_args, print_json
from sgnas.pipeline import evaluate_architecture, prepare
from sgnas.spaces.unified.architecture import load_architecture

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("evaluate", help="train an architecture from scratch", description=__doc__)
    parser.add_argument("arch", metavar="ARCH", help="architecture string or JSON file")
    add_config_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    arch = load_architecture(args.arch, config.space.build())
    runtime = prepare(config, args.data_dir, rebuild=args.rebuild)
    run_dir = evaluate_architecture(runtime, arch, args.runs_dir)
    if not runtime.dist.is_main:  # under torchrun rank 0 reports
        return 0
    results = run_dir.results
    if args.json:
        print_json({"run": str(run_dir.path), **results})
    else:
        print(f"run: {run_dir.path}")
        print(f"{results['architecture']}: {results['macs_m']:.3f}M MACs ({results['convention']}), "
              f"{results['params_m']:.3f}M params, test top-1 {results['test_top1']:.2f}%, "
              f"top-5 {results['test_top5']:.2f}% after {results['epochs']} epochs")
    return 0
