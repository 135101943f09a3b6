"""The packages depend one way, sgnas < baselines < replication < reports, and no module imports itself back.

The walk reads every module's source with ``ast``: ``import`` and ``from ...
import`` statements anywhere (inside functions too, since a lazy import is
still a dependency) and string constants that name a module of these packages
(``"baselines.evolution"`` or ``"baselines.proxyless:ProxylessSampler"``, the
way importlib and plugin paths name them). Extensions reach the library
through :mod:`sgnas.registry` instead. Docstrings may not name a module
downstream either, dotted (``replication.cost_for_n``) or as a path
(``replication/replicate_table.py``): what documents a module says what it
offers, not who uses it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: the packages from upstream to downstream: each may import only those before it (and itself)
LAYERS = ("sgnas", "baselines", "replication", "reports")
_MODULE_STRING = re.compile(rf"^({'|'.join(LAYERS)})(\.[A-Za-z_][A-Za-z0-9_]*)*(:[A-Za-z_][A-Za-z0-9_.]*)?$")
#: a module of the packages named in prose: ``package.module...`` or ``package/module.py``
_MODULE_IN_TEXT = re.compile(rf"(?<![\w./-])({'|'.join(LAYERS)})((\.[A-Za-z_]\w*)+|(/[A-Za-z_]\w*)+(\.py)?)")
_DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for layer in LAYERS for path in sorted((ROOT / layer).rglob("*.py"))}


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def _references(module: str, path: Path, known: set[str]) -> set[str]:
    """The modules of the four packages that ``module`` imports or names, by their longest known prefix."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, path, node)
            for alias in node.names:  # ``from package import module`` depends on the module, not the package
                names.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _MODULE_STRING.match(node.value):
            if node.value.split(":")[0] in known:  # a string that names a module exactly, as importlib would
                names.add(node.value.split(":")[0])
    found = set()
    for name in names:
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            candidate = ".".join(parts[:end])
            if candidate in known:
                found.add(candidate)
                break
    return found - {module}


def _docstring_names(path: Path) -> set[str]:
    """The modules of the four packages that the docstrings of ``path`` name (as written: dotted or a path)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, _DOCUMENTED) and (doc := ast.get_docstring(node)):
            names.update(match.group(0) for match in _MODULE_IN_TEXT.finditer(doc))
    return names


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {module: _references(module, path, known) for module, path in modules.items()}


GRAPH = _graph()


def _layer(module: str) -> int:
    return LAYERS.index(module.split(".")[0])


def test_the_walk_sees_every_package_and_their_imports() -> None:
    assert {module.split(".")[0] for module in GRAPH} == set(LAYERS)
    assert "sgnas.spaces.unified.architecture" in GRAPH["sgnas.spaces.unified.cost"]
    assert "sgnas.search.strategy" in GRAPH["baselines.evolution"]
    assert "replication.results" in GRAPH["reports.pages"]


def test_no_module_imports_against_the_direction() -> None:
    wrong = sorted(f"{module} -> {target}" for module, targets in GRAPH.items() for target in targets
                   if _layer(target) > _layer(module))
    assert not wrong, "imports against sgnas < baselines < replication < reports:\n" + "\n".join(wrong)


def test_no_docstring_names_a_module_downstream() -> None:
    wrong = sorted(f"{module}: {name}" for module, path in _modules().items() for name in _docstring_names(path)
                   if _layer(name.replace("/", ".")) > _layer(module))
    assert not wrong, "docstrings naming modules against sgnas < baselines < replication < reports:\n" + "\n".join(wrong)


#: the stages written once for every space (and the vocabulary they share): none may import a space package
SPACE_FREE = ("sgnas.registry", "sgnas.spaces.cost", "sgnas.spaces.protocol", "sgnas.data", "sgnas.supernet",
              "sgnas.search", "sgnas.training.checkpoint", "sgnas.training.distributed", "sgnas.training.divergence",
              "sgnas.training.schedules", "sgnas.training.supernet", "sgnas.training.grid_samplers")
_SPACE_PACKAGES = tuple(f"sgnas.spaces.{path.name}" for path in (ROOT / "sgnas" / "spaces").iterdir()
                        if (path / "__init__.py").exists())


def _within(module: str, packages: tuple[str, ...] | str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in ((packages,) if isinstance(packages, str) else packages))


def test_the_infrastructure_imports_nothing_of_the_pipeline() -> None:
    # the bare package name "sgnas" is only ever a string here (a cache folder's name), not an import
    wrong = sorted(f"{module} -> {target}" for module, targets in GRAPH.items() if _within(module, "sgnas._infra")
                   for target in targets if target != "sgnas" and not _within(target, "sgnas._infra"))
    assert not wrong, "sgnas._infra must stay below every stage:\n" + "\n".join(wrong)


def test_the_stages_written_once_import_no_space() -> None:
    assert {"sgnas.spaces.unified", "sgnas.spaces.nasbench201"} <= set(_SPACE_PACKAGES)
    wrong = sorted(f"{module} -> {target}" for module, targets in GRAPH.items() if _within(module, SPACE_FREE)
                   for target in targets if _within(target, _SPACE_PACKAGES))
    assert not wrong, "a stage written once for every space imports a space:\n" + "\n".join(wrong)


def test_only_the_command_line_imports_the_command_line() -> None:
    wrong = sorted(f"{module} -> {target}" for module, targets in GRAPH.items()
                   if module.startswith("sgnas") and not _within(module, "sgnas.cli")
                   for target in targets if _within(target, "sgnas.cli"))
    assert not wrong, "\n".join(wrong)


def _cycle() -> list[str] | None:
    """One import cycle of the module graph, or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(GRAPH):
        if state.get(start):
            continue
        path, stack = [start], [iter(sorted(GRAPH[start]))]
        state[start] = 1
        while stack:
            target = next(stack[-1], None)
            if target is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(target) == 1:
                return path[path.index(target):] + [target]
            elif not state.get(target):
                state[target] = 1
                path.append(target)
                stack.append(iter(sorted(GRAPH.get(target, ()))))
    return None


def test_no_import_cycle() -> None:
    cycle = _cycle()
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize(("source", "expected"), [
    ('import baselines.evolution\n', {"baselines.evolution"}),
    ('PATH = "baselines.proxyless:ProxylessSampler"\n', {"baselines.proxyless"}),
    ('from replication import plans\n', {"replication.plans"}),
])
def test_the_walk_catches_imports_and_module_strings(tmp_path: Path, source: str, expected: set[str]) -> None:
    path = tmp_path / "probe.py"
    path.write_text(source)
    assert _references("sgnas.probe", path, set(GRAPH)) == expected


def test_the_walk_reads_module_names_in_docstrings(tmp_path: Path) -> None:
    path = tmp_path / "probe.py"
    path.write_text('"""Read by ``replication.cost_for_n``, run by replication/replicate_table.py."""\n\n\n'
                    'def f():\n    """Not sgnas-replication nor my.replication.x; but :mod:`baselines.evolution`."""\n')
    assert _docstring_names(path) == {"replication.cost_for_n", "replication/replicate_table.py", "baselines.evolution"}
