"""``sgnas latency-table``: measure the per-layer, per-choice latency table of a space on this machine.

Every searchable layer is exported to timm and timed (eval mode, no gradients)
with 2, 4 and 6 active sub-blocks of each kernel, as are the parts every
architecture shares; per layer a base plus one cost per active sub-block is
fitted. Then ``--check`` random architectures are timed end to end and compared
with the table's sum. The table (``latency_table.json`` in the run folder) is a
cost model the generator can train on
(:class:`sgnas.spaces.unified.latency.LatencyTableModel` loads it). Timings state their
threads, batch and input size; each is the median of repeated blocks, with its
interquartile range; they run at one torch thread unless ``--threads`` says
otherwise. The run is cached per space, settings and machine.

The input size defaults to the space's (``--input-size`` changes it): at the
ImageNet space's 224x224 one layer takes 0.1-0.5 ms on one thread, well above
the spread between repeats (about 2%); at CIFAR's 32x32 give a batch (``--batch
64``) so that timings rise above it.
"""

from __future__ import annotations

import argparse
import dataclasses

from sgnas._infra.errors import SgnasError
from sgnas.cli._config_args import add_config_arguments, config_from_args, print_json

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("latency-table", help="measure a latency table of the space on this machine",
                                   description=__doc__)
    parser.add_argument("--input-size", type=int, default=None, help="input side in pixels (default: the space's)")
    parser.add_argument("--batch", type=int, default=1, help="images per forward pass (default 1)")
    parser.add_argument("--min-seconds", type=float, default=0.1,
                        help="least time spent timing each piece (default 0.1 s; at least 7 blocks each)")
    parser.add_argument("--check", type=int, default=8,
                        help="random architectures timed end to end against the table (default 8)")
    add_config_arguments(parser, preset_default="paper")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sgnas.config.schema import check_value
    from sgnas.export.latency import latency_table_run

    config = config_from_args(args)
    args.threads = 1 if args.threads is None else args.threads  # timed at one thread unless --threads says
    for name in ("batch", "threads", "check"):
        if getattr(args, name) < 1:
            raise SgnasError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    if not 0 < args.min_seconds <= 60:
        raise SgnasError(f"--min-seconds must be in (0, 60], got {args.min_seconds}")
    check_value("threads", args.threads, "--threads")
    space_config = config.space
    if args.input_size is not None:
        check_value("space.resolution", args.input_size, "--input-size")
        space_config = dataclasses.replace(space_config, resolution=args.input_size)
    try:
        space = space_config.build()
    except SgnasError as err:
        raise SgnasError(f"--input-size {args.input_size}: {err}" if args.input_size is not None else str(err)) from None
    run_dir = latency_table_run(space, args.runs_dir, args.threads, args.batch, args.min_seconds, args.check,
                                config.seed, args.rebuild)
    results = run_dir.results
    summary = {"run": str(run_dir.path), "table": results["table"], "settings": results["settings"],
               "fixed_ms": round(results["fixed_ms"], 3), "range_ms": [round(v, 3) for v in results["range_ms"]],
               "median_relative_spread": round(results["median_relative_spread"], 4),
               "table_vs_end_to_end": results["table_vs_end_to_end"]}
    if args.json:
        print_json(summary)
    else:
        for key, value in summary.items():
            print(f"{key}: {value}")
    return 0
