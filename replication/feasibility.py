"""One rule for whether a constrained search's find keeps its budget, and what an accuracy comparison does with
one that does not.

SGNAS takes its budget as a target to meet, from either side, while the peers
search below a limit; compared on accuracy alone, a find over its budget is
rewarded for the extra MACs it spends. So every accuracy claim first asks
whether each find is *feasible*:

* feasible means at most :data:`TOLERANCE` (3%) above the budget. The paper's
  own models sit that close to their targets: SGNAS-A/B/C have 373/326/281M
  FLOPs for the targets 365/320/275M (+2.2%, +1.9%, +2.2%, SPEC section 5), and
  the constraint claim accepts a mean error of 3%. A find further above its
  budget could not be deployed under it;
* an infeasible find counts as a failed search: in an accuracy comparison it
  scores chance (a network that breaks the budget is as useful to its user as
  none), so a method gains nothing by exceeding its budget and loses the
  comparison where it does;
* every table that compares methods gives each method's feasibility rate.

The budget of a row is its ``limit_macs_m`` (NAS-Bench-201, where a row
without a limit is unconstrained) or its ``target_macs_m`` (the unified space).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["TOLERANCE", "as_failures", "feasible", "feasibility_rate"]

#: how far above its budget a find may lie and still count as within it (relative)
TOLERANCE = 0.03


def _budget(frame: pd.DataFrame) -> pd.Series:
    column = "limit_macs_m" if "limit_macs_m" in frame.columns else "target_macs_m"
    return pd.to_numeric(frame[column], errors="coerce")


def feasible(frame: pd.DataFrame) -> pd.Series:
    """Per row of search results (``macs_m`` and its budget): whether the find is at most TOLERANCE above its
    budget; a row without a budget (unconstrained) is feasible."""
    budget = _budget(frame)
    return (pd.to_numeric(frame["macs_m"], errors="coerce") <= budget * (1 + TOLERANCE)) | budget.isna()


def feasibility_rate(frame: pd.DataFrame) -> str:
    """``"k/n"``: the feasible finds among ``frame``'s rows."""
    return f"{int(feasible(frame).sum())}/{len(frame)}"


def as_failures(frame: pd.DataFrame, value: str, failure: float) -> pd.DataFrame:
    """``frame`` with ``value`` set to ``failure`` (chance) in the rows whose find is infeasible, where measured."""
    scored = frame.copy()
    scored.loc[~feasible(frame) & frame[value].notna(), value] = failure
    return scored
