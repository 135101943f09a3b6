"""Table D: SGNAS and its peers on NAS-Bench-201, with true accuracies, regret and supernet ranking quality.

Three blocks. The published rows as later comparison tables cite them
(CIFAR-10 test accuracy of the architecture each method found; one-shot
supernets' Kendall tau), marked "published, full protocol". The measured
ranking quality of each sampler's supernet (Kendall tau, Spearman rho and
top-10% precision against the table, mean +- std over seeds). The measured
searches: for each method and MACs budget the found cell's true accuracies
(the table's values for its string), MACs, constraint error, regret to the
oracle and search cost, mean +- std over seeds. The plan that produced the
measured rows is in their Source column. Reads ``nas-bench-201/search.csv``
and ``ranking.csv``; ``None`` when they are absent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from replication.feasibility import TOLERANCE, feasibility_rate
from replication.results import Table, read_csv, read_json
from replication.stats import format_mean_std, summarize_frame

__all__ = ["NAME", "NEEDS", "PUBLISHED", "PUBLISHED_TAU", "TITLE", "table_d"]

NAME = "table_d"
TITLE = "Table D: NAS-Bench-201 ground truth (true test accuracy, regret to the oracle, supernet ranking)"
NEEDS = "nb201_search"

PUBLISHED_SOURCE = "published, full protocol"
#: method -> (CIFAR-10 mean, std or None, CIFAR-100, ImageNet16-120), as cited by later comparison tables (SPEC 6b)
PUBLISHED: dict[str, tuple[float, float | None, float | None, float | None]] = {
    "SGNAS": (93.53, 0.12, 70.31, 44.98),
    "FairNAS": (93.23, 0.18, None, None),
    "RSPS": (87.66, 1.69, None, None),
    "SETN": (87.64, None, None, None),
    "DARTS": (54.30, None, None, None),
    "Best of the space": (94.37, None, 73.51, 47.31),
}
#: Kendall tau of one-shot supernets against the truth, as reported
PUBLISHED_TAU = (0.50, 0.54)
_SAMPLER_LABELS = {"nb201-uniform": "uniform (SPOS / RSPS)", "nb201-strict-fair": "strict fairness (FairNAS / SGNAS)",
                   "nb201-unique": "one cell per isomorphism class"}
_COLUMNS = ("Method", "Budget", "CIFAR-10", "CIFAR-100", "ImageNet16-120", "MACs (M)", "Constraint error",
            "Feasible", "Regret (CIFAR-10)", "Evaluations", "Search (s)", "Kendall tau", "Spearman rho", "Top-10% precision",
            "Source")


def _cell(frame: pd.DataFrame, by: list[str], value: str, key: tuple[Any, ...], digits: int = 2) -> str:
    stats = summarize_frame(frame, by, value)
    row = stats[(stats[by] == pd.Series(key, index=by)).all(axis=1)]
    if row.empty:
        return "–"
    return format_mean_std(float(row["mean"].iloc[0]), float(row["std"].iloc[0]), digits)


def _published_rows() -> list[dict[str, Any]]:
    rows = []
    for method, (c10, std, c100, imagenet) in PUBLISHED.items():
        rows.append({"Method": method, "Budget": "unconstrained",
                     "CIFAR-10": format_mean_std(c10, std if std is not None else float("nan")),
                     "CIFAR-100": f"{c100:.2f}" if c100 is not None else "–",
                     "ImageNet16-120": f"{imagenet:.2f}" if imagenet is not None else "–",
                     "Source": PUBLISHED_SOURCE})
    rows.append({"Method": "One-shot supernets (ranking)", "Budget": "–",
                 "Kendall tau": f"{PUBLISHED_TAU[0]:.2f}-{PUBLISHED_TAU[1]:.2f}", "Source": PUBLISHED_SOURCE})
    return rows


def table_d(results_dir: str | Path) -> Table | None:
    """The published rows, the measured ranking per sampler and the measured searches per method and budget."""
    search = read_csv(results_dir, "nb201_search")
    ranking = read_csv(results_dir, "nb201_ranking")
    if search is None or search.empty:
        return None
    manifest = read_json(results_dir, "nb201_manifest") or {}
    plan = manifest.get("plan", "?")
    source = f"measured, plan {plan}" + (" (indicative)" if manifest.get("indicative", True) else "")
    labels = manifest.get("methods", {})
    rows = _published_rows()
    if ranking is not None and not ranking.empty:
        by = ["sampler"]
        for sampler in dict.fromkeys(ranking["sampler"]):
            key = (sampler,)
            rows.append({
                "Method": f"Supernet ranking: {_SAMPLER_LABELS.get(sampler, sampler)}",
                "Budget": f"{int(ranking['cells'].iloc[0])} cells",
                "Kendall tau": _cell(ranking, by, "kendall_tau", key, 3),
                "Spearman rho": _cell(ranking, by, "spearman_rho", key, 3),
                "Top-10% precision": _cell(ranking, by, "top10_precision", key, 2),
                "Source": source,
            })
    by = ["method", "budget"]
    search = search.assign(constraint_error_pct=100 * search["constraint_error"])
    for method in dict.fromkeys(search["method"]):
        for budget in dict.fromkeys(search["budget"]):
            part = search[(search["method"] == method) & (search["budget"] == budget)]
            if part.empty:
                continue
            key = (method, budget)
            limit = float(part["limit_macs_m"].iloc[0])
            rows.append({
                "Method": labels.get(method, method), "Budget": f"{budget} (<= {limit:.1f}M)",
                "CIFAR-10": _cell(search, by, "cifar10", key), "CIFAR-100": _cell(search, by, "cifar100", key),
                "ImageNet16-120": _cell(search, by, "imagenet16-120", key),
                "MACs (M)": _cell(search, by, "macs_m", key, 1),
                "Constraint error": _cell(search, by, "constraint_error_pct", key, 1) + " %",
                "Feasible": feasibility_rate(part),
                "Regret (CIFAR-10)": _cell(search, by, "regret", key),
                "Evaluations": f"{part['evaluations'].mean():.0f}",
                "Search (s)": _cell(search, by, "search_seconds", key, 3),
                "Source": source,
            })
    frame = pd.DataFrame(rows, columns=list(_COLUMNS)).fillna("")
    notes = [
        "True accuracies are the NAS-Bench-201 table's 200-epoch test accuracies (NATS-Bench, averaged over its "
        "seeds) of the cell each method found; regret = the oracle's CIFAR-10 accuracy within the same budget "
        "minus the found cell's. MACs are the benchmark network's (C=16, N=5, 32x32, classifier bias included); "
        "constraint error = (MACs - limit) / limit (SGNAS's generator takes the limit as its target, the other "
        "methods search below it); feasible = at most " + f"{TOLERANCE:.0%}" + " above the limit "
        "(replication/feasibility.py), and in the accuracy claims an infeasible find scores chance. Mean ± std over "
        "seeds " + str(manifest.get("seeds", [])) + ".",
        "Supernets were trained on the CIFAR-10 JPEG copy of the data folder (close to, not identical with, the "
        "pickled CIFAR-10); only the ranking and the searches use them, every accuracy shown comes from the table.",
        "Search cost: wall seconds of the search itself on this machine (SGNAS: one generator forward pass, after "
        "a one-time generator training) and the distinct cells it evaluated on the supernet (references: in the "
        "table).",
    ]
    if manifest.get("description"):
        notes.append(f"Measured rows: {manifest['description']}.")
    if manifest.get("indicative", True):
        notes.append(f"Numbers of plan {plan} are indicative only: a small proxy supernet trained briefly, not the "
                     "benchmark's weight-sharing protocol (plan paper, NAS-Bench-201 preset full).")
    return Table(NAME, TITLE, frame, notes)
