"""Run directories: one per (step, resolved config, seed), written atomically and reused when finished.

Layout (NASLib-style, but keyed by a hash instead of hand-formatted paths)::

    <root>/<kind>/<config-hash>-s<seed>/
        config.json       resolved config (everything that defines the run)
        environment.json  the call that created the run: package versions, CPU/GPU, threads, git commit, command
        reuses.jsonl      one line per later call that opened the run (resumed, reused or rebuilt it), never
                          overwriting environment.json
        metrics.jsonl     one strict-JSON object per logged event (non-finite numbers are written as null)
        results.json      final results; a readable one (a JSON object with the keys its kind declares) marks
                          the run finished
        checkpoint.pt     latest complete checkpoint (training steps only)
        .lock             held by the process using the run (:mod:`sgnas._infra.locking`)

Every file is written to a temporary name (``.NAME.PID.XXXXXXXX.tmp``) and
renamed to the mode a plain ``open()`` gives (``0666`` less the umask), so a
killed run leaves the last complete version of each file intact; temporary
files of writers that are no longer alive are removed when the run is opened.

Each kind of run declares, beside the code that writes its results, a
:class:`RunKind`: the keys its ``results.json`` must hold with what each value
must be (:class:`ResultValue`: a non-negative integer, a finite number in a
range, a string...), the files of its own that the results name with a check of
what each must hold, the keys that name files of other runs, and whether its
runs log ``metrics.jsonl``. Paths in ``results.json`` are stored relative to the
run folder (a file of the run is its bare name), so a runs folder can move;
:attr:`RunDir.results` gives them back as absolute paths.

When a run finishes, ``results.json`` also records under ``sha256`` the SHA-256
of each file of its own that its results name and of its final
``checkpoint.pt`` (file name -> hex digest), so that a file copied in from
another run, which loads and passes its kind's check, is still told apart.
They guard against accidents (a file copied or restored from elsewhere, a
disk that returns other bytes), not against tampering: whoever can write a
run's files can write its ``results.json`` too.
Runs finished before this was recorded (no ``sha256`` key) are checked as
before: their files must load and pass their kind's checks, and their
``checkpoint.pt``, where there is one, must load. :attr:`RunDir.results` leaves
the key out (it is the folder's bookkeeping, not a result).

Opening a run (:meth:`RunDir.open`) takes its lock (a second process waits,
told who holds it) and checks what is there:

* ``config.json`` must be this run's: its kind and the hash of its config and
  seed are the folder's (``<kind>/<hash>-s<seed>``); another run's config is a
  one-line error, as the rest of the folder may be that run's too;
* a missing ``config.json`` beside other files of the run is written again
  (with a one-line note naming it): the folder's name is the hash of the config
  and seed that open it, so they are the run's;
* a folder where a file of the run belongs (``results.json/``, ``supernet.pt/``) is a one-line error before
  anything changes (``rebuild`` empties the run, folders too);
* JSON files are read strictly (:mod:`sgnas._infra.jsonfiles`: no NaN, no infinity, no ``1e400``);
* a ``results.json`` that is unreadable (truncated, empty, not strict JSON, not an object) or
  lacks a key its kind declares makes the run unfinished again, with a
  one-line note;
* a finished run is reused only if every value its kind declares is what it
  must be (else a one-line error naming the key and the value), its
  ``metrics.jsonl`` is there (for a kind that logs) with every line a
  strict-JSON object, every file of its own that its results name is present,
  loads, holds what its kind says (e.g. ``supernet.pt`` is the exported
  supernet of the run's space, not a training checkpoint) and matches its
  fingerprint, and its ``checkpoint.pt`` (if it has one, or its results
  fingerprint one) matches its fingerprint, or loads. A damaged file beside a final
  ``checkpoint.pt`` that is sound is rebuilt from that checkpoint, which on the
  CPU reproduces it exactly; anything else is a one-line error naming the file
  (``--rebuild`` or deleting the run folder recovers; a damaged
  ``metrics.jsonl`` cannot be rebuilt exactly, as its records hold the wall
  times of their sessions);
* an unfinished run resumes from its checkpoint (which must load), and
  ``metrics.jsonl`` is cut back to what that checkpoint had logged, so records
  between the checkpoint and a kill are not logged twice;
* with ``rebuild``, a run whose files do not load is emptied and run again.
"""

