"""A third party adds a search strategy and a path sampler the way any plugin does, editing no file of the project.

The test writes an installed distribution into a temporary folder: a module
that registers both with ``sgnas.registry``, and a ``.dist-info`` whose
``entry_points.txt`` names the module under ``sgnas.plugins`` (what pip writes
for ``[project.entry-points."sgnas.plugins"]``). With the folder on the path,
``sgnas search --help`` offers the strategy, the supernet trainer accepts the
sampler, and the smoke harness trains with the one and searches with the other.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]

PLUGIN = '''
"""A third-party plugin: a two-path sampler and a first-feasible-draw strategy."""

import numpy as np

from sgnas.architecture import random_architecture
from sgnas.registry import SAMPLERS, STRATEGIES
from sgnas.samplers import UniformSampler
from sgnas.strategy import SearchResult, SearchStrategy


@SAMPLERS.register("two-path")
class TwoPathSampler(UniformSampler):
    """Two independent uniform paths per step."""

    paths_per_step = 2
    label = "two uniform paths"

    def _draw(self):
        return super()._draw() + super()._draw()


@STRATEGIES.register("first-draw")
class FirstDraw(SearchStrategy):
    """The first random architecture within the target."""

    methods = {"first-draw": ("two-path", "First feasible draw")}

    def __init__(self, seed=0, forced_sampling=True):
        self.seed, self.forced_sampling = seed, forced_sampling

    def search(self, evaluator, target_macs, budget):
        rng = np.random.default_rng(self.seed)
        cost_model = evaluator.cost_model
        layers = cost_model.space.num_layers
        arch = random_architecture(layers, rng, self.forced_sampling, density=0.0)
        for _ in range(1000):
            draw = random_architecture(layers, rng, self.forced_sampling)
            if cost_model.macs(draw) <= target_macs:
                arch = draw
                break
        cost = cost_model.cost(arch)
        return SearchResult(self.name, target_macs, arch, cost.macs, cost.params, evaluator.accuracy(arch), 0.0, 0)
'''


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    site = tmp_path_factory.mktemp("site")
    (site / "thirdparty_nas.py").write_text(textwrap.dedent(PLUGIN))
    info = site / "thirdparty_nas-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: thirdparty-nas\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[sgnas.plugins]\nthirdparty = thirdparty_nas\n")
    path = os.pathsep.join([str(site), str(ROOT), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path, "PYTHONHASHSEED": "0"}


def _run(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout)


def test_search_offers_the_plugin_strategy(plugin_env: dict[str, str]) -> None:
    done = _run(plugin_env, "-m", "sgnas.cli", "search", "--help")
    assert done.returncode == 0, done.stderr
    assert "first-draw" in done.stdout and "generator" in done.stdout
    assert "first-draw" not in _run({**plugin_env, "PYTHONPATH": str(ROOT)}, "-m", "sgnas.cli", "search",
                                    "--help").stdout


def test_the_trainer_accepts_the_plugin_sampler(plugin_env: dict[str, str]) -> None:
    code = ("from sgnas.presets import load_preset; from sgnas.samplers import build_sampler; "
            "c = load_preset('smoke', ['supernet.sampler=two-path']); "
            "s = build_sampler(c.supernet.sampler, 3, 0); print(type(s).__name__, len(s.next_step()))")
    done = _run(plugin_env, "-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["TwoPathSampler", "2"]


@pytest.mark.slow
def test_the_smoke_harness_runs_the_plugin_method(plugin_env: dict[str, str], tmp_path: Path) -> None:
    results = tmp_path / "results"
    done = _run(plugin_env, "replication/harness.py", "--plan", "smoke", "--seeds", "0", "--methods", "first-draw",
                "random-search@two-path", "--results", str(results), "--set", "data.dataset=synthetic",
                "search.budget=4", timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    search = pd.read_csv(results / "search.csv")
    assert set(search["method"]) == {"first-draw", "random-search@two-path"}
    assert len(search) == 6 and search["supernet_accuracy"].notna().all()
    assert (search["macs_m"] > 0).all()
    supernets = list((results / "runs" / "supernet").glob("*/config.json"))
    assert len(supernets) == 1 and '"two-path"' in supernets[0].read_text()
