"""Rebuild the replication's tables into a results folder and print them (``tox -e replicate-table``).

Table A, the reference table: every published architecture of the comparison
(SGNAS-A/B/C, FairNAS-A/B/C and well-known mobile models built by timm), its
multiply-adds and parameters recomputed exactly, beside the published figures,
each in the counting convention the source used. It needs no data and no
training, so it is the same for every preset and takes seconds.

Each table is one builder in :data:`TABLE_BUILDERS`: a function of the results
folder returning a :class:`replication.results.Table`, or ``None`` when what it
needs was not measured. This script writes each as CSV, Markdown and LaTeX
(:func:`sgnas.tables.write_table`) and prints it.

Usage: ``python replication/replicate_table.py [--out results/] [--preset quick|proxy|paper]``
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from replication.results import Table
from sgnas.errors import SgnasError
from sgnas.reference_zoo import ZooEntry, load_zoo, recompute
from sgnas.tables import render, write_table

__all__ = ["PRESETS", "TABLE_BUILDERS", "main", "reference_table"]

PRESETS: tuple[str, ...] = ("quick", "proxy", "paper")

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
        return f"FlopCounterMode, timm {entry.timm_model}"
    if agrees is None:
        return "cost model"
    return "cost model = timm export" if agrees else "cost model (timm export differs)"


def _row(entry: ZooEntry) -> dict[str, object]:
    result = recompute(entry)
    published = entry.published
    relative = result.macs_m / published.flops_m - 1
    notes = []
    if abs(relative) > entry.tolerance:
        notes.append(f"outside ±{entry.tolerance:.1%} of the published MACs")
    if result.check_agrees is False:
        notes.append(
            f"timm export counts {result.check.macs(result.convention) / 1e6:.2f}M MACs, "
            f"{result.check.params / 1e6:.3f}M params"
        )
    if entry.note:
        notes.append(entry.note)
    return {
        "Model": entry.name,
        "Built as": "unified space, " + entry.options() if entry.kind == "space" else entry.options(),
        "Convention": result.convention,
        "MACs recomputed (M)": round(result.macs_m, 2),
        "MACs published (M)": published.flops_m,
        "MACs rel. diff (%)": round(100 * relative, 2),
        "Params recomputed (M)": round(result.params_m, 3),
        "Params published (M)": published.params_m,
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


#: the tables this script builds, in order; each takes the results folder
TABLE_BUILDERS: list[Callable[[Path], Table | None]] = [reference_table]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("results"), help="results folder (default: results/)")
    parser.add_argument(
        "--preset", choices=PRESETS, default="quick",
        help="scale of the measured tables (Table A is exact and the same for every preset)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    start = time.perf_counter()
    try:
        for builder in TABLE_BUILDERS:
            table = builder(args.out)
            if table is None:
                print(f"{builder.__name__}: not measured in {args.out}, skipped\n")
                continue
            paths = write_table(table.frame, args.out, table.name, table.title, table.notes)
            shown = table.frame.drop(columns=["Source"], errors="ignore")
            print(render(shown, table.title, table.notes))
            print("written: " + ", ".join(str(p) for p in paths.values()) + "\n")
    except SgnasError as err:
        print(f"replicate_table: error: {err}", file=sys.stderr)
        return 2
    print(f"done in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
