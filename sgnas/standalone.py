"""Stand-alone evaluation: train an exported architecture from scratch and report test top-1 and top-5.

The architecture is exported to a fresh timm ``EfficientNet`` (:func:`sgnas.export.timm.export_timm`),
trained on the supernet-train and generator-validation splits together (the
whole training set, as in SGNAS's retraining), and tested on the test split,
which nothing else in the pipeline touches. The recipe comes from the preset's
``evaluate`` section: the paper preset follows the official retraining
(``run_example.sh`` with timm: ``RMSpropTF`` with eps 1e-3, lr 0.016 decayed
0.963 every 3 epochs after 5 warm-up epochs from 1e-4, wd 1e-5, dropout 0.2,
label smoothing 0.1, model EMA with decay 0.99995, BN momentum 0.001); the
optimizer and the EMA are timm's own (``timm.optim.RMSpropTF``,
``timm.utils.ModelEmaV3``). The CIFAR presets use SGD with a cosine schedule. Every method's architectures, SGNAS's and the baselines',
go through this one function, so they are compared under one protocol.

Curves (train loss and top-1, test top-1 and top-5 per epoch) go to the run's
``metrics.jsonl``; a checkpoint after every epoch resumes exactly. Under
``torchrun`` the model is wrapped in ``DistributedDataParallel`` (a fixed
network, unlike the supernet), each rank trains on its slice of every global
batch, the test counts are summed over the ranks and only rank 0 writes; with
``amp`` on CUDA the forward runs under autocast.
"""

from __future__ import annotations

import time
from typing import Any

import torch
import torch.nn as nn
from timm.optim import RMSpropTF
from timm.utils import ModelEmaV3

from sgnas._infra.errors import SgnasError
from sgnas._infra.progress import progress
from sgnas._infra.runs import RunDir
from sgnas.config.schema import EvaluateConfig
from sgnas.data import DataSplits, ImageSet, make_batches
from sgnas.export.timm import export_timm
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.cost import CostModel
from sgnas.spaces.unified.space import SearchSpace
from sgnas.supernet.top1 import evaluate_top1
from sgnas.training.checkpoint import load_checkpoint, rng_state, save_checkpoint, seed_all, set_rng_state
from sgnas.training.distributed import Distributed, Precision
from sgnas.training.divergence import check_loss
from sgnas.training.schedules import LRFactor

__all__ = ["train_standalone"]


def _optimizer(model: nn.Module, config: EvaluateConfig) -> torch.optim.Optimizer:
    if config.optimizer == "rmsproptf":
        # The official recipe (timm's create_optimizer for ``rmsproptf``): alpha 0.9, eps 1e-3 inside the square root.
        return RMSpropTF(model.parameters(), lr=config.lr, alpha=0.9, eps=1e-3, momentum=config.momentum,
                         weight_decay=config.weight_decay)
    return torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum,
                           weight_decay=config.weight_decay, nesterov=True)


def _model(arch: Architecture, space: SearchSpace, config: EvaluateConfig) -> nn.Module:
    """The fresh timm model of ``arch`` with the recipe's dropout and, where set, BN momentum on every BN."""
    model = export_timm(arch, space, se=config.se, act=config.act, drop_rate=config.dropout)  # type: ignore[arg-type]
    if config.bn_momentum is not None:
        for module in model.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.momentum = config.bn_momentum
    return model


def _whole_training_set(splits: DataSplits) -> ImageSet:
    train, val = splits.train, splits.val
    labels = torch.cat([train.labels, val.labels])
    if train.images is not None and val.images is not None:
        return ImageSet(torch.cat([train.images, val.images]), labels)
    return ImageSet(None, labels, [*(train.files or []), *(val.files or [])])


