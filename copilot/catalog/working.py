"""The working catalog: a person's copy of the catalog under FLINK_COPILOT_HOME.

The first time a command needs the catalog and none exists, the packaged demo catalog
(copilot/demo_catalog) seeds it. A copy of what was seeded is kept in `.demo-base/` next to it,
so that when a newer package ships a changed demo catalog, its changes are merged into the
working copies with a three-way merge: what the demo changed is applied, what a person changed
(descriptions, synonyms, values, metrics, verified queries, comments) stays as they wrote it.
A demo file a person deleted is not brought back. Only this module writes the seed; it never
writes into the package or the source tree.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

BASE_DIR = ".demo-base"  # inside the working catalog; the store reads only top-level *.yaml files
STAMP = "VERSION"  # in BASE_DIR: the fingerprint of the packaged demo catalog last merged
# List items are matched by these keys across the three versions.
IDENTITY_KEYS = ("name", "field", "question")
_lock = threading.Lock()
_checked: set[tuple[str, str]] = set()  # (working dir, demo fingerprint) already brought up to date


def demo_files(demo_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(demo_dir.glob("*.yaml")) if p.is_file()}


def fingerprint(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name, data in sorted(files.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()[:24]


def catalog_dir() -> Path:
    """The catalog the commands use: FLINK_COPILOT_CATALOG_DIR as it is, else the working catalog under
    FLINK_COPILOT_HOME, seeded from the packaged demo catalog the first time and a newer packaged demo merged
    into it."""
    from copilot import settings

    if settings.get("FLINK_COPILOT_CATALOG_DIR"):
        return settings.catalog_dir()
    return ensure_working_catalog(settings.catalog_dir(), settings.DEMO_CATALOG_DIR)


def ensure_working_catalog(directory: Path, demo_dir: Path) -> Path:
    """Seed `directory` from `demo_dir` if it holds no catalog yet; merge a newer demo catalog into it.
    Cheap when nothing changed (one stat of each packaged file and one small read)."""
    directory = Path(directory)
    files = demo_files(demo_dir)
    version = fingerprint(files)
    key = (str(directory), version)
    if key in _checked:
        return directory
    with _lock:
        base = directory / BASE_DIR
        stamp = base / STAMP
        current = stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else None
        if current != version:
            has_yaml = directory.is_dir() and any(p.suffix in (".yaml", ".yml") for p in directory.iterdir())
            if current is None and not has_yaml:
                _seed(directory, files)
                log.info("working catalog seeded from the demo catalog: %s", directory)
            elif current is None:
                # A catalog a person made (or `catalog sync` filled) without a seed record: record the
                # demo as seen, never rewrite their files.
                _write_base(base, files, version, replace=False)
            else:
                merged = merge_demo_update(directory, files)
                _write_base(base, files, version, replace=True)
                if merged:
                    log.info("working catalog: merged the newer demo catalog into %s", ", ".join(merged))
        _checked.add(key)
    return directory


def _seed(directory: Path, files: dict[str, bytes]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        _atomic_write(directory / name, data)
    _write_base(directory / BASE_DIR, files, fingerprint(files), replace=True)


def _write_base(base: Path, files: dict[str, bytes], version: str, *, replace: bool) -> None:
    base.mkdir(parents=True, exist_ok=True)
    if replace:
        for old in base.glob("*.yaml"):
            if old.name not in files:
                old.unlink()
    for name, data in files.items():
        if replace or not (base / name).exists():
            _atomic_write(base / name, data)
    _atomic_write(base / STAMP, (version + "\n").encode())


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# ------------------------------------------------------------------------------------ merging


def merge_demo_update(directory: Path, files: dict[str, bytes]) -> list[str]:
    """Apply the packaged demo's changes since `.demo-base/` to the working files. Returns the files changed."""
    base_dir = directory / BASE_DIR
    changed = []
    for name, new_bytes in files.items():
        working = directory / name
        base_path = base_dir / name
        base_bytes = base_path.read_bytes() if base_path.is_file() else None
        if base_bytes == new_bytes:
            continue  # the demo did not change this file
        if not working.exists():
            if base_bytes is None:  # a topic new in this demo version
                _atomic_write(working, new_bytes)
                changed.append(name)
            continue  # deleted by a person: stays deleted
        work_bytes = working.read_bytes()
        if work_bytes == base_bytes or work_bytes == new_bytes:
            if work_bytes != new_bytes:
                _atomic_write(working, new_bytes)
                changed.append(name)
            continue
        try:
            merged = merge_texts(base_bytes.decode() if base_bytes else "", new_bytes.decode(), work_bytes.decode())
        except Exception as exc:  # an unreadable working file: leave it, say so
            log.warning("working catalog: %s not merged with the newer demo version (%s); edit it by hand", working, exc)
            continue
        if merged != work_bytes.decode():
            _atomic_write(working, merged.encode())
            changed.append(name)
    return changed


