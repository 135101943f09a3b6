"""The default data folder, and CIFAR-10 downloaded into it, so that a first run needs no set-up.

CIFAR-100 (``data.dataset=cifar100``) is downloaded, by torchvision, only when
asked (``--set data.download=true``).

Without ``--data-dir`` or ``$SGNAS_DATA_DIR``, every step reads its images
from :func:`default_data_dir` (``data/`` in the user's cache folder:
``$XDG_CACHE_HOME/sgnas/data``, by default ``~/.cache/sgnas/data`` on Linux).
When the dataset is CIFAR-10 and that folder holds no copy of it, torchvision's
archive is downloaded there (with a progress bar), checked against its MD5 and
extracted; later runs find it. An explicitly given folder is never filled
unasked (``--set data.download=true`` asks).

The archive's address and checksum are torchvision's (``CIFAR10.url``,
``CIFAR10.tgz_md5``) unless ``$SGNAS_CIFAR10_URL`` (a mirror, or a local copy
as a ``file://`` address) and ``$SGNAS_CIFAR10_MD5`` say otherwise.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tarfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sgnas._infra.errors import SgnasError

__all__ = [
    "CIFAR10_MD5_ENV",
    "CIFAR10_URL_ENV",
    "DATA_ENV",
    "cifar10_source",
    "check_data_dir",
    "default_data_dir",
    "download_cifar10",
    "download_cifar100",
    "provide_data",
]

DATA_ENV = "SGNAS_DATA_DIR"
CIFAR10_URL_ENV = "SGNAS_CIFAR10_URL"
CIFAR10_MD5_ENV = "SGNAS_CIFAR10_MD5"
#: a stalled connection fails after this long instead of hanging the run
_SOCKET_TIMEOUT = 60.0
_WHAT_TO_PASS = f"pass --data-dir DIR or set ${DATA_ENV} to a folder that holds it"


def check_data_dir(root: str | Path) -> Path:
    """``root`` as a path, or a one-line error where it is not a folder (a regular file, or nothing at all)."""
    root = Path(root).expanduser()
    if root.exists() and not root.is_dir():
        raise SgnasError(f"data folder {root} is a file, not a folder: give the folder that holds the dataset")
    if not root.is_dir():
        raise SgnasError(f"data folder {root} does not exist")
    return root


def default_data_dir() -> Path:
    """``data/`` in the user's cache folder (platformdirs; ``$XDG_CACHE_HOME`` on Linux)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("sgnas")) / "data"


def cifar10_source() -> tuple[str, str]:
    """(address, MD5) of the CIFAR-10 archive: torchvision's, or ``$SGNAS_CIFAR10_URL`` / ``$SGNAS_CIFAR10_MD5``."""
    from torchvision.datasets import CIFAR10

    return os.environ.get(CIFAR10_URL_ENV) or CIFAR10.url, os.environ.get(CIFAR10_MD5_ENV) or CIFAR10.tgz_md5


def _holds_image_folder(root: Path, dataset: str = "cifar10") -> bool:
    """Whether ``root`` has an ImageFolder copy (``train/``, or ``cifar10-jpeg/train/`` / ``cifar100-jpeg/train/``)."""
    jpeg = "cifar100-jpeg" if dataset == "cifar100" else "cifar10-jpeg"
    return (root / "train").is_dir() or (root / jpeg / "train").is_dir()


def _intact(root: Path) -> bool:
    """Whether the extracted batches are there with torchvision's checksums (what ``CIFAR10`` checks on load)."""
    from torchvision.datasets import CIFAR10
    from torchvision.datasets.utils import check_integrity

    folder = root / CIFAR10.base_folder
    files = [*CIFAR10.train_list, *CIFAR10.test_list, [CIFAR10.meta["filename"], CIFAR10.meta["md5"]]]
    return all(check_integrity(str(folder / name), md5) for name, md5 in files)


@contextmanager
def _socket_timeout(seconds: float) -> Iterator[None]:
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def _reason(err: BaseException) -> str:
    if isinstance(err, urllib.error.URLError) and not isinstance(err, urllib.error.HTTPError):
        return str(err.reason)
    if isinstance(err, RuntimeError):  # torchvision's check_integrity failing after the download
        return "the archive does not have the expected MD5"
    return str(err).splitlines()[0] if str(err) else type(err).__name__


