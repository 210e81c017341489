"""Catalog files: loading, problems with file and line, round-trip rewrites."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from copilot.catalog.model import Field
from copilot.catalog.store import YamlCatalogStore
from copilot.errors import RequestError
from copilot.settings import DEMO_CATALOG_DIR

ROOT = Path(__file__).resolve().parents[2]

GOOD = """\
# a hand-written comment that must survive
topic: clicks
description: Clicks on ads.
team_owner: growth   # unknown key, kept
changelog: append
event_time: ts
fields:
  - name: id
    type: STRING
    description: Click id.
    pii: false
  - name: ts
    type: TIMESTAMP_LTZ(3)
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_catalog_loads_without_problems():
    load = YamlCatalogStore(DEMO_CATALOG_DIR).load()
    assert set(load.topics) == {
        "orders",
        "payments",
        "shipments",
        "page_views",
        "customers",
        "products",
        "payments_avro",
        "shipments_avro",
    }
    assert [str(p) for p in load.problems] == []
    customers = load.topics["customers"]
    assert customers.is_upsert and customers.primary_key == ["customer_id"] and customers.event_time == "updated_at"
    assert load.topics["orders"].field("country").values["DE"] == "Germany"
    assert "revenue" in load.topics["orders"].field("amount").synonyms
    for schema in load.topics.values():
        assert 3 <= len(schema.examples) <= 6, schema.topic


def test_unknown_type_reported_with_file_and_line_rest_loads(tmp_path):
    write(tmp_path, "good.yaml", GOOD)
    bad = write(tmp_path, "bad.yaml", "topic: bad\nfields:\n  - name: a\n    type: STRING\n  - name: b\n    type: VARCHARR(10)\n")
    load = YamlCatalogStore(tmp_path).load()
    assert set(load.topics) == {"clicks"}
    [problem] = load.problems
    assert problem.file == str(bad) and problem.line == 6
    assert "VARCHARR" in problem.message


def test_yaml_syntax_error_reported_with_line(tmp_path):
    write(tmp_path, "good.yaml", GOOD)
    write(tmp_path, "broken.yaml", "topic: broken\nfields:\n  - name: a\n    type: [STRING\n  - oops: }\n")
    load = YamlCatalogStore(tmp_path).load()
    assert set(load.topics) == {"clicks"}
    [problem] = load.problems
    assert problem.file.endswith("broken.yaml") and problem.line is not None and problem.line >= 4
    assert "YAML" in problem.message


@pytest.mark.parametrize(
    "body, needle, line",
    [
        ("topic: t\nchangelog: upsert\nfields:\n  - name: a\n    type: STRING\n", "primary_key", 2),
        ("topic: t\nevent_time: a\nfields:\n  - name: a\n    type: STRING\n", "TIMESTAMP", 2),
        ("topic: t\nprimary_key: [zz]\nfields:\n  - name: a\n    type: STRING\n", "zz", 2),
        ("topic: t\nfields: []\n", "fields", 2),
        ("description: no topic\nfields:\n  - name: a\n    type: INT\n", "topic", 1),
        ("topic: t\nchangelog: retract\nfields:\n  - name: a\n    type: INT\n", "retract", 2),
    ],
)
def test_structural_problems(tmp_path, body, needle, line):
    write(tmp_path, "t.yaml", body)
    load = YamlCatalogStore(tmp_path).load()
    assert load.topics == {}
    assert any(needle in p.message and p.line == line for p in load.problems), [str(p) for p in load.problems]


def test_round_trip_keeps_unknown_keys_comments_and_order(tmp_path):
    path = write(tmp_path, "clicks.yaml", GOOD)
    store = YamlCatalogStore(tmp_path)
    schema = store.get("clicks")
    schema.fields.append(Field("campaign", "STRING", added_by_sync=True))
    store.save(schema)
    text = path.read_text()
    assert "# a hand-written comment that must survive" in text
    assert "team_owner: growth   # unknown key, kept" in text
    assert "pii: false" in text
    assert text.index("team_owner") < text.index("changelog") < text.index("fields")
    assert "campaign" in text and "added_by_sync: true" in text
    again = YamlCatalogStore(tmp_path).get("clicks")
    assert [f.name for f in again.fields] == ["id", "ts", "campaign"]
    assert again.field("id").description == "Click id."


def test_unchanged_save_is_byte_identical(tmp_path):
    shutil.copytree(DEMO_CATALOG_DIR, tmp_path / "c")
    store = YamlCatalogStore(tmp_path / "c")
    for name, schema in store.load().topics.items():
        before = Path(schema.source_file).read_text()
        store.save(schema)
        assert Path(schema.source_file).read_text() == before, name


def test_get_unknown_topic_suggests_close_names():
    with pytest.raises(RequestError) as info:
        YamlCatalogStore(DEMO_CATALOG_DIR).get("order")
    assert "orders" in (info.value.hint or "")


def test_remove_forgets_a_topic_and_its_file_only(tmp_path):
    (tmp_path / "clicks.yaml").write_text(GOOD)
    shutil.copy(DEMO_CATALOG_DIR / "orders.yaml", tmp_path / "orders.yaml")
    store = YamlCatalogStore(tmp_path)
    assert store.remove("clicks") == str(tmp_path / "clicks.yaml")
    assert not (tmp_path / "clicks.yaml").exists()
    assert set(store.load().topics) == {"orders"}
    assert store.remove("clicks") is None  # gone already: nothing to do
