"""Data splits, caching, batches and bad data folders of :mod:`sgnas.data`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from sgnas._infra.errors import SgnasError
from sgnas.config.schema import DataConfig
from sgnas.data import ImageSet, TensorBatches, load_splits, make_batches, synthetic_images


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SGNAS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SGNAS_DATA_DIR", raising=False)


def make_folder(root: Path, classes: int = 3, train: int = 6, test: int = 2, size: int = 8) -> Path:
    rng = np.random.default_rng(0)
    for split, count in (("train", train), ("test", test)):
        for c in range(classes):
            folder = root / split / f"class{c}"
            folder.mkdir(parents=True)
            for i in range(count):
                pixels = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
                Image.fromarray(pixels).save(folder / f"{i:04d}.png")
    return root


def test_splits_are_disjoint_per_class_and_seeded(tmp_path: Path) -> None:
    root = make_folder(tmp_path / "data")
    config = DataConfig(dataset="imagefolder", root=str(root), val_per_class=2, train_per_class=3)
    splits = load_splits(config, resolution=8, seed=0)
    assert len(splits.val) == 6 and len(splits.train) == 9 and len(splits.test) == 6
    assert splits.classes == ["class0", "class1", "class2"]
    assert torch.bincount(splits.val.labels).tolist() == [2, 2, 2]
    assert torch.bincount(splits.train.labels).tolist() == [3, 3, 3]
    as_rows = lambda images: {tuple(x.flatten().tolist()) for x in images}  # noqa: E731
    assert not as_rows(splits.val.images) & as_rows(splits.train.images)
    again = load_splits(config, resolution=8, seed=0)
    assert torch.equal(again.val.images, splits.val.images)
    other = load_splits(config, resolution=8, seed=1)
    assert not torch.equal(other.val.images, splits.val.images)


def test_decoded_images_are_cached(tmp_path: Path) -> None:
    root = make_folder(tmp_path / "data")
    config = DataConfig(dataset="imagefolder", root=str(root), val_per_class=2)
    first = load_splits(config, resolution=8, seed=0)
    cached = sorted((tmp_path / "cache").glob("images-*.pt"))
    assert cached, "decoding should leave a cache file"
    for path in cached:
        path.write_bytes(b"damaged")  # a damaged cache is rebuilt, not trusted
    second = load_splits(config, resolution=8, seed=0)
    assert torch.equal(first.train.images, second.train.images)


def test_images_are_resized_to_the_requested_size(tmp_path: Path) -> None:
    root = make_folder(tmp_path / "data", size=12)
    splits = load_splits(DataConfig(dataset="imagefolder", root=str(root), val_per_class=1, image_size=6), 32, 0)
    assert splits.train.images.shape[1:] == (3, 6, 6)


@pytest.mark.parametrize(
    ("layout", "fragment"),
    [
        ("missing", "does not exist"),
        ("file", "is a file, not a folder"),
        ("no-train", "has no train/"),
        ("empty-class", "holds no images"),
        ("no-test", "no test/ or val/"),
    ],
)
def test_bad_folders_are_one_line_errors(tmp_path: Path, layout: str, fragment: str) -> None:
    root = tmp_path / "data"
    if layout == "file":
        root.write_text("x")
    elif layout == "no-train":
        root.mkdir()
    elif layout == "empty-class":
        (root / "train" / "a").mkdir(parents=True)
        (root / "test" / "a").mkdir(parents=True)
    elif layout == "no-test":
        make_folder(root)
        for path in sorted((root / "test").rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        (root / "test").rmdir()
    with pytest.raises(SgnasError) as info:
        load_splits(DataConfig(dataset="imagefolder", root=str(root), val_per_class=1), 8, 0)
    assert fragment in str(info.value) and "\n" not in str(info.value)


def test_too_few_images_for_the_split(tmp_path: Path) -> None:
    root = make_folder(tmp_path / "data", train=3)
    with pytest.raises(SgnasError, match="fewer than"):
        load_splits(DataConfig(dataset="imagefolder", root=str(root), val_per_class=2, train_per_class=2), 8, 0)


def test_no_data_folder_given_and_no_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setenv("SGNAS_CIFAR10_URL", "http://127.0.0.1:1/cifar-10-python.tar.gz")  # nothing listens there
    with pytest.raises(SgnasError, match="SGNAS_DATA_DIR"):
        load_splits(DataConfig(dataset="cifar10"), 32, 0)


def _batches(**kwargs: object) -> TensorBatches:
    images, labels = synthetic_images(10, 7, 8, seed=0)
    defaults = dict(shuffle=True, augment=True, drop_last=True, seed=3, padding=1)
    return TensorBatches(ImageSet(images, labels), 16, (0.5,) * 3, (0.25,) * 3, **{**defaults, **kwargs})  # type: ignore[arg-type]


def test_batches_replay_exactly_from_any_position() -> None:
    batches = _batches()
    assert len(batches) == 70 // 16
    full = list(batches.epoch(2))
    tail = list(batches.epoch(2, start=2))
    for (x, y), (x2, y2) in zip(full[2:], tail):
        assert torch.equal(x, x2) and torch.equal(y, y2)
    other_epoch = list(batches.epoch(3))
    assert not torch.equal(full[0][1], other_epoch[0][1])


def test_each_epoch_visits_every_image_once_without_drop_last() -> None:
    batches = _batches(drop_last=False, augment=False)
    labels = torch.cat([y for _, y in batches.epoch(0)])
    assert torch.bincount(labels).tolist() == [7] * 10


def test_augmentation_is_a_crop_of_the_padded_image_or_its_mirror() -> None:
    images, labels = synthetic_images(2, 4, 8, seed=0)
    plain = TensorBatches(ImageSet(images, labels), 8, (0,) * 3, (1 / 255,) * 3)
    augmented = TensorBatches(ImageSet(images, labels), 8, (0,) * 3, (1 / 255,) * 3, augment=True, padding=2, seed=5)
    (x, _), (a, _) = next(plain.epoch(0)), next(augmented.epoch(0))
    padded = torch.nn.functional.pad(x, (2, 2, 2, 2))
    for original, crop in zip(padded, a):
        windows = [original[:, dy:dy + 8, dx:dx + 8] for dy in range(5) for dx in range(5)]
        assert any(torch.equal(crop, w) or torch.equal(crop, w.flip(-1)) for w in windows)


def test_synthetic_splits_and_make_batches() -> None:
    splits = load_splits(DataConfig(dataset="synthetic", val_per_class=2, train_per_class=4, test_per_class=3), 8, 0)
    assert (len(splits.train), len(splits.val), len(splits.test)) == (40, 20, 30)
    x, y = next(make_batches(splits, "train", 8, True, 0, "cpu").epoch(0))
    assert x.shape == (8, 3, 8, 8) and x.dtype == torch.float32 and y.dtype == torch.long


def test_cifar_jpeg_copy_subset(data_dir: Path) -> None:
    config = DataConfig(dataset="cifar10", val_per_class=2, train_per_class=3, test_per_class=1, image_size=16)
    splits = load_splits(config, 32, 0, data_dir)
    assert len(splits.classes) == 10 and splits.classes[0] == "airplane"
    assert splits.train.images.shape == (30, 3, 16, 16) and len(splits.test) == 10


def test_a_prefix_of_a_split_mixes_classes(tmp_path: Path) -> None:
    root = make_folder(tmp_path / "data", classes=3, train=10)
    splits = load_splits(DataConfig(dataset="imagefolder", root=str(root), val_per_class=4), 8, 0)
    assert len(set(splits.val.labels[:4].tolist())) > 1, "evaluating a few batches must not see one class only"


def test_streaming_batches_read_files(tmp_path: Path) -> None:
    root = make_folder(tmp_path / "data", classes=2, train=5, size=10)
    config = DataConfig(dataset="imagefolder", root=str(root), val_per_class=1, in_memory=False, workers=0)
    splits = load_splits(config, resolution=8, seed=0)
    assert splits.train.images is None and len(splits.train.files) == 8
    batches = make_batches(splits, "train", 4, True, 0, "cpu", workers=0)
    assert len(batches) == 2
    (x, y), *_ = list(batches.epoch(0))
    assert x.shape == (4, 3, 8, 8) and y.shape == (4,)
    assert [b[1].tolist() for b in batches.epoch(1, start=1)] == [list(batches.epoch(1))[1][1].tolist()]


def _fake_cifar100(root: Path, per_class: int, test_per_class: int) -> Path:
    """torchvision's CIFAR-100 layout (``cifar-100-python/`` with pickled train, test and meta), tiny."""
    import pickle

    folder = root / "cifar-100-python"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name, count in (("train", per_class), ("test", test_per_class)):
        labels = [c for c in range(100) for _ in range(count)]
        data = rng.integers(0, 256, (len(labels), 3 * 32 * 32), dtype=np.uint8)
        (folder / name).write_bytes(pickle.dumps({"data": data, "fine_labels": labels, "coarse_labels": labels}))
    (folder / "meta").write_bytes(pickle.dumps({"fine_label_names": [f"c{c}" for c in range(100)]}))
    return root


def test_torchvision_cifar100_is_read_with_100_classes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import torchvision.datasets.cifar

    monkeypatch.setattr(torchvision.datasets.cifar, "check_integrity", lambda *args, **kwargs: True)
    root = _fake_cifar100(tmp_path / "data", per_class=5, test_per_class=2)
    splits = load_splits(DataConfig(dataset="cifar100", root=str(root), val_per_class=1, image_size=16), 32, 0)
    assert len(splits.classes) == 100 and (len(splits.train), len(splits.val), len(splits.test)) == (400, 100, 200)
    assert splits.train.images.shape[1:] == (3, 16, 16) and int(splits.val.labels.max()) == 99


def test_cifar100_as_an_image_folder_and_a_missing_copy(tmp_path: Path) -> None:
    root = make_folder(tmp_path / "data" / "cifar100-jpeg")
    splits = load_splits(DataConfig(dataset="cifar100", root=str(root.parent), val_per_class=1), 8, 0)
    assert splits.classes == ["class0", "class1", "class2"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(SgnasError, match=r"no train/ folder and no cifar-100-python/.*data\.download=true"):
        load_splits(DataConfig(dataset="cifar100", root=str(tmp_path / "empty")), 8, 0)
