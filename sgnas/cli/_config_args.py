"""Arguments every pipeline subcommand shares: preset, setup, ``--set`` overrides, seed, data, runs, device, precision."""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sgnas._infra.errors import SgnasError
from sgnas.config.presets import PRESETS, load_preset
from sgnas.config.schema import Config, apply_overrides
from sgnas.config.setups import SETUPS, setup_overrides
from sgnas.pipeline import config_of_run

__all__ = ["add_config_arguments", "config_from_args", "print_json"]


def add_config_arguments(parser: argparse.ArgumentParser, preset_default: str | None = "proxy") -> None:
    group = parser.add_argument_group("configuration")
    help_preset = "configuration preset" + (f" (default: {preset_default})" if preset_default else
                                            " (default: the preset of the run given)")
    group.add_argument("--preset", choices=PRESETS, default=None, metavar="PRESET", help=help_preset + ": %(choices)s")
    group.add_argument("--setup", choices=tuple(SETUPS), default=None,
                       help="the paper's setup or the official code's (forced sampling, sampler, masks, prior, "
                            "augmentation; see docs/discrepancies.md), applied before --set (default: the preset's; "
                            "a step that reads the config of a run it builds on takes that run's sections and the "
                            "preset's others, so give --setup to each step of an official run)")
    group.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.FIELD=VALUE",
                       help="override one config field, e.g. --set supernet.epochs=3 (repeatable)")
    group.add_argument("--seed", type=int, help="random seed (default: the preset's, 0)")
    group.add_argument("--data-dir", help="dataset folder (default: $SGNAS_DATA_DIR, else data/ in the user's cache, where CIFAR-10 is downloaded)")
    group.add_argument("--runs-dir", default="runs", help="root of the run directories (default: runs/)")
    group.add_argument("--device", choices=("auto", "cpu", "cuda"),
                       help="where to compute; under torchrun, cuda means each process's own GPU (default: the preset's)")
    group.add_argument("--amp", nargs="?", const="bf16", choices=("off", "bf16", "fp16"),
                       help="mixed precision on CUDA: --amp alone is bf16; fp16 adds gradient scaling; "
                            "ignored on the CPU (default: the preset's, off)")
    group.add_argument("--threads", type=int, help="torch CPU threads (default: the preset's)")
    group.add_argument("--rebuild", action="store_true",
                       help="empty and redo reused runs whose files do not load, instead of stopping")
    parser.set_defaults(preset_default=preset_default)


def _cli_overrides(args: argparse.Namespace) -> list[str]:
    extra = [*(setup_overrides(args.setup) if getattr(args, "setup", None) else []), *args.overrides]
    for name in ("seed", "device", "amp", "threads"):
        value = getattr(args, name)
        if value is not None:
            extra.append(f"{name}={value}")
    return extra


def config_from_args(args: argparse.Namespace, run: str | Path | None = None) -> Config:
    """The preset (or the config of ``run`` when no --preset is given) with the command line's overrides."""
    if args.preset is None and run is not None:
        return config_of_run(run, _cli_overrides(args))
    base = load_preset(args.preset or args.preset_default or "proxy")
    return apply_overrides(base, _cli_overrides(args))


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=True, default=str))


def parse_targets(values: Sequence[str] | None) -> list[float]:
    """``--targets`` as numbers (millions of MACs); anything else is a one-line error."""
    targets = []
    for value in values or []:
        try:
            target = float(value)
        except ValueError:
            raise SgnasError(f"--targets: {value!r} is not a number (millions of MACs)") from None
        if not math.isfinite(target) or target <= 0:
            raise SgnasError(f"--targets: {value!r} is not a positive number of millions of MACs")
        targets.append(target)
    return targets
