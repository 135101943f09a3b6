"""The two setups of SGNAS: what the paper describes and what the official code does, as one switch each.

SGNAS's paper and its official code (eric8607242/SGNAS) differ in how they
treat the unified block's redundant arrangements and in a few training details
(register ``docs/discrepancies.md``). A setup names every field where they
differ, so that one switch (``--setup``, or :func:`apply_setup`) gives the one or
the other on any preset, and each run's results say which it was
(:func:`setup_of`, ``setup`` in ``results.json``):

* ``paper`` (every preset but ``cifar100``): forced sampling (supp. D) in the
  supernet's paths, the generator's relaxation and decoding and the prior, the
  generator keeping the first two sub-blocks of each layer active (skips are
  last anyway), strict fairness (supp. A.2), torchvision's random resized crop
  (area 0.08-1) and the generator's model selection on unaugmented batches.
* ``official``: the official code, read in it: no forced sampling anywhere (no
  sort exists in it: its supernet trains every arrangement, its generator emits
  unsorted kernels and skips between active sub-blocks, its prior lays kernels
  first in the order drawn), its generator masking skip on sub-block 0 only,
  its own sampler (``OfficialSampler``), random resized crops of area 0.2-1 and
  model selection on its augmented validation loader.

Neither setup recalibrates BN in the method's own steps: generator training and
model selection run on the supernet's shared statistics, as in the official
code. Recalibration stays where the harness measures (the supernet's
per-epoch validation that checks it learned, and the judge that scores every
method's finds alike), which the official code does not have.

The mask and the prior's layout follow ``supernet.forced_sampling`` (see
:mod:`sgnas.spaces.unified.choices`), so each setup is a set of config fields.
"""

from __future__ import annotations

from typing import Any

from sgnas._infra.errors import SgnasError

__all__ = ["SETUPS", "apply_setup", "setup_of", "setup_overrides"]

#: each setup's fields, as ``section.field`` -> value
SETUPS: dict[str, dict[str, Any]] = {
    "paper": {
        "supernet.forced_sampling": True,
        "supernet.sampler": "strict-fair",
        "data.crop_scale": 0.08,
        "generator.select_augmented": False,
    },
    "official": {
        "supernet.forced_sampling": False,
        "supernet.sampler": "official",
        "data.crop_scale": 0.2,
        "generator.select_augmented": True,
    },
}


def _check(name: str) -> dict[str, Any]:
    if name not in SETUPS:
        raise SgnasError(f"unknown setup {name!r}; choose {' or '.join(SETUPS)}")
    return SETUPS[name]


def setup_overrides(name: str) -> list[str]:
    """The ``section.field=value`` overrides that give setup ``name``."""
    return [f"{key}={str(value).lower() if isinstance(value, bool) else value}" for key, value in _check(name).items()]


def apply_setup(config: Any, name: str) -> Any:
    """``config`` with setup ``name``'s fields (a new config)."""
    from sgnas.config.schema import apply_overrides

    return apply_overrides(config, setup_overrides(name))


def setup_of(config: Any) -> str | None:
    """The setup whose every field ``config`` has, or None for a mixture (an ablation of one of them)."""
    for name, fields in SETUPS.items():
        if all(getattr(getattr(config, section), field) == value
               for key, value in fields.items() for section, field in [key.split(".")]):
            return name
    return None
