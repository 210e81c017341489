"""Model weights prepared once (float32, linear layers pre-transposed) and kept under FLINK_COPILOT_HOME/cache
as one flat file that later processes memory-map: opening MiniLM then costs no copy of its 90 MB of weights
(copying and transposing them was ~0.15 s of every `ask`)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Callable

import numpy as np

from copilot import settings

log = logging.getLogger(__name__)
FORMAT = 1


def _paths(source: Path) -> tuple[Path, Path]:
    info = source.stat()
    key = hashlib.sha256(f"{FORMAT}|{source.resolve()}|{info.st_size}|{info.st_mtime_ns}".encode()).hexdigest()[:16]
    base = settings.home() / "cache" / f"weights-{key}"
    return base.with_suffix(".f32"), base.with_suffix(".json")


def prepared(source: Path, prepare: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """`prepare()`'s float32 arrays, from the cache when `source` did not change since they were stored."""
    data_path, index_path = _paths(source)
    try:
        index = json.loads(index_path.read_text())
        flat = np.memmap(data_path, dtype=np.float32, mode="r")
        if index.get("size") == flat.size:
            return {
                name: flat[offset : offset + int(np.prod(shape))].reshape(shape)
                for name, (offset, shape) in index["arrays"].items()
            }
    except (OSError, ValueError, KeyError):
        pass
    arrays = prepare()
    try:
        data_path.parent.mkdir(parents=True, exist_ok=True)
        layout, offset = {}, 0
        tmp = data_path.with_name(data_path.name + f".tmp{os.getpid()}")
        with open(tmp, "wb") as fh:
            for name, array in arrays.items():
                block = np.ascontiguousarray(array, dtype=np.float32)
                fh.write(block.tobytes())
                layout[name] = (offset, list(block.shape))
                offset += block.size
        os.replace(tmp, data_path)
        index_tmp = index_path.with_name(index_path.name + f".tmp{os.getpid()}")
        index_tmp.write_text(json.dumps({"size": offset, "arrays": layout}))
        os.replace(index_tmp, index_path)  # written last: an index always describes a complete data file
    except OSError as exc:  # a read-only home: correct, only slower next time
        log.debug("weights not cached: %s", exc)
    return arrays
