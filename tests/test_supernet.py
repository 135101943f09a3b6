"""The unified supernet: layout, sliced and shadow BN, relaxed forward, BN recalibration."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from supernet_support import assert_close_at_scale

from sgnas._infra.errors import SgnasError
from sgnas.spaces.unified.architecture import Architecture, ArchitectureError
from sgnas.spaces.unified.space import OPS, SKIP, SUB_BLOCKS, get_space
from sgnas.spaces.unified.supernet import (
    ShadowBatchNorm,
    UnifiedBlock,
    UnifiedSupernet,
    reference_forward,
)
from sgnas.spaces.unified.supernet.shadow_bn import running_average_factor, sliced_batch_norm
from sgnas.spaces.unified.supernet.unified_block import relaxed_expansion
from sgnas.supernet.bn_recalibration import preserved_bn_statistics, recalibrate_bn

SPACE = get_space("cifar", width=0.25, resolution=16)
#: A fresh supernet's logits are ~1e-5, so its float32 outputs are compared relative to their scale: the
#: same function in another order measures ~3e-7 of it, a wrong op or a kept pruned op ~1e-2 or more.
FLOAT32_OUTPUT = 1e-5


def _arch(layer: tuple[str, ...], num_layers: int = SPACE.num_layers) -> Architecture:
    return Architecture((layer,) * num_layers)


def _one_hot(arch: Architecture) -> torch.Tensor:
    return F.one_hot(torch.tensor(arch.op_indices()), len(OPS)).float()


@pytest.fixture
def supernet() -> UnifiedSupernet:
    torch.manual_seed(0)
    return UnifiedSupernet(SPACE)


@pytest.fixture
def images() -> torch.Tensor:
    return torch.randn(4, 3, SPACE.resolution, SPACE.resolution, generator=torch.Generator().manual_seed(1))


def test_layout_follows_the_space(supernet):
    assert len(supernet.blocks) == SPACE.num_layers
    assert supernet.stem.stride == (SPACE.stem_stride,) * 2
    assert supernet.classifier.out_features == SPACE.num_classes
    assert supernet.head.out_channels == SPACE.head_channels
    for block, spec in zip(supernet.blocks, SPACE.layers):
        assert block.expand.weight.shape == (SUB_BLOCKS * spec.in_channels, spec.in_channels, 1, 1)
        assert block.project.weight.shape == (spec.out_channels, SUB_BLOCKS * spec.in_channels, 1, 1)
        assert {op: conv.kernel_size for op, conv in block.depthwise.items()} == {
            "k3": (3, 3), "k5": (5, 5), "k7": (7, 7)
        }
        assert all(conv.stride == (spec.stride,) * 2 for conv in block.depthwise.values())
        assert len(block.project_bn.norms) == 5


def test_forward_gives_logits_for_any_architecture(supernet, images):
    arch = Architecture((("skip", "k7", "skip", "k3", "k5", "skip"),) * SPACE.num_layers)
    assert supernet(images, arch).shape == (4, SPACE.num_classes)


def test_imagenet_variant_runs_at_small_resolution():
    space = get_space("imagenet", width=0.25, resolution=32, num_classes=7)
    out = UnifiedSupernet(space, act="hswish")(torch.randn(2, 3, 32, 32), _arch(("k3",) * 6))
    assert out.shape == (2, 7)


def test_bad_inputs_are_refused(supernet, images):
    with pytest.raises(ArchitectureError, match="19"):
        supernet(images, _arch(("k3",) * 6, num_layers=3))
    with pytest.raises(SgnasError, match="shape"):
        supernet.forward_relaxed(images, torch.rand(3, 6, 4))
    with pytest.raises(SgnasError, match="activation"):
        UnifiedSupernet(SPACE, act="gelu")


def test_training_updates_only_the_statistics_of_active_sub_blocks(supernet, images):
    layer = ("skip", "k5", "k3", "skip", "k3", "skip")
    before = copy.deepcopy(supernet.state_dict())
    supernet.train()(images, _arch(layer))
    block = supernet.blocks[1]
    width = block.width
    for j, op in enumerate(layer):
        rows = slice(j * width, (j + 1) * width)
        expand_moved = not torch.equal(block.expand_bn.running_mean[rows], before["blocks.1.expand_bn.running_mean"][rows])
        assert expand_moved == (op != SKIP)
        for kernel in ("k3", "k5", "k7"):
            key = f"blocks.1.depthwise_bn.{kernel}.running_var"
            moved = not torch.equal(block.depthwise_bn[kernel].running_var[rows], before[key][rows])
            assert moved == (op == kernel)
    # Shadow BN: only the BN of expansion 3 saw data.
    counts = [int(norm.num_batches_tracked) for norm in block.project_bn.norms]
    assert counts == [0, 1, 0, 0, 0]


def test_shadow_bn_can_be_shared():
    norm = ShadowBatchNorm(8, range(2, 7), shadow=False)
    assert len(norm.norms) == 1 and norm.norm_for(2) is norm.norm_for(6)
    shadow = ShadowBatchNorm(8, range(2, 7))
    assert shadow.norm_for(2) is not shadow.norm_for(6)


@pytest.mark.parametrize("momentum", [0.1, None])
def test_sliced_batch_norm_is_batch_norm_on_the_slice(momentum):
    torch.manual_seed(0)
    whole = nn.BatchNorm2d(12, momentum=momentum)
    nn.init.normal_(whole.weight)
    nn.init.normal_(whole.bias)
    part = nn.BatchNorm2d(4, momentum=momentum)
    part.load_state_dict({k: v[4:8] if v.dim() else v for k, v in whole.state_dict().items()})
    # Float32 values of order 1 from the same BN arithmetic: ~100 ulps of either is plenty.
    close = {"rtol": 1e-5, "atol": 1e-6}
    for channels in (slice(4, 8), torch.arange(4, 8)):
        sliced = copy.deepcopy(whole)
        expected = copy.deepcopy(part)
        for _ in range(3):
            x = torch.randn(5, 4, 3, 3)
            out = sliced_batch_norm(x, sliced, channels, running_average_factor(sliced))
            torch.testing.assert_close(out, expected(x), **close)
        torch.testing.assert_close(sliced.running_mean[4:8], expected.running_mean, **close)
        torch.testing.assert_close(sliced.running_var[4:8], expected.running_var, **close)
        assert torch.equal(sliced.running_mean[:4], whole.running_mean[:4])
        eval_out = sliced_batch_norm(x, sliced, channels, None)
        torch.testing.assert_close(eval_out, expected.eval()(x), **close)


def test_reference_updates_statistics_like_the_fast_path():
    spec = SPACE.layers[3]
    torch.manual_seed(2)
    block = UnifiedBlock(spec)
    twin = copy.deepcopy(block)
    x = torch.randn(3, spec.in_channels, spec.in_size, spec.in_size)
    layer = ("k3", "skip", "k7", "k3", "k3", "skip")
    block(x, layer)
    reference_forward(twin, x, layer)
    for (name, mine), theirs in zip(block.state_dict().items(), twin.state_dict().values()):
        # Float32 parameters and statistics of order 1, from sums in another order: ~100 ulps.
        torch.testing.assert_close(mine.float(), theirs.float(), rtol=1e-5, atol=1e-6, msg=name)


def test_relaxed_forward_of_a_one_hot_architecture_is_the_hard_path(supernet, images):
    arch = Architecture((("k5", "skip", "k3", "k7", "skip", "k3"),) * SPACE.num_layers)
    supernet.eval()
    assert_close_at_scale([supernet.forward_relaxed(images, _one_hot(arch))], [supernet(images, arch)], FLOAT32_OUTPUT)


def test_relaxed_forward_drops_ops_at_or_below_the_threshold(supernet, images):
    supernet.eval()
    weights = torch.softmax(torch.randn(SPACE.num_layers, SUB_BLOCKS, len(OPS), generator=torch.Generator().manual_seed(3)), -1)
    weights[:, :, 0] = 0.004
    without = weights.clone()
    without[:, :, 0] = 0.0
    assert_close_at_scale([supernet.forward_relaxed(images, weights)], [supernet.forward_relaxed(images, without)],
                          FLOAT32_OUTPUT)
    kept, dropped = (supernet.forward_relaxed(images, w, threshold=0.001) for w in (weights, without))
    # The kept 0.004 of k3 moves the logits by ~2% of their scale: far beyond rounding.
    assert (kept - dropped).abs().max() > 1e-3 * dropped.abs().max()


def test_relaxed_forward_is_differentiable_in_the_kept_probabilities(supernet, images):
    supernet.eval()
    logits = torch.randn(SPACE.num_layers, SUB_BLOCKS, len(OPS), generator=torch.Generator().manual_seed(4))
    logits[0, 0] = torch.tensor([-20.0, 5.0, 5.0, 5.0])  # k3 of layer 0, sub-block 0 falls below the threshold
    weights = torch.softmax(logits, -1).requires_grad_()
    supernet.forward_relaxed(images, weights).logsumexp(-1).sum().backward()
    kernels = weights.grad[:, :, :3]
    assert torch.count_nonzero(kernels) == kernels.numel() - 1
    assert weights.grad[0, 0, 0] == 0
    assert torch.count_nonzero(weights.grad[:, :, 3]) == 0  # skip adds zero


def test_relaxed_forward_trains_like_a_path_in_train_mode(supernet, images):
    weights = torch.full((SPACE.num_layers, SUB_BLOCKS, len(OPS)), 0.25, requires_grad=True)
    supernet.train()
    supernet.forward_relaxed(images, weights).sum().backward()
    assert weights.grad.abs().sum() > 0
    assert all(p.grad is not None for p in supernet.blocks[0].depthwise.parameters())


def test_relaxed_shadow_bn_rounds_the_expected_number_of_skips():
    weights = torch.zeros(SUB_BLOCKS, len(OPS))
    weights[:, 0] = 1.0
    assert relaxed_expansion(weights) == 6
    weights[:, 3], weights[:, 0] = 0.6, 0.4  # 3.6 expected skips -> 4 -> expansion 2
    assert relaxed_expansion(weights) == 2
    weights[:, 3], weights[:, 0] = 0.9, 0.1  # 5.4 expected skips: clamped to expansion 2
    assert relaxed_expansion(weights) == 2
    weights[:, 3], weights[:, 0] = 0.3, 0.7  # 1.8 -> 2 skips -> expansion 4
    assert relaxed_expansion(weights) == 4


def test_relaxed_forward_with_every_kernel_below_threshold_still_runs(supernet, images):
    weights = torch.zeros(SPACE.num_layers, SUB_BLOCKS, len(OPS))
    weights[..., 3] = 1.0
    assert torch.isfinite(supernet.eval().forward_relaxed(images, weights)).all()


def test_recalibration_is_a_cumulative_average_over_the_given_batches(supernet):
    arch = _arch(("k3", "k5", "k7", "skip", "skip", "skip"))
    generator = torch.Generator().manual_seed(5)
    batches = [torch.randn(4, 3, 16, 16, generator=generator) for _ in range(3)]
    supernet.eval()
    for bn in (supernet.stem_bn, supernet.blocks[0].project_bn.norm_for(3)):
        bn.running_mean.fill_(7.0)
    recalibrate_bn(supernet, arch, iter(batches + batches), num_batches=3)
    assert not supernet.training
    assert supernet.stem_bn.momentum == 0.1
    with torch.no_grad():
        batch_means = [supernet.stem(x).mean(dim=(0, 2, 3)) for x in batches]
    # Float32 means of order 1, summed in another order: ~100 ulps.
    torch.testing.assert_close(supernet.stem_bn.running_mean, torch.stack(batch_means).mean(0), rtol=1e-5, atol=1e-6)
    assert int(supernet.blocks[0].project_bn.norm_for(3).num_batches_tracked) == 3
    assert int(supernet.blocks[0].project_bn.norm_for(4).num_batches_tracked) == 0


def test_recalibration_accepts_labelled_batches_and_refuses_too_few(supernet):
    arch = _arch(("k3",) * 6)
    pairs = [(torch.randn(2, 3, 16, 16), torch.zeros(2, dtype=torch.long))]
    recalibrate_bn(supernet, arch, pairs, 1)
    with pytest.raises(SgnasError, match="only 1"):
        recalibrate_bn(supernet, arch, pairs, 2)
    with pytest.raises(SgnasError, match="at least one"):
        recalibrate_bn(supernet, arch, pairs, 0)


def test_preserved_bn_statistics_restores_them(supernet, images):
    before = copy.deepcopy(supernet.state_dict())
    with preserved_bn_statistics(supernet):
        recalibrate_bn(supernet, _arch(("k7",) * 6), [images], 1)
    for key, value in supernet.state_dict().items():
        assert torch.equal(value, before[key]), key


@pytest.mark.parametrize("zero", [False, True])
def test_zero_init_residual_makes_every_residual_block_its_shortcut_at_step_0(images, zero):
    """With ``zero_init_residual`` each residual block returns its input for every path; without, it does not."""
    torch.manual_seed(0)
    net = UnifiedSupernet(SPACE, zero_init_residual=zero).train()
    residual = [i for i, spec in enumerate(SPACE.layers) if spec.residual]
    assert residual, "the space has residual blocks"
    x = torch.randn(4, SPACE.layers[residual[0]].in_channels, 8, 8)
    for ops in [("k3",) * 6, ("k7", SKIP, "k5", SKIP, SKIP, "k3")]:
        out = net.blocks[residual[0]](x, ops)
        assert torch.equal(out, x) is zero
    other = [i for i, spec in enumerate(SPACE.layers) if not spec.residual]
    assert all(norm.weight.eq(1).all() for i in other for norm in net.blocks[i].project_bn.norms)


def test_zero_init_residual_trains_to_nonzero_gammas(images):
    net = UnifiedSupernet(SPACE, zero_init_residual=True).train()
    arch = _arch(("k3",) * 6)
    F.cross_entropy(net(images, arch), torch.tensor([0, 1, 2, 3])).backward()
    block = next(b for b in net.blocks if b.spec.residual)
    assert block.project_bn.norm_for(6).weight.grad.abs().sum() > 0
