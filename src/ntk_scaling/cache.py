"""Cached computations: keys that cannot go stale, atomic writes, provenance, a results store.

Every expensive computation of the book is a library function decorated with
:func:`cached_function`. A call looks its result up, in this order, in

1. the **results store**, read-only, that ships with the book: ``results/<profile>/`` in
   the checkout (``$NTK_SCALING_RESULTS`` names another root; ``off`` disables it). Only
   the folder of the active profile (``$NTK_SCALING_PROFILE``, set by the runner) is
   searched, so the ``ci`` profile, which has no folder, always computes afresh;
2. the **cache**, writable: ``$NTK_SCALING_CACHE`` (default ``~/.cache/ntk_scaling/results``;
   ``off`` disables caching and the store);

and otherwise computes it and writes it to the cache.

**The key** is the SHA-256 of

* the function (module and qualified name) and its explicit ``version``, bumped whenever
  its results change meaning;
* the *bound* call, ``inspect.signature(fn).bind(...)`` with defaults applied, minus the
  arguments declared ``ignore`` (chunk sizes and other knobs that cannot change the
  result; tests check that they do not). Arrays, JAX arrays and PRNG keys are hashed by
  dtype, shape and content; NamedTuples by type and fields; floats exactly (``repr``);
* the global state that changes numbers: ``jax_enable_x64`` and the default matmul
  precision;
* the identity of the data, when the function declares ``data=``: a callable that maps
  the bound arguments to e.g. ``{"name": "cifar10", "variant": "jpeg-copy",
  "checksum": ...}``, so the official CIFAR-10 and its JPEG copy never share a key;
* the backend (cpu, gpu, tpu). It is kept apart from the rest: a cache entry is used only
  on the backend that computed it, while a store entry computed on a GPU serves a CPU
  render of the same call (that is what the store is for; its provenance names the
  device).

**Files.** One entry is one ``.npz`` file, written to a temporary name in the same folder
and renamed, so an interrupted or failing computation leaves nothing behind. It holds the
result's arrays and, as a JSON string, the result's structure and its provenance (the
function, version, arguments, package version, git commit, JAX version, backend, device,
precision settings, wall time and date). Results are pytrees of NamedTuples (of this
package), dicts with string keys, lists, tuples, arrays, numbers, strings and None; no
pickle is involved, so a store entry is data, never code.

**Divergence.** A computation that raises :class:`DivergenceError` (a FloatingPointError)
records a *diverged* entry with the error: later calls raise the recorded error at once
instead of recomputing, until forced with :func:`cache_policy` ``(refresh=True)``.
:func:`ntk_scaling.sweep` turns such points into :class:`Diverged` placeholders.

**Ledger.** Every cached call appends one JSON line (function, key, computed / cache /
store, provenance) to ``$NTK_SCALING_LEDGER`` when it is set; the runner sets it per
chapter, so the reproducibility chapter can say which results each chapter computed and
which it read, and ``make store`` knows what to copy.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime as _dt
import enum
import functools
import hashlib
import importlib
import inspect
import json
import math
import os
import platform
import subprocess
import tempfile
import time
import warnings
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, NamedTuple, Sequence

import numpy as np

__all__ = [
    "CACHE_ENV",
    "RESULTS_ENV",
    "PROFILE_ENV",
    "LEDGER_ENV",
    "DivergenceError",
    "MissingResultError",
    "Diverged",
    "CachedFunction",
    "cached_function",
    "cache_policy",
    "cache_dir",
    "results_dir",
    "read_entry",
    "write_entry",
    "entry_provenance",
    "compact_float32",
    "register_result_type",
    "import_cached",
    "store_entry",
]

CACHE_ENV = "NTK_SCALING_CACHE"  #: writable cache root, or "off"
RESULTS_ENV = "NTK_SCALING_RESULTS"  #: read-only store root (default: results/ of the checkout), or "off"
PROFILE_ENV = "NTK_SCALING_PROFILE"  #: the profile whose store folder is searched
LEDGER_ENV = "NTK_SCALING_LEDGER"  #: a JSON-lines file that every cached call appends to
STORE_ONLY_ENV = "NTK_SCALING_STORE_ONLY"  #: "1": a result missing from store and cache raises

_FORMAT = 1  #: version of the on-disk entry format


class DivergenceError(FloatingPointError):
    """A computation diverged (NaN/inf); the message names its parameters."""


class MissingResultError(LookupError):
    """Store-only mode: a result is neither in the results store nor in the cache."""


class Diverged(NamedTuple):
    """Placeholder a sweep returns for a point whose computation diverged."""

    point: dict  #: the sweep point's arguments
    error: str  #: the recorded error message


# ------------------------------------------------------------------------ policy


@dataclasses.dataclass(frozen=True)
class _Policy:
    refresh: bool = False  #: recompute even when an entry exists (also retries divergences)
    enabled: bool | None = None  #: None: follow $NTK_SCALING_CACHE


_POLICY: contextvars.ContextVar[_Policy] = contextvars.ContextVar("ntk_scaling_cache_policy", default=_Policy())


@contextlib.contextmanager
def cache_policy(*, refresh: bool = False, enabled: bool | None = None) -> Iterator[None]:
    """Within the block, recompute cached calls (``refresh``) or bypass caching (``enabled=False``).

    Args:
        refresh: recompute and overwrite existing entries, diverged ones included.
        enabled: ``False`` computes without reading or writing anything; ``None``
            follows ``$NTK_SCALING_CACHE``.

    Yields:
        None; the policy holds until the block ends (it is restored on exit).
    """
    token = _POLICY.set(_Policy(refresh=refresh, enabled=enabled))
    try:
        yield
    finally:
        _POLICY.reset(token)


def _caching_enabled() -> bool:
    policy = _POLICY.get()
    if policy.enabled is not None:
        return policy.enabled
    return os.environ.get(CACHE_ENV, "").strip().lower() != "off"


def cache_dir() -> Path:
    """Root of the writable cache: ``$NTK_SCALING_CACHE`` or ``~/.cache/ntk_scaling/results``.

    Returns:
        The folder (created on first write).
    """
    root = os.environ.get(CACHE_ENV, "").strip()
    if root and root.lower() != "off":
        return Path(root).expanduser()
    return Path.home() / ".cache" / "ntk_scaling" / "results"


def _checkout_root() -> Path | None:
    here = Path.cwd().resolve()
    for folder in (here, *here.parents, Path(__file__).resolve().parents[2]):
        if (folder / "_toc.yml").is_file() and (folder / "src" / "ntk_scaling").is_dir():
            return folder
    return None


def results_dir() -> Path | None:
    """Root of the read-only results store (``$NTK_SCALING_RESULTS``, else ``results/`` of the checkout).

    Returns:
        The folder, or None when the store is off (``$NTK_SCALING_RESULTS=off``) or no
        checkout is found.
    """
    root = os.environ.get(RESULTS_ENV, "").strip()
    if root.lower() == "off":
        return None
    if root:
        return Path(root).expanduser()
    checkout = _checkout_root()
    return checkout / "results" if checkout else None


# ------------------------------------------------------------------------ canonical form of arguments


def _canonical(value: Any, where: str) -> Any:
    """A JSON-able, deterministic description of an argument; arrays by content hash."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return {"float": repr(float(value))}
    if isinstance(value, enum.Enum):
        return {"enum": f"{type(value).__qualname__}.{value.name}"}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {
            "namedtuple": f"{type(value).__module__}.{type(value).__qualname__}",
            "fields": {f: _canonical(getattr(value, f), f"{where}.{f}") for f in value._fields},
        }
    if isinstance(value, Mapping):
        return {"dict": {str(k): _canonical(v, f"{where}[{k!r}]") for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}}
    if isinstance(value, (list, tuple)):
        return {type(value).__name__: [_canonical(v, f"{where}[{i}]") for i, v in enumerate(value)]}
    array = _as_numpy_array(value)
    if array is not None:
        return {
            "array": hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest(),
            "dtype": str(array.dtype),
            "shape": list(array.shape),
        }
    if isinstance(value, Path):
        return {"path": str(value)}
    raise TypeError(
        f"cannot build a cache key from argument {where} of type {type(value).__name__}; "
        "pass arrays, numbers, strings, NamedTuples, lists or dicts, or declare it in ignore=..."
    )


