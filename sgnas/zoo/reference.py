"""The reference zoo: published architectures with their published numbers, and their recomputed cost.

Two kinds of rows, both read from the project's own data file ``sgnas/zoo/reference.json``:

* architectures of the unified space (SGNAS-A/B/C from the official SGNAS
  release, FairNAS-A/B/C from xiaomi-automl/FairNAS), kept as compact
  architecture strings with their SE/activation options; their cost is exact,
  from :class:`sgnas.spaces.unified.cost.CostModel`, and cross-checked by counting the timm
  model that :func:`sgnas.export.timm.export_timm` builds;
* well-known mobile models that timm builds by name (MobileNetV2, MnasNet-A1,
  FBNet-C, MixNet-S/M, EfficientNet-B0, MobileNetV3-Large), counted with
  ``torch.utils.flop_counter.FlopCounterMode`` at 224x224.

Every published FLOPs figure carries the convention it was counted in
(SPEC section 7): ``conv`` (conv layers only, SGNAS's own counter) or
``conv+fc`` (conv layers and the classifier, the usual one). Published top-1
figures are what the sources report; nothing here reproduces them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import torch
import torch.nn as nn
from torch.utils.flop_counter import FlopCounterMode

from sgnas._infra.errors import SgnasError
from sgnas.registry import SPACES
from sgnas.spaces.unified.architecture import Architecture, ArchitectureError
from sgnas.spaces.unified.cost import CONVENTIONS, CostModel
from sgnas.spaces.unified.space import get_space

__all__ = [
    "ZOO_FORMAT",
    "MACS_TOLERANCE",
    "ModelCount",
    "Published",
    "Recomputed",
    "ZooEntry",
    "count_model",
    "get_entry",
    "load_zoo",
    "recompute",
]

ZOO_FORMAT = "sgnas-zoo/1"
#: Largest relative MACs difference from the published figure expected of each kind of row: the
#: unified-space rows are the very architectures (only rounding of the published figure remains);
#: timm's re-implementations of other papers' models may differ in small details of the head or SE.
MACS_TOLERANCE: dict[str, float] = {"space": 0.005, "timm": 0.03}

_CONV_OPS = ("convolution", "conv2d", "conv1d", "conv3d")
_FC_OPS = ("addmm", "mm", "bmm", "matmul", "linear")


@dataclass(frozen=True)
class Published:
    """Numbers as the source reports them: FLOPs = multiply-adds in millions, in ``convention``."""

    flops_m: float
    params_m: float
    top1: float | None
    top5: float | None
    convention: str


@dataclass(frozen=True)
class ZooEntry:
    """One published model: an architecture of the unified space, or a timm model name."""

    name: str
    published: Published
    source: str
    note: str
    arch: Architecture | None = None
    space: str = "imagenet"
    se: bool = False
    act: str = "relu6"
    timm_model: str | None = None

    @property
    def kind(self) -> str:
        """``space`` for architectures of the unified space, ``timm`` for models built by name."""
        return "space" if self.arch is not None else "timm"

    @property
    def tolerance(self) -> float:
        return MACS_TOLERANCE[self.kind]

    def options(self) -> str:
        """The build options in words (SE, activation) or the timm model name."""
        if self.kind == "timm":
            return f"timm {self.timm_model}"
        return f"{'SE, ' if self.se else ''}{self.act}"


@dataclass(frozen=True)
class ModelCount:
    """Multiply-adds of one forward pass of a torch model, by layer kind, and its parameter count."""

    conv_macs: int
    fc_macs: int
    other_macs: int
    params: int

    def macs(self, convention: str) -> int:
        """MACs in a counting convention: ``conv`` (conv layers only) or ``conv+fc`` (and the classifier)."""
        if convention not in CONVENTIONS:
            raise SgnasError(f"unknown FLOPs convention {convention!r}; choose conv or conv+fc")
        return self.conv_macs + (self.fc_macs if convention == "conv+fc" else 0)


@dataclass(frozen=True)
class Recomputed:
    """A zoo entry's recomputed MACs and params, how they were obtained, and the cross-check where there is one."""

    macs: int
    params: int
    convention: str
    method: str
    conv_macs: int
    check: ModelCount | None = None

    @property
    def macs_m(self) -> float:
        return self.macs / 1e6

    @property
    def params_m(self) -> float:
        return self.params / 1e6

    @property
    def check_agrees(self) -> bool | None:
        """Whether the counted timm export equals the cost model (``None`` when there is no cross-check)."""
        if self.check is None:
            return None
        return self.check.macs(self.convention) == self.macs and self.check.params == self.params


