"""One function per figure of the report, each reading a results folder and returning a matplotlib Figure.

Every function raises :class:`MissingResult` naming the file it needed when that
file was not produced; the report then prints that on the figure's page
instead of drawing anything (a missing measurement is never drawn as zero).
:data:`FIGURES` lists them in report order; :func:`save_figure` writes the PNG
and SVG beside the PDF.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from matplotlib.figure import Figure

from reports.figures._common import MissingResult, save_figure
from reports.figures.ablation import ablation_figure
from reports.figures.accuracy import accuracy_vs_macs
from reports.figures.architectures import architecture_diagrams
from reports.figures.constraints import target_vs_generated
from reports.figures.cost import cost_vs_n
from reports.figures.curves import generator_curves, supernet_curves
from reports.figures.latency import latency_pareto, latency_targets, machine_latency
from reports.figures.nasbench201 import nb201_landscape, nb201_ranking, nb201_regret
from reports.figures.redundancy import redundancy_figure

__all__ = ["FIGURES", "MissingResult", "save_figure"]

#: (file stem, page title, function) of every figure, in report order
FIGURES: tuple[tuple[str, str, Callable[[Path], Figure]], ...] = (
    ("architectures", "Architectures: SGNAS-A/B/C and the generated ones per budget (cf. paper Fig. 9/10)",
     architecture_diagrams),
    ("accuracy_vs_macs", "Accuracy versus MACs", accuracy_vs_macs),
    ("target_vs_generated", "Target versus generated MACs", target_vs_generated),
    ("cost_vs_n", "Search cost versus the number of constraints N", cost_vs_n),
    ("ablation", "Ablations", ablation_figure),
    ("redundancy", "Architecture redundancy with and without forced sampling", redundancy_figure),
    ("supernet_curves", "Supernet training curves", supernet_curves),
    ("generator_curves", "Generator training curves", generator_curves),
    ("nb201_landscape", "NAS-Bench-201: true accuracy versus MACs, the Pareto front and each method's finds",
     nb201_landscape),
    ("nb201_ranking", "NAS-Bench-201: supernet estimate versus true accuracy", nb201_ranking),
    ("nb201_regret", "NAS-Bench-201: regret to the oracle per method and budget", nb201_regret),
    ("latency_targets", "Latency targets against measured latency per device (generator, its table's estimate, "
     "its prior)", latency_targets),
    ("machine_latency", "Latency targets on this machine: the generator's finds timed end to end (unified space)",
     machine_latency),
    ("latency_pareto", "True accuracy against measured latency per device: the Pareto front and each method's finds",
     latency_pareto),
)
