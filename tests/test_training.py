"""Supernet training: schedules, checkpoints that refuse foreign files, and exact resume on the CPU."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

from sgnas._infra.errors import SgnasError
from sgnas._infra.runs import RunDir
from sgnas.config.presets import load_preset
from sgnas.config.schema import Config
from sgnas.data import load_splits, make_batches
from sgnas.spaces.unified.cost import CostModel
from sgnas.spaces.unified.supernet.files import export_settings, load_supernet, validation_architectures
from sgnas.training.checkpoint import load_checkpoint, save_checkpoint
from sgnas.training.samplers import build_sampler
from sgnas.training.schedules import LRFactor
from sgnas.training.supernet import SupernetTrainer, validation_summary

SMOKE = load_preset("smoke", ["data.dataset=synthetic", "data.train_per_class=4", "data.val_per_class=2",
                              "supernet.epochs=2", "supernet.batch_size=8", "supernet.checkpoint_every=3"])


@pytest.fixture(autouse=True)
def _one_thread():
    """Single-threaded: the machines these run on are shared, and exact CPU results are asserted."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_cosine_and_step_factors() -> None:
    cosine = LRFactor("cosine", total_steps=100, steps_per_epoch=10)
    assert cosine(0) == 1.0 and cosine(50) == pytest.approx(0.5) and cosine(100) == pytest.approx(0.0)
    warm = LRFactor("step", total_steps=100, steps_per_epoch=10, warmup_steps=10, decay_rate=0.5, decay_epochs=2)
    assert warm(0) == pytest.approx(0.1) and warm(9) == pytest.approx(1.0)
    assert warm(10) == 1.0 and warm(29) == 1.0 and warm(30) == 0.5 and warm(50) == 0.25
    with pytest.raises(ValueError):
        LRFactor("linear", 1, 1)


def test_validation_architectures_are_fixed_and_canonical() -> None:
    archs = validation_architectures(19, 5, seed=3, forced_sampling=True)
    assert archs == validation_architectures(19, 5, seed=3, forced_sampling=True)
    assert archs[0].expansions == (2,) * 19 and archs[1].expansions == (6,) * 19
    assert all(a.is_canonical() for a in archs)


def test_unknown_sampler_is_a_one_line_error() -> None:
    """Only the listed names: an import path is refused, never imported."""
    with pytest.raises(SgnasError, match="unknown sampler 'os:system'"):
        build_sampler("os:system", 19, 0, True)


def _trainer(run: RunDir | None, sampler_name: str = "strict-fair", config: Config = SMOKE) -> SupernetTrainer:
    from sgnas.pipeline import IndexedBatches
    from sgnas.spaces.unified.supernet import UnifiedSupernet

    space = config.space.build()
    splits = load_splits(config.data, space.resolution, config.seed)
    torch.manual_seed(config.seed)
    supernet = UnifiedSupernet(space)
    sampler = build_sampler(sampler_name, space.num_layers, config.seed, True)
    batches = lambda which, train: make_batches(splits, which, config.supernet.batch_size, train, config.seed, "cpu")  # noqa: E731
    low, high = CostModel(space).macs_range("conv+fc")
    val_archs = validation_architectures(space.num_layers, config.supernet.val_archs, config.seed, True)
    return SupernetTrainer(supernet, sampler, batches("train", True), batches("val", False), batches("train", True),
                           config.supernet, "smoke", config.seed, space, CostModel(space), val_archs, run,
                           held_out=IndexedBatches(batches("val", True)), target_macs=(low + high) / 2)


def test_the_supernet_warm_up_ramps_the_learning_rate_before_the_cosine() -> None:
    from sgnas.config.schema import apply_overrides

    config = apply_overrides(SMOKE, ["supernet.warmup_steps=4"])
    trainer = _trainer(None, config=config)
    assert trainer.scheduler.get_last_lr()[0] == pytest.approx(config.supernet.lr / 4)
    assert _trainer(None).scheduler.get_last_lr()[0] == pytest.approx(config.supernet.lr)


@pytest.mark.slow
def test_resume_gives_the_same_weights_as_an_uninterrupted_run(tmp_path: Path) -> None:
    torch.set_num_threads(1)
    straight = _trainer(RunDir.open(tmp_path / "a", "supernet", {"x": 1}, 0))
    results = straight.train()
    assert results is not None and straight.global_step == 2 * straight.steps_per_epoch

    run = RunDir.open(tmp_path / "b", "supernet", {"x": 1}, 0)
    first = _trainer(run)
    assert first.train(max_steps=straight.steps_per_epoch + 2) is None  # stops mid-epoch 1, after epoch 0's validation
    resumed = _trainer(run)
    resumed.resume(run.checkpoint_path)
    assert resumed.global_step == straight.steps_per_epoch + 2
    first_seconds = load_checkpoint(run.checkpoint_path, "supernet-training")["wall_seconds"]
    resumed_results = resumed.train()
    assert resumed_results is not None
    for (name, a), b in zip(straight.supernet.state_dict().items(), resumed.supernet.state_dict().values()):
        assert torch.equal(a, b), f"{name} differs after resume"
    assert straight.history == resumed.history
    assert results["validation"] == resumed_results["validation"] is not None
    assert results["final_train_loss"] == pytest.approx(resumed_results["final_train_loss"])
    validation = results["validation"]
    assert len(validation["archs"]) == len(results["val_archs"]) and validation["chance_top1"] == pytest.approx(10.0)
    assert validation["mean"]["top1_low"] <= validation["mean"]["top1"] <= validation["mean"]["top1_high"]
    # strict fairness: one path per expansion rate (2..6) each step; paths x batches over both sessions
    assert results["forward_passes"] == resumed_results["forward_passes"] == 5 * straight.global_step
    assert resumed_results["wall_seconds"] > first_seconds > 0, "earlier sessions count"
    assert resumed_results["wall_seconds"] > resumed_results["seconds_this_session"]

    straight.export(tmp_path / "supernet.pt", **export_settings(straight.supernet))
    loaded = load_supernet(tmp_path / "supernet.pt", SMOKE.space.build(), "smoke")
    assert all(torch.equal(a, b) for a, b in zip(loaded.state_dict().values(), straight.supernet.state_dict().values()))


