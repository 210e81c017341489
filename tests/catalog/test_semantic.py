"""Semantic annotations (contract section 3): metrics, value synonyms, units, verified queries."""

from __future__ import annotations

import shutil
from pathlib import Path

from copilot import settings
from copilot.catalog.model import VerifiedQuery
from copilot.catalog.store import YamlCatalogStore

BASE = """# sensors of a plant; a comment a person wrote
topic: readings
format: json
changelog: append
event_time: ts
owner: plant-team          # a key this program does not know
fields:
  - name: sensor
    type: STRING
  - name: level
    type: STRING
    values:
      hi: {label: High, synonyms: [alarm, critical]}
      lo: Low
  - name: temp
    type: DOUBLE
    unit: celsius
  - name: cost
    type: DECIMAL(10, 2)
    currency_field: cur
  - name: cur
    type: STRING
  - name: ts
    type: TIMESTAMP_LTZ(3)
metrics:
  - name: mean_temperature
    expression: AVG(temp)
    synonyms: [average heat]
    description: Mean of the readings.
  - name: alarms
    expression: COUNT(*)
    filter: level = 'hi'
"""


def _store(tmp_path: Path, text: str) -> YamlCatalogStore:
    (tmp_path / "readings.yaml").write_text(text)
    return YamlCatalogStore(tmp_path)


def test_metrics_values_units_are_read(tmp_path):
    load = _store(tmp_path, BASE).load()
    assert not load.problems
    t = load.topics["readings"]
    assert [m.name for m in t.metrics] == ["mean_temperature", "alarms"]
    assert t.metric("ALARMS").filter == "level = 'hi'"
    assert t.metric("mean_temperature").synonyms == ["average heat"]
    level = t.field("level")
    assert level.values == {"hi": "High", "lo": "Low"}
    assert level.value_synonyms() == {"hi": ["High", "alarm", "critical"], "lo": ["Low"]}
    assert t.field("temp").unit == "celsius"
    assert t.field("cost").currency_field == "cur"


def test_bad_metric_expression_is_reported_with_file_and_line(tmp_path):
    bad = BASE.replace("expression: AVG(temp)", "expression: AVG(tmep)")
    load = _store(tmp_path, bad).load()
    assert "readings" not in load.topics
    [problem] = load.problems
    assert problem.file.endswith("readings.yaml") and problem.line == bad.splitlines().index("    expression: AVG(tmep)") + 1
    assert "tmep" in problem.message and "not a field" in problem.message


def test_metric_must_aggregate_and_parse(tmp_path):
    for expression, words in [
        ("temp * 2", "must aggregate"),
        ("SUM(temp", "not a Flink SQL expression"),
        ("temp + SUM(temp)", "outside an aggregate"),
    ]:
        load = _store(tmp_path, BASE.replace("AVG(temp)", expression)).load()
        assert load.problems and words in load.problems[0].message, (expression, load.problems)


def test_bad_metric_filter_and_currency_field(tmp_path):
    load = _store(tmp_path, BASE.replace("filter: level = 'hi'", "filter: COUNT(*) > 1")).load()
    assert "single rows" in load.problems[0].message
    load = _store(tmp_path, BASE.replace("currency_field: cur", "currency_field: money")).load()
    assert (
        "currency_field 'money'" in load.problems[0].message
        and load.problems[0].line == BASE.splitlines().index("    currency_field: cur") + 1
    )


def test_verified_query_round_trips_with_comments_and_unknown_keys(tmp_path):
    store = _store(tmp_path, BASE)
    schema = store.load().topics["readings"]
    schema.verified_queries.append(
        VerifiedQuery(
            "Alarms per sensor",
            "SELECT sensor, COUNT(*) AS alarms FROM readings WHERE level = 'hi' GROUP BY sensor",
            "ana",
            "2026-12-01T06:00:00Z",
        )
    )
    store.save(schema)
    text = (tmp_path / "readings.yaml").read_text()
    assert (
        "# sensors of a plant; a comment a person wrote" in text
        and "owner: plant-team          # a key this program does not know" in text
    )
    assert "hi: {label: High, synonyms: [alarm, critical]}" in text
    again = YamlCatalogStore(tmp_path).load().topics["readings"]
    assert again.verified_queries == schema.verified_queries
    assert [m.name for m in again.metrics] == ["mean_temperature", "alarms"] and again.field("temp").unit == "celsius"
    store.save(again)  # a second save changes nothing
    assert (tmp_path / "readings.yaml").read_text() == text


