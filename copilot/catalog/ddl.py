"""The Flink `CREATE TABLE` for a catalog topic. Connector options come only from here, never from user input.

A secured Kafka (COPILOT_KAFKA_SECURITY_PROTOCOL, copilot.kafka.config) adds its `properties.*` options.
The SASL login among them is a secret: `create_table_sql` (what `catalog ddl`, the MCP server and the app
show) writes it as `'****'`; `create_table_statement` and `replay_table_statement` carry the value beside
the text, inside the TrustedStatement, and only the request body the Flink client sends holds it."""

from __future__ import annotations

import re

from copilot import settings
from copilot.catalog.model import TopicSchema
from copilot.errors import RequestError
from copilot.kafka import config as kafka_config
from copilot.sql.quoting import quote_name, string_literal
from copilot.sql.statement import SECRET_MASK, TrustedStatement
from copilot.sql.types import DURATION_UNIT_SECONDS, split_duration

STARTUP_MODES = ("latest-offset", "earliest-offset", "group-offsets", "timestamp", "specific-offsets")

_INTERVAL_UNITS = {"s": "SECOND", "m": "MINUTE", "h": "HOUR", "d": "DAY"}


def watermark_interval(delay: str) -> str:
    """'5 s' -> "INTERVAL '5' SECOND"; '500 ms' -> "INTERVAL '0.5' SECOND"; '2 min' -> "INTERVAL '2' MINUTE"."""
    split = split_duration(delay or "5 s")
    if split is None:
        raise RequestError(f"watermark_delay {delay!r} is not a duration", hint="write it like '5 s', '500 ms' or '1 min'")
    amount, unit = split
    if unit == "ms" or not amount.is_integer():
        return f"INTERVAL '{amount * DURATION_UNIT_SECONDS[unit]:g}' SECOND"
    return f"INTERVAL '{int(amount)}' {_INTERVAL_UNITS[unit]}"


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
        options = {
            "connector": "upsert-kafka",
            "topic": schema.topic,
            "properties.bootstrap.servers": bootstrap,
            **kafka_config.flink_properties(bootstrap),
        }
        options["key.format"] = schema.key_format if schema.key_format in ("raw", "json") else "raw"
        if options["key.format"] == "json":
            options.update({f"key.json.{k}": v for k, v in json_options.items()})
        options["value.format"] = schema.format
        options.update({f"value.{schema.format}.{k}": v for k, v in value_options.items()})
        return options
    if startup_mode not in STARTUP_MODES:
        raise RequestError(f"unknown scan startup mode {startup_mode!r}", hint=f"use one of {', '.join(STARTUP_MODES)}")
    options = {
        "connector": "kafka",
        "topic": schema.topic,
        "properties.bootstrap.servers": bootstrap,
        **kafka_config.flink_properties(bootstrap),
        "scan.startup.mode": startup_mode,
    }
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
        raise RequestError(
            f"topic {schema.topic!r} is Confluent-framed Avro, but no Schema Registry is configured",
            hint="set SCHEMA_REGISTRY_URL, or run `flink-copilot up` (it starts a local registry)",
        )
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


def _create_table(
    schema: TopicSchema,
    *,
    bootstrap: str | None = None,
    temporary: bool = False,
    table_name: str | None = None,
    startup_mode: str = "latest-offset",
    group_id: str | None = None,
    if_not_exists: bool = False,
    sink_options: dict[str, str] | None = None,
) -> tuple[str, dict[str, str]]:
    """(the CREATE TABLE with secret option values masked, {secret option: its value})."""
    bootstrap = bootstrap or kafka_config.bootstrap()
    columns = [f"  {quote_name(f.name)} {physical_type(schema, f.type)}" for f in schema.fields]
    if schema.event_time:
        et = quote_name(schema.event_time)
        columns.append(f"  WATERMARK FOR {et} AS {et} - {watermark_interval(schema.watermark_delay)}")
    if schema.is_upsert:
        if not schema.primary_key:
            raise RequestError(f"upsert topic {schema.topic!r} has no primary_key", hint="add `primary_key:` to its catalog file")
        columns.append(f"  PRIMARY KEY ({', '.join(quote_name(k) for k in schema.primary_key)}) NOT ENFORCED")
    options = connector_options(schema, bootstrap=bootstrap, startup_mode=startup_mode, group_id=group_id)
    options.update(sink_options or {})  # product-controlled sink settings of saved jobs (copilot.jobs)
    secrets = {k: options[k] for k in kafka_config.SECRET_FLINK_OPTIONS if k in options}
    shown = {k: SECRET_MASK if k in secrets else v for k, v in options.items()}
    with_lines = ",\n".join(f"  {string_literal(k)} = {string_literal(v)}" for k, v in shown.items())
    head = "CREATE TEMPORARY TABLE" if temporary else "CREATE TABLE"
    if if_not_exists:
        head += " IF NOT EXISTS"
    name = quote_name(table_name or schema.table_name)
    return f"{head} {name} (\n" + ",\n".join(columns) + f"\n) WITH (\n{with_lines}\n)", secrets


