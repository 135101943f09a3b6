"""The NAS-Bench-201 table reader: index order, accuracies, costs, oracle queries and one-line errors on bad files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from nasbench201_support import ACCURACY_COLUMNS, real_table_path, write_table

from sgnas._infra.errors import SgnasError
from sgnas.spaces.nasbench201.benchmark import RELATIVE_PATH, load_benchmark
from sgnas.spaces.nasbench201.cell import Cell
from sgnas.spaces.nasbench201.cost import CostModel
from sgnas.spaces.nasbench201.macro import macro_for


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A full-size synthetic table in the data-folder layout, and the frame written."""
    root = tmp_path_factory.mktemp("data")
    frame = write_table(root / RELATIVE_PATH, seed=5)
    return root, frame, load_benchmark(root)


def test_rows_are_benchmark_indices(synthetic):
    _, frame, bench = synthetic
    assert len(bench) == 15_625
    for index in (0, 1, 777, 15_624):
        cell = Cell.from_string(frame["ArchitectureString"][index])
        assert bench.cell(index) == cell
        assert bench.index_of(cell) == index
        for dataset, column in ACCURACY_COLUMNS.items():
            assert bench.accuracy(cell, dataset) == frame[column][index]


def test_costs_are_added_from_the_cost_model(synthetic):
    _, _, bench = synthetic
    model = CostModel()
    for index in (0, 4242):
        cell = bench.cell(index)
        assert bench.frame.at[index, "macs"] == model.macs(cell)
        assert bench.frame.at[index, "params"] == model.params(cell)
    assert list(bench.frame.columns) == ["arch", "cifar10", "cifar100", "imagenet16-120", "macs", "params", "unique"]


def test_oracle_is_the_best_accuracy_under_the_budget(synthetic):
    _, _, bench = synthetic
    frame = bench.frame
    budget = 60e6
    best = bench.oracle(budget, "cifar100")
    assert best.macs <= budget
    assert best.accuracy == frame.loc[frame["macs"] <= budget, "cifar100"].max()
    assert best.cell == bench.cell(best.index)
    assert bench.best().accuracy == frame["cifar10"].max()
    with pytest.raises(SgnasError, match="no NAS-Bench-201 architecture within 1,000 MACs"):
        bench.oracle(1000)
    with pytest.raises(SgnasError, match="unknown NAS-Bench-201 dataset 'imagenet'"):
        bench.best("imagenet")
    with pytest.raises(SgnasError, match="out of range"):
        bench.cell(15_625)


def test_the_cost_model_can_be_another_dataset_network(synthetic):
    root, _, _ = synthetic
    model = CostModel(macro_for("imagenet16-120"))
    bench = load_benchmark(path=root / RELATIVE_PATH, cost_model=model)
    assert bench.frame.at[3, "macs"] == model.macs(bench.cell(3))


def test_data_folder_comes_from_the_environment(synthetic, monkeypatch):
    root, _, _ = synthetic
    monkeypatch.setenv("SGNAS_DATA_DIR", str(root))
    assert len(load_benchmark()) == 15_625
    monkeypatch.delenv("SGNAS_DATA_DIR")
    with pytest.raises(SgnasError, match="set SGNAS_DATA_DIR"):
        load_benchmark()


def _bad(tmp_path, frame: pd.DataFrame) -> str:
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    return str(path)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda f: f.iloc[:15_000], "has 15,000 rows, expected 15,625 (truncated?)"),
        (lambda f: f.drop(columns=["CIFAR100TestAccuracy200Epochs"]), "lacks column(s) CIFAR100TestAccuracy200Epochs"),
        (lambda f: f.rename(columns={"ArchitectureString": "arch"}), "lacks column(s) ArchitectureString"),
        (lambda f: f.assign(ArchitectureString=f["ArchitectureString"].replace({f["ArchitectureString"][9]: "|x~0|"})),
         "row 9: cell string '|x~0|': 1 node group(s)"),
        (lambda f: f.assign(ArchitectureString=[f["ArchitectureString"][0]] * len(f)),
         "row 1: repeats the architecture of row 0"),
        (lambda f: f.assign(CIFAR10TestAccuracy200Epochs=["ninety"] + list(f["CIFAR10TestAccuracy200Epochs"][1:])),
         "row 0: CIFAR10TestAccuracy200Epochs is 'ninety', not an accuracy"),
        (lambda f: f.assign(ImageNetTestAccuracy200Epochs=np.full(len(f), 140.0)), "not an accuracy in 0..100"),
    ],
)
def test_damaged_tables_are_one_line_errors_naming_the_file(synthetic, tmp_path, damage, message):
    _, frame, _ = synthetic
    path = _bad(tmp_path, damage(frame.copy()))
    with pytest.raises(SgnasError) as info:
        load_benchmark(path=path)
    text = str(info.value)
    assert message in text and path in text and "\n" not in text


def test_missing_empty_and_cut_files_are_one_line_errors(synthetic, tmp_path):
    root, _, _ = synthetic
    with pytest.raises(SgnasError, match="does not exist"):
        load_benchmark(tmp_path)
    with pytest.raises(SgnasError, match="is a directory"):
        load_benchmark(path=tmp_path)
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(SgnasError, match=r"data folder .*a-file is a file, not a folder"):
        load_benchmark(tmp_path / "a-file")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(SgnasError, match="is empty"):
        load_benchmark(path=tmp_path / "empty.csv")
    # A file cut mid-row (a partial copy): the last line lacks fields, so the row count is short.
    text = (root / RELATIVE_PATH).read_text()
    (tmp_path / "cut.csv").write_text(text[: len(text) // 2])
    with pytest.raises(SgnasError, match=r"cut.csv has [\d,]+ rows, expected 15,625"):
        load_benchmark(path=tmp_path / "cut.csv")


def test_the_real_table():
    bench = load_benchmark(path=real_table_path())
    first = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"
    assert bench.cell(0) == Cell.from_string(first)
    assert bench.frame.at[0, "macs"] == 15_647_370
    # NATS-Bench's published maxima of the 200-epoch test accuracies.
    assert [round(bench.best(d).accuracy, 2) for d in ("cifar10", "cifar100", "imagenet16-120")] == [94.37, 73.51, 47.31]
