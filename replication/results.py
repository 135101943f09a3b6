"""The replication's result files: one folder of plain files that every table and figure reads.

The harness (:mod:`replication.harness`) and the ablation and redundancy studies
write these; the tables (:mod:`replication.tables`)
and the report (``reports/``) only read them. Nothing downstream touches a
live model, so any table or figure can be rebuilt alone from a results folder
(the AutoDL-Projects pattern: one small function per artefact over saved results).

Layout of a results folder::

    manifest.json        plan, preset, seeds, budgets {label: target MMACs}, whether the numbers are
                         indicative, the resolved configs, the environment, and the run directories
                         whose metrics.jsonl hold the training curves ({"supernet": [...], "generator": [...]},
                         relative to the results folder)
    reference_table.csv  Table A (exact FLOPs/params of published architectures; replicate_table.py)
    search.csv           one row per (method, seed, budget): the architecture found and its numbers,
                         with the evaluations spent and the evaluation budget of evaluation-based searches
    generator_sweep.csv  one row per (variant, seed, target) of a sweep across the range: target vs generated MACs
    supernets.csv        one row per (sampler, seed) trained supernet: final training loss, validation top-1 of the
                         fixed architectures (mean, 95% Wilson interval, range), chance, whether it learned
    cost_vs_n.csv        one row per (method, seed, N): cost of architectures for N targets, measured and,
                         for evaluation-based searches, extrapolated to SPOS's 1000 evaluations per target
    ablation/ablation.csv  one row per (variant, seed, target) of replication/ablate.py
    ablation/ablation.json the ablation's preset, seeds and each variant's config overrides
    ablation/supernets.csv one row per (variant, seed) supernet of the ablation, columns as supernets.csv
    redundancy.json      counts and FS-on/off training frequencies and accuracy spreads

MACs are in millions, in the convention ``manifest.json`` names (the
generator's, ``conv`` for SGNAS's presets); accuracies are top-1 in percent. A file that
is absent means "not measured": readers return ``None`` and the report says so.

The preset and seeds a folder's numbers come from are read from the ``config.json`` of
the runs its manifest lists (:func:`provenance`), not from the manifest alone: a manifest
that disagrees with those run configs is a one-line error.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from replication.plans import PLANS
from sgnas._infra.errors import SgnasError
from sgnas._infra.jsonfiles import NotJson, regular_file_problem
from sgnas._infra.jsonfiles import read_json as read_json_file
from sgnas._infra.runs import LIST, OBJECT, TEXT, ResultValue, atomic_write_json, atomic_write_text

__all__ = [
    "ABLATION_COLUMNS",
    "ABLATION_SUPERNET_COLUMNS",
    "COST_COLUMNS",
    "FILES",
    "MANIFEST_KEYS",
    "Provenance",
    "SEARCH_COLUMNS",
    "SUPERNET_COLUMNS",
    "SWEEP_COLUMNS",
    "Table",
    "check_manifest",
    "indicative_note",
    "manifest_runs",
    "provenance",
    "read_csv",
    "read_json",
    "read_manifest",
    "write_csv",
    "write_json",
]

#: file name of each result, relative to the results folder
FILES: dict[str, str] = {
    "manifest": "manifest.json",
    "table_a": "reference_table.csv",
    "search": "search.csv",
    "generator_sweep": "generator_sweep.csv",
    "cost_vs_n": "cost_vs_n.csv",
    "supernets": "supernets.csv",
    "nb201_search": "nas-bench-201/search.csv",
    "nb201_ranking": "nas-bench-201/ranking.csv",
    "nb201_estimates": "nas-bench-201/estimates.csv",
    "nb201_sweep": "nas-bench-201/generator_sweep.csv",
    "nb201_manifest": "nas-bench-201/manifest.json",
    "latency_search": "nas-bench-201/latency_search.csv",
    "latency_sweep": "nas-bench-201/latency_sweep.csv",
    "latency_fit": "nas-bench-201/latency_fit.csv",
    "latency_pareto": "nas-bench-201/latency_pareto.csv",
    "latency_manifest": "nas-bench-201/latency_manifest.json",
    "machine_latency": "machine_latency.csv",
    "machine_latency_meta": "machine_latency.json",
    "ablation": "ablation/ablation.csv",
    "ablation_meta": "ablation/ablation.json",
    "ablation_supernets": "ablation/supernets.csv",
    "redundancy": "redundancy.json",
}

#: ``budget`` is the MACs budget's label (A/B/C); ``evaluations`` the distinct architectures an evaluation-based
#: search (evolution, random search) evaluated and ``evaluation_budget`` the evaluations it was allowed (empty for
#: the other strategies)
SEARCH_COLUMNS: tuple[str, ...] = (
    "method", "seed", "budget", "target_macs_m", "macs_m", "params_m", "supernet_accuracy",
    "standalone_top1", "search_seconds", "forward_passes", "evaluations", "evaluation_budget", "architecture",
)
SWEEP_COLUMNS: tuple[str, ...] = ("variant", "seed", "target_macs_m", "macs_m")
#: measured cost for N targets, then (evaluation-based searches only) the mean evaluations per target, the budget
#: given, and the cost extrapolated to SPOS's published 1000 evaluations per target (``*_at_spos_budget``)
COST_COLUMNS: tuple[str, ...] = (
    "method", "seed", "n", "wall_seconds", "forward_passes", "one_time_seconds", "evaluations", "evaluation_budget",
    "wall_seconds_at_spos_budget", "forward_passes_at_spos_budget",
)
#: a trained supernet: its run folder, the mean of its last logged training losses, then the validation
#: architectures' top-1 (%) on ``val_images`` images: their mean with its 95% Wilson interval (the images
#: counted once), their range, chance (100 / classes) and ``learned`` (the interval's lower bound above chance);
#: empty where the run predates these records
SUPERNET_COLUMNS: tuple[str, ...] = (
    "sampler", "seed", "run", "final_train_loss", "val_archs", "val_images", "top1", "top1_low", "top1_high",
    "arch_top1_min", "arch_top1_max", "chance_top1", "learned",
)
ABLATION_SUPERNET_COLUMNS: tuple[str, ...] = ("variant", *SUPERNET_COLUMNS)
#: ``supernet_accuracy`` is estimated on the variant's own supernet; ``judge_accuracy`` on the default variant's
#: supernet of the same seed, the one judge of every variant's finds (a budget row's)
ABLATION_COLUMNS: tuple[str, ...] = (
    "variant", "seed", "budget", "target_macs_m", "macs_m", "relative_error", "supernet_accuracy",
    "judge_accuracy", "standalone_top1", "kendall_tau", "architecture", "overrides",
)


@dataclass
class Table:
    """One table of the replication: a short file name, a caption, the data, and notes printed under it.

    ``hidden`` columns (long source references) are written to the table's files
    but left out where it is printed or typeset.
    """

    name: str
    title: str
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    hidden: tuple[str, ...] = ()

    @property
    def shown(self) -> pd.DataFrame:
        """The frame as printed and typeset: without the hidden columns."""
        return self.frame.drop(columns=list(self.hidden), errors="ignore")


def _path(results_dir: str | Path, name: str) -> Path:
    if name not in FILES:
        raise SgnasError(f"unknown result file {name!r}; known: {', '.join(FILES)}")
    return Path(results_dir) / FILES[name]


def write_csv(results_dir: str | Path, name: str, rows: Iterable[dict[str, Any]], columns: Iterable[str]) -> Path:
    """Write rows (dicts) as the named result file, in the given column order (missing values empty)."""
    path = _path(results_dir, name)
    frame = pd.DataFrame(list(rows), columns=list(columns))
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    atomic_write_text(path, buffer.getvalue())
    return path


def read_csv(results_dir: str | Path, name: str) -> pd.DataFrame | None:
    """The named result file as a DataFrame, or ``None`` when it was not produced."""
    path = _path(results_dir, name)
    problem = regular_file_problem(path)
    if problem == "missing":
        return None
    if problem is not None:
        raise SgnasError(f"result file {path} is {problem}; rerun the step that writes it")
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as err:
        raise SgnasError(f"unreadable result file {path}: {err}") from None


def write_json(results_dir: str | Path, name: str, data: Any) -> Path:
    path = _path(results_dir, name)
    atomic_write_json(path, data)
    return path


def read_json(results_dir: str | Path, name: str) -> Any | None:
    """The named JSON result, or ``None`` when it was not produced."""
    path = _path(results_dir, name)
    if not path.exists():
        return None
    try:
        return read_json_file(path)
    except NotJson as err:
        raise SgnasError(f"result file {path} is {err}; rerun the step that writes it") from None


#: what every manifest.json holds (the harness writes each; the report's title page and appendix read them): key
#: -> what its value must be (the checks run folders' results use, :class:`sgnas._infra.runs.ResultValue`)
MANIFEST_KEYS: dict[str, ResultValue] = {
    "preset": ResultValue("a preset name", TEXT.ok),
    "seeds": ResultValue("a list of integer seeds", lambda v: LIST.ok(v) and all(type(seed) is int for seed in v)),
    "indicative": ResultValue("true or false", lambda v: isinstance(v, bool)),
    "configs": ResultValue("an object of resolved configs", OBJECT.ok),
    "environment": ResultValue("an object describing the environment", OBJECT.ok),
    "runs": ResultValue("an object of lists of run folders", lambda v: OBJECT.ok(v) and all(
        LIST.ok(paths) and all(TEXT.ok(p) for p in paths) for paths in v.values())),
}


def check_manifest(manifest: Any, path: Path) -> dict[str, Any]:
    """``manifest`` (read from ``path``) when it holds every key of :data:`MANIFEST_KEYS` with a value of its kind;
    else a one-line error naming the file and the first key missing or wrong."""
    if not isinstance(manifest, dict):
        raise SgnasError(f"manifest {path} is not a JSON object: rerun the harness into this folder")
    for key, value in MANIFEST_KEYS.items():
        if key not in manifest:
            raise SgnasError(f"manifest {path} has no {key!r} ({value.wording}): rerun the harness into this folder")
        if not value.ok(manifest[key]):
            raise SgnasError(f"manifest {path}: {key!r} must be {value.wording}, got {manifest[key]!r:.80}")
    return manifest


def read_manifest(results_dir: str | Path) -> dict[str, Any]:
    """The manifest, checked (:func:`check_manifest`), or an empty one (no preset, no seeds) when the folder has
    none."""
    manifest = read_json(results_dir, "manifest")
    return {} if manifest is None else check_manifest(manifest, _path(results_dir, "manifest"))


def manifest_runs(results_dir: str | Path, kind: str | None = None) -> list[Path]:
    """The run folders the manifest lists, of ``kind`` (``supernet``, ``generator``) or of every kind; a relative
    path is relative to the results folder."""
    listed = read_manifest(results_dir).get("runs")
    if not isinstance(listed, dict):
        return []
    kinds = [kind] if kind is not None else list(listed)
    return [Path(results_dir) / str(path) for name in kinds for path in listed.get(name) or []]


@dataclass(frozen=True)
class Provenance:
    """Where a results folder's numbers come from, as the configs of its runs record it."""

    preset: str | None
    seeds: list[int]
    #: the manifest's plan (:data:`replication.plans.PLANS`) where it agrees with the runs' preset
    plan: str | None
    #: whether the numbers are only indicative (every plan of the preset is); True when no run config confirms it
    indicative: bool
    #: the run configs read; empty when the manifest lists no run that is there (its word is unconfirmed)
    sources: tuple[Path, ...] = ()


