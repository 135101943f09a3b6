"""Progress without a terminal: plain lines with position, rate and ETA; tqdm's bar on a terminal."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tqdm import tqdm

from sgnas._infra.errors import SgnasError
from sgnas._infra.progress import PlainProgress, RunCounter, progress, report_interval

ROOT = Path(__file__).resolve().parents[1]
#: one plain line of the supernet's progress, e.g. "supernet: step 3/5 (60%), 2.10 step/s, elapsed 00:01, ETA 00:00, ..."
SUPERNET_LINE = re.compile(
    r"^supernet: step (\d+)/(\d+) \(\d+%\), [\d.]+ (step/s|s/step), elapsed \d\d:\d\d, ETA \d\d:\d\d, epoch=0, loss=[\d.]+$"
)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_carry_position_rate_eta_and_postfix() -> None:
    out = io.StringIO()
    bar = PlainProgress(total=4, desc="train", unit="step", interval=0, stream=out)
    for step in range(4):
        bar.set_postfix(loss=f"{1 / (step + 1):.2f}")  # before the update, so that its line shows this step's
        bar.update(1)
    bar.close()
    lines = out.getvalue().splitlines()
    assert len(lines) == 4, "interval 0 reports every update, and close adds nothing already reported"
    assert lines[0].startswith("train: step 1/4 (25%), ") and "ETA " in lines[0]
    assert re.search(r"[\d.]+ (step/s|s/step)", lines[0])
    assert lines[-1].startswith("train: step 4/4 (100%)") and lines[-1].endswith("ETA 00:00, loss=0.25")


def test_lines_come_at_the_interval_and_once_more_on_close() -> None:
    out = io.StringIO()
    bar = PlainProgress(range(50), desc="search", interval=3600, stream=out)
    assert list(bar) == list(range(50))
    assert out.getvalue().splitlines() == [bar.line(bar._reported_at)] and "it 50/50" in out.getvalue()
    quiet = io.StringIO()
    list(PlainProgress(range(5), desc="epoch 0", leave=False, interval=3600, stream=quiet))
    assert quiet.getvalue() == "", "a leave=False loop only reports at the interval"


def test_a_resumed_loop_rates_only_this_session() -> None:
    out = io.StringIO()
    bar = PlainProgress(total=100, initial=90, unit="step", interval=0, stream=out)
    assert "ETA ?" in bar.line() and "? step/s" in bar.line()
    bar.update(1)
    assert out.getvalue().startswith("step 91/100 (91%)")


def test_the_factory_picks_tqdm_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert isinstance(progress(range(3), desc="x"), PlainProgress)
    off = progress(range(3), disable=True)
    assert isinstance(off, tqdm) and off.disable
    monkeypatch.setattr(sys, "stderr", _Terminal())
    bar = progress(total=3, desc="x", disable=None)
    assert isinstance(bar, tqdm) and not bar.disable
    bar.close()


def test_both_reporters_get_the_same_position_and_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    options = {"total": 9, "initial": 2, "desc": "epoch", "unit": "step", "leave": False}
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    plain = progress(range(9), **options)
    monkeypatch.setattr(sys, "stderr", _Terminal())
    bar = progress(range(9), mininterval=5.0, **options)
    assert (plain.total, plain.n, plain.desc, plain.unit, plain.leave) == tuple(options.values())
    assert (bar.total, bar.n, bar.desc, bar.unit, bar.leave, bar.mininterval) == (*options.values(), 5.0)
    bar.close()


@pytest.mark.parametrize("value", ["abc", "-1", "nan", "inf"])
def test_a_bad_interval_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SGNAS_PROGRESS_SECONDS", value)
    with pytest.raises(SgnasError, match="SGNAS_PROGRESS_SECONDS"):
        report_interval()


def test_the_run_counter_gives_run_k_of_n_with_an_eta() -> None:
    out = io.StringIO()
    counter = RunCounter(3, "harness", stream=out)
    for label in ("supernet", "generator", "search"):
        counter.start(label)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("harness: run 1 of 3 (supernet), elapsed 00:00, ETA ?")
    assert re.fullmatch(r"harness: run 3 of 3 \(search\), elapsed \d\d:\d\d, ETA \d\d:\d\d", lines[2])


def test_smoke_training_without_a_terminal_prints_plain_progress(tmp_path: Path) -> None:
    env = {**os.environ, "SGNAS_PROGRESS_SECONDS": "0", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "sgnas.cli", "train-supernet", "--preset", "smoke", "--set", "data.dataset=synthetic",
               "--runs-dir", str(tmp_path / "runs"), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["finished"], "progress goes to stderr, stdout stays the JSON report"
    lines = [line for line in done.stderr.splitlines() if line.startswith("supernet: ")]
    steps = [SUPERNET_LINE.match(line) for line in lines]
    assert lines and all(steps), lines
    assert [int(m.group(1)) for m in steps] == list(range(1, int(steps[0].group(2)) + 1))
    assert "\r" not in done.stderr