def test_demo_catalog_carries_the_business_vocabulary(tmp_path):
    shutil.copytree(settings.DEMO_CATALOG_DIR, tmp_path, dirs_exist_ok=True)
    load = YamlCatalogStore(tmp_path).load()
    assert not [p for p in load.problems if p.severity == "error"]
    topics = load.topics
    every_metric_word = {w.lower() for t in topics.values() for m in t.metrics for w in m.words}
    assert {
        "revenue",
        "gmv",
        "turnover",
        "takings",
        "aov",
        "units sold",
        "decline rate",
        "visits",
        "page views",
    } <= every_metric_word
    assert "approved" in topics["payments"].field("status").value_synonyms()["authorized"]
    assert "pounds" in topics["orders"].field("currency").value_synonyms()["GBP"]
    assert "German" in topics["customers"].field("country").value_synonyms()["DE"]
    assert "small business" in topics["customers"].field("segment").value_synonyms()["smb"]
    assert topics["payments"].field("amount").currency_field == "currency"
    # saving the demo catalog back changes nothing (annotations are written as they were read)
    before = {p.name: p.read_text() for p in tmp_path.glob("*.yaml")}
    store = YamlCatalogStore(tmp_path)
    for schema in store.load().topics.values():
        store.save(schema)
    assert {p.name: p.read_text() for p in tmp_path.glob("*.yaml")} == before


def _records(rows):
    import json

    return [(None, json.dumps(r).encode()) for r in rows]


def test_sync_infers_values_of_low_cardinality_text_fields_only():
    from copilot.catalog.inference import infer_schema

    rows = [
        {"id": f"r{i}", "mode": ["a", "b", "c"][i % 3], "note": "x" * 50 if i == 0 else f"n{i % 3}", "n": i % 3}
        for i in range(40)
    ]
    schema = infer_schema("t", _records(rows), compacted=False).schema
    assert schema.field("mode").values == {"a": "a", "b": "b", "c": "c"} and schema.field("mode").values_inferred
    assert schema.field("id").values == {}  # an id: every value once
    assert schema.field("n").values == {}  # not text
    assert schema.field("note").values == {}  # a value longer than a category name
    few = infer_schema("t", _records(rows[:10]), compacted=False).schema
    assert few.field("mode").values == {}  # too few samples to tell


def test_sync_never_overwrites_values_a_person_wrote(tmp_path):
    from copilot.catalog.inference import infer_schema
    from copilot.catalog.sync import merge

    store = _store(tmp_path, BASE)
    existing = store.load().topics["readings"]
    rows = [
        {"sensor": ["s1", "s2"][i % 2], "level": ["hi", "lo", "mid"][i % 3], "temp": 1.5, "ts": "2026-12-01T00:00:00Z"}
        for i in range(30)
    ]
    merged, _, notes = merge(existing, infer_schema("readings", _records(rows), compacted=False).schema)
    assert merged.field("level").values == {"hi": "High", "lo": "Low"}  # a person's values stay as written
    assert merged.field("level").value_words == {"hi": ["alarm", "critical"]}
    assert merged.field("sensor").values == {"s1": "s1", "s2": "s2"} and merged.field("sensor").values_inferred
    store.save(merged)
    text = (tmp_path / "readings.yaml").read_text()
    assert "hi: {label: High, synonyms: [alarm, critical]}" in text and "values_inferred: true" in text
    # values sync inferred before are extended by what it sees later; a person's edit ends that
    rows[0]["sensor"] = "s3"
    again = YamlCatalogStore(tmp_path).load().topics["readings"]
    merged, _, _ = merge(again, infer_schema("readings", _records(rows * 2), compacted=False).schema)
    assert set(merged.field("sensor").values) == {"s1", "s2", "s3"}