from __future__ import annotations

import copy
import errno
import hashlib
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from sgnas._infra import locking
from sgnas._infra.errors import SgnasError
from sgnas._infra.jsonfiles import NotJson, UnreadableJson, read_json, regular_file_problem, strict_json
from sgnas._infra.jsonfiles import loads as strict_loads

__all__ = [
    "COUNT",
    "FINGERPRINTS",
    "LIST",
    "OBJECT",
    "TEXT",
    "ResultValue",
    "RunDir",
    "RunKind",
    "atomic_write_bytes",
    "check_output_folder",
    "atomic_write_json",
    "atomic_write_text",
    "config_hash",
    "declare_run_kind",
    "environment",
    "file_mode",
    "nullable",
    "number",
    "output_folder",
    "read_jsonl",
    "remove_stale_temps",
    "strict_json",
    "strict_jsonl_problem",
]

_PACKAGES = ("torch", "torchvision", "timm", "numpy", "pandas", "scipy", "hypothesis", "sgnas-replication")


def _umask() -> int:
    """This process's umask, read without changing it where Linux tells it (``os.umask`` sets it to read it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode a new file gets from a plain ``open()``: ``0666`` less the umask.

    ``tempfile.mkstemp`` creates files at ``0600``; a file renamed into place
    from one is given this mode first, so atomic writes do not make result
    files private to their writer.
    """
    return 0o666 & ~_umask()


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and rename (never a half-written file), at :func:`file_mode`."""
    path = Path(path)
    if path.is_dir():
        raise SgnasError(f"cannot write {path}: it is a folder, not a file; move or delete it")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    try:
        os.fchmod(fd, file_mode())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode())


def atomic_write_json(path: str | Path, data: Any) -> None:
    """``data`` as standard JSON (:func:`~sgnas._infra.jsonfiles.strict_json`: NaN and infinity become null), atomically."""
    atomic_write_text(path, json.dumps(strict_json(data), indent=2, sort_keys=True, default=str, allow_nan=False)
                      + "\n")


def check_output_folder(folder: str | Path, what: str) -> None:
    """A one-line error where ``folder`` could not be made and written to (under a regular file, in a folder
    without write permission), found without making anything: what a folder that is made later is checked by."""
    folder = Path(folder)
    above = next((parent for parent in (folder, *folder.parents) if parent.exists()), None)
    if above is None:
        return
    if not above.is_dir():
        raise SgnasError(f"cannot write {what} into {folder}: {above} is a file, not a folder")
    if not os.access(above, os.W_OK | os.X_OK):
        raise SgnasError(f"cannot write {what} into {folder}: {os.strerror(errno.EACCES)}")


def output_folder(folder: str | Path, what: str) -> Path:
    """``folder``, created with its parents, to write ``what`` into; a one-line error where it cannot be.

    Called before any work (the results of the main job and the harness, the report), so that a folder under a
    regular file, under ``/proc`` or without write permission stops the command at once, in one line naming it.
    """
    folder = Path(folder)
    check_output_folder(folder, what)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    except OSError as err:
        raise SgnasError(f"cannot write {what} into {folder}: {err.strerror or err}") from None
    return folder


#: a temporary file of :func:`atomic_write_bytes` (``.NAME.PID.RANDOM.tmp``; older writers left out the pid)
_TEMP = re.compile(r"^\..+?(?:\.(?P<pid>\d+))?\.[A-Za-z0-9_]+\.tmp$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale_temps(folder: str | Path) -> list[Path]:
    """Remove the temporary files in ``folder`` whose writer is gone (pid not alive, or none recorded); them."""
    removed = []
    for path in Path(folder).glob(".*.tmp"):
        match = _TEMP.match(path.name)
        if match is None or not path.is_file():
            continue
        pid = match.group("pid")
        if pid is None or not _alive(int(pid)):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def config_hash(config: Any) -> str:
    """A short stable hash of a JSON-able config (key order does not matter)."""
    blob = json.dumps(config, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
            cwd=Path(__file__).resolve().parent,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def environment() -> dict[str, Any]:
    """What produced a result: package versions, interpreter, CPU/GPU, threads, git commit."""
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    env: dict[str, Any] = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "packages": versions,
        "git_commit": _git_commit(),
    }
    try:
        import torch

        env["torch_threads"] = torch.get_num_threads()
        env["cuda"] = torch.cuda.is_available()
        if env["cuda"]:
            env["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    except ImportError:  # pragma: no cover - torch is a dependency
        pass
    return env


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """All complete records of a JSON-lines file (a torn last line from a crash is ignored)."""
    records: list[dict[str, Any]] = []
    path = Path(path)
    problem = regular_file_problem(path)
    if problem == "missing":
        return records
    try:
        if problem is not None:
            raise OSError(problem)
        data = path.read_bytes()
    except OSError as err:
        raise SgnasError(f"cannot read the records of {path}: it is {err.strerror or err}") from None
    for line in data.splitlines():
        try:
            record = strict_loads(line)
        except NotJson:  # a torn or damaged line (not UTF-8, not strict JSON): not a record
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def strict_jsonl_problem(data: bytes) -> str | None:
    """Why ``data`` is not JSON lines of strict-JSON objects, each ended by a newline; None when it is.

    The phrase reads after "metrics.jsonl is": ``not strict JSON at line 3 (...)``.
    """
    lines = data.split(b"\n")
    if lines[-1]:
        return f"cut off in line {len(lines)} (it has no newline at its end)"
    for number, line in enumerate(lines[:-1], 1):
        try:
            record = strict_loads(line)
        except NotJson as err:
            return str(err).replace("JSON", f"JSON at line {number}", 1) if "JSON" in str(err) else \
                f"{err} (line {number})"
        if not isinstance(record, dict):
            return f"not a JSON object at line {number}"
    return None


def _load(path: Path) -> tuple[Any, str | None]:
    """(contents, None) of a ``.pt`` or ``.json`` file, or (None, why it does not load)."""
    problem = regular_file_problem(path)
    if problem is not None:
        return None, problem
    if path.suffix == ".json":
        try:
            return read_json(path), None
        except NotJson as err:
            return None, str(err)
    try:
        import torch

        return torch.load(path, map_location="cpu", weights_only=True), None
    except Exception as err:  # torch raises many types for truncated or foreign files
        text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return None, f"corrupt ({text[:100]})"


def _note(message: str) -> None:
    print(f"sgnas: note: {message}", file=sys.stderr, flush=True)


#: a check of one file of a run: (the file, what it loaded as, the run); raises SgnasError saying what is wrong
FileCheck = Callable[[Path, Any, "RunDir"], None]

#: the key of results.json under which a finished run records the SHA-256 of its files (file name -> hex digest)
FINGERPRINTS = "sha256"


@dataclass(frozen=True)
class ResultValue:
    """What the value of one result key must be: ``wording`` says it (it reads after "not"), ``ok`` checks it.

    ``explain``, for a nested value, says what inside it is wrong, as ``.PATH is VALUE, not WHAT`` (it reads
    after the key), or None when it is right; ``ok`` is then its None.
    """

    wording: str
    ok: Callable[[Any], bool]
    explain: Callable[[Any], str | None] | None = None

    @classmethod
    def nested(cls, wording: str, explain: Callable[[Any], str | None]) -> ResultValue:
        """A value checked by ``explain`` (see the class), named ``wording`` where a reader asks for it whole."""
        return cls(wording, lambda v: explain(v) is None, explain)

    def problem(self, key: str, value: Any) -> str | None:
        """``KEY is VALUE, not WHAT`` (or ``KEY.PATH is ...`` for a nested value) where ``value`` is wrong."""
        if self.explain is not None:
            detail = self.explain(value)
            return None if detail is None else f"{key}{detail}"
        return None if self.ok(value) else f"{key} is {json.dumps(value)[:60]}, not {self.wording}"


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def number(low: float | None = None, high: float | None = None) -> ResultValue:
    """A finite number (an int or a float, not a bool), at least ``low`` and at most ``high`` where given."""
    wording = "a finite number" + (f" from {low:g}" if low is not None else "") + (
        f" {'to' if low is not None else 'up to'} {high:g}" if high is not None else "")
    return ResultValue(wording, lambda v: _finite(v) and (low is None or v >= low) and (high is None or v <= high))


#: a count (steps, epochs, forward passes): an int, not a bool, at least 0
COUNT = ResultValue("a non-negative integer", lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0)
TEXT = ResultValue("a string", lambda v: isinstance(v, str))
LIST = ResultValue("a list", lambda v: isinstance(v, list))
OBJECT = ResultValue("a JSON object", lambda v: isinstance(v, dict))


def nullable(value: ResultValue) -> ResultValue:
    """``value``, or null (a result a run may not have, such as a loss before the first step)."""
    explain = value.explain
    return ResultValue(f"null or {value.wording}", lambda v: v is None or value.ok(v),
                       None if explain is None else (lambda v: None if v is None else explain(v)))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class RunKind:
    """What a finished run of one kind holds; declared once (:func:`declare_run_kind`) beside the code that
    writes such runs' results.

    ``required``: the keys of its ``results.json`` that readers of such runs use, each with what its value must
    be (a plain tuple of keys lets any value be);
    ``optional``: keys that runs written by earlier versions may lack, each with what its value must be where it
    is there (a reader of one copes with its absence);
    ``files``: result key -> check of the file of the run that key names, run once the file loads;
    ``links``: result keys that name files of other runs (the run it builds on);
    ``logs``: whether its runs log ``metrics.jsonl`` (a finished one without it is damaged).
    The keys of ``files`` and ``links`` are required too, and hold paths (see the module's docstring).
    """

    name: str
    required: tuple[str, ...] | Mapping[str, ResultValue] = ()
    optional: Mapping[str, ResultValue] = field(default_factory=dict)
    files: Mapping[str, FileCheck] = field(default_factory=dict)
    links: tuple[str, ...] = ()
    logs: bool = False

    def value_problem(self, results: Mapping[str, Any]) -> str | None:
        """The first required or optional value of ``results`` that is not what it must be, as "KEY is VALUE, not
        WHAT"; or None."""
        required = self.required.items() if isinstance(self.required, Mapping) else ()
        for key, value in (*required, *self.optional.items()):
            problem = value.problem(key, results[key]) if key in results else None
            if problem is not None:
                return problem
        return None

    @property
    def keys(self) -> tuple[str, ...]:
        """Every key a finished run's results must hold."""
        return tuple(dict.fromkeys((*self.required, *self.files, *self.links)))


#: files of a run whose presence says the folder held a run before (a missing config.json is then written again)
_RUN_FILES = ("environment.json", "results.json", "metrics.jsonl", "checkpoint.pt")

#: every file of a run's own bookkeeping (beside the files its kind's results name)
_OWN_FILES = ("config.json", *_RUN_FILES, "reuses.jsonl")

#: kind name (the folder its runs live in) -> its declaration
_KINDS: dict[str, RunKind] = {}


def declare_run_kind(kind: RunKind) -> RunKind:
    """Declare what runs of ``kind.name`` hold (a re-import replaces the declaration); ``kind``."""
    _KINDS[kind.name] = kind
    return kind


@dataclass(frozen=True)
class RunDir:
    """The directory of one run; created by :meth:`open`, finished by :meth:`finish`."""

    path: Path
    #: config.json and results.json as parsed, per version of the file (see :meth:`_json`)
    _parsed: dict[tuple[str, int, int, int], Any] = field(default_factory=dict, compare=False, repr=False)

    def _json(self, name: str) -> Any:
        """The run's JSON file ``name`` (strict, :func:`read_json`), parsed once per version of it and returned as a
        copy. Run files are only ever replaced whole (a new inode), so (inode, mtime, size) names a version."""
        path = self.path / name
        try:
            stat = path.stat()
        except OSError:
            return read_json(path)  # the reader's own one-line account of a missing or unreadable file
        key = (name, stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if key not in self._parsed:
            self._parsed[key] = read_json(path)
        return copy.deepcopy(self._parsed[key])

    @classmethod
    def open(cls, root: str | Path, kind: str, config: dict[str, Any], seed: int, rebuild: bool = False) -> RunDir:
        """The run directory for this config and seed, locked, checked, and created (config, environment) if new.

        Waits while another process holds the run. The lock is let go by
        :meth:`finish`, at once when the run is found finished, or when the
        process ends.
        """
        path = Path(root) / kind / f"{config_hash(config)}-s{seed}"
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise SgnasError(f"cannot create run directory {path}: {err.strerror}") from None
        run = cls(path)
        locking.acquire(path)
        emptied = run._clear_non_files(rebuild)
        remove_stale_temps(path)
        new = not (path / "environment.json").exists()
        if not (path / "config.json").exists() and any((path / name).exists() for name in _RUN_FILES):
            _note(f"run {path}: config.json is missing; written again from this call's config and seed (the folder "
                  "is named by their hash)")
            atomic_write_json(path / "config.json", {"kind": kind, "seed": seed, "config": config})
        role = "rebuilt" if emptied else run._check(rebuild)
        if not (path / "config.json").exists():
            atomic_write_json(path / "config.json", {"kind": kind, "seed": seed, "config": config})
        call = {**environment(), "command": " ".join([sys.executable, *sys.argv]), "pid": os.getpid(),
                "host": platform.node(), "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        if new or role == "rebuilt":
            atomic_write_json(path / "environment.json", call)
        else:
            with open(path / "reuses.jsonl", "a") as handle:
                handle.write(json.dumps(strict_json({"role": role, **call}), default=str) + "\n")
        if role == "reused":
            locking.release(path)
        return run

    def _check(self, rebuild: bool) -> str:
        """Verify what the run holds (see the module's docstring); ``reused``, ``resumed`` or ``rebuilt``."""
        config_problem = self._config_problem()
        if config_problem is not None:
            return self._refuse(self.path / "config.json", config_problem, rebuild)
        results = self.path / "results.json"
        if results.exists():
            try:
                stored = self._json("results.json")
                problem = self._results_problem(stored if isinstance(stored, dict) else None)
            except UnreadableJson as err:  # its bytes may be sound: never deleted for that
                return self._refuse(results, str(err), rebuild)
            except NotJson as err:
                problem = f"is {err}"
            if problem is not None:
                _note(f"run {self.path}: results.json {problem}; the run is resumed")
                results.unlink()
        metrics = self.path / "metrics.jsonl"
        if self.finished:
            for target, problem in self._finished_problems():
                return self._refuse(target, problem, rebuild)
            damaged, checkpoint_problem = self._damaged_files(), self._checkpoint_problem()
            if not damaged:
                if checkpoint_problem is not None:
                    return self._refuse(self.checkpoint_path, checkpoint_problem, rebuild)
                return "reused"
            target, problem = damaged[0]
            checkpoint, unreadable = _load(self.checkpoint_path)
            if checkpoint_problem is None and unreadable is None:
                _note(f"run {self.path}: {target.name} is {problem}; rebuilding it from the run's final checkpoint.pt")
                results.unlink()
                self._cut_metrics(checkpoint)
                return "resumed"
            return self._refuse(target, problem, rebuild)
        if not self.checkpoint_path.exists():
            self._cut_metrics(None)  # no checkpoint: the run starts again from nothing
            return "resumed"
        checkpoint, problem = _load(self.checkpoint_path)
        if problem is not None:
            return self._refuse(self.checkpoint_path, problem, rebuild)
        self._cut_metrics(checkpoint)
        metrics_problem = self._metrics_problem()
        if metrics_problem is not None:
            return self._refuse(metrics, metrics_problem, rebuild)
        return "resumed"

    def _clear_non_files(self, rebuild: bool) -> bool:
        """Whether the run was emptied (``rebuild``) for something other than a regular file where one of its
        files belongs (a folder, a FIFO, a device: reading one fails or waits for ever); without ``rebuild`` that
        is the one-line error naming it, raised before anything in the run folder changes."""
        declaration = _KINDS.get(self.path.parent.name)
        names = (*_OWN_FILES, *(f"{key}.pt" for key in (declaration.files if declaration is not None else ())))
        for name in names:
            entry = self.path / name
            if entry.exists() or entry.is_symlink():
                problem = regular_file_problem(entry)
                if problem is not None:
                    self._refuse(entry, problem, rebuild)
                    return True
        return False

    def _refuse(self, target: Path, problem: str, rebuild: bool) -> str:
        """With ``rebuild`` empty the run (``rebuilt``); else the one-line error naming ``target`` and the way out."""
        if rebuild:
            return self._empty()
        raise SgnasError(f"run {self.path}: {target.name} is {problem}; rerun with --rebuild or delete the "
                         f"run folder {self.path}")

    def _empty(self) -> str:
        """Remove everything the run holds but its lock (``rebuild``)."""
        for entry in self.path.iterdir():
            if entry.name == locking.LOCK_NAME:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        _note(f"run {self.path}: emptied for --rebuild; the run starts again")
        return "rebuilt"

    def problems(self) -> list[tuple[Path, str]]:
        """(file, what is wrong with it) of this run's config.json, results.json, metrics.jsonl, the files of its
        own its results name and checkpoint.pt, in that order: what :meth:`open` would refuse or rebuild; empty
        when all is well."""
        config_problem = self._config_problem()
        found = [(self.path / "config.json", config_problem)] if config_problem is not None else []
        if self.finished:
            return found + self._finished_file_problems()
        metrics_problem = self._metrics_problem()
        if metrics_problem is not None:
            found.append((self.path / "metrics.jsonl", metrics_problem))
        return found + self._damaged_files()

    def verify(self) -> None:
        """Raise a one-line error naming the first damaged file of this finished run, if any (what :meth:`problems`
        finds but config.json's place: the run may be read where it was moved to): what a step that builds on the
        run without opening it checks first."""
        for target, problem in self._finished_file_problems():
            raise SgnasError(f"run {self.path}: {target.name} is {problem}; run its step again (with --rebuild if "
                             f"that stops) or delete the run folder {self.path}")

    def _finished_problems(self) -> list[tuple[Path, str]]:
        """(file, problem) of what a finished run holds beside its files, that cannot be rebuilt from its
        checkpoint: a value of results.json its kind declares, metrics.jsonl."""
        found = []
        results, declaration = self._read_results() or {}, self.declaration
        value_problem = declaration.value_problem(results) if declaration is not None else None
        fingerprints = results.get(FINGERPRINTS, {})
        if value_problem is None and not (isinstance(fingerprints, dict)
                                          and all(isinstance(v, str) for v in fingerprints.values())):
            value_problem = f"{FINGERPRINTS} is {json.dumps(fingerprints)[:60]}, not a JSON object of SHA-256 digests"
        if value_problem is not None:
            found.append((self.path / "results.json", f"damaged: {value_problem}"))
        metrics_problem = self._metrics_problem(required=declaration is not None and declaration.logs)
        if metrics_problem is not None:
            found.append((self.path / "metrics.jsonl", metrics_problem))
        return found

    def _finished_file_problems(self) -> list[tuple[Path, str]]:
        """(file, problem) of a finished run but its config.json: results values, metrics.jsonl, the files its
        results name, checkpoint.pt, in that order (the order :meth:`open` checks them in)."""
        checkpoint_problem = self._checkpoint_problem()
        return [*self._finished_problems(), *self._damaged_files(),
                *([(self.checkpoint_path, checkpoint_problem)] if checkpoint_problem is not None else [])]

    def _fingerprints(self) -> dict[str, str]:
        """File name -> the SHA-256 results.json records for it (empty for a run finished before they were)."""
        fingerprints = (self._read_results() or {}).get(FINGERPRINTS)
        return fingerprints if isinstance(fingerprints, dict) else {}

    def _fingerprint_problem(self, path: Path) -> str | None:
        """Why ``path`` is not the file its run finished with, by the SHA-256 its results record; None when it
        is, or when they record none for it."""
        expected = self._fingerprints().get(path.name)
        if expected is None:
            return None
        if not path.is_file():
            return "missing"
        try:
            if _sha256(path) == expected:
                return None
        except OSError as err:
            return f"unreadable ({err.strerror})"
        return "not the file its run wrote (its sha256 does not match the run that wrote it)"

    def _checkpoint_problem(self) -> str | None:
        """Why checkpoint.pt is not sound: not the one its results fingerprint, or (none recorded) not loading."""
        if self.checkpoint_path.name in self._fingerprints():
            return self._fingerprint_problem(self.checkpoint_path)
        return _load(self.checkpoint_path)[1] if self.checkpoint_path.exists() else None

    def _saved_config(self) -> Any:
        try:
            return self._json("config.json")
        except NotJson:
            return None

    def _config_problem(self) -> str | None:
        """Why config.json is not this run's, by the folder's name (``<kind>/<hash>-s<seed>``); None when it is
        or is not written yet."""
        if not (self.path / "config.json").exists():
            return None
        try:
            saved = self._json("config.json")
        except NotJson as err:
            return str(err)
        if not isinstance(saved, dict) or not isinstance(saved.get("config"), dict):
            return "not a run's config (a JSON object with its config)"
        kind = self.path.parent.name
        if saved.get("kind") != kind:
            return f"the config of a {saved.get('kind')!r} run, not of this {kind!r} run"
        name = f"{config_hash(saved['config'])}-s{saved.get('seed')}"
        if name != self.path.name:
            return f"not this run's config (its config and seed are those of run {name})"
        return None

    def _metrics_problem(self, required: bool = False) -> str | None:
        """Why metrics.jsonl is not strict JSON lines (:func:`strict_jsonl_problem`), or is ``missing`` when
        ``required``; None when it is, or is absent and not required."""
        metrics = self.path / "metrics.jsonl"
        problem = regular_file_problem(metrics)
        if problem == "missing":
            return "missing" if required else None
        if problem is not None:
            return problem
        try:
            return strict_jsonl_problem(metrics.read_bytes())
        except OSError as err:
            return f"unreadable ({err.strerror})"

    @property
    def declaration(self) -> RunKind | None:
        """What this run's kind (named by its config.json, else by its folder) declares its runs hold, if declared."""
        saved = self._saved_config()
        kind = saved.get("kind") if isinstance(saved, dict) else None
        return _KINDS.get(kind if isinstance(kind, str) else self.path.parent.name)

    def _damaged_files(self) -> list[tuple[Path, str]]:
        """(file, problem) of every file of this run its results name that is missing, does not load, fails its
        kind's check or does not match the SHA-256 its results record.

        Files of other runs (a generator names its supernet) are checked when their own run is opened; a file of
        this run is found by its name in the run folder, whatever folder the results give (older versions of this
        module stored it relative to the working directory or absolute).
        """
        declaration, results = self.declaration, self._read_results() or {}
        damaged = []
        for key, check in (declaration.files.items() if declaration is not None else ()):
            target = self.path / Path(str(results.get(key, key))).name
            payload, problem = _load(target)
            if problem is None:
                try:
                    check(target, payload, self)
                except SgnasError as err:
                    problem = f"not a {declaration.name} run's {target.name} ({err})"
            if problem is None:
                problem = self._fingerprint_problem(target)
            if problem is not None:
                damaged.append((target, problem))
        return damaged

    def _cut_metrics(self, checkpoint: Any) -> None:
        """Keep of metrics.jsonl what ``checkpoint`` had logged (all of it for None: nothing), atomically.

        A checkpoint of a version that did not record it keeps every complete line (only a torn last one goes).
        """
        metrics = self.path / "metrics.jsonl"
        if not metrics.exists():
            return
        data = metrics.read_bytes()
        size = checkpoint.get("metrics_bytes") if isinstance(checkpoint, dict) else 0
        if checkpoint is not None and size is None:
            size = data.rfind(b"\n") + 1
        if len(data) > int(size):
            atomic_write_bytes(metrics, data[:int(size)])

    def resume_point(self) -> dict[str, Any]:
        """What a checkpoint of this run records about the run's files: how much of metrics.jsonl it covers."""
        metrics = self.path / "metrics.jsonl"
        return {"metrics_bytes": metrics.stat().st_size if metrics.exists() else 0}

    @property
    def config(self) -> dict[str, Any]:
        saved = self._saved_config()
        if not isinstance(saved, dict) or not isinstance(saved.get("config"), dict):
            raise SgnasError(f"run {self.path}: config.json is unreadable or not a run's config; rerun with "
                             f"--rebuild or delete the run folder {self.path}")
        return saved["config"]

    def _read_results(self) -> dict[str, Any] | None:
        """results.json as stored (paths relative to the run folder), or None when it is absent or not an object."""
        try:
            results = self._json("results.json")
        except NotJson:
            return None
        return results if isinstance(results, dict) else None

    def _results_problem(self, results: dict[str, Any] | None) -> str | None:
        """Why ``results`` do not finish the run (the phrase reads after "results.json"); None when they do."""
        if results is None:
            return "is not a JSON object"
        declaration = self.declaration
        if declaration is None:
            return None
        missing = [key for key in declaration.keys if key not in results]
        if missing:
            return f"lacks {', '.join(missing)} (what every {declaration.name} run's results hold)"
        pathless = [key for key in (*declaration.files, *declaration.links) if not isinstance(results[key], str)]
        if pathless:
            return f"names no file under {', '.join(pathless)}"
        return None

    @property
    def finished(self) -> bool:
        """Whether ``results.json`` is a JSON object with every key the run's kind declares."""
        results = self._read_results()
        return results is not None and self._results_problem(results) is None

    @property
    def results(self) -> dict[str, Any]:
        """The results, with the paths the kind declares resolved against the run folder (absolute)."""
        results = self._read_results()
        problem = self._results_problem(results)
        if results is None or problem is not None:
            raise SgnasError(f"run {self.path} has no readable results.json (unfinished or damaged); run its step "
                             "again, with --rebuild if it is damaged")
        declaration = self.declaration
        value_problem = declaration.value_problem(results) if declaration is not None else None
        if value_problem is not None:
            raise SgnasError(f"run {self.path}: results.json is damaged: {value_problem}; rerun with --rebuild or "
                             f"delete the run folder {self.path}")
        results.pop(FINGERPRINTS, None)
        if declaration is not None:
            base = self.path.absolute()
            for key in declaration.files:
                results[key] = str(base / Path(results[key]).name)
            for key in declaration.links:
                results[key] = os.path.normpath(os.path.join(base, results[key]))
        return results

    def _stored(self, results: dict[str, Any]) -> dict[str, Any]:
        """``results`` as results.json holds them: the paths the kind declares relative to the run folder."""
        declaration, stored = self.declaration, dict(results)
        if declaration is not None:
            for key in declaration.files:
                if isinstance(stored.get(key), str):
                    stored[key] = Path(stored[key]).name
            for key in declaration.links:
                if isinstance(stored.get(key), str):
                    stored[key] = os.path.relpath(stored[key], self.path)
        return stored

    @property
    def checkpoint_path(self) -> Path:
        return self.path / "checkpoint.pt"

    def log(self, record: dict[str, Any]) -> None:
        """Append one metrics record as strict JSON (NaN and infinity become null; a line is complete or ignored)."""
        with open(self.path / "metrics.jsonl", "a") as handle:
            handle.write(json.dumps(strict_json(record), default=str, allow_nan=False) + "\n")

    def metrics(self) -> list[dict[str, Any]]:
        return read_jsonl(self.path / "metrics.jsonl")

    def iter_metrics(self, **match: Any) -> Iterator[dict[str, Any]]:
        for record in self.metrics():
            if all(record.get(k) == v for k, v in match.items()):
                yield record

    def finish(self, results: dict[str, Any]) -> None:
        """Write the results (the run is finished; paths stored relative to the run folder) with the SHA-256 of
        the files of its own they name and of its checkpoint (see the module's docstring), and let the lock go."""
        stored, declaration = self._stored(results), self.declaration
        names = [Path(stored[key]).name for key in (declaration.files if declaration is not None else ())
                 if isinstance(stored.get(key), str)]
        stored[FINGERPRINTS] = {name: _sha256(self.path / name)
                                for name in (*names, self.checkpoint_path.name) if (self.path / name).is_file()}
        atomic_write_json(self.path / "results.json", stored)
        locking.release(self.path)
