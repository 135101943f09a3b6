"""``sgnas export``: safetensors + config that rebuild the same model, an ONNX graph that computes the same,
MACs/params equal to ``sgnas cost``, weights inherited from a supernet run, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from pipeline_support import copy_smoke_pipeline
from supernet_support import assert_close_at_scale
from timm.models import load_checkpoint

from sgnas.cli import main
from sgnas.export.inherit import inherit_weights
from sgnas.export.model_files import load_exported
from sgnas.export.timm import export_timm
from sgnas.spaces.unified.architecture import Architecture
from sgnas.spaces.unified.space import get_space
from sgnas.spaces.unified.supernet.files import load_supernet
from sgnas.zoo.reference import get_entry

SGNAS_B = get_entry("SGNAS-B").arch.to_string()
SMALL = ["--space", "cifar", "--width", "0.25"]
#: ONNX Runtime computes the float32 logits with its own kernels, chosen per CPU: measured up to 5e-7 of
#: the logits' scale, so 1e-4 of it. Relative, as a fresh model's logits are ~2e-3 (1e-4 absolute is 5%).
ONNX_FLOAT32 = 1e-4


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def exported(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    code, out, err = run_cli(capsys, "export", *args, "--json")
    assert code == 0, err
    return json.loads(out)["models"]


def _images(count: int, resolution: int) -> torch.Tensor:
    return torch.randn(count, 3, resolution, resolution, generator=torch.Generator().manual_seed(7))


@pytest.mark.parametrize(("options", "act"), [([], "relu6"), (["--se", "--act", "hswish", "--convention", "conv"], "hswish")])
def test_the_printed_macs_and_params_are_sgnas_costs(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     options: list[str], act: str) -> None:
    (model,) = exported(capsys, SGNAS_B, *SMALL, *options, "--out", str(tmp_path / "model"), "--no-onnx")
    code, out, _ = run_cli(capsys, "cost", SGNAS_B, *SMALL, *options, "--json")
    cost = json.loads(out)
    assert code == 0
    assert (model["macs"], model["params"], model["convention"]) == (cost["macs"], cost["params"], cost["convention"])
    assert model["model"]["act"] == act and sorted(p.name for p in (tmp_path / "model").iterdir()) == [
        "config.json", "model.safetensors"]
    code, text, _ = run_cli(capsys, "export", SGNAS_B, *SMALL, *options, "--out", str(tmp_path / "again"), "--no-onnx")
    code_cost, cost_text, _ = run_cli(capsys, "cost", SGNAS_B, *SMALL, *options)
    macs_line = next(line for line in cost_text.splitlines() if line.startswith("MACs"))
    params_line = next(line for line in cost_text.splitlines() if line.startswith("params"))
    assert code == code_cost == 0 and macs_line in text.splitlines() and params_line in text.splitlines()


def test_safetensors_and_config_rebuild_the_model_and_onnx_computes_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import onnxruntime

    folder = tmp_path / "model"
    (entry,) = exported(capsys, SGNAS_B, *SMALL, "--se", "--act", "hswish", "--seed", "3", "--out", str(folder))
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.onnx", "model.safetensors"]
    torch.manual_seed(3)
    original = export_timm(Architecture.from_string(SGNAS_B), get_space("cifar", width=0.25), se=True,
                           act="hswish").eval()
    images = _images(5, 32)
    loaded = load_exported(folder)
    with torch.no_grad():
        expected = original(images)
        assert torch.equal(loaded(images), expected), "the safetensors + config round trip is exact"
        assert torch.equal(load_exported(folder / "model.safetensors")(images), expected)
    in_timm = export_timm(Architecture.from_string(SGNAS_B), get_space("cifar", width=0.25), se=True, act="hswish")
    load_checkpoint(in_timm, str(folder / "model.safetensors"))
    with torch.no_grad():
        assert torch.equal(in_timm.eval()(images), expected), "timm's own loader reads the weights"
    session = onnxruntime.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])
    (logits,) = session.run(["logits"], {"images": images.numpy()})
    assert logits.shape == (5, 10)
    assert_close_at_scale([torch.from_numpy(logits)], [expected], ONNX_FLOAT32)
    assert json.loads((folder / "config.json").read_text())["model"] == entry["model"]


@pytest.fixture(scope="module")
def search_run(smoke_pipeline: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A finished synthetic-data smoke pipeline (the session's, copied): supernet, generator and a search of
    three targets."""
    root = copy_smoke_pipeline(smoke_pipeline, tmp_path_factory.mktemp("export") / "runs")
    return {"search": next((root / "search").iterdir()), "supernet": next((root / "supernet").iterdir())}


