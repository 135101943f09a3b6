"""Image data for every step: the splits of SGNAS supp. A.1 and fast, resumable batches.

Sources: torchvision's pickled CIFAR-10 and CIFAR-100 (``cifar-10-batches-py/``,
``cifar-100-python/``; ``data.dataset=cifar10`` or ``cifar100``), and any
ImageFolder root with ``train/`` and ``test/`` (or ``val/``): ImageNet, or a
CIFAR JPEG copy (also found as ``cifar10-jpeg/`` or ``cifar100-jpeg/`` inside
the root). CIFAR-100, the dataset of the official CIFAR config, is normalised
with the CIFAR-10 statistics as that config does.
The root comes from ``--data-dir`` or ``$SGNAS_DATA_DIR``, else it is the
default folder in the user's cache, into which CIFAR-10 is downloaded on first
use (:mod:`sgnas._infra.download`); elsewhere it is downloaded only when asked.

Splits: the *generator-validation* split is a fixed number of images per class
held out from the training set (supp. A.1: 50 per class on ImageNet), seeded;
the *supernet-train* split is the rest (optionally a per-class subset for proxy
runs); the *test* split is only for final reporting.

Small datasets are decoded once into uint8 tensors and cached on disk (a
``.pt`` file in ``$SGNAS_CACHE_DIR``, default ``~/.cache/sgnas``, keyed by the
exact file list and image size, written atomically), so
epochs are not bound by JPEG decoding; augmentation (random crop with 4-pixel
padding and horizontal flip, as usual on CIFAR) runs on whole tensor batches.
Large datasets (``in_memory=False``) stream through torchvision's transforms.

Every batch is a pure function of (seed, epoch, batch index): resuming at any
step replays exactly the batches an uninterrupted run would have seen.

Under data parallelism (``torchrun``, :mod:`sgnas.training.distributed`) the
configured batch size is the global batch: every rank draws the same global
batch (same permutation, same augmentation draws) and keeps its own contiguous
slice (``rank``, ``world_size``), so the ranks together see exactly the
batches of a single-process run.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import torch

from sgnas._infra.download import check_data_dir, default_data_dir, provide_data
from sgnas._infra.errors import SgnasError
from sgnas._infra.progress import progress
from sgnas._infra.runs import atomic_write_bytes
from sgnas.config.schema import DataConfig

__all__ = [
    "BatchSource",
    "DataSplits",
    "ImageSet",
    "StreamingBatches",
    "TensorBatches",
    "first_batches",
    "load_splits",
    "make_batches",
    "resolve_data_root",
    "synthetic_images",
]

CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2470, 0.2435, 0.2616)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
_DATA_ENV = "SGNAS_DATA_DIR"
_CACHE_ENV = "SGNAS_CACHE_DIR"


@dataclass
class ImageSet:
    """Decoded images (uint8, N x C x H x W) and their labels, or the files to stream them from."""

    images: torch.Tensor | None
    labels: torch.Tensor
    files: list[str] | None = None

    def __len__(self) -> int:
        return len(self.labels)


@dataclass
class DataSplits:
    """Supernet-train, generator-validation and test splits with the normalisation they share."""

    train: ImageSet
    val: ImageSet
    test: ImageSet
    classes: list[str]
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    image_size: int
    in_memory: bool


class BatchSource(Protocol):
    """Batches of one split; ``epoch(e, start)`` replays epoch ``e`` from batch ``start`` exactly."""

    def __len__(self) -> int: ...

    def epoch(self, epoch: int, start: int = 0) -> Iterator[tuple[torch.Tensor, torch.Tensor]]: ...


class _FirstBatches:
    """The first ``limit`` batches of every epoch of ``source`` (replayable from any batch, as the source is)."""

    def __init__(self, source: BatchSource, limit: int) -> None:
        self.source, self.limit = source, limit

    def __len__(self) -> int:
        return min(self.limit, len(self.source))

    def epoch(self, epoch: int, start: int = 0) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        return itertools.islice(self.source.epoch(epoch, start), max(0, len(self) - start))


def first_batches(source: BatchSource, limit: int) -> BatchSource:
    """``source`` cut to its first ``limit`` batches per epoch (a plan that caps the steps of an epoch)."""
    if limit < 1:
        raise SgnasError(f"an epoch needs at least one batch, got a cap of {limit}")
    return _FirstBatches(source, limit)


# --- locating and listing -------------------------------------------------------------


def resolve_data_root(config: DataConfig, data_dir: str | Path | None = None) -> Path | None:
    """The dataset folder: ``--data-dir``, else ``config.root``, else ``$SGNAS_DATA_DIR``, else the default
    folder in the user's cache, created if need be (None for synthetic)."""
    if config.dataset == "synthetic":
        return None
    candidate = data_dir or config.root or os.environ.get(_DATA_ENV)
    if not candidate:
        root = default_data_dir()
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise SgnasError(f"cannot create the default data folder {root} ({err.strerror}): "
                             f"pass --data-dir DIR or set ${_DATA_ENV}") from None
        return root
    return check_data_dir(candidate)


