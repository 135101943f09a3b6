"""The supernet-training samplers of the compared methods, by name: which sampler trained the supernet is an ablation axis.

* ``fair``: FairNAS strict fairness (Chu et al., arXiv 1907.01845), the
  library's :class:`sgnas.samplers.StrictFairSampler`, SGNAS's own choice;
* ``uniform``: SPOS uniform single path (Guo et al., ECCV 2020), the library's
  :class:`sgnas.samplers.UniformSampler`;
* ``proxyless``: ProxylessNAS binary gates (Cai et al., ICLR 2019),
  :class:`baselines.proxyless.ProxylessSampler`; call its ``attach`` to co-train
  its architecture parameters, or it draws from uniform gates.

Every one is a :class:`sgnas.samplers.PathSampler` built as
``Sampler(num_layers, seed, forced_sampling=...)``, so the supernet trainer takes
any of them unchanged; the import paths are for configs that name samplers as
``module:Class`` strings.
"""

from __future__ import annotations

from typing import Any

from baselines.proxyless import ProxylessSampler
from sgnas.errors import SgnasError
from sgnas.samplers import PathSampler, StrictFairSampler, UniformSampler

__all__ = ["SAMPLER_PATHS", "SAMPLERS", "make_sampler"]

SAMPLERS: dict[str, type[PathSampler]] = {
    "fair": StrictFairSampler,
    "uniform": UniformSampler,
    "proxyless": ProxylessSampler,
}
#: the same samplers as ``module:Class`` import paths
SAMPLER_PATHS: dict[str, str] = {name: f"{cls.__module__}:{cls.__name__}" for name, cls in SAMPLERS.items()}


def make_sampler(name: str, num_layers: int, seed: int, forced_sampling: bool = True, **options: Any) -> PathSampler:
    """The sampler called ``name`` (fair, uniform or proxyless); ``options`` go to its constructor."""
    if name not in SAMPLERS:
        raise SgnasError(f"unknown sampler {name!r}; choose one of {', '.join(SAMPLERS)}")
    return SAMPLERS[name](num_layers, seed, forced_sampling=forced_sampling, **options)
