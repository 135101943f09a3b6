"""``sgnas cost ARCH``: exact multiply-adds and parameters of one architecture, with the counting convention.

ARCH is the compact string (``573733-7333xx-...``, one group of six sub-block
ops per layer) or a JSON file in the project's form or the per-layer published
form. The numbers come from :class:`sgnas.cost.CostModel`; every MACs figure
is printed with its convention (``conv``: conv layers only, SGNAS's own;
``conv+fc``: with the classifier).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from sgnas.architecture import load_architecture
from sgnas.cost import CONVENTIONS, CostModel
from sgnas.errors import SgnasError
from sgnas.registry import SPACES
from sgnas.space import SearchSpace, get_space

__all__ = ["register", "run"]

ACTIVATIONS = ("relu6", "hswish")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "cost",
        help="MACs and parameters of an architecture (exact, with the counting convention)",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("arch", metavar="ARCH", help="compact architecture string, or a JSON file in either form")
    parser.add_argument("--space", choices=SPACES, default="imagenet", metavar="SPACE",
                        help="search space: %(choices)s (default: %(default)s)")
    parser.add_argument("--resolution", type=int, help="input resolution (default: the space's, 224 or 32)")
    parser.add_argument("--width", type=float, default=1.0, help="width multiplier (default 1.0)")
    parser.add_argument("--num-classes", type=int, help="classifier outputs (default: the space's, 1000 or 10)")
    parser.add_argument("--se", action="store_true", help="squeeze-and-excitation on the expanded channels")
    parser.add_argument(
        "--act", choices=ACTIVATIONS, default="relu6",
        help="activation (does not change MACs or params; recorded with the result)",
    )
    parser.add_argument("--convention", choices=CONVENTIONS, default="conv+fc", help="FLOPs convention (default conv+fc)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.set_defaults(func=run)


def _space(args: argparse.Namespace) -> SearchSpace:
    for name in ("resolution", "num_classes"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise SgnasError(f"--{name.replace('_', '-')} must be positive, got {value}")
    try:
        return get_space(args.space, resolution=args.resolution, width=args.width, num_classes=args.num_classes)
    except ValueError as err:
        raise SgnasError(str(err)) from None


def run(args: argparse.Namespace) -> int:
    space = _space(args)
    arch = load_architecture(args.arch, space)
    cost = CostModel(space, se=args.se).cost(arch, args.convention)
    canonical = arch.canonical()
    if args.json:
        result = {
            **cost.to_json(),
            "act": args.act,
            "space": space.describe(),
            "architecture": arch.to_string(),
            "canonical": canonical.to_string(),
            "expansions": list(arch.expansions),
        }
        print(json.dumps(result, sort_keys=True))
        return 0
    options = f"SE {'on' if args.se else 'off'}, activation {args.act}"
    print(f"architecture  {arch}")
    if canonical != arch:
        print(f"canonical     {canonical}  (forced-sampling form, same cost)")
    print(f"space         {space.name}, {space.resolution}x{space.resolution}, width {space.width:g}, "
          f"{space.num_classes} classes; {options}")
    print(f"MACs          {cost.macs_m:.2f}M  [{cost.convention}]  ({cost.macs:,} multiply-adds)")
    print(f"params        {cost.params_m:.3f}M  [all weights, BN and classifier]  ({cost.params:,})")
    return 0
