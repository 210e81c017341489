"""Flink's own reading of a statement, from its plan: which tables it scans, which it writes, and
whether a scan carries OPTIONS. Used twice: on the EXPLAIN text before a statement runs (the
validator's engine stage) and on the running job's plan (`/jobs/<id>/plan`) after it was submitted.

What may be seen: a query writes nothing (no LogicalSink / Sink(table=...); a live query's job has
only Flink's collect sink), a saved job writes only its own output table, every scan is one of the
catalog tables the validator listed, in default_catalog.default_database, and no scan has OPTIONS."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

DEFAULT_PATH = ("default_catalog", "default_database")
_SCAN = re.compile(r"table=\[\[([^\]]*)")  # table=[[catalog, database, name, watermark=[...]...]]
_SINK = re.compile(r"Sink\(table=\[([^\]]*)\]")  # LogicalSink(table=[c.d.t]) and Sink(table=[c.d.t])
_WRITER = re.compile(r"([^\s\[\]:]+)\[\d+\]: (?:Writer|Committer)")  # a running job's table sink
_COLLECT = "Collect table sink"
_HINT = re.compile(r"(?:joinHints|hints)=\[\[\[\s*([A-Z_]+)")  # the first hint name of each hint list
_OPTIONS = re.compile(r"hints=\[\[\[\s*OPTIONS|\bOPTIONS options:\{")


@dataclass
class PlanReading:
    scans: list[tuple[str, ...]] = field(default_factory=list)  # (catalog, database, table)
    sinks: list[str] = field(default_factory=list)  # "catalog.database.table" (a plan) or "table" (a job's writer)
    collect_sink: bool = False
    options: bool = False
    hints: list[str] = field(default_factory=list)  # hint names Flink attached (join hints, OPTIONS)


@dataclass
class PlanDisagreement:
    reason: str  # plan_writes | plan_sink | plan_foreign_table | plan_options
    message: str


def read_plan(text: str) -> PlanReading:
    reading = PlanReading()
    for match in _SCAN.finditer(text):
        parts = tuple(p.strip().strip("`") for p in match.group(1).split(","))[:3]
        if parts not in reading.scans:
            reading.scans.append(parts)
    for match in _SINK.finditer(text):
        name = match.group(1).strip()
        if name not in reading.sinks:
            reading.sinks.append(name)
    for match in _WRITER.finditer(text):
        name = match.group(1).strip()
        if name not in reading.sinks:
            reading.sinks.append(name)
    reading.collect_sink = _COLLECT in text
    reading.options = bool(_OPTIONS.search(text))
    reading.hints = list(dict.fromkeys(m.group(1) for m in _HINT.finditer(text)))
    return reading


def job_plan_text(plan: dict) -> str:
    """The node descriptions of a `/jobs/<id>/plan` answer, as one text."""
    return "\n".join(html.unescape(str(node.get("description", ""))).replace("<br/>", "\n") for node in plan.get("nodes", []))


def disagreements(
    text: str,
    *,
    kind: str,
    tables: tuple[str, ...] | list[str],
    sink: str | None = None,
    job: bool = False,
    hints: tuple[str, ...] | None = None,
) -> list[PlanDisagreement]:
    """How Flink's plan differs from what was checked: `kind` "query" (writes nothing) or "insert"
    (writes only `sink`); `tables` the catalog tables the validator listed; `job` True for a running
    job's plan (a query's job then has Flink's collect sink, and only that); `hints`: the checked
    statement's hints (None: not compared), which must include every hint in Flink's plan."""
    reading = read_plan(text)
    found: list[PlanDisagreement] = []
    own = ".".join((*DEFAULT_PATH, sink or ""))
    if kind == "query" and reading.sinks:
        found.append(PlanDisagreement("plan_writes", f"Flink reads this query as a write into {', '.join(reading.sinks)}"))
    elif kind != "query" and (not reading.sinks or any(s not in (own, sink) for s in reading.sinks)):
        found.append(
            PlanDisagreement(
                "plan_sink", f"Flink's plan writes into {', '.join(reading.sinks) or 'nothing'}, not only into {own}"
            )
        )
    if job and kind == "query" and not reading.collect_sink:
        found.append(PlanDisagreement("plan_writes", "the running job does not send its rows back to the client"))
    if job and kind != "query" and reading.collect_sink:
        found.append(PlanDisagreement("plan_sink", "the saved job's plan sends rows to the client"))
    listed = set(tables)
    foreign = [".".join(s) for s in reading.scans if s[:2] != DEFAULT_PATH or len(s) < 3 or s[2] not in listed]
    if foreign:
        found.append(
            PlanDisagreement(
                "plan_foreign_table",
                f"Flink's plan reads {', '.join(foreign)}, which the "
                f"validator did not list ({', '.join(sorted(listed)) or 'no tables'})",
            )
        )
    if reading.options:
        found.append(PlanDisagreement("plan_options", "a table scan in Flink's plan carries OPTIONS"))
    elif hints is not None and set(reading.hints) - set(hints):
        extra = sorted(set(reading.hints) - set(hints))
        found.append(
            PlanDisagreement("plan_hints", f"Flink's plan carries hints the checked statement has not: {', '.join(extra)}")
        )
    return found