def _copy_local(url: str, archive: Path, md5: str) -> None:
    """A ``file://`` archive copied to where torchvision's download writes it, and MD5-checked there.

    torchvision's download reads a response's length for its progress bar, which a local file's response
    lacks; with the intact archive in place, its :func:`download_and_extract_archive` skips the download
    and extracts it like a downloaded one.
    """
    from torchvision.datasets.utils import check_integrity

    shutil.copyfile(urllib.request.url2pathname(urllib.parse.urlparse(url).path), archive)
    if not check_integrity(str(archive), md5):
        raise RuntimeError(f"{archive} does not have the MD5 {md5}")  # _reason words it as torchvision's failed check


def download_cifar100(root: Path) -> None:
    """torchvision's CIFAR-100 into ``root`` (its own download, MD5 check and extraction), only when asked."""
    from filelock import FileLock
    from torchvision.datasets import CIFAR100

    try:
        root.mkdir(parents=True, exist_ok=True)
        with FileLock(str(root / ".cifar-100-download.lock")), _socket_timeout(_SOCKET_TIMEOUT):
            CIFAR100(str(root), train=True, download=True)
    except (OSError, RuntimeError, tarfile.TarError, ValueError) as err:
        (root / CIFAR100.filename).unlink(missing_ok=True)
        raise SgnasError(f"CIFAR-100 is not in {root} and the download from {CIFAR100.url} failed: {_reason(err)}; "
                         f"{_WHAT_TO_PASS}") from None


def download_cifar10(root: Path) -> None:
    """torchvision's CIFAR-10 archive into ``root``, MD5-checked and extracted (nothing to do if it is there).

    A file lock in ``root`` lets concurrent runs wait for one download instead
    of writing the same archive at once.
    """
    from filelock import FileLock
    from torchvision.datasets import CIFAR10
    from torchvision.datasets.utils import download_and_extract_archive

    url, md5 = cifar10_source()
    archive = root / CIFAR10.filename
    try:
        root.mkdir(parents=True, exist_ok=True)
        with FileLock(str(root / ".cifar-10-download.lock")):
            if _intact(root):
                return
            if urllib.parse.urlparse(url).scheme == "file":
                _copy_local(url, archive, md5)
            with _socket_timeout(_SOCKET_TIMEOUT):
                download_and_extract_archive(url, str(root), filename=CIFAR10.filename, md5=md5)
    except (OSError, RuntimeError, tarfile.TarError, ValueError) as err:
        archive.unlink(missing_ok=True)  # a partial or corrupt archive is never taken for the real one
        raise SgnasError(f"CIFAR-10 is not in {root} and the download from {url} failed: {_reason(err)}; "
                         f"{_WHAT_TO_PASS}") from None
    # Said afterwards, so that an offline machine gets the error line alone.
    print(f"downloaded CIFAR-10 from {url} into {root}", file=sys.stderr, flush=True)


def provide_data(root: Path, dataset: str, download: bool) -> None:
    """Make sure ``root`` can serve ``dataset``: download CIFAR-10 when asked (``download``), or when
    ``root`` is the default folder and holds no intact copy; refuse other datasets there with what to pass.

    An interrupted extraction into the default folder is thus redone on the next run.
    """
    is_default = root == default_data_dir()
    if dataset == "cifar100":
        if download:
            download_cifar100(root)
        elif is_default and not (root / "cifar-100-python").is_dir() and not _holds_image_folder(root, dataset):
            raise SgnasError(f"CIFAR-100 is not in {root} (only CIFAR-10 is downloaded unasked): "
                             f"--set data.download=true fetches torchvision's copy, or {_WHAT_TO_PASS}")
        return
    if dataset != "cifar10":
        if is_default and not _holds_image_folder(root):
            raise SgnasError(f"no data folder for {dataset}: pass --data-dir DIR or set ${DATA_ENV} "
                             f"(only CIFAR-10 is downloaded into the default folder {root})")
        return
    if download or (is_default and not _holds_image_folder(root)):
        download_cifar10(root)
