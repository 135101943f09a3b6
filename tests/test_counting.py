"""Counting the space with and without forced sampling: formulas, enumeration, and ``sgnas space --count``."""

from __future__ import annotations

import argparse
import json
import math

import pytest

from sgnas.cli import space as space_command
from sgnas.spaces.unified.counting import (
    Count,
    enumerate_layer_count,
    enumerate_layers,
    enumerate_space_count,
    layer_counts,
    space_counts,
)
from sgnas.spaces.unified.space import get_space


def test_one_layer_by_formula_and_by_enumeration():
    assert layer_counts() == Count(ordered=4077, canonical=80)
    assert enumerate_layer_count() == layer_counts()
    assert len(set(enumerate_layers())) == 4077


@pytest.mark.parametrize(("layers", "sub_blocks", "min_active"), [(1, 6, 2), (2, 3, 2), (2, 4, 1), (3, 3, 1), (2, 4, 2)])
def test_small_spaces_by_enumeration_equal_the_product_of_the_formulas(layers, sub_blocks, min_active):
    layer = layer_counts(sub_blocks=sub_blocks, min_active=min_active)
    assert enumerate_space_count(layers, sub_blocks, min_active) == Count(layer.ordered**layers, layer.canonical**layers)


def test_imagenet_space_exact_counts():
    counts = space_counts(get_space("imagenet"))
    assert len(counts.per_layer) == 19
    assert counts.ordered == 4077**19
    assert counts.canonical == 80**19
    assert counts.log10_ordered == pytest.approx(19 * math.log10(4077))
    assert counts.log10_canonical == pytest.approx(36.1587, abs=1e-4)


def _run_space(argv: list[str], capsys) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    space_command.register(parser.add_subparsers())
    args = parser.parse_args(["space", *argv])
    code = args.func(args)
    return code, capsys.readouterr().out


def test_cli_json_counts_agree_with_enumeration(capsys):
    code, out = _run_space(["--count", "--json"], capsys)
    result = json.loads(out)
    assert code == 0
    assert result["enumeration"]["agrees"] is True
    assert result["total"]["ordered"] == 4077**19 and result["total"]["canonical"] == 80**19
    assert [layer["ordered"] for layer in result["layers"]] == [4077] * 19
    assert [layer["canonical"] for layer in result["layers"]] == [80] * 19
    assert result["total"]["log10_canonical"] == pytest.approx(19 * math.log10(80))


def test_cli_text_for_the_cifar_space(capsys):
    code, out = _run_space(["--space", "cifar", "--count"], capsys)
    assert code == 0
    assert str(80**19) in out and str(4077**19) in out and "agrees" in out
    code, out = _run_space(["--space", "cifar"], capsys)
    assert code == 0 and "ordered" not in out and "cifar" in out
