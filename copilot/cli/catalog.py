"""`flink-copilot catalog sync|list|show|ddl|search`."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from copilot.catalog.ddl import STARTUP_MODES, create_table_sql
from copilot.catalog.model import TopicSchema
from copilot.catalog.store import CatalogStore
from copilot.cli import add_json_flag, emit, services as cli_services
from copilot.errors import UsageError


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    catalog = subparsers.add_parser(
        "catalog", parents=[parent], help="topic schema catalog: sync, list, show, ddl, search, verify"
    )
    sub = catalog.add_subparsers(dest="catalog_command", metavar="ACTION", parser_class=type(catalog))
    catalog.set_defaults(handler=lambda args: _usage(catalog))

    p = sub.add_parser("sync", parents=[parent], help="introspect Kafka (and a Schema Registry) and update catalog files")
    add_json_flag(p)
    p.add_argument("--topic", action="append", dest="topics", help="only this topic (repeatable)")
    p.add_argument("--sample", type=int, default=200, help="records sampled per topic (default 200)")
    p.add_argument("--sample-seconds", type=float, default=3.0, help="time spent reading each topic at most (default 3)")
    p.set_defaults(handler=cmd_sync)

    p = sub.add_parser("list", parents=[parent], help="topics in the catalog")
    add_json_flag(p)
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("show", parents=[parent], help="one topic: fields, types, event time, key, relationships")
    add_json_flag(p)
    p.add_argument("topic")
    p.add_argument("--sample", type=int, default=0, metavar="N", help="also read the N latest records from Kafka")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("ddl", parents=[parent], help="the Flink CREATE TABLE statement for a topic")
    add_json_flag(p)
    p.add_argument("topic")
    p.add_argument("--startup-mode", choices=STARTUP_MODES, default="latest-offset", help="where an append table starts reading")
    p.add_argument("--temporary", action="store_true", help="CREATE TEMPORARY TABLE")
    p.set_defaults(handler=cmd_ddl)

    p = sub.add_parser("verify", parents=[parent], help="store a query a person confirmed as the answer to a question")
    add_json_flag(p)
    p.add_argument("question", help="the question the query answers")
    p.add_argument("--sql", required=True, help="the Flink SQL query that answers it (validated first)")
    p.add_argument("--by", default=None, help="who verified it (default: $USER)")
    p.add_argument("--no-engine", action="store_true", help="skip the Flink planner check (no SQL Gateway needed)")
    p.add_argument("--no-audit", action="store_true", help="do not write the audit trail to Kafka")
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser("search", parents=[parent], help="the topics most relevant to a question")
    add_json_flag(p)
    p.add_argument("text")
    p.add_argument("--k", type=int, default=5, help="how many topics (default 5)")
    p.add_argument("--lexical", action="store_true", help="BM25 only, without the embedding model")
    p.set_defaults(handler=cmd_search)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _store(args) -> CatalogStore:
    return cli_services(args, audit=False).catalog


def _log_problems(load) -> None:
    import logging

    for problem in load.problems:
        logging.getLogger("copilot.catalog").warning("%s", problem)


def cmd_sync(args) -> None:
    from copilot.catalog.sync import CatalogSync

    if args.sample <= 0:
        raise UsageError("--sample must be at least 1")
    report = CatalogSync(
        _store(args), registry=None, sample_size=args.sample, sample_seconds=args.sample_seconds, topics=args.topics
    ).run()

    def text(data: dict) -> str:
        lines = []
        for t in data["topics"]:
            line = f"{t['status']:<9} {t['topic']}"
            if t.get("added_fields"):
                line += f"  (+ {', '.join(t['added_fields'])})"
            if t.get("reason"):
                line += f"  ({t['reason']})"
            lines.append(line)
            lines.extend(f"          note: {n}" for n in t.get("notes", []))
        if data["internal_skipped"]:
            lines.append(f"internal topics skipped: {', '.join(data['internal_skipped'])}")
        summary = ", ".join(f"{n} {status}" for status, n in sorted(data["summary"].items())) or "no topics"
        lines.append(f"catalog sync: {summary}")
        return "\n".join(lines)

    emit(args, report.to_dict(), text)


def cmd_list(args) -> None:
    load = _store(args).load()
    _log_problems(load)
    rows: list[dict[str, Any]] = [
        {
            "topic": s.topic,
            "changelog": s.changelog,
            "fields": len(s.fields),
            "event_time": s.event_time,
            "description": s.description,
        }
        for s in sorted(load.topics.values(), key=lambda s: s.topic)
    ]
    data = {"topics": rows, "problems": [p.to_dict() for p in load.problems]}

    def text(d: dict) -> str:
        width = max([len(r["topic"]) for r in rows] + [5])
        lines = [f"{'TOPIC':<{width}}  {'KIND':<7} {'FIELDS':>6}  DESCRIPTION"]
        for r in rows:
            desc = (r["description"] or "").split(". ")[0][:70]
            lines.append(f"{r['topic']:<{width}}  {r['changelog']:<7} {r['fields']:>6}  {desc}")
        lines.extend(f"problem: {p['file']}:{p['line'] or ''} {p['message']}" for p in d["problems"])
        return "\n".join(lines)

    emit(args, data, text)


def relationships_both_ways(schema: TopicSchema, topics: dict[str, TopicSchema]) -> list[dict]:
    rels = [
        {"direction": "outgoing", "topic": schema.topic, "field": r.field, "references": r.references}
        for r in schema.relationships
    ]
    for other in sorted(topics.values(), key=lambda s: s.topic):
        for r in other.relationships:
            if r.target_topic == schema.topic and other.topic != schema.topic:
                rels.append({"direction": "incoming", "topic": other.topic, "field": r.field, "references": r.references})
    return rels


def topic_details(schema: TopicSchema, topics: dict[str, TopicSchema]) -> dict:
    return {
        "topic": schema.topic,
        "description": schema.description,
        "format": schema.format,
        "changelog": schema.changelog,
        "key": schema.key,
        "primary_key": schema.primary_key,
        "event_time": schema.event_time,
        "watermark_delay": schema.watermark_delay,
        "fields": [
            {
                "name": f.name,
                "type": f.type,
                "description": f.description,
                "values": f.values,
                "synonyms": f.synonyms,
                "added_by_sync": f.added_by_sync,
                "value_synonyms": {v: w for v, w in f.value_words.items() if w},
                "unit": f.unit,
                "currency_field": f.currency_field,
            }
            for f in schema.fields
        ],
        "relationships": relationships_both_ways(schema, topics),
        "examples": [{"question": e.question, "sql": e.sql} for e in schema.examples],
        "metrics": [
            {"name": m.name, "expression": m.expression, "filter": m.filter, "synonyms": m.synonyms, "description": m.description}
            for m in schema.metrics
        ],
        "verified_queries": [
            {"question": q.question, "sql": q.sql, "verified_by": q.verified_by, "verified_at": q.verified_at}
            for q in schema.verified_queries
        ],
        "file": schema.source_file,
    }


def cmd_show(args) -> None:
    store = _store(args)
    schema = store.get(args.topic)
    data = topic_details(schema, store.load().topics)
    if args.sample and args.sample > 0:
        from copilot.catalog.kafka_io import latest_records

        records = latest_records(schema.topic, args.sample)
        data["sample"] = [r.to_dict() for r in records]

    def text(d: dict) -> str:
        lines = [f"{d['topic']}  ({d['changelog']}, {d['format']})", f"  {d['description']}" if d["description"] else ""]
        lines.append(
            f"  key: {d['key'] or '-'}   primary key: {', '.join(d['primary_key']) or '-'}   event time: {d['event_time'] or '-'} (watermark {d['watermark_delay']})"
        )
        lines.append("  fields:")
        width = max(len(f["name"]) for f in d["fields"])
        for f in d["fields"]:
            extra = f"  values: {', '.join(f['values'])}" if f["values"] else ""
            lines.append(f"    {f['name']:<{width}}  {f['type']:<18} {f['description']}{extra}")
            lines += _semantic_field_lines(f, width)
        if d["relationships"]:
            lines.append("  relationships:")
            for r in d["relationships"]:
                if r["direction"] == "outgoing":
                    lines.append(f"    {d['topic']}.{r['field']} -> {r['references']}")
                else:
                    lines.append(f"    {r['topic']}.{r['field']} -> {r['references']}  (incoming)")
        lines += _semantic_topic_lines(d)
        for rec in d.get("sample", []):
            lines.append(f"  record: {json.dumps(rec['value'], default=str)}")
        return "\n".join(line for line in lines if line != "")

    emit(args, data, text)


def _semantic_field_lines(f: dict, width: int) -> list[str]:
    pad = " " * (width + 6)
    lines = []
    if f.get("synonyms"):
        lines.append(f"{pad}also called: {', '.join(f['synonyms'])}")
    if f.get("unit") or f.get("currency_field"):
        lines.append(f"{pad}unit: {f['unit']}" if f.get("unit") else f"{pad}currency in: {f['currency_field']}")
    for value, words in (f.get("value_synonyms") or {}).items():
        lines.append(f"{pad}{value} ({f['values'].get(value, value)}) also: {', '.join(words)}")
    return lines


def _semantic_topic_lines(d: dict) -> list[str]:
    lines = []
    if d.get("metrics"):
        lines.append("  metrics:")
        for m in d["metrics"]:
            where = f" WHERE {m['filter']}" if m.get("filter") else ""
            also = f"  (also: {', '.join(m['synonyms'])})" if m.get("synonyms") else ""
            lines.append(f"    {m['name']} = {m['expression']}{where}{also}")
            if m.get("description"):
                lines.append(f"      {m['description']}")
    if d.get("verified_queries"):
        lines.append("  verified queries:")
        for q in d["verified_queries"]:
            who = ", ".join(x for x in (q.get("verified_by"), q.get("verified_at")) if x)
            lines.append(f"    {q['question']}" + (f"  [{who}]" if who else ""))
            lines += [f"      {line}" for line in q["sql"].splitlines()]
    return lines


def cmd_verify(args) -> None:
    import getpass

    from copilot.agent.verified import store_verified

    services = cli_services(args)
    try:
        engine = None if args.no_engine else services.gateway
        # a change to what the copilot answers is audited: no Kafka, no change (exit 3)
        audit = services.require_audit() if services.audit is not None else None
        who = args.by or os.environ.get("USER") or getpass.getuser() or "cli"
        entry, topic, path = store_verified(services.catalog, args.question, args.sql, who, engine=engine, audit=audit)
    finally:
        services.close()
    data = {
        "question": entry.question,
        "sql": entry.sql,
        "topic": topic,
        "file": path,
        "verified_by": entry.verified_by,
        "verified_at": entry.verified_at,
        "engine_checked": engine is not None,
    }
    emit(args, data, lambda d: f"verified for {d['topic']} ({d['file']}): {d['question']}\n{d['sql']}")


def cmd_ddl(args) -> None:
    schema = _store(args).get(args.topic)
    sql = create_table_sql(schema, startup_mode=args.startup_mode, temporary=args.temporary)
    emit(args, {"topic": schema.topic, "ddl": sql}, sql + ";")


def cmd_search(args) -> None:
    if args.k <= 0:
        raise UsageError("--k must be at least 1")
    load = _store(args).load()
    _log_problems(load)
    services = cli_services(args, audit=False)
    index = services.lexical_index() if args.lexical else services.index
    index.index(load.topics)
    hits = index.search(args.text, args.k)
    data = {"results": [h.to_dict() for h in hits], "notices": index.notices}

    def text(d: dict) -> str:
        lines = [
            f"{h['score']:.3f}  {h['topic']}" + (f"  (related to {h['related_via']})" if h.get("related_via") else "")
            for h in d["results"]
        ]
        lines.extend(f"notice: {n}" for n in d["notices"])
        return "\n".join(lines) or "no topic matches"

    emit(args, data, text)