#: the CIFAR datasets: name -> (torchvision class name, its folder, the JPEG copy's folder, what to call it)
_CIFAR: dict[str, tuple[str, str, str, str]] = {
    "cifar10": ("CIFAR10", "cifar-10-batches-py", "cifar10-jpeg", "CIFAR-10"),
    "cifar100": ("CIFAR100", "cifar-100-python", "cifar100-jpeg", "CIFAR-100"),
}


def _image_folder_root(root: Path, dataset: str) -> Path:
    """The folder that holds ``train/``: the root itself or, for CIFAR, ``cifar10-jpeg``/``cifar100-jpeg`` inside it."""
    if (root / "train").is_dir():
        return root
    if dataset in _CIFAR:
        _, pickled, jpeg, name = _CIFAR[dataset]
        if (root / jpeg / "train").is_dir():
            return root / jpeg
        raise SgnasError(f"data folder {root} has no train/ folder and no {pickled}/: expected "
                         f"{name} as train/<class>/*.jpg and test/ (or inside {jpeg}/), or torchvision's "
                         "copy, which --set data.download=true fetches")
    raise SgnasError(f"data folder {root} has no train/ folder (expected train/<class>/*.jpg)")


def _list_folder(split_dir: Path) -> tuple[list[str], list[int], list[str]]:
    """Files, labels and class names of one ImageFolder split (torchvision's own listing)."""
    from torchvision.datasets.folder import IMG_EXTENSIONS, find_classes, make_dataset

    try:
        classes, class_to_idx = find_classes(str(split_dir))
        samples = make_dataset(str(split_dir), class_to_idx, extensions=IMG_EXTENSIONS)
    except FileNotFoundError as err:
        raise SgnasError(f"{split_dir} holds no images: {str(err).splitlines()[0]}") from None
    if not samples:
        raise SgnasError(f"{split_dir} holds no images")
    return [path for path, _ in samples], [label for _, label in samples], classes


# --- decoding and caching ---------------------------------------------------------------


def _cache_dir() -> Path:
    return Path(os.environ.get(_CACHE_ENV) or Path.home() / ".cache" / "sgnas")


def _decode(files: Sequence[str], size: int, what: str) -> torch.Tensor:
    """JPEG/PNG files -> uint8 N x 3 x size x size, cached on disk by file list and size."""
    from PIL import Image, UnidentifiedImageError

    key = hashlib.sha256("\n".join([str(size), *files]).encode()).hexdigest()[:20]
    cache = _cache_dir() / f"images-{key}.pt"
    if cache.exists():
        try:
            return torch.load(cache, weights_only=True)
        except Exception:  # a damaged cache is rebuilt, never trusted
            cache.unlink(missing_ok=True)
    images = torch.empty((len(files), 3, size, size), dtype=torch.uint8)
    for i, path in enumerate(progress(files, desc=f"decoding {what}", unit="img", leave=False, mininterval=1.0)):
        try:
            with Image.open(path) as image:
                image = image.convert("RGB")
                if image.size != (size, size):
                    image = image.resize((size, size), Image.BILINEAR)
                images[i] = torch.from_numpy(np.asarray(image).copy()).permute(2, 0, 1)
        except (OSError, UnidentifiedImageError) as err:
            raise SgnasError(f"cannot decode image {path}: {err}") from None
    buffer = io.BytesIO()
    torch.save(images, buffer)
    try:
        atomic_write_bytes(cache, buffer.getvalue())
    except OSError:
        pass  # caching is an optimisation; an unwritable cache folder only costs time
    return images


