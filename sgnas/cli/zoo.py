"""``sgnas zoo``: the reference zoo of published architectures with their published numbers and sources.

Lists what :mod:`sgnas.zoo.reference` holds: each model's architecture (the
compact string of the unified space, or the timm model that builds it), its
options, the published FLOPs with their counting convention, params, top-1
(as reported, not measured here) and the source. The replication's Table A
recomputes the FLOPs and params beside these.
"""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from sgnas._infra.tables import FORMATS, format_table
from sgnas.zoo.reference import load_zoo

__all__ = ["register", "run", "zoo_frame"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "zoo",
        help="published reference architectures and their published numbers",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument(
        "--format", choices=list(FORMATS), default="text",
        help="output format (default: text for the terminal)",
    )
    parser.set_defaults(func=run)


def zoo_frame() -> pd.DataFrame:
    """One row per zoo entry: name, architecture, options and the published facts."""
    rows = []
    for entry in load_zoo():
        published = entry.published
        rows.append({
            "Model": entry.name,
            "Architecture": str(entry.arch) if entry.arch is not None else f"timm {entry.timm_model}",
            "Options": entry.options() if entry.kind == "space" else "",
            "FLOPs (M)": published.flops_m,
            "Convention": published.convention,
            "Params (M)": published.params_m,
            "Top-1 reported (%)": published.top1,
            "Top-5 reported (%)": published.top5,
            "Source": entry.source,
        })
    return pd.DataFrame(rows)


def run(args: argparse.Namespace) -> int:
    title = "Reference zoo: published numbers (FLOPs = multiply-adds at 224x224 in the stated convention)"
    notes = ["Top-1/top-5: ImageNet accuracy as reported by the source, not measured here."]
    print(format_table(zoo_frame(), args.format, title, notes), end="")
    return 0
