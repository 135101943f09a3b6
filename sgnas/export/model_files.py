"""An exported timm model as files: weights in safetensors, what rebuilds it in JSON, and the ONNX graph.

A model folder holds

* ``model.safetensors``: the state dict (``safetensors.torch.load_file``, or
  ``timm.models.load_checkpoint(model, path)`` into the model timm builds);
* ``config.json``: :class:`ModelSpec` (architecture string, space name,
  resolution, width, classes, SE, activation) under ``"model"``, beside what
  the export measured (MACs, params) and where the weights came from;
* ``model.onnx`` (optional): the graph in eval mode, input ``images``
  (N x 3 x R x R, dynamic batch), output ``logits``.

:func:`load_exported` rebuilds the timm model with :func:`sgnas.export.timm.export_timm`
and loads the weights, strictly. Every file is written atomically.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from timm.models.efficientnet import EfficientNet

from sgnas._infra.errors import SgnasError
from sgnas._infra.jsonfiles import MissingJson, NotJson, read_json
from sgnas._infra.runs import atomic_write_bytes, atomic_write_json
from sgnas.export.timm import ACTIVATIONS, export_timm
from sgnas.spaces.unified.architecture import Architecture, is_architecture_string
from sgnas.spaces.unified.space import SearchSpace, get_space

__all__ = ["CONFIG_FILE", "FORMAT", "ONNX_FILE", "WEIGHTS_FILE", "ModelSpec", "load_exported", "save_exported",
           "save_onnx"]

FORMAT = "sgnas-model/1"
WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
ONNX_FILE = "model.onnx"


@dataclass(frozen=True)
class ModelSpec:
    """Everything :func:`sgnas.export.timm.export_timm` needs to build the model again."""

    architecture: str
    space: str
    resolution: int
    width: float
    num_classes: int
    se: bool
    act: str

    @classmethod
    def of(cls, arch: Architecture, space: SearchSpace, se: bool, act: str) -> ModelSpec:
        return cls(arch.to_string(), space.name, space.resolution, space.width, space.num_classes, se, act)

    @classmethod
    def from_json(cls, data: Any, where: str) -> ModelSpec:
        fields = cls.__dataclass_fields__
        if not isinstance(data, dict) or set(data) != set(fields):
            raise SgnasError(f"{where} does not describe a model (expected the fields {', '.join(fields)})")
        if not is_architecture_string(data["architecture"]):
            raise SgnasError(f"{where}: architecture {json.dumps(data['architecture'])[:60]} is not an architecture "
                             "string")
        return cls(**data)

    def build_space(self) -> SearchSpace:
        try:
            return get_space(self.space, self.resolution, self.width, self.num_classes)
        except (TypeError, ValueError) as err:
            raise SgnasError(f"space of the exported model: {err}") from None

    def build(self) -> EfficientNet:
        """The timm model, freshly initialised."""
        if self.act not in ACTIVATIONS:
            raise SgnasError(f"unknown activation {self.act!r}; choose one of {', '.join(ACTIVATIONS)}")
        return export_timm(Architecture.from_string(self.architecture), self.build_space(), se=self.se,
                           act=self.act)  # type: ignore[arg-type]


def save_exported(model: torch.nn.Module, spec: ModelSpec, folder: Path, details: dict[str, Any]) -> list[Path]:
    """``model.safetensors`` and ``config.json`` (``spec`` plus ``details``) in ``folder``; the paths written."""
    from safetensors.torch import save

    state = {name: tensor.detach().cpu().contiguous() for name, tensor in model.state_dict().items()}
    weights, config = folder / WEIGHTS_FILE, folder / CONFIG_FILE
    atomic_write_bytes(weights, save(state, metadata={"format": "pt", "sgnas": FORMAT}))
    atomic_write_json(config, {"format": FORMAT, "model": asdict(spec), **details})
    return [weights, config]


def save_onnx(model: torch.nn.Module, spec: ModelSpec, folder: Path) -> Path:
    """``model.onnx`` in ``folder``: ``model`` in eval mode, checked by ``onnx.checker``."""
    try:
        import onnx
    except ImportError:
        raise SgnasError("ONNX export needs the onnx package (pip install 'sgnas-replication[onnx]'), "
                         "or pass --no-onnx") from None
    was_training = model.training
    model.eval()
    buffer = io.BytesIO()
    images = torch.zeros(1, 3, spec.resolution, spec.resolution)
    try:
        # The TorchScript-based exporter: it needs no onnxscript and covers every op of these models.
        torch.onnx.export(model, (images,), buffer, dynamo=False, input_names=["images"], output_names=["logits"],
                          dynamic_axes={"images": {0: "batch"}, "logits": {0: "batch"}})
    finally:
        model.train(was_training)
    onnx.checker.check_model(onnx.load_from_string(buffer.getvalue()))
    path = folder / ONNX_FILE
    atomic_write_bytes(path, buffer.getvalue())
    return path


def _config_path(path: Path) -> Path:
    if path.is_dir():
        return path / CONFIG_FILE
    if path.name == WEIGHTS_FILE:
        return path.with_name(CONFIG_FILE)
    return path


def load_exported(path: str | Path) -> EfficientNet:
    """The timm model of an export folder (or its ``config.json`` or ``model.safetensors``), in eval mode."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    config_path = _config_path(Path(path))
    try:
        saved = read_json(config_path)
    except MissingJson:
        raise SgnasError(f"{config_path} does not exist: is {path} an exported model?") from None
    except NotJson as err:
        raise SgnasError(f"{config_path} cannot be read: it is {err}") from None
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        raise SgnasError(f"{config_path} is not an exported sgnas model (format {FORMAT})")
    model = ModelSpec.from_json(saved.get("model"), str(config_path)).build()
    weights = config_path.with_name(WEIGHTS_FILE)
    try:
        state = load_file(str(weights))
    except (OSError, SafetensorError) as err:
        raise SgnasError(f"weights {weights} cannot be read: {str(err).splitlines()[0]}") from None
    try:
        model.load_state_dict(state)
    except RuntimeError as err:
        raise SgnasError(f"weights {weights} do not fit the model: {str(err).splitlines()[0]}") from None
    return model.eval()
