"""The macro search space (SGNAS supp. Table 6 and the official configs) as data."""

from __future__ import annotations

import pytest

from sgnas.spaces.unified.space import OPS, SUB_BLOCKS, get_space, round_channels

IMAGENET_CHANNELS = [32, 32, 40, 40, 40, 40, 80, 80, 80, 80, 96, 96, 96, 96, 192, 192, 192, 192, 320]


def test_imagenet_space_matches_table_6():
    space = get_space("imagenet")
    assert (space.resolution, space.num_classes, space.stem_stride) == (224, 1000, 2)
    assert space.num_layers == 19
    assert [spec.out_channels for spec in space.layers] == IMAGENET_CHANNELS
    assert [spec.stride for spec in space.layers] == [2, 1, 2, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1]
    assert (space.stem_channels, space.fixed_channels, space.head_channels) == (32, 16, 1280)
    # 224 -> 112 (stem) -> 56 -> 28 -> 14 -> 7 after the four stride-2 layers
    assert space.stem_out_size == 112
    assert space.final_size == 7
    assert space.layers[0].in_channels == 16 and space.layers[0].in_size == 112


def test_cifar_space_follows_the_official_config():
    space = get_space("cifar")
    assert (space.resolution, space.num_classes, space.stem_stride) == (32, 10, 1)
    assert [spec.stride for spec in space.layers] == [1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1]
    assert [spec.out_channels for spec in space.layers] == IMAGENET_CHANNELS
    assert space.final_size == 4


def test_each_layer_feeds_the_next():
    layers = get_space("imagenet").layers
    for previous, current in zip(layers, layers[1:]):
        assert current.in_channels == previous.out_channels
        assert current.in_size == previous.out_size


def test_residual_only_with_stride_one_and_equal_channels():
    for spec in get_space("imagenet").layers:
        assert spec.residual == (spec.stride == 1 and spec.in_channels == spec.out_channels)
    assert not get_space("imagenet").layers[0].residual
    assert get_space("imagenet").layers[1].residual


@pytest.mark.parametrize("width", [0.25, 0.5, 0.75, 1.4])
def test_width_scales_every_channel_to_a_multiple_of_8(width):
    space = get_space("imagenet", width=width)
    for spec, base in zip(space.layers, IMAGENET_CHANNELS):
        assert spec.out_channels == round_channels(base * width)
        assert spec.out_channels % 8 == 0
        assert spec.out_channels >= 0.9 * base * width


def test_resolution_and_classes_are_parameters():
    space = get_space("imagenet", resolution=160, num_classes=100)
    assert space.resolution == 160 and space.num_classes == 100
    assert space.final_size == 5
    assert space.with_(resolution=224) == get_space("imagenet", num_classes=100)


def test_describe_identifies_the_space():
    assert get_space("cifar").describe() != get_space("imagenet").describe()
    assert get_space("cifar", width=0.5).describe()["width"] == 0.5


def test_ops_order_is_kernels_then_skip():
    assert OPS == ("k3", "k5", "k7", "skip")
    assert SUB_BLOCKS == 6


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "mnist"}, "unknown search space"),
        ({"resolution": 4}, "resolution"),
        ({"width": 0.01}, "width"),
        ({"width": 5.0}, "width"),
    ],
)
def test_bad_spaces_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        get_space(**kwargs)
