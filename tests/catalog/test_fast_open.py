"""What keeps `ask` and `validate` under a second: a topic index persisted without chromadb for small catalogs
(unchanged topics are not embedded again by the next process), and the parsed catalog cached by file mtimes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zlib

import numpy as np

from copilot.catalog import load_cache
from copilot.catalog.embedding import Embedder
from copilot.catalog.index import HybridTopicIndex
from copilot.catalog.store import CatalogLoad, YamlCatalogStore
from copilot.settings import DEMO_CATALOG_DIR, PROJECT_ROOT


class CountingEmbedder(Embedder):
    """Bag of hashed words: deterministic, and it counts the texts it embeds."""

    name = "counting"
    dimension = 64

    def __init__(self):
        self.embedded = 0

    def embed(self, texts):
        self.embedded += len(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, zlib.crc32(word.encode()) % self.dimension] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def test_a_new_process_does_not_re_embed_unchanged_topics(tmp_path):
    topics = YamlCatalogStore(DEMO_CATALOG_DIR).load().topics
    first = CountingEmbedder()
    report = HybridTopicIndex(tmp_path, embedder=first, namespace="t").index(topics)
    assert report.embedded == len(topics) == first.embedded
    assert list(tmp_path.glob("*.npz")), "the vectors are persisted in a numpy file"

    second = CountingEmbedder()  # as a new process would: a fresh index object over the same directory
    index = HybridTopicIndex(tmp_path, embedder=second, namespace="t")
    report = index.index(topics)
    assert report.embedded == 0 and report.unchanged == len(topics) and second.embedded == 0
    assert "orders" in [hit.topic for hit in index.search("orders", 3)]  # and it answers from the stored vectors

    changed = dict(topics)
    orders = changed["orders"]
    changed["orders"] = type(orders)(**{**orders.__dict__, "description": orders.description + " Also returns."})
    report = HybridTopicIndex(tmp_path, embedder=CountingEmbedder(), namespace="t").index(changed)
    assert report.updated == ["orders"] and report.embedded == 1


def test_small_catalogs_keep_chromadb_off_the_import_path(tmp_path):
    code = (
        "import sys\nfrom copilot.cli import main\n"
        "main(['catalog', 'search', 'payment declines', '--json'])\n"
        "assert 'chromadb' not in sys.modules, 'chromadb was imported'\n"
    )
    env = {**os.environ, "FLINK_COPILOT_HOME": str(tmp_path / "home"), "COPILOT_EMBEDDING_MODEL": "minilm"}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert '"topic": "payments"' in out.stdout


def test_parsed_catalog_is_cached_and_a_changed_file_is_read_again(tmp_path, monkeypatch):
    monkeypatch.setenv("FLINK_COPILOT_HOME", str(tmp_path / "home"))
    catalog = tmp_path / "cat"
    shutil.copytree(DEMO_CATALOG_DIR, catalog)
    first = YamlCatalogStore(catalog).load()
    assert load_cache.cache_path(catalog).exists()

    import copilot.catalog.store as store_module

    def no_parsing(path):
        raise AssertionError(f"{path} parsed again although it did not change")

    monkeypatch.setattr(store_module, "parse_file", no_parsing)
    again = YamlCatalogStore(catalog).load()  # a new store, as in a new process: from the cache
    monkeypatch.undo()
    monkeypatch.setenv("FLINK_COPILOT_HOME", str(tmp_path / "home"))
    assert isinstance(again, CatalogLoad) and again is not first
    assert set(again.topics) == set(first.topics)

    path = catalog / "orders.yaml"
    path.write_text(path.read_text().replace("description: ", "description: Edited. ", 1))
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10_000_000))
    edited = YamlCatalogStore(catalog).load()
    assert edited.topics["orders"].description.startswith("Edited.")


def test_a_cache_others_can_write_is_not_trusted(tmp_path, monkeypatch):
    monkeypatch.setenv("FLINK_COPILOT_HOME", str(tmp_path / "home"))
    catalog = tmp_path / "cat"
    shutil.copytree(DEMO_CATALOG_DIR, catalog)
    YamlCatalogStore(catalog).load()
    cache = load_cache.cache_path(catalog)
    os.chmod(cache, 0o666)
    signature = YamlCatalogStore(catalog)._signature(YamlCatalogStore(catalog)._files())
    assert load_cache.read(catalog, (str(catalog), signature)) is None
