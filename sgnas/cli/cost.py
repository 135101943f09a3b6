"""``sgnas cost ARCH``: exact multiply-adds and parameters of one architecture, with the counting convention.

ARCH is an architecture of ``--space``: on the unified spaces the compact
string (``573733-7333xx-...``, one group of six sub-block ops per layer) or a
JSON file in the project's form or the per-layer published form; on
``nas-bench-201`` the cell string ``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|``. The
space's registry entry (:class:`sgnas.spaces.protocol.SpaceEntry`) parses it
and gives its exact cost model; every MACs figure is printed with its
convention (``conv``: conv layers only, SGNAS's own; ``conv+fc``: with the
classifier; ``nb201``: NAS-Bench-201's, the classifier's bias included).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from sgnas._infra.errors import SgnasError
from sgnas.config.schema import check_value
from sgnas.registry import SPACES
from sgnas.spaces.protocol import SpaceEntry
from sgnas.spaces.unified.activations import ACTIVATION_NAMES

__all__ = ["register", "run"]

DEFAULT_ACT = "relu6"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "cost",
        help="MACs and parameters of an architecture (exact, with the counting convention)",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("arch", metavar="ARCH", help="architecture of the space: compact string or JSON file (unified), cell string (nas-bench-201)")
    parser.add_argument("--space", choices=SPACES, default="imagenet", metavar="SPACE",
                        help="search space: %(choices)s (default: %(default)s)")
    parser.add_argument("--resolution", type=int, help="input resolution (default: the space's, 224 or 32)")
    parser.add_argument("--width", type=float, default=1.0, help="width multiplier (default 1.0)")
    parser.add_argument("--num-classes", type=int, help="classifier outputs (default: the space's, 1000 or 10)")
    parser.add_argument("--se", action="store_true", help="squeeze-and-excitation on the expanded channels")
    parser.add_argument(
        "--act", choices=ACTIVATION_NAMES, default=None,
        help=f"activation of the unified spaces (default {DEFAULT_ACT}; does not change MACs or params; recorded "
        "with the result)",
    )
    # checked against the chosen space's conventions when the command runs (spaces come from plugins)
    parser.add_argument("--convention", default=None, metavar="CONVENTION",
                        help="FLOPs convention of the space (default: the space's, conv+fc on the unified spaces, "
                        "nb201 on nas-bench-201; conv counts conv layers only)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.set_defaults(func=run)


def _space(entry: SpaceEntry, args: argparse.Namespace) -> Any:
    """The space the options describe; each option against the range of the config field it means."""
    for name in ("resolution", "width", "num_classes"):
        check_value(f"space.{name}", getattr(args, name), f"--{name.replace('_', '-')}")
    try:
        return entry.build(resolution=args.resolution, width=args.width, num_classes=args.num_classes)
    except ValueError as err:
        raise SgnasError(str(err)) from None


def _options(entry: SpaceEntry, args: argparse.Namespace) -> tuple[str | None, str]:
    """The activation (unified spaces) and the convention, checked against what the space knows."""
    if "act" not in entry.options and args.act is not None:
        raise SgnasError(f"--act: space {args.space} has one fixed activation")
    convention = args.convention or entry.default_convention
    if convention not in entry.conventions:
        raise SgnasError(f"--convention {convention}: space {args.space} counts {', '.join(entry.conventions)}")
    return (args.act or DEFAULT_ACT if "act" in entry.options else None), convention


def run(args: argparse.Namespace) -> int:
    entry: SpaceEntry = SPACES.get(args.space)
    space = _space(entry, args)
    act, convention = _options(entry, args)
    arch = entry.parse(args.arch, space)
    cost = entry.cost_model(space, se=args.se).cost(arch, convention)
    details = entry.details(arch)
    if args.json:
        result = {
            **cost.to_json(),
            **({"act": act} if act is not None else {}),
            "space": entry.describe(space),
            "architecture": arch.to_string(),
            **details,
        }
        print(json.dumps(result, sort_keys=True))
        return 0
    options = f"; SE {'on' if args.se else 'off'}, activation {act}" if "se" in entry.options else ""
    print(f"architecture  {arch}")
    canonical = details.get("canonical")
    if canonical is not None and canonical != arch.to_string():
        print(f"canonical     {canonical}  (forced-sampling form, same cost)")
    print(f"space         {entry.summary(space)}{options}")
    print(f"MACs          {cost.macs_m:.{entry.macs_digits}f}M  [{cost.convention}]  ({cost.macs:,} multiply-adds)")
    print(f"params        {cost.params_m:.3f}M  [all weights, BN and classifier]  ({cost.params:,})")
    return 0