def _as_numpy_array(value: Any) -> np.ndarray | None:
    if isinstance(value, np.ndarray):
        return value
    try:
        import jax
    except ImportError:  # pragma: no cover - jax is a dependency
        return None
    if isinstance(value, jax.Array):
        if jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key):
            return np.asarray(jax.random.key_data(value))
        return np.asarray(value)
    return None


def _numeric_state() -> dict[str, Any]:
    import jax

    return {
        "x64": bool(jax.config.jax_enable_x64),
        "matmul_precision": str(jax.config.jax_default_matmul_precision),
    }


def _backend() -> str:
    import jax

    return jax.default_backend()


# ------------------------------------------------------------------------ provenance


@functools.lru_cache(maxsize=1)
def _git_commit() -> str | None:
    checkout = _checkout_root()
    if checkout is None:
        return None
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=checkout, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=checkout, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("-dirty" if dirty else "")


def _environment() -> dict[str, Any]:
    import jax

    from . import __version__

    device = jax.devices()[0]
    return {
        "package_version": __version__,
        "git_commit": _git_commit(),
        "jax_version": jax.__version__,
        "backend": jax.default_backend(),
        "device": f"{device.platform}:{getattr(device, 'device_kind', '?')}",
        "device_count": jax.device_count(),
        "python": platform.python_version(),
        "host": platform.node(),
        **_numeric_state(),
    }


