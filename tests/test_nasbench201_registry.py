"""NAS-Bench-201 through the extension points: its space entry, its samplers, ``sgnas cost --space nas-bench-201``."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sgnas._infra.errors import SgnasError
from sgnas.cli import main
from sgnas.config.schema import Config, apply_overrides
from sgnas.registry import SAMPLERS, SPACES, UNIFIED, family_of
from sgnas.spaces.nasbench201.cell import Cell
from sgnas.spaces.nasbench201.samplers import StrictFairSampler, UniformSampler, build_cell_sampler
from sgnas.spaces.unified.space import get_space

ALL_NONE = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
ALL_CONV = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
INDEX0 = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"


def _cost(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    """``sgnas cost ARGS`` in this process (the real process is tested once, in test_cli_cost.py)."""
    code = main(["cost", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_space_and_its_samplers_are_registered_under_their_family():
    assert SPACES.names(family=UNIFIED) == ("imagenet", "cifar")
    assert "nas-bench-201" in SPACES.names(family="nas-bench-201")
    assert SAMPLERS.get("nb201-uniform") is UniformSampler
    assert SAMPLERS.get("nb201-strict-fair") is StrictFairSampler
    assert {"uniform", "strict-fair"} <= set(SAMPLERS.names(family=UNIFIED))
    assert not {"nb201-uniform", "nb201-strict-fair"} & set(SAMPLERS.names(family=UNIFIED))
    assert family_of(SAMPLERS.get("nb201-uniform")) == "nas-bench-201"


def test_the_entry_builds_parses_costs_and_draws():
    entry = SPACES.get("nas-bench-201")
    macro = entry.build()
    assert (macro.channels, macro.cells_per_stage, macro.resolution, macro.num_classes) == (16, 5, 32, 10)
    cell = entry.parse(INDEX0, macro)
    assert entry.cost_model(macro).cost(cell, entry.default_convention).macs == 15_647_370
    assert isinstance(entry.random(np.random.default_rng(0), macro), Cell)


def test_unified_consumers_refuse_the_cell_space_and_its_samplers():
    with pytest.raises(ValueError, match="not a unified-block space"):
        get_space("nas-bench-201")
    with pytest.raises(SgnasError, match="supernet.sampler"):
        apply_overrides(Config(), ["supernet.sampler=nb201-uniform"])
    with pytest.raises(SgnasError, match="not NAS-Bench-201 cells"):
        build_cell_sampler("uniform", 0)
    assert build_cell_sampler("nb201-strict-fair", 0).paths_per_step == 5


@pytest.mark.parametrize(("arch", "published", "macs"), [
    (ALL_NONE, "7.783M", 7_783_050), (ALL_CONV, "220.120M", 220_119_690), (INDEX0, "15.647M", 15_647_370),
])
def test_sgnas_cost_prints_the_published_figures(arch, published, macs, capsys):
    code, out, err = _cost(capsys, "--space", "nas-bench-201", arch)
    assert code == 0, err
    assert f"MACs          {published}  [nb201]" in out
    data = json.loads(_cost(capsys, "--space", "nas-bench-201", "--json", arch)[1])
    assert (data["macs"], data["convention"], data["space"]["name"]) == (macs, "nb201", "nas-bench-201")


@pytest.mark.parametrize("args", [
    ("|none~0|+|none~0|none~1|",),
    ("|none~0|+|none~0|conv_5x5~1|+|none~0|none~1|none~2|",),
    ("--se", ALL_NONE),
    ("--act", "hswish", ALL_NONE),
    ("--convention", "conv+fc", "--resolution", "30", ALL_NONE),
])
def test_bad_cells_and_options_are_one_error_line(args, capsys):
    code, _, err = _cost(capsys, "--space", "nas-bench-201", *args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sgnas: error: ")
