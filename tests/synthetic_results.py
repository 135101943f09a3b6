"""A small, complete results folder written from seeded random numbers, for the report, tables and claims tests.

It follows the layout of :mod:`replication.results` and the metrics records of
the supernet and generator trainers, so every table and figure has data; the
numbers mean nothing. Tests that need a missing file delete it afterwards.

It includes the prior-only control (method ``prior-only`` in search.csv,
variant ``prior-only`` in generator_sweep.csv: 3% off every target, 2 points
less accurate than the baselines, 5 less than SGNAS), drawn from its own
random stream so that the other rows are the same with or without it, and
every supernet learned (validation top-1 about 45% against 10% chance).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from replication.methods import method_sampler
from replication.results import (
    ABLATION_COLUMNS,
    ABLATION_SUPERNET_COLUMNS,
    COST_COLUMNS,
    SEARCH_COLUMNS,
    SUPERNET_COLUMNS,
    SWEEP_COLUMNS,
    write_csv,
    write_json,
)
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.space import OPS, SUB_BLOCKS
from sgnas.supernet.ranking import binomial_interval

__all__ = ["BUDGETS", "EVALUATIONS", "EVALUATION_METHODS", "METHODS", "PRIOR_ERROR", "SEEDS", "SECONDS_PER_EVALUATION",
           "VAL_IMAGES", "random_architecture", "supernet_record", "write_synthetic_results"]

SEEDS = (0, 1, 2)
BUDGETS = {"A": 9.0, "B": 8.0, "C": 7.0}
METHODS = ("sgnas", "fairnas-evolution", "spos-evolution", "proxyless", "random-search", "random-sampling",
           "prior-only")
#: |F-T|/T of the prior-only control on every sweep target
PRIOR_ERROR = 0.03
#: validation images of every synthetic supernet
VAL_IMAGES = 256
#: methods that search by evaluating architectures, the evaluations each spent per target (its whole budget),
#: and their seconds per evaluation: 60 s per target measured, 1000 s per target at SPOS's 1000 evaluations
EVALUATION_METHODS = ("fairnas-evolution", "spos-evolution", "random-search")
EVALUATIONS = 60
SECONDS_PER_EVALUATION = 1.0


def random_architecture(rng: np.random.Generator, layers: int = 19) -> Architecture:
    """A canonical architecture with random expansions and kernels."""
    ops = []
    for _ in range(layers):
        active = int(rng.integers(2, SUB_BLOCKS + 1))
        kernels = sorted(rng.choice(3, size=active))
        ops.append(tuple(OPS[k] for k in kernels) + ("skip",) * (SUB_BLOCKS - active))
    return Architecture(tuple(ops))


def supernet_record(top1: float, images: int = VAL_IMAGES, chance: float = 10.0) -> dict[str, object]:
    """The validation columns of a supernets.csv row for a mean top-1 (%) on ``images`` images."""
    low, high = binomial_interval(round(top1 * images / 100), images)
    return {"final_train_loss": 1.2 if top1 > 2 * chance else 2.3, "val_archs": 4, "val_images": images,
            "top1": top1, "top1_low": 100 * low, "top1_high": 100 * high, "arch_top1_min": top1 - 2,
            "arch_top1_max": top1 + 2, "chance_top1": chance, "learned": 100 * low > chance}


def _metrics(path: Path, records: list[dict]) -> None:
    path.mkdir(parents=True, exist_ok=True)
    (path / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))


def write_synthetic_results(root: Path, seed: int = 0) -> Path:
    """Write every result file into ``root``; returns ``root``."""
    rng = np.random.default_rng(seed)
    control = np.random.default_rng([seed, 1])  # the prior-only rows' own stream
    root.mkdir(parents=True, exist_ok=True)
    search = []
    for method in METHODS:
        skill = {"sgnas": 3.0, "random-sampling": -2.0, "prior-only": -2.0}.get(method, 0.0)
        draw = control if method == "prior-only" else rng
        generated = method in ("sgnas", "prior-only")
        for s in SEEDS:
            for budget, target in BUDGETS.items():
                macs = target * min(1 + draw.normal(0, 0.02), 1.02)  # every find feasible (<= +3%)
                search.append({
                    "method": method, "seed": s, "budget": budget, "target_macs_m": target, "macs_m": macs,
                    "params_m": 0.3 + 0.02 * target, "supernet_accuracy": 40 + target + skill + draw.normal(0, 0.5),
                    "standalone_top1": 50 + target + skill + draw.normal(0, 0.5),
                    "search_seconds": 0.01 if generated else 30 + draw.normal(0, 1),
                    "forward_passes": 0 if generated else 200,
                    "evaluations": EVALUATIONS if method in EVALUATION_METHODS else None,
                    "evaluation_budget": EVALUATIONS if method in EVALUATION_METHODS else None,
                    "architecture": random_architecture(draw).to_string(),
                })
    write_csv(root, "search", search, SEARCH_COLUMNS)
    targets = np.linspace(6.2, 9.7, 10)
    sweep = [{"variant": "default", "seed": s, "target_macs_m": t, "macs_m": t * (1 + rng.normal(0, 0.01))}
             for s in SEEDS for t in targets]
    sweep += [{"variant": "prior-only", "seed": s, "target_macs_m": t, "macs_m": t * (1 + PRIOR_ERROR * (-1) ** i)}
              for s in SEEDS for i, t in enumerate(targets)]
    write_csv(root, "generator_sweep", sweep, SWEEP_COLUMNS)
    samplers = dict.fromkeys(filter(None, map(method_sampler, METHODS)))
    write_csv(root, "supernets", [{"sampler": sampler, "seed": s, "run": f"runs/supernet/{sampler}-s{s}",
                                   **supernet_record(45.0 + s)} for sampler in samplers for s in SEEDS],
              SUPERNET_COLUMNS)
    cost = []
    for method in METHODS:
        evaluated = method in EVALUATION_METHODS
        for s in SEEDS:
            for n in (1, 3, 5, 10):
                one_time = 100.0 if method == "sgnas" else 0.0
                per_target = (0.01 if method in ("sgnas", "prior-only")
                              else EVALUATIONS * SECONDS_PER_EVALUATION if evaluated else 600.0)
                scale = 1000 / EVALUATIONS if evaluated else None
                cost.append({
                    "method": method, "seed": s, "n": n, "wall_seconds": one_time + n * per_target,
                    "forward_passes": 0 if method in ("sgnas", "prior-only") else 200 * n,
                    "one_time_seconds": one_time,
                    "evaluations": EVALUATIONS if evaluated else None,
                    "evaluation_budget": EVALUATIONS if evaluated else None,
                    "wall_seconds_at_spos_budget": n * per_target * scale if evaluated else None,
                    "forward_passes_at_spos_budget": 200 * n * scale if evaluated else None,
                })
    write_csv(root, "cost_vs_n", cost, COST_COLUMNS)
    ablation = []
    for variant, shift, overrides in (("default", 0.0, ""), ("no-fs", -2.0, "supernet.forced_sampling=false"),
                                      ("generator=mlp", -0.5, "generator.network=mlp"),
                                      ("lambda=10", 0.0, "generator.hw_lambda=10.0")):
        for s in SEEDS:
            tau = 0.95 + rng.normal(0, 0.02)
            for budget, target in [*BUDGETS.items(), *((None, t) for t in targets)]:
                macs = target * min(1 + rng.normal(0, 0.05 if variant == "lambda=10" else 0.01), 1.02)
                ablation.append({
                    "variant": variant, "seed": s, "budget": budget, "target_macs_m": target, "macs_m": macs,
                    "relative_error": abs(macs - target) / target,
                    "supernet_accuracy": 40 + target + shift + rng.normal(0, 0.3) if budget else None,
                    # the default's supernet judging every variant's finds: the same differences, its own scale
                    "judge_accuracy": 38 + target + shift + rng.normal(0, 0.3) if budget else None,
                    "standalone_top1": None, "kendall_tau": tau,
                    "architecture": random_architecture(rng).to_string(), "overrides": overrides,
                })
    write_csv(root, "ablation", ablation, ABLATION_COLUMNS)
    variants = list(dict.fromkeys(row["variant"] for row in ablation))
    write_csv(root, "ablation_supernets", [
        {"variant": variant, "sampler": "strict-fair", "seed": s, "run": f"runs/supernet/{variant}-s{s}",
         **supernet_record(44.0 + s)} for variant in variants for s in SEEDS], ABLATION_SUPERNET_COLUMNS)
    write_json(root, "ablation_meta", {"preset": "smoke", "seeds": list(SEEDS), "variants": [], "default_lambda": 40.0})
    visits_on = rng.integers(50, 100, size=83).tolist()
    write_json(root, "redundancy", {
        "counts": {"layer_ordered": 4077, "layer_canonical": 83, "log10_ordered": 68.6, "log10_canonical": 36.5},
        "replay": {
            "steps": 1000, "layer": 0,
            "fs_on": {"canonical_visits": visits_on, "noncanonical_fraction": 0.0,
                      "position_op_counts": rng.integers(0, 500, size=(6, 4)).tolist()},
            "fs_off": {"canonical_visits": [v // 10 for v in visits_on], "noncanonical_fraction": 0.9,
                       "position_op_counts": rng.integers(0, 500, size=(6, 4)).tolist()},
        },
        "spread": {mode: {"multisets": [{"accuracies": (30 + rng.normal(0, scale, size=5)).tolist()}
                                        for _ in range(6)]}
                   for mode, scale in (("fs_on", 3.0), ("fs_off", 1.0))},
    })
    supernet_records = [{"event": "train", "step": step, "epoch": step // 10, "loss": 2.3 - 0.01 * step, "lr": 0.05}
                        for step in range(0, 100, 5)]
    supernet_records += [{"event": "val", "epoch": e, "arch_index": i, "arch": "x", "macs_m": 8.0, "top1": 20 + 5 * e + i}
                         for e in range(10) for i in range(2)]
    _metrics(root / "runs" / "supernet" / "abc-s0", supernet_records)
    generator_records = [{"event": "generator_train", "step": step, "epoch": step // 10, "tau": 5 * 0.95 ** (step // 10),
                          "ce": 2.0 - 0.01 * step, "hardware": 0.5 / (1 + step), "expected_macs_m": 8.0,
                          "target_m": 8.0} for step in range(0, 100, 10)]
    generator_records += [{"event": "generator_select", "epoch": e, "tau": 5 * 0.95 ** e,
                           "mean_relative_error": 0.1 / (e + 1), "kendall_tau": 0.5 + 0.05 * e,
                           "top1_middle": 30.0 + e} for e in range(10)]
    _metrics(root / "runs" / "generator" / "def-s0", generator_records)
    (root / "reference_table.csv").write_text(
        "Model,Convention,MACs (M),Published MACs (M),Params (M),Published params (M),Top-1 reported (%)\n"
        "SGNAS-A,conv,373.4,373,5.98,6.0,77.1\nSGNAS-B,conv,326.2,326,5.51,5.5,76.8\n"
        "SGNAS-C,conv,281.1,281,4.70,4.7,76.2\n"
    )
    write_json(root, "manifest", {
        "preset": "smoke", "seeds": list(SEEDS), "budgets": BUDGETS, "indicative": True,
        "space": {"name": "cifar", "num_classes": 10},
        "configs": {"default": {"preset": "smoke", "generator": {"hw_lambda": 40.0}}},
        "environment": {"python": "3.11", "packages": {"torch": "2.14.1"}, "git_commit": "0" * 40,
                        "processor": "x86_64", "cpu_count": 2},
        "runs": {"supernet": ["runs/supernet/abc-s0"], "generator": ["runs/generator/def-s0"]},
    })
    return root
