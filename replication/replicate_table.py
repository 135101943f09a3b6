"""Rebuild the replication's tables into a results folder and print them (``tox -e replicate-table``).

Table A comes first: every published architecture's MACs and parameters
recomputed exactly (:mod:`replication.tables.table_a`); it needs no data and is
the same for every plan. The measured tables come next: the harness
(:mod:`replication.harness`) runs every method for every seed at the plan's
scale and the redundancy study (:mod:`replication.redundancy`), both cached by
config hash and seed under ``<out>/runs``, so a second invocation only reads
finished runs; then, as the plan says (:attr:`replication.plans.Plan.nb201`), the
NAS-Bench-201 ground-truth track (:mod:`replication.nasbench201`) for its own seeds
(the preset's ``nb201.seeds``, 5 at quick, whatever ``--seeds`` gives the unified
space: a seed there costs little, and its verdicts need several) and, where the data
folder has ``latency.csv``, the latency track (:mod:`replication.latency`, Table E)
for ``nb201.latency_seeds``, the latency study on this machine
(:mod:`replication.machine_latency`, Table E2) for the first seed, and (unless
``--no-ablations``) the paper's ablations on the first seed
(:func:`replication.ablation.main_job_variants`, the ablation table): forced
sampling off, lambda at a quarter and four times the plan's, no temperature
annealing and the fully connected generator, each variant's finds judged by the
default's supernet (the official code's setup is ``ablate.py --official``). Then every table
of :data:`replication.tables.TABLES` (Table B, the supernets, Table C, Table D, the
claims summary and, when an ablation was run into the same folder, the ablation
table) is written as CSV, Markdown and LaTeX
(:func:`sgnas._infra.tables.write_table`) and printed.

Usage: ``python replication/replicate_table.py [--out results/] [--preset quick|proxy|paper|smoke]
[--seeds 0 1 2] [--data-dir DIR] [--jobs N] [--set SECTION.FIELD=VALUE ...] [--reference-only] [--no-ablations]``
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from replication.ablation import DEFAULT, main_job_variants, run_ablation, run_generator_variant  # noqa: E402
from replication.harness import check_data, run_replication, seed_configs  # noqa: E402
from replication.latency import run_latency  # noqa: E402
from replication.machine_latency import machine_latency  # noqa: E402
from replication.nasbench201 import run_nasbench201, table_path  # noqa: E402
from replication.plans import PLANS, load_nb201, load_plan, resolve_config, split_overrides  # noqa: E402
from replication.prefill import Study, available_cores, prefill  # noqa: E402
from replication.redundancy import redundancy_study  # noqa: E402
from replication.results import Table  # noqa: E402
from replication.tables import TABLES  # noqa: E402
from replication.tables.table_a import measure_reference  # noqa: E402
from sgnas._infra.argparser import ArgumentParser  # noqa: E402
from sgnas._infra.command import run_tool  # noqa: E402
from sgnas._infra.errors import SgnasError  # noqa: E402
from sgnas._infra.runs import output_folder  # noqa: E402
from sgnas._infra.tables import render, write_table  # noqa: E402
from sgnas.config.schema import MAX_THREADS  # noqa: E402
from sgnas.spaces.nasbench201.latency import LATENCY_PATH  # noqa: E402

__all__ = ["build_tables", "main", "write_and_print"]


def write_and_print(table: Table, out: str | Path) -> None:
    """Write ``table`` as CSV, Markdown and LaTeX into ``out`` and print it (hidden columns left out)."""
    paths = write_table(table.frame, out, table.name, table.title, table.notes)
    print(render(table.shown, table.title, table.notes))
    print("written: " + ", ".join(str(p) for p in paths.values()) + "\n")


def _reference(out: Path) -> Table:
    """Table A, recomputed (one image at a time: extra threads only add contention on a busy machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        measure_reference(out)
    finally:
        torch.set_num_threads(threads)
    table = TABLES[0].build(out)
    assert table is not None  # just written
    return table


def default_jobs(plan: str, overrides: Sequence[str] = ()) -> int:
    """Worker processes of the main job by default: every core available, one where the plan trains on a GPU
    (its runs would queue on one device)."""
    device = load_plan(plan, overrides)[1].device
    on_gpu = device.startswith("cuda") or (device == "auto" and torch.cuda.is_available())
    return 1 if on_gpu else available_cores()


def _studies(plan: str, seeds: Sequence[int], out: Path, data_dir: str | Path | None, redundancy_spread: bool,
             nb201: bool, latency: bool, overrides: Sequence[str], ablations: bool = True) -> list[Study]:
    """The main job's independent studies, longest first: the harness per seed, the ablations that train a
    supernet, the redundancy study's supernets, the latency study on this machine, the NAS-Bench-201 track per
    seed, the latency track per seed (it reuses that track's supernets: the run lock makes it wait for one still
    training), the ablations that reuse the harness's supernets."""
    config, track = split_overrides(overrides)
    common = {"plan_name": plan, "data_dir": data_dir, "runs_dir": out / "runs"}
    studies = [Study(f"seed {seed} harness", run_replication, {**common, "seeds": [seed], "overrides": config})
               for seed in seeds]
    if redundancy_spread:
        studies.append(Study("redundancy", redundancy_study, {**common, "seed": seeds[0], "overrides": config}))
    # after the harness of its seed, whose supernet it times the generator over (the run lock makes it wait)
    studies.append(Study("machine latency", machine_latency, {**common, "seed": seeds[0], "overrides": config}))
    trains, reuses = _ablation_studies(plan, seeds, out, data_dir, config) if ablations else ([], [])
    studies[len(seeds):len(seeds)] = trains  # a supernet of their own: among the longest
    if nb201:
        preset = load_nb201(plan, track)
        assert preset is not None  # the plan has the track
        studies += [Study(f"seed {seed} nas-bench-201", run_nasbench201, {**common, "seeds": [seed], "overrides": track})
                    for seed in range(preset.seeds)]
        if latency:
            studies += [Study(f"seed {seed} latency", run_latency, {**common, "seeds": [seed], "overrides": track})
                        for seed in range(preset.latency_seeds)]
    return studies + reuses


def _ablation_studies(plan: str, seeds: Sequence[int], out: Path, data_dir: str | Path | None,
                      config: Sequence[str]) -> tuple[list[Study], list[Study]]:
    """One study per ablation variant on the first seed, parted into those that train a supernet of their own and
    those that train a generator over a supernet another study trains (the harness's; forced sampling off: the
    redundancy study's), which go last so that they find it trained."""
    default = resolve_config(plan, config, 0)
    trains, reuses = [], []
    for variant in main_job_variants(plan, config):
        if variant == DEFAULT:
            continue
        changed = resolve_config(plan, [*config, *variant.overrides], 0)
        shared = variant.name == "no-fs" or (changed.supernet, changed.data) == (default.supernet, default.data)
        (reuses if shared else trains).append(
            Study(f"seed {seeds[0]} ablation {variant.name}", run_generator_variant,
                  {"preset": plan, "overrides": [*config, *variant.overrides], "seed": seeds[0], "data_dir": data_dir,
                   "runs_dir": out / "runs"}))
    return trains, reuses


def build_tables(plan: str, seeds: Sequence[int], out: str | Path, data_dir: str | Path | None = None,
                 redundancy_spread: bool = True, reference_only: bool = False, jobs: int = 1,
                 overrides: Sequence[str] = (), ablations: bool = True) -> list[Table]:
    """Table A, then (unless ``reference_only``) the harness and the redundancy study and every measured table.

    With ``jobs`` > 1 the independent studies first run side by side in that many worker processes
    (:mod:`replication.prefill`), so that the steps below read their finished runs. Each table is written and
    printed as soon as it is built; a table whose inputs were not produced is reported as skipped. The tables
    built, in order.
    """
    if not reference_only:  # the plan's arguments (seeds once each) and data folder, before anything is written
        check_data(seed_configs(plan, seeds, overrides), data_dir)
    out = output_folder(out, "the tables")
    tables = [_reference(out)]
    write_and_print(tables[0], out)
    if reference_only:
        return tables
    nb201_table = table_path(data_dir)
    nb201 = PLANS[plan].nb201 is not None and nb201_table is not None and nb201_table.exists()
    latency = nb201 and (nb201_table.parent / LATENCY_PATH.name).exists()
    prefill(_studies(plan, seeds, out, data_dir, redundancy_spread, nb201, latency, overrides, ablations), jobs,
            out / ".prefill")
    config, track = split_overrides(overrides)
    run_replication(plan, seeds, out, overrides=config, data_dir=data_dir)
    redundancy_study(plan, seeds[0], out, spread=redundancy_spread, data_dir=data_dir, overrides=config)
    machine_latency(plan, seeds[0], out, data_dir=data_dir, overrides=config)
    if ablations:  # on the first seed: the one whose forced-sampling-off supernet the redundancy study trains
        run_ablation(main_job_variants(plan, config), plan, seeds[:1], out, overrides=config, data_dir=data_dir)
    if nb201:  # its own seeds (the preset's, 5 at quick), whatever seeds the unified space's studies use
        run_nasbench201(plan, None, out, data_dir=data_dir, overrides=track)
    if latency:
        run_latency(plan, None, out, data_dir=data_dir, overrides=track)
    elif nb201:
        print(f"nas-bench-201: no {LATENCY_PATH.name} beside the table; the latency track and Table E are skipped\n")
    elif PLANS[plan].nb201 is not None:
        where = nb201_table or "no data folder (pass --data-dir or set SGNAS_DATA_DIR)"
        print(f"nas-bench-201: no table at {where}; the ground-truth track and Table D are skipped\n")
    for spec in TABLES[1:]:
        table = spec.build(out)
        if table is None:
            print(f"{spec.name}: not measured in {out}, skipped\n")
            continue
        write_and_print(table, out)
        tables.append(table)
    return tables


def _parser() -> ArgumentParser:
    parser = ArgumentParser(description=__doc__.splitlines()[0], tool="replicate_table")
    parser.add_argument("--out", type=Path, default=Path("results"), help="results folder (default: results/)")
    parser.add_argument(
        "--preset", choices=tuple(PLANS), default="quick",
        help="plan of the measured tables (default: quick, indicative numbers in about 28 minutes on 2 CPU "
        "cores; Table A is exact and the same for every plan)",
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1], help="seeds of the measured tables")
    parser.add_argument("--data-dir", default=None, help="dataset folder (default: $SGNAS_DATA_DIR, else data/ in the user's cache, where CIFAR-10 is downloaded)")
    parser.add_argument("--reference-only", action="store_true", help="only Table A (no data, no training)")
    parser.add_argument("--no-ablations", dest="ablations", action="store_false",
                        help="skip the paper's ablations (forced sampling, lambda, temperature, generator network; "
                        "replication/ablate.py runs others, --official among them)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="worker processes for the independent studies (default: every core available, 1 "
                        "where the plan trains on a GPU); 1 runs everything in this process")
    parser.add_argument("--set", dest="overrides", nargs="+", action="extend", default=[], metavar="SECTION.FIELD=VALUE",
                        help="overrides of the plan: section.field=value for the unified config, "
                        "nb201.field=value for the NAS-Bench-201 preset")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    start = time.perf_counter()

    def body() -> None:
        if args.jobs is not None and not 1 <= args.jobs <= MAX_THREADS:
            raise SgnasError(f"--jobs must be from 1 to {MAX_THREADS}, got {args.jobs}")
        load_plan(args.preset, args.overrides)  # every override checked, whatever runs (--reference-only too)
        jobs = args.jobs if args.jobs is not None else default_jobs(args.preset, args.overrides)
        build_tables(args.preset, args.seeds, args.out, args.data_dir, reference_only=args.reference_only,
                     jobs=jobs, overrides=args.overrides, ablations=args.ablations)
        print(f"done in {time.perf_counter() - start:.1f} s")

    return run_tool("replicate_table", body)


if __name__ == "__main__":
    sys.exit(main())
