"""The reference zoo: the project's copy of the published architectures and the recomputed figures."""

from __future__ import annotations

import json

import pytest
import torch.nn as nn

from sgnas._infra.errors import SgnasError
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.space import get_space
from sgnas.zoo.reference import MACS_TOLERANCE, count_model, get_entry, load_zoo, recompute

SPACE_ROWS = ("SGNAS-A", "SGNAS-B", "SGNAS-C", "FairNAS-A", "FairNAS-B", "FairNAS-C")
TIMM_ROWS = {
    "MobileNetV2 1.0": "mobilenetv2_100",
    "MnasNet-A1": "semnasnet_100",
    "FBNet-C": "fbnetc_100",
    "MixNet-S": "mixnet_s",
    "MixNet-M": "mixnet_m",
    "EfficientNet-B0": "efficientnet_b0",
    "MobileNetV3-Large 1.0": "mobilenetv3_large_100",
}


def test_zoo_holds_the_published_comparison():
    zoo = load_zoo()
    assert [e.name for e in zoo] == list(SPACE_ROWS) + list(TIMM_ROWS)
    for entry in zoo:
        assert entry.source and entry.published.flops_m > 0 and entry.published.params_m > 0
        assert entry.published.top1 is not None
    assert {e.name: e.timm_model for e in zoo if e.kind == "timm"} == TIMM_ROWS


def test_sgnas_rows_carry_se_hswish_and_the_conv_convention():
    for name in SPACE_ROWS:
        entry = get_entry(name)
        sgnas = name.startswith("SGNAS")
        assert entry.kind == "space" and entry.space == "imagenet"
        assert (entry.se, entry.act) == ((True, "hswish") if sgnas else (False, "relu6"))
        assert entry.published.convention == ("conv" if sgnas else "conv+fc")


def test_project_copy_equals_the_shared_reference_file(reference_file):
    shared = json.loads(reference_file.read_text())
    space = get_space("imagenet")
    for name in SPACE_ROWS:
        entry = get_entry(name)
        assert entry.arch == Architecture.from_json(shared[name], space)
        published = shared[name]["published"]
        assert entry.published.flops_m == published["flops_M"]
        assert entry.published.params_m == published["params_M"]
        assert entry.published.top1 == published["top1"]
        assert entry.published.top5 == published.get("top5")


def test_get_entry_is_case_insensitive_and_refuses_unknown_names():
    assert get_entry("sgnas-a") is get_entry("SGNAS-A")
    with pytest.raises(SgnasError, match="no zoo entry 'SGNAS-D'"):
        get_entry("SGNAS-D")


def test_count_model_separates_conv_and_fc():
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 5))
    counted = count_model(model, 10)
    assert counted.conv_macs == 3 * 8 * 9 * 10 * 10
    assert counted.fc_macs == 8 * 5
    assert counted.macs("conv") == counted.conv_macs
    assert counted.macs("conv+fc") == counted.conv_macs + 40
    assert counted.params == 3 * 8 * 9 + 8 + 8 * 5 + 5
    with pytest.raises(SgnasError, match="convention"):
        counted.macs("all")


@pytest.mark.parametrize("name", SPACE_ROWS)
def test_space_rows_recompute_within_tolerance_and_match_their_export(name):
    entry = get_entry(name)
    result = recompute(entry)
    assert abs(result.macs_m / entry.published.flops_m - 1) <= MACS_TOLERANCE["space"]
    assert abs(result.params_m - entry.published.params_m) <= 0.1
    assert result.check_agrees is True


@pytest.mark.parametrize("name", list(TIMM_ROWS))
def test_timm_rows_are_within_3_percent_or_say_why(name):
    entry = get_entry(name)
    result = recompute(entry)
    assert result.convention == "conv+fc"
    assert result.conv_macs < result.macs
    relative = abs(result.macs_m / entry.published.flops_m - 1)
    assert relative <= MACS_TOLERANCE["timm"] or len(entry.note) > 40, f"{name}: {relative:.1%} off, no note"
    # the parameter counts of timm's re-implementations agree with the papers to the published digit
    assert abs(result.params_m - entry.published.params_m) <= 0.11
