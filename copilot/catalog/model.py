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
    # Business words for single values ({code: [words]}); a value's `{label, synonyms}` form.
    value_words: dict[str, list[str]] = field(default_factory=dict)
    # What a number counts or measures (a count noun, a measuring unit, a currency code); or, for money, the
    # field of the same topic that holds its currency.
    unit: str | None = None
    currency_field: str | None = None
    # Amounts in different currencies are never added together: a sum or average of this field is kept per
    # currency (grouped by the currency field, or asked which currency when it would be one figure).
    sum_per_currency: bool = False
    # How the field is aggregated when a question names it as a figure: a unit price is averaged, a
    # total summed (sum | avg | min | max | count_distinct).
    aggregate: str | None = None
    # True when sync inferred `values` from sampled records (a person's values are never replaced).
    values_inferred: bool = False

    def value_synonyms(self) -> dict[str, list[str]]:
        """Every known value with the words that name it: its label (when it differs) and its synonyms."""
        out: dict[str, list[str]] = {}
        for value, label in self.values.items():
            words = [label] if label and label != value else []
            words += [w for w in self.value_words.get(value, []) if w not in words]
            out[value] = words
        return out

    def value_label(self, value: object) -> str:
        return self.values.get(str(value), str(value))


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
class Metric:
    """A named measure people ask for: a Flink SQL aggregate over the topic's fields (checked when the
    catalog loads), with the business words that name it and an optional default row filter."""

    name: str
    expression: str
    synonyms: list[str] = field(default_factory=list)
    description: str = ""
    filter: str | None = None  # a Flink SQL condition over the topic's fields, applied to this metric only

    @property
    def words(self) -> list[str]:
        return [self.name.replace("_", " "), *self.synonyms]


@dataclass
class VerifiedQuery:
    """A question and the SQL a person confirmed answers it (the app's thumbs-up or `catalog verify`)."""

    question: str
    sql: str
    verified_by: str = ""
    verified_at: str = ""


@dataclass
class RegistrySchemaRef:
    subject: str
    schema_id: int
    version: int


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
    metrics: list[Metric] = field(default_factory=list)
    verified_queries: list[VerifiedQuery] = field(default_factory=list)
    source_file: str | None = None
    # The field whose value is the Kafka record key (None: unknown or keyless).
    key: str | None = None
    # How the Kafka record key is encoded: "raw" (the bare value) or "json" (an object of the key fields).
    key_format: str = "raw"
    # The registered schema `catalog sync` last read (format avro-confluent): subject, schema id, version.
    registry: "RegistrySchemaRef | None" = None
    # Semantic layer: other names of the topic's rows ("purchases"), and the verbs of its events ("bought").
    synonyms: list[str] = field(default_factory=list)
    verbs: list[str] = field(default_factory=list)
    # The fields that together occur once in the stream (shipments: one event per parcel and status).
    unique_key: list[str] = field(default_factory=list)

    @property
    def table_name(self) -> str:
        return self.topic

    def field(self, name: str) -> Field | None:
        lowered = name.lower()
        for f in self.fields:
            if f.name.lower() == lowered:
                return f
        return None

    def metric(self, name: str) -> Metric | None:
        lowered = name.lower()
        return next((m for m in self.metrics if m.name.lower() == lowered), None)

    @property
    def is_upsert(self) -> bool:
        return self.changelog == "upsert"
