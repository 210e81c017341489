"""The Flink `CREATE TABLE` for a catalog topic. Connector options come only from here, never from user input."""

from __future__ import annotations

import re

from copilot import settings
from copilot.catalog.model import TopicSchema
from copilot.errors import RequestError

STARTUP_MODES = ("latest-offset", "earliest-offset", "group-offsets", "timestamp", "specific-offsets")

_DELAY = re.compile(r"^\s*(\d+)\s*(ms|milli(?:second)?s?|s|sec(?:ond)?s?|m|min(?:ute)?s?|h|hours?)?\s*$", re.IGNORECASE)


def quote_identifier(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def watermark_interval(delay: str) -> str:
    """'5 s' -> "INTERVAL '5' SECOND"; '500 ms' -> "INTERVAL '0.5' SECOND"."""
    m = _DELAY.match(delay or "5 s")
    if not m:
        raise RequestError(f"watermark_delay {delay!r} is not a duration", hint="write it like '5 s', '500 ms' or '1 min'")
    amount, unit = int(m.group(1)), (m.group(2) or "s").lower()
    if unit.startswith("ms") or unit.startswith("milli"):
        return f"INTERVAL '{amount / 1000:g}' SECOND"
    if unit.startswith("h"):
        return f"INTERVAL '{amount}' HOUR"
    if unit.startswith("m"):
        return f"INTERVAL '{amount}' MINUTE"
    return f"INTERVAL '{amount}' SECOND"


def connector_options(
    schema: TopicSchema,
    *,
    bootstrap: str,
    startup_mode: str = "latest-offset",
    group_id: str | None = None,
) -> dict[str, str]:
    if schema.format not in ("json", AVRO_CONFLUENT):
        raise RequestError(
            f"topic {schema.topic!r} has format {schema.format!r}; only json and avro-confluent topics can be queried",
            hint="set `format: json` in its catalog file if its records are JSON",
        )
    json_options = {"ignore-parse-errors": "true", "timestamp-format.standard": "ISO-8601"}
    value_options = {"url": _registry_url(schema)} if schema.format == AVRO_CONFLUENT else json_options
    if schema.is_upsert:
        # upsert-kafka always reads the whole topic: a table needs every key's latest row.
        options = {"connector": "upsert-kafka", "topic": schema.topic, "properties.bootstrap.servers": bootstrap}
        options["key.format"] = schema.key_format if schema.key_format in ("raw", "json") else "raw"
        if options["key.format"] == "json":
            options.update({f"key.json.{k}": v for k, v in json_options.items()})
        options["value.format"] = schema.format
        options.update({f"value.{schema.format}.{k}": v for k, v in value_options.items()})
        return options
    if startup_mode not in STARTUP_MODES:
        raise RequestError(f"unknown scan startup mode {startup_mode!r}", hint=f"use one of {', '.join(STARTUP_MODES)}")
    options = {"connector": "kafka", "topic": schema.topic, "properties.bootstrap.servers": bootstrap, "scan.startup.mode": startup_mode}
    if group_id:
        options["properties.group.id"] = group_id
    options["format"] = schema.format
    options.update({f"{schema.format}.{k}": v for k, v in value_options.items()})
    return options


AVRO_CONFLUENT = "avro-confluent"
_LTZ = re.compile(r"^TIMESTAMP_LTZ(\(\d\))?$", re.IGNORECASE)


def _registry_url(schema: TopicSchema) -> str:
    url = settings.schema_registry_url()
    if not url:
        raise RequestError(f"topic {schema.topic!r} is Confluent-framed Avro, but no Schema Registry is configured",
                           hint="set SCHEMA_REGISTRY_URL, or run `flink-copilot up` (it starts a local registry)")
    return url


def physical_type(schema: TopicSchema, flink_type: str) -> str:
    """The column type Flink reads a field as. Flink 2.2's avro-confluent format reads Avro timestamp-millis only
    as TIMESTAMP(3) (its TIMESTAMP_LTZ mapping is not offered by that format); with the session in UTC (the
    stack's table.local-time-zone) that is the instant's UTC wall-clock time."""
    if schema.format == AVRO_CONFLUENT:
        m = _LTZ.match(flink_type.strip())
        if m:
            return f"TIMESTAMP{m.group(1) or '(6)'}"
    return flink_type


def create_table_sql(
    schema: TopicSchema,
    *,
    bootstrap: str | None = None,
    temporary: bool = False,
    table_name: str | None = None,
    startup_mode: str = "latest-offset",
    group_id: str | None = None,
    if_not_exists: bool = False,
    sink_options: dict[str, str] | None = None,
) -> str:
    """The Flink `CREATE TABLE` statement reading `schema`'s topic (kafka, or upsert-kafka for upsert topics)."""
    bootstrap = bootstrap or settings.get("KAFKA_BOOTSTRAP") or "localhost:9092"
    columns = [f"  {quote_identifier(f.name)} {physical_type(schema, f.type)}" for f in schema.fields]
    if schema.event_time:
        et = quote_identifier(schema.event_time)
        columns.append(f"  WATERMARK FOR {et} AS {et} - {watermark_interval(schema.watermark_delay)}")
    if schema.is_upsert:
        if not schema.primary_key:
            raise RequestError(f"upsert topic {schema.topic!r} has no primary_key", hint="add `primary_key:` to its catalog file")
        columns.append(f"  PRIMARY KEY ({', '.join(quote_identifier(k) for k in schema.primary_key)}) NOT ENFORCED")
    options = connector_options(schema, bootstrap=bootstrap, startup_mode=startup_mode, group_id=group_id)
    options.update(sink_options or {})  # product-controlled sink settings of saved jobs (copilot.jobs)
    with_lines = ",\n".join(f"  {_literal(k)} = {_literal(v)}" for k, v in options.items())
    head = "CREATE TEMPORARY TABLE" if temporary else "CREATE TABLE"
    if if_not_exists:
        head += " IF NOT EXISTS"
    name = quote_identifier(table_name or schema.table_name)
    return f"{head} {name} (\n" + ",\n".join(columns) + f"\n) WITH (\n{with_lines}\n)"


def create_table_statement(schema: TopicSchema, **options) -> "TrustedStatement":
    """The same CREATE TABLE (same keyword arguments as create_table_sql) as a TrustedStatement, the
    form the Flink client registers tables with."""
    from copilot.sql.statement import TrustedStatement

    return TrustedStatement.create_table(options.get("table_name") or schema.table_name, create_table_sql(schema, **options))


def table_statements(tables, topics) -> dict[str, "TrustedStatement"]:
    """{table: its CREATE TABLE statement} for the catalog tables among `tables`."""
    return {t: create_table_statement(topics[t]) for t in tables if t in topics}


def replay_table_sql(schema: TopicSchema, *, end_offsets: dict[int, int], start_offsets: dict[int, int] | None = None,
                     watermark_delay: str | None = None, bootstrap: str | None = None) -> str:
    """A bounded replay of `schema`'s topic, under the topic's own table name (copilot.eval): an append
    topic from `start_offsets` to `end_offsets` (exclusive), an upsert topic from its beginning to
    `end_offsets` (upsert-kafka has a bounded mode but no start position). `watermark_delay` replaces
    the catalog's delay (a replay uses at least the slice's largest observed lateness)."""
    import dataclasses

    def positions(offsets: dict[int, int]) -> str:
        return ";".join(f"partition:{int(p)},offset:{int(o)}" for p, o in sorted(offsets.items()))

    if not end_offsets:
        raise RequestError(f"no end offsets for the replay of {schema.topic!r}", hint="pin the slice first (copilot.eval.slice)")
    bounded = {"scan.bounded.mode": "specific-offsets", "scan.bounded.specific-offsets": positions(end_offsets)}
    if not schema.is_upsert:
        if not start_offsets:
            raise RequestError(f"no start offsets for the replay of {schema.topic!r}")
        bounded = {"scan.startup.mode": "specific-offsets", "scan.startup.specific-offsets": positions(start_offsets),
                   **bounded}
    replayed = dataclasses.replace(schema, watermark_delay=watermark_delay or schema.watermark_delay)
    return create_table_sql(replayed, bootstrap=bootstrap, temporary=True, sink_options=bounded)


def replay_table_statement(schema: TopicSchema, **replay) -> "TrustedStatement":
    """replay_table_sql as the TrustedStatement the Flink client registers tables with."""
    from copilot.sql.statement import TrustedStatement

    return TrustedStatement.create_table(schema.table_name, replay_table_sql(schema, **replay))
