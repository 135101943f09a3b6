"""A third party adds a search strategy and a path sampler the way any plugin does, editing no file of the project.

The test writes an installed distribution into a temporary folder: a module
that registers both with ``sgnas.registry``, and a ``.dist-info`` whose
``entry_points.txt`` names the module under ``sgnas.plugins`` (what pip writes
for ``[project.entry-points."sgnas.plugins"]``). With the folder on the path,
``sgnas search --help`` offers the strategy, the supernet trainer accepts the
sampler, the smoke harness trains with the one and searches with the other, and
the strategy's declared ``evaluation_based`` gets it the cost at SPOS's budget.

Broken plugins (one that raises at import, one with a syntax error, one that
registers names the library already has) are one warning line each, naming the
plugin, its distribution and the error, and the library's commands keep working.

Each of those runs real processes with the distribution installed (slow tier);
the fast tier loads the same plugin in this process through the same entry-point
loader (:func:`test_the_plugin_loaded_in_process_is_offered_everywhere`), and
the broken-plugin rules in-process are in ``test_sampler_registry.py``.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from sgnas import registry
from sgnas.cli import main

ROOT = Path(__file__).resolve().parents[1]

PLUGIN = '''
"""A third-party plugin: a two-path sampler and a first-feasible-draw strategy."""

import numpy as np

from sgnas.spaces.unified.architecture import random_architecture
from sgnas.registry import SAMPLERS, STRATEGIES
from sgnas.training.samplers import UniformSampler
from sgnas.search.strategy import SearchResult, SearchStrategy


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
    evaluation_based = True

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
        return SearchResult(self.name, target_macs, arch, cost.macs, cost.params, evaluator.accuracy(arch), 0.0, 0,
                            extra={"evaluations": 1})
'''

#: plugins that cannot work: raising at import (after registering a sampler), a syntax error, and names taken
#: (a strategy and a sampler the library has, a method key SGNAS's) beside one new strategy that works
BROKEN = {
    "raising": '''
from sgnas.registry import SAMPLERS
from sgnas.training.samplers import UniformSampler


@SAMPLERS.register("raising-path")
class RaisingSampler(UniformSampler):
    """Registered, but its module fails right after."""


raise RuntimeError("cannot reach the licence server")
''',
    "syntax": "from sgnas.registry import SAMPLERS\n\ndef broken(:\n    pass\n",
    "duplicate": '''
from sgnas.registry import SAMPLERS, STRATEGIES
from sgnas.training.samplers import UniformSampler
from sgnas.search.strategy import SearchStrategy


@STRATEGIES.register("evolution")
class Evolution(SearchStrategy):
    """Takes the name of the baselines' evolution."""

    def search(self, evaluator, target_macs, budget):
        raise AssertionError("the library's evolution must win")


@SAMPLERS.register("uniform")
class Uniform(UniformSampler):
    """Takes the name of the library's uniform sampler."""


@STRATEGIES.register("dup-fine")
class Fine(SearchStrategy):
    """A new name, kept; its method key is SGNAS's."""

    methods = {"sgnas": ("strict-fair", "Not SGNAS"), "dup-fine": ("strict-fair", "Fine")}

    def search(self, evaluator, target_macs, budget):
        raise NotImplementedError
