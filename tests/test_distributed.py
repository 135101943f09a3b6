"""Data-parallel supernet training (:mod:`sgnas.training.distributed`): two Gloo processes on the CPU.

Two ranks, each on half of every global batch, must end with identical weights,
and with the weights of one process that runs each step's two halves itself and
averages their gradients. Not those of one process on the whole batch:
BatchNorm normalises each rank's half by its own statistics, as
DistributedDataParallel without SyncBatchNorm does.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.distributed as torch_dist
import torch.multiprocessing as mp

from sgnas._infra.runs import RunDir
from sgnas.config.presets import load_preset
from sgnas.data import make_batches
from sgnas.pipeline import prepare, train_supernet
from sgnas.training.distributed import Distributed, Precision, init_distributed
from sgnas.training.supernet import SupernetTrainer

OVERRIDES = ["data.dataset=synthetic", "data.train_per_class=4", "data.val_per_class=2", "supernet.epochs=1",
             "supernet.batch_size=8", "supernet.checkpoint_every=0", "supernet.val_archs=2"]


def _saving_train(out: Path, name: str):  # noqa: ANN202
    """``SupernetTrainer.train`` that also saves the supernet's final state (only rank 0 writes run files)."""
    train = SupernetTrainer.train

    def train_and_save(self: SupernetTrainer, max_steps: int | None = None) -> dict | None:
        results = train(self, max_steps)
        torch.save({"state": self.supernet.state_dict(), "history": self.history}, out / f"{name}.pt")
        return results

    return train_and_save


def _rank(rank: int, world_size: int, port: int, out: Path) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), WORLD_SIZE=str(world_size),
                      RANK=str(rank), LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    SupernetTrainer.train = _saving_train(out, f"rank{rank}")  # type: ignore[method-assign]  # this process only
    try:
        runtime = prepare(load_preset("smoke", OVERRIDES))
        assert runtime.dist == Distributed(rank, world_size)
        train_supernet(runtime, out / "runs")
    finally:
        torch_dist.destroy_process_group()


def _two_halves(self: SupernetTrainer, images: torch.Tensor, labels: torch.Tensor) -> float:
    """One step as two ranks take it: each half's gradients summed over the paths, then the two averaged.

    The sums are formed in the ranks' order, so the result matches to rounding: the tiny
    smoke network amplifies any other order's rounding a thousandfold per step.
    """
    paths, total, halves = self.sampler.next_step(), 0.0, []
    for part, part_labels in zip(images.tensor_split(2), labels.tensor_split(2)):
        self.optimizer.zero_grad(set_to_none=True)
        for arch in paths:
            loss = self.criterion(self.supernet(part, arch), part_labels)
            loss.backward()
            total += loss.item() / 2
        halves.append({name: p.grad.clone() for name, p in self.supernet.named_parameters() if p.grad is not None})
    for name, parameter in self.supernet.named_parameters():
        if name in halves[0]:
            parameter.grad = (halves[0][name] + halves[1][name]) / 2
    self.optimizer.step()
    self.scheduler.step()
    self.cost.forward_passes += len(paths)
    return total / len(paths)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_without_torchrun_nothing_is_distributed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    dist, device = init_distributed("cpu")
    assert dist == Distributed() and not dist.enabled and device == torch.device("cpu")
    grad = torch.ones(3)
    parameter = torch.nn.Parameter(torch.zeros(3))
    parameter.grad = grad
    dist.average_gradients([parameter])
    assert torch.equal(parameter.grad, torch.ones(3)) and dist.reduce_sum([1, 2]) == [1.0, 2.0]


def test_ranks_take_contiguous_slices_of_the_same_global_batch() -> None:
    config = load_preset("smoke", OVERRIDES)
    from sgnas.data import load_splits

    splits = load_splits(config.data, 8, 0)
    whole = make_batches(splits, "train", 8, True, 0, "cpu")
    halves = [make_batches(splits, "train", 8, True, 0, "cpu", rank=r, world_size=2) for r in range(2)]
    assert len(whole) == len(halves[0]) == len(halves[1])
    for (images, labels), (a, la), (b, lb) in zip(whole.epoch(1), halves[0].epoch(1), halves[1].epoch(1)):
        assert torch.equal(images, torch.cat([a, b])) and torch.equal(labels, torch.cat([la, lb]))