def test_checkpoint_errors_are_one_line(tmp_path: Path) -> None:
    space = SMOKE.space.build().describe()
    path = tmp_path / "ckpt.pt"
    with pytest.raises(SgnasError, match="does not exist"):
        load_checkpoint(path, "supernet")
    path.write_bytes(b"\x00not a checkpoint")
    with pytest.raises(SgnasError, match="corrupt"):
        load_checkpoint(path, "supernet")
    save_checkpoint(path, {"kind": "generator", "space": space, "preset": "smoke"})
    with pytest.raises(SgnasError, match="holds a generator"):
        load_checkpoint(path, "supernet")
    save_checkpoint(path, {"kind": "supernet", "space": space, "preset": "smoke"})
    other = load_preset("proxy").space.build().describe()
    with pytest.raises(SgnasError, match="width 0.1") as info:
        load_checkpoint(path, "supernet", space=other)
    assert "\n" not in str(info.value)
    with pytest.raises(SgnasError, match="preset 'smoke'"):
        load_checkpoint(path, "supernet", space=space, preset="proxy")
    assert load_checkpoint(path, "supernet", space=space, preset="smoke")["kind"] == "supernet"


def test_truncated_checkpoint_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "ckpt.pt"
    save_checkpoint(path, {"kind": "supernet", "weights": torch.zeros(1000)})
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(SgnasError, match="corrupt"):
        load_checkpoint(path, "supernet")


def test_a_write_killed_midway_leaves_the_last_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "checkpoint.pt"
    save_checkpoint(path, {"kind": "supernet", "step": 1})

    def killed(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("os.replace", killed)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(path, {"kind": "supernet", "step": 2})
    monkeypatch.undo()
    assert load_checkpoint(path, "supernet")["step"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.pt"], "no temporary file is left behind"


def test_sgnas_never_imports_the_baselines() -> None:
    """The proxyless sampler is named by import path; importing the library and its CLI pulls in no baseline."""
    code = ("import sys, sgnas.cli, sgnas.pipeline, sgnas.training.supernet; sgnas.cli.build_parser(); "
            "assert not [m for m in sys.modules if m.split('.')[0] == 'baselines'], 'baselines imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])


def test_the_proxyless_sampler_is_attached_and_resumes_exactly(tmp_path: Path) -> None:
    """``supernet.sampler=proxyless``: the gates co-train on held-out batches; their state survives a resume."""
    pytest.importorskip("baselines.proxyless")
    config = load_preset("smoke", ["data.dataset=synthetic", "data.train_per_class=4", "data.val_per_class=2",
                                   "supernet.epochs=1", "supernet.batch_size=8", "supernet.checkpoint_every=0",
                                   "supernet.sampler=proxyless", "supernet.val_archs=2"])
    straight = _trainer(None, "proxyless", config)
    assert straight.sampler.model is straight.supernet and straight.sampler.optimizer is not None
    alpha_before = straight.sampler.gates.alpha.detach().clone()
    results = straight.train()
    assert results is not None and results["forward_passes"] == straight.global_step, "one path per step"
    assert straight.sampler.updates > 0 and not torch.equal(alpha_before, straight.sampler.gates.alpha)

    run = RunDir.open(tmp_path / "b", "supernet", {"x": 1}, 0)
    assert _trainer(run, "proxyless", config).train(max_steps=straight.steps_per_epoch // 2 + 1) is None
    resumed = _trainer(run, "proxyless", config)
    resumed.resume(run.checkpoint_path)
    assert resumed.train() is not None
    assert torch.equal(straight.sampler.gates.alpha, resumed.sampler.gates.alpha)
    for (name, a), b in zip(straight.supernet.state_dict().items(), resumed.supernet.state_dict().values()):
        assert torch.equal(a, b), f"{name} differs after resume"


def test_validation_summary_says_whether_the_supernet_is_above_chance() -> None:
    archs = ["a", "b", "c", "d"]
    at_chance = validation_summary(archs, [23, 30, 35, 40], images=256, num_classes=10)
    assert at_chance["chance_top1"] == 10.0 and not at_chance["learned"]
    assert at_chance["mean"]["top1"] == pytest.approx(100 * 32 / 256) and at_chance["mean"]["images"] == 256
    assert at_chance["mean"]["top1_low"] < 10.0 < at_chance["mean"]["top1_high"]  # 12.5% of 256: not clearly above
    assert [a["top1"] for a in at_chance["archs"]] == pytest.approx([100 * k / 256 for k in (23, 30, 35, 40)])
    learned = validation_summary(archs, [70, 80, 90, 100], images=256, num_classes=10)
    assert learned["learned"] and learned["mean"]["top1_low"] > 10.0
    with pytest.raises(SgnasError):
        validation_summary(archs, [1, 2], images=256, num_classes=10)
