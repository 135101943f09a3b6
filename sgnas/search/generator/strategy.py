"""Search by generating: SGNAS's generator as a :class:`~sgnas.search.strategy.SearchStrategy`.

A trained generator answers a FLOPs target with one forward pass (the prior
pool's architecture nearest the target, argmax, canonical under forced sampling): no supernet
evaluations are spent on the search itself, so its ``forward_passes`` are 0
and its wall time is that one pass. The supernet-estimated accuracy reported
beside it (BN recalibration, validation split) is bookkeeping for comparison,
timed separately in ``extra["estimate_seconds"]``.

Targets outside the range the generator was trained on are refused by default
(a one-line error naming the range): the generator has never seen such a
normalised target and its answers there are not calibrated. With
``outside_range="warn"`` it prints a warning and generates anyway.

:class:`PriorStrategy` (``--strategy prior``, method ``prior-only``) is the
control the generator is measured against: for a target it returns the
generator's own input, the prior of that target from the trained run's prior
pool (the pool saved with ``generator.pt``, so exactly what the generator was
fed), unchanged, canonical under forced sampling as the generator's outputs
are. With one prior (the official pool) it answers every target with the same
architecture; with a prior per MACs level it already meets the targets
roughly, and whatever the generator adds is its gain over this baseline.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import torch

from sgnas._infra.errors import SgnasError
from sgnas.registry import STRATEGIES
from sgnas.search.generator.network import build_generator
from sgnas.search.generator.prior import PriorPool
from sgnas.search.strategy import Evaluator, SearchContext, SearchResult, SearchStrategy
from sgnas.spaces.cost import Convention
from sgnas.training.checkpoint import check_checkpoint, load_checkpoint, load_error

__all__ = ["GeneratorStrategy", "PriorStrategy"]


@STRATEGIES.register("generator")
class GeneratorStrategy(SearchStrategy):
    """One generator forward pass per target; targets in the ``conv+fc`` convention of the interface."""

    methods = {"sgnas": ("strict-fair", "SGNAS (generator)")}
    needs_generator = True
    pays_generator_training = True
    evaluation_based = False

    def __init__(
        self,
        generator: torch.nn.Module,
        cost_model: Any,
        choices: Any,
        pool: PriorPool,
        target_range: tuple[float, float],
        convention: Convention = "conv",
        forced_sampling: bool = True,
        outside_range: str = "refuse",
    ) -> None:
        if outside_range not in ("refuse", "warn"):
            raise ValueError(f"outside_range must be refuse or warn, not {outside_range!r}")
        self.generator = generator.eval()
        self.cost_model = cost_model
        self.choices = choices
        self.pool = pool
        self.low, self.high = target_range
        self.convention = convention
        self.forced_sampling = forced_sampling
        self.outside_range = outside_range
        self.device = next(generator.parameters()).device

    @classmethod
    def load(cls, path: str | Path, cost_model: Any, choices: Any, preset: str | None = None,
             outside_range: str = "refuse", device: str | torch.device = "cpu") -> GeneratorStrategy:
        """The generator exported by :meth:`sgnas.search.generator.train.GeneratorTrainer.export`, for the space of
        ``cost_model`` and ``choices``."""
        payload = load_checkpoint(path, "generator", cost_model.space.describe(), preset, map_location=device)
        return cls.from_checkpoint(payload, path, cost_model, choices, outside_range, device)

    @classmethod
    def from_checkpoint(cls, payload: dict[str, Any], path: str | Path, cost_model: Any, choices: Any,
                        outside_range: str = "refuse", device: str | torch.device = "cpu") -> GeneratorStrategy:
        """The generator of ``payload``, an exported generator checkpoint read from ``path`` (checked by the caller
        to be one of this space and preset); a network or prior pool that does not fit is a one-line error."""
        try:
            generator = build_generator(payload["network"], choices.shape, payload["hidden"])
            generator.load_state_dict(payload["state"])
            pool = PriorPool.from_state(payload["prior_pool"], choices)
            low, high = payload["target_low"], payload["target_high"]
            convention, forced_sampling = payload["convention"], payload["forced_sampling"]
        except (RuntimeError, KeyError, TypeError, ValueError, SgnasError) as err:
            raise SgnasError(f"generator checkpoint {path} does not fit: {load_error(err)}") from None
        return cls(generator.to(device), cost_model, choices, pool, (low, high), convention, forced_sampling,
                   outside_range)

    @classmethod
    def check_file(cls, path: Path, payload: Any, cost_model: Any, choices: Any, preset: str) -> None:
        """That ``payload`` (read from ``path``) is the exported generator of ``cost_model``'s space and ``preset``
        (not a training checkpoint) and builds."""
        space = cost_model.space.describe()
        cls.from_checkpoint(check_checkpoint(payload, path, "generator", space, preset), path, cost_model, choices)

    @classmethod
    def from_context(cls, context: SearchContext) -> GeneratorStrategy:
        """Built by the ``search`` command from its context (a trained generator's run is required)."""
        if context.generator_path is None:
            raise SgnasError(f"the {cls.name} strategy needs --generator RUN (a train-generator run or its generator.pt)")
        return cls.load(context.generator_path, context.cost_model, context.choices, context.config.preset,
                        context.config.search.outside_range, context.device)

    def check_target(self, target_m: float) -> None:
        """Refuse (or warn about) a target, in millions of the generator's convention, outside the trained range."""
        if self.low <= target_m <= self.high:
            return
        message = (f"target {target_m:g}M MACs ({self.convention}) is outside the generator's trained range "
                   f"{self.low:g}-{self.high:g}M")
        if self.outside_range == "refuse":
            raise SgnasError(message + " (search.outside_range=warn generates anyway)")
        print(f"sgnas: warning: {message}; generating anyway", file=sys.stderr)

    @torch.no_grad()
    def generate(self, target_m: float) -> Any:
        """The architecture for ``target_m`` millions of MACs in the generator's convention."""
        self.check_target(target_m)
        normalised = torch.tensor([(target_m - self.low) / (self.high - self.low)], device=self.device)
        logits = self.generator(self.pool(target_m)[None].to(self.device), normalised)
        return self.choices.decode(logits[0], self.forced_sampling)

    def prior(self, target_m: float) -> Any:
        """The generator's input prior for ``target_m`` (millions of MACs in the generator's convention), as it is."""
        arch = self.pool.architecture(target_m)
        return arch.canonical() if self.forced_sampling else arch

    def search(self, evaluator: Evaluator | None, target_macs: float, budget: int = 0) -> SearchResult:
        target_m = self.cost_model.from_interface(target_macs, self.convention) / 1e6
        start = time.perf_counter()
        arch = self.generate(target_m)
        seconds = time.perf_counter() - start
        cost = self.cost_model.cost(arch)
        accuracy, estimate_seconds = None, 0.0
        if evaluator is not None:
            start = time.perf_counter()
            accuracy = evaluator.accuracy(arch)
            estimate_seconds = time.perf_counter() - start
        return SearchResult(
            strategy=self.name, target_macs=target_macs, architecture=arch, macs=cost.macs, params=cost.params,
            accuracy=accuracy, wall_seconds=seconds, forward_passes=0,
            extra={"estimate_seconds": estimate_seconds, "convention": self.convention,
                   "target_m_in_convention": target_m,
                   "macs_m_in_convention": self.cost_model.macs(arch, self.convention) / 1e6},
        )


@STRATEGIES.register("prior")
class PriorStrategy(GeneratorStrategy):
    """The prior-only baseline: a trained generator run's prior for the target, without the generator."""

    methods = {"prior-only": ("strict-fair", "Prior only (no generator)")}
    pays_generator_training = False  # a control: it answers with the generator's input, not what training made

    def generate(self, target_m: float) -> Any:
        """The prior architecture for ``target_m``; targets outside the trained range as the generator's."""
        self.check_target(target_m)
        return self.prior(target_m)