def count_model(model: nn.Module, resolution: int, in_channels: int = 3) -> ModelCount:
    """Count one forward pass at ``resolution`` with FlopCounterMode (which counts 2 per multiply-add).

    Conv and fully connected layers are told apart by their aten op, so both
    conventions come from one pass; BN, activations and pooling are not counted.
    """
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            model(torch.zeros(1, in_channels, resolution, resolution))
    finally:
        model.train(was_training)
    totals = {"conv": 0, "fc": 0, "other": 0}
    for op, flops in counter.get_flop_counts()["Global"].items():
        name = str(op).split(".")[-1]
        kind = "conv" if name in _CONV_OPS else "fc" if name in _FC_OPS else "other"
        totals[kind] += int(flops)
    params = sum(p.numel() for p in model.parameters())
    return ModelCount(totals["conv"] // 2, totals["fc"] // 2, totals["other"] // 2, params)


def _entry(row: dict[str, Any]) -> ZooEntry:
    name = row.get("name", "?")
    try:
        published = row["published"]
        convention = row["convention"]
        if convention not in CONVENTIONS:
            raise SgnasError(f"zoo entry {name}: unknown convention {convention!r}")
        entry = ZooEntry(
            name=row["name"],
            published=Published(
                flops_m=float(published["flops_M"]),
                params_m=float(published["params_M"]),
                top1=published.get("top1"),
                top5=published.get("top5"),
                convention=convention,
            ),
            source=row["source"],
            note=row.get("note", ""),
            arch=Architecture.from_string(row["arch"]) if "arch" in row else None,
            space=row.get("space", "imagenet"),
            se=bool(row.get("se", False)),
            act=row.get("act", "relu6"),
            timm_model=row.get("timm_model"),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise SgnasError(f"zoo entry {name}: malformed ({err})") from None
    except ArchitectureError as err:
        raise SgnasError(f"zoo entry {name}: {err}") from None
    if (entry.arch is None) == (entry.timm_model is None):
        raise SgnasError(f"zoo entry {name}: needs exactly one of 'arch' and 'timm_model'")
    if entry.space not in SPACES:
        raise SgnasError(f"zoo entry {name}: unknown space {entry.space!r}")
    return entry


@cache
def load_zoo() -> tuple[ZooEntry, ...]:
    """All entries of the packaged reference file, in file order."""
    text = resources.files("sgnas").joinpath("zoo/reference.json").read_text()
    data = json.loads(text)
    if data.get("format") != ZOO_FORMAT:
        raise SgnasError(f"reference zoo has format {data.get('format')!r}, expected {ZOO_FORMAT}")
    return tuple(_entry(row) for row in data["models"])


def get_entry(name: str) -> ZooEntry:
    """The entry called ``name`` (case-insensitive)."""
    for entry in load_zoo():
        if entry.name.lower() == name.lower():
            return entry
    raise SgnasError(f"no zoo entry {name!r}; known: {', '.join(e.name for e in load_zoo())}")


def recompute(entry: ZooEntry, cross_check: bool = True) -> Recomputed:
    """MACs (in the entry's published convention) and params of ``entry`` at 224x224.

    Unified-space rows come from the cost model; with ``cross_check`` their timm
    export is also counted, so a disagreement between the two shows up in the table.
    timm rows are built with ``timm.create_model(name, pretrained=False)`` and counted.
    """
    convention = entry.published.convention
    if entry.arch is not None:
        space = get_space(entry.space)
        cost_model = CostModel(space, se=entry.se)
        cost = cost_model.cost(entry.arch, convention)
        conv_macs = cost_model.cost(entry.arch, "conv").macs
        check = None
        if cross_check:
            # timm is imported only when a model is built, so listing the zoo stays fast.
            from sgnas.export.timm import export_timm

            model = export_timm(entry.arch, space, se=entry.se, act=entry.act)
            check = count_model(model, space.resolution, space.in_channels)
        return Recomputed(cost.macs, cost.params, convention, "cost model", conv_macs, check)
    import timm

    model = timm.create_model(entry.timm_model, pretrained=False)
    counted = count_model(model, 224)
    return Recomputed(
        counted.macs(convention), counted.params, convention, f"FlopCounterMode on timm {entry.timm_model}",
        counted.conv_macs,
    )
