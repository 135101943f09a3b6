"""The PDF report from result files: every page present, no empty figure, missing inputs said, not drawn."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest
from synthetic_results import write_synthetic_results

from replication.results import FILES, Table
from replication.tables import TABLES
from reports import build_report as report_module
from reports.build_report import build_report, main
from reports.figures import FIGURES, MissingResult
from reports.pages import table_pages, text_pages

_PAGE = re.compile(rb"/Type\s*/Page\b(?!s)")


def _page_count(pdf: Path) -> int:
    return len(_PAGE.findall(pdf.read_bytes()))


def _expected_pages(results: Path) -> int:
    pages = 1  # title
    for spec in TABLES:
        table = spec.build(results)
        pages += 1 if table is None or table.frame.empty else len(table_pages(table))
    pages += len(FIGURES)
    pages += len(report_module._appendix(results))
    return pages


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("report")
    results = write_synthetic_results(root / "results")
    return results, build_report(results, root / "out")


@pytest.mark.slow
def test_report_has_every_page(built: tuple[Path, Path]) -> None:
    results, pdf = built
    assert pdf.exists() and pdf.suffix == ".pdf"
    assert _page_count(pdf) == _expected_pages(results)
    assert _page_count(pdf) >= 1 + len(TABLES) + len(FIGURES) + 2


#: the figures the synthetic results feed (the NAS-Bench-201 track's need its own results; a missing page says so)
#: the figures the synthetic results feed: not the NAS-Bench-201 track's, the latency track's or this machine's
#: latency study's (tests/test_nasbench201_tables.py, tests/test_latency.py, tests/test_machine_latency.py draw
#: those on their own results)
_SYNTHETIC_FIGURES = [figure for figure in FIGURES if not figure[0].startswith(("nb201", "latency", "machine"))]


@pytest.mark.slow
def test_every_figure_is_saved_with_ink(built: tuple[Path, Path]) -> None:
    _, pdf = built
    for stem, _, _ in _SYNTHETIC_FIGURES:
        png, svg = pdf.parent / "figures" / f"{stem}.png", pdf.parent / "figures" / f"{stem}.svg"
        assert png.exists() and svg.exists(), stem
        pixels = mpimg.imread(png)[..., :3]
        ink = np.mean(np.any(pixels < 0.95, axis=-1))
        assert ink > 0.02, f"{stem} is nearly blank ({ink:.1%} non-white pixels)"
        assert "<svg" in svg.read_text()[:500]


@pytest.mark.slow
def test_every_axes_of_every_figure_has_data(built: tuple[Path, Path]) -> None:
    results, _ = built
    for stem, _, function in _SYNTHETIC_FIGURES:
        figure = function(results)
        assert figure.axes, stem
        for ax in figure.axes:
            assert ax.has_data(), f"{stem}: an axes without data ({ax.get_title() or ax.get_ylabel()})"


def test_missing_inputs_get_a_page_that_says_so(tmp_path: Path) -> None:
    results = write_synthetic_results(tmp_path / "results")
    for name in ("search", "generator_sweep", "cost_vs_n", "ablation", "redundancy"):
        (results / FILES[name]).unlink()
    manifest = json.loads((results / FILES["manifest"]).read_text())
    manifest["runs"] = {}
    (results / FILES["manifest"]).write_text(json.dumps(manifest))
    for stem, _, function in FIGURES:
        if stem != "architectures":  # the published SGNAS-A/B/C need no result file
            with pytest.raises(MissingResult):
                function(results)
    pdf = build_report(results, tmp_path / "out")
    assert _page_count(pdf) == _expected_pages(results)
    written = {p.stem for p in (tmp_path / "out" / "figures").glob("*.png")}
    assert written == {"architectures"}


#: the least a manifest holds (:data:`replication.results.MANIFEST_KEYS`)
MINIMAL_MANIFEST = {"preset": "smoke", "seeds": [0], "indicative": True, "configs": {}, "environment": {}, "runs": {}}


def test_cli_prints_the_pdf_path_last(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / FILES["manifest"]).write_text(json.dumps(MINIMAL_MANIFEST))
    assert main(["--results", str(tmp_path / "results"), "--out", str(tmp_path / "out")]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.endswith(".pdf") and Path(last).exists()


BAD_MANIFESTS = [
    ({}, "has no 'preset' (a preset name)"),
    ([], "is not a JSON object"),
    ({k: v for k, v in MINIMAL_MANIFEST.items() if k != "indicative"}, "has no 'indicative' (true or false)"),
    ({k: v for k, v in MINIMAL_MANIFEST.items() if k != "runs"}, "has no 'runs' (an object of lists of run folders)"),
    ({**MINIMAL_MANIFEST, "seeds": "0"}, ": 'seeds' must be a list of integer seeds, got '0'"),
    ({**MINIMAL_MANIFEST, "runs": {"supernet": "runs/x"}}, ": 'runs' must be an object of lists of run folders"),
    ({**MINIMAL_MANIFEST, "preset": 3}, ": 'preset' must be a preset name, got 3"),
]


@pytest.mark.parametrize(("manifest", "said"), BAD_MANIFESTS, ids=[said.split("(")[0] for _, said in BAD_MANIFESTS])
def test_a_manifest_without_its_keys_is_one_line_naming_the_file_and_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], manifest: object, said: str) -> None:
    results = tmp_path / "results"
    results.mkdir()
    (results / FILES["manifest"]).write_text(json.dumps(manifest))
    assert main(["--results", str(results), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"build_report: error: manifest {results / FILES['manifest']}") and said in err, err
    assert len(err.splitlines()) == 1 and not (tmp_path / "out").exists()


def test_cli_refuses_a_missing_results_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--results", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_long_tables_and_texts_continue_on_further_pages() -> None:
    import pandas as pd

    frame = pd.DataFrame({"Claim": [f"claim {i} " + "word " * 40 for i in range(60)], "Verdict": ["reproduced"] * 60})
    pages = table_pages(Table("long", "A long table", frame, ["a note"]))
    assert len(pages) > 1
    assert len(text_pages("config", "\n".join(f"line {i}" for i in range(200)), lines_per_page=80)) == 3


def _chance_lines(ax) -> list[tuple[str, float]]:
    return [(line.get_label(), float(line.get_ydata()[0])) for line in ax.get_lines()
            if line.get_label().startswith(("chance", "uniform guess"))]


def test_accuracy_plots_draw_the_chance_line(tmp_path: Path) -> None:
    import math

    from reports.figures.ablation import ablation_figure
    from reports.figures.accuracy import accuracy_vs_macs
    from reports.figures.curves import supernet_curves

    results = write_synthetic_results(tmp_path / "results")
    assert _chance_lines(accuracy_vs_macs(results).axes[0]) == [("chance (10%)", 10.0)]
    own = [ax for ax in ablation_figure(results).axes if ax.get_ylabel() == "top-1 (%)"]  # its own-supernet panel
    assert len(own) == 1 and ("chance (10%)", 10.0) in _chance_lines(own[0])
    loss, accuracy = supernet_curves(results).axes[:2]
    assert _chance_lines(accuracy) == [("chance (10%)", 10.0)]
    assert _chance_lines(loss) == [("uniform guess (ln 10)", pytest.approx(math.log(10)))]


def test_an_estimate_on_a_supernet_at_chance_says_so_in_the_legend(tmp_path: Path) -> None:
    import pandas as pd
    from synthetic_results import supernet_record

    from reports.figures.accuracy import accuracy_vs_macs

    results = write_synthetic_results(tmp_path / "results")
    search = pd.read_csv(results / FILES["search"])
    search["standalone_top1"] = None
    search.to_csv(results / FILES["search"], index=False)
    supernets = pd.read_csv(results / FILES["supernets"])
    for column, value in supernet_record(11.0).items():
        supernets.loc[supernets["sampler"] == "uniform", column] = value
    supernets.to_csv(results / FILES["supernets"], index=False)
    labels = accuracy_vs_macs(results).axes[0].get_legend_handles_labels()[1]
    assert "SPOS + evolution (not testable: supernet at chance)" in labels
    assert "SGNAS (generator)" in labels


def _results_of_runs(root: Path, run_preset: str, run_seeds: tuple[int, ...] = (0,), **manifest: object) -> Path:
    """A results folder whose manifest lists supernet runs of ``run_preset`` (their config.json only); the manifest
    says the runs' seeds unless ``manifest`` says others."""
    results = root / "results"
    listed = []
    for seed in run_seeds:
        run = results / "runs" / "supernet" / f"abc-s{seed}"
        run.mkdir(parents=True)
        (run / "config.json").write_text(json.dumps({"kind": "supernet", "seed": seed, "config": {"preset": run_preset}}))
        listed.append(f"runs/supernet/abc-s{seed}")
    (results / FILES["manifest"]).write_text(json.dumps({**MINIMAL_MANIFEST, "preset": run_preset,
                                                         "seeds": list(run_seeds), "runs": {"supernet": listed},
                                                         **manifest}))
    return results