def create_table_sql(schema: TopicSchema, **options) -> str:
    """The Flink `CREATE TABLE` statement reading `schema`'s topic (kafka, or upsert-kafka for upsert
    topics), as shown to people: a secret option's value reads '****'. Keyword arguments: bootstrap,
    temporary, table_name, startup_mode, group_id, if_not_exists, sink_options."""
    return _create_table(schema, **options)[0]


def create_table_statement(schema: TopicSchema, **options) -> TrustedStatement:
    """The same CREATE TABLE (same keyword arguments as create_table_sql) as a TrustedStatement, the
    form the Flink client registers tables with; it carries the secret option values for Flink."""
    ddl, secrets = _create_table(schema, **options)
    return TrustedStatement.create_table(options.get("table_name") or schema.table_name, ddl, secrets)


def table_statements(tables, topics) -> dict[str, "TrustedStatement"]:
    """{table: its CREATE TABLE statement} for the catalog tables among `tables`."""
    return {t: create_table_statement(topics[t]) for t in tables if t in topics}


def _replay_options(
    schema: TopicSchema,
    *,
    end_offsets: dict[int, int],
    start_offsets: dict[int, int] | None = None,
    watermark_delay: str | None = None,
    bootstrap: str | None = None,
) -> tuple[TopicSchema, dict]:
    import dataclasses

    def positions(offsets: dict[int, int]) -> str:
        return ";".join(f"partition:{int(p)},offset:{int(o)}" for p, o in sorted(offsets.items()))

    if not end_offsets:
        raise RequestError(f"no end offsets for the replay of {schema.topic!r}", hint="pin the slice first (copilot.eval.slice)")
    bounded = {"scan.bounded.mode": "specific-offsets", "scan.bounded.specific-offsets": positions(end_offsets)}
    if not schema.is_upsert:
        if not start_offsets:
            raise RequestError(f"no start offsets for the replay of {schema.topic!r}")
        bounded = {"scan.startup.mode": "specific-offsets", "scan.startup.specific-offsets": positions(start_offsets), **bounded}
    replayed = dataclasses.replace(schema, watermark_delay=watermark_delay or schema.watermark_delay)
    return replayed, {"bootstrap": bootstrap, "temporary": True, "sink_options": bounded}


def replay_table_sql(schema: TopicSchema, **replay) -> str:
    """A bounded replay of `schema`'s topic, under the topic's own table name (copilot.eval): an append
    topic from `start_offsets` to `end_offsets` (exclusive), an upsert topic from its beginning to
    `end_offsets` (upsert-kafka has a bounded mode but no start position). `watermark_delay` replaces
    the catalog's delay (a replay uses at least the slice's largest observed lateness). Keyword
    arguments: end_offsets, start_offsets, watermark_delay, bootstrap."""
    replayed, options = _replay_options(schema, **replay)
    return create_table_sql(replayed, **options)


def replay_table_statement(schema: TopicSchema, **replay) -> TrustedStatement:
    """replay_table_sql as the TrustedStatement the Flink client registers tables with."""
    replayed, options = _replay_options(schema, **replay)
    return create_table_statement(replayed, **options)
