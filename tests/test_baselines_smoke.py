"""Every baseline strategy at the smoke preset, over a real (tiny, synthetic-data) trained supernet.

Runs through what users run: the ``search`` command's registry and
``from_context`` construction, the real BN-recalibrating
:class:`sgnas.supernet.evaluator.SupernetEvaluator`, and ``sgnas search`` itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from baselines_support import one_thread

from sgnas.cli import main as sgnas_main
from sgnas.config.presets import load_preset
from sgnas.pipeline import build_strategy, prepare, search_context, search_targets, train_supernet

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures(one_thread.__name__)]
BASELINES = ("evolution", "random", "random-search", "proxyless")
SMOKE = ["data.dataset=synthetic", "search.budget=8"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path, Path]:
    runs = tmp_path_factory.mktemp("runs")
    runtime = prepare(load_preset("smoke", SMOKE))
    return runtime, train_supernet(runtime, runs).path, runs


@pytest.mark.parametrize("name", BASELINES)
def test_strategy_searches_the_smoke_supernet_within_the_target(trained, name):
    runtime, supernet_run, _ = trained
    context = search_context(runtime, supernet_run / "supernet.pt")
    config = runtime.config
    targets = [config.generator.target_low, config.generator.target_high]
    results = search_targets(build_strategy(name, context), context, targets)
    for result in results:
        assert result.strategy == name and result.architecture.is_canonical()
        assert 0.0 <= result.accuracy <= 100.0
        record = result.to_json()
        assert record["wall_seconds"] >= 0 and record["forward_passes"] >= 0
        if name != "proxyless":  # the gradient search meets no hard limit: its MACs are what alpha settles on
            assert result.macs <= result.target_macs
    if name in ("evolution", "random-search"):
        assert all(r.extra["evaluations"] <= config.search.budget for r in results)
        assert all(r.forward_passes > 0 for r in results)
    if name == "proxyless":
        steps = config.generator.epochs * len(runtime.batches("val", config.generator.batch_size, True))
        assert all(r.extra["gate_steps"] == steps == r.forward_passes for r in results)


def test_search_command_runs_a_baseline(trained, capsys):
    runtime, supernet_run, runs = trained
    target = runtime.config.generator.target_low
    overrides = [arg for item in SMOKE for arg in ("--set", item)]
    code = sgnas_main(["search", "--strategy", "random-search", "--supernet", str(supernet_run), "--preset", "smoke",
                       *overrides, "--targets", str(target), "--json", "--runs-dir", str(runs)])
    assert code == 0
    output = json.loads(capsys.readouterr().out)
    (record,) = output["results"]
    assert record["strategy"] == "random-search" and record["macs_m_in_convention"] <= target
