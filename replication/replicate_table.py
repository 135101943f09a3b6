"""Rebuild the replication's tables into a results folder and print them (``tox -e replicate-table``).

Table A, the reference table: every published architecture of the comparison
(SGNAS-A/B/C, FairNAS-A/B/C and well-known mobile models built by timm), its
multiply-adds and parameters recomputed exactly, beside the published figures,
each in the counting convention the source used. It needs no data and no
training, so it is the same for every preset and takes seconds.

The measured tables come next: the harness (:mod:`replication.harness`) runs
every method for every seed at the preset's scale and the redundancy study
(:mod:`replication.redundancy`), both cached by config hash and seed under
``<out>/runs``, so a second invocation only reads finished runs. Then Table B
(methods x budgets), Table C (search cost versus the number of constraints),
the claims summary and, when an ablation was run into the same folder, the
ablation table.

Each table is one builder in :data:`TABLE_BUILDERS`: a function of the results
folder returning a :class:`replication.results.Table`, or ``None`` when what it
needs was not measured. This script writes each as CSV, Markdown and LaTeX
(:func:`sgnas.tables.write_table`) and prints it.

Usage: ``python replication/replicate_table.py [--out results/] [--preset quick|proxy|paper|smoke]
[--seeds 0 1 2] [--data-dir DIR] [--reference-only]``
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd  # noqa: E402
import torch  # noqa: E402

from replication.ablation import ablation_table  # noqa: E402
from replication.claims import claims_table  # noqa: E402
from replication.harness import PLANS, run_replication  # noqa: E402
from replication.proxy_tables import table_b, table_c  # noqa: E402
from replication.redundancy import redundancy_study  # noqa: E402
from replication.results import Table  # noqa: E402
from sgnas.errors import SgnasError  # noqa: E402
from sgnas.reference_zoo import ZooEntry, load_zoo, recompute  # noqa: E402
from sgnas.tables import render, write_table  # noqa: E402

__all__ = ["PRESETS", "TABLE_BUILDERS", "main", "reference_table"]

PRESETS: tuple[str, ...] = tuple(PLANS)

REFERENCE_NOTES: tuple[str, ...] = (
    "MACs: multiply-adds in millions at 224x224, each row in the convention of its published figure: "
    "'conv' counts conv layers only (SGNAS's own counter), 'conv+fc' adds the classifier. "
    "BN, activations, pooling and SE gating are not counted. Params: every weight, BN affine parameters and biases.",
    "Recomputed: unified-space rows (SGNAS, FairNAS) by the project's lookup-table cost model, cross-checked by "
    "counting their timm export with torch.utils.flop_counter.FlopCounterMode (divided by 2); other rows by "
    "FlopCounterMode on timm.create_model(name, pretrained=False).",
    "Top-1: ImageNet accuracy as reported by the source, not reproduced by this project.",
    "Expected agreement with the published MACs: within 0.5% for unified-space rows (the published figures' "
    "rounding), within 3% for timm rows; a row outside says so in its note.",
)


def _counted_by(entry: ZooEntry, agrees: bool | None) -> str:
    if entry.kind == "timm":
        return "FlopCounterMode"
    if agrees is None:
        return "cost model"
    return "cost model = export" if agrees else "cost model != export"


def _row(entry: ZooEntry) -> dict[str, object]:
    result = recompute(entry)
    published = entry.published
    relative = result.macs_m / published.flops_m - 1
    notes = []
    if abs(relative) > entry.tolerance:
        notes.append(f"outside ±{100 * entry.tolerance:g}% of the published MACs")
    if result.check_agrees is False:
        notes.append(
            f"timm export counts {result.check.macs(result.convention) / 1e6:.2f}M MACs, "
            f"{result.check.params / 1e6:.3f}M params"
        )
    if entry.note:
        notes.append(entry.note)
    return {
        "Model": entry.name,
        "Built as": entry.options(),
        "Convention": result.convention,
        "MACs (M)": round(result.macs_m, 2),
        "Published MACs (M)": published.flops_m,
        "MACs diff (%)": round(100 * relative, 2),
        "Params (M)": round(result.params_m, 3),
        "Published params (M)": published.params_m,
        "Params diff (M)": round(result.params_m - published.params_m, 3),
        "Top-1 reported (%)": published.top1,
        "Counted by": _counted_by(entry, result.check_agrees),
        "Note": "; ".join(notes),
        "Source": entry.source,
    }


def reference_table(results_dir: Path) -> Table:
    """Table A: published architectures, recomputed MACs/params beside the published ones."""
    frame = pd.DataFrame([_row(entry) for entry in load_zoo()])
    return Table(
        "reference_table",
        "Table A: MACs and parameters of published architectures, recomputed exactly "
        "(top-1 as reported, not reproduced)",
        frame,
        list(REFERENCE_NOTES),
    )


#: the tables this script builds, in order; each takes the results folder (the claims read Table A's file)
TABLE_BUILDERS: list[Callable[[Path], Table | None]] = [reference_table, table_b, table_c, claims_table, ablation_table]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("results"), help="results folder (default: results/)")
    parser.add_argument(
        "--preset", choices=PRESETS, default="quick",
        help="scale of the measured tables (default: quick, indicative numbers in about 25 minutes on 2 CPU "
        "cores; Table A is exact and the same for every preset)",
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1], help="seeds of the measured tables")
    parser.add_argument("--data-dir", default=None, help="dataset folder (default: $SGNAS_DATA_DIR, else data/ in the user's cache, where CIFAR-10 is downloaded)")
    parser.add_argument("--reference-only", action="store_true", help="only Table A (no data, no training)")
    return parser


def _write(table: Table, out: Path) -> None:
    paths = write_table(table.frame, out, table.name, table.title, table.notes)
    shown = table.frame.drop(columns=["Source"], errors="ignore")
    print(render(shown, table.title, table.notes))
    print("written: " + ", ".join(str(p) for p in paths.values()) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    threads = torch.get_num_threads()
    # Counting passes run one image at a time: extra threads only add contention on a busy machine.
    torch.set_num_threads(1)
    start = time.perf_counter()
    try:
        _write(reference_table(args.out), args.out)
        if not args.reference_only:
            torch.set_num_threads(threads)
            run_replication(args.preset, args.seeds, args.out, data_dir=args.data_dir)
            redundancy_study(args.preset, args.seeds[0], args.out, data_dir=args.data_dir)
            for builder in TABLE_BUILDERS[1:]:
                table = builder(args.out)
                if table is None:
                    print(f"{builder.__name__}: not measured in {args.out}, skipped\n")
                    continue
                _write(table, args.out)
    except SgnasError as err:
        print(f"replicate_table: error: {err}", file=sys.stderr)
        return 2
    finally:
        torch.set_num_threads(threads)
    print(f"done in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
