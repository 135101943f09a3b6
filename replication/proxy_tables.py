"""Tables B and C of the replication, each one function over a results folder.

* Table B (the paper's main comparison, at proxy scale): for three MACs budgets
  mirroring SGNAS-A/B/C (targets 365/320/275M of the 270-450M range, placed at
  the same relative positions of the proxy space's range), every method's
  architecture: MACs, params, supernet-estimated top-1, stand-alone top-1 as
  mean ± std over seeds, and the search cost of that budget.
* Table C: the cost of architectures for N targets, per method, with SGNAS's
  speed-up over each method (the paper's "4N times faster" claim).

Both read ``search.csv`` / ``cost_vs_n.csv`` (see :mod:`replication.results`)
and return ``None`` when the file is absent: a missing measurement is shown as
missing, never filled in.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from replication.results import METHOD_LABELS, Table, read_csv, read_manifest
from sgnas.stats import format_mean_std, summarize_frame

__all__ = ["indicative_note", "method_order", "table_b", "table_c"]


def method_order(methods: pd.Series) -> list[str]:
    """Known methods in the paper's order, then any others alphabetically."""
    present = set(methods)
    return [m for m in METHOD_LABELS if m in present] + sorted(present - set(METHOD_LABELS))


def indicative_note(results_dir: str | Path) -> list[str]:
    """The preset and seeds behind a results folder, and a warning when its numbers are only indicative."""
    manifest = read_manifest(results_dir)
    notes = []
    if manifest.get("preset"):
        notes.append(f"Preset {manifest['preset']}, seeds {manifest.get('seeds', [])}.")
    if manifest.get("indicative"):
        notes.append(
            f"Numbers from preset {manifest.get('preset')} are indicative only: "
            "short training on a small proxy, not a replication of the paper's scale."
        )
    return notes


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
    rows = []
    budgets = search.drop_duplicates("budget").sort_values("target_macs_m", ascending=False)["budget"].tolist()
    for method in method_order(search["method"]):
        for budget in budgets:
            group = search[(search["method"] == method) & (search["budget"] == budget)]
            if group.empty:
                continue
            row = {
                "Method": METHOD_LABELS.get(method, method),
                "Budget": budget,
                "Target (M)": round(float(group["target_macs_m"].iloc[0]), 1),
            }
            for label in columns:
                row[label] = cells[label].get((method, budget), "not measured")
            standalone = group["standalone_top1"].dropna()
            row["Seeds"] = ", ".join(str(int(s)) for s in sorted(group["seed"]))
            row["Stand-alone seeds"] = len(standalone)
            rows.append(row)
    notes = indicative_note(results_dir)
    convention = read_manifest(results_dir).get("convention", "conv")
    notes.append(f"MACs in millions, '{convention}' convention (the generator's targets); "
                 "mean ± std over seeds (std only with 2+ seeds); search cost = choosing the architecture, "
                 "without the accuracy estimate made only to report it.")
    return Table("table_b", "Table B: methods at three MACs budgets mirroring SGNAS-A/B/C (proxy scale)",
                 pd.DataFrame(rows), notes)


def table_c(results_dir: str | Path) -> Table | None:
    """Cost for N targets per method (wall seconds and supernet forward passes) and SGNAS's speed-up."""
    cost = read_csv(results_dir, "cost_vs_n")
    if cost is None or cost.empty:
        return None
    seconds = summarize_frame(cost, ["method", "n"], "wall_seconds")
    passes = cost.groupby(["method", "n"])["forward_passes"].mean()
    sgnas = seconds[seconds["method"] == "sgnas"].set_index("n")["mean"]
    rows = []
    for method in method_order(cost["method"]):
        for _, row in seconds[seconds["method"] == method].sort_values("n").iterrows():
            n = int(row["n"])
            speedup = row["mean"] / sgnas[n] if n in sgnas.index and sgnas[n] > 0 else math.nan
            rows.append({
                "Method": METHOD_LABELS.get(method, method),
                "N": n,
                "Wall time (s)": format_mean_std(row["mean"], row["std"]),
                "Forward passes": int(round(passes[(method, n)])) if not math.isnan(passes[(method, n)]) else None,
                "SGNAS speed-up (x)": "n/a" if math.isnan(speedup) else f"{speedup:.1f}",
                "Speed-up / N": "n/a" if math.isnan(speedup) else f"{speedup / n:.2f}",
            })
    notes = indicative_note(results_dir)
    notes.append(
        "Cost of delivering architectures for N targets given a trained supernet, one-time costs "
        "(generator training, a gradient search run per target) included. The paper claims a speed-up "
        "of 4N over single-path methods, i.e. 'Speed-up / N' >= 4."
    )
    return Table("table_c", "Table C: search cost versus the number of constraints N", pd.DataFrame(rows), notes)
