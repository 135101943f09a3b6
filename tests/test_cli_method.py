"""Bad input to the method's commands: one ``sgnas: error:`` line, exit status 2, nothing half-written."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import pandas as pd
import pytest
from pipeline_support import copy_smoke_pipeline

from sgnas import registry
from sgnas._infra.errors import SgnasError
from sgnas.cli import main
from sgnas.config.presets import load_preset
from sgnas.registry import STRATEGIES
from sgnas.spaces.unified.choices import UnifiedChoices
from sgnas.training.checkpoint import save_checkpoint

SYNTHETIC = ["--set", "data.dataset=synthetic"]


def run_cli(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, fragment: str) -> None:
    lines = [line for line in err.splitlines() if line.startswith("sgnas: error:")]
    assert code == 2 and len(lines) == 1 and fragment in lines[0], err


@pytest.fixture(scope="module")
def smoke_runs(smoke_pipeline: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A finished synthetic-data smoke supernet and generator (the session's pipeline, copied)."""
    root = copy_smoke_pipeline(smoke_pipeline, tmp_path_factory.mktemp("method") / "runs")
    generator = next((root / "generator").iterdir())
    supernet = next((root / "supernet").iterdir())
    return {"root": str(root), "generator": str(generator), "supernet": str(supernet)}


def test_unknown_config_key(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "train-supernet", "--preset", "smoke", "--set", "supernet.epoch=3",
                           "--runs-dir", str(tmp_path))
    assert_one_line_error(code, err, "unknown config key 'supernet.epoch'")
    assert not any(tmp_path.iterdir()), "nothing is written for a rejected config"


