"""A first run with no data folder: CIFAR-10 downloaded into the user's cache (served here from 127.0.0.1).

The archive is a small CIFAR-format one (every batch file of the original,
pickled the same way, a few images each) served by an HTTP server this module
starts; the download goes through the project's own path
(:func:`sgnas._infra.download.download_cifar10`, address and MD5 from
``$SGNAS_CIFAR10_URL`` / ``$SGNAS_CIFAR10_MD5``). torchvision checks every
extracted file against the original's checksums, so it is told this archive's.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import pickle
import socket
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from torchvision.datasets import CIFAR10

from sgnas._infra.download import default_data_dir
from sgnas._infra.errors import SgnasError
from sgnas.cli import main
from sgnas.config.schema import DataConfig
from sgnas.data import load_splits

CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
#: images per class in each training batch file and in the test batch (smoke needs 12 and 4 per class)
TRAIN_PER_CLASS_PER_BATCH, TEST_PER_CLASS = 3, 4


def _batch(name: str, per_class: int, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    labels = [c for c in range(len(CLASSES)) for _ in range(per_class)]
    data = rng.integers(0, 256, (len(labels), 3 * 32 * 32), dtype=np.uint8)
    return pickle.dumps({"batch_label": name, "labels": labels, "data": data,
                         "filenames": [f"{name}_{i}.png" for i in range(len(labels))]})


def _members() -> dict[str, bytes]:
    members = {f"data_batch_{i}": _batch(f"data_batch_{i}", TRAIN_PER_CLASS_PER_BATCH, i) for i in range(1, 6)}
    members["test_batch"] = _batch("test_batch", TEST_PER_CLASS, 0)
    members["batches.meta"] = pickle.dumps({"label_names": CLASSES, "num_cases_per_batch": 30, "num_vis": 3072})
    return members


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


@dataclass
class Served:
    url: str
    md5: str
    requests: list[str]


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        self.server.requests.append(self.path)  # type: ignore[attr-defined]


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    """The archive on http://127.0.0.1, the project pointed at it, and the user's cache in ``tmp_path``."""
    members = _members()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    folder = tmp_path / "served"
    folder.mkdir()
    (folder / CIFAR10.filename).write_bytes(buffer.getvalue())
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(folder)))
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{CIFAR10.filename}"
    monkeypatch.setattr(CIFAR10, "train_list", [[f"data_batch_{i}", _md5(members[f"data_batch_{i}"])] for i in range(1, 6)])
    monkeypatch.setattr(CIFAR10, "test_list", [["test_batch", _md5(members["test_batch"])]])
    monkeypatch.setattr(CIFAR10, "meta", {**CIFAR10.meta, "md5": _md5(members["batches.meta"])})
    monkeypatch.setenv("SGNAS_CIFAR10_URL", url)
    monkeypatch.setenv("SGNAS_CIFAR10_MD5", _md5(buffer.getvalue()))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setenv("SGNAS_CACHE_DIR", str(tmp_path / "decoded"))
    monkeypatch.delenv("SGNAS_DATA_DIR", raising=False)
    yield Served(url, _md5(buffer.getvalue()), server.requests)  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _one_line_error(capsys: pytest.CaptureFixture[str], code: int) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert err[0].startswith("sgnas: error: ")
    return err[0]


def test_the_default_folder_is_in_the_user_cache(served: Served, tmp_path: Path) -> None:
    assert default_data_dir() == tmp_path / "user-cache" / "sgnas" / "data"


