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
first time any registry is asked for its entries, the library's distribution's
first (:mod:`sgnas.extensions`, then ``baselines``), then the others in the
order they are found; this module imports nothing of the library but its error
type, so nothing upstream names (by import or by string) what builds on it.

A plugin cannot take the library down with it. One whose import raises (a
missing dependency, an error at import, a syntax error, ``sys.exit()``) is reported as one
``sgnas: warning:`` line naming the entry point, its distribution, the
exception type and message, and skipped: what it registered is forgotten, and
choosing one of its names is the usual "unknown"/"must be one of" error. A name
registered twice is one warning line naming both providers; the first
registration is kept, so the library's own entry wins over a plugin's (and a
plugin's over a later plugin's). Only an error of the library's own modules
(``sgnas``) propagates: that is a bug, not a bad plugin.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Iterator
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Generic, TypeVar

from sgnas._infra.errors import SgnasError

__all__ = [
    "PLUGIN_GROUP", "PRESETS", "Registry", "SAMPLERS", "SPACES", "STRATEGIES", "UNIFIED", "family_of", "load_plugins",
    "warn",
]

#: the entry-point group whose entries are modules that register extensions when imported
PLUGIN_GROUP = "sgnas.plugins"

#: the family of extensions that name none: SGNAS's unified macro spaces (``imagenet``, ``cifar``) and
#: what serves them; a space of another family (``nas-bench-201``) and its samplers set ``family``
UNIFIED = "unified"

T = TypeVar("T")

#: every registry, so that a plugin that fails to import can be forgotten by all of them
_REGISTRIES: list[Registry[Any]] = []

_plugins_loaded = False
#: the plugin being imported (as :func:`_describe` names it), so that what it registers twice names it
_loading: str | None = None
#: the warnings given so far (each is given once per process)
_warned: set[str] = set()


def warn(message: str) -> None:
    """One ``sgnas: warning: ...`` line on stderr, once per process: a skipped plugin or a name it cannot have."""
    if message not in _warned:
        _warned.add(message)
        print(f"sgnas: warning: {message}", file=sys.stderr, flush=True)


def _describe(entry: EntryPoint) -> str:
    """``plugin 'name' (distribution version, module m)``: where a plugin comes from, for its warnings."""
    provided = f"{entry.dist.name} {entry.dist.version}, " if entry.dist is not None else ""
    return f"plugin {entry.name!r} ({provided}module {entry.module})"


def _library_first(entries: Iterable[EntryPoint]) -> list[EntryPoint]:
    """The library's extensions, then the rest of its distribution (``baselines``), then the other plugins."""
    entries = list(entries)
    own = {entry.dist.name for entry in entries if entry.dist is not None and _is_library_module(entry.module)}
    return sorted(entries, key=lambda entry: (entry.dist is None or entry.dist.name not in own,
                                              not _is_library_module(entry.module)))


def load_plugins() -> None:
    """Import every module of the ``sgnas.plugins`` entry-point group (once per process); skip a broken one."""
    global _plugins_loaded, _loading
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for entry in _library_first(entry_points(group=PLUGIN_GROUP)):
        before = [(registry, set(registry._entries)) for registry in _REGISTRIES]
        _loading = _describe(entry)
        try:
            importlib.import_module(entry.module)
        except (Exception, SystemExit) as err:  # sys.exit() at import would end every command; Ctrl-C still stops
            if _is_library_module(entry.module):
                raise
            package = entry.module.split(".")[0]
            for registry, names in before:
                registry._forget(set(registry._entries) - names, package)
            message = str(err).strip().splitlines()[0] if str(err).strip() else "(no message)"
            warn(f"{_loading} is skipped: {type(err).__name__}: {message}")
        finally:
            _loading = None


class Registry(Generic[T]):
    """Names -> extensions of one kind, in registration order (the library's first, then plugins')."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}
        #: name -> who registered it (a plugin as :func:`_describe` names it, else the object's module)
        self._providers: dict[str, str] = {}
        _REGISTRIES.append(self)

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator: declare ``name`` for the decorated class or function (a class also gets it as ``name``)."""
        def decorate(obj: T) -> T:
            self.add(name, obj)
            return obj

        return decorate

    def add(self, name: str, obj: T) -> None:
        """Declare ``name`` for ``obj`` (re-imports are harmless).

        A name another object holds stays with it (unless the newcomer is the
        library's own), the other is ignored with one warning naming both
        providers; within the library itself that is a bug, an error.
        """
        if not name or name != name.strip():
            raise ValueError(f"{self.kind} name {name!r} must be a non-empty word")
        module = getattr(obj, "__module__", "?")
        provider = f"the library ({module})" if _is_library(obj) else _loading or f"module {module}"
        known = self._entries.get(name)
        if known is not None and _qualified(known) != _qualified(obj):
            if _is_library(known) and _is_library(obj):
                raise SgnasError(f"{self.kind} {name!r} is registered twice: {_qualified(known)} and {_qualified(obj)}")
            kept, ignored = (self._providers[name], known), (provider, obj)
            if _is_library(obj):
                kept, ignored = ignored, kept
            warn(f"{self.kind} {name!r} is registered twice: by {kept[0]} as {_qualified(kept[1])}, kept, "
                 f"and by {ignored[0]} as {_qualified(ignored[1])}, ignored")
            if kept[1] is known:
                return
        if isinstance(obj, type):
            obj.name = name  # type: ignore[attr-defined]
        self._entries[name] = obj
        self._providers[name] = provider

    def _forget(self, names: Iterable[str], package: str) -> None:
        """Drop the entries ``names`` that objects of ``package`` hold (what a plugin that failed registered)."""
        for name in names:
            if _top_package(self._entries[name]) == package:
                del self._entries[name], self._providers[name]

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


def _top_package(obj: Any) -> str:
    return (getattr(obj, "__module__", None) or type(obj).__module__).split(".")[0]


def _is_library_module(module: str) -> bool:
    return module.split(".")[0] == __name__.split(".")[0]


def _is_library(obj: Any) -> bool:
    return _is_library_module(_top_package(obj))


def _qualified(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', type(obj).__qualname__)}"


#: search spaces: name -> entry of the :class:`sgnas.spaces.protocol.SpaceEntry` protocol (unified ones are
#: also factories ``(resolution, width, num_classes) -> SearchSpace``)
SPACES: Registry[Callable[..., Any]] = Registry("search space")
#: supernet-training path samplers: name -> :class:`sgnas.training.samplers.PathSampler` subclass
SAMPLERS: Registry[type] = Registry("sampler")
#: search strategies: name -> :class:`sgnas.search.strategy.SearchStrategy` subclass
STRATEGIES: Registry[type] = Registry("strategy")
#: configuration presets: name -> function returning a complete :class:`sgnas.config.schema.Config`
PRESETS: Registry[Callable[[], Any]] = Registry("preset")


class _Choices:
    """A registry's names, looked up only when a choice is checked or listed."""

    def __init__(self, registry: Registry[Any], family: str | None) -> None:
        self.registry, self.family = registry, family

    def __contains__(self, name: object) -> bool:
        return name in self.registry.names(self.family)

    def __iter__(self) -> Iterator[str]:
        return iter(self.registry.names(self.family))
