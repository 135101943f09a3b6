"""The one interface every search strategy implements: a FLOPs target in, an architecture out.

SGNAS's generator, SPOS's evolution, random sampling and search, and the
ProxylessNAS-style gradient search all answer the same question through
:class:`SearchStrategy`, and report their cost in the same currency
(wall seconds and supernet forward passes, through :class:`Evaluator`), so
the comparison of search cost for N constraints runs through one code path.

A strategy is one class: ``@STRATEGIES.register("name")`` (:mod:`sgnas.registry`)
declares it for ``sgnas search --strategy`` and the harness; :meth:`SearchStrategy.from_context`
builds it from a typed :class:`SearchContext`; :attr:`SearchStrategy.methods`
names the comparisons it takes part in (a method = this strategy searching a
supernet trained by one registered sampler). Its class attributes also say how
its cost is counted (:attr:`~SearchStrategy.needs_generator`,
:attr:`~SearchStrategy.pays_generator_training`,
:attr:`~SearchStrategy.evaluation_based`), so whatever tabulates search costs
asks the registry, not a list of names.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from sgnas.registry import SPACES
from sgnas.spaces.protocol import ArchitectureLike, CostModelLike

if TYPE_CHECKING:
    import torch

    from sgnas.config.schema import Config

__all__ = ["DEFAULT_SAMPLER", "BatchProvider", "Evaluator", "SearchContext", "SearchResult", "SearchStrategy"]

#: the sampler that trains the supernet a method searches unless it says otherwise (SGNAS's, supp. A.2)
DEFAULT_SAMPLER = "strict-fair"


class Evaluator(Protocol):
    """Supernet-estimated quality of architectures, counting what it spends."""

    cost_model: CostModelLike
    #: supernet forward passes (one per batch per architecture) spent so far
    forward_passes: int

    def accuracy(self, arch: ArchitectureLike) -> float:
        """Top-1 (%) of ``arch`` with inherited supernet weights on the validation split."""
        ...


@dataclass
class SearchResult:
    """What a strategy delivers for one target, and what it cost."""

    strategy: str
    target_macs: float
    architecture: ArchitectureLike
    macs: int
    params: int
    accuracy: float | None
    wall_seconds: float
    forward_passes: int
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "target_macs_m": self.target_macs / 1e6,
            "architecture": self.architecture.to_string(),
            "architecture_json": self.architecture.to_json(),
            "macs_m": self.macs / 1e6,
            "params_m": self.params / 1e6,
            "relative_error": abs(self.macs - self.target_macs) / self.target_macs,
            "supernet_accuracy": self.accuracy,
            "wall_seconds": self.wall_seconds,
            "forward_passes": self.forward_passes,
            **self.extra,
        }


class BatchProvider(Protocol):
    """Batches of a data split (what a strategy that trains on data, like a gradient search, reads)."""

    def batches(self, which: str, batch_size: int, train: bool, sharded: bool = True) -> Iterable[Any]: ...


@dataclass
class SearchContext:
    """Everything a strategy may need to be built and to search: config, data, trained supernet, evaluator."""

    config: Config
    runtime: BatchProvider
    supernet: torch.nn.Module
    cost_model: CostModelLike
    evaluator: Evaluator
    device: torch.device
    supernet_path: Path
    generator_path: Path | None = None

    @property
    def seed(self) -> int:
        return self.config.seed

    @property
    def forced_sampling(self) -> bool:
        return self.config.supernet.forced_sampling

    @property
    def choices(self) -> Any:
        """The space's choice structure, as the generator decodes its outputs (:data:`sgnas.registry.SPACES`)."""
        return SPACES.get(self.config.space.name).choices(self.cost_model.space)


class SearchStrategy(ABC):
    """Finds an architecture for a MACs target (in the cost model's ``conv+fc`` convention)."""

    #: the registry name (set by ``@STRATEGIES.register``)
    name: str = "strategy"
    #: the comparisons this strategy takes part in: method key -> (training sampler, label in tables and legends)
    methods: ClassVar[dict[str, tuple[str, str]]] = {}
    #: whether the strategy is built from a trained generator run (``SearchContext.generator_path``)
    needs_generator: ClassVar[bool] = False
    #: whether training that generator is this strategy's one-time cost, paid once whatever the number of
    #: targets (SGNAS's generator; the prior-only control reads the same run but only its prior pool)
    pays_generator_training: ClassVar[bool] = False
    #: whether its search cost is a number of architecture evaluations (each one BN recalibration and the
    #: validation batches), recorded as ``extra["evaluations"]``: such a cost is also given at SPOS's
    #: published evaluation budget, scaled from the measured cost per evaluation
    evaluation_based: ClassVar[bool] = False

    @classmethod
    def from_context(cls, context: SearchContext) -> SearchStrategy:
        """The strategy for ``context``; by default ``cls(seed=..., forced_sampling=...)``."""
        return cls(seed=context.seed, forced_sampling=context.forced_sampling)  # type: ignore[call-arg]

    @abstractmethod
    def search(self, evaluator: Evaluator, target_macs: float, budget: int) -> SearchResult:
        """Best architecture found for ``target_macs``, spending at most ``budget`` architecture evaluations."""
