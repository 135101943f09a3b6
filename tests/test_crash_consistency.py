"""Real smoke runs killed (SIGKILL) at many moments, and started twice at once, end as one uninterrupted run.

Each run is ``python -m sgnas.cli train-supernet`` in its own process, started
through a small wrapper that can kill the process at an exact moment: before
the n-th rename of a finished temporary file, inside the n-th write (after the
data, before fsync and rename), or half-way through the n-th metrics line;
others are killed after seeded random delays.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch

from sgnas.cli import main

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["train-supernet", "--preset", "smoke", "--set", "data.dataset=synthetic", "--set", "supernet.epochs=2",
        "--set", "supernet.checkpoint_every=3", "--json"]

WRAPPER = textwrap.dedent("""
    import os, signal, sys, time
    mode, count, sys.argv = sys.argv[1], int(sys.argv[2]), ["sgnas", *sys.argv[3:]]
    calls = [0]

    def die_on_call(owner, name, before=None):
        original = getattr(owner, name)
        def wrapper(*args, **kwargs):
            calls[0] += 1
            if calls[0] == count:
                if before is not None:
                    before(*args)
                os.kill(os.getpid(), signal.SIGKILL)
            return original(*args, **kwargs)
        setattr(owner, name, wrapper)

    from sgnas._infra import runs
    from sgnas.training import supernet
    if mode == "replace":  # the temporary file is complete, the rename not done
        die_on_call(os, "replace")
    elif mode == "fsync":  # inside a write: data written, not yet synced or renamed
        die_on_call(os, "fsync")
    elif mode == "log":  # half a metrics line written
        def half_line(run, record):
            with open(run.path / "metrics.jsonl", "a") as handle:
                handle.write(runs.json.dumps(record)[:10])
        die_on_call(runs.RunDir, "log", before=half_line)
    elif mode == "hold":  # hold the run (its lock) until the test says go
        original = supernet.SupernetTrainer.train
        def held(self, *args, **kwargs):
            while not os.path.exists(os.environ["SGNAS_TEST_GO"]):
                time.sleep(0.05)
            return original(self, *args, **kwargs)
        supernet.SupernetTrainer.train = held
    from sgnas.cli import main
    sys.exit(main())
""")


def start(mode: str, count: int, runs: Path, **env: str) -> subprocess.Popen:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.Popen([sys.executable, "-c", WRAPPER, mode, str(count), *ARGS, "--runs-dir", str(runs)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)


def run_folder(runs: Path) -> Path:
    (path,) = (runs / "supernet").iterdir()
    return path


def tensors(path: Path) -> dict[str, torch.Tensor]:
    payload = torch.load(path, weights_only=True)
    return {**payload["model"], **{f"optimizer.{k}": v["momentum_buffer"]
                                   for k, v in payload.get("optimizer", {}).get("state", {}).items()}}


def logged(run: Path) -> list[dict]:
    """The training and validation records (session timings and wall seconds differ between runs)."""
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    return [{k: v for k, v in r.items() if k != "seconds"} for r in records if r["event"] != "session"]


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


@pytest.mark.slow
def test_killed_at_random_moments_the_rerun_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    straight = tmp_path / "straight"
    assert main([*ARGS, "--runs-dir", str(straight)]) == 0
    killed = tmp_path / "killed"
    delays = random.Random(12).sample([3.5, 4.0, 4.5, 5.0, 5.5, 6.0], 2)
    plan = [("fsync", 1), ("replace", 2), ("log", 2), ("timed", delays[0]), ("fsync", 3), ("log", 3),
            ("timed", delays[1]), ("replace", 3)]
    for mode, when in plan:
        if mode == "timed":
            process = start("none", 0, killed)
            time.sleep(when)
            process.send_signal(signal.SIGKILL)
        else:
            process = start(mode, int(when), killed)
        process.communicate(timeout=120)
        assert process.returncode in (0, -signal.SIGKILL), (mode, when, process.returncode)
    final = start("none", 0, killed)
    out, err = final.communicate(timeout=120)
    assert final.returncode == 0, err
    assert json.loads(out)["finished"]

    a, b = run_folder(straight), run_folder(killed)
    for name in ("supernet.pt", "checkpoint.pt"):
        left, right = tensors(a / name), tensors(b / name)
        assert left.keys() == right.keys()
        assert all(torch.equal(left[k], right[k]) for k in left), f"{name} differs from the uninterrupted run"
    assert logged(b) == logged(a), "metrics records lost or logged twice"
    assert not list(b.glob("*.tmp")) and not list(b.glob(".*.tmp")), "stray temporary files"
    first = json.loads((a / "results.json").read_text())
    again = json.loads((b / "results.json").read_text())
    assert first["final_val"] == again["final_val"] and first["forward_passes"] == again["forward_passes"]


@pytest.mark.slow
def test_two_identical_runs_at_once_train_once(tmp_path: Path) -> None:
    """Both start together; one trains, the other says it waits for that one's pid, then reuses the run."""
    runs, go = tmp_path / "runs", tmp_path / "go"
    first, second = (start("hold", 0, runs, SGNAS_TEST_GO=str(go)) for _ in range(2))
    by_pid = {first.pid: first, second.pid: second}
    deadline = time.monotonic() + 120
    holder = None
    while holder is None:
        assert time.monotonic() < deadline, "no run took the lock"
        try:
            lock = json.loads(next((runs / "supernet").iterdir()).joinpath(".lock").read_text())
            holder = lock["pid"] if lock.get("pid") in by_pid else None
        except (StopIteration, OSError, ValueError):
            time.sleep(0.05)
    (waiter,) = (p for pid, p in by_pid.items() if pid != holder)
    assert waiter.stderr is not None
    line = waiter.stderr.readline()
    assert line.startswith("sgnas: waiting for run folder") and f"in use by pid {holder}" in line, line
    go.touch()
    for process in by_pid.values():
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err

    run = run_folder(runs)
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["event"] for r in records].count("session") == 1, "trained once"
    assert len({json.dumps(r, sort_keys=True) for r in records}) == len(records), "no record twice"
    assert [json.loads(line)["role"] for line in (run / "reuses.jsonl").read_text().splitlines()] == ["reused"]
