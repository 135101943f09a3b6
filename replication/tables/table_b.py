"""Table B (the paper's main comparison, at proxy scale), one function over a results folder.

For three MACs budgets mirroring SGNAS-A/B/C (targets 365/320/275M of the
270-450M range, placed at the same relative positions of the proxy space's
range), every method's architecture: MACs, params, supernet-estimated top-1,
stand-alone top-1 as mean ± std over seeds, and the search cost of that budget.
Reads ``search.csv`` (:mod:`replication.results`) and returns ``None`` when it is
absent: a missing measurement is shown as missing, never filled in. A method's
supernet top-1 rests on its sampler's supernets (``supernets.csv``): where one
of them did not learn, the cell says "not testable: supernet at chance" instead
of a number (:mod:`replication.supernets`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from replication.feasibility import TOLERANCE, feasibility_rate
from replication.methods import method_label, method_order
from replication.results import Table, indicative_note, read_csv, read_manifest
from replication.stats import format_mean_std, summarize_frame
from replication.supernets import at_chance, method_supernets, supernet_qualities

__all__ = ["NAME", "NEEDS", "TITLE", "table_b"]

NAME = "table_b"
TITLE = "Table B: methods at three MACs budgets mirroring SGNAS-A/B/C (proxy scale)"
NEEDS = "search"


def _mean_std_column(frame: pd.DataFrame, keys: list[str], value: str, digits: int) -> pd.Series:
    """``mean ± std`` of ``value`` per group of ``keys``, aligned to the groups of ``frame``."""
    summary = summarize_frame(frame, keys, value)
    text = {
        tuple(row[k] for k in keys): format_mean_std(row["mean"], row["std"], digits)
        for _, row in summary.iterrows()
    }
    return pd.Series(text, dtype=object)


def table_b(results_dir: str | Path) -> Table | None:
    """Per method and budget: MACs, params, supernet and stand-alone top-1 (mean ± std over seeds), cost."""
    search = read_csv(results_dir, "search")
    if search is None or search.empty:
        return None
    keys = ["method", "budget"]
    columns = {
        "MACs (M)": ("macs_m", 1),
        "Params (M)": ("params_m", 2),
        "Supernet top-1 (%)": ("supernet_accuracy", 2),
        "Stand-alone top-1 (%)": ("standalone_top1", 2),
        "Search cost (s)": ("search_seconds", 2),
    }
    cells = {label: _mean_std_column(search, keys, value, digits) for label, (value, digits) in columns.items()}
    qualities = supernet_qualities(results_dir)
    rows = []
    budgets = search.drop_duplicates("budget").sort_values("target_macs_m", ascending=False)["budget"].tolist()
    for method in method_order(search["method"]):
        for budget in budgets:
            group = search[(search["method"] == method) & (search["budget"] == budget)]
            if group.empty:
                continue
            row = {
                "Method": method_label(method),
                "Budget": budget,
                "Target (M)": round(float(group["target_macs_m"].iloc[0]), 1),
            }
            for label in columns:
                row[label] = cells[label].get((method, budget), "not measured")
            untrained = at_chance(method_supernets(qualities, method, group["seed"]))
            if untrained is not None:
                row["Supernet top-1 (%)"] = untrained
            standalone = group["standalone_top1"].dropna()
            row["Feasible"] = feasibility_rate(group)
            row["Seeds"] = ", ".join(str(int(s)) for s in sorted(group["seed"]))
            row["Stand-alone seeds"] = len(standalone)
            rows.append(row)
    notes = indicative_note(results_dir)
    convention = read_manifest(results_dir).get("convention", "conv")
    notes.append(f"MACs in millions, '{convention}' convention (the generator's targets); "
                 "mean ± std over seeds (std only with 2+ seeds); search cost = choosing the architecture, "
                 "without the accuracy estimate made only to report it.")
    notes.append(f"Feasible: the finds at most {TOLERANCE:.0%} above their target, of all seeds' "
                 "(replication/feasibility.py); in the accuracy claims an infeasible find scores chance.")
    if qualities:
        notes.append("Supernet top-1 is 'not testable' where the method's supernet did not learn (its validation "
                     "top-1 not clearly above chance; table 'supernets').")
    return Table(NAME, TITLE, pd.DataFrame(rows), notes)
