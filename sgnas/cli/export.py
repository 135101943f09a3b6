"""``sgnas export SOURCE --out DIR``: a found architecture as a timm model in files that timm, torch and ONNX load.

SOURCE is a compact architecture string, a JSON file in either form, or a
finished search run folder (``sgnas search``, ``sgnas pipeline`` or the
harness): then one model per target, or the targets picked with ``--target``.
The model is timm's (:func:`sgnas.export.timm.export_timm`), freshly initialised
(seeded by ``--seed``) or, with ``--supernet RUN``, carrying the weights of
that trained supernet for the architecture's path (:func:`sgnas.export.inherit.inherit_weights`;
BN statistics as the supernet left them).

Each model is a folder (``DIR`` itself, or ``DIR/target-<T>M`` per target of
a search run) with ``model.safetensors``, ``config.json`` and, unless
``--no-onnx``, ``model.onnx`` (:mod:`sgnas.export.model_files`; ``load_exported``
rebuilds the model). The space comes from the search or supernet run when one
is given, else from ``--space``/``--resolution``/``--width``/``--num-classes``
as in ``sgnas cost``; each of these options overrides the run's value. The
printed MACs and parameters are counted on the exported model itself
(FlopCounterMode), and equal ``sgnas cost`` with the same options.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import torch

from sgnas._infra.errors import SgnasError
from sgnas._infra.jsonfiles import MissingJson, NotJson, read_json
from sgnas._infra.runs import number
from sgnas.config.schema import SpaceConfig, check_value
from sgnas.export.model_files import ModelSpec, save_exported, save_onnx
from sgnas.export.timm import ACTIVATIONS, export_timm
from sgnas.pipeline import config_of_run, resolve_run
from sgnas.registry import SPACES, UNIFIED
from sgnas.spaces.unified.architecture import Architecture, is_architecture_string, load_architecture
from sgnas.spaces.unified.cost import CONVENTIONS
from sgnas.spaces.unified.space import SearchSpace
from sgnas.zoo.reference import count_model

__all__ = ["register", "run"]

_SPACE_OPTIONS = ("space", "resolution", "width", "num_classes")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export", help="an architecture as a timm model: safetensors weights, config JSON and ONNX",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("source", metavar="SOURCE",
                        help="compact architecture string, JSON file, or a finished search run folder")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder to write the model(s) into")
    parser.add_argument("--target", type=float, nargs="+", metavar="T",
                        help="of a search run, only the architectures of these targets (millions of MACs)")
    parser.add_argument("--supernet", metavar="RUN",
                        help="inherit the weights of this finished train-supernet run (or its supernet.pt)")
    parser.add_argument("--space", choices=SPACES.choices(family=UNIFIED), metavar="SPACE",
                        help="search space: %(choices)s (default: the run's, else imagenet)")
    parser.add_argument("--resolution", type=int, help="input resolution (default: the run's, else the space's)")
    parser.add_argument("--width", type=float, help="width multiplier (default: the run's, else 1.0)")
    parser.add_argument("--num-classes", type=int, help="classifier outputs (default: the run's, else the space's)")
    parser.add_argument("--se", action="store_true", help="squeeze-and-excitation on the expanded channels")
    parser.add_argument("--act", choices=tuple(ACTIVATIONS),
                        help="activation (default: the supernet's with --supernet, else relu6)")
    parser.add_argument("--convention", choices=CONVENTIONS, default="conv+fc",
                        help="FLOPs convention of the printed MACs (default conv+fc)")
    parser.add_argument("--seed", type=int, default=0, help="seed of a fresh model's initialisation (default 0)")
    parser.add_argument("--no-onnx", action="store_true", help="write no model.onnx")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.set_defaults(func=run)


def _search_results(folder: Path) -> list[dict[str, Any]]:
    """The per-target records of a finished search run."""
    try:
        results = read_json(folder / "results.json")
    except MissingJson:
        raise SgnasError(f"{folder} is not a finished search run (no results.json)") from None
    except NotJson as err:
        raise SgnasError(f"{folder / 'results.json'} cannot be read: it is {err}") from None
    records = results.get("results") if isinstance(results, dict) else None
    if not isinstance(records, list) or not all(
        isinstance(r, dict) and is_architecture_string(r.get("architecture"))
        and number(0).ok(r.get("target_m_in_convention")) for r in records
    ) or not records:
        raise SgnasError(f"{folder} is not a finished search run (its results.json lists no architectures)")
    return records


def _space(args: argparse.Namespace, runs: list[Path]) -> SearchSpace:
    """The space of the first run given (search, then supernet), each option given overriding it."""
    base = config_of_run(runs[0]).space if runs else SpaceConfig()
    given = {name: getattr(args, name) for name in _SPACE_OPTIONS if getattr(args, name) is not None}
    if "space" in given:
        given["name"] = given.pop("space")
    return dataclasses.replace(base, **given).build()


def _picked(records: list[dict[str, Any]], targets: list[float] | None) -> list[dict[str, Any]]:
    if targets is None:
        return records
    available = [float(r["target_m_in_convention"]) for r in records]
    picked = []
    for target in targets:
        match = [r for r, t in zip(records, available) if math.isclose(t, target, rel_tol=1e-6, abs_tol=1e-9)]
        if not match:
            raise SgnasError(f"the search run has no target {target:g}M; its targets are "
                             + ", ".join(f"{t:g}" for t in available))
        picked.append(match[0])
    return picked


def _check_out(out: Path) -> None:
    """Refuse an output folder that is, or lies under, a file before anything is built."""
    for folder in (out, *out.parents):
        if folder.exists():
            if not folder.is_dir():
                raise SgnasError(f"cannot create the output folder {out}: {folder} is a file")
            return


def _prepare_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise SgnasError(f"cannot create the output folder {folder}: {err.strerror}") from None


def _models(args: argparse.Namespace) -> tuple[list[tuple[Path, Architecture, float | None]], SearchSpace]:
    """(folder, architecture, target or None) per model to write, and the space they are in."""
    source = Path(args.source)
    if "/" in args.source and not source.exists():  # no architecture string has a slash
        raise SgnasError(f"{source} does not exist (SOURCE is an architecture string, a JSON file or a finished "
                         "search run folder)")
    search_run = source if source.is_dir() else None
    if search_run is None and args.target is not None:
        raise SgnasError("--target picks architectures of a search run; SOURCE is a single architecture")
    records = _search_results(search_run) if search_run is not None else []
    supernet_run = resolve_run(args.supernet, "supernet", "supernet.pt")[1] if args.supernet else None
    space = _space(args, [run for run in (search_run, supernet_run) if run is not None])
    if search_run is None:
        return [(args.out, load_architecture(args.source, space), None)], space
    models = []
    for record in _picked(records, args.target):
        target = float(record["target_m_in_convention"])
        arch = Architecture.from_string(record["architecture"])
        arch.check_space(space)
        models.append((args.out / f"target-{target:g}M", arch, target))
    return models, space


def _supernet(args: argparse.Namespace, space: SearchSpace) -> tuple[torch.nn.Module, Path]:
    from sgnas.spaces.unified.supernet.files import load_supernet

    path, run_dir = resolve_run(args.supernet, "supernet", "supernet.pt")
    preset = config_of_run(run_dir).preset if run_dir is not None else None
    supernet = load_supernet(path, space, preset, "cpu").eval()
    if args.act is not None and args.act != supernet.act_name:
        raise SgnasError(f"the supernet uses {supernet.act_name}; its weights cannot be exported with --act {args.act}")
    return supernet, path


def _export_one(args: argparse.Namespace, folder: Path, arch: Architecture, target: float | None, space: SearchSpace,
                supernet: tuple[torch.nn.Module, Path] | None) -> dict[str, Any]:
    from sgnas.export.inherit import inherit_weights

    if supernet is not None:
        model, act = inherit_weights(supernet[0], arch, se=args.se), supernet[0].act_name
        weights: dict[str, Any] = {"inherited_from": str(supernet[1].resolve())}
    else:
        act = args.act or "relu6"
        torch.manual_seed(args.seed)
        model, weights = export_timm(arch, space, se=args.se, act=act), {"fresh": True, "seed": args.seed}
    model.eval()
    counted = count_model(model, space.resolution, space.in_channels)
    spec = ModelSpec.of(arch, space, args.se, act)
    measured = {"macs": {c: counted.macs(c) for c in CONVENTIONS}, "params": counted.params}
    details = {"weights": weights, **measured, "target_m": target}
    _prepare_folder(folder)
    files = save_exported(model, spec, folder, details)
    if not args.no_onnx:
        files.append(save_onnx(model, spec, folder))
    return {"folder": str(folder), "files": [str(f) for f in files], "model": dataclasses.asdict(spec),
            "weights": weights, "target_m": target, "convention": args.convention,
            "macs": counted.macs(args.convention), "macs_m": counted.macs(args.convention) / 1e6,
            "params": counted.params, "params_m": counted.params / 1e6}


def _check_options(args: argparse.Namespace) -> None:
    """The options that mean a config field, against that field's range (:func:`sgnas.config.schema.check_value`)."""
    check_value("seed", args.seed, "--seed")
    for name in ("resolution", "width", "num_classes"):
        check_value(f"space.{name}", getattr(args, name), f"--{name.replace('_', '-')}")