def _run_config(path: Path, manifest: Path) -> tuple[str, int]:
    """(preset, seed) of a run's ``config.json``."""
    try:
        saved = read_json_file(path)
        return str(saved["config"]["preset"]), int(saved["seed"])
    except (NotJson, ValueError, KeyError, TypeError):
        raise SgnasError(f"run config {path}, listed in {manifest}, is unreadable or names no preset and seed; "
                         "rerun the harness into this folder") from None


def provenance(results_dir: str | Path) -> Provenance:
    """The preset, plan and seeds of a results folder, from the ``config.json`` of the runs its manifest lists.

    The run configs win: the manifest only describes them. A manifest that says
    another preset, a plan of another preset or other seeds (an edited manifest,
    or results of several harness calls mixed in one folder) is a one-line error,
    as are runs of several presets. Numbers count as not indicative only where
    the runs confirm a preset whose plans are all full scale (``paper``); when
    none of the listed runs is there, the manifest's preset and seeds are kept,
    unconfirmed, and the numbers count as indicative.
    """
    manifest = read_manifest(results_dir)
    manifest_path = _path(results_dir, "manifest")
    found = [(path, *_run_config(path, manifest_path))
             for path in (run / "config.json" for run in manifest_runs(results_dir)) if path.is_file()]
    plan = manifest.get("plan") if manifest.get("plan") in PLANS else None
    if not found:
        return Provenance(manifest.get("preset"), list(manifest.get("seeds") or []), plan, True)
    presets = sorted({preset for _, preset, _ in found})
    if len(presets) > 1:
        raise SgnasError(f"the runs {manifest_path} lists come from presets {', '.join(presets)}: results of several "
                         f"harness calls are mixed in {results_dir}; rerun the harness into a fresh folder")
    preset, seeds, example = presets[0], sorted({seed for *_, seed in found}), found[0][0]

    def disagree(what: str, said: Any, runs: Any) -> SgnasError:
        return SgnasError(f"{manifest_path} says {what} {said}, the run configs it lists say {runs} ({example}): "
                          "the manifest does not describe these results; rerun the harness into this folder")

    if manifest.get("preset") not in (None, preset):
        raise disagree("preset", repr(manifest["preset"]), repr(preset))
    if manifest.get("plan") is not None and (plan is None or PLANS[plan].preset != preset):
        raise disagree("plan", repr(manifest["plan"]), f"preset {preset!r}")
    if manifest.get("seeds") is not None and sorted(manifest["seeds"]) != seeds:
        raise disagree("seeds", manifest["seeds"], seeds)
    indicative = all(p.indicative for p in PLANS.values() if p.preset == preset)
    return Provenance(preset, seeds, plan, indicative, tuple(path for path, *_ in found))


def indicative_note(results_dir: str | Path) -> list[str]:
    """The preset and seeds behind a results folder (:func:`provenance`), and a warning when its numbers are only
    indicative."""
    source = provenance(results_dir)
    notes = []
    if source.preset:
        notes.append(f"Preset {source.preset}, seeds {source.seeds}.")
    if source.preset and source.indicative:
        if not source.sources and read_manifest(results_dir).get("indicative") is False:
            notes.append(f"Numbers are taken as indicative only: manifest.json says preset {source.preset} at full "
                         "scale, but none of the runs it lists is there to confirm it.")
        else:
            notes.append(
                f"Numbers from preset {source.preset} are indicative only: "
                "short training on a small proxy, not a replication of the paper's scale."
            )
    return notes
