"""Build the replication report: one PDF of every table and figure, from a results folder.

    python reports/build_report.py [--results results] [--out reports/out]

Pages: a title page (preset, seeds, the count of each verdict, what is
missing), then the claims summary first, each claim with its verdict and the
evidence beside it (the effect with its interval, and the seeds or the scale
that would decide it), before its criterion and source; then Tables A and B,
the supernets (did each learn?), Table C, Table D and the ablation table,
every figure of :mod:`reports.figures` (each also written
as PNG and SVG under ``<out>/figures/``), and an appendix with the resolved
configs and the environment. Each table and figure is one
function over the result files, so a missing file costs only its own page,
which says what is missing. The PDF's path is printed last.

The preset and seeds on the title page are those of the runs the manifest
lists (:func:`replication.results.provenance`); a manifest that disagrees with
them stops the build with one line. A results folder that holds none of the
result files (:data:`replication.results.FILES`) is an error too, not an empty report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import matplotlib  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from replication.results import FILES, indicative_note, provenance, read_json, read_manifest  # noqa: E402
from replication.tables import TABLES  # noqa: E402
from reports.figures import FIGURES, MissingResult, save_figure  # noqa: E402
from reports.pages import missing_page, table_pages, text_pages, title_page  # noqa: E402
from reports.style import RC  # noqa: E402
from sgnas._infra import locking  # noqa: E402
from sgnas._infra.argparser import ArgumentParser  # noqa: E402
from sgnas._infra.command import run_tool  # noqa: E402
from sgnas._infra.errors import SgnasError  # noqa: E402
from sgnas._infra.runs import file_mode, output_folder, remove_stale_temps  # noqa: E402

__all__ = ["build_report", "main"]

REPORT_NAME = "sgnas-replication-report.pdf"
#: the table the report opens with: what a reader came for, each claim and its verdict
FIRST_TABLE = "claims"
#: its columns as the report shows them: the verdict and its evidence beside the claim, criterion and source after
CLAIM_COLUMNS = ["Claim", "Verdict", "Evidence", "Criterion", "Source"]


def _title_lines(results_dir: Path, contents: list[tuple[str, int, bool]], verdicts: str) -> list[str]:
    """Provenance, the indicative-numbers warning, the verdicts' count and the contents (page, title, whether it
    has data)."""
    manifest = read_manifest(results_dir)
    environment = manifest.get("environment", {})
    source = provenance(results_dir)
    checked = (f"from the configs of its {len(source.sources)} runs" if source.sources
               else "as manifest.json says; no run config is there to confirm it")
    lines = [
        "Huang & Chu, \"Searching by Generating: Flexible and Efficient One-Shot NAS with Architecture "
        "Generator\", CVPR 2021: what reproduces and what does not.",
        "",
        f"Results folder: {results_dir}",
        f"Built: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M UTC}",
        f"Preset: {source.preset or 'unknown'}; plan: {source.plan or 'unknown'}; seeds: {source.seeds or 'unknown'} "
        f"({checked})",
        f"Git commit: {environment.get('git_commit', 'unknown')}; "
        f"torch {environment.get('packages', {}).get('torch', '?')} on {environment.get('processor', '?')} "
        f"x{environment.get('cpu_count', '?')}",
        "",
        *indicative_note(results_dir),
        "",
        f"Verdicts: {verdicts} (each claim with its evidence from page 2).",
        "",
    ]
    lines.append("Contents")
    for title, page, present in contents:
        lines.append(f"    p. {page:>2}   {title}" + ("" if present else "   [not available in this results folder]"))
    return lines


def _appendix(results_dir: Path) -> list[Figure]:
    manifest = read_manifest(results_dir)
    pages = []
    configs = manifest.get("configs")
    pages += text_pages("Appendix A: resolved configurations",
                        json.dumps(configs, indent=1, sort_keys=True) if configs else "manifest.json lists no configs")
    ablation = read_json(results_dir, "ablation_meta")
    if ablation:
        pages += text_pages("Appendix B: ablation variants and their overrides", json.dumps(ablation, indent=1))
    environment = manifest.get("environment")
    pages += text_pages("Appendix C: environment",
                        json.dumps(environment, indent=1, sort_keys=True) if environment else "manifest.json lists no environment")
    return pages


def build_report(results_dir: str | Path, out_dir: str | Path) -> Path:
    """Write the PDF (and every figure as PNG and SVG) into ``out_dir``; its path."""
    results_dir, out_dir = Path(results_dir), Path(out_dir)
    if results_dir.exists() and not results_dir.is_dir():
        raise SgnasError(f"--results {results_dir} is a file, not a folder: give the results folder the harness wrote "
                         "(default results/)")
    if not results_dir.is_dir():
        raise SgnasError(f"results folder {results_dir} does not exist: run tox -e replicate-table first")
    if not any((results_dir / name).is_file() for name in FILES.values()):
        raise SgnasError(f"no results in {results_dir}: run tox -e replicate-table first (or give --results the "
                         "folder it wrote)")
    provenance(results_dir)  # a manifest that disagrees with its runs stops the build before anything is drawn
    output_folder(out_dir, "the report")
    # a report folder is written by one build at a time; a second one waits, naming the first
    locking.acquire(out_dir, "report folder")
    try:
        return _build(results_dir, out_dir)
    finally:
        locking.release(out_dir)


def _build(results_dir: Path, out_dir: Path) -> Path:
    remove_stale_temps(out_dir)
    body: list[Figure] = []
    contents: list[tuple[str, int, bool]] = []  # (title, first page, has data); page 1 is the title page
    verdicts = "not available"
    for spec in sorted(TABLES, key=lambda spec: spec.name != FIRST_TABLE):
        table = spec.build(results_dir)
        present = table is not None and not table.frame.empty
        if present and spec.name == FIRST_TABLE:
            table = dataclasses.replace(table, frame=table.frame[CLAIM_COLUMNS])
            verdicts = table.notes[-1].rstrip(".")
        contents.append((spec.title, len(body) + 2, present))
        if present:
            body += table_pages(table)
        else:
            needed = FILES[spec.needs] if spec.needs else "no result file"
            body.append(missing_page(spec.title, f"{needed} not produced in {results_dir}"))
    for stem, title, function in FIGURES:
        contents.append((title, len(body) + 2, True))
        try:
            figure = function(results_dir)
        except MissingResult as err:
            contents[-1] = (title, len(body) + 2, False)
            body.append(missing_page(title, str(err)))
            continue
        with matplotlib.rc_context(RC):
            figure.suptitle(title, fontsize=10)
        save_figure(figure, out_dir / "figures", stem)
        body.append(figure)
    contents.append(("Appendix: resolved configurations, ablation variants, environment", len(body) + 2, True))
    pages = [title_page("SGNAS replication report", _title_lines(results_dir, contents, verdicts)), *body,
             *_appendix(results_dir)]
    path = out_dir / REPORT_NAME
    # a unique temporary name in the same folder (the pid lets a later build remove it if this one is killed)
    fd, name = tempfile.mkstemp(dir=out_dir, prefix=f".{REPORT_NAME}.{os.getpid()}.", suffix=".tmp")
    os.fchmod(fd, file_mode())  # the mode a plain open() gives, not mkstemp's 0600
    os.close(fd)
    partial = Path(name)
    try:
        with PdfPages(partial, metadata={"Title": "SGNAS replication report", "Creator": "sgnas-replication"}) as pdf:
            for page in pages:
                pdf.savefig(page)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = ArgumentParser(description=__doc__.splitlines()[0], tool="build_report")
    parser.add_argument("--results", default="results", help="results folder written by the harness (default: results)")
    parser.add_argument("--out", default="reports/out", help="where the PDF and figures go (default: reports/out)")
    args = parser.parse_args(argv)
    return run_tool("build_report", lambda: print(build_report(args.results, args.out)))


if __name__ == "__main__":
    sys.exit(main())
