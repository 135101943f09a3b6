"""The supernet-training samplers by registry name: SPOS trains every choice equally often, FairNAS exactly fairly.

And what a registry does with plugins that cannot have what they ask for: one
that fails to import is one warning and forgotten, a name taken is kept by its
first provider (the library's, whenever it registers), a clash within the
library itself is an error.
"""

from __future__ import annotations

import importlib.metadata
import sys
import textwrap
import types
from collections import Counter

import numpy as np
import pytest
from scipy.stats import chisquare

from baselines.proxyless import ProxylessSampler
from sgnas import registry
from sgnas._infra.errors import SgnasError
from sgnas.registry import SAMPLERS, UNIFIED, Registry
from sgnas.spaces.unified.space import KERNEL_OPS, MIN_ACTIVE, SKIP, SUB_BLOCKS
from sgnas.training.samplers import StrictFairSampler, UniformSampler, build_sampler

LAYERS = 4


def test_names_map_to_the_library_samplers_and_the_gates():
    assert isinstance(build_sampler("strict-fair", LAYERS, 0), StrictFairSampler)
    assert isinstance(build_sampler("uniform", LAYERS, 0), UniformSampler)
    proxyless = SAMPLERS.get("proxyless")(LAYERS, 0, forced_sampling=False, update_every=3)
    assert isinstance(proxyless, ProxylessSampler) and proxyless.update_every == 3
    assert SAMPLERS.get("strict-fair") is StrictFairSampler
    assert SAMPLERS.get("proxyless") is ProxylessSampler
    with pytest.raises(SgnasError, match="unknown sampler"):
        build_sampler("darts", LAYERS, 0)


def test_spos_trains_every_choice_equally_often():
    sampler = build_sampler("uniform", LAYERS, seed=1, forced_sampling=False)
    expansions, kernels, positions = Counter(), Counter(), Counter()
    steps = 1500
    for _ in range(steps):
        (arch,) = sampler.next_step()
        for layer, ops in enumerate(arch.layers):
            expansions[arch.expansion(layer)] += 1
            kernels.update(op for op in ops if op != SKIP)
            positions.update(arch.active(layer))
    assert sum(expansions.values()) == steps * LAYERS
    assert chisquare([expansions[e] for e in range(MIN_ACTIVE, SUB_BLOCKS + 1)]).pvalue > 1e-3
    assert chisquare([kernels[k] for k in KERNEL_OPS]).pvalue > 1e-3
    assert chisquare([positions[j] for j in range(SUB_BLOCKS)]).pvalue > 1e-3


def test_fairnas_trains_every_expansion_once_per_step_and_every_kernel_within_one():
    sampler = build_sampler("strict-fair", LAYERS, seed=2, forced_sampling=False)
    uses = np.zeros((LAYERS, SUB_BLOCKS, len(KERNEL_OPS)), dtype=int)
    for _ in range(7):
        paths = sampler.next_step()
        for layer in range(LAYERS):
            assert sorted(arch.expansion(layer) for arch in paths) == list(range(MIN_ACTIVE, SUB_BLOCKS + 1))
        for arch in paths:
            for layer, ops in enumerate(arch.layers):
                for j, op in enumerate(ops):
                    if op != SKIP:
                        uses[layer, j, KERNEL_OPS.index(op)] += 1
        assert (uses.max(-1) - uses.min(-1) <= 1).all()


@pytest.mark.parametrize("name", sorted(SAMPLERS.names(family=UNIFIED)))
def test_every_sampler_honours_forced_sampling_and_resumes_exactly(name):
    sampler = build_sampler(name, LAYERS, seed=3, forced_sampling=True)
    for _ in range(3):
        assert all(arch.is_canonical() for arch in sampler.next_step())
    state = sampler.state_dict()
    ahead = [sampler.next_step() for _ in range(3)]
    resumed = build_sampler(name, LAYERS, seed=99, forced_sampling=True)
    resumed.load_state_dict(state)
    assert [resumed.next_step() for _ in range(3)] == ahead


# --- plugins that cannot have what they ask for --------------------------------------------------

PROBE = "probe_registry"