def test_a_search_run_exports_each_target_with_inherited_weights(
    search_run: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import onnxruntime

    records = json.loads((search_run["search"] / "results.json").read_text())["results"]
    models = exported(capsys, str(search_run["search"]), "--supernet", str(search_run["supernet"]),
                      "--out", str(tmp_path / "all"))
    assert [m["target_m"] for m in models] == [r["target_m_in_convention"] for r in records]
    space = get_space("cifar", resolution=8, width=0.1)
    supernet = load_supernet(search_run["supernet"] / "supernet.pt", space).eval()
    images = _images(4, 8)
    for model, record in zip(models, records):
        folder = Path(model["folder"])
        assert folder == tmp_path / "all" / f"target-{record['target_m_in_convention']:g}M"
        assert model["model"]["architecture"] == record["architecture"]
        assert model["weights"]["inherited_from"] == str((search_run["supernet"] / "supernet.pt").resolve())
        arch = Architecture.from_string(record["architecture"])
        with torch.no_grad():
            expected = inherit_weights(supernet, arch).eval()(images)
            assert torch.equal(load_exported(folder)(images), expected)
        session = onnxruntime.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])
        assert_close_at_scale([torch.from_numpy(session.run(None, {"images": images.numpy()})[0])], [expected],
                              ONNX_FLOAT32)
    middle = records[1]["target_m_in_convention"]
    (one,) = exported(capsys, str(search_run["search"]), "--target", str(middle), "--out", str(tmp_path / "one"),
                      "--no-onnx")
    assert one["target_m"] == middle and one["weights"] == {"fresh": True, "seed": 0}
    code, out, _ = run_cli(capsys, "cost", one["model"]["architecture"], "--space", "cifar", "--resolution", "8",
                           "--width", "0.1", "--json")
    assert (one["macs"], one["params"]) == (json.loads(out)["macs"], json.loads(out)["params"])


def _bad_inputs(tmp_path: Path, runs: dict[str, Path]) -> list[tuple[list[str], str]]:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    (tmp_path / "empty-run").mkdir()
    return [
        (["abc", "--out", str(tmp_path / "x")], "abc"),
        (["-".join(["333333"] * 18), "--out", str(tmp_path / "x")], "19"),
        ([str(tmp_path / "runs" / "missing") + "/", "--out", str(tmp_path / "x")], "does not exist"),
        ([str(tmp_path / "empty-run"), "--out", str(tmp_path / "x")], "not a finished search run"),
        ([SGNAS_B, "--out", str(blocker / "model")], "is a file"),
        ([SGNAS_B, "--out", str(blocker)], "is a file"),
        ([SGNAS_B, "--target", "7", "--out", str(tmp_path / "x")], "--target picks architectures of a search run"),
        ([SGNAS_B, "--supernet", str(tmp_path / "no-run"), "--out", str(tmp_path / "x")], "does not exist"),
        ([str(runs["search"]), "--target", "1234", "--out", str(tmp_path / "x")], "has no target 1234M"),
        ([str(runs["search"]), "--supernet", str(runs["supernet"]), "--se", "--out", str(tmp_path / "x")],
         "squeeze-and-excitation"),
        ([str(runs["search"]), "--supernet", str(runs["supernet"]), "--act", "hswish", "--out", str(tmp_path / "x")],
         "cannot be exported with --act hswish"),
        ([str(runs["search"]), "--supernet", str(runs["supernet"]), "--width", "0.2", "--out", str(tmp_path / "x")],
         "width"),
        ([SGNAS_B, "--resolution", "0", "--out", str(tmp_path / "x")], "--resolution must be positive"),
    ]


def test_bad_input_is_one_line_and_exit_2(search_run: dict[str, Path], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    for args, fragment in _bad_inputs(tmp_path, search_run):
        code, out, err = run_cli(capsys, "export", *args)
        lines = err.strip().splitlines()
        assert code == 2 and len(lines) == 1 and lines[0].startswith("sgnas: error: ") and fragment in lines[0], (
            args, err)
        assert not (tmp_path / "x").exists(), args
