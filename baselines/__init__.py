"""SGNAS's peers on the same footing: the samplers and search strategies it is compared with.

Everything here plugs into the library's registries (:mod:`sgnas.registry`), so
every comparison runs through the same supernet, training loop, evaluator and
cost accounting (Lindauer & Hutter, JMLR 2020):

* :mod:`baselines.evolution`: SPOS's evolutionary search (``evolution``; methods
  ``fairnas-evolution`` and ``spos-evolution``);
* :mod:`baselines.random_search`: random sampling (``random``) and random search
  (``random-search``);
* :mod:`baselines.proxyless`: ProxylessNAS-style gates (sampler ``proxyless``),
  their two-path update and a per-target gradient search (strategy ``proxyless``).

Random sampling, random search and evolution are each one function on any
space's architectures within a cost limit
(:class:`sgnas.spaces.protocol.BoundedSpace`) and any fitness; the strategies
run them on the unified space, the NAS-Bench-201 track on cells.

The FairNAS (``strict-fair``) and SPOS (``uniform``) samplers are the library's
own (:mod:`sgnas.training.samplers`). This package is a plugin of the library: its
distribution names it in the ``sgnas.plugins`` entry-point group
(``pyproject.toml``), and importing it registers its samplers and strategies;
``sgnas`` itself never names it.
"""

from baselines import evolution, proxyless, random_search

__all__ = ["evolution", "proxyless", "random_search"]