def _yaml():
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def merge_texts(base: str, new: str, work: str) -> str:
    """Three-way merge of one catalog file: the demo's change from `base` to `new` applied to `work`."""
    y = _yaml()
    base_doc = y.load(base) if base.strip() else {}
    new_doc = y.load(new)
    work_doc = y.load(work)
    if not isinstance(work_doc, dict) or not isinstance(new_doc, dict):
        raise ValueError("not a YAML mapping")
    _merge_map(base_doc if isinstance(base_doc, dict) else {}, new_doc, work_doc)
    out = io.StringIO()
    y.dump(work_doc, out)
    return out.getvalue()


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value).strip()
    if isinstance(value, float) and value.is_integer():
        return value
    return value


def _same(a: Any, b: Any) -> bool:
    return _plain(a) == _plain(b)


_MISSING = object()


def _merge_value(base: Any, new: Any, work: Any) -> tuple[bool, Any]:
    """(replace?, value) for one slot whose demo value changed from `base` to `new`."""
    if work is _MISSING:
        return (base is _MISSING, new)  # added by the demo: add; removed by a person: keep removed
    if base is not _MISSING and _same(work, base):
        return True, new  # untouched by the person: take the demo's value
    if isinstance(work, dict) and isinstance(new, dict):
        _merge_map(base if isinstance(base, dict) else {}, new, work)
        return False, work
    if isinstance(work, list) and isinstance(new, list) and _identity(new) and _identity(work):
        _merge_list(base if isinstance(base, list) else [], new, work)
        return False, work
    return False, work  # both changed it: the person's version wins


def _merge_map(base: dict, new: dict, work: dict) -> None:
    for key in list(dict.fromkeys([*base.keys(), *new.keys()])):
        b, n = base.get(key, _MISSING), new.get(key, _MISSING)
        if b is not _MISSING and n is not _MISSING and _same(b, n):
            continue
        w = work.get(key, _MISSING)
        if n is _MISSING:  # the demo dropped it: drop it too unless the person changed it
            if w is not _MISSING and _same(w, b):
                del work[key]
            continue
        replace, value = _merge_value(b, n, w)
        if replace:
            work[key] = value


def _identity(items: list) -> str | None:
    """The key that identifies the mappings of a list (fields by name, relationships by field...)."""
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for key in IDENTITY_KEYS:
        if all(key in i for i in items):
            return key
    return None


def _merge_list(base: list, new: list, work: list) -> None:
    key = _identity(new) or _identity(work)
    ident = lambda item: str(item.get(key, "")).strip().lower()  # noqa: E731
    base_by = {ident(i): i for i in base if isinstance(i, dict)}
    new_by = {ident(i): i for i in new}
    for i in reversed(range(len(work))):  # items the demo removed, unchanged by the person
        item = work[i]
        name = ident(item) if isinstance(item, dict) else None
        if name in base_by and name not in new_by and _same(item, base_by[name]):
            del work[i]
    work_by = {ident(i): i for i in work if isinstance(i, dict)}
    for name, item in new_by.items():
        b = base_by.get(name, _MISSING)
        if b is not _MISSING and _same(b, item):
            continue
        w = work_by.get(name, _MISSING)
        if w is _MISSING:
            if b is _MISSING:
                work.append(item)  # new in the demo
            continue
        _merge_map(b if isinstance(b, dict) else {}, item, w if isinstance(w, dict) else {})


def reset_checked() -> None:
    """Forget which catalogs were brought up to date (tests that swap the packaged demo)."""
    _checked.clear()
