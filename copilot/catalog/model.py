"""The catalog's data model: one `TopicSchema` per Kafka topic (contract section 3)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Field:
    name: str
    type: str  # a Flink SQL type, written as Flink writes it
    description: str = ""
    # Known values and their business labels, e.g. {"DE": "Germany"}; a plain list maps to itself.
    values: dict[str, str] = field(default_factory=dict)
    # Business words that mean this field ("revenue" for amount).
    synonyms: list[str] = field(default_factory=list)
    added_by_sync: bool = False


@dataclass
class Relationship:
    field: str
    references: str  # "<topic>.<field>"

    @property
    def target_topic(self) -> str:
        return self.references.split(".", 1)[0]

    @property
    def target_field(self) -> str:
        return self.references.split(".", 1)[1]


@dataclass
class Example:
    question: str
    sql: str


@dataclass
class TopicSchema:
    topic: str
    description: str = ""
    format: str = "json"
    changelog: str = "append"  # append | upsert
    primary_key: list[str] = field(default_factory=list)
    event_time: str | None = None
    watermark_delay: str = "5 s"
    fields: list[Field] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    source_file: str | None = None
    # The field whose value is the Kafka record key (None: unknown or keyless).
    key: str | None = None
    # How the Kafka record key is encoded: "raw" (the bare value) or "json" (an object of the key fields).
    key_format: str = "raw"

    @property
    def table_name(self) -> str:
        return self.topic

    def field(self, name: str) -> Field | None:
        lowered = name.lower()
        for f in self.fields:
            if f.name.lower() == lowered:
                return f
        return None

    @property
    def is_upsert(self) -> bool:
        return self.changelog == "upsert"