# ------------------------------------------------------------------------ serialisation


def _encode(value: Any, arrays: dict[str, np.ndarray], where: str) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else {"float": repr(v)}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        cls = type(value)
        path = f"{cls.__module__}:{cls.__qualname__}"
        if not (cls.__module__.startswith("ntk_scaling") or _RESULT_TYPES.get(path) is cls):
            raise TypeError(f"{where}: cannot store a {path}; register it with register_result_type")
        return {
            "namedtuple": path,
            "fields": {f: _encode(getattr(value, f), arrays, f"{where}.{f}") for f in value._fields},
        }
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            raise TypeError(f"{where}: dict keys must be strings to be stored")
        return {"dict": {k: _encode(v, arrays, f"{where}[{k!r}]") for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {type(value).__name__: [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(value)]}
    array = _as_numpy_array(value)
    if array is None and isinstance(value, np.bool_):
        array = np.asarray(value)
    if array is not None:
        if array.dtype == object:
            raise TypeError(f"{where}: object arrays cannot be stored")
        name = f"a{len(arrays)}"
        arrays[name] = array
        return {"array": name}
    raise TypeError(f"{where}: cannot store a {type(value).__name__}; return arrays, numbers, strings, NamedTuples, lists or dicts")


_RESULT_TYPES: dict[str, type] = {}


def register_result_type(cls: type) -> type:
    """Allow NamedTuple ``cls`` (defined outside this package) in stored results.

    Entries name their NamedTuples; on reading, only this package's types and registered
    ones are rebuilt, so an entry can never make the reader import arbitrary code.

    Args:
        cls: a NamedTuple class.

    Returns:
        ``cls`` (so it can be used as a decorator).

    Raises:
        TypeError: ``cls`` is not a NamedTuple class.
    """
    if not (isinstance(cls, type) and issubclass(cls, tuple) and hasattr(cls, "_fields")):
        raise TypeError(f"register_result_type needs a NamedTuple class, got {cls!r}")
    _RESULT_TYPES[f"{cls.__module__}:{cls.__qualname__}"] = cls
    return cls


def _resolve_namedtuple(path: str) -> type:
    if path in _RESULT_TYPES:
        return _RESULT_TYPES[path]
    module, _, qualname = path.partition(":")
    if not module.startswith("ntk_scaling"):
        raise ValueError(f"refusing to rebuild {path}: not a type of this package")
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _decode(node: Any, arrays: Mapping[str, np.ndarray]) -> Any:
    if not isinstance(node, dict):
        return node
    if "array" in node:
        return arrays[node["array"]]
    if "float" in node:
        return float(node["float"])
    if "namedtuple" in node:
        cls = _resolve_namedtuple(node["namedtuple"])
        fields = {k: _decode(v, arrays) for k, v in node["fields"].items()}
        if set(fields) != set(cls._fields):
            raise ValueError(f"{node['namedtuple']} has fields {cls._fields}, the entry {sorted(fields)}; bump the version")
        return cls(**fields)
    if "dict" in node:
        return {k: _decode(v, arrays) for k, v in node["dict"].items()}
    if "list" in node:
        return [_decode(v, arrays) for v in node["list"]]
    if "tuple" in node:
        return tuple(_decode(v, arrays) for v in node["tuple"])
    raise ValueError(f"unknown node in a stored entry: {sorted(node)}")


def write_entry(
    path: Path, result: Any, provenance: Mapping[str, Any], *, diverged: str | None = None, compress: bool = False
) -> None:
    """Write one entry atomically: a temporary file in the same folder, then a rename.

    Args:
        path: the ``.npz`` file to create or replace.
        result: the pytree to store (ignored when ``diverged`` is given).
        provenance: JSON-able description of how it was computed.
        diverged: the error message of a diverged computation, stored instead of a result.
        compress: zip-compress the arrays (the results store does; the cache favours speed).

    Raises:
        TypeError: the result holds something that cannot be stored without pickle.
    """
    arrays: dict[str, np.ndarray] = {}
    tree = None if diverged is not None else _encode(result, arrays, "result")
    meta = {"format": _FORMAT, "tree": tree, "diverged": diverged, "provenance": dict(provenance)}
    arrays["__meta__"] = np.asarray(json.dumps(meta, default=str))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            (np.savez_compressed if compress else np.savez)(fh, **arrays)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


class _Entry(NamedTuple):
    result: Any
    diverged: str | None
    provenance: dict


def read_entry(path: Path) -> _Entry:
    """Read an entry written by :func:`write_entry` (never unpickles anything).

    Args:
        path: the ``.npz`` entry.

    Returns:
        The entry: its result (or divergence message) and provenance.

    Raises:
        OSError, ValueError, KeyError: the file is unreadable, truncated or not an entry.
    """
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["__meta__"]))
        if meta.get("format") != _FORMAT:
            raise ValueError(f"{path}: entry format {meta.get('format')}, expected {_FORMAT}")
        arrays = {k: data[k] for k in data.files if k != "__meta__"}
    result = None if meta["diverged"] is not None else _decode(meta["tree"], arrays)
    return _Entry(result, meta["diverged"], meta["provenance"])


