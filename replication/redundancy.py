"""The redundancy study: what forced sampling (FS) changes in practice (SGNAS supp. D, Fig. 8).

A unified block sums its sub-blocks, so permuting a layer's sub-blocks gives the
same kind of network; FS keeps one canonical arrangement per multiset of ops.
Three measurements, written to ``redundancy.json`` (:mod:`replication.results`):

* ``counts``: the size of the space with and without FS, from
  :mod:`sgnas.spaces.unified.counting` (exact, by formula);
* ``replay``: the supernet sampler replayed for many steps with FS on and off,
  with no training (the sampler alone decides what is trained): how often each
  canonical layer configuration is trained *in its canonical arrangement*,
  which share of sampled layers is not canonical, and how often each
  (sub-block position, op) pair is trained;
* ``spread`` (needs trained supernets, one with FS and one without): the
  supernet-estimated top-1 of several arrangements of the same ops. With FS
  the supernet only ever trained the canonical arrangement, so the others are
  off its training distribution; without FS they were all trained.

    python replication/redundancy.py --plan smoke --seed 0 --results results [--no-spread]
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from replication.plans import load_plan, overrides_for  # noqa: E402
from replication.results import write_json  # noqa: E402
from sgnas._infra.argparser import ArgumentParser  # noqa: E402
from sgnas._infra.command import run_tool  # noqa: E402
from sgnas.spaces.unified import counting  # noqa: E402
from sgnas.spaces.unified.architecture import Architecture, canonical_layer  # noqa: E402
from sgnas.spaces.unified.space import OPS, SUB_BLOCKS, SearchSpace  # noqa: E402
from sgnas.training.samplers import build_sampler  # noqa: E402

__all__ = [
    "accuracy_spread",
    "canonical_layers",
    "count_summary",
    "main",
    "redundancy_study",
    "replay_sampler",
]


def canonical_layers() -> list[tuple[str, ...]]:
    """Every canonical layer configuration (one per multiset of 2..6 kernels), in a fixed order."""
    return sorted({canonical_layer(ops) for ops in counting.enumerate_layers()})


def count_summary(space: SearchSpace) -> dict[str, Any]:
    """Per-layer and whole-space counts of ordered and canonical configurations (sgnas.spaces.unified.counting, exact)."""
    counts = counting.space_counts(space)
    layer = counts.per_layer[0]
    return {
        "layer_ordered": layer.ordered, "layer_canonical": layer.canonical, "num_layers": len(counts.per_layer),
        "log10_ordered": counts.log10_ordered, "log10_canonical": counts.log10_canonical,
        # exact integers as strings: JSON readers would round them to floats
        "ordered": str(counts.ordered), "canonical": str(counts.canonical),
    }


def replay_sampler(sampler_name: str, num_layers: int, steps: int, seed: int, forced_sampling: bool) -> dict[str, Any]:
    """What a supernet sampler would train over ``steps`` optimizer steps, counted over every layer."""
    sampler = build_sampler(sampler_name, num_layers, seed, forced_sampling)
    index = {layer: i for i, layer in enumerate(canonical_layers())}
    canonical_visits = np.zeros(len(index), dtype=np.int64)
    multiset_visits = np.zeros(len(index), dtype=np.int64)
    arrangements: list[set[tuple[str, ...]]] = [set() for _ in index]
    position_op = np.zeros((SUB_BLOCKS, len(OPS)), dtype=np.int64)
    sampled = noncanonical = 0
    for _ in range(steps):
        for arch in sampler.next_step():
            for layer, indices in zip(arch.layers, arch.op_indices()):
                key = index[canonical_layer(layer)]
                multiset_visits[key] += 1
                arrangements[key].add(layer)
                sampled += 1
                if canonical_layer(layer) == layer:
                    canonical_visits[key] += 1
                else:
                    noncanonical += 1
                position_op[np.arange(SUB_BLOCKS), indices] += 1
    return {
        "canonical_visits": canonical_visits.tolist(),
        "multiset_visits": multiset_visits.tolist(),
        "arrangements_trained": [len(a) for a in arrangements],
        "noncanonical_fraction": noncanonical / sampled if sampled else 0.0,
        "position_op_counts": position_op.tolist(),
        "sampled_layers": sampled,
    }


def _arrangement(arch: Architecture, rng: np.random.Generator) -> Architecture:
    """The same ops per layer, in random sub-block positions (the same network kind, another arrangement)."""
    return Architecture(tuple(tuple(ops[i] for i in rng.permutation(SUB_BLOCKS)) for ops in arch.layers))


def accuracy_spread(evaluator: Any, num_layers: int, multisets: int, arrangements: int, seed: int) -> dict[str, Any]:
    """Supernet top-1 of ``arrangements`` random arrangements of each of ``multisets`` random canonical architectures."""
    rng = np.random.default_rng(seed)
    layers = canonical_layers()
    records = []
    for _ in range(multisets):
        canonical = Architecture(tuple(layers[i] for i in rng.integers(len(layers), size=num_layers)))
        variants = [canonical] + [_arrangement(canonical, rng) for _ in range(arrangements)]
        records.append({
            "canonical": canonical.to_string(),
            "arrangements": [a.to_string() for a in variants],
            "accuracies": [float(evaluator.accuracy(a)) for a in variants],
        })
    return {"multisets": records, "arrangements_per_multiset": arrangements + 1}


def redundancy_study(
    plan_name: str,
    seed: int,
    results_dir: str | Path,
    steps: int = 2000,
    spread: bool = True,
    multisets: int = 6,
    arrangements: int = 4,
    data_dir: str | Path | None = None,
    runs_dir: str | Path | None = None,
    overrides: Sequence[str] = (),
) -> Path:
    """Counts, sampler replays (FS on/off) and, with ``spread``, accuracy spreads of trained supernets (the plan's
    config with ``overrides``)."""
    _, config = load_plan(plan_name, overrides_for(False, overrides), seed=seed)
    space = config.space.build()
    results_dir = Path(results_dir)
    data: dict[str, Any] = {
        "plan": plan_name, "seed": seed, "sampler": config.supernet.sampler,
        "counts": count_summary(space),
        "replay": {"steps": steps, "layer": "all"},
    }
    for mode, forced in (("fs_on", True), ("fs_off", False)):
        data["replay"][mode] = replay_sampler(config.supernet.sampler, space.num_layers, steps, seed, forced)
    if spread:
        from sgnas.config.schema import apply_overrides
        from sgnas.pipeline import prepare, search_context, train_supernet
        from sgnas.supernet.evaluator import SupernetEvaluator

        runs_dir = Path(runs_dir) if runs_dir is not None else results_dir / "runs"
        shared = prepare(config, data_dir)
        data["spread"] = {}
        for mode, forced in (("fs_on", True), ("fs_off", False)):
            runtime = dataclasses.replace(shared, config=apply_overrides(config, [f"supernet.forced_sampling={str(forced).lower()}"]))
            run = train_supernet(runtime, runs_dir)
            context = search_context(runtime, run.path / "supernet.pt")
            batches = context.evaluator
            # measure each arrangement as it is: an FS evaluator would score its canonical form instead
            exact = SupernetEvaluator(context.supernet, context.cost_model, batches.val_batches,
                                      batches.calib_batches, batches.calib_steps, forced_sampling=False)
            data["spread"][mode] = {"supernet_run": str(run.path.resolve()),
                                    **accuracy_spread(exact, space.num_layers, multisets, arrangements, seed)}
    write_json(results_dir, "redundancy", data)
    return results_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = ArgumentParser(description=__doc__.splitlines()[0], tool="redundancy")
    parser.add_argument("--plan", default="smoke", help="harness plan (default: smoke)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--results", default="results", help="results folder (default: results)")
    parser.add_argument("--runs", default=None, help="runs folder (default: <results>/runs)")
    parser.add_argument("--data-dir", default=None, help="dataset folder (default: $SGNAS_DATA_DIR, else data/ in the user's cache, where CIFAR-10 is downloaded)")
    parser.add_argument("--steps", type=int, default=2000, help="sampler steps replayed (default: 2000)")
    parser.add_argument("--no-spread", dest="spread", action="store_false",
                        help="skip the accuracy spread (it trains two supernets)")
    parser.add_argument("--multisets", type=int, default=6)
    parser.add_argument("--arrangements", type=int, default=4)
    args = parser.parse_args(argv)
    return run_tool("redundancy", lambda: print(redundancy_study(
        args.plan, args.seed, args.results, args.steps, args.spread, args.multisets, args.arrangements,
        args.data_dir, args.runs) / "redundancy.json"))


if __name__ == "__main__":
    sys.exit(main())
