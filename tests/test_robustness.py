"""Issue 12: bad input is one line before anything is created, divergence stops a run, run folders defend themselves."""

from __future__ import annotations

import json
import os
import random
import shutil
import stat
import subprocess
import sys
import textwrap
import time
import typing
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from pipeline_support import copy_smoke_pipeline

from sgnas._infra.errors import SgnasError
from sgnas._infra.runs import RunDir, atomic_write_text, file_mode
from sgnas.cli import main
from sgnas.training.checkpoint import save_checkpoint

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ["--preset", "smoke", "--set", "data.dataset=synthetic"]
ARCH = "-".join(["33xxxx"] * 19)


def one_line_error(capsys: pytest.CaptureFixture, prefix: str = "sgnas: error:") -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(prefix), err
    assert "Traceback" not in err
    return lines[0]


def strict_records(path: Path) -> list[dict]:
    """Every line of a metrics.jsonl read as standard JSON (a bare NaN or Infinity fails)."""
    def refuse(constant: str) -> None:
        raise AssertionError(f"{path} holds a bare {constant}")

    return [json.loads(line, parse_constant=refuse) for line in path.read_text().splitlines()]


# --- bad input: one line, exit 2, no run folder --------------------------------------------------

BAD_INPUT = [
    (["train-supernet", "--seed", "-1"], "seed must be an integer from 0 to 4294967295, got -1"),
    (["train-supernet", "--seed", str(2**64 + 1)], "seed must be an integer from 0"),
    (["train-supernet", "--set", "supernet.lr=-0.1"], "supernet.lr must be greater than 0, got -0.1"),
    (["train-supernet", "--set", "supernet.lr=.nan"], "supernet.lr must be a finite number, got nan"),
    (["train-supernet", "--set", "supernet.lr=.inf"], "supernet.lr must be a finite number, got inf"),
    (["train-supernet", "--set", "supernet.momentum=-1"], "supernet.momentum must be in [0, 1), got -1.0"),
    (["train-supernet", "--set", "supernet.sampler=os:system"], "supernet.sampler must be one of strict-fair"),
    (["train-supernet", "--threads", "-1"], "threads must be 0 (torch's default) or a positive number"),
    (["train-supernet", "--set", "supernet.checkpoint_every=-1"], "supernet.checkpoint_every must be 0"),
    (["train-supernet", "--set", "supernet.val_archs=0"], "supernet.val_archs must be at least 2, got 0"),
    (["train-supernet", "--set", "generator.batch_size=0"], "generator.batch_size must be from 1 to 65536 images, got 0"),
    (["train-supernet", "--set", "supernet.batch_size=100000000"], "supernet.batch_size must be from 1 to 65536 images"),
    (["train-supernet", "--set", "generator.hidden=100000000"], "generator.hidden must be from 1 to 4096 channels"),
    (["train-supernet", "--set", "generator.epochs=0"], "generator.epochs must be at least 1, got 0"),
    (["evaluate", ARCH, "--set", "evaluate.batch_size=0"], "evaluate.batch_size must be from 1 to 65536 images, got 0"),
    (["evaluate", ARCH, "--set", "evaluate.dropout=2"], "evaluate.dropout must be in [0, 1), got 2.0"),
    (["evaluate", ARCH, "--set", "evaluate.lr=.nan"], "evaluate.lr must be a finite number, got nan"),
    (["evaluate", ARCH, "--set", "evaluate.lr=.inf"], "evaluate.lr must be a finite number, got inf"),
    (["search", "--generator", "nowhere", "--targets", "abc"], "--targets: 'abc' is not a number"),
    (["pipeline", "--targets", "abc"], "--targets: 'abc' is not a number"),
    (["pipeline", "--targets", "-5"], "--targets: '-5' is not a positive number"),
    (["pipeline", "--targets", "1000"], "is outside the space's range"),
    (["train-supernet", "--set", "supernet.lr=1e308"], "supernet.lr must be at most 3.403e+38 in absolute value"),
    (["evaluate", ARCH, "--set", "evaluate.lr=1e308"], "evaluate.lr must be at most 3.403e+38 in absolute value"),
    (["train-supernet", "--set", "generator.lr=1e308"], "generator.lr must be at most 3.403e+38 in absolute value"),
    (["train-supernet", "--set", "generator.tau=1e308"], "generator.tau must be at most 3.403e+38 in absolute value"),
    (["train-supernet", "--set", "generator.target_jitter=1e308"], "generator.target_jitter must be at most 3.403e+38"),
    (["train-supernet", "--set", "generator.target_jitter=1000"],
     "generator.target_jitter must be at most the width of the target range (target_high - target_low = "),
    (["train-supernet", "--set", "supernet.act=foo"], "supernet.act: 'foo' is not one of relu6, hswish"),
    (["evaluate", ARCH, "--set", "evaluate.act=foo"], "evaluate.act: 'foo' is not one of relu6, hswish"),
    (["train-supernet", "--set", "data.image_size=100000"],
     "data.image_size must be positive and at most 1024 pixels, got 100000"),
    (["train-supernet", "--set", "space.resolution=100000"],
     "space.resolution must be positive and at most 1024 pixels, got 100000"),
    (["train-supernet", "--threads", "100000"], "threads must be 0 (torch's default) or a positive number of threads up "
     "to 1024, got 100000"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT, ids=[" ".join(a) for a, _ in BAD_INPUT])
def test_bad_input_is_one_line_before_anything_is_created(capsys: pytest.CaptureFixture, tmp_path: Path,
                                                          args: list[str], message: str) -> None:
    runs = tmp_path / "runs"
    command = args[0]
    code = main([command, *SMOKE, "--runs-dir", str(runs), *args[1:]])
    line = one_line_error(capsys)
    assert code == 2 and message in line, line
    assert not runs.exists(), "no run folder for a refused input"


#: commands whose options mean config fields without taking a config: (arguments, message)
BAD_OPTIONS = [
    (["export", ARCH, "--resolution", "100000"], "--resolution must be positive and at most 1024 pixels, got 100000"),
    (["export", ARCH, "--seed", "-1"], "--seed must be an integer from 0 to 4294967295, got -1"),
    (["export", ARCH, "--seed", str(2**32)], "--seed must be an integer from 0 to 4294967295"),
    (["export", ARCH, "--width", "nan"], "--width must be a finite number, got nan"),
    (["bench", "supernet", "--threads", "100000"], "--threads must be 0 (torch's default) or a positive number of"),
    (["bench", "supernet", "--resolution", "100000"], "--resolution must be positive and at most 1024 pixels"),
    (["bench", "supernet", "--seed", "-1"], "--seed must be an integer from 0 to 4294967295, got -1"),
]


@pytest.mark.parametrize(("args", "message"), BAD_OPTIONS, ids=[" ".join(a) for a, _ in BAD_OPTIONS])
def test_bad_options_are_one_line_before_anything_is_written(capsys: pytest.CaptureFixture, tmp_path: Path,
                                                            args: list[str], message: str) -> None:
    out = tmp_path / "out"
    code = main([*args, *(["--out", str(out)] if args[0] == "export" else ["--json", str(out)])])
    line = one_line_error(capsys)
    assert code == 2 and message in line, line
    assert not out.exists()


#: every script's ``main`` and a value of the wrong type for one of its options
SCRIPTS = [("replication.harness", ["--seeds", "abc"]), ("replication.replicate_table", ["--seeds", "abc"]),
           ("replication.nasbench201", ["--budgets", "abc"]), ("replication.ablate", ["--lambda", "abc"]),
           ("replication.redundancy", ["--steps", "abc"]), ("replication.cost_for_n", ["--ns", "abc"]),
           ("reports.build_report", ["--no-such-option"])]


@pytest.mark.parametrize(("module", "bad_type"), SCRIPTS, ids=[m for m, _ in SCRIPTS])
def test_script_usage_errors_are_one_line_and_the_help_is_whole(capsys: pytest.CaptureFixture, module: str,
                                                                bad_type: list[str]) -> None:
    import importlib

    script = importlib.import_module(module)
    tool = module.split(".")[1]
    for args in (["--no-such-option"], bad_type):
        with pytest.raises(SystemExit) as stopped:
            script.main(args)
        line = one_line_error(capsys, f"{tool}: error: ")
        assert stopped.value.code == 2 and "usage:" not in line and line.endswith("--help)"), line
    with pytest.raises(SystemExit) as stopped:
        script.main(["--help"])
    assert stopped.value.code == 0 and capsys.readouterr().out.startswith("usage: ")


def results_folder(path: Path) -> Path:
    """A results folder holding one result file (a report needs at least one)."""
    path.mkdir(parents=True)
    (path / "manifest.json").write_text(json.dumps({"preset": "smoke", "seeds": [0], "indicative": True, "configs": {},
                                                    "environment": {}, "runs": {}}))
    return path


def _report(results: Path, out: Path) -> int:
    from reports.build_report import main as report_main

    if not results.exists():
        results_folder(results)
    return report_main(["--results", str(results), "--out", str(out)])


def _tables(_: Path, out: Path) -> int:
    from replication.replicate_table import main as replicate_main

    return replicate_main(["--reference-only", "--out", str(out)])


def _harness(_: Path, out: Path) -> int:
    from replication.harness import main as harness_main

    return harness_main(["--plan", "smoke", "--results", str(out)])


#: scripts that write into a folder given on the command line: (name, what it writes, how to call it on (results, out))
WRITERS = [("build_report", "the report", _report), ("replicate_table", "the tables", _tables),
           ("harness", "the results", _harness)]


@pytest.mark.parametrize("where", ["file", "proc"])
@pytest.mark.parametrize(("script", "what", "call"), WRITERS, ids=[name for name, _, _ in WRITERS])
def test_an_out_folder_that_cannot_be_a_folder(capsys: pytest.CaptureFixture, tmp_path: Path, where: str, script: str,
                                               what: str, call: typing.Callable[[Path, Path], int]) -> None:
    (tmp_path / "a-file").write_text("x")
    out = tmp_path / "a-file" / "out" if where == "file" else Path(f"/proc/sgnas-{script}")
    code = call(tmp_path / "results", out)
    line = one_line_error(capsys, f"{script}: error:")
    assert code == 2 and f"cannot write {what} into {out}: " in line, line


#: bad arguments of the main job, the harness and the NAS-Bench-201 track: (script, arguments, message); checked
#: before the results folder (and its lock) is created
BAD_SCRIPT_ARGUMENTS = [
    ("harness", ["--plan", "smoke", "--seeds", "-1"], "seed must be an integer from 0 to 4294967295, got -1"),
    ("harness", ["--plan", "smoke", "--set", "supernet.lr=-1"], "supernet.lr must be greater than 0, got -1.0"),
    ("harness", ["--plan", "smoke", "--set", "supernet.lr=1e308"], "supernet.lr must be at most 3.403e+38"),
    ("replicate_table", ["--preset", "smoke", "--seeds", "-1"], "seed must be an integer from 0 to 4294967295"),
    # an override of the NAS-Bench-201 track where the track does not run would set nothing
    ("harness", ["--plan", "smoke", "--set", "nb201.epochs=2"], "'nb201.epochs=2' sets the NAS-Bench-201 track"),
    # every override checked before anything runs: one the network refuses, one after another --set, and with
    # --reference-only too
    ("replicate_table", ["--preset", "smoke", "--set", "nb201.resolution=6"], "resolution must be a multiple of 4"),
    ("replicate_table", ["--preset", "smoke", "--set", "nb201.lr=0.1", "--set", "nb201.epochs=0"],
     "nb201.epochs must be at least 1, got 0"),
    ("replicate_table", ["--preset", "smoke", "--reference-only", "--jobs", "1", "--set", "nb201.epochs=0"],
     "nb201.epochs must be at least 1, got 0"),
    ("replicate_table", ["--preset", "smoke", "--set", "nb201.indicative=false"], "config key 'nb201.indicative' cannot be set"),
    ("nasbench201", ["--plan", "smoke", "--set", "supernet.epochs=0"], "the NAS-Bench-201 track takes nb201.field=value"),
    ("nasbench201", ["--plan", "smoke", "--set", "nb201.name=full"], "config key 'nb201.name' cannot be set"),
]


@pytest.mark.parametrize(("script", "args", "message"), BAD_SCRIPT_ARGUMENTS,
                         ids=[" ".join([s, *a]) for s, a, _ in BAD_SCRIPT_ARGUMENTS])
def test_bad_script_arguments_leave_no_results_folder(capsys: pytest.CaptureFixture, tmp_path: Path, script: str,
                                                      args: list[str], message: str) -> None:
    from replication.harness import main as harness_main
    from replication.nasbench201 import main as nasbench201_main
    from replication.replicate_table import main as replicate_main

    out = tmp_path / "results"
    if script == "harness":
        code = harness_main([*args, "--results", str(out)])
    elif script == "nasbench201":
        code = nasbench201_main([*args, "--results", str(out)])
    else:
        code = replicate_main([*args, "--out", str(out)])
    line = one_line_error(capsys, f"{script}: error:")
    assert code == 2 and message in line, line
    assert not out.exists(), "no results folder and no lock file for a refused input"


@pytest.mark.parametrize("case", ["empty", "a file", "missing"])
def test_report_results_that_are_not_a_results_folder(capsys: pytest.CaptureFixture, tmp_path: Path,
                                                      case: str) -> None:
    from reports.build_report import main as report_main

    results = tmp_path / "results"
    if case == "empty":
        results.mkdir()
    elif case == "a file":
        results.write_text("x")
    code = report_main(["--results", str(results), "--out", str(tmp_path / "out")])
    line = one_line_error(capsys, "build_report: error:")
    expected = {"empty": f"no results in {results}: run tox -e replicate-table first",
                "a file": f"--results {results} is a file, not a folder",
                "missing": f"results folder {results} does not exist: run tox -e replicate-table first"}[case]
    assert code == 2 and expected in line, line
    assert not (tmp_path / "out").exists()


REPEATED = [
    ("harness", ["--plan", "smoke", "--seeds", "0", "1", "0"], "seed given more than once: 0"),
    ("harness", ["--plan", "smoke", "--methods", "sgnas", "random-search", "sgnas"], "method given more than once: 'sgnas'"),
    ("ablate", ["--no-fs", "--seeds", "1", "1"], "seed given more than once: 1"),
    ("ablate", ["--lambda", "10", "20", "10.0"], "--lambda given more than once: 10"),
    ("replicate_table", ["--preset", "smoke", "--seeds", "2", "2"], "seed given more than once: 2"),
    ("nasbench201", ["--plan", "smoke", "--seeds", "0", "0"], "seed given more than once: 0"),
]


@pytest.mark.parametrize(("script", "args", "message"), REPEATED, ids=[f"{s} {' '.join(a)}" for s, a, _ in REPEATED])
def test_a_value_given_twice_is_one_line_before_anything_runs(capsys: pytest.CaptureFixture, tmp_path: Path,
                                                               script: str, args: list[str], message: str) -> None:
    """Seeds, methods and ablation values given twice would write their rows twice: every script refuses them."""
    import importlib

    out = tmp_path / "results"
    where = {"harness": "--results", "ablate": "--out", "replicate_table": "--out", "nasbench201": "--results"}[script]
    code = importlib.import_module(f"replication.{script}").main([*args, where, str(out)])
    out_text, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith(f"{script}: error: ") and message in lines[0], err
    assert out_text == "" and not out.exists(), "refused before any table, run or folder"


# --- divergence ------------------------------------------------------------------------------------


def test_a_diverging_supernet_stops_with_one_line_and_is_not_finished(capsys: pytest.CaptureFixture,
                                                                     tmp_path: Path) -> None:
    code = main(["train-supernet", *SMOKE, "--set", "supernet.lr=1e30", "--runs-dir", str(tmp_path)])
    line = one_line_error(capsys)
    assert code == 2 and "supernet training diverged at step" in line and "nan" in line
    run = RunDir(next((tmp_path / "supernet").iterdir()))
    assert not run.finished and not (run.path / "supernet.pt").exists()


def test_a_diverging_evaluation_reports_no_accuracy(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    code = main(["evaluate", ARCH, *SMOKE, "--set", "evaluate.lr=1e30", "--runs-dir", str(tmp_path)])
    line = one_line_error(capsys)
    assert code == 2 and "stand-alone training diverged at step" in line
    assert not RunDir(next((tmp_path / "evaluate").iterdir())).finished


def test_a_diverging_generator_stops(capsys: pytest.CaptureFixture, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch, finished_runs: Path) -> None:
    from sgnas.search.generator import train

    monkeypatch.setitem(train.HARDWARE_LOSSES, "relative", lambda expected, target: (expected - target) * float("nan"))
    runs = tmp_path / "runs"
    shutil.copytree(finished_runs / "supernet", runs / "supernet")
    supernet = next((runs / "supernet").iterdir())
    code = main(["train-generator", "--supernet", str(supernet), "--runs-dir", str(runs)])
    line = one_line_error(capsys)
    assert code == 2 and "generator training diverged at step 1" in line
    assert not RunDir(next((runs / "generator").iterdir())).finished


@pytest.mark.parametrize("override", ["generator.lr=1e30", "generator.weight_decay=3e38"])
def test_a_generator_whose_weights_blow_up_stops_before_the_supernet(capsys: pytest.CaptureFixture, tmp_path: Path,
                                                                    finished_runs: Path, override: str) -> None:
    runs = tmp_path / "runs"
    shutil.copytree(finished_runs / "supernet", runs / "supernet")
    supernet = next((runs / "supernet").iterdir())
    code = main(["train-generator", "--supernet", str(supernet), "--runs-dir", str(runs), "--set", override])
    line = one_line_error(capsys)
    assert code == 2 and "generator training diverged at step 2" in line and "nan" in line
    assert not RunDir(next((runs / "generator").iterdir())).finished


def test_opening_a_finished_run_reads_each_json_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """config.json and results.json are parsed once per open however many checks read them; a file replaced
    afterwards (a new version) is read again."""
    import sgnas._infra.runs as runs_module

    run = RunDir.open(tmp_path, "x", {"a": 1}, 0)
    run.finish({"value": 3})
    reads: list[str] = []
    real = runs_module.read_json
    monkeypatch.setattr(runs_module, "read_json", lambda path, *a, **k: reads.append(Path(path).name) or real(path, *a, **k))
    again = RunDir.open(tmp_path, "x", {"a": 1}, 0)
    assert again.finished and again.results["value"] == 3 and again.config == {"a": 1}
    assert sorted(reads) == ["config.json", "results.json"]
    atomic_write_text(again.path / "results.json", json.dumps({"value": 4}))
    assert again.results["value"] == 4 and reads.count("results.json") == 2


def test_metrics_are_strict_json(tmp_path: Path) -> None:
    run = RunDir.open(tmp_path, "x", {"a": 1}, 0)
    run.log({"loss": float("nan"), "lr": float("inf"), "nested": [float("-inf"), 1.5]})
    (record,) = strict_records(run.path / "metrics.jsonl")
    assert record == {"loss": None, "lr": None, "nested": [None, 1.5]}
    run.finish({})


# --- run folders that defend themselves --------------------------------------------------------------


@pytest.fixture()
def finished_runs(smoke_pipeline: Path) -> Path:
    """A finished smoke pipeline (synthetic data): supernet, generator, search and the stand-alone evaluations of
    its architectures, trained once per session and copied by each test that damages them."""
    return smoke_pipeline


@pytest.fixture()
def runs(tmp_path: Path, finished_runs: Path) -> Path:
    return copy_smoke_pipeline(finished_runs, tmp_path / "runs")


def supernet_run(runs: Path) -> Path:
    return next((runs / "supernet").iterdir())


def weights(path: Path) -> dict[str, torch.Tensor]:
    return torch.load(path, weights_only=True)["model"]


def assert_same_weights(a: Path, b: Path) -> None:
    left, right = weights(a), weights(b)
    assert left.keys() == right.keys() and all(torch.equal(left[k], right[k]) for k in left)


def train_supernet(runs: Path, *extra: str) -> int:
    return main(["train-supernet", *SMOKE, "--runs-dir", str(runs), "--json", *extra])


@pytest.mark.parametrize("damage", ["truncated", "empty", "list"])
def test_a_damaged_results_json_resumes_the_run(capsys: pytest.CaptureFixture, runs: Path,
                                                finished_runs: Path, damage: str) -> None:
    results = supernet_run(runs) / "results.json"
    text = results.read_text()
    results.write_text({"truncated": text[: len(text) // 2], "empty": "", "list": "[]"}[damage])
    assert train_supernet(runs) == 0
    expected = {"truncated": "results.json is not strict JSON (", "empty": "results.json is not strict JSON (",
                "list": "results.json is not a JSON object"}[damage]
    assert f"{expected}" in capsys.readouterr().err
    assert json.loads(results.read_text())["steps"] == json.loads(text)["steps"]
    assert_same_weights(supernet_run(runs) / "supernet.pt", supernet_run(finished_runs) / "supernet.pt")


def test_pipeline_checks_the_supernet_results(capsys: pytest.CaptureFixture, runs: Path) -> None:
    results = supernet_run(runs) / "results.json"
    results.write_text("[1, 2]")
    assert main(["pipeline", *SMOKE, "--runs-dir", str(runs), "--no-evaluate", "--json"]) == 0
    assert "results.json is not a JSON object; the run is resumed" in capsys.readouterr().err
    assert isinstance(json.loads(results.read_text()), dict)


def one_run(runs: Path, kind: str) -> Path:
    """The run of ``kind`` (the first, by name, of the evaluations)."""
    return sorted((runs / kind).iterdir())[0]


@pytest.mark.parametrize("kind", ["supernet", "generator", "search", "evaluate"])
def test_results_json_without_the_keys_of_its_kind_is_redone(capsys: pytest.CaptureFixture, runs: Path,
                                                             kind: str) -> None:
    run = one_run(runs, kind)
    results = run / "results.json"
    before = json.loads(results.read_text())
    results.write_text("{}")
    assert main(["pipeline", *SMOKE, "--runs-dir", str(runs), "--json"]) == 0
    err = capsys.readouterr().err
    assert f"run {run}: results.json lacks " in err and "the run is resumed" in err and "Traceback" not in err
    assert json.loads(results.read_text()).keys() == before.keys()


def test_results_name_files_relative_to_the_run_folder_and_read_back_absolute(runs: Path) -> None:
    """``runs`` is a copy of another runs folder: a moved one, whose paths resolve where it is now."""
    supernet, generator = supernet_run(runs), one_run(runs, "generator")
    stored = json.loads((generator / "results.json").read_text())
    assert stored["generator"] == "generator.pt"
    assert stored["supernet"] == f"../../supernet/{supernet.name}/supernet.pt"
    assert json.loads((supernet / "results.json").read_text())["supernet"] == "supernet.pt"
    assert RunDir(generator).results["supernet"] == str((supernet / "supernet.pt").absolute())
    assert RunDir(generator).results["generator"] == str((generator / "generator.pt").absolute())
    results = supernet / "results.json"  # as an older version stored it: relative to its working directory
    results.write_text(json.dumps({**json.loads(results.read_text()), "supernet": f"runs/supernet/{supernet.name}/supernet.pt"}))
    assert RunDir(supernet).results["supernet"] == str((supernet / "supernet.pt").absolute())
    assert train_supernet(runs) == 0


@pytest.mark.parametrize("damage", ["garbage line", "bare NaN", "list line", "torn last line"])
def test_a_corrupt_metrics_line_of_a_finished_run_is_one_line_and_rebuild_recovers(
        capsys: pytest.CaptureFixture, runs: Path, finished_runs: Path, damage: str) -> None:
    run = supernet_run(runs)
    metrics = run / "metrics.jsonl"
    lines = metrics.read_text().splitlines(keepends=True)
    if damage == "torn last line":
        metrics.write_text("".join(lines) + '{"event": "tr')
    else:
        bad = {"garbage line": "not json at all\n", "bare NaN": '{"loss": NaN}\n', "list line": "[1, 2]\n"}[damage]
        metrics.write_text("".join([lines[0], bad, *lines[1:]]))
    assert train_supernet(runs) == 2
    line = one_line_error(capsys)
    where = f"line {len(lines) + 1}" if damage == "torn last line" else "line 2"
    assert f"{run}: metrics.jsonl is " in line and where in line and "--rebuild" in line, line
    assert train_supernet(runs, "--rebuild") == 0
    assert_same_weights(run / "supernet.pt", supernet_run(finished_runs) / "supernet.pt")
    strict_records(metrics)


@pytest.mark.parametrize("damage", ["another kind", "another config"])
def test_a_config_json_of_another_run_is_one_line_and_rebuild_recovers(
        capsys: pytest.CaptureFixture, runs: Path, finished_runs: Path, damage: str) -> None:
    run = supernet_run(runs)
    config = run / "config.json"
    if damage == "another kind":
        shutil.copy(one_run(runs, "generator") / "config.json", config)
        expected = "config.json is the config of a 'generator' run, not of this 'supernet' run"
    else:
        saved = json.loads(config.read_text())
        saved["config"]["supernet"]["lr"] *= 2
        config.write_text(json.dumps(saved))
        expected = "config.json is not this run's config (its config and seed are those of run "
    assert train_supernet(runs) == 2
    line = one_line_error(capsys)
    assert expected in line and "--rebuild" in line and str(run) in line, line
    assert train_supernet(runs, "--rebuild") == 0
    assert json.loads(config.read_text()) == json.loads((supernet_run(finished_runs) / "config.json").read_text())
    assert_same_weights(run / "supernet.pt", supernet_run(finished_runs) / "supernet.pt")


def tensors_of(value: Any, prefix: str = "") -> dict[str, Any]:
    """Every tensor and plain leaf of a nested checkpoint, by its path in it."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in tensors_of(item, f"{prefix}.{key}").items()}
    if isinstance(value, (list, tuple)):
        return {k: v for i, item in enumerate(value) for k, v in tensors_of(item, f"{prefix}[{i}]").items()}
    return {prefix: value}


def assert_same_entries(left: dict[str, Any], right: dict[str, Any], what: str) -> None:
    assert left.keys() == right.keys(), what
    for key in left:
        a, b = left[key], right[key]
        assert (torch.equal(a, b) if isinstance(a, torch.Tensor) else a == b), f"{what}: {key} differs"


@pytest.mark.parametrize(("kind", "damage"), [("supernet", "checkpoint copied"), ("supernet", "a key missing"),
                                              ("generator", "checkpoint copied")])
def test_exported_weights_that_are_not_what_their_run_exports_are_rebuilt(
        capsys: pytest.CaptureFixture, runs: Path, finished_runs: Path, kind: str, damage: str) -> None:
    run = one_run(runs, kind)
    weights = run / f"{kind}.pt"
    if damage == "checkpoint copied":
        shutil.copy(run / "checkpoint.pt", weights)
        expected = f"holds a {kind}-training, expected a {kind}"
    else:
        payload = torch.load(weights, weights_only=True)
        payload["model"].pop(next(iter(payload["model"])))
        save_checkpoint(weights, {k: v for k, v in payload.items() if k != "format"})
        expected = "does not fit the supernet: Missing key(s)"
    command = (["train-supernet", *SMOKE, "--runs-dir", str(runs)] if kind == "supernet" else
               ["train-generator", "--supernet", str(supernet_run(runs)), "--runs-dir", str(runs)])
    assert main(command) == 0
    err = capsys.readouterr().err
    assert f"{kind}.pt is not a {kind} run's {kind}.pt (checkpoint " in err and expected in err, err
    assert "rebuilding it from the run's final checkpoint.pt" in err
    original = torch.load(one_run(finished_runs, kind) / f"{kind}.pt", weights_only=True)
    assert_same_entries(tensors_of(torch.load(weights, weights_only=True)), tensors_of(original), f"{kind}.pt")


def test_two_identical_runs_store_identical_checkpoints_and_rng_states(tmp_path: Path, finished_runs: Path) -> None:
    """The global RNGs a checkpoint stores are seeded by the run, not left as the process found them."""
    np.random.seed(12345)  # what another process would start from
    random.seed(54321)
    assert main(["pipeline", *SMOKE, "--runs-dir", str(tmp_path), "--no-evaluate", "--json"]) == 0
    for kind, weights in (("supernet", "model"), ("generator", "generator")):
        first = torch.load(one_run(finished_runs, kind) / "checkpoint.pt", weights_only=True)
        again = torch.load(one_run(tmp_path, kind) / "checkpoint.pt", weights_only=True)
        for part in (weights, "optimizer", "rng"):
            assert_same_entries(tensors_of(first[part]), tensors_of(again[part]), f"{kind} checkpoint.pt {part}")


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077], ids=["022", "002", "077"])
def test_atomic_writes_give_the_mode_a_plain_open_gives(tmp_path: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        atomic_write_text(tmp_path / "atomic.json", "{}")
        (tmp_path / "plain.json").write_text("{}")
        mode = file_mode()
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "atomic.json").stat().st_mode) == stat.S_IMODE(
        (tmp_path / "plain.json").stat().st_mode) == mode == 0o666 & ~umask


def test_run_files_have_the_mode_a_plain_open_gives(finished_runs: Path) -> None:
    files = [path for path in finished_runs.rglob("*") if path.is_file()]
    assert {path.name for path in files} >= {"config.json", "results.json", "checkpoint.pt", "supernet.pt"}
    assert {str(path): oct(stat.S_IMODE(path.stat().st_mode)) for path in files} == {
        str(path): oct(file_mode()) for path in files}


def test_a_truncated_supernet_is_rebuilt_from_the_final_checkpoint(capsys: pytest.CaptureFixture, runs: Path,
                                                                   finished_runs: Path) -> None:
    exported = supernet_run(runs) / "supernet.pt"
    exported.write_bytes(exported.read_bytes()[:300])
    assert train_supernet(runs) == 0
    assert "supernet.pt is corrupt" in capsys.readouterr().err
    assert_same_weights(exported, supernet_run(finished_runs) / "supernet.pt")


def test_a_truncated_generator_is_rebuilt_from_the_final_checkpoint(capsys: pytest.CaptureFixture, runs: Path,
                                                                    finished_runs: Path) -> None:
    generator = next((runs / "generator").iterdir()) / "generator.pt"
    generator.write_bytes(generator.read_bytes()[:100])
    assert main(["train-generator", "--supernet", str(supernet_run(runs)), "--runs-dir", str(runs)]) == 0
    assert "generator.pt is corrupt" in capsys.readouterr().err
    original = torch.load(next((finished_runs / "generator").iterdir()) / "generator.pt", weights_only=True)
    rebuilt = torch.load(generator, weights_only=True)
    assert all(torch.equal(original["state"][k], rebuilt["state"][k]) for k in original["state"])


def test_a_damaged_run_without_a_good_checkpoint_is_one_line_and_rebuild_recovers(
        capsys: pytest.CaptureFixture, runs: Path, finished_runs: Path) -> None:
    run = supernet_run(runs)
    (run / "supernet.pt").write_bytes(b"")
    (run / "checkpoint.pt").write_bytes(b"PK\x03\x04 truncated")
    assert train_supernet(runs) == 2
    line = one_line_error(capsys)
    assert "supernet.pt is corrupt" in line and "--rebuild" in line and str(run) in line
    assert train_supernet(runs, "--rebuild") == 0
    assert_same_weights(run / "supernet.pt", supernet_run(finished_runs) / "supernet.pt")


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_stale_temp_files_of_dead_writers_are_removed(runs: Path) -> None:
    run = supernet_run(runs)
    stale = [run / f".checkpoint.pt.{dead_pid()}.abcd1234.tmp", run / ".results.json.k2j4h5g6.tmp"]
    live = run / f".config.json.{os.getpid()}.abcd1234.tmp"
    for path in [*stale, live]:
        path.write_bytes(b"half a file")
    assert train_supernet(runs) == 0
    assert not any(path.exists() for path in stale) and live.exists()


def test_a_resumed_run_drops_the_records_logged_after_its_checkpoint(tmp_path: Path) -> None:
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    extra = ["--set", "supernet.epochs=2", "--set", "supernet.checkpoint_every=3"]
    assert train_supernet(straight, *extra) == 0
    assert train_supernet(killed, *extra, "--max-steps", "6") == 0  # epoch 0 and its validation are logged
    metrics = supernet_run(killed) / "metrics.jsonl"
    with open(metrics, "a") as handle:  # what a run killed after its checkpoint had logged, and a torn line
        handle.write(json.dumps({"event": "train", "step": 7, "loss": 9.0}) + "\n" + '{"event": "tr')
    assert train_supernet(killed, *extra) == 0

    def trained(path: Path) -> list[dict]:
        return [{k: v for k, v in r.items() if k != "seconds"} for r in strict_records(path) if r["event"] != "session"]

    assert trained(metrics) == trained(supernet_run(straight) / "metrics.jsonl")


def test_environment_json_keeps_the_producer_and_reuses_are_listed_apart(runs: Path) -> None:
    run = supernet_run(runs)
    produced = (run / "environment.json").read_bytes()
    assert train_supernet(runs) == 0 and train_supernet(runs) == 0
    assert (run / "environment.json").read_bytes() == produced
    reuses = [json.loads(line) for line in (run / "reuses.jsonl").read_text().splitlines()]
    assert [r["role"] for r in reuses] == ["reused", "reused"] and all("packages" in r for r in reuses)


@pytest.mark.parametrize(("kind", "key", "value"), [("supernet", "steps", "abc"), ("supernet", "forward_passes", -1),
                                                   ("supernet", "wall_seconds", -1.5),
                                                   ("generator", "kendall_tau", 2.0)])
def test_a_results_value_that_is_not_what_its_kind_declares_is_one_line_and_rebuild_recovers(
        capsys: pytest.CaptureFixture, runs: Path, kind: str, key: str, value: Any) -> None:
    run = one_run(runs, kind)
    results = run / "results.json"
    before = json.loads(results.read_text())
    results.write_text(json.dumps({**before, key: value}))
    command = (["train-supernet", *SMOKE, "--runs-dir", str(runs)] if kind == "supernet" else
               ["train-generator", "--supernet", str(supernet_run(runs)), "--runs-dir", str(runs)])
    assert main(command) == 2
    line = one_line_error(capsys)
    assert f"run {run}: results.json is damaged: {key} is {json.dumps(value)}, not " in line, line
    assert f"rerun with --rebuild or delete the run folder {run}" in line, line
    assert main([*command, "--rebuild"]) == 0
    after = json.loads(results.read_text())
    declaration = RunDir(run).declaration
    assert declaration is not None and declaration.value_problem(after) is None
    assert key == "wall_seconds" or after[key] == before[key]


def test_another_runs_supernet_copied_into_a_finished_run_is_told_apart_and_rebuilt(
        capsys: pytest.CaptureFixture, runs: Path, finished_runs: Path, tmp_path: Path) -> None:
    assert train_supernet(tmp_path / "other", "--seed", "1") == 0
    run = supernet_run(runs)
    shutil.copy(supernet_run(tmp_path / "other") / "supernet.pt", run / "supernet.pt")
    capsys.readouterr()
    assert train_supernet(runs) == 0
    err = capsys.readouterr().err
    assert (f"run {run}: supernet.pt is not the file its run wrote (its sha256 does not match the run that wrote "
            "it); rebuilding it from the run's final checkpoint.pt") in err, err
    assert_same_weights(run / "supernet.pt", supernet_run(finished_runs) / "supernet.pt")


def test_a_run_finished_before_fingerprints_were_recorded_is_reused(capsys: pytest.CaptureFixture,
                                                                    runs: Path) -> None:
    run = supernet_run(runs)
    results = run / "results.json"
    stored = json.loads(results.read_text())
    assert set(stored["sha256"]) == {"supernet.pt", "checkpoint.pt"}
    results.write_text(json.dumps({k: v for k, v in stored.items() if k != "sha256"}))
    assert train_supernet(runs) == 0
    assert "sgnas: note" not in capsys.readouterr().err
    assert "sha256" not in RunDir(run).results
    assert json.loads((run / "reuses.jsonl").read_text().splitlines()[-1])["role"] == "reused"


@pytest.mark.parametrize("damage", ["metrics deleted", "checkpoint random bytes", "old run's checkpoint random bytes"])
def test_a_finished_run_without_metrics_or_with_a_damaged_checkpoint_is_one_line_and_rebuild_recovers(
        capsys: pytest.CaptureFixture, runs: Path, finished_runs: Path, damage: str) -> None:
    run = supernet_run(runs)
    if damage == "metrics deleted":
        (run / "metrics.jsonl").unlink()
        expected = "metrics.jsonl is missing"
    else:
        (run / "checkpoint.pt").write_bytes(random.Random(3).randbytes(5000))
        expected = "checkpoint.pt is not the file its run wrote (its sha256 does not match the run that wrote it)"
        if damage.startswith("old"):
            results = run / "results.json"
            results.write_text(json.dumps({k: v for k, v in json.loads(results.read_text()).items() if k != "sha256"}))
            expected = "checkpoint.pt is corrupt ("
    assert train_supernet(runs) == 2
    line = one_line_error(capsys)
    assert f"run {run}: {expected}" in line and f"rerun with --rebuild or delete the run folder {run}" in line, line
    assert train_supernet(runs, "--rebuild") == 0
    assert_same_weights(run / "supernet.pt", supernet_run(finished_runs) / "supernet.pt")
    strict_records(run / "metrics.jsonl")


def test_a_deleted_config_json_of_a_finished_run_is_named_and_written_again(capsys: pytest.CaptureFixture,
                                                                            runs: Path, finished_runs: Path) -> None:
    run = supernet_run(runs)
    (run / "config.json").unlink()
    assert train_supernet(runs) == 0
    err = capsys.readouterr().err
    assert f"run {run}: config.json is missing; written again" in err and "supernet.pt" not in err, err
    assert (run / "config.json").read_bytes() == (supernet_run(finished_runs) / "config.json").read_bytes()
    assert json.loads((run / "reuses.jsonl").read_text().splitlines()[-1])["role"] == "reused"


def _no_checkpoint(runs: Path, tmp_path: Path) -> list[str]:
    (tmp_path / "random.pt").write_bytes(random.Random(4).randbytes(3000))
    return ["train-supernet", *SMOKE, "--resume", str(tmp_path / "random.pt")]


def _exported_supernet(runs: Path, tmp_path: Path) -> list[str]:
    return ["train-supernet", *SMOKE, "--resume", str(supernet_run(runs) / "supernet.pt")]


def _other_shadow_bn(runs: Path, tmp_path: Path) -> list[str]:
    return ["train-supernet", *SMOKE, "--set", "supernet.shadow_bn=false", "--resume",
            str(supernet_run(runs) / "checkpoint.pt")]


def _garbage_supernet_run(runs: Path, tmp_path: Path) -> list[str]:
    (supernet_run(runs) / "supernet.pt").write_bytes(b"not a supernet")
    return ["train-generator", "--supernet", str(supernet_run(runs))]


def _foreign_supernet_run(runs: Path, tmp_path: Path) -> list[str]:
    assert train_supernet(tmp_path / "other", "--seed", "1") == 0
    shutil.copy(supernet_run(tmp_path / "other") / "supernet.pt", supernet_run(runs) / "supernet.pt")
    return ["train-generator", "--supernet", str(supernet_run(runs))]


NOT_CHECKPOINTS = [
    (lambda runs, tmp_path: ["train-supernet", *SMOKE, "--resume", "/etc/passwd"],
     "checkpoint /etc/passwd is corrupt or not a checkpoint"),
    (_no_checkpoint, "random.pt is corrupt or not a checkpoint"),
    (lambda runs, tmp_path: ["train-supernet", *SMOKE, "--resume", str(tmp_path)], "is a folder, not a file"),
    (_exported_supernet, "supernet.pt holds a supernet, expected a supernet-training"),
    (_other_shadow_bn, "checkpoint.pt does not fit this supernet (its model differs at "),
    (lambda runs, tmp_path: ["train-generator", *SMOKE, "--supernet", "/etc/passwd"],
     "checkpoint /etc/passwd is corrupt or not a checkpoint"),
    (_garbage_supernet_run, "supernet.pt is corrupt ("),
    (_foreign_supernet_run, "supernet.pt is not the file its run wrote (its sha256 does not match the run that wrote it)"),
]


@pytest.mark.parametrize(("command", "message"), NOT_CHECKPOINTS,
                         ids=["passwd", "random bytes", "a folder", "exported supernet", "other shadow_bn",
                              "generator over passwd", "generator over garbage", "generator over another run's"])
def test_a_resume_or_supernet_that_is_no_checkpoint_of_it_is_one_line_and_leaves_no_run_folder(
        capsys: pytest.CaptureFixture, runs: Path, tmp_path: Path, command: Any, message: str) -> None:
    fresh = tmp_path / "fresh"
    args = command(runs, tmp_path)
    capsys.readouterr()
    assert main([*args, "--runs-dir", str(fresh)]) == 2
    line = one_line_error(capsys)
    assert message in line, line
    assert not fresh.exists(), "no run folder (nor lock) for a refused checkpoint"


# --- locks ---------------------------------------------------------------------------------------------

HOLD = textwrap.dedent("""
    import sys, time
    from sgnas._infra import locking
    locking.acquire(sys.argv[1], "test folder")
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
""")


def hold(folder: Path, seconds: float) -> subprocess.Popen:
    """A process that holds ``folder``'s lock for ``seconds`` (returned once it holds it)."""
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(folder), str(seconds)], stdout=subprocess.PIPE,
                               text=True, env=env)
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_a_held_run_folder_is_waited_for_then_reused(capsys: pytest.CaptureFixture, runs: Path) -> None:
    holder = hold(supernet_run(runs), 1.5)
    start = time.perf_counter()
    assert train_supernet(runs) == 0
    assert time.perf_counter() - start > 1.0
    err = capsys.readouterr().err
    assert f"waiting for run folder {supernet_run(runs).resolve()}: in use by pid {holder.pid}" in err
    holder.wait()


def test_a_held_report_folder_is_waited_for_and_temp_names_are_unique(capsys: pytest.CaptureFixture,
                                                                      tmp_path: Path) -> None:
    from reports.build_report import REPORT_NAME
    from reports.build_report import main as report_main

    results_folder(tmp_path / "results")
    out = tmp_path / "out"
    (out / f"{REPORT_NAME}.tmp").mkdir(parents=True)  # the old fixed temporary name, taken
    holder = hold(out, 1.0)
    assert report_main(["--results", str(tmp_path / "results"), "--out", str(out)]) == 0
    assert f"in use by pid {holder.pid}" in capsys.readouterr().err
    assert (out / REPORT_NAME).stat().st_size > 0
    assert stat.S_IMODE((out / REPORT_NAME).stat().st_mode) == file_mode()
    holder.wait()


def test_a_held_results_folder_is_waited_for(capsys: pytest.CaptureFixture, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from replication.harness import run_replication
    from sgnas._infra import locking

    def stop(*_: object, **__: object) -> None:
        raise SgnasError("stopped after the lock")

    monkeypatch.setattr("sgnas.pipeline.prepare", stop)
    holder = hold(tmp_path / "results", 1.0)
    try:
        with pytest.raises(SgnasError, match="stopped after the lock"):
            run_replication("smoke", [0], tmp_path / "results")
    finally:
        locking.release_all()
    assert f"waiting for results folder {(tmp_path / 'results').resolve()}: in use by pid {holder.pid}" in (
        capsys.readouterr().err)
    holder.wait()


@pytest.mark.parametrize("error", [RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate "
                                                "1099511627776 bytes."), MemoryError()])
def test_running_out_of_memory_is_one_line(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch,
                                           error: BaseException) -> None:
    """A size the range table allows but the machine cannot hold ends in one line, not in the allocator's traceback."""
    import argparse

    import sgnas.cli

    def parser() -> argparse.ArgumentParser:
        p = argparse.ArgumentParser()
        p.set_defaults(func=lambda args: (_ for _ in ()).throw(error))
        return p

    monkeypatch.setattr(sgnas.cli, "build_parser", parser)
    assert sgnas.cli.main([]) == 2
    assert "out of memory" in one_line_error(capsys)


def test_other_runtime_errors_stay_tracebacks(monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    import sgnas.cli

    def parser() -> argparse.ArgumentParser:
        p = argparse.ArgumentParser()
        p.set_defaults(func=lambda args: (_ for _ in ()).throw(RuntimeError("a bug")))
        return p

    monkeypatch.setattr(sgnas.cli, "build_parser", parser)
    with pytest.raises(RuntimeError, match="a bug"):
        sgnas.cli.main([])


@pytest.mark.parametrize(("module", "function", "argv"), [
    ("replication.harness", "run_replication", ["--plan", "smoke"]),
    ("replication.replicate_table", "build_tables", ["--preset", "smoke"]),
    ("replication.nasbench201", "run_nasbench201", ["--plan", "smoke"]),
    ("replication.redundancy", "redundancy_study", []),
    ("reports.build_report", "build_report", []),
], ids=lambda value: value if isinstance(value, str) else None)
def test_ctrl_c_in_a_script_is_one_line_and_exit_130(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch,
                                                     module: str, function: str, argv: list[str]) -> None:
    import importlib

    script = importlib.import_module(module)

    def stopped(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(script, function, stopped)
    assert script.main(argv) == 130
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith(f"{module.split('.')[-1]}: interrupted; finished runs")


@pytest.mark.parametrize(("module", "function", "argv"), [
    ("replication.harness", "run_replication", ["--plan", "smoke"]),
    ("replication.nasbench201", "run_nasbench201", ["--plan", "smoke"]),
    ("reports.build_report", "build_report", []),
], ids=lambda value: value if isinstance(value, str) else None)
def test_a_script_out_of_memory_is_one_line_and_lets_its_locks_go(
        capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, module: str, function: str,
        argv: list[str]) -> None:
    import importlib

    from sgnas._infra import locking

    script = importlib.import_module(module)

    def exhausted(*_: object, **__: object) -> None:
        locking.acquire(tmp_path, "results folder")
        raise RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 1099511627776 bytes.")

    monkeypatch.setattr(script, function, exhausted)
    assert script.main(argv) == 2
    line = one_line_error(capsys, f"{module.split('.')[-1]}: error: out of memory (DefaultCPUAllocator")
    assert "finished files and the last checkpoint are kept" in line
    assert tmp_path.resolve() not in locking._HELD


# --- run files replaced by folders, JSON that is not strict, results a reader trusts ----------------------------


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry below ``folder`` but its lock (files with their bytes, folders as None)."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*")) if p.name != ".lock"}


RUN_FILES = ["results.json", "supernet.pt", "checkpoint.pt", "metrics.jsonl", "config.json", "reuses.jsonl"]


@pytest.mark.parametrize("what", ["folder", "FIFO"])
@pytest.mark.parametrize("name", RUN_FILES)
def test_a_run_file_replaced_by_a_folder_or_fifo_is_one_line_and_rebuild_recovers(
        capsys: pytest.CaptureFixture, runs: Path, finished_runs: Path, name: str, what: str) -> None:
    """A folder fails every read; a FIFO (or a device) would make a reader wait, or read, for ever."""
    run = supernet_run(runs)
    (run / name).unlink(missing_ok=True)
    if what == "folder":
        (run / name).mkdir()
        (run / name / "inside").write_text("a user's file")
    else:
        os.mkfifo(run / name)
    before = snapshot(run)
    assert train_supernet(runs) == 2
    line = one_line_error(capsys)
    problem = "a folder, not a file" if what == "folder" else "not a regular file (a FIFO, socket or device)"
    assert line == (f"sgnas: error: run {run}: {name} is {problem}; rerun with --rebuild or delete the "
                    f"run folder {run}"), line
    assert snapshot(run) == before, "nothing in the run folder changes before the check"
    assert train_supernet(runs, "--rebuild") == 0
    assert (run / name).is_file() or (name == "reuses.jsonl" and not (run / name).exists())  # a new run: no reuses
    assert_same_weights(run / "supernet.pt", supernet_run(finished_runs) / "supernet.pt")


def test_a_lock_file_replaced_by_a_folder_is_one_line(capsys: pytest.CaptureFixture, runs: Path) -> None:
    run = supernet_run(runs)
    (run / ".lock").unlink(missing_ok=True)
    (run / ".lock").mkdir()
    before = snapshot(run)
    assert train_supernet(runs) == 2
    line = one_line_error(capsys)
    assert f"cannot lock run folder {run.resolve()}: its .lock is a folder, not a file; delete " in line, line
    assert snapshot(run) == before


def test_an_atomic_write_onto_a_folder_is_refused_and_leaves_no_temp(tmp_path: Path) -> None:
    (tmp_path / "results.json").mkdir()
    with pytest.raises(SgnasError, match="results.json: it is a folder, not a file"):
        atomic_write_text(tmp_path / "results.json", "{}")
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


NOT_STRICT = {
    "bare NaN": ('"final_train_loss": NaN', "bare NaN is not standard JSON"),
    "Infinity": ('"final_train_loss": -Infinity', "bare -Infinity is not standard JSON"),
    "1e400": ('"final_train_loss": 1e400', "1e400 is beyond a float's range"),
    "5,000 digits": ('"final_train_loss": ' + "9" * 5000, "Exceeds the limit (4300 digits)"),
    "401 digits": ('"final_train_loss": 1' + "0" * 400, "an integer of 401 digits is beyond a float's range"),
    "100,000 deep": ('"extra": ' + "[" * 100_000 + "]" * 100_000, "nested too deeply to be read"),
}


@pytest.mark.parametrize("case", list(NOT_STRICT))
def test_results_json_that_is_not_strict_json_resumes_the_run(capsys: pytest.CaptureFixture, runs: Path,
                                                              finished_runs: Path, case: str) -> None:
    results = supernet_run(runs) / "results.json"
    good = results.read_text()
    value, reason = NOT_STRICT[case]
    results.write_text(good.rstrip().rstrip("}") + f", {value}}}\n")
    assert train_supernet(runs) == 0
    err = capsys.readouterr().err
    assert f"results.json is {'nested' if 'deep' in case else 'not strict JSON ('}" in err and reason in err, err
    assert "Traceback" not in err
    timeless = lambda text: {k: v for k, v in json.loads(text).items()  # noqa: E731
                             if k not in ("wall_seconds", "seconds_this_session", "sha256")}
    assert timeless(results.read_text()) == timeless(good)
    assert_same_weights(supernet_run(runs) / "supernet.pt", supernet_run(finished_runs) / "supernet.pt")


@pytest.mark.parametrize("case", ["bare NaN", "100,000 deep"])
def test_config_json_that_is_not_strict_json_is_one_line_and_rebuild_recovers(
        capsys: pytest.CaptureFixture, runs: Path, finished_runs: Path, case: str) -> None:
    run = supernet_run(runs)
    config = run / "config.json"
    value, reason = NOT_STRICT[case]
    config.write_text(config.read_text().rstrip().rstrip("}") + f", {value}}}\n")
    assert train_supernet(runs) == 2
    line = one_line_error(capsys)
    assert f"run {run}: config.json is " in line and reason in line and "--rebuild" in line, line
    assert train_supernet(runs, "--rebuild") == 0
    assert config.read_bytes() == (supernet_run(finished_runs) / "config.json").read_bytes()


def test_finished_results_are_strict_json(tmp_path: Path) -> None:
    run = RunDir.open(tmp_path, "x", {"a": 1}, 0)
    run.finish({"loss": float("nan"), "nested": {"top1": float("inf"), "ok": [1.5, float("-inf")]}})
    stored = json.loads((run.path / "results.json").read_text(), parse_constant=lambda c: pytest.fail(c))
    assert stored["loss"] is None and stored["nested"] == {"top1": None, "ok": [1.5, None]}


def test_a_manifest_that_is_not_strict_json_is_one_line(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    from reports.build_report import main as report_main

    results = tmp_path / "results"
    results.mkdir()
    (results / "manifest.json").write_text('{"preset": "smoke", "seeds": [0], "x": NaN}')
    code = report_main(["--results", str(results), "--out", str(tmp_path / "out")])
    line = one_line_error(capsys, "build_report: error:")
    assert code == 2 and f"{results / 'manifest.json'} is not strict JSON (bare NaN" in line, line


SUPERNET_RESULTS = [
    ("validation", "abc", 'validation is "abc", not a validation summary'),
    ("validation", {"learned": "yes"}, "validation.chance_top1 is null, not a percentage above 0"),
    ("validation", "archs[0].top1=200", "validation.archs[0].top1 is 200.0, not a finite number from 0 to 100"),
    ("validation", "archs[0].correct=99", "validation.archs[0].correct is 99, not a hit count from 0 to its"),
    ("validation", "mean.top1_low=90", "validation.mean.top1 is "),
    ("validation", "learned flipped", "validation.learned is "),
    ("val_archs", ["zz"], 'val_archs is ["zz"], not a list of architecture strings'),
    ("val_archs", "33x", 'val_archs is "33x", not a list of architecture strings'),
    ("final_train_loss", "abc", 'final_train_loss is "abc", not null or a finite number'),
    ("final_val", 3, "final_val is 3, not a list"),
]


def _damaged_validation(validation: dict, damage: str) -> dict:
    """``validation`` (a copy) with one field edited as ``damage`` says (``PATH=VALUE`` or ``learned flipped``)."""
    damaged = json.loads(json.dumps(validation))
    if damage == "learned flipped":
        damaged["learned"] = not damaged["learned"]
        return damaged
    path, value = damage.split("=")
    where, key = path.rsplit(".", 1)
    target = damaged["archs"][0] if where == "archs[0]" else damaged[where]
    target[key] = json.loads(value) * (1.0 if key != "correct" else 1)
    return damaged


@pytest.mark.parametrize(("key", "value", "message"), SUPERNET_RESULTS,
                         ids=[f"{k}={v}" for k, v, _ in SUPERNET_RESULTS])
def test_supernet_results_a_table_reads_are_checked(capsys: pytest.CaptureFixture, runs: Path, finished_runs: Path,
                                                    key: str, value: Any, message: str) -> None:
    """Types, ranges and agreement: an edited ``learned`` or hit count would turn the "did it learn" check."""
    from replication.supernets import supernet_row

    run = supernet_run(runs)
    results = run / "results.json"
    before = json.loads(results.read_text())
    if key == "validation" and isinstance(value, str) and ("=" in value or value == "learned flipped"):
        value = _damaged_validation(before["validation"], value)
    results.write_text(json.dumps({**before, key: value}))
    expected = f"run {run}: results.json is damaged: {message}"
    with pytest.raises(SgnasError, match="results.json is damaged") as raised:
        supernet_row(RunDir(run).results, "strict-fair", 0, run)
    assert expected in str(raised.value)
    assert train_supernet(runs) == 2
    line = one_line_error(capsys)
    assert expected in line and f"rerun with --rebuild or delete the run folder {run}" in line, line
    assert train_supernet(runs, "--rebuild") == 0
    assert json.loads(results.read_text())[key] == before[key]
    assert_same_weights(run / "supernet.pt", supernet_run(finished_runs) / "supernet.pt")


def test_a_result_csv_that_is_a_folder_or_an_export_config_of_no_architecture_is_one_line(tmp_path: Path) -> None:
    from replication.results import read_csv
    from sgnas.export.model_files import load_exported

    (tmp_path / "supernets.csv").mkdir()
    with pytest.raises(SgnasError, match=r"supernets.csv is a folder, not a file; rerun the step that writes it"):
        read_csv(tmp_path, "supernets")
    fields = ["architecture", "space", "resolution", "width", "num_classes", "se", "act"]
    (tmp_path / "config.json").write_text(json.dumps({"format": "sgnas-model/1", "model": dict.fromkeys(fields, 5)}))
    with pytest.raises(SgnasError, match="architecture 5 is not an architecture string"):
        load_exported(tmp_path)