def _per_class_pick(labels: np.ndarray, counts: Sequence[int | None], seed: int) -> list[np.ndarray]:
    """Disjoint, seeded index sets taking ``counts[j]`` images of each class (``None``: the rest), shuffled."""
    rng = np.random.default_rng(seed)
    picks: list[list[np.ndarray]] = [[] for _ in counts]
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        offset = 0
        for j, count in enumerate(counts):
            if count is not None and offset + count > len(members):
                raise SgnasError(
                    f"class {label} has {len(members)} images, fewer than the {offset + count} the splits need"
                )
            take = members[offset:] if count is None else members[offset : offset + count]
            picks[j].append(take)
            offset += len(take)
    # Shuffled, not sorted by class: any prefix of a split (a few evaluation batches) is then a fair sample.
    return [rng.permutation(np.concatenate(p)) for p in picks]


def synthetic_images(num_classes: int, per_class: int, size: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A tiny learnable dataset for tests: each class a colour plus a stripe, with noise."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.arange(num_classes).repeat_interleave(per_class)
    base = torch.rand((num_classes, 3, 1, 1), generator=generator) * 200
    stripes = torch.zeros((num_classes, 1, size, size))
    for c in range(num_classes):
        stripes[c, 0, (c * size) // num_classes] = 55
    noise = torch.rand((len(labels), 3, size, size), generator=generator) * 40
    images = (base[labels] + stripes[labels] + noise).clamp(0, 255).to(torch.uint8)
    return images, labels


def load_splits(config: DataConfig, resolution: int, seed: int, data_dir: str | Path | None = None) -> DataSplits:
    """The three splits of ``config`` for networks of input ``resolution`` (or ``config.image_size``)."""
    size = config.image_size or resolution
    if config.dataset == "synthetic":
        per_class = config.val_per_class + (config.train_per_class or 2 * config.val_per_class)
        images, labels = synthetic_images(10, per_class, size, seed=0)
        val_idx, train_idx = _per_class_pick(labels.numpy(), [config.val_per_class, config.train_per_class], seed)
        test_images, test_labels = synthetic_images(10, config.test_per_class or config.val_per_class, size, seed=1)
        classes = [f"class{c}" for c in range(10)]
        return DataSplits(
            ImageSet(images[train_idx], labels[train_idx]), ImageSet(images[val_idx], labels[val_idx]),
            ImageSet(test_images, test_labels), classes, CIFAR_MEAN, CIFAR_STD, size, True,
        )
    root = resolve_data_root(config, data_dir)
    assert root is not None
    provide_data(root, config.dataset, config.download)
    if config.dataset in _CIFAR and (root / _CIFAR[config.dataset][1]).is_dir():
        return _torchvision_cifar(config, root, size, seed)
    folder = _image_folder_root(root, config.dataset)
    test_dir = next((folder / name for name in ("test", "val") if (folder / name).is_dir()), None)
    if test_dir is None:
        raise SgnasError(f"data folder {folder} has no test/ or val/ folder")
    files, labels, classes = _list_folder(folder / "train")
    test_files, test_labels, test_classes = _list_folder(test_dir)
    if test_classes != classes:
        raise SgnasError(f"{test_dir} and {folder / 'train'} have different class folders")
    label_array = np.asarray(labels)
    val_idx, train_idx = _per_class_pick(label_array, [config.val_per_class, config.train_per_class], seed)
    test_idx = np.arange(len(test_files))
    if config.test_per_class is not None:
        (test_idx,) = _per_class_pick(np.asarray(test_labels), [config.test_per_class], seed)
    mean, std = (CIFAR_MEAN, CIFAR_STD) if config.dataset in _CIFAR else (IMAGENET_MEAN, IMAGENET_STD)

    def subset(all_files: list[str], all_labels: list[int], index: np.ndarray, what: str) -> ImageSet:
        chosen = [all_files[i] for i in index]
        label_tensor = torch.as_tensor([all_labels[i] for i in index], dtype=torch.long)
        if not config.in_memory:
            return ImageSet(None, label_tensor, chosen)
        return ImageSet(_decode(chosen, size, what), label_tensor)

    return DataSplits(
        subset(files, labels, train_idx, "train split"), subset(files, labels, val_idx, "validation split"),
        subset(test_files, test_labels, test_idx, "test split"), classes, mean, std, size, config.in_memory,
    )


def _torchvision_cifar(config: DataConfig, root: Path, size: int, seed: int) -> DataSplits:
    """torchvision's pickled CIFAR-10 or CIFAR-100 (``cifar-10-batches-py/``, ``cifar-100-python/`` in ``root``)."""
    import torchvision.datasets

    class_name, _, _, name = _CIFAR[config.dataset]
    dataset = getattr(torchvision.datasets, class_name)
    try:
        train = dataset(str(root), train=True)
        test = dataset(str(root), train=False)
    except (RuntimeError, OSError) as err:
        raise SgnasError(f"{name} in {root}: {str(err).splitlines()[0]}") from None

    def tensor(data: np.ndarray) -> torch.Tensor:
        images = torch.from_numpy(data).permute(0, 3, 1, 2).contiguous()
        if size != images.shape[-1]:
            images = torch.nn.functional.interpolate(images.float(), size=(size, size), mode="bilinear",
                                                     antialias=True).round().clamp(0, 255).to(torch.uint8)
        return images

    images, labels = tensor(train.data), torch.as_tensor(train.targets)
    val_idx, train_idx = _per_class_pick(labels.numpy(), [config.val_per_class, config.train_per_class], seed)
    test_images, test_labels = tensor(test.data), torch.as_tensor(test.targets)
    if config.test_per_class is not None:
        (test_idx,) = _per_class_pick(test_labels.numpy(), [config.test_per_class], seed)
        test_images, test_labels = test_images[test_idx], test_labels[test_idx]
    return DataSplits(
        ImageSet(images[train_idx], labels[train_idx]), ImageSet(images[val_idx], labels[val_idx]),
        ImageSet(test_images, test_labels), list(train.classes), CIFAR_MEAN, CIFAR_STD, size, True,
    )


# --- batches ---------------------------------------------------------------------------


def _check_shard(rank: int, world_size: int, batch_size: int, drop_last: bool) -> tuple[int, int]:
    """(rank, world_size), checked: training batches must split into equal slices (equal weight per rank)."""
    if not 0 <= rank < world_size:
        raise SgnasError(f"rank {rank} is outside a world of {world_size} processes")
    if drop_last and batch_size % world_size:
        raise SgnasError(f"the batch size {batch_size} does not split evenly over {world_size} processes")
    return rank, world_size


def _shard(size: int, rank: int, world_size: int) -> slice:
    """This rank's contiguous slice of a global batch of ``size`` (as ``torch.tensor_split`` cuts it)."""
    base, extra = divmod(size, world_size)
    start = rank * base + min(rank, extra)
    return slice(start, start + base + (rank < extra))


def _stream_seed(seed: int, epoch: int, index: int = -1) -> int:
    """A distinct 63-bit seed per (run seed, epoch, batch) so batches do not depend on what came before."""
    digest = hashlib.sha256(f"{seed}/{epoch}/{index}".encode()).digest()
    return int.from_bytes(digest[:8], "little") & (2**63 - 1)


def _num_batches(items: int, batch_size: int, drop_last: bool) -> int:
    """Batches per epoch: full ones only with ``drop_last`` (at least one), else the last may be short."""
    return max(1, items // batch_size) if drop_last else -(-items // batch_size)


def _pixel_scale(mean: Sequence[float], std: Sequence[float], device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel mean and std on the 0-255 pixel scale, shaped to broadcast over NCHW uint8 batches."""
    shape = (1, -1, 1, 1)
    return (torch.tensor(mean, device=device).view(shape) * 255, torch.tensor(std, device=device).view(shape) * 255)


class TensorBatches:
    """Batches of an in-memory :class:`ImageSet`, normalised, optionally shuffled and augmented.

    Images stay uint8 on ``device``; each batch is converted to float there, so
    on a GPU the host never touches pixel data after the first copy.
    """

    def __init__(
        self,
        split: ImageSet,
        batch_size: int,
        mean: Sequence[float],
        std: Sequence[float],
        shuffle: bool = False,
        augment: bool = False,
        drop_last: bool = False,
        seed: int = 0,
        device: torch.device | str = "cpu",
        padding: int = 4,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        if split.images is None:
            raise ValueError("TensorBatches needs decoded images; use StreamingBatches for file lists")
        if len(split) == 0:
            raise SgnasError("a data split is empty")
        self.device = torch.device(device)
        self.images = split.images.to(self.device)
        self.labels = split.labels.to(self.device)
        self.batch_size = batch_size
        self.shuffle, self.augment, self.drop_last = shuffle, augment, drop_last
        self.seed, self.padding = seed, padding
        self.rank, self.world_size = _check_shard(rank, world_size, batch_size, drop_last)
        self.mean, self.std = _pixel_scale(mean, std, self.device)

    def __len__(self) -> int:
        return _num_batches(len(self.labels), self.batch_size, self.drop_last)

    def _order(self, epoch: int) -> torch.Tensor:
        if not self.shuffle:
            return torch.arange(len(self.labels))
        return torch.randperm(len(self.labels), generator=torch.Generator().manual_seed(_stream_seed(self.seed, epoch)))

    def _augment(self, images: torch.Tensor, seed: int, global_size: int, part: slice) -> torch.Tensor:
        """Random crop from a zero-padded copy and random horizontal flip, per image; ``part`` of the global batch.

        The draws are made for the whole global batch and sliced, so a rank's
        images are augmented exactly as in a single-process run.
        """
        generator = torch.Generator().manual_seed(seed)
        b, _, h, w = images.shape
        p = self.padding
        dy = torch.randint(0, 2 * p + 1, (global_size,), generator=generator)[part].to(self.device)
        dx = torch.randint(0, 2 * p + 1, (global_size,), generator=generator)[part].to(self.device)
        flip = (torch.rand(global_size, generator=generator) < 0.5)[part].to(self.device)
        padded = torch.nn.functional.pad(images, (p, p, p, p))
        rows = dy[:, None] + torch.arange(h, device=self.device)
        cols = dx[:, None] + torch.arange(w, device=self.device)
        cols = torch.where(flip[:, None], cols.flip(1), cols)
        batch = torch.arange(b, device=self.device)[:, None, None]
        return padded.permute(0, 2, 3, 1)[batch, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2)

    def epoch(self, epoch: int, start: int = 0) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        order = self._order(epoch)
        for index in range(start, len(self)):
            global_batch = order[index * self.batch_size : (index + 1) * self.batch_size]
            part = _shard(len(global_batch), self.rank, self.world_size)
            if part.start == part.stop:  # a short last evaluation batch leaves this rank nothing
                continue
            chosen = global_batch[part].to(self.device)
            images = self.images[chosen]
            if self.augment:
                images = self._augment(images, _stream_seed(self.seed, epoch, index), len(global_batch), part)
            yield (images.float() - self.mean) / self.std, self.labels[chosen]

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        return self.epoch(0)


class _FileDataset(torch.utils.data.Dataset):
    """Files decoded on demand through torchvision transforms (the streaming path, e.g. ImageNet)."""

    def __init__(self, split: ImageSet, size: int, train: bool, crop_scale: float = 0.08) -> None:
        from torchvision import transforms

        assert split.files is not None
        self.files, self.labels = split.files, split.labels
        if train:
            steps = [transforms.RandomResizedCrop(size, scale=(crop_scale, 1.0)), transforms.RandomHorizontalFlip()]
        else:
            steps = [transforms.Resize(int(size / 0.875)), transforms.CenterCrop(size)]
        self.transform = transforms.Compose([*steps, transforms.PILToTensor()])

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        from PIL import Image

        with Image.open(self.files[index]) as image:
            return self.transform(image.convert("RGB")), self.labels[index]


class StreamingBatches:
    """Batches decoded from files by a DataLoader; the order is replayable, the augmentation per worker."""

    def __init__(
        self,
        split: ImageSet,
        batch_size: int,
        mean: Sequence[float],
        std: Sequence[float],
        size: int,
        shuffle: bool = False,
        augment: bool = False,
        drop_last: bool = False,
        seed: int = 0,
        device: torch.device | str = "cpu",
        workers: int = 4,
        rank: int = 0,
        world_size: int = 1,
        crop_scale: float = 0.08,
    ) -> None:
        if len(split) == 0:
            raise SgnasError("a data split is empty")
        self.rank, self.world_size = _check_shard(rank, world_size, batch_size, drop_last)
        self.dataset = _FileDataset(split, size, train=augment, crop_scale=crop_scale)
        self.batch_size, self.shuffle, self.drop_last, self.seed = batch_size, shuffle, drop_last, seed
        self.device, self.workers = torch.device(device), workers
        self.mean, self.std = _pixel_scale(mean, std, self.device)

    def __len__(self) -> int:
        return _num_batches(len(self.dataset), self.batch_size, self.drop_last)

    def epoch(self, epoch: int, start: int = 0) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.dataset)
        order = (torch.randperm(n, generator=torch.Generator().manual_seed(_stream_seed(self.seed, epoch)))
                 if self.shuffle else torch.arange(n))
        order = order[start * self.batch_size : len(self) * self.batch_size]
        shards = [batch[_shard(len(batch), self.rank, self.world_size)].tolist()
                  for batch in order.split(self.batch_size)]
        loader = torch.utils.data.DataLoader(
            self.dataset, batch_sampler=[s for s in shards if s], num_workers=self.workers,
            pin_memory=self.device.type == "cuda", persistent_workers=False,
        )
        for images, labels in loader:
            images = images.to(self.device, non_blocking=True)
            yield (images.float() - self.mean) / self.std, labels.to(self.device, non_blocking=True)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        return self.epoch(0)


def make_batches(
    splits: DataSplits,
    which: str,
    batch_size: int,
    train: bool,
    seed: int,
    device: torch.device | str,
    augment: bool = True,
    workers: int = 4,
    rank: int = 0,
    world_size: int = 1,
    crop_scale: float = 0.08,
    augment_eval: bool = False,
) -> BatchSource:
    """Batches of split ``which`` (train/val/test); ``train`` shuffles, augments and drops the last partial batch.

    ``augment`` off turns augmentation off everywhere; ``augment_eval`` augments batches that are not ``train``
    too (the official code's generator validation). ``crop_scale`` is the smallest area of the streaming path's
    random resized crop. ``batch_size`` is the global batch; with ``world_size`` > 1 this rank gets its slice of
    each.
    """
    split: ImageSet = getattr(splits, which)
    kwargs = dict(shuffle=train, augment=(train or augment_eval) and augment, drop_last=train, seed=seed,
                  device=device, rank=rank, world_size=world_size)
    padding = max(1, splits.image_size // 8)  # 4 pixels at 32x32, as usual on CIFAR
    if splits.in_memory:
        return TensorBatches(split, batch_size, splits.mean, splits.std, padding=padding, **kwargs)  # type: ignore[arg-type]
    return StreamingBatches(split, batch_size, splits.mean, splits.std, splits.image_size, workers=workers,  # type: ignore[arg-type]
                            crop_scale=crop_scale, **kwargs)
