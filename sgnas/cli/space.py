"""``sgnas space``: the searchable layers of a space and, with ``--count``, how many architectures it holds.

``--count`` prints, per layer and for the whole space, the number of
configurations without forced sampling (``ordered``: every arrangement of the
six sub-blocks) and with it (``canonical``: one per multiset of ops), as exact
integers, with log10 for the whole space (:mod:`sgnas.spaces.unified.counting`). The formulas
are checked against brute-force enumeration of one layer (all 4^6 assignments,
validated and canonicalised by :mod:`sgnas.spaces.unified.architecture`); canonicalisation
acts per layer, so the whole space is the product of its layers. Exit status 1
if the check fails.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from sgnas._infra.errors import SgnasError
from sgnas.config.schema import check_value
from sgnas.registry import SPACES, UNIFIED
from sgnas.spaces.unified.counting import enumerate_layer_count, space_counts
from sgnas.spaces.unified.space import SearchSpace, get_space

__all__ = ["register", "report", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "space",
        help="layers of a search space; --count: its size with and without forced sampling",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("--space", choices=SPACES.choices(family=UNIFIED), default="imagenet", metavar="SPACE",
                        help="search space: %(choices)s (default: %(default)s)")
    parser.add_argument("--resolution", type=int, help="input resolution (default: the space's, 224 or 32)")
    parser.add_argument("--width", type=float, default=1.0, help="width multiplier (default 1.0)")
    parser.add_argument("--count", action="store_true", help="ordered and canonical counts, checked by enumeration")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.set_defaults(func=run)


def _space(args: argparse.Namespace) -> SearchSpace:
    for name in ("resolution", "width"):
        check_value(f"space.{name}", getattr(args, name), f"--{name}")
    try:
        return get_space(args.space, resolution=args.resolution, width=args.width)
    except ValueError as err:
        raise SgnasError(str(err)) from None


def report(space: SearchSpace, count: bool) -> dict[str, Any]:
    """The JSON form of ``sgnas space``: layers, and with ``count`` the counts and their enumeration check."""
    layers = [
        {
            "index": spec.index,
            "in_channels": spec.in_channels,
            "out_channels": spec.out_channels,
            "stride": spec.stride,
            "in_size": spec.in_size,
            "residual": spec.residual,
        }
        for spec in space.layers
    ]
    result: dict[str, Any] = {"space": space.describe(), "layers": layers}
    if not count:
        return result
    formula = space_counts(space)
    enumerated = enumerate_layer_count()
    for entry, layer in zip(layers, formula.per_layer):
        entry.update(ordered=layer.ordered, canonical=layer.canonical)
    enumerated_ordered = enumerated.ordered**space.num_layers
    enumerated_canonical = enumerated.canonical**space.num_layers
    result["total"] = {
        "ordered": formula.ordered,
        "canonical": formula.canonical,
        "log10_ordered": formula.log10_ordered,
        "log10_canonical": formula.log10_canonical,
    }
    result["enumeration"] = {
        "method": "all 4^6 op assignments of one layer, validated and canonicalised; the space is the product over layers",
        "layer_ordered": enumerated.ordered,
        "layer_canonical": enumerated.canonical,
        "ordered": enumerated_ordered,
        "canonical": enumerated_canonical,
        "agrees": all(layer == enumerated for layer in formula.per_layer)
        and (enumerated_ordered, enumerated_canonical) == (formula.ordered, formula.canonical),
    }
    return result


def run(args: argparse.Namespace) -> int:
    space = _space(args)
    result = report(space, args.count)
    if args.json:
        # Exact integers beyond 2^53 are printed as JSON integers; Python's json reads them back exactly.
        print(json.dumps(result, sort_keys=True))
        return 0 if not args.count or result["enumeration"]["agrees"] else 1
    print(f"space {space.name}, {space.resolution}x{space.resolution}, width {space.width:g}, {space.num_layers} searchable layers")
    header = f"{'layer':>5} {'C_in':>5} {'C_out':>5} {'stride':>6} {'size':>5}"
    print(header + (f" {'ordered':>8} {'canonical':>9}" if args.count else ""))
    for entry in result["layers"]:
        line = (f"{entry['index']:>5} {entry['in_channels']:>5} {entry['out_channels']:>5} "
                f"{entry['stride']:>6} {entry['in_size']:>5}")
        print(line + (f" {entry['ordered']:>8} {entry['canonical']:>9}" if args.count else ""))
    if not args.count:
        return 0
    total, check = result["total"], result["enumeration"]
    print(f"ordered   (no forced sampling) = {total['ordered']}  (10^{total['log10_ordered']:.4f})")
    print(f"canonical (forced sampling)    = {total['canonical']}  (10^{total['log10_canonical']:.4f})")
    verdict = "agrees" if check["agrees"] else "DISAGREES"
    print(f"enumeration of one layer: {check['layer_ordered']} ordered, {check['layer_canonical']} canonical; "
          f"product over {space.num_layers} layers {verdict} with the formulas")
    return 0 if check["agrees"] else 1
