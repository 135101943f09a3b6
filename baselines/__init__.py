"""SGNAS's peers on the same footing: the samplers and search strategies it is compared with.

Everything here plugs into the library's interfaces, so every comparison runs
through the same supernet, training loop, evaluator and cost accounting
(Lindauer & Hutter, JMLR 2020):

* :mod:`baselines.samplers`: supernet-training samplers by name (FairNAS strict
  fairness, SPOS uniform single path, ProxylessNAS binary gates);
* :mod:`baselines.evolution`: SPOS's evolutionary search;
* :mod:`baselines.random_search`: random sampling and random search;
* :mod:`baselines.proxyless`: ProxylessNAS-style gates, their two-path update
  and a per-target gradient search;
* :mod:`baselines.budget`: random architectures under a MACs budget;
* :mod:`baselines.cost_for_n`: the search cost of N targets per strategy.

``sgnas`` never imports this package; its ``search`` command names the
strategies by import path.
"""
