"""``sgnas cost`` and ``sgnas zoo`` from the command line, including every kind of bad input."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sgnas.cli import main
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.space import get_space
from sgnas.zoo.reference import get_entry

ROOT = Path(__file__).resolve().parents[1]
SGNAS_A = get_entry("SGNAS-A").arch.to_string()
GOOD_LAYER = "333333"


def _string_with(index: int, group: str) -> str:
    groups = [GOOD_LAYER] * 19
    groups[index] = group
    return "-".join(groups)


def _published_with(tmp_path: Path, index: int, **change: int) -> str:
    layers = get_entry("SGNAS-A").arch.to_published(get_space("imagenet"))
    layers[index].update(change)
    path = tmp_path / f"published-{index}.json"
    path.write_text(json.dumps(layers))
    return str(path)


def test_cost_text_prints_the_convention_with_every_number(capsys):
    assert main(["cost", SGNAS_A, "--se", "--act", "hswish", "--convention", "conv"]) == 0
    out = capsys.readouterr().out
    assert "373.18M  [conv]" in out
    assert "6.002M  [all weights" in out
    assert "canonical" in out and "SE on, activation hswish" in out


def test_cost_json_is_one_object_with_the_numbers_and_options(capsys):
    assert main(["cost", SGNAS_A, "--se", "--act", "hswish", "--convention", "conv", "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    result = json.loads(out)
    assert result["macs_m"] == pytest.approx(373.18, abs=0.005)
    assert result["params_m"] == pytest.approx(6.002, abs=0.0005)
    assert (result["convention"], result["se"], result["act"]) == ("conv", True, "hswish")
    assert result["architecture"] == SGNAS_A
    assert result["canonical"] == Architecture.from_string(SGNAS_A).canonical().to_string()
    assert result["space"]["name"] == "imagenet"


def test_cost_reads_both_json_forms_and_other_spaces(tmp_path, capsys):
    arch = get_entry("FairNAS-C").arch
    ours = tmp_path / "ours.json"
    ours.write_text(json.dumps(arch.to_json()))
    published = tmp_path / "published.json"
    published.write_text(json.dumps({"layers": arch.to_published(get_space("imagenet"))}))
    results = []
    for source in (str(ours), str(published)):
        assert main(["cost", source, "--json"]) == 0
        results.append(json.loads(capsys.readouterr().out))
    assert results[0]["macs_m"] == results[1]["macs_m"] == pytest.approx(321.02, abs=0.005)
    assert main(["cost", str(ours), "--space", "cifar", "--width", "0.5", "--num-classes", "100", "--json"]) == 0
    small = json.loads(capsys.readouterr().out)
    assert small["space"]["resolution"] == 32 and small["space"]["num_classes"] == 100
    assert small["macs_m"] < results[0]["macs_m"]


@pytest.mark.parametrize("fmt", ["csv", "markdown", "latex", "text"])
def test_zoo_prints_every_format(fmt, capsys):
    assert main(["zoo", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "SGNAS-A" in out and "MobileNetV3-Large 1.0" in out
    if fmt == "csv":
        frame = pd.read_csv(io.StringIO(out))
        assert len(frame) == 13 and "Source" in frame.columns
    if fmt == "latex":
        assert r"\begin{tabular}" in out


BAD_STRINGS = [
    (_string_with(4, "33333q"), "layer 4: unknown op character 'q'"),
    ("-".join([GOOD_LAYER] * 18), "18 layers, the imagenet space has 19"),
    (_string_with(2, "xxxxxx"), "layer 2: 0 non-skip sub-block(s)"),
    (_string_with(6, "xx5xxx"), "layer 6: 1 non-skip sub-block(s)"),
    (_string_with(8, "3333"), "layer 8: 4 sub-blocks, expected exactly 6"),
    (_string_with(8, "3333333"), "layer 8: 7 sub-blocks, expected exactly 6"),
]


def _assert_one_error_line(capsys, message: str) -> None:
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("sgnas: error: ")
    assert message in lines[0]
    assert captured.out == ""


@pytest.mark.parametrize(("arch", "message"), BAD_STRINGS)
def test_bad_architecture_strings_give_one_error_line(arch, message, capsys):
    assert main(["cost", arch]) == 2
    _assert_one_error_line(capsys, message)


def test_bad_files_give_one_error_line(tmp_path, capsys):
    unknown_op = tmp_path / "k9.json"
    layers = [["k3", "k3", "skip", "skip", "skip", "skip"]] * 19
    unknown_op.write_text(json.dumps({"layers": layers[:3] + [["k3", "k9"] + ["skip"] * 4] + layers[4:]}))
    invalid = tmp_path / "invalid.json"
    invalid.write_text("{not json")
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00")
    directory = tmp_path / "folder.json"
    directory.mkdir()
    cases = [
        (str(tmp_path / "missing.json"), "does not exist"),
        (str(invalid), "is not strict JSON (Expecting"),
        (str(binary), "is not strict JSON ("),
        (str(directory), "cannot be read: it is a folder, not a file"),
        (str(unknown_op), "layer 3: unknown op 'k9'"),
        (_published_with(tmp_path, 5, out_channels=48), "layer 5: out_channels 48 does not match the imagenet space"),
        (_published_with(tmp_path, 9, stride=2), "layer 9: stride 2 does not match the imagenet space"),
    ]
    for arch, message in cases:
        assert main(["cost", arch]) == 2, arch
        _assert_one_error_line(capsys, message)


def test_published_file_against_the_wrong_space(tmp_path, capsys):
    path = tmp_path / "a.json"
    path.write_text(json.dumps(get_entry("SGNAS-A").arch.to_published(get_space("imagenet"))))
    assert main(["cost", str(path), "--space", "cifar"]) == 2
    _assert_one_error_line(capsys, "layer 0: stride 2 does not match the cifar space (1)")


@pytest.mark.parametrize(
    ("option", "message"),
    [(["--width", "9"], "--width must be from 0.05 to 4"), (["--resolution", "4"], "resolution 4"), (["--num-classes", "0"], "--num-classes")],
)
def test_bad_space_options_give_one_error_line(option, message, capsys):
    assert main(["cost", SGNAS_A, *option]) == 2
    _assert_one_error_line(capsys, message)


OUT_OF_RANGE = [
    (["--num-classes", "0"], "--num-classes must be from 2 to 1,000,000 classes, got 0"),
    (["--num-classes", "-5"], "--num-classes must be from 2 to 1,000,000 classes, got -5"),
    (["--num-classes", str(10**12)], "--num-classes must be from 2 to 1,000,000 classes, got 1000000000000"),
    (["--resolution", "0"], "--resolution must be positive and at most 1024 pixels, got 0"),
    (["--resolution", str(10**6)], "--resolution must be positive and at most 1024 pixels, got 1000000"),
    (["--space", "nas-bench-201", "--num-classes", str(10**12)], "--num-classes must be from 2 to 1,000,000"),
]


@pytest.mark.parametrize(("option", "message"), OUT_OF_RANGE, ids=[" ".join(o) for o, _ in OUT_OF_RANGE])
def test_space_options_are_bounded_by_the_config_ranges(option, message, capsys):
    assert main(["cost", SGNAS_A, *option]) == 2
    _assert_one_error_line(capsys, message)


def test_space_command_resolution_is_bounded_too(capsys):
    assert main(["space", "--resolution", str(10**6)]) == 2
    _assert_one_error_line(capsys, "--resolution must be positive and at most 1024 pixels, got 1000000")


def test_installed_entry_point_reports_without_traceback():
    """The real process: exit code 2, one stderr line, no traceback."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    result = subprocess.run(
        [sys.executable, "-m", "sgnas.cli", "cost", _string_with(11, "x7xxxx")],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["sgnas: error: layer 11: 1 non-skip sub-block(s), expected 2 to 6"]
    assert "Traceback" not in result.stderr
