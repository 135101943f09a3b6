"""The methods the replication compares: a registered search strategy over a supernet trained by a registered sampler.

Every strategy declares the comparisons it takes part in beside its class
(:attr:`sgnas.search.strategy.SearchStrategy.methods`: method key -> training sampler
and label), so a new strategy, from the library, the baselines or a plugin,
appears in Table B, Table C and every legend without editing this package. A
strategy that declares none takes part as itself on the default sampler. Any
other pairing runs as ``STRATEGY@SAMPLER`` (e.g. ``random-search@uniform``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from replication._inputs import distinct
from sgnas._infra.errors import SgnasError
from sgnas.registry import SAMPLERS, STRATEGIES, UNIFIED, family_of, warn
from sgnas.search.strategy import DEFAULT_SAMPLER

__all__ = ["Method", "method_label", "method_order", "method_sampler", "methods", "resolve_methods"]


@dataclass(frozen=True)
class Method:
    """A method of the comparison: its key in result files, its label, the sampler and the strategy."""

    key: str
    label: str
    sampler: str
    strategy: str


def methods() -> dict[str, Method]:
    """Every declared method, in registration order (the library's strategies first).

    A key two strategies declare stays with the first, as a registry name does
    (:meth:`sgnas.registry.Registry.add`): one warning, and the other strategy
    takes part under its other keys or as ``STRATEGY@SAMPLER``.
    """
    found: dict[str, Method] = {}
    for name, cls in STRATEGIES.items():
        declared = getattr(cls, "methods", None) or {name: (DEFAULT_SAMPLER, name)}
        for key, (sampler, label) in declared.items():
            if key in found:
                warn(f"method {key!r} is declared twice: by strategy {found[key].strategy!r}, kept, "
                     f"and by strategy {name!r} ({cls.__module__}), ignored")
                continue
            found[key] = Method(key, label, sampler, name)
    return found


def _pairing(spec: str) -> Method:
    strategy, _, sampler = spec.partition("@")
    STRATEGIES.get(strategy)
    if family_of(SAMPLERS.get(sampler)) != UNIFIED:
        raise SgnasError(f"method {spec!r}: sampler {sampler!r} draws {family_of(SAMPLERS.get(sampler))} "
                         "architectures; the harness searches the unified space")
    return Method(spec, f"{strategy} on {sampler}", sampler, strategy)


def resolve_methods(keys: Iterable[str]) -> list[Method]:
    """The methods named by ``keys``: declared method keys or ``STRATEGY@SAMPLER`` pairings; a key given twice
    is an error (it would run the same searches twice and write their rows twice)."""
    declared = methods()
    resolved: list[Method] = []
    for key in distinct(keys, "method"):
        if key in declared:
            resolved.append(declared[key])
        elif "@" in key:
            resolved.append(_pairing(key))
        else:
            raise SgnasError(f"unknown method {key!r}; choose one of {', '.join(declared)} or STRATEGY@SAMPLER")
    return resolved


def method_label(key: str) -> str:
    """The label of a method key in tables and legends (the key itself when no strategy declares it)."""
    method = methods().get(key)
    return method.label if method is not None else key


def method_sampler(key: str) -> str | None:
    """The sampler whose supernet a method key searched on (``STRATEGY@SAMPLER``: its sampler), ``None`` if unknown."""
    method = methods().get(key)
    if method is not None:
        return method.sampler
    return key.partition("@")[2] or None


def method_order(present: Iterable[str]) -> list[str]:
    """The methods in ``present`` in declaration order, then any others alphabetically."""
    present = set(present)
    declared = [key for key in methods() if key in present]
    return declared + sorted(present - set(declared))
