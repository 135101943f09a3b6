"""Table A, the reference table: every published architecture of the comparison, its MACs and params recomputed.

SGNAS-A/B/C, FairNAS-A/B/C and well-known mobile models built by timm, each
recomputed exactly beside the published figures, in the counting convention the
source used. It needs no data and no training, so it is the same for every
preset and takes seconds: :func:`measure_reference` writes the raw rows,
:func:`table_a` reads them like every other table reads its result file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from replication.results import FILES, Table, read_csv, write_csv
from sgnas.zoo.reference import ZooEntry, load_zoo, recompute

__all__ = ["NAME", "NEEDS", "REFERENCE_NOTES", "TITLE", "measure_reference", "table_a"]

NAME = "reference_table"
TITLE = ("Table A: MACs and parameters of published architectures, recomputed exactly "
         "(top-1 as reported, not measured here)")
NEEDS = "table_a"

REFERENCE_NOTES: tuple[str, ...] = (
    "MACs: multiply-adds in millions at 224x224, each row in the convention of its published figure: "
    "'conv' counts conv layers only (SGNAS's own counter), 'conv+fc' adds the classifier. "
    "BN, activations, pooling and SE gating are not counted. Params: every weight, BN affine parameters and biases.",
    "Recomputed: unified-space rows (SGNAS, FairNAS) by the project's lookup-table cost model, cross-checked by "
    "counting their timm export with torch.utils.flop_counter.FlopCounterMode (divided by 2); other rows by "
    "FlopCounterMode on timm.create_model(name, pretrained=False).",
    "Top-1: ImageNet accuracy as reported by the source, not measured by this project.",
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


def measure_reference(results_dir: str | Path) -> Path:
    """Recompute every published architecture's MACs and params (no data, no training) into ``reference_table.csv``."""
    frame = pd.DataFrame([_row(entry) for entry in load_zoo()])
    return write_csv(results_dir, NEEDS, frame.to_dict("records"), frame.columns)


def table_a(results_dir: str | Path) -> Table | None:
    """Table A from ``reference_table.csv``: published architectures, recomputed MACs/params beside the published ones."""
    frame = read_csv(results_dir, NEEDS)
    if frame is None:
        return None
    notes = [*REFERENCE_NOTES, f"Sources of the published numbers: column 'Source' of {FILES[NEEDS]}."]
    return Table(NAME, TITLE, frame.fillna({"Note": "", "Built as": ""}), notes, hidden=("Source",))