def train_standalone(
    arch: Architecture,
    space: SearchSpace,
    config: EvaluateConfig,
    splits: DataSplits,
    seed: int,
    preset: str,
    device: torch.device | str = "cpu",
    run: RunDir | None = None,
    workers: int = 4,
    dist: Distributed | None = None,
    precision: Precision | None = None,
) -> dict[str, Any]:
    """Train ``arch`` from scratch per ``config``; the test split's top-1/top-5 of the final (EMA) weights.

    Under ``dist`` every rank calls this; ``run``'s checkpoint is read by all and written by rank 0 only.
    """
    arch.check_space(space)
    dist = dist or Distributed()
    precision = precision or Precision("off", torch.device(device))
    seed_all(seed)
    model = _model(arch, space, config).to(device)
    whole = DataSplits(_whole_training_set(splits), splits.val, splits.test, splits.classes, splits.mean,
                       splits.std, splits.image_size, splits.in_memory)
    shard = {"rank": dist.rank, "world_size": dist.world_size}
    train = make_batches(whole, "train", config.batch_size, True, seed, device, workers=workers, **shard)
    test = make_batches(whole, "test", config.batch_size, False, seed, device, workers=workers, **shard)
    steps_per_epoch = len(train)
    optimizer = _optimizer(model, config)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, LRFactor(
        config.schedule, config.epochs * steps_per_epoch, steps_per_epoch,
        config.warmup_epochs * steps_per_epoch, config.decay_rate, config.decay_epochs,
        min(1.0, config.warmup_lr / config.lr),
    ))
    ema = ModelEmaV3(model, decay=config.ema_decay) if config.ema_decay > 0 else None
    criterion = nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)
    identity = {"space": space.describe(), "preset": preset}
    first_epoch, curves = 0, []
    if run is not None and run.checkpoint_path.exists():
        payload = load_checkpoint(run.checkpoint_path, "standalone-training", identity["space"], preset)
        if payload["arch"] != arch.to_string():
            raise SgnasError(f"checkpoint {run.checkpoint_path} trains {payload['arch']}, not {arch}")
        model.load_state_dict(payload["model"])
        optimizer.load_state_dict(payload["optimizer"])
        scheduler.load_state_dict(payload["scheduler"])
        if ema is not None:
            ema.load_state_dict(payload["ema"])
        set_rng_state(payload["rng"])
        precision.load_state_dict(payload.get("precision"))
        first_epoch, curves = int(payload["epoch"]), list(payload["curves"])
    trained: nn.Module = model
    if dist.enabled:
        device_ids = [torch.device(device)] if torch.device(device).type == "cuda" else None
        trained = nn.parallel.DistributedDataParallel(model, device_ids=device_ids)
    start = time.perf_counter()
    quiet = None if dist.is_main else True
    epochs = progress(range(first_epoch, config.epochs), initial=first_epoch, total=config.epochs,
                      desc="stand-alone training", unit="epoch", disable=quiet)
    for epoch in epochs:
        model.train()
        loss_sum = correct = seen = 0.0
        for images, labels in progress(train.epoch(epoch), total=steps_per_epoch, desc=f"stand-alone epoch {epoch}",
                                       unit="step", leave=False, disable=quiet):
            with precision.autocast():
                logits = trained(images)
                loss = criterion(logits, labels)
            loss_value = loss.item()
            check_loss(loss_value, "stand-alone training", scheduler.last_epoch + 1, "evaluate.lr")
            optimizer.zero_grad(set_to_none=True)
            precision.backward(loss)
            precision.step(optimizer)
            scheduler.step()
            if ema is not None:
                ema.update(model)
            loss_sum += loss_value * len(labels)
            correct += float((logits.argmax(1) == labels).sum())
            seen += len(labels)
        loss_sum, correct, seen = dist.reduce_sum([loss_sum, correct, seen], images.device)
        tested = ema.module if ema is not None else model
        top1, top5 = evaluate_top1(tested, test.epoch(0), dist=dist)
        record = {"event": "epoch", "epoch": epoch, "train_loss": loss_sum / seen, "train_top1": 100 * correct / seen,
                  "test_top1": top1, "test_top5": top5, "lr": scheduler.get_last_lr()[0]}
        curves.append(record)
        if run is not None and dist.is_main:
            run.log(record)
            save_checkpoint(run.checkpoint_path, {
                "kind": "standalone-training", **identity, "arch": arch.to_string(),
                "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(), "ema": ema.state_dict() if ema is not None else None,
                "rng": rng_state(), "epoch": epoch + 1, "curves": curves, "precision": precision.state_dict(),
                **run.resume_point(),
            })
    if not curves:
        raise SgnasError("evaluate.epochs must be at least 1")
    cost = CostModel(space, se=config.se).cost(arch)
    return {
        "architecture": arch.to_string(), "architecture_json": arch.to_json(),
        "macs_m": cost.macs_m, "params_m": cost.params_m, "convention": cost.convention,
        "test_top1": curves[-1]["test_top1"], "test_top5": curves[-1]["test_top5"],
        "epochs": config.epochs, "train_images": len(whole.train), "test_images": len(splits.test),
        "seconds_this_session": time.perf_counter() - start,
    }