def test_empty_dataset_folder(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    code, _, err = run_cli(capsys, "train-supernet", "--preset", "smoke", "--data-dir", str(tmp_path / "data"),
                           "--runs-dir", str(tmp_path / "runs"))
    assert_one_line_error(code, err, "has no train/")
    (tmp_path / "data" / "train" / "cat").mkdir(parents=True)
    (tmp_path / "data" / "test" / "cat").mkdir(parents=True)
    code, _, err = run_cli(capsys, "train-supernet", "--preset", "smoke", "--data-dir", str(tmp_path / "data"),
                           "--runs-dir", str(tmp_path / "runs"))
    assert_one_line_error(code, err, "holds no images")


def test_missing_and_corrupt_supernet_checkpoints(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "train-generator", "--supernet", str(tmp_path / "nothing.pt"), "--preset", "smoke")
    assert_one_line_error(code, err, "does not exist")
    corrupt = tmp_path / "supernet.pt"
    corrupt.write_bytes(b"PK\x03\x04 truncated")
    code, _, err = run_cli(capsys, "train-generator", "--supernet", str(corrupt), "--preset", "smoke", *SYNTHETIC,
                           "--runs-dir", str(tmp_path / "runs"))
    assert_one_line_error(code, err, "corrupt")


def test_checkpoint_from_another_space_or_preset(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    proxy_space = load_preset("proxy").space.build().describe()
    foreign = tmp_path / "supernet.pt"
    save_checkpoint(foreign, {"kind": "supernet", "space": proxy_space, "preset": "proxy"})
    code, _, err = run_cli(capsys, "train-generator", "--supernet", str(foreign), "--preset", "smoke", *SYNTHETIC,
                           "--runs-dir", str(tmp_path / "runs"))
    assert_one_line_error(code, err, "is for the cifar space at resolution 16, width 0.5, not the cifar space at resolution 8")
    smoke_space = load_preset("smoke").space.build().describe()
    training = tmp_path / "training.pt"
    save_checkpoint(training, {"kind": "supernet-training", "space": smoke_space, "preset": "proxy"})
    code, _, err = run_cli(capsys, "train-supernet", "--preset", "smoke", *SYNTHETIC, "--resume", str(training),
                           "--runs-dir", str(tmp_path / "runs"))
    assert_one_line_error(code, err, "comes from preset 'proxy'")


@pytest.mark.slow
def test_targets_outside_the_range(capsys: pytest.CaptureFixture, smoke_runs: dict[str, str]) -> None:
    config = load_preset("smoke")
    high = config.generator.target_high
    base = ["search", "--generator", smoke_runs["generator"], "--runs-dir", smoke_runs["root"], "--no-accuracy"]
    code, _, err = run_cli(capsys, *base, "--targets", str(high * 1.2))
    assert_one_line_error(code, err, "outside the generator's trained range")
    code, out, err = run_cli(capsys, *base, "--targets", str(high * 1.2), "--extrapolate", "--json")
    assert code == 0 and "warning" in err and json.loads(out)["results"][0]["supernet_accuracy"] is None
    code, _, err = run_cli(capsys, *base, "--targets", "1000", "--extrapolate")
    assert_one_line_error(code, err, "outside the space's range")
    code, _, err = run_cli(capsys, *base)
    assert_one_line_error(code, err, "no targets")


@pytest.mark.slow
def test_search_with_a_registered_baseline(capsys: pytest.CaptureFixture, smoke_runs: dict[str, str]) -> None:
    pytest.importorskip("baselines.random_search")
    config = load_preset("smoke")
    middle = (config.generator.target_low + config.generator.target_high) / 2
    code, out, err = run_cli(capsys, "search", "--strategy", "random-search", "--supernet", smoke_runs["supernet"],
                             "--targets", str(middle), "--budget", "2", "--runs-dir", smoke_runs["root"], "--json")
    assert code == 0, err
    result = json.loads(out)["results"][0]
    assert result["strategy"] == "random-search" and result["supernet_accuracy"] is not None


def test_generator_strategy_needs_a_generator_run(capsys: pytest.CaptureFixture) -> None:
    code, _, err = run_cli(capsys, "search", "--targets", "0.5")
    assert_one_line_error(code, err, "needs --generator")
    code, _, err = run_cli(capsys, "search", "--strategy", "prior", "--targets", "0.5")
    assert_one_line_error(code, err, "the prior strategy needs --generator")


@pytest.mark.slow
def test_search_with_the_prior_strategy_returns_the_generators_prior(capsys: pytest.CaptureFixture,
                                                                     smoke_runs: dict[str, str]) -> None:
    import torch

    from sgnas.search.generator import PriorPool

    config = load_preset("smoke")
    low, high = config.generator.target_low, config.generator.target_high
    code, out, err = run_cli(capsys, "search", "--strategy", "prior", "--generator", smoke_runs["generator"],
                             "--targets", str(low), str(high), "--runs-dir", smoke_runs["root"], "--json")
    assert code == 0, err
    saved = json.loads(out)
    pool = PriorPool.from_state(torch.load(Path(smoke_runs["generator"]) / "generator.pt",
                                           weights_only=False)["prior_pool"], UnifiedChoices(19))
    assert [r["strategy"] for r in saved["results"]] == ["prior", "prior"]
    assert [r["architecture"] for r in saved["results"]] == [pool.archs[0].canonical().to_string()] * 2, \
        "one prior (the official pool) answers every target"
    assert all(r["forward_passes"] == 0 for r in saved["results"])


def test_strategy_registry_errors(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SgnasError, match="unknown strategy"):
        STRATEGIES.get("annealing")
    missing = importlib.metadata.EntryPoint("broken", "no_such_package.evolution", registry.PLUGIN_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [missing])
    monkeypatch.setattr(registry, "_plugins_loaded", False)
    monkeypatch.setattr(registry, "_warned", set())
    assert STRATEGIES.get("evolution").name == "evolution", "a plugin that is not installed leaves the others"
    assert capsys.readouterr().err.splitlines() == [
        "sgnas: warning: plugin 'broken' (module no_such_package.evolution) is skipped: "
        "ModuleNotFoundError: No module named 'no_such_package'"]
    monkeypatch.undo()
    assert STRATEGIES.get("generator").name == "generator"


def test_bad_architecture_for_evaluate(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "evaluate", "33xxxx-33xxxx", "--preset", "smoke", *SYNTHETIC,
                           "--runs-dir", str(tmp_path))
    assert_one_line_error(code, err, "architecture has 2 layers")


@pytest.mark.slow
def test_searches_are_runs_that_cost_for_n_finds(capsys: pytest.CaptureFixture, smoke_runs: dict[str, str],
                                                 tmp_path: Path) -> None:
    """``sgnas search`` saves a ``search`` run; the cost table reads it and the training runs' recorded costs."""
    from replication import cost_for_n
    from sgnas._infra.runs import RunDir

    config = load_preset("smoke")
    middle = (config.generator.target_low + config.generator.target_high) / 2
    base = ["search", "--generator", smoke_runs["generator"], "--runs-dir", smoke_runs["root"], "--no-accuracy",
            "--targets", str(middle)]
    code, out, err = run_cli(capsys, *base)
    assert code == 0, err
    run = RunDir(Path(next(line for line in out.splitlines() if line.startswith("run: "))[5:]))
    assert run.finished and run.path.parent == Path(smoke_runs["root"]) / "search"
    saved = json.loads((run.path / "config.json").read_text())
    assert saved["kind"] == "search" and saved["config"]["strategy"] == "generator"
    assert saved["config"]["targets"] == [middle] and saved["config"]["generator_run"] == Path(smoke_runs["generator"]).name
    assert run.results["strategy"] == "generator" and len(run.results["results"]) == 1

    code, out, _ = run_cli(capsys, *base, "--json")
    assert code == 0 and json.loads(out)["run"] == str(run.path), "the same search reuses its finished run"

    for kind in ("supernet", "generator"):
        results = RunDir(Path(smoke_runs[kind])).results
        assert results["wall_seconds"] > 0 and results["forward_passes"] > 0, kind
    assert cost_for_n.main(["--runs-dir", smoke_runs["root"], "--out", str(tmp_path)]) == 0
    table = pd.read_csv(tmp_path / "cost_for_n.csv")
    generator = table[table["strategy"] == "generator"]
    assert not generator.empty and generator["one_time_forward_passes"].notna().all()
    assert (generator["one_time_forward_passes"] == RunDir(Path(smoke_runs["generator"])).results["forward_passes"]).all()


USAGE_ERRORS = [
    (["train-supernet", "--no-such-option"], "sgnas: error: unrecognized arguments: --no-such-option"),
    (["train-supernet", "--seed", "abc"], "sgnas: error: argument --seed: invalid int value: 'abc' (see sgnas "
     "train-supernet --help)"),
    (["cost"], "sgnas: error: the following arguments are required: ARCH (see sgnas cost --help)"),
    (["search", "--sweep", "x"], "sgnas: error: argument --sweep: invalid int value: 'x'"),
    (["no-such-command"], "sgnas: error: argument COMMAND: invalid choice: 'no-such-command'"),
    ([], "sgnas: error: the following arguments are required: COMMAND (see sgnas --help)"),
]


@pytest.mark.parametrize(("args", "line"), USAGE_ERRORS, ids=[" ".join(a) or "nothing" for a, _ in USAGE_ERRORS])
def test_usage_errors_are_one_line_without_the_usage_block(capsys: pytest.CaptureFixture, args: list[str],
                                                           line: str) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(args)
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and len(err.strip().splitlines()) == 1 and err.startswith(line), err
    assert "usage:" not in err


def test_help_is_still_the_full_help(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["cost", "--help"])
    out = capsys.readouterr().out
    assert stopped.value.code == 0 and out.startswith("usage: sgnas cost") and "--num-classes" in out


@pytest.mark.parametrize(("option", "message"), [
    (["--sweep", "1000000"], "--sweep must be from 2 to 10,000 targets, got 1000000"),
    (["--sweep", "1"], "--sweep must be from 2 to 10,000 targets, got 1"),
    (["--budget", "1000000"], "search.budget must be from 1 to 100,000 architectures, got 1000000"),
])
def test_search_counts_are_bounded(capsys: pytest.CaptureFixture, smoke_runs: dict[str, str], tmp_path: Path,
                                   option: list[str], message: str) -> None:
    code, _, err = run_cli(capsys, "search", "--generator", smoke_runs["generator"], "--targets", "8", *option,
                           "--runs-dir", str(tmp_path / "runs"))
    assert_one_line_error(code, err, message)
    assert not (tmp_path / "runs").exists()


def test_a_data_folder_that_is_a_file_says_so(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    (tmp_path / "data").write_text("x")
    code, _, err = run_cli(capsys, "train-supernet", "--preset", "smoke", "--data-dir", str(tmp_path / "data"),
                           "--runs-dir", str(tmp_path / "runs"))
    assert_one_line_error(code, err, f"data folder {tmp_path / 'data'} is a file, not a folder")
    assert not (tmp_path / "runs").exists()
