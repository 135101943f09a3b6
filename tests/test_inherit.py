"""Weight inheritance: the exported timm model computes what the supernet computes for its architecture."""

from __future__ import annotations

import pytest
import torch
from supernet_support import TINY_SPACE, assert_close_at_scale, randomised_supernet

from sgnas._infra.errors import SgnasError
from sgnas.export.inherit import inherit_weights
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.cost import CostModel
from sgnas.spaces.unified.space import get_space
from sgnas.training.samplers import UniformSampler

#: timm's model and the supernet compute the same float32 function in different orders: measured up to
#: 4e-7 of the logits' scale, far below the O(1) change of a wrongly inherited weight.
FLOAT32_OUTPUT = 1e-5

LAYERS = [
    ("skip", "k7", "k3", "skip", "k5", "k3"),
    ("k3", "k3", "skip", "skip", "skip", "skip"),
    ("k7", "k5", "k3", "k7", "k5", "k3"),
]


@pytest.mark.parametrize("act", ["relu6", "hswish"])
@pytest.mark.parametrize("layer", LAYERS)
def test_inherited_model_equals_the_supernet_in_eval_mode(act, layer):
    supernet = randomised_supernet(0, act=act).eval()
    arch = Architecture((layer,) * TINY_SPACE.num_layers)
    model = inherit_weights(supernet, arch).eval()
    images = torch.randn(3, 3, 16, 16, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = supernet(images, arch)
        assert expected.abs().max() > 0.1
        assert_close_at_scale([model(images)], [expected], FLOAT32_OUTPUT)


def test_inheritance_on_the_imagenet_layout_with_mixed_paths():
    space = get_space("imagenet", width=0.35, resolution=32)
    supernet = randomised_supernet(1, space=space).eval()
    sampler = UniformSampler(space.num_layers, 3, forced_sampling=False)
    images = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(2))
    for _ in range(2):
        arch = sampler.next_step()[0]
        model = inherit_weights(supernet, arch).eval()
        with torch.no_grad():
            assert_close_at_scale([model(images)], [supernet(images, arch)], FLOAT32_OUTPUT)


def test_inherited_model_has_the_cost_models_size():
    supernet = randomised_supernet(2)
    arch = UniformSampler(TINY_SPACE.num_layers, 5, forced_sampling=False).next_step()[0]
    model = inherit_weights(supernet, arch)
    assert sum(p.numel() for p in model.parameters()) == CostModel(TINY_SPACE).cost(arch).params


def test_shadow_bn_of_the_expansion_is_inherited():
    supernet = randomised_supernet(3)
    arch = Architecture((("k3", "skip", "k5", "skip", "skip", "k3"),) * TINY_SPACE.num_layers)
    model = inherit_weights(supernet, arch)
    assert torch.equal(model.blocks[1][0].bn3.running_var, supernet.blocks[0].project_bn.norm_for(3).running_var)


def test_without_shadow_bn_the_single_bn_is_inherited():
    supernet = randomised_supernet(4, shadow_bn=False).eval()
    arch = Architecture((("k5", "k5", "skip", "skip", "skip", "skip"),) * TINY_SPACE.num_layers)
    images = torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        assert_close_at_scale([inherit_weights(supernet, arch).eval()(images)], [supernet(images, arch)], FLOAT32_OUTPUT)


def test_se_cannot_be_inherited():
    with pytest.raises(SgnasError, match="squeeze-and-excitation"):
        inherit_weights(randomised_supernet(0), Architecture((("k3",) * 6,) * TINY_SPACE.num_layers), se=True)