@pytest.fixture()
def probe(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Registry:
    """A registry of its own (module ``probe_registry``), plugins loaded afresh from ``tmp_path``, warnings anew."""
    monkeypatch.setattr(registry, "_REGISTRIES", list(registry._REGISTRIES))
    monkeypatch.setattr(registry, "_warned", set())
    monkeypatch.setattr(registry, "_plugins_loaded", False)
    things: Registry = Registry("thing")
    module = types.ModuleType(PROBE)
    module.THINGS = things
    monkeypatch.setitem(sys.modules, PROBE, module)
    monkeypatch.syspath_prepend(str(tmp_path))
    return things


def _plugins(monkeypatch: pytest.MonkeyPatch, tmp_path, **sources: str) -> None:
    """Modules ``name`` with ``source`` in ``tmp_path``, each named by an entry point ``name`` (no distribution)."""
    entries = []
    for name, source in sources.items():
        (tmp_path / f"{name}.py").write_text(f"from {PROBE} import THINGS\n\n" + textwrap.dedent(source))
        entries.append(importlib.metadata.EntryPoint(name, name, registry.PLUGIN_GROUP))
    monkeypatch.setattr(registry, "entry_points", lambda group: entries)


def test_a_plugin_that_fails_is_one_warning_and_forgotten(probe: Registry, monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path, capsys: pytest.CaptureFixture) -> None:
    _plugins(monkeypatch, tmp_path, fails_late="""
        class Half:
            pass

        THINGS.add("half", Half)
        raise RuntimeError("configuration missing")
        """, after="""
        class Whole:
            pass

        THINGS.add("whole", Whole)
        """)
    assert probe.names() == ("whole",), "what the failed plugin registered is forgotten; the next one loads"
    assert capsys.readouterr().err.splitlines() == [
        "sgnas: warning: plugin 'fails_late' (module fails_late) is skipped: RuntimeError: configuration missing"]
    with pytest.raises(SgnasError, match=r"unknown thing 'half': not available \(registered: whole\)"):
        probe.get("half")


def _library_class(name: str) -> type:
    """A class the registries take for the library's own (its module is under ``sgnas``)."""
    return type(name, (), {"__module__": "sgnas.probe"})


def test_a_taken_name_stays_with_its_first_provider_and_the_library(probe: Registry, monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr(sys.modules[PROBE], "library_class", _library_class, raising=False)
    _plugins(monkeypatch, tmp_path, first="""
        class Mine:
            pass

        THINGS.add("shared", Mine)
        """, second="""
        from probe_registry import library_class

        class Theirs:
            pass

        THINGS.add("uniform", library_class("Uniform"))
        THINGS.add("shared", Theirs)
        THINGS.add("uniform", Theirs)
        THINGS.add("ours", library_class("Ours"))
        """)
    assert probe.names() == ("uniform", "ours", "shared")
    assert probe.get("shared").__module__ == "first" and probe.get("uniform").__module__ == "sgnas.probe"
    assert capsys.readouterr().err.splitlines() == [
        "sgnas: warning: thing 'shared' is registered twice: by plugin 'first' (module first) as first.Mine, kept, "
        "and by plugin 'second' (module second) as second.Theirs, ignored",
        "sgnas: warning: thing 'uniform' is registered twice: by the library (sgnas.probe) as "
        "sgnas.probe.Uniform, kept, and by plugin 'second' (module second) as second.Theirs, ignored",
    ]
    # a plugin's name the library registers later goes to the library, and within the library a clash is a bug
    probe.add("late", type("Early", (), {"__module__": "first"}))
    late = _library_class("Late")
    probe.add("late", late)
    assert probe.get("late") is late and "as sgnas.probe.Late, kept, and by module first" in capsys.readouterr().err
    with pytest.raises(SgnasError, match="thing 'ours' is registered twice"):
        probe.add("ours", _library_class("Other"))


def test_an_error_of_the_library_itself_is_not_hidden(probe: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = importlib.metadata.EntryPoint("sgnas", "sgnas.no_such_extensions", registry.PLUGIN_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [broken])
    with pytest.raises(ModuleNotFoundError, match="sgnas.no_such_extensions"):
        probe.names()


@pytest.mark.parametrize("exit_call", ["sys.exit()", "sys.exit(3)", "raise SystemExit('no licence')"])
def test_a_plugin_that_exits_at_import_is_one_warning_and_skipped(probe: Registry, monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path, capsys: pytest.CaptureFixture,
                                                                  exit_call: str) -> None:
    """sys.exit() in a plugin's module would otherwise end every command silently."""
    name = "exits_" + "".join(c for c in exit_call if c.isalnum())  # one module per case: an imported one is not rerun
    _plugins(monkeypatch, tmp_path, **{name: f"""
        import sys

        class Half:
            pass

        THINGS.add("half", Half)
        {exit_call}
        """, f"after_{name}": """
        class Whole:
            pass

        THINGS.add("whole", Whole)
        """})
    assert probe.names() == ("whole",)
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"sgnas: warning: plugin '{name}' (module {name}) is skipped: SystemExit: "), line


def test_ctrl_c_in_a_plugin_still_stops(probe: Registry, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    _plugins(monkeypatch, tmp_path, interrupted="""
        raise KeyboardInterrupt
        """)
    with pytest.raises(KeyboardInterrupt):
        probe.names()
