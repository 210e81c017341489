"""`catalog sync`: describe Kafka's topics in the catalog, merging into what humans already wrote."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from copilot import settings
from copilot.catalog import kafka_io
from copilot.catalog.inference import Inferred, choose_event_time, infer_schema
from copilot.catalog.model import TopicSchema
from copilot.catalog.registry import SchemaRegistry, value_subject
from copilot.catalog.store import CatalogStore
from copilot.kafka import config as kafka_config

log = logging.getLogger(__name__)

DEFAULT_SAMPLE = 200
DEFAULT_SAMPLE_SECONDS = 3.0


@dataclass
class TopicChange:
    topic: str
    status: str  # created | updated | unchanged | skipped
    reason: str | None = None
    added_fields: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    file: str | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, [])}


@dataclass
class SyncReport:
    changes: list[TopicChange] = field(default_factory=list)
    internal_skipped: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        counts: dict[str, int] = {}
        for c in self.changes:
            counts[c.status] = counts.get(c.status, 0) + 1
        return {"topics": [c.to_dict() for c in self.changes], "summary": counts, "internal_skipped": self.internal_skipped}


def is_internal(topic: str) -> bool:
    """Kafka's own topics (`__consumer_offsets`, `_schemas`, ...) and this product's (`copilot.*`)."""
    return topic.startswith("_") or topic.startswith("copilot.") or topic.startswith("copilot-")


def merge(existing: TopicSchema | None, inferred: TopicSchema) -> tuple[TopicSchema, list[str], list[str]]:
    """Merge an inferred schema into a human-edited one. Humans win on everything they wrote;
    sync adds fields it saw that are missing and fills structure left empty."""
    if existing is None:
        return inferred, [f.name for f in inferred.fields], []
    notes: list[str] = []
    added: list[str] = []
    for f in inferred.fields:
        current = existing.field(f.name)
        if current is None:
            existing.fields.append(f)
            added.append(f.name)
        elif current.type.replace(" ", "").upper() != f.type.replace(" ", "").upper():
            notes.append(f"field {f.name}: catalog says {current.type}, samples look like {f.type} (kept {current.type})")
        if current is not None and f.values:
            _merge_values(current, f, notes)
    seen = {f.name.lower() for f in inferred.fields}
    missing = [f.name for f in existing.fields if f.name.lower() not in seen]
    if missing:
        notes.append(f"not seen in the sampled records (kept): {', '.join(missing)}")
    if not existing.key and inferred.key:
        existing.key, existing.key_format = inferred.key, inferred.key_format
    if not existing.primary_key and inferred.primary_key:
        existing.primary_key = list(inferred.primary_key)
        existing.changelog = inferred.changelog
    if not existing.event_time:
        existing.event_time = choose_event_time(existing.fields)
    return existing, added, notes


def _merge_values(current, inferred, notes: list[str]) -> None:
    """Known values seen in the samples: set when a field has none, extended when sync set them before;
    values a person wrote are never changed."""
    if current.values and not current.values_inferred:
        return
    new = [v for v in inferred.values if v not in current.values]
    if not new:
        return
    current.values = {**current.values, **{v: v for v in new}}
    current.values_inferred = True
    notes.append(f"field {current.name}: known values from the samples: {', '.join(new)}")


class CatalogSync:
    def __init__(
        self,
        store: CatalogStore,
        *,
        bootstrap: str | None = None,
        registry: SchemaRegistry | None = None,
        sample_size: int = DEFAULT_SAMPLE,
        sample_seconds: float = DEFAULT_SAMPLE_SECONDS,
        topics: list[str] | None = None,
    ):
        self.store = store
        self.bootstrap = bootstrap or kafka_config.bootstrap()
        url = settings.schema_registry_url()  # SCHEMA_REGISTRY_URL, else the local stack's registry when it runs
        self.registry = registry if registry is not None else (SchemaRegistry(url) if url else None)
        self._subjects: set[str] = set()
        self.sample_size = sample_size
        self.sample_seconds = sample_seconds
        self.only = set(topics) if topics else None

    def run(self) -> SyncReport:
        report = SyncReport()
        catalog = self.store.load().topics
        if self.registry is not None:  # one listing, then only topics with a value subject ask for their schema
            self._subjects = set(self.registry.subjects())
        for info in kafka_io.list_topics(self.bootstrap):
            if self.only is not None and info.name not in self.only:
                continue
            if is_internal(info.name):
                report.internal_skipped.append(info.name)
                continue
            report.changes.append(self._sync_topic(info, catalog.get(info.name)))
        return report

    def _infer(self, info: kafka_io.TopicInfo) -> Inferred:
        if self.registry is not None and value_subject(info.name) in self._subjects:
            registered = self.registry.topic_schema(info.name)
            if registered is not None:
                return registered
        records = kafka_io.latest_records(info.name, self.sample_size, bootstrap=self.bootstrap, timeout=self.sample_seconds)
        return infer_schema(info.name, [(r.key, r.value) for r in records], compacted=info.compacted)

    def _sync_topic(self, info: kafka_io.TopicInfo, existing: TopicSchema | None) -> TopicChange:
        inferred = self._infer(info)
        if inferred.schema is None:
            return TopicChange(info.name, "skipped", reason=inferred.reason, file=existing.source_file if existing else None)
        if existing is not None and info.compacted and existing.changelog != "upsert":
            inferred.notes.append("topic is compacted but the catalog says append (kept)")
        before = existing.registry if existing is not None else None
        schema, added, notes = merge(existing, inferred.schema)
        notes = inferred.notes + notes
        evolved = _registry_change(before, inferred.schema.registry, added) if existing is not None else None
        if evolved:
            schema.registry = inferred.schema.registry
            notes.insert(0, evolved)
        if (
            existing is not None
            and not evolved
            and not added
            and schema.key == existing.key
            and not _structure_changed(existing, schema)
            and not any("known values" in n for n in notes)
        ):
            return TopicChange(info.name, "unchanged", notes=notes, file=existing.source_file)
        path = self.store.save(schema)
        return TopicChange(info.name, "created" if existing is None else "updated", added_fields=added, notes=notes, file=path)


def _registry_change(before, after, added: list[str]) -> str | None:
    """What changed in the registered schema since the catalog entry was written, or None."""
    if after is None or before == after:
        return None
    if before is None:
        return f"schema registry: now follows {after.subject} (version {after.version}, id {after.schema_id})"
    change = f"schema evolved: {after.subject} version {before.version} -> {after.version} (id {before.schema_id} -> {after.schema_id})"
    return change + (f"; new fields: {', '.join(added)}" if added else "")


def _structure_changed(before: TopicSchema, after: TopicSchema) -> bool:
    # merge() mutates `existing` in place, so compare against what the file on disk says.
    on_disk = before.source_file
    if not on_disk:
        return True
    from pathlib import Path

    from copilot.catalog.store import parse_file

    original, _ = parse_file(Path(on_disk))
    if original is None:
        return True
    return (original.key, original.primary_key, original.changelog, original.event_time, len(original.fields)) != (
        after.key,
        after.primary_key,
        after.changelog,
        after.event_time,
        len(after.fields),
    )