def run(args: argparse.Namespace) -> int:
    _check_options(args)
    _check_out(args.out)
    models, space = _models(args)
    supernet = _supernet(args, space) if args.supernet else None
    exported = [_export_one(args, folder, arch, target, space, supernet) for folder, arch, target in models]
    if args.json:
        print(json.dumps({"models": exported}, sort_keys=True))
        return 0
    for entry in exported:
        spec = entry["model"]
        weights = (f"inherited from {entry['weights']['inherited_from']}" if "inherited_from" in entry["weights"]
                   else f"fresh (seed {entry['weights']['seed']})")
        print(f"model         {entry['folder']}" + (f"  (target {entry['target_m']:g}M)" if entry["target_m"] else ""))
        print(f"architecture  {spec['architecture']}")
        print(f"space         {spec['space']}, {spec['resolution']}x{spec['resolution']}, width {spec['width']:g}, "
              f"{spec['num_classes']} classes; SE {'on' if spec['se'] else 'off'}, activation {spec['act']}")
        print(f"weights       {weights}")
        print(f"MACs          {entry['macs_m']:.2f}M  [{entry['convention']}]  ({entry['macs']:,} multiply-adds)")
        print(f"params        {entry['params_m']:.3f}M  [all weights, BN and classifier]  ({entry['params']:,})")
        print("files         " + ", ".join(Path(f).name for f in entry["files"]))
    return 0
