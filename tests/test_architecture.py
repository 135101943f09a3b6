"""Architectures: validation, the string and JSON forms, the published per-layer form, forced sampling."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import given

from sgnas.spaces.unified.architecture import (
    Architecture,
    ArchitectureError,
    canonical_layer,
    load_architecture,
)
from sgnas.spaces.unified.cost import CostModel
from sgnas.spaces.unified.space import OPS, SKIP, get_space
from strategies import architectures, layers

SGNAS_A = (
    "573733-7333xx-353xxx-77375x-7533xx-75557x-73377x-73333x-75573x-7553xx-5735xx-7737xx-7353xx-"
    "7735xx-3733xx-33373x-7337xx-777xxx-33737x"
)
PUBLISHED_NAMES = ("SGNAS-A", "SGNAS-B", "SGNAS-C", "FairNAS-A", "FairNAS-B", "FairNAS-C")


@pytest.mark.invariants
@given(architectures())
def test_string_form_round_trips(arch):
    text = arch.to_string()
    assert Architecture.from_string(text) == arch
    assert len(text.split("-")) == arch.num_layers


@pytest.mark.invariants
@given(architectures())
def test_json_form_round_trips_through_text(arch):
    data = json.loads(json.dumps(arch.to_json()))
    assert data["format"] == "sgnas-arch/1"
    assert Architecture.from_json(data) == arch
    # a bare list of layers is accepted too
    assert Architecture.from_json(data["layers"]) == arch


@pytest.mark.invariants
@given(architectures())
def test_published_form_keeps_kernels_and_moves_skips_last(arch):
    space = get_space("imagenet")
    published = arch.to_published(space)
    back = Architecture.from_json(published, space)
    assert [back.kernels(i) for i in range(19)] == [arch.kernels(i) for i in range(19)]
    assert all(ops[len(back.kernels(i)):] == (SKIP,) * (6 - len(back.kernels(i))) for i, ops in enumerate(back.layers))
    assert back.to_published(space) == published


@pytest.mark.invariants
@given(architectures())
def test_canonical_form_is_an_idempotent_permutation_with_the_same_cost(arch):
    canonical = arch.canonical()
    assert canonical.is_canonical()
    assert canonical.canonical() == canonical
    assert canonical.multisets() == arch.multisets()
    assert canonical.expansions == arch.expansions
    model = CostModel(get_space("cifar"))
    assert model.cost(canonical) == model.cost(arch)


@pytest.mark.invariants
@given(layers())
def test_canonical_layer_puts_kernels_ascending_then_skips(ops):
    result = canonical_layer(ops)
    assert sorted(result, key=OPS.index) == list(result)
    assert sorted(result) == sorted(ops)


def test_views_of_a_layer():
    arch = Architecture.from_string(SGNAS_A)
    assert arch.num_layers == 19
    assert arch.expansion(0) == 6 and arch.expansion(2) == 3
    assert arch.kernels(1) == (7, 3, 3, 3)
    assert arch.active(1) == (0, 1, 2, 3)
    assert arch.op_indices()[1] == [2, 0, 0, 0, 3, 3]
    assert str(arch) == SGNAS_A


def test_skips_may_sit_anywhere():
    arch = Architecture.from_string("x3x5xx-" * 18 + "x3x5xx")
    assert arch.active(0) == (1, 3)
    assert not arch.is_canonical()
    assert arch.canonical().layers[0] == ("k3", "k5", SKIP, SKIP, SKIP, SKIP)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("33333q-" + "333333-" * 18 + "333333", r"layer 0: unknown op character 'q'"),
        ("333333-" * 5 + "3xxxxx-" + "333333-" * 12 + "333333", r"layer 5: 1 non-skip sub-block\(s\), expected 2 to 6"),
        ("333333-" * 7 + "xxxxxx-" + "333333-" * 10 + "333333", r"layer 7: 0 non-skip sub-block\(s\)"),
        ("333333-" * 3 + "3333-" + "333333-" * 14 + "333333", r"layer 3: 4 sub-blocks, expected exactly 6"),
        ("333333-" * 3 + "3333333-" + "333333-" * 14 + "333333", r"layer 3: 7 sub-blocks, expected exactly 6"),
    ],
)
def test_malformed_strings_name_the_layer(text, message):
    with pytest.raises(ArchitectureError, match=message):
        Architecture.from_string(text)


def test_wrong_layer_count_is_refused_against_a_space():
    with pytest.raises(ArchitectureError, match="18 layers, the imagenet space has 19"):
        load_architecture("-".join(["333333"] * 18), get_space("imagenet"))


def test_unknown_op_in_json_names_the_layer():
    layers_ = [["k3", "k3", "skip", "skip", "skip", "skip"]] * 19
    layers_[4] = ["k3", "k9", "skip", "skip", "skip", "skip"]
    with pytest.raises(ArchitectureError, match="layer 4: unknown op 'k9'"):
        Architecture.from_json({"layers": layers_})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"out_channels": 48}, r"layer 3: out_channels 48 does not match the imagenet space \(40\)"),
        ({"stride": 2}, r"layer 3: stride 2 does not match the imagenet space \(1\)"),
        ({"expansion": 1, "kernels": [3]}, "layer 3: expansion 1, expected 2 to 6"),
        ({"expansion": 3, "kernels": [3, 5]}, "layer 3: 2 kernels for expansion 3"),
        ({"kernels": [9]}, "layer 3: unsupported kernel size 9"),
        ({"expansion": 1e400}, "layer 3: needs integer 'expansion'.*inf is not a whole number"),
        ({"expansion": 2.5}, "layer 3: needs integer 'expansion'.*2.5 is not a whole number"),
        ({"expansion": True}, "layer 3: needs integer 'expansion'.*True is not a number"),
        ({"expansion": "3"}, "layer 3: needs integer 'expansion'.*'3' is not a number"),
        ({"kernels": [3.5]}, "layer 3: needs integer 'expansion'.*3.5 is not a whole number"),
        ({"out_channels": [40]}, r"layer 3: out_channels \[40\] does not match"),
    ],
)
def test_published_form_is_checked_against_the_space(change, message):
    layers_ = Architecture.from_string(SGNAS_A).to_published(get_space("imagenet"))
    layers_[3].update(change)
    with pytest.raises(ArchitectureError, match=message):
        Architecture.from_json(layers_, get_space("imagenet"))


def test_published_form_single_kernel_means_every_group():
    layer = {"expansion": 3, "out_channels": 32, "kernels": [7], "stride": 2}
    arch = Architecture.from_json([layer] + [{"expansion": 2, "kernels": [3]}] * 18)
    assert arch.layers[0] == ("k7", "k7", "k7", SKIP, SKIP, SKIP)


def test_load_architecture_reads_strings_and_both_json_forms(tmp_path):
    arch = Architecture.from_string(SGNAS_A)
    space = get_space("imagenet")
    ours, published = tmp_path / "ours.json", tmp_path / "published.json"
    ours.write_text(json.dumps(arch.to_json()))
    published.write_text(json.dumps({"layers": arch.to_published(space)}))
    assert load_architecture(SGNAS_A, space) == arch
    assert load_architecture(ours, space) == arch
    assert load_architecture(str(published), space) == arch


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "does not exist"), ("{not json", r"is not strict JSON \(Expecting"),
     (b"\xff\xfe", r"is not strict JSON \("),
     ("[" * 100_000 + "]" * 100_000, "is nested too deeply to be read"),
     ('{"layers": [{"expansion": ' + "9" * 5000 + ', "kernels": [3]}]}', r"is not strict JSON \(Exceeds the limit"),
     ('{"layers": [{"expansion": NaN, "kernels": [3]}]}', r"is not strict JSON \(bare NaN"),
     ("FIFO", r"cannot be read: it is not a regular file \(a FIFO")],
)
def test_bad_files_are_reported(tmp_path, content, message):
    path = tmp_path / "arch.json"
    if content == "FIFO":  # reading one would wait for a writer for ever
        os.mkfifo(path)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(ArchitectureError, match=message):
        load_architecture(path)


def test_shared_reference_architectures_parse(reference_file):
    data = json.loads(reference_file.read_text())
    space = get_space("imagenet")
    names = [name for name in data if not name.startswith("_")]
    assert sorted(names) == sorted(PUBLISHED_NAMES)
    for name in names:
        arch = Architecture.from_json(data[name], space)
        assert arch.num_layers == 19
        for i, layer in enumerate(data[name]["layers"]):
            assert arch.expansion(i) == layer["expansion"]
            kernels = layer["kernels"] * layer["expansion"] if len(layer["kernels"]) == 1 else layer["kernels"]
            assert list(arch.kernels(i)) == kernels
