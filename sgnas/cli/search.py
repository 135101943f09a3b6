"""``sgnas search``: architectures for FLOPs targets from a trained generator (or another strategy).

Targets are millions of MACs in the preset's convention (SGNAS: conv layers
only). Per target: the architecture (string and JSON), exact MACs and params,
the supernet-estimated top-1 on the validation split after BN recalibration,
and the wall time of the search. Over the targets (``--sweep N`` adds N evenly
spaced across the trained range): Kendall tau between targets and MACs, and
the mean |F - T| / T.

Targets outside the generator's trained range are refused (one-line error);
``--extrapolate`` warns and generates anyway. Targets outside the whole
space's MACs range are always refused.

Every search is saved as a run of kind ``search`` under ``--runs-dir`` (keyed
by the search config, strategy, targets, the supernet and generator runs and
the seed; the layout ``sgnas pipeline`` uses), whose path is printed; the same
search again reuses that finished run. Each run's ``results.json`` records the
wall seconds and supernet forward passes of every target, so a table of search
cost for N targets can be built from the runs folder alone.
"""

from __future__ import annotations

import argparse

from sgnas._infra.errors import SgnasError
from sgnas.cli._config_args import add_config_arguments, config_from_args, parse_targets, print_json
from sgnas.config.schema import check_value
from sgnas.pipeline import build_strategy, prepare, resolve_run, run_search, search_context
from sgnas.registry import STRATEGIES
from sgnas.search.generator.train import sweep_targets

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("search", help="architectures for FLOPs targets", description=__doc__)
    # registries as choices: plugins are imported only when a choice is checked or the help is shown
    parser.add_argument("--strategy", choices=STRATEGIES, default="generator", metavar="STRATEGY",
                        help="search strategy: %(choices)s (default: %(default)s)")
    parser.add_argument("--generator", metavar="RUN", help="a finished train-generator run, or its generator.pt")
    parser.add_argument("--supernet", metavar="RUN",
                        help="a finished train-supernet run or supernet.pt (default: the generator's supernet)")
    parser.add_argument("--targets", nargs="+", default=[], metavar="T", help="targets in millions of MACs")
    parser.add_argument("--sweep", type=int, default=0, metavar="N", help="also N targets evenly over the range")
    parser.add_argument("--no-accuracy", action="store_true", help="skip the supernet-estimated accuracy")
    parser.add_argument("--extrapolate", action="store_true",
                        help="warn instead of refusing targets outside the generator's trained range")
    parser.add_argument("--budget", type=int, help="evaluation budget of iterative strategies")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    add_config_arguments(parser, preset_default=None)
    parser.set_defaults(func=run)


def _locate(args: argparse.Namespace):
    generator_path = generator_run = None
    if args.generator:
        generator_path, generator_run = resolve_run(args.generator, "generator", "generator.pt")
    if args.supernet:
        supernet_path, supernet_run = resolve_run(args.supernet, "supernet", "supernet.pt")
    elif generator_run is not None and (generator_run / "results.json").exists():
        from sgnas._infra.runs import RunDir

        supernet_path = resolve_run(RunDir(generator_run).results["supernet"], "supernet", "supernet.pt")[0]
        supernet_run = supernet_path.parent if (supernet_path.parent / "config.json").exists() else None
    else:
        raise SgnasError("search needs --supernet RUN (or --generator RUN of a finished generator run)")
    return generator_path, generator_run, supernet_path, supernet_run


def run(args: argparse.Namespace) -> int:
    if getattr(STRATEGIES.get(args.strategy), "needs_generator", False) and not args.generator:
        raise SgnasError(f"the {args.strategy} strategy needs --generator RUN")
    if args.sweep:  # 0: no sweep; else as many targets as the generator's selection sweep may have
        check_value("generator.sweep_targets", args.sweep, "--sweep")
    targets = parse_targets(args.targets)
    generator_path, generator_run, supernet_path, supernet_run = _locate(args)
    if args.extrapolate:
        args.overrides.append("search.outside_range=warn")
    if args.budget is not None:
        args.overrides.append(f"search.budget={args.budget}")
    config = config_from_args(args, generator_run or supernet_run)
    if args.sweep:
        targets += sweep_targets(config.generator.target_low, config.generator.target_high, args.sweep)
    if not targets:
        raise SgnasError("no targets: give --targets T1 T2 ... and/or --sweep N")
    runtime = prepare(config, args.data_dir, rebuild=args.rebuild)
    context = search_context(runtime, supernet_path, generator_path)
    strategy = build_strategy(args.strategy, context)
    run_dir = run_search(context, args.strategy, strategy, targets, args.runs_dir, with_accuracy=not args.no_accuracy)
    saved = run_dir.results
    summary = saved["summary"]
    if args.json:
        print_json({"run": str(run_dir.path), **saved})
        return 0
    print(f"run: {run_dir.path}")
    convention = summary["convention"]
    for r in saved["results"]:
        accuracy = "-" if r["supernet_accuracy"] is None else f"{r['supernet_accuracy']:.2f}%"
        print(f"target {r['target_m_in_convention']:.3f}M -> {r['macs_m_in_convention']:.3f}M MACs "
              f"({convention}), {r['params_m']:.3f}M params, supernet top-1 {accuracy}, "
              f"{r['wall_seconds'] * 1000:.2f} ms: {r['architecture']}")
    line = f"mean |F-T|/T = {summary['mean_relative_error']:.4f}"
    if "kendall_tau" in summary:
        line += f", Kendall tau = {summary['kendall_tau']:.3f}"
    print(line + f", mean search time {summary['mean_wall_seconds'] * 1000:.2f} ms per target")
    return 0
