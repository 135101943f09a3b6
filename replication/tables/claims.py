"""The claims summary: one row per claim of the paper with its verdict, criterion and evidence (always produced)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from replication.claims import STATUSES, evaluate_claims
from replication.results import Table, indicative_note

__all__ = ["NAME", "NEEDS", "TITLE", "claims_table"]

NAME = "claims"
TITLE = "Claims of the paper and whether they reproduce here"
#: every result file: each claim says which one it lacked
NEEDS = None


def claims_table(results_dir: str | Path) -> Table:
    """The claims summary: one row per claim with its verdict and evidence (always produced)."""
    claims = evaluate_claims(results_dir)
    frame = pd.DataFrame([asdict(c) for c in claims])
    frame.columns = ["Claim", "Source", "Criterion", "Verdict", "Evidence"]
    counts = {v: int(np.sum(frame["Verdict"] == v)) for v in STATUSES}
    notes = indicative_note(results_dir)
    notes.append(
        "Comparisons over seeds: the 95% t interval of the mean paired difference (positive supports the claim) "
        "against the margin in the criterion: reproduced if it lies wholly on the claimed side beyond the margin, "
        "contradicted if wholly short of it (the other side, or inside the margin around zero), inconclusive if it "
        "contains it (with the seeds a paired t-test at 80% power would need). Exact or threshold measurements are "
        "reproduced or contradicted by their threshold. Not testable: what this machine or scale cannot test "
        "(ImageNet, GPUs, a supernet at chance). Not run: evidence this results folder lacks though it could hold "
        "it; the evidence names the command that produces it.")
    notes.append(", ".join(f"{n} {v}" for v, n in counts.items()) + ".")
    return Table(NAME, TITLE, frame, notes)
