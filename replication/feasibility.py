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
* Tables B and D and the claims' evidence give each method's feasibility rate.

The budget of a row is its ``limit_macs_m`` (NAS-Bench-201; its
unconstrained budget is the top of the space's MACs range, which every cell
keeps), its ``limit_ms`` against its measured ``latency_ms`` (the latency
track) or its ``target_macs_m`` (the unified space).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["TOLERANCE", "as_failures", "feasible", "feasibility_rate"]

#: how far above its budget a find may lie and still count as within it (relative)
TOLERANCE = 0.03


def _budget(frame: pd.DataFrame) -> pd.Series:
    """Each row's budget: its limit where it has one, else its target (NaN where it has neither)."""
    budget = pd.Series(float("nan"), index=frame.index)
    for column in ("target_macs_m", "limit_macs_m", "limit_ms"):
        if column in frame.columns:
            budget = pd.to_numeric(frame[column], errors="coerce").fillna(budget)
    return budget


def feasible(frame: pd.DataFrame) -> pd.Series:
    """Per row of search results (``macs_m`` or ``latency_ms``, and its budget): whether the find is at most
    TOLERANCE above its budget. Only a find known to be over counts as infeasible: a row whose cost or budget is
    not recorded is not judged a failure."""
    cost = pd.to_numeric(frame["latency_ms" if "latency_ms" in frame.columns else "macs_m"], errors="coerce")
    return ~(cost > _budget(frame) * (1 + TOLERANCE))


def feasibility_rate(frame: pd.DataFrame) -> str:
    """``"k/n"``: the feasible finds among ``frame``'s rows."""
    return f"{int(feasible(frame).sum())}/{len(frame)}"


def as_failures(frame: pd.DataFrame, value: str, failure: float) -> pd.DataFrame:
    """``frame`` with ``value`` set to ``failure`` (chance) in the rows whose find is infeasible, where measured."""
    scored = frame.copy()
    scored.loc[~feasible(frame) & frame[value].notna(), value] = failure
    return scored
