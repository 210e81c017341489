"""A parsed catalog kept on disk, keyed by its files' names, mtimes and sizes (and by the parser's own code),
so a command does not re-parse YAML that did not change: parsing six demo files costs ~0.2 s of a command's
wall time, reading the cache a few milliseconds.

The cache lives under FLINK_COPILOT_HOME/cache (never in the catalog directory or the source tree). It is a
pickle, read only when the current user owns it and nobody else can write it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import stat
from pathlib import Path
from typing import Any

from copilot import settings

log = logging.getLogger(__name__)
FORMAT = 1
KEEP = 128  # cached catalogs kept, most recently used first (tests and scripts make many short-lived ones)
_CODE_DIR = Path(__file__).resolve().parent


def _code_signature() -> tuple:
    """The catalog package's modules: a parser change invalidates what an older parser cached."""
    return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in _CODE_DIR.glob("*.py")))


def cache_path(directory: Path) -> Path:
    key = hashlib.sha256(str(Path(directory).resolve()).encode("utf-8")).hexdigest()[:16]
    return settings.home() / "cache" / f"catalog-{key}.pickle"


def read(directory: Path, signature: tuple) -> Any | None:
    path = cache_path(directory)
    try:
        info = path.stat()
        if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return None
        with open(path, "rb") as fh:
            stored = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception as exc:  # unreadable or from another version: parse again
        log.debug("catalog cache %s not used: %s", path, exc)
        return None
    if not isinstance(stored, dict) or stored.get("format") != FORMAT:
        return None
    if stored.get("signature") != signature or stored.get("code") != _code_signature():
        return None
    _touch(path)
    return stored.get("load")


def _touch(path: Path) -> None:
    """Mark a cache file as used, so pruning keeps the catalogs people use over ones a test made once."""
    try:
        os.utime(path)
    except OSError:
        pass


def write(directory: Path, signature: tuple, load: Any) -> None:
    path = cache_path(directory)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".tmp{os.getpid()}")
        with open(tmp, "wb") as fh:
            os.fchmod(fh.fileno(), 0o600)
            pickle.dump(
                {"format": FORMAT, "signature": signature, "code": _code_signature(), "load": load},
                fh,
                protocol=pickle.HIGHEST_PROTOCOL,
            )
        os.replace(tmp, path)
        prune(path.parent, "catalog-*.pickle", KEEP)
    except Exception as exc:  # a read-only home: the catalog still loads, just not faster next time
        log.debug("catalog cache %s not written: %s", path, exc)


def prune(directory: Path, pattern: str, keep: int) -> None:
    """Delete all but the `keep` most recently modified files matching `pattern` (a bounded cache)."""
    entries = []
    for p in directory.glob(pattern):
        try:
            entries.append((p.stat().st_mtime_ns, p))
        except FileNotFoundError:
            continue
    for _, p in sorted(entries, reverse=True)[keep:]:
        p.unlink(missing_ok=True)
