"""The supernets table: did each trained supernet learn? Final training loss and validation top-1 against chance.

One row per supernet of the main job (``supernets.csv``: per sampler and
seed) and of the ablation when one was run into the folder
(``ablation/supernets.csv``: per variant and seed). Every supernet-estimated
accuracy elsewhere rests on these: a supernet marked "no" makes those numbers
"not testable" in Table B, the ablation table and the claims.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from replication.results import Table, indicative_note, read_csv
from replication.supernets import parse_learned

__all__ = ["NAME", "NEEDS", "TITLE", "supernets_table"]

NAME = "supernets_table"  # not "supernets": supernets.csv is the raw result beside it
TITLE = "Supernets: final training loss and validation top-1 against chance"
NEEDS = "supernets"


def _cell(value: object, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not recorded"
    return f"{float(value):.{digits}f}"


def _rows(frame: pd.DataFrame, study: str, key: str) -> list[dict[str, object]]:
    rows = []
    for _, row in frame.sort_values([key, "seed"], kind="stable").iterrows():
        learned = parse_learned(row.get("learned"))
        recorded = learned is not None
        rows.append({
            "Study": study,
            "Supernet": str(row[key]),
            "Seed": int(row["seed"]),
            "Final training loss": _cell(row.get("final_train_loss"), 3),
            "Validation top-1 (%)": _cell(row["top1"], 1) if recorded else "not recorded",
            "95% interval (%)": f"{row['top1_low']:.1f} to {row['top1_high']:.1f}" if recorded else "not recorded",
            "Architectures (min to max, %)": (f"{int(row['val_archs'])}: {row['arch_top1_min']:.1f} to "
                                              f"{row['arch_top1_max']:.1f}") if recorded else "not recorded",
            "Images": int(row["val_images"]) if recorded else "not recorded",
            "Chance (%)": _cell(row.get("chance_top1"), 1),
            "Learned": ("yes" if learned else "no: at chance") if recorded else "not recorded",
        })
    return rows


def supernets_table(results_dir: str | Path) -> Table | None:
    """One row per trained supernet (main job, then ablation variants), or ``None`` when neither was recorded."""
    main, ablation = read_csv(results_dir, "supernets"), read_csv(results_dir, "ablation_supernets")
    rows = []
    if main is not None:
        rows += _rows(main, "main job", "sampler")
    if ablation is not None:
        rows += _rows(ablation, "ablation", "variant")
    if not rows:
        return None
    notes = indicative_note(results_dir)
    notes.append(
        "Validation top-1: mean over the fixed validation architectures (always including the smallest and the "
        "largest) after BN recalibration, at the end of training; 95% Wilson interval counting the validation "
        "images once (the architectures share the images, so their hits are not independent). Learned: the "
        "interval's lower bound above chance (100 / classes). A supernet that did not learn makes every "
        "supernet-estimated accuracy that rests on it 'not testable'. A uniform guess has training loss "
        "ln(classes) (2.303 for 10 classes).")
    return Table(NAME, TITLE, pd.DataFrame(rows), notes)