def test_a_first_run_downloads_cifar10_once_and_goes_on(served: Served, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    runs = str(tmp_path / "runs")
    assert main(["train-supernet", "--preset", "smoke", "--runs-dir", runs, "--json"]) == 0
    err = capsys.readouterr().err
    assert f"downloaded CIFAR-10 from {served.url}" in err
    data = tmp_path / "user-cache" / "sgnas" / "data"
    assert sorted(p.name for p in (data / "cifar-10-batches-py").iterdir()) == sorted(_members())
    fetched = len(served.requests)
    assert fetched >= 1
    assert main(["evaluate", "-".join(["333333"] * 19), "--preset", "smoke", "--runs-dir", runs, "--json"]) == 0
    assert len(served.requests) == fetched, "a later step finds the download and fetches nothing"
    assert "downloaded" not in capsys.readouterr().err


def test_offline_is_one_line_that_says_what_to_pass(served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/{CIFAR10.filename}"
    monkeypatch.setenv("SGNAS_CIFAR10_URL", url)
    line = _one_line_error(capsys, main(["train-supernet", "--preset", "smoke", "--runs-dir", str(tmp_path / "runs")]))
    assert f"the download from {url} failed: " in line and "refused" in line
    assert "--data-dir DIR" in line and "$SGNAS_DATA_DIR" in line
    assert not (default_data_dir() / CIFAR10.filename).exists()


def _local_copy(tmp_path: Path) -> str:
    """The served archive's ``file://`` address (a local mirror, as ``$SGNAS_CIFAR10_URL`` may name one)."""
    return (tmp_path / "served" / CIFAR10.filename).as_uri()


def test_a_file_address_is_copied_and_extracted(served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SGNAS_CIFAR10_URL", _local_copy(tmp_path))
    splits = load_splits(DataConfig(dataset="cifar10", val_per_class=1, test_per_class=2), 32, 0)
    assert (len(splits.train), len(splits.val), len(splits.test)) == (140, 10, 20)
    assert f"downloaded CIFAR-10 from {_local_copy(tmp_path)}" in capsys.readouterr().err
    assert not served.requests


def test_a_missing_file_address_is_one_line(served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    url = (tmp_path / "nowhere" / CIFAR10.filename).as_uri()
    monkeypatch.setenv("SGNAS_CIFAR10_URL", url)
    line = _one_line_error(capsys, main(["train-supernet", "--preset", "smoke", "--runs-dir", str(tmp_path / "runs")]))
    assert f"the download from {url} failed: " in line and "No such file or directory" in line
    assert not (default_data_dir() / CIFAR10.filename).exists() and not (tmp_path / "runs").exists()


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_an_archive_with_another_checksum_is_refused_and_removed(served: Served, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch, scheme: str) -> None:
    if scheme == "file":
        monkeypatch.setenv("SGNAS_CIFAR10_URL", _local_copy(tmp_path))
    monkeypatch.setenv("SGNAS_CIFAR10_MD5", "0" * 32)
    with pytest.raises(SgnasError, match="does not have the expected MD5") as info:
        load_splits(DataConfig(dataset="cifar10", val_per_class=1), 32, 0)
    assert "\n" not in str(info.value)
    assert not (default_data_dir() / CIFAR10.filename).exists()
    assert not (default_data_dir() / "cifar-10-batches-py").exists()


def test_a_given_folder_is_filled_only_when_asked(served: Served, tmp_path: Path) -> None:
    given = tmp_path / "mine"
    given.mkdir()
    config = DataConfig(dataset="cifar10", val_per_class=1, test_per_class=2)
    with pytest.raises(SgnasError, match=r"has no train/ folder and no cifar-10-batches-py/.*data\.download=true"):
        load_splits(config, 32, 0, given)
    assert not served.requests
    splits = load_splits(DataConfig(dataset="cifar10", val_per_class=1, test_per_class=2, download=True), 32, 0, given)
    assert (len(splits.train), len(splits.val), len(splits.test)) == (140, 10, 20)
    assert splits.classes == CLASSES and not default_data_dir().exists()


def test_other_datasets_are_not_downloaded(served: Served) -> None:
    with pytest.raises(SgnasError, match=r"no data folder for imagefolder: pass --data-dir DIR or set \$SGNAS_DATA_DIR"):
        load_splits(DataConfig(dataset="imagefolder"), 32, 0)
    assert not served.requests


@pytest.mark.slow
@pytest.mark.e2e
def test_the_main_job_runs_with_no_data_folder(served: Served, tmp_path: Path) -> None:
    from replication.replicate_table import main as replicate

    # one process: the served archive's checksums are patched into torchvision here, not in worker processes
    assert replicate(["--preset", "smoke", "--seeds", "0", "--out", str(tmp_path / "results"), "--jobs", "1",
                      "--no-ablations"]) == 0
    assert (tmp_path / "results" / "table_b.csv").exists() and served.requests
