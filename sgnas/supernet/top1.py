"""Top-1 and top-5 of a model on batches, of one path when the model is a supernet, summed over ranks.

The one measurement behind a supernet's validation, the generator's model
selection and stand-alone testing, for every space: ``model(x, arch)`` for a
supernet path, ``model(x)`` for a stand-alone network.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

import torch
import torch.nn as nn

from sgnas._infra.errors import SgnasError
from sgnas.training.distributed import Distributed

__all__ = ["evaluate_counts", "evaluate_top1"]


@torch.no_grad()
def evaluate_counts(model: nn.Module, batches: Iterable[tuple[torch.Tensor, torch.Tensor]],
                    arch: Any = None, limit: int | None = None,
                    dist: Distributed | None = None) -> tuple[int, int, int]:
    """Top-1 hits, top-5 hits and images seen of ``model`` (``model(x, arch)`` when ``arch`` is given), eval mode.

    With ``dist``, ``batches`` are this rank's slices and the counts are summed over the ranks.
    """
    was_training = model.training
    model.eval()
    correct1 = correct5 = seen = 0
    for images, labels in itertools.islice(batches, limit):
        logits = model(images, arch) if arch is not None else model(images)
        top = logits.topk(min(5, logits.shape[1]), dim=1).indices
        hits = top == labels[:, None]
        correct1 += int(hits[:, 0].sum())
        correct5 += int(hits.any(dim=1).sum())
        seen += len(labels)
    model.train(was_training)
    if dist is not None:
        device = next(model.parameters()).device
        correct1, correct5, seen = dist.reduce_sum([correct1, correct5, seen], device)
    if seen == 0:
        raise SgnasError("evaluation got no batches")
    return int(correct1), int(correct5), int(seen)


def evaluate_top1(model: nn.Module, batches: Iterable[tuple[torch.Tensor, torch.Tensor]],
                  arch: Any = None, limit: int | None = None,
                  dist: Distributed | None = None) -> tuple[float, float]:
    """Top-1 and top-5 (%) of ``model`` (:func:`evaluate_counts` as percentages)."""
    correct1, correct5, seen = evaluate_counts(model, batches, arch, limit, dist)
    return 100.0 * correct1 / seen, 100.0 * correct5 / seen
