"""Test configuration: hypothesis profiles, and the data directory read through the project's data option."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile(
    "ci",
    max_examples=15,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# CI's extra pass (tools/random_hypothesis_pass.py): like "ci", but the examples follow --hypothesis-seed,
# which that pass draws fresh and prints, so rare failures surface over many runs and replay from the seed
# alone (no example database, which would try earlier failures first).
settings.register_profile("ci-random", settings.get_profile("ci"), derandomize=False, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared data folder: $SGNAS_DATA_DIR, else ../shared/data beside the checkout; skip if absent."""
    candidate = os.environ.get("SGNAS_DATA_DIR") or str(ROOT.parent / "shared" / "data")
    path = Path(candidate)
    if not (path / "cifar10-jpeg").is_dir():
        pytest.skip(f"shared data not found at {path} (set SGNAS_DATA_DIR)")
    return path


@pytest.fixture(scope="session")
def reference_file() -> Path:
    """The shared reference architectures file, for tests that check the project's copy against it."""
    path = Path(os.environ.get("SGNAS_DATA_DIR") or ROOT.parent / "shared" / "data").parent / "reference" / "architectures.json"
    if not path.exists():
        pytest.skip(f"reference file not found at {path}")
    return path


@pytest.fixture(scope="session")
def smoke_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished smoke pipeline on synthetic data (supernet, generator, search, stand-alone evaluations),
    trained once per session. Read-only: a test that writes runs works on a copy (``pipeline_support.copy_smoke_pipeline``)."""
    from sgnas.cli import main

    root = tmp_path_factory.mktemp("smoke-pipeline")
    assert main(["pipeline", "--preset", "smoke", "--set", "data.dataset=synthetic", "--runs-dir", str(root),
                 "--json"]) == 0
    return root



@pytest.fixture()
def isolated_registries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every registry as loaded (the library's plugins first, as in a real process), restored after the test:
    what the test registers, or a plugin it loads, is forgotten."""
    from sgnas import registry

    for each in registry._REGISTRIES:
        each.names()
        monkeypatch.setattr(each, "_entries", dict(each._entries))
        monkeypatch.setattr(each, "_providers", dict(each._providers))