@pytest.mark.parametrize(("manifest", "said"), [
    ({"plan": "paper", "preset": "paper", "indicative": False}, "says preset 'paper', the run configs it lists say 'smoke'"),
    ({"plan": "paper"}, "says plan 'paper', the run configs it lists say preset 'smoke'"),
    ({"preset": "smoke", "seeds": [0, 1]}, "says seeds [0, 1], the run configs it lists say [0]"),
])
def test_a_manifest_that_disagrees_with_its_runs_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             manifest: dict, said: str) -> None:
    results = _results_of_runs(tmp_path, "smoke", **manifest)
    assert main(["--results", str(results), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("build_report: error: ") and len(err.splitlines()) == 1 and said in err, err
    assert "rerun the harness" in err and not (tmp_path / "out" / report_module.REPORT_NAME).exists()


def test_the_preset_reported_is_the_runs_and_only_runs_confirm_full_scale(tmp_path: Path) -> None:
    from replication.results import indicative_note, provenance

    smoke = _results_of_runs(tmp_path / "a", "smoke", (0, 1), plan="smoke", preset="smoke", indicative=True)
    source = provenance(smoke)
    assert (source.preset, source.plan, source.seeds, source.indicative) == ("smoke", "smoke", [0, 1], True)
    assert len(source.sources) == 2 and any("indicative only" in note for note in indicative_note(smoke))
    paper = _results_of_runs(tmp_path / "b", "paper", plan="paper", preset="paper", indicative=False)
    assert not provenance(paper).indicative and not any("indicative" in n for n in indicative_note(paper))
    shutil.rmtree(paper / "runs")  # the manifest's word alone does not make numbers full scale
    assert provenance(paper).indicative and not provenance(paper).sources
    assert any("none of the runs it lists is there to confirm it" in n for n in indicative_note(paper))


def test_the_report_opens_with_the_verdicts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Page 1 counts the verdicts; page 2 starts the claims, each with its verdict and evidence before the rest."""
    results = write_synthetic_results(tmp_path / "results")
    typeset: list[tuple[str, list[str]]] = []
    titles: list[list[str]] = []
    title_page = report_module.title_page

    def record_table(table):
        typeset.append((table.name, list(table.shown.columns)))
        return table_pages(table)

    def record_title(title, lines):
        titles.append(list(lines))
        return title_page(title, lines)

    monkeypatch.setattr(report_module, "table_pages", record_table)
    monkeypatch.setattr(report_module, "title_page", record_title)
    monkeypatch.setattr(report_module, "FIGURES", [])  # the pages in question are tables; figures only cost time
    build_report(results, tmp_path / "out")
    assert typeset[0] == ("claims", ["Claim", "Verdict", "Evidence", "Criterion", "Source"])
    verdict_line = next(line for line in titles[0] if line.startswith("Verdicts: "))
    assert re.fullmatch(r"Verdicts: \d+ reproduced, \d+ contradicted, \d+ inconclusive, \d+ not testable, "
                        r"\d+ not run \(each claim with its evidence from page 2\)\.", verdict_line), verdict_line
    assert any("p.  2   Claims of the paper" in line for line in titles[0])
