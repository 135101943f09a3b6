"""Search strategies by name, as ``module:Class`` import paths, imported only when asked for.

The registry names the baselines by path so that ``sgnas`` never imports
``baselines`` (which builds on it). A strategy class is built with
``Class.from_context(context)`` when it has one (the generator needs its
trained run), else ``Class(seed=..., forced_sampling=...)``; ``context`` is a
:class:`sgnas.pipeline.SearchContext`.
"""

from __future__ import annotations

import importlib

from sgnas.errors import SgnasError
from sgnas.pipeline import SearchContext
from sgnas.strategy import SearchStrategy

__all__ = ["STRATEGIES", "build_strategy", "strategy_class"]

STRATEGIES: dict[str, str] = {
    "generator": "sgnas.generator.strategy:GeneratorStrategy",
    "evolution": "baselines.evolution:EvolutionSearch",
    "random": "baselines.random_search:RandomSampling",
    "random-search": "baselines.random_search:RandomSearch",
    "proxyless": "baselines.proxyless:ProxylessSearch",
}


def strategy_class(name: str) -> type[SearchStrategy]:
    """The class registered as ``name``; a one-line error when unknown or not installed."""
    if name not in STRATEGIES:
        raise SgnasError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}")
    module_name, _, class_name = STRATEGIES[name].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        raise SgnasError(f"strategy {name!r} is not available: module {err.name} is missing") from None
    try:
        return getattr(module, class_name)
    except AttributeError:
        raise SgnasError(f"strategy {name!r} is not available: {module_name} has no {class_name}") from None


def build_strategy(name: str, context: SearchContext) -> SearchStrategy:
    cls = strategy_class(name)
    if hasattr(cls, "from_context"):
        return cls.from_context(context)  # type: ignore[attr-defined]
    return cls(seed=context.seed, forced_sampling=context.config.supernet.forced_sampling)  # type: ignore[call-arg]
