"""Guess Flink types, the key and the event time of a topic from sampled JSON records."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from copilot.catalog.model import Field, TopicSchema
from copilot.sql.quoting import quote_name_if_needed

_ISO_TS = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(?P<zone>Z|[+-]\d{2}:?\d{2})?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Epoch milliseconds between 2001 and 2286: a number in this range named like a time is a timestamp.
_EPOCH_MS = (1_000_000_000_000, 9_999_999_999_999)
_TIME_NAME = re.compile(r"(time|_at$|^ts$|timestamp|date)", re.IGNORECASE)
_INT32 = 2**31 - 1


@dataclass
class Inferred:
    schema: TopicSchema | None
    reason: str | None = None  # why no schema could be inferred
    notes: list[str] = field(default_factory=list)


def _kind(value: Any, name: str) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        if _EPOCH_MS[0] <= value <= _EPOCH_MS[1] and _TIME_NAME.search(name):
            return "TIMESTAMP_LTZ(3)"
        return "INT" if -_INT32 <= value <= _INT32 else "BIGINT"
    if isinstance(value, (float, Decimal)):
        return "DECIMAL"
    if isinstance(value, str):
        m = _ISO_TS.match(value)
        if m:
            return "TIMESTAMP_LTZ(3)" if m.group("zone") else "TIMESTAMP(3)"
        if _ISO_DATE.match(value):
            return "DATE"
        return "STRING"
    if isinstance(value, dict):
        return "ROW"
    if isinstance(value, list):
        return "ARRAY"
    return "STRING"


def _decimal_type(values: list[Any]) -> str:
    scale, integer_digits = 0, 1
    for v in values:
        d = v if isinstance(v, Decimal) else Decimal(str(v))
        sign, digits, exponent = d.as_tuple()
        if not isinstance(exponent, int):
            return "DOUBLE"
        scale = max(scale, -exponent if exponent < 0 else 0)
        integer_digits = max(integer_digits, len(digits) + min(exponent, 0) if exponent < 0 else len(digits) + exponent)
    if scale > 8:
        return "DOUBLE"
    precision = min(38, max(10, integer_digits + max(scale, 2)))
    return f"DECIMAL({precision}, {max(scale, 2)})"


def infer_type(values: list[Any], name: str = "") -> str:
    """The Flink type that holds every value in `values` (JSON-decoded, floats as Decimal)."""
    kinds = {_kind(v, name) for v in values} - {"null"}
    present = [v for v in values if v is not None]
    if not kinds:
        return "STRING"
    if kinds <= {"INT", "BIGINT"}:
        return "BIGINT" if "BIGINT" in kinds else "INT"
    if kinds <= {"INT", "BIGINT", "DECIMAL"}:
        return _decimal_type(present)
    if kinds == {"ROW"}:
        keys: dict[str, list[Any]] = {}
        for obj in present:
            for k, v in obj.items():
                keys.setdefault(k, []).append(v)
        inner = ", ".join(f"{quote_name_if_needed(k)} {infer_type(vs, k)}" for k, vs in keys.items())
        return f"ROW<{inner}>"
    if kinds == {"ARRAY"}:
        elements = [e for lst in present for e in lst]
        return f"ARRAY<{infer_type(elements, name)}>"
    if len(kinds) == 1:
        return next(iter(kinds))
    if kinds <= {"TIMESTAMP_LTZ(3)", "TIMESTAMP(3)"}:
        return "TIMESTAMP_LTZ(3)"
    return "STRING"


def _decode(raw: bytes | None) -> Any:
    if raw is None:
        return None
    return json.loads(raw.decode("utf-8"), parse_float=Decimal)


def choose_event_time(fields: list[Field]) -> str | None:
    timestamps = [f.name for f in fields if f.type.startswith(("TIMESTAMP_LTZ", "TIMESTAMP("))]
    if not timestamps:
        return None
    for preferred in ("event_time", "timestamp", "ts", "updated_at"):
        if preferred in timestamps:
            return preferred
    for name in timestamps:
        if name.endswith("_time") and not name.startswith(("signup", "created", "birth")):
            return name
    return timestamps[0]


MAX_INFERRED_VALUES = 12  # more distinct values than this is not a category
MIN_SAMPLES_FOR_VALUES = 20


def infer_values(samples: list[Any], flink_type: str) -> dict[str, str]:
    """The known values of a low-cardinality text field ({value: value}), or {} when the sample is
    too small, the field is not text, or it looks like an id (most values seen only once)."""
    if flink_type.upper() != "STRING":
        return {}
    present = [v for v in samples if isinstance(v, str) and v != ""]
    if len(present) < MIN_SAMPLES_FOR_VALUES:
        return {}
    counts: dict[str, int] = {}
    for v in present:
        counts[v] = counts.get(v, 0) + 1
    if len(counts) > MAX_INFERRED_VALUES or len(counts) * 4 > len(present) or any(len(v) > 40 for v in counts):
        return {}
    return {v: v for v in sorted(counts)}


def infer_schema(topic: str, records: list[tuple[bytes | None, bytes | None]], *, compacted: bool) -> Inferred:
    """A TopicSchema from (key, value) samples, or a reason why the topic cannot be described."""
    values, bad, example = [], 0, None
    for _, raw in records:
        if raw is None:  # tombstone
            continue
        try:
            decoded = _decode(raw)
        except (UnicodeDecodeError, ValueError):
            decoded = None
        if isinstance(decoded, dict):
            values.append(decoded)
        else:
            bad += 1
            example = example or raw[:40]
    if not records:
        return Inferred(None, "no records to sample (the topic is empty)")
    if not values or bad > len(values):
        return Inferred(None, f"records are not JSON objects (e.g. {example!r})")
    notes = [f"{bad} of {len(records)} sampled records were not JSON objects and were ignored"] if bad else []

    columns: dict[str, list[Any]] = {}
    for obj in values:
        for k in obj:
            columns.setdefault(k, [])
    for obj in values:
        for k in columns:
            columns[k].append(obj.get(k))
    fields = [Field(name=k, type=infer_type(vs, k), added_by_sync=True) for k, vs in columns.items()]
    for f in fields:
        f.values = infer_values(columns[f.name], f.type)
        f.values_inferred = bool(f.values)

    key_field, key_format = _infer_key(records, values, columns)
    schema = TopicSchema(topic=topic, fields=fields, key=key_field, key_format=key_format)
    schema.event_time = choose_event_time(fields)
    if compacted:
        if key_field:
            schema.changelog = "upsert"
            schema.primary_key = [key_field]
        else:
            notes.append("compacted topic but no field matches the record key: kept as append")
    return Inferred(schema, notes=notes)


def _infer_key(records, values, columns) -> tuple[str | None, str]:
    keys = [k for k, v in records if v is not None]
    if not keys or any(k is None for k in keys):
        return None, "raw"
    try:
        decoded = [json.loads(k.decode("utf-8")) for k in keys]
    except (UnicodeDecodeError, ValueError):
        decoded = None
    if decoded and all(isinstance(d, dict) and len(d) == 1 for d in decoded):
        name = next(iter(decoded[0]))
        if name in columns and all(next(iter(d)) == name for d in decoded):
            return name, "json"
    as_text = [k.decode("utf-8", "replace") for k in keys]
    pairs = [(t, v) for (k, v), t in zip([(k, v) for k, v in records if v is not None], as_text)]
    for name in columns:
        matched = 0
        for text, raw in pairs:
            try:
                obj = _decode(raw)
            except (UnicodeDecodeError, ValueError):
                continue
            if isinstance(obj, dict) and obj.get(name) is not None and str(obj.get(name)) == text:
                matched += 1
        if matched and matched >= 0.9 * len(values):
            return name, "raw"
    return None, "raw"