''',
}


def _install(site: Path, entry: str, module: str, source: str) -> None:
    """What pip writes for a distribution ``<module>-0.1`` naming ``module`` as ``entry`` under ``sgnas.plugins``."""
    (site / f"{module}.py").write_text(textwrap.dedent(source))
    info = site / f"{module}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module.replace('_', '-')}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[sgnas.plugins]\n{entry} = {module}\n")


def _env(site: Path) -> dict[str, str]:
    path = os.pathsep.join([str(site), str(ROOT), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path, "PYTHONHASHSEED": "0"}


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    site = tmp_path_factory.mktemp("site")
    _install(site, "thirdparty", "thirdparty_nas", PLUGIN)
    return _env(site)


def _broken_env(site: Path, which: str) -> dict[str, str]:
    """The environment with the working third-party plugin and the broken plugin ``which`` installed in ``site``."""
    _install(site, "thirdparty", "thirdparty_nas", PLUGIN)
    _install(site, which, f"{which}_nas", BROKEN[which])
    return _env(site)


@pytest.fixture(scope="module", params=sorted(BROKEN))
def broken_env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str]]:
    """(which, environment) for each broken plugin of :data:`BROKEN`."""
    return request.param, _broken_env(tmp_path_factory.mktemp(f"broken-{request.param}"), request.param)


@pytest.fixture()
def plugin_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_registries: None) -> Iterator[None]:
    """The third-party plugin loaded in this process by the registries' own entry-point loader, and forgotten
    afterwards (every registry's entries restored, its module unloaded)."""
    _install(tmp_path, "thirdparty", "thirdparty_nas", PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    entry = importlib.metadata.EntryPoint("thirdparty", "thirdparty_nas", registry.PLUGIN_GROUP)
    library = list(registry.entry_points(group=registry.PLUGIN_GROUP))
    monkeypatch.setattr(registry, "entry_points", lambda group: [*library, entry])
    monkeypatch.setattr(registry, "_plugins_loaded", False)
    monkeypatch.delitem(sys.modules, "thirdparty_nas", raising=False)
    yield
    sys.modules.pop("thirdparty_nas", None)


def test_the_plugin_loaded_in_process_is_offered_everywhere(plugin_in_process: None,
                                                            capsys: pytest.CaptureFixture) -> None:
    """The fast stand-in of the real-process tests below: search offers the strategy, the trainer builds the
    sampler, and Table C costs the evaluation-based strategy at SPOS's budget."""
    from replication.cost_for_n import cost_rows, evaluation_strategies
    from sgnas.config.presets import load_preset
    from sgnas.training.samplers import build_sampler

    with pytest.raises(SystemExit) as done:
        main(["search", "--help"])
    assert done.value.code == 0 and "first-draw" in capsys.readouterr().out
    config = load_preset("smoke", ["supernet.sampler=two-path"])
    sampler = build_sampler(config.supernet.sampler, 3, 0)
    assert type(sampler).__name__ == "TwoPathSampler" and len(sampler.next_step()) == 2
    assert evaluation_strategies()[-1] == "first-draw"
    row = {"strategy": "first-draw", "target_macs_m": 8.0, "wall_seconds": 2.0, "forward_passes": 4,
           "evaluations": 1, "evaluation_budget": 60}
    first = cost_rows("first-draw", 0, [row, row])[0]
    assert (first["n"], first["wall_seconds_at_spos_budget"], first["evaluations"]) == (1, 2000.0, 1.0)


def _run(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout)


@pytest.mark.slow
def test_search_offers_the_plugin_strategy(plugin_env: dict[str, str]) -> None:
    done = _run(plugin_env, "-m", "sgnas.cli", "search", "--help")
    assert done.returncode == 0, done.stderr
    assert "first-draw" in done.stdout and "generator" in done.stdout
    assert "first-draw" not in _run({**plugin_env, "PYTHONPATH": str(ROOT)}, "-m", "sgnas.cli", "search",
                                    "--help").stdout


@pytest.mark.slow
def test_the_trainer_accepts_the_plugin_sampler(plugin_env: dict[str, str]) -> None:
    code = ("from sgnas.config.presets import load_preset; from sgnas.training.samplers import build_sampler; "
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
    cost = pd.read_csv(results / "cost_vs_n.csv")
    declared = cost[cost["method"] == "first-draw"]
    assert len(declared) == 4 and declared["wall_seconds_at_spos_budget"].notna().all()
    assert (declared["evaluations"] == 1).all(), "an evaluation-based plugin strategy is costed at SPOS's budget"


def _warnings(done: subprocess.CompletedProcess[str]) -> list[str]:
    """The stderr lines of a run, each checked to be a plugin warning (no traceback)."""
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert all(line.startswith("sgnas: warning: ") for line in lines), done.stderr
    return lines


def _check_reported(which: str, lines: list[str]) -> None:
    """The broken plugin ``which`` is named with its distribution and what went wrong, one line per problem."""
    assert lines and all(f"plugin {which!r} ({which}-nas 0.1, module {which}_nas)" in line for line in lines), \
        "\n".join(lines)
    if which == "raising":
        assert lines == ["sgnas: warning: plugin 'raising' (raising-nas 0.1, module raising_nas) is skipped: "
                         "RuntimeError: cannot reach the licence server"]
    elif which == "syntax":
        assert len(lines) == 1 and "is skipped: SyntaxError: " in lines[0]
    else:  # both providers of each taken name, the library's kept
        assert len(lines) == 2, lines
        assert "strategy 'evolution' is registered twice: by plugin 'baselines' (sgnas-replication" in lines[0]
        assert "as baselines.evolution.EvolutionSearch, kept, and by plugin 'duplicate'" in lines[0]
        assert "as duplicate_nas.Evolution, ignored" in lines[0]
        assert "sampler 'uniform' is registered twice: by the library (sgnas.training.samplers) as " \
               "sgnas.training.samplers.UniformSampler, kept, and by plugin 'duplicate'" in lines[1]


#: commands whose parsers list registry names (train-supernet's is a real command below)
HELP = [("-m", "sgnas.cli", "search", "--help"), ("replication/harness.py", "--help"), ("replication/ablate.py", "--help")]


@pytest.mark.slow
@pytest.mark.parametrize("command", HELP, ids=[" ".join(c[-2:]) for c in HELP])
def test_a_broken_plugin_is_reported_once_and_the_help_still_works(broken_env: tuple[str, dict[str, str]],
                                                                  command: tuple[str, ...]) -> None:
    which, env = broken_env
    done = _run(env, *command)
    assert done.returncode == 0, done.stderr
    lines = _warnings(done)
    if which == "duplicate" and command[0] == "replication/harness.py":  # the harness also lists methods: SGNAS keeps its key
        assert lines[-1].startswith("sgnas: warning: method 'sgnas' is declared twice: by strategy 'generator', "
                                    "kept, and by strategy 'dup-fine' (duplicate_nas), ignored")
        lines = lines[:-1]
    _check_reported(which, lines)
    if "search" in command:
        assert "first-draw" in done.stdout and "generator" in done.stdout
        assert ("dup-fine" in done.stdout) == (which == "duplicate")


@pytest.mark.slow
def test_a_broken_plugin_leaves_the_commands_working(broken_env: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    """The library's own commands run; a name only the broken plugin had is the usual one-line refusal."""
    which, env = broken_env
    done = _run(env, "-m", "sgnas.cli", "cost", "-".join(["33xxxx"] * 19), "--json")
    assert done.returncode == 0 and '"macs"' in done.stdout, done.stderr
    _check_reported(which, _warnings(done))
    runs = tmp_path / "runs"
    done = _run(env, "-m", "sgnas.cli", "train-supernet", "--preset", "smoke", "--runs-dir", str(runs),
                "--set", "supernet.sampler=raising-path")
    *warned, error = done.stderr.strip().splitlines()
    assert done.returncode == 2 and not runs.exists()
    assert error.startswith("sgnas: error: supernet.sampler must be one of strict-fair, uniform, ")
    offered = error.split(" must be one of ")[1].split(", got ")[0].split(", ")
    assert "two-path" in offered and "raising-path" not in offered
    _check_reported(which, warned)
    done = _run(env, "replication/harness.py", "--plan", "smoke", "--methods", "first-draw@raising-path",
                "--results", str(tmp_path / "results"))
    *warned, error = done.stderr.strip().splitlines()
    assert done.returncode == 2 and error.startswith("harness: error: unknown sampler 'raising-path'"), done.stderr
    assert not (tmp_path / "results").exists()


@pytest.mark.slow
def test_a_taken_name_stays_with_the_library(tmp_path: Path) -> None:
    env = _broken_env(tmp_path, "duplicate")
    code = ("from replication.methods import methods; from sgnas.registry import SAMPLERS, STRATEGIES; "
            "from sgnas.training.samplers import build_sampler; "
            "print(type(build_sampler('uniform', 3, 0)).__module__, STRATEGIES.get('evolution').__module__, "
            "STRATEGIES.get('dup-fine').__module__, methods()['sgnas'].strategy, methods()['dup-fine'].strategy)")
    done = _run(env, "-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["sgnas.training.samplers", "baselines.evolution", "duplicate_nas", "generator", "dup-fine"]


@pytest.mark.slow
def test_the_plugin_strategy_declares_its_cost_and_gets_spos_budget_costs(plugin_env: dict[str, str]) -> None:
    """``evaluation_based`` on the plugin's class is what puts it among the strategies extrapolated to SPOS's budget."""
    code = ("from replication.cost_for_n import cost_rows, evaluation_strategies, generator_strategies; "
            "r = {'strategy': 'first-draw', 'target_macs_m': 8.0, 'wall_seconds': 2.0, 'forward_passes': 4, "
            "'evaluations': 1, 'evaluation_budget': 60}; "
            "rows = cost_rows('first-draw', 0, [r, r]); "
            "print(','.join(evaluation_strategies()), ','.join(generator_strategies()), "
            "rows[0]['n'], rows[0]['wall_seconds_at_spos_budget'], rows[0]['evaluations'])")
    done = _run(plugin_env, "-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["evolution,random-search,first-draw", "generator", "1", "2000.0", "1.0"]
