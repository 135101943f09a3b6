"""Run SGNAS ablations against the default configuration and write the ablation results and table.

    python replication/ablate.py --no-fs --preset smoke --seeds 1
    python replication/ablate.py --lambda 10 40 160 --generator mlp --preset quick --seeds 0 1 2

Each flag adds one variant (see :mod:`replication.ablation` for the config
fields behind them); every variant and the default run for every seed through
the library's pipeline, reusing finished runs. Written into ``<out>/ablation/``:
``ablation.csv`` (one row per variant, seed and target), ``ablation.json``
(preset, seeds, overrides) and the table as CSV/Markdown/LaTeX; the report
(``tox -e report``) draws the plots from these files. The table is printed; the
last line is the table's CSV path.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from replication.ablation import HW_LOSSES, build_variants, run_ablation  # noqa: E402
from replication.plans import PLANS  # noqa: E402
from replication.tables.ablation import ablation_table  # noqa: E402
from sgnas._infra.argparser import ArgumentParser  # noqa: E402
from sgnas._infra.command import run_tool  # noqa: E402
from sgnas._infra.errors import SgnasError  # noqa: E402
from sgnas._infra.tables import render, write_table  # noqa: E402
from sgnas.config.presets import PRESETS  # noqa: E402
from sgnas.registry import SAMPLERS, UNIFIED  # noqa: E402

__all__ = ["main", "parser"]


def parser() -> ArgumentParser:
    p = ArgumentParser(description=__doc__.splitlines()[0], tool="ablate")
    variants = p.add_argument_group("variants (each adds one; at least one is required)")
    variants.add_argument("--no-fs", action="store_true",
                          help="forced sampling off (supernet, generator, prior), the paper's setup otherwise")
    variants.add_argument("--official", action="store_true",
                          help="the official code's setup: no forced sampling, its sampler, mask, prior and "
                               "augmentation (see docs/discrepancies.md)")
    variants.add_argument("--lambda", dest="lambdas", type=float, nargs="+", default=[], metavar="L",
                          help="hardware-loss weights, one variant each")
    variants.add_argument("--tau-decay", type=float, metavar="D", help="multiply tau by D after each epoch")
    variants.add_argument("--tau-constant", type=float, metavar="T", help="keep tau fixed at T")
    variants.add_argument("--hw-loss", choices=tuple(HW_LOSSES), help="hardware loss form")
    variants.add_argument("--generator", choices=("conv", "mlp"), help="generator network")
    variants.add_argument("--sampler", choices=SAMPLERS.names(family=UNIFIED), help="supernet training sampler, in the paper's setup (official: the official sampler with forced "
                               "sampling; --official for the official code)")
    run = p.add_argument_group("run")
    run.add_argument("--preset", default="smoke", choices=sorted({*PLANS, *PRESETS.names()}),
                     help="harness plan or library preset (default: smoke)")
    run.add_argument("--seeds", type=int, nargs="+", default=[0], help="seeds (default: 0)")
    run.add_argument("--out", default="results", help="results folder; tables go to <out>/ablation (default: results)")
    run.add_argument("--runs", default=None, help="runs folder (default: <out>/runs)")
    run.add_argument("--data-dir", default=None, help="dataset folder (default: $SGNAS_DATA_DIR, else data/ in the user's cache, where CIFAR-10 is downloaded)")
    run.add_argument("--eval-standalone", action="store_true",
                     help="also train each variant's budget architectures from scratch")
    run.add_argument("--set", dest="overrides", nargs="+", action="extend", default=[], metavar="SECTION.FIELD=VALUE",
                     help="config overrides applied to every variant, the default included")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    start = time.perf_counter()

    def body() -> None:
        variants = build_variants(args.no_fs, args.official, args.lambdas, args.tau_decay, args.tau_constant, args.hw_loss,
                                  args.generator, args.sampler)
        run_ablation(variants, args.preset, args.seeds, args.out, args.overrides, args.eval_standalone,
                     args.data_dir, args.runs)
        table = ablation_table(args.out)
        if table is None:
            raise SgnasError("the ablation produced no rows")
        out = Path(args.out) / "ablation"
        paths = write_table(table.frame, out, table.name, table.title, table.notes)
        print(render(table.shown, table.title, table.notes))
        print(f"done in {time.perf_counter() - start:.1f} s")
        print(paths["csv"])

    return run_tool("ablate", body)


if __name__ == "__main__":
    sys.exit(main())
