"""Export to timm: the built model's FlopCounterMode count and parameters equal the cost model exactly."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from sgnas.export.timm import block_strings, export_timm
from sgnas.spaces.unified.cost import CostModel
from sgnas.spaces.unified.space import get_space
from sgnas.zoo.reference import count_model, get_entry
from strategies import architectures

# The cifar space at 32x32 and a reduced width keeps each exported model small and fast to count.
SMALL_SPACE = get_space("cifar", width=0.25)


@pytest.mark.invariants
@given(
    architectures(),
    st.booleans(),
    st.sampled_from(["relu6", "hswish"]),
    st.sampled_from([0.25, 0.35, 0.5]),
    # 36 makes odd feature maps (9 -> 5), where 'same' padding must round up like the cost model
    st.sampled_from([32, 36]),
)
def test_exported_model_counts_equal_the_cost_model(arch, se, act, width, resolution):
    space = get_space("cifar", width=width, resolution=resolution)
    model = export_timm(arch, space, se=se, act=act)
    counted = count_model(model, space.resolution)
    cost_model = CostModel(space, se=se)
    assert counted.macs("conv") == cost_model.cost(arch, "conv").macs
    assert counted.macs("conv+fc") == cost_model.cost(arch, "conv+fc").macs
    assert counted.params == cost_model.cost(arch).params
    assert counted.other_macs == 0


@pytest.mark.parametrize("name", ["SGNAS-A", "FairNAS-C"])
def test_published_architecture_exports_exactly_at_imagenet_scale(name):
    entry = get_entry(name)
    space = get_space("imagenet")
    counted = count_model(export_timm(entry.arch, space, se=entry.se, act=entry.act), 224)
    cost = CostModel(space, se=entry.se).cost(entry.arch, "conv+fc")
    assert (counted.macs("conv+fc"), counted.params) == (cost.macs, cost.params)


def test_block_strings_use_timm_notation():
    arch = get_entry("SGNAS-A").arch
    stages = block_strings(arch, get_space("imagenet"), se=True)
    assert len(stages) == 20
    assert stages[0] == ["ds_r1_k3_s1_c16_se0.25"]
    assert stages[1] == ["ir_r1_k5.7.3.7.3.3_s2_e6_c32_se0.25"]
    assert stages[3] == ["ir_r1_k3.5.3_s2_e3_c40_se0.25"]


def test_exported_model_runs_and_keeps_the_cifar_stem_stride():
    arch = get_entry("FairNAS-B").arch
    model = export_timm(arch, SMALL_SPACE).eval()
    assert model.conv_stem.stride == (1, 1)
    with torch.no_grad():
        logits = model(torch.zeros(2, 3, 32, 32))
    assert logits.shape == (2, 10)


def test_unknown_activation_is_refused():
    with pytest.raises(ValueError, match="activation"):
        export_timm(get_entry("SGNAS-C").arch, SMALL_SPACE, act="gelu")
