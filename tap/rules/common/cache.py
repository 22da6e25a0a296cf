"""A persistent, versioned on-disk cache of results that cost a heavy import to compute.

Why: a cold ``python -m tap.rules check`` spends much of its time loading libraries and
analysing code, not checking: cfn-lint (sympy and networkx, ~0.5 s, now needed only for a
resource the cfn-schema pre-check cannot call clean), sqlglot (~0.05 s), a handler's code
analysis (~0.1 s on TapStack), moto's managed-policy dataset (~0.03 s). Their answers for one
input never change while the library and the rule code stay the same, so they are kept on
disk and a later run skips the work entirely.
Measured figures: ``docs/benchmarks.md`` ("Start-up").

- **Where:** ``$TAP_RULES_CACHE_DIR``, else ``$XDG_CACHE_HOME/tap-rules/``, else
  ``~/.cache/tap-rules/``. One JSON file per namespace and version key.
- **Keyed by** the tap version, a digest of the source of the modules that compute the
  answer (an edited rule helper is a new key) and the versions of the libraries that answer
  (cfn-lint, botocore, sqlglot): any change is a new file, never a stale answer.
- **Safe:** a missing, unreadable or corrupt file is ignored (the answers are recomputed);
  a write goes to a temporary file renamed over the old one (atomic), after merging what a
  concurrent writer saved meanwhile; a failure to write is silent (the cache only saves
  time). Values are plain JSON, never pickles.
- **Off** with ``TAP_RULES_NO_CACHE=1`` or the CLI's ``--no-cache``: nothing is read or
  written.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import re
import sys
import threading
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "ENV_DIR",
    "ENV_OFF",
    "DiskCache",
    "cache_dir",
    "code_cache",
    "disable",
    "dist_version",
    "enabled",
    "flush_all",
    "source_digest",
]

ENV_OFF = "TAP_RULES_NO_CACHE"
ENV_DIR = "TAP_RULES_CACHE_DIR"
FORMAT = 1  # the file layout; bump on change
MAX_ENTRIES = 50_000  # per file; beyond it the file starts again (bounded size on disk)

_disabled = False
_lock = threading.Lock()
_caches: list[DiskCache] = []


def disable() -> None:
    """Turn the cache off for this process (the CLI's ``--no-cache``)."""
    global _disabled
    _disabled = True


def enabled() -> bool:
    """False with ``--no-cache``, ``TAP_RULES_NO_CACHE=1`` or no place for a cache."""
    return (
        not _disabled
        and os.environ.get(ENV_OFF, "").strip().lower() in ("", "0", "false", "no")
        and cache_dir() is not None
    )


def cache_dir() -> Path | None:
    """The cache folder (see the module docstring); ``None`` without a home directory."""
    explicit = os.environ.get(ENV_DIR)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):
            return None
    return Path(base) / "tap-rules"


@cache
def dist_version(dist: str) -> str:
    """An installed distribution's version (``"?"`` when not installed).

    Read from the name of its ``<name>-<version>.dist-info`` folder on ``sys.path`` (what
    ``importlib.metadata`` reads too, without its ~50 ms import); falls back to it.
    """
    wanted = re.sub(r"[-_.]+", "_", dist).lower()
    for entry in sys.path:
        for name in _listdir(entry or "."):
            if name.endswith(".dist-info"):
                stem = name[: -len(".dist-info")]
                project, _, version = stem.partition("-")
                if version and re.sub(r"[-_.]+", "_", project).lower() == wanted:
                    return version
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


@cache
def _listdir(path: str) -> tuple[str, ...]:
    try:
        return tuple(os.listdir(path))
    except OSError:
        return ()


def source_digest(*modules: str) -> str:
    """Digest of the source files of ``modules`` (dotted names under ``tap``), read without
    importing them."""
    root = Path(__file__).resolve().parents[2]  # the ``tap`` package
    h = hashlib.sha256()
    for name in modules:
        parts = name.split(".")[1:]
        path = root.joinpath(*parts).with_suffix(".py")
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(name.encode())
    return h.hexdigest()[:16]


class DiskCache:
    """``str`` key → JSON value, for one namespace and version key.

    Parameters
    ----------
    namespace
        File name prefix (``"schema"``, ``"pycode"``, ...).
    version
        Everything the answers depend on besides the key (see the module docstring).

    Example
    -------
    >>> c = DiskCache("demo", version="1")
    >>> c.get("k") is None or True
    True
    """

    def __init__(self, namespace: str, version: str) -> None:
        self.namespace = namespace
        digest = hashlib.sha256(f"{FORMAT}|{version}".encode()).hexdigest()[:16]
        self.file_name = f"{namespace}-{digest}.json"
        self._data: dict[str, Any] | None = None
        self._new: dict[str, Any] = {}
        with _lock:
            _caches.append(self)

    @property
    def path(self) -> Path:
        return (cache_dir() or Path(".")) / self.file_name

    def _load(self) -> dict[str, Any]:
        if self._data is None:
            self._data = _read(self.path) if enabled() else {}
        return self._data

    def get(self, key: str) -> Any:
        """The stored value, or ``None`` (absent, or the cache is off)."""
        if not enabled():
            return None
        return self._load().get(key)

    def put(self, key: str, value: Any) -> None:
        """Remember ``value`` (JSON-serialisable); written at exit or by :meth:`flush`."""
        if not enabled():
            return
        self._load()[key] = value
        self._new[key] = value

    def flush(self) -> None:
        """Write the new entries, merged with what is on disk now."""
        if not self._new or not enabled():
            return
        new, self._new = self._new, {}
        path = self.path
        merged = _read(path)
        if len(merged) + len(new) > MAX_ENTRIES:
            merged = {}
        merged.update(new)
        import tempfile

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.file_name}.", dir=path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump({"format": FORMAT, "entries": merged}, out, separators=(",", ":"))
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            return  # read-only home, full disk: the cache only saves time


def code_cache(namespace: str, modules: tuple[str, ...], dists: tuple[str, ...]) -> DiskCache:
    """The :class:`DiskCache` of answers computed by ``modules`` (dotted names under ``tap``)
    from the libraries ``dists``: keyed by the tap version, the modules' source and the
    libraries' versions, so a change to any of them is a new file."""
    from tap import __version__ as tap_version

    version = "|".join(
        (
            f"tap {tap_version}",
            source_digest(*modules),
            *(f"{dist} {dist_version(dist)}" for dist in dists),
        )
    )
    return DiskCache(namespace, version)


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError):  # missing, unreadable, truncated or not JSON
        return {}
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return {}
    entries = doc.get("entries")
    return entries if isinstance(entries, dict) else {}


def flush_all() -> None:
    """Write every cache's new entries (also run at interpreter exit)."""
    with _lock:
        caches = list(_caches)
    for c in caches:
        try:
            c.flush()
        except Exception:  # noqa: BLE001 - never fail a check because a cache could not save
            continue


atexit.register(flush_all)
