"""``sgnas train-supernet``: train the unified supernet with the preset's sampler (strict fairness by default).

The run directory is keyed by the supernet-relevant config and the seed; an
unfinished run in it resumes from its last checkpoint, a finished one is
reported as is. ``--max-steps N`` stops after N optimizer steps (keeping a
checkpoint) and prints the measured time per step and the epoch it implies.

On GPUs, one process per GPU with torchrun (the preset's batch size is the
global batch; ``--amp`` for mixed precision), e.g. the paper preset on 8 GPUs:

    torchrun --nproc_per_node 8 -m sgnas.cli train-supernet --preset paper --data-dir /imagenet --amp bf16

``train-generator`` and ``evaluate`` run under torchrun the same way.
"""

from __future__ import annotations

import argparse

from sgnas._infra.errors import SgnasError
from sgnas.cli._config_args import add_config_arguments, config_from_args, print_json
from sgnas.pipeline import prepare, train_supernet

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("train-supernet", help="train the unified supernet", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    add_config_arguments(parser)
    parser.add_argument("--resume", metavar="CHECKPOINT", help="continue from this training checkpoint")
    parser.add_argument("--max-steps", type=int, help="stop after this many steps (a checkpoint is kept)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.max_steps is not None and args.max_steps < 1:
        raise SgnasError(f"--max-steps must be at least 1, got {args.max_steps}")
    config = config_from_args(args)
    runtime = prepare(config, args.data_dir, rebuild=args.rebuild)
    run_dir = train_supernet(runtime, args.runs_dir, args.resume, args.max_steps)
    if not runtime.dist.is_main:  # under torchrun rank 0 reports
        return 0
    session = [r for r in run_dir.metrics() if r.get("event") == "session"]
    report = {"run": str(run_dir.path), "finished": run_dir.finished}
    if session:
        last = session[-1]
        per_step = last["seconds"] / max(1, last["steps"])
        report.update(steps_this_session=last["steps"], seconds_per_step=per_step,
                      steps_per_epoch=last["steps_per_epoch"], estimated_epoch_seconds=per_step * last["steps_per_epoch"])
    if run_dir.finished:
        report["results"] = run_dir.results
    if args.json:
        print_json(report)
    else:
        for key, value in report.items():
            if key != "results":
                print(f"{key}: {value}")
        if run_dir.finished:
            print(f"supernet: {run_dir.results['supernet']}")
    return 0
