"""One registry per extension point: search spaces, path samplers, search strategies and presets.

A name is declared once, beside the thing it names::

    @SAMPLERS.register("strict-fair")
    class StrictFairSampler(PathSampler): ...

and everything that offers a choice (config validation, the CLI's ``choices``,
the harness, the ablation variants) asks the registry. The modules that
register are *plugins*: modules named under the ``sgnas.plugins`` entry-point
group of their distribution, found the way pytest finds ``pytest11`` plugins.
The library's own extensions are one of them (:mod:`sgnas.extensions`), the
project's ``baselines`` package another, and a third-party package adds its
own the same way::

    [project.entry-points."sgnas.plugins"]
    my-nas = "my_nas.strategies"

Importing the module runs its ``register`` decorators. Plugins are imported the
first time any registry is asked for its entries; this module imports nothing
of the library but its error type, so nothing upstream names (by import or by
string) what builds on it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

from sgnas.errors import SgnasError

__all__ = [
    "PLUGIN_GROUP", "PRESETS", "Registry", "SAMPLERS", "SPACES", "STRATEGIES", "UNIFIED", "family_of", "load_plugins",
]

#: the entry-point group whose entries are modules that register extensions when imported
PLUGIN_GROUP = "sgnas.plugins"

#: the family of extensions that name none: SGNAS's unified macro spaces (``imagenet``, ``cifar``) and
#: what serves them; a space of another family (``nas-bench-201``) and its samplers set ``family``
UNIFIED = "unified"

T = TypeVar("T")

_plugins_loaded = False


def load_plugins() -> None:
    """Import every module of the ``sgnas.plugins`` entry-point group (once per process)."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for entry in entry_points(group=PLUGIN_GROUP):
        try:
            importlib.import_module(entry.value)
        except ImportError as err:
            _plugins_loaded = False
            raise SgnasError(f"plugin {entry.name!r} ({entry.value}) is not available: module {err.name} is missing"
                             if isinstance(err, ModuleNotFoundError) else
                             f"plugin {entry.name!r} ({entry.value}) cannot be imported: {err}") from None


class Registry(Generic[T]):
    """Names -> extensions of one kind, in registration order (the library's first, then plugins')."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator: declare ``name`` for the decorated class or function (a class also gets it as ``name``)."""
        def decorate(obj: T) -> T:
            self.add(name, obj)
            return obj

        return decorate

    def add(self, name: str, obj: T) -> None:
        """Declare ``name`` for ``obj``; a name taken by another object is an error (re-imports are harmless)."""
        if not name or name != name.strip():
            raise ValueError(f"{self.kind} name {name!r} must be a non-empty word")
        known = self._entries.get(name)
        if known is not None and _qualified(known) != _qualified(obj):
            raise SgnasError(f"{self.kind} {name!r} is registered twice: {_qualified(known)} and {_qualified(obj)}")
        if isinstance(obj, type):
            obj.name = name  # type: ignore[attr-defined]
        self._entries[name] = obj

    def _load(self) -> None:
        load_plugins()
        # the library's entries first whatever was imported first; plugins keep their registration order
        # (importing any module of a package runs the package's __init__, which fixes its order)
        self._entries = dict(sorted(self._entries.items(), key=lambda item: not _is_library(item[1])))

    def names(self, family: str | None = None) -> tuple[str, ...]:
        """Every registered name, the library's first; with ``family``, only the entries of that space family."""
        self._load()
        return tuple(name for name, obj in self._entries.items() if family is None or family_of(obj) == family)

    def choices(self, family: str | None = None) -> _Choices:
        """The names of :meth:`names` as a container read only when used (argparse ``choices``: plugins load late)."""
        return _Choices(self, family)

    def get(self, name: str) -> T:
        """The extension called ``name``; an unknown name is a one-line error listing the known ones."""
        self._load()
        if name not in self._entries:
            raise SgnasError(f"unknown {self.kind} {name!r}: not available (registered: {', '.join(self._entries)})")
        return self._entries[name]

    def __contains__(self, name: object) -> bool:
        self._load()
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def items(self) -> list[tuple[str, T]]:
        self._load()
        return list(self._entries.items())


def family_of(obj: Any) -> str:
    """The space family an extension serves: its ``family`` attribute, else :data:`UNIFIED`."""
    return str(getattr(obj, "family", UNIFIED))


def _is_library(obj: Any) -> bool:
    module = getattr(obj, "__module__", None) or type(obj).__module__
    return module.split(".")[0] == __name__.split(".")[0]


def _qualified(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', type(obj).__qualname__)}"


#: search spaces: name -> entry of the :class:`sgnas.spaces.protocol.SpaceEntry` protocol (unified ones are
#: also factories ``(resolution, width, num_classes) -> SearchSpace``)
SPACES: Registry[Callable[..., Any]] = Registry("search space")
#: supernet-training path samplers: name -> :class:`sgnas.samplers.PathSampler` subclass
SAMPLERS: Registry[type] = Registry("sampler")
#: search strategies: name -> :class:`sgnas.strategy.SearchStrategy` subclass
STRATEGIES: Registry[type] = Registry("strategy")
#: configuration presets: name -> function returning a complete :class:`sgnas.config.Config`
PRESETS: Registry[Callable[[], Any]] = Registry("preset")


class _Choices:
    """A registry's names, looked up only when a choice is checked or listed."""

    def __init__(self, registry: Registry[Any], family: str | None) -> None:
        self.registry, self.family = registry, family

    def __contains__(self, name: object) -> bool:
        return name in self.registry.names(self.family)

    def __iter__(self) -> Iterator[str]:
        return iter(self.registry.names(self.family))