def test_default_aggregate_of_a_field(tmp_path):
    text = BASE.replace("    unit: celsius\n", "    unit: celsius\n    aggregate: AVG\n")
    t = _store(tmp_path, text).load().topics["readings"]
    assert t.field("temp").aggregate == "avg"
    bad = _store(
        tmp_path, BASE.replace("    type: STRING\n    values:", "    type: STRING\n    aggregate: sum\n    values:")
    ).load()
    assert "aggregate sum needs a number" in bad.problems[0].message and bad.problems[0].line
    assert "not one of" in _store(tmp_path, text.replace("aggregate: AVG", "aggregate: median")).load().problems[0].message


def test_catalog_show_lists_the_semantic_layer(tmp_path, capsys):
    import json

    from copilot.cli import main

    shutil.copytree(settings.DEMO_CATALOG_DIR, tmp_path, dirs_exist_ok=True)
    assert main(["catalog", "show", "payments", "--json", "--catalog-dir", str(tmp_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {m["name"] for m in data["metrics"]} >= {"decline_share", "refund_amount"}
    status = next(f for f in data["fields"] if f["name"] == "status")
    assert "approved" in status["value_synonyms"]["authorized"]
    assert next(f for f in data["fields"] if f["name"] == "amount")["currency_field"] == "currency"
    assert data["verified_queries"] == []
    assert main(["catalog", "show", "payments", "--catalog-dir", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "metrics:" in text and "refund_amount = SUM(amount) WHERE status = 'refunded'" in text and "approved" in text


def test_topic_synonyms_and_verbs_are_read_kept_and_name_the_topic(tmp_path):
    text = BASE.replace(
        "changelog: append\n",
        "changelog: append\nsynonyms: [measurements]   # other names of the rows\nverbs: [measured, logged]\n",
    )
    store = _store(tmp_path, text)
    t = store.load().topics["readings"]
    assert t.synonyms == ["measurements"] and t.verbs == ["measured", "logged"]
    store.save(t)
    saved = (tmp_path / "readings.yaml").read_text()
    assert "synonyms: [measurements]   # other names of the rows" in saved and "verbs: [measured, logged]" in saved
    from copilot.agent.builtin.vocab import vocabulary_for
    from copilot.catalog.index import document_text

    vocab = vocabulary_for({"readings": t})
    assert [e.kind for e in vocab.lookup(["measurements"])] == ["topic"]
    from copilot.agent.builtin.text import stem

    assert [e.kind for e in vocab.lookup(["logged"])] == ["topic"] and (stem("logged"),) in vocab.topic_verbs
    assert "measured" in document_text(t) and "measurements" in document_text(t)


def test_unique_key_is_read_and_a_field_it_does_not_have_is_left_out(tmp_path):
    text = BASE.replace("changelog: append\n", "changelog: append\nunique_key: [sensor, level, nope]\n")
    t = _store(tmp_path, text).load().topics["readings"]
    assert t.unique_key == ["sensor", "level"]


def test_sum_per_currency_is_read_kept_and_needs_a_currency_field(tmp_path):
    text = BASE.replace("    currency_field: cur\n", "    currency_field: cur\n    sum_per_currency: true\n")
    store = _store(tmp_path, text)
    load = store.load()
    assert not load.problems and load.topics["readings"].field("cost").sum_per_currency
    assert not load.topics["readings"].field("temp").sum_per_currency
    store.save(load.topics["readings"])
    assert "sum_per_currency: true" in (tmp_path / "readings.yaml").read_text()
    bad = _store(tmp_path, text.replace("    currency_field: cur\n", "")).load()
    assert "sum_per_currency needs a currency_field" in bad.problems[0].message
    assert (
        bad.problems[0].line == text.replace("    currency_field: cur\n", "").splitlines().index("    sum_per_currency: true") + 1
    )