def entry_provenance(path: Path) -> dict:
    """The provenance record of a stored entry (without building its result).

    Args:
        path: the ``.npz`` entry.

    Returns:
        The JSON provenance dict (function, arguments, versions, device, wall time).
    """
    with np.load(path, allow_pickle=False) as data:
        return json.loads(str(data["__meta__"]))["provenance"]


def compact_float32(result: Any) -> Any:
    """``result`` with every float64 array cast to float32 (the store's default compaction).

    Args:
        result: a storable pytree.

    Returns:
        The same pytree, float64 numpy leaves as float32.
    """
    import jax

    def cast(leaf: Any) -> Any:
        if isinstance(leaf, np.ndarray) and leaf.dtype == np.float64:
            return leaf.astype(np.float32)
        return leaf

    return jax.tree_util.tree_map(cast, result)


def _to_numpy(tree: Any) -> Any:
    import jax

    return jax.tree_util.tree_map(lambda leaf: np.asarray(leaf) if isinstance(leaf, jax.Array) else leaf, tree)


# ------------------------------------------------------------------------ ledger


def _ledger(record: Mapping[str, Any]) -> None:
    path = os.environ.get(LEDGER_ENV)
    if not path:
        return
    line = json.dumps(record, default=str) + "\n"
    # One write of one short line in append mode: lines from concurrent workers do not interleave.
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line)


# ------------------------------------------------------------------------ the decorator


