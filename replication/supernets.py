"""Did each supernet learn? Its rows of ``supernets.csv``, and what a supernet at chance makes untestable.

A supernet whose validation architectures score no better than chance gives
accuracy estimates that rank nothing: a table cell, figure or verdict built on
them would print noise as a result. The harness and the ablation write one row
per trained supernet (:func:`supernet_row`, columns
:data:`~replication.results.SUPERNET_COLUMNS`, from the trainer's
``validation`` results, :func:`sgnas.training.supernet.validation_summary`);
the tables and claims ask :func:`at_chance` whether the supernets a number
depends on learned, and print its text ("not testable: supernet at chance,
12.5% vs 10% (seed 0)") in place of the number when one did not. A supernet
whose run predates these records counts as unknown, not as at chance.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from replication.methods import method_sampler
from replication.results import read_csv, read_manifest

__all__ = [
    "SupernetQuality", "at_chance", "chance_top1", "method_supernets", "parse_learned", "supernet_qualities",
    "supernet_row", "supernets_of",
]


@dataclass(frozen=True)
class SupernetQuality:
    """One trained supernet's validation top-1 (%), chance (%) and whether it learned (``None``: not recorded)."""

    key: str
    seed: int
    top1: float | None
    chance: float | None
    learned: bool | None


def supernet_row(results: dict[str, Any], sampler: str, seed: int, run: str | Path) -> dict[str, Any]:
    """A row of supernets.csv from a supernet run's results (validation fields empty when it has none)."""
    row: dict[str, Any] = {"sampler": sampler, "seed": seed, "run": str(run),
                           "final_train_loss": results.get("final_train_loss")}
    validation = results.get("validation")
    if validation:
        mean, archs = validation["mean"], [a["top1"] for a in validation["archs"]]
        row.update({
            "val_archs": len(archs), "val_images": mean["images"], "top1": mean["top1"],
            "top1_low": mean["top1_low"], "top1_high": mean["top1_high"],
            "arch_top1_min": min(archs), "arch_top1_max": max(archs),
            "chance_top1": validation["chance_top1"], "learned": bool(validation["learned"]),
        })
    return row


def parse_learned(value: Any) -> bool | None:
    """A ``learned`` cell as read back from CSV: True, False, or ``None`` when not recorded."""
    if isinstance(value, bool):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value).strip().lower() in ("true", "1", "1.0")


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def supernet_qualities(results_dir: str | Path, name: str = "supernets") -> dict[tuple[str, int], SupernetQuality]:
    """``{(sampler or variant, seed): quality}`` from ``supernets.csv`` (``name="ablation_supernets"``: the
    ablation's, keyed by variant); empty when the file was not produced."""
    frame = read_csv(results_dir, name)
    if frame is None:
        return {}
    key = "variant" if name == "ablation_supernets" else "sampler"
    qualities = {}
    for _, row in frame.iterrows():
        quality = SupernetQuality(str(row[key]), int(row["seed"]), _number(row.get("top1")),
                                  _number(row.get("chance_top1")), parse_learned(row.get("learned")))
        qualities[(quality.key, quality.seed)] = quality
    return qualities


def supernets_of(qualities: dict[tuple[str, int], SupernetQuality], key: str | None,
                 seeds: Iterable[int]) -> list[SupernetQuality]:
    """The recorded supernets of ``key`` (a sampler, or an ablation variant) for ``seeds``."""
    return [qualities[(key, int(s))] for s in seeds if (key, int(s)) in qualities]


def method_supernets(qualities: dict[tuple[str, int], SupernetQuality], method: str,
                     seeds: Iterable[int]) -> list[SupernetQuality]:
    """The recorded supernets that ``method`` searched on, for ``seeds`` (its sampler's, one per seed)."""
    return supernets_of(qualities, method_sampler(method), seeds)


def at_chance(supernets: Iterable[SupernetQuality]) -> str | None:
    """``"not testable: supernet at chance, x% vs y% (seeds ...)"`` when any of ``supernets`` did not learn."""
    # one supernet may stand behind several methods (a method and its control share it): name it once
    unique = {(q.key, q.seed): q for q in supernets if q.learned is False}
    failed = sorted(unique.values(), key=lambda q: q.seed)
    if not failed:
        return None
    top1 = ", ".join(f"{q.top1:.1f}%" for q in failed if q.top1 is not None) or "unknown"
    chance = next((q.chance for q in failed if q.chance is not None), None)
    versus = f" vs {chance:g}%" if chance is not None else ""
    seeds = ", ".join(str(q.seed) for q in failed)
    return f"not testable: supernet at chance, {top1}{versus} ({'seeds' if len(failed) > 1 else 'seed'} {seeds})"


def chance_top1(results_dir: str | Path) -> float | None:
    """Chance top-1 (%) of the results' task: from supernets.csv, else the manifest's number of classes."""
    for name in ("supernets", "ablation_supernets"):
        frame = read_csv(results_dir, name)
        if frame is not None and "chance_top1" in frame and frame["chance_top1"].notna().any():
            return float(frame["chance_top1"].dropna().iloc[0])
    classes = read_manifest(results_dir).get("space", {}).get("num_classes")
    return 100.0 / classes if classes else None