@pytest.mark.slow
def test_two_gloo_ranks_train_like_one_process_on_the_halves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mp.spawn(_rank, args=(2, _free_port(), tmp_path), nprocs=2, join=True)
    rank0, rank1 = (torch.load(tmp_path / f"rank{r}.pt", weights_only=True) for r in range(2))
    for name, value in rank0["state"].items():
        assert torch.equal(value, rank1["state"][name]), f"{name} differs between the ranks"
    assert rank0["history"] == rank1["history"], "validation metrics are reduced over the ranks alike"
    distributed = RunDir(next((tmp_path / "runs" / "supernet").iterdir()))
    assert distributed.finished and distributed.results["world_size"] == 2

    monkeypatch.delenv("WORLD_SIZE", raising=False)
    monkeypatch.setattr(SupernetTrainer, "_step", _two_halves)
    monkeypatch.setattr(SupernetTrainer, "train", _saving_train(tmp_path, "single"))
    torch.set_num_threads(1)
    single_run = train_supernet(prepare(load_preset("smoke", OVERRIDES)), tmp_path / "single-runs")
    single = torch.load(tmp_path / "single.pt", weights_only=True)
    from sgnas.spaces.unified.supernet import UnifiedSupernet

    torch.manual_seed(0)
    initial = dict(UnifiedSupernet(load_preset("smoke", OVERRIDES).space.build()).named_parameters())
    moved = max(float((rank0["state"][n] - p.detach()).abs().max()) for n, p in initial.items())
    for name in initial:
        # Float32 steps whose gradients the two ranks sum in another order: rounding compounds over the steps,
        # hence 1e-4 relative, far below how far the weights moved (more than 1e-2, checked below).
        assert torch.allclose(rank0["state"][name], single["state"][name], rtol=1e-4, atol=1e-6), name
    assert moved > 1e-2, "the weights moved far more than the tolerance"
    assert distributed.results["forward_passes"] == single_run.results["forward_passes"] > 0


@pytest.mark.slow
@pytest.mark.e2e
def test_the_smoke_pipeline_under_torchrun(tmp_path: Path) -> None:
    """``torchrun --nproc_per_node 2 -m sgnas.cli pipeline``: every step data-parallel, one report, rank 0's runs."""
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root), "OMP_NUM_THREADS": "1", "SGNAS_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
               "-m", "sgnas.cli", "pipeline", "--preset", "smoke", "--set", "data.dataset=synthetic",
               "--device", "cpu", "--runs-dir", str(tmp_path / "runs")]
    done = subprocess.run(command, env=env, cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("supernet run:") == 1, "rank 0 alone reports"
    for kind in ("supernet", "generator"):
        (run,) = (tmp_path / "runs" / kind).iterdir()
        results = RunDir(run).results
        assert results["world_size"] == 2 and results["forward_passes"] > 0
    assert len(list((tmp_path / "runs" / "evaluate").iterdir())) == 3
    assert len(list((tmp_path / "runs" / "search").iterdir())) == 1


def test_amp_and_device_come_through_the_config() -> None:
    from sgnas._infra.errors import SgnasError
    from sgnas.cli import build_parser
    from sgnas.cli._config_args import config_from_args

    args = build_parser().parse_args(["train-supernet", "--preset", "smoke", "--amp", "--device", "cpu"])
    config = config_from_args(args)
    assert (config.amp, config.device) == ("bf16", "cpu")
    args = build_parser().parse_args(["train-supernet", "--preset", "smoke", "--amp", "fp16"])
    assert config_from_args(args).amp == "fp16"
    with pytest.raises(SgnasError, match="amp must be"):
        load_preset("smoke", ["amp=fp8"])
    precision = Precision("fp16", torch.device("cpu"))
    assert not precision.enabled and precision.scaler is None, "mixed precision is for CUDA only"