class CachedFunction:
    """A function whose results are cached under keys built from its bound call.

    Call it like the function. Also:

    * ``f.uncached(...)``: the plain function;
    * ``f.key(...)``: the entry's key (hex), ``f.call_description(...)`` what went into it;
    * ``f.lookup(...)``: the stored or cached result, or None (never computes);
    * ``f.version``, ``f.ignore``, ``f.name``.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        version: int | str,
        ignore: Sequence[str] = (),
        data: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None,
        compact: Callable[[Any], Any] | None = compact_float32,
        name: str | None = None,
    ) -> None:
        self.uncached = fn
        self.signature = inspect.signature(fn)
        unknown = sorted(set(ignore) - set(self.signature.parameters))
        if unknown:
            raise TypeError(f"cached_function({fn.__qualname__}): ignore names unknown arguments {unknown}")
        self.version = str(version)
        self.ignore = tuple(ignore)
        self.data = data
        self.compact = compact
        self.name = name or f"{fn.__module__}.{fn.__qualname__}"
        functools.update_wrapper(self, fn)

    # -- keys
    def bind(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The call's arguments by name, defaults applied (a TypeError names a bad call)."""
        try:
            bound = self.signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{self.uncached.__qualname__}: {exc}") from None
        bound.apply_defaults()
        return dict(bound.arguments)

    def call_description(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Everything the key is built from except the backend (JSON-able)."""
        arguments = self.bind(*args, **kwargs)
        kept = {k: v for k, v in arguments.items() if k not in self.ignore}
        description = {
            "function": self.name,
            "version": self.version,
            "arguments": {k: _canonical(v, k) for k, v in kept.items()},
            "numerics": _numeric_state(),
        }
        if self.data is not None:
            description["data"] = _canonical(dict(self.data(arguments)), "data")
        return description

    def key(self, *args: Any, **kwargs: Any) -> str:
        """The hex key of the call (without the backend, which names the file)."""
        payload = json.dumps(self.call_description(*args, **kwargs), sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:32]

    def folder_name(self) -> str:
        """The entry folder of this function (its name without the package prefix)."""
        return self.name.replace("ntk_scaling.", "")

    # -- lookup
    def _cache_path(self, key: str) -> Path:
        return cache_dir() / self.folder_name() / f"{key}.{_backend()}.npz"

    def _store_paths(self, key: str) -> list[Path]:
        root = results_dir()
        profile = os.environ.get(PROFILE_ENV, "").strip()
        if root is None or not profile:
            return []
        folder = root / profile / self.folder_name()
        if not folder.is_dir():
            return []
        own = folder / f"{key}.{_backend()}.npz"
        return ([own] if own.exists() else []) + sorted(p for p in folder.glob(f"{key}.*.npz") if p != own)

    def _read(self, path: Path) -> _Entry | None:
        try:
            return read_entry(path)
        except (OSError, EOFError, ValueError, KeyError, TypeError, AttributeError, zipfile.BadZipFile) as exc:
            warnings.warn(f"ignoring unreadable entry {path} ({exc}); it will be recomputed", stacklevel=3)
            return None

    def _find(self, key: str) -> tuple[_Entry, str, Path] | None:
        for path in self._store_paths(key):
            entry = self._read(path)
            if entry is not None:
                return entry, "store", path
        path = self._cache_path(key)
        if path.exists():
            entry = self._read(path)
            if entry is not None:
                return entry, "cache", path
            path.unlink(missing_ok=True)
        return None

    def lookup(self, *args: Any, **kwargs: Any) -> Any:
        """The stored or cached result of the call, or None when there is none (never computes).

        Raises:
            DivergenceError: the call is recorded as diverged.
        """
        if not _caching_enabled():
            return None
        key = self.key(*args, **kwargs)
        found = self._find(key)
        if found is None:
            return None
        entry, source, path = found
        if entry.diverged is not None:
            raise DivergenceError(entry.diverged)
        self._log(key, source, path, entry.provenance)
        return entry.result

    def _log(self, key: str, source: str, path: Path, provenance: Mapping[str, Any]) -> None:
        _ledger({
            "function": self.name,
            "module": self.uncached.__module__,
            "qualname": self.uncached.__qualname__,
            "key": key,
            "source": source,
            "path": str(path),
            "provenance": provenance,
        })

    # -- call
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """The result of the call: from the results store, the cache, or computed and cached.

        Raises:
            DivergenceError: the computation diverged (now, or as recorded earlier).
        """
        if not _caching_enabled():
            return _to_numpy(self.uncached(*args, **kwargs))
        arguments = self.bind(*args, **kwargs)
        key = self.key(**arguments)
        if not _POLICY.get().refresh:
            found = self._find(key)
            if found is not None:
                entry, source, path = found
                if entry.diverged is not None:
                    raise DivergenceError(f"{entry.diverged} [recorded in {path}; refresh to retry]")
                self._log(key, source, path, entry.provenance)
                return entry.result
        if os.environ.get(STORE_ONLY_ENV, "").strip() == "1":
            raise MissingResultError(
                f"{self.name} is neither in the results store nor in the cache for "
                f"{_describe_arguments(arguments, self.ignore)} (store-only mode)"
            )
        provenance = {
            "function": self.name,
            "version": self.version,
            "key": key,
            "arguments": _describe_arguments(arguments, self.ignore),
            **_environment(),
            "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        }
        path = self._cache_path(key)
        start = time.perf_counter()
        try:
            result = _to_numpy(self.uncached(**arguments))
        except DivergenceError as exc:
            provenance["wall_seconds"] = round(time.perf_counter() - start, 3)
            write_entry(path, None, provenance, diverged=str(exc))
            self._log(key, "diverged", path, provenance)
            raise
        provenance["wall_seconds"] = round(time.perf_counter() - start, 3)
        write_entry(path, result, provenance)
        self._log(key, "computed", path, provenance)
        return result

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        # Pickled by reference (module and name), so executors ship the name, not the code.
        return import_cached, (self.uncached.__module__, self.uncached.__qualname__)

    def __repr__(self) -> str:
        return f"<cached function {self.name} version={self.version} ignore={list(self.ignore)}>"


def import_cached(module: str, qualname: str) -> CachedFunction:
    """The cached function defined as ``qualname`` in ``module`` (how entries and pickles name it).

    Args:
        module: the module's dotted name.
        qualname: the function's qualified name in it.

    Returns:
        The :class:`CachedFunction`.

    Raises:
        TypeError: the object found is not a cached function.
    """
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not isinstance(obj, CachedFunction):
        raise TypeError(f"{module}.{qualname} is not a cached function")
    return obj


def _describe_arguments(arguments: Mapping[str, Any], ignore: Sequence[str]) -> dict[str, Any]:
    """Human-readable arguments for provenance and error messages (arrays by shape)."""
    out: dict[str, Any] = {}
    for k, v in arguments.items():
        if k in ignore:
            continue
        array = _as_numpy_array(v)
        if array is not None and array.size > 8:
            out[k] = f"array{tuple(array.shape)} {array.dtype}"
        elif isinstance(v, tuple) and hasattr(v, "_fields"):
            out[k] = f"{type(v).__name__}(" + ", ".join(
                f"{f}={_short(getattr(v, f))}" for f in v._fields
            ) + ")"
        else:
            out[k] = _short(v)
    return out


def _short(v: Any) -> Any:
    array = _as_numpy_array(v)
    if array is not None:
        return f"array{tuple(array.shape)}" if array.size > 8 else array.tolist()
    if isinstance(v, (float, np.floating)):
        return float(v)
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return int(v)
    if isinstance(v, (list, tuple)):
        return [_short(x) for x in v]
    if isinstance(v, enum.Enum):
        return v.name
    return v if isinstance(v, (str, bool, type(None))) else repr(v)


def cached_function(
    *,
    version: int | str,
    ignore: Sequence[str] = (),
    data: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None,
    compact: Callable[[Any], Any] | None = compact_float32,
    name: str | None = None,
) -> Callable[[Callable[..., Any]], CachedFunction]:
    """Decorate an expensive pure function so its results are cached and can be stored.

    Args:
        version: bump whenever the function's results change meaning (a bug fix, a new
            convention); it is part of every key, so old entries are never served.
        ignore: arguments that cannot change the result (chunk and batch sizes); they are
            left out of the key. Tests check that they do not change the result.
        data: maps the bound arguments to the identity of the data the call reads
            (name, variant, checksum), which joins the key.
        compact: applied when an entry is copied into the results store (default:
            float64 arrays to float32); ``None`` stores the result as computed.
        name: the entry folder's name; default ``module.qualname``.

    Returns:
        A decorator producing a :class:`CachedFunction`.

    Raises:
        TypeError: ``ignore`` names an argument the function does not have.
    """

    def decorate(fn: Callable[..., Any]) -> CachedFunction:
        return CachedFunction(fn, version=version, ignore=ignore, data=data, compact=compact, name=name)

    return decorate


def store_entry(source: Path, destination: Path, fn: CachedFunction) -> int:
    """Copy a cache entry into the results store, compacted by ``fn.compact``.

    Args:
        source: the entry in the cache (or another store).
        destination: its path in the store.
        fn: the cached function that made it (its ``compact`` hook is applied).

    Returns:
        The size in bytes of the stored file.

    Raises:
        OSError, ValueError: the source cannot be read.
    """
    entry = read_entry(source)
    provenance = dict(entry.provenance)
    if entry.diverged is not None:
        write_entry(destination, None, provenance, diverged=entry.diverged, compress=True)
    else:
        result = fn.compact(entry.result) if fn.compact is not None else entry.result
        provenance["stored"] = "compacted" if fn.compact is not None else "as computed"
        write_entry(destination, result, provenance, compress=True)
    return destination.stat().st_size
