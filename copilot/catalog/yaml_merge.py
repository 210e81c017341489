"""Write a TopicSchema into a round-trip YAML document without losing what a human put there:
unknown keys, comments, key order, and list items (fields, relationships, examples) matched by identity."""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from copilot.catalog.model import Field, Metric, TopicSchema


def text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def values_map(raw: Any) -> dict[str, str]:
    """A field's `values:` as {value: label}; a plain list maps each value to itself."""
    if isinstance(raw, dict):
        return {str(k): _label(k, v) for k, v in raw.items()}
    if isinstance(raw, list):
        return {str(v): str(v) for v in raw}
    return {}


def _label(value: Any, raw: Any) -> str:
    """A value's label: `DE: Germany`, or `authorized: {label: ..., synonyms: [...]}`."""
    if isinstance(raw, dict):
        return text(raw.get("label")) or str(value)
    return text(raw) if raw is not None else str(value)


def schema_to_mapping(schema: TopicSchema) -> dict[str, Any]:
    """The YAML mapping for a schema, in the canonical key order of contract section 3."""
    data: dict[str, Any] = {
        "topic": schema.topic,
        "description": schema.description,
        "format": schema.format,
        "changelog": schema.changelog,
    }
    if schema.synonyms:
        data["synonyms"] = list(schema.synonyms)
    if schema.verbs:
        data["verbs"] = list(schema.verbs)
    if schema.unique_key:
        data["unique_key"] = list(schema.unique_key)
    if schema.key:
        data["key"] = schema.key
    if schema.key_format != "raw":
        data["key_format"] = schema.key_format
    if schema.primary_key:
        data["primary_key"] = list(schema.primary_key)
    if schema.event_time:
        data["event_time"] = schema.event_time
    data["watermark_delay"] = schema.watermark_delay
    if schema.registry is not None:
        data["schema_registry"] = {
            "subject": schema.registry.subject,
            "id": schema.registry.schema_id,
            "version": schema.registry.version,
        }
    data["fields"] = [_field_mapping(f) for f in schema.fields]
    if schema.relationships:
        data["relationships"] = [{"field": r.field, "references": r.references} for r in schema.relationships]
    if schema.examples:
        data["examples"] = [{"question": e.question, "sql": e.sql} for e in schema.examples]
    if schema.metrics:
        data["metrics"] = [_metric_mapping(m) for m in schema.metrics]
    if schema.verified_queries:
        data["verified_queries"] = [
            {"question": q.question, "sql": _block(q.sql), "verified_by": q.verified_by, "verified_at": q.verified_at}
            for q in schema.verified_queries
        ]
    return data


def _block(text_value: str) -> str:
    """Multi-line SQL is written as a YAML literal block (`|-`), as people write it."""
    return LiteralScalarString(text_value) if "\n" in text_value else text_value


def _metric_mapping(m: Metric) -> dict[str, Any]:
    data: dict[str, Any] = {"name": m.name, "expression": m.expression}
    if m.filter:
        data["filter"] = m.filter
    if m.synonyms:
        data["synonyms"] = list(m.synonyms)
    if m.description:
        data["description"] = m.description
    return data


def _field_mapping(f: Field) -> dict[str, Any]:
    data: dict[str, Any] = {"name": f.name, "type": f.type}
    if f.description:
        data["description"] = f.description
    if f.values:
        data["values"] = {
            v: ({"label": label, "synonyms": list(f.value_words[v])} if f.value_words.get(v) else label)
            for v, label in f.values.items()
        }
    if f.values_inferred:
        data["values_inferred"] = True
    if f.synonyms:
        data["synonyms"] = list(f.synonyms)
    if f.unit:
        data["unit"] = f.unit
    if f.currency_field:
        data["currency_field"] = f.currency_field
    if f.sum_per_currency:
        data["sum_per_currency"] = True
    if f.aggregate:
        data["aggregate"] = f.aggregate
    if f.added_by_sync:
        data["added_by_sync"] = True
    return data


def _same(existing: Any, new: Any) -> bool:
    """Equal after normalising YAML containers (a values list equals its identity mapping)."""
    if isinstance(existing, list) and isinstance(new, dict):
        return all(isinstance(v, str) for v in new.values()) and values_map(existing) == {str(k): str(v) for k, v in new.items()}
    if isinstance(existing, dict) and isinstance(new, str):  # `{label: X}` is the same value label as `X`
        return (
            set(map(str, existing)) <= {"label", "synonyms"}
            and not existing.get("synonyms")
            and text(existing.get("label")) == text(new)
        )
    if isinstance(existing, dict) and isinstance(new, dict):
        return set(map(str, existing)) == set(map(str, new)) and all(
            _same(existing[k], new.get(str(k), new.get(k))) for k in existing
        )
    if isinstance(existing, list) and isinstance(new, list):
        return len(existing) == len(new) and all(_same(a, b) for a, b in zip(existing, new))
    if isinstance(existing, str) or isinstance(new, str):
        return text(existing) == text(new)
    return existing == new


def _merge_mapping(target: dict[str, Any], new: dict[str, Any], managed: tuple[str, ...]) -> None:
    """Set every key of `new` in `target`, untouched where already equal; drop managed keys `new` lacks."""
    for key, value in new.items():
        if key in target and _same(target[key], value):
            continue
        target[key] = value
    for key in managed:
        if key in target and key not in new:
            del target[key]


MANAGED_ITEM_KEYS = {
    "fields": (
        "description",
        "values",
        "values_inferred",
        "synonyms",
        "unit",
        "currency_field",
        "sum_per_currency",
        "aggregate",
        "added_by_sync",
    ),
    "relationships": (),
    "examples": ("sql",),
    "metrics": ("expression", "filter", "synonyms", "description"),
    "verified_queries": ("sql", "verified_by", "verified_at"),
}


def _merge_list(existing: Any, new_items: list[dict], identity: str, managed: tuple[str, ...] = ()) -> CommentedSeq:
    """Merge a list of mappings by their `identity` key: keep unknown keys and comments of kept items."""
    result = existing if isinstance(existing, CommentedSeq) else CommentedSeq()
    old = {(text(item.get(identity)).lower()): item for item in result if isinstance(item, dict)}
    wanted = [text(n.get(identity)).lower() for n in new_items]
    for i in reversed(range(len(result))):
        item = result[i]
        if not isinstance(item, dict) or text(item.get(identity)).lower() not in wanted:
            del result[i]
    position = {(text(item.get(identity)).lower()): i for i, item in enumerate(result)}
    for new in new_items:
        key = text(new.get(identity)).lower()
        if key in old:
            target = old[key]
            _merge_mapping(target, new, managed=managed)
        else:
            item = CommentedMap(new)
            result.insert(len(result), item)
            position[key] = len(result) - 1
    return result


def merge_into_document(document: CommentedMap, schema: TopicSchema) -> None:
    new = schema_to_mapping(schema)
    lists = {
        "fields": "name",
        "relationships": "field",
        "examples": "question",
        "metrics": "name",
        "verified_queries": "question",
    }
    scalars = {k: v for k, v in new.items() if k not in lists}
    _merge_mapping(document, scalars, managed=("key", "key_format", "primary_key", "event_time"))
    for key, identity in lists.items():
        items = new.get(key, [])
        if not items:
            if key in document and key != "fields" and document[key]:
                del document[key]
            continue
        merged = _merge_list(document.get(key), items, identity, MANAGED_ITEM_KEYS[key])
        if key not in document:
            document[key] = merged
        elif document[key] is not merged:
            document[key] = merged
