"""Catalog storage: `CatalogStore` is the interface, `YamlCatalogStore` keeps one YAML file per topic.

Files are read and rewritten with ruamel.yaml's round-trip mode, so a rewrite keeps comments, key
order and keys this program does not know. A broken file is reported with its name and line and
the rest of the catalog still loads.
"""

from __future__ import annotations

import io
import logging
import os
import threading
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from copilot.capabilities.catalog import CatalogLoad as CatalogLoad, CatalogProblem, CatalogStore
from copilot.catalog import semantic
from copilot.catalog.model import Example, Field, RegistrySchemaRef, Relationship, TopicSchema
from copilot.catalog.types import check_flink_type, dialect_type_warning, is_timestamp
from copilot.catalog.yaml_merge import merge_into_document, text as _text, values_map as _values_map
from copilot.errors import RequestError

log = logging.getLogger(__name__)

CHANGELOGS = ("append", "upsert")
KEY_FORMATS = ("raw", "json")


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


class YamlCatalogStore(CatalogStore):
    """One `<topic>.yaml` per topic in `directory` (contract section 3)."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._cache: tuple[tuple, CatalogLoad] | None = None
        # Each file's parse, keyed by its (mtime, size): a save re-parses one file, not the whole catalog
        # (`catalog sync` saves one entry per topic; re-parsing every file each time was quadratic).
        self._parsed: dict[str, tuple[tuple, tuple]] = {}

    def _files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())

    def _signature(self, files: list[Path]) -> tuple:
        return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files)

    def load(self) -> CatalogLoad:
        files = self._files()
        signature = self._signature(files)
        with self._lock:
            if self._cache and self._cache[0] == signature:
                return self._cache[1]
        from copilot.catalog import load_cache  # parsed YAML kept on disk, keyed by the files' mtimes

        disk_key = (str(self.directory), signature)
        cached = load_cache.read(self.directory, disk_key)
        if isinstance(cached, CatalogLoad):
            with self._lock:
                self._cache = (signature, cached)
            return cached
        result = CatalogLoad()
        if not self.directory.is_dir():
            result.problems.append(CatalogProblem(str(self.directory), None, "catalog directory does not exist"))
        for path, (_name, mtime, size) in zip(files, signature):
            known = self._parsed.get(str(path))
            if known is not None and known[0] == (mtime, size):
                schema, problems = known[1]
            else:
                schema, problems = parse_file(path)
                self._parsed[str(path)] = ((mtime, size), (schema, problems))
            result.problems.extend(problems)
            if schema is None:
                continue
            if schema.topic in result.topics:
                other = result.topics[schema.topic].source_file
                result.problems.append(
                    CatalogProblem(str(path), 1, f"topic {schema.topic!r} is also defined in {other}; this file is ignored")
                )
                continue
            result.topics[schema.topic] = schema
        result.problems.extend(_check_relationships(result.topics))
        with self._lock:
            self._cache = (signature, result)
        if self.directory.is_dir():
            load_cache.write(self.directory, disk_key, result)
        return result

    def path_for(self, topic: str) -> Path:
        existing = self.load().topics.get(topic)
        if existing and existing.source_file:
            return Path(existing.source_file)
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in topic)
        return self.directory / f"{safe}.yaml"

    def remove(self, topic: str) -> str | None:
        existing = self.load().topics.get(topic)
        if existing is None or not existing.source_file:
            return None
        path = Path(existing.source_file)
        others = [t for t, s in self.load().topics.items() if t != topic and s.source_file == existing.source_file]
        if others:
            raise RequestError(f"{path} also describes {', '.join(others)}", hint=f"remove the entry for {topic} by hand")
        path.unlink(missing_ok=True)
        with self._lock:
            self._cache = None
        return str(path)

    def save(self, schema: TopicSchema) -> str:
        path = self.path_for(schema.topic)
        y = _yaml()
        document: Any = None
        if path.exists():
            try:
                document = y.load(path.read_text(encoding="utf-8"))
            except YAMLError:
                document = None  # unreadable: replaced by a fresh rendering
        if not isinstance(document, CommentedMap):
            document = CommentedMap()
        merge_into_document(document, schema)
        buffer = io.StringIO()
        y.dump(document, buffer)
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(buffer.getvalue(), encoding="utf-8")
        os.replace(tmp, path)
        schema.source_file = str(path)
        with self._lock:
            self._cache = None
        return str(path)


# ---------------------------------------------------------------- reading


def _line_of(node: Any, key: Any = None) -> int | None:
    """1-based line of `node` (or of `key` inside the mapping `node`)."""
    try:
        if key is not None and isinstance(node, CommentedMap):
            return node.lc.key(key)[0] + 1
        if isinstance(node, CommentedSeq) and isinstance(key, int):
            return node.lc.item(key)[0] + 1
        return node.lc.line + 1
    except Exception:
        return None


def parse_file(path: Path) -> tuple[TopicSchema | None, list[CatalogProblem]]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [CatalogProblem(name, None, f"cannot read the file: {exc}")]
    try:
        doc = _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        return None, [CatalogProblem(name, line, f"not valid YAML: {exc.problem or exc.context}")]
    except YAMLError as exc:
        return None, [CatalogProblem(name, None, f"not valid YAML: {exc}")]
    return parse_document(doc, name)


def parse_document(doc: Any, name: str) -> tuple[TopicSchema | None, list[CatalogProblem]]:
    """The topic of one parsed catalog file, or None and its errors; warnings either way."""
    if not isinstance(doc, dict):
        return None, [CatalogProblem(name, 1, "expected a mapping with at least `topic:` and `fields:`")]
    return _DocumentReader(doc, name).read()


class _DocumentReader:
    """Reads one catalog document part by part, collecting errors (the topic is not loaded) and warnings."""

    def __init__(self, doc: dict, name: str):
        self.doc, self.name = doc, name
        self.errors: list[CatalogProblem] = []
        self.warnings: list[CatalogProblem] = []
        self.seen: set[str] = set()  # field names (lower case), also those of fields that did not load

    def error(self, message: str, line: int | None) -> None:
        self.errors.append(CatalogProblem(self.name, line, message))

    def warn(self, message: str, line: int | None) -> None:
        self.warnings.append(CatalogProblem(self.name, line, message, "warning"))

    def read(self) -> tuple[TopicSchema | None, list[CatalogProblem]]:
        doc = self.doc
        topic = _text(doc.get("topic"))
        if not topic:
            self.error("missing `topic:` (the Kafka topic name)", _line_of(doc))
        changelog = _text(doc.get("changelog") or "append").lower()
        if changelog not in CHANGELOGS:
            self.error(f"changelog {changelog!r} is not one of {', '.join(CHANGELOGS)}", _line_of(doc, "changelog"))
        raw_fields, fields = self.fields()
        by_name = {f.name.lower(): f for f in fields}
        primary_key = self.primary_key(by_name, changelog)
        event_time = self.event_time(by_name)
        key = _text(doc.get("key")) or None
        key_format = _text(doc.get("key_format") or "raw").lower()
        if key_format not in KEY_FORMATS:
            self.error(f"key_format {key_format!r} is not one of {', '.join(KEY_FORMATS)}", _line_of(doc, "key_format"))
        relationships = self.relationships()
        examples = self.examples()
        semantic.check_field_units(fields, raw_fields, _line_of, self.error)
        metrics = semantic.read_metrics(doc.get("metrics"), fields, _line_of, self.error, self.warn)
        verified = semantic.read_verified(doc.get("verified_queries"), _line_of, self.warn)
        if self.errors:
            return None, self.errors + self.warnings
        schema = TopicSchema(
            topic=topic,
            description=_text(doc.get("description")),
            format=_text(doc.get("format") or "json"),
            changelog=changelog,
            primary_key=primary_key,
            event_time=event_time,
            watermark_delay=_text(doc.get("watermark_delay") or "5 s"),
            fields=fields,
            relationships=relationships,
            examples=examples,
            metrics=metrics,
            verified_queries=verified,
            source_file=self.name,
            key=key,
            key_format=key_format,
            registry=_registry_ref(doc.get("schema_registry")),
            synonyms=semantic.words(doc.get("synonyms")),
            verbs=semantic.words(doc.get("verbs")),
            unique_key=[k for k in semantic.words(doc.get("unique_key")) if k.lower() in by_name],
        )
        return schema, self.warnings

    def fields(self) -> tuple[list, list[Field]]:
        """(the raw `fields:` list, the fields that loaded)."""
        doc = self.doc
        raw_fields = doc.get("fields")
        if not isinstance(raw_fields, list) or not raw_fields:
            self.error(
                "`fields:` must be a non-empty list of {name, type}",
                _line_of(doc, "fields") if "fields" in doc else _line_of(doc),
            )
            return [], []
        fields: list[Field] = []
        for i, raw in enumerate(raw_fields):
            field = self.field(raw, _line_of(raw_fields, i), i)
            if field is not None:
                fields.append(field)
        return raw_fields, fields

    def field(self, raw: Any, line: int | None, i: int) -> Field | None:
        if not isinstance(raw, dict) or not _text(raw.get("name")):
            self.error(f"field #{i + 1} needs a `name:`", line)
            return None
        fname = _text(raw.get("name"))
        ftype = _text(raw.get("type"))
        if fname.lower() in self.seen:
            self.error(f"field {fname!r} is listed twice", line)
        self.seen.add(fname.lower())
        problem = check_flink_type(ftype) if ftype else f"field {fname!r} has no `type:`"
        if problem:
            self.error(f"field {fname!r}: {problem}", _line_of(raw, "type") if "type" in raw else line)
            return None
        note = dialect_type_warning(ftype)
        if note:
            self.warn(f"field {fname!r}: {note}", _line_of(raw, "type"))
        synonyms = raw.get("synonyms") or []
        return Field(
            name=fname,
            type=ftype,
            description=_text(raw.get("description")),
            values=_values_map(raw.get("values")),
            synonyms=[_text(s) for s in synonyms] if isinstance(synonyms, list) else [_text(synonyms)],
            added_by_sync=bool(raw.get("added_by_sync", False)),
            value_words=semantic.value_words(raw.get("values")),
            unit=_text(raw.get("unit")) or None,
            currency_field=_text(raw.get("currency_field")) or None,
            sum_per_currency=bool(raw.get("sum_per_currency", False)),
            aggregate=_text(raw.get("aggregate")).lower() or None,
            values_inferred=bool(raw.get("values_inferred", False)),
        )

    def primary_key(self, by_name: dict[str, Field], changelog: str) -> list[str]:
        doc = self.doc
        raw = doc.get("primary_key") or []
        keys = [_text(k) for k in ([raw] if isinstance(raw, str) else raw)]
        for k in keys:
            if k.lower() not in by_name and k.lower() not in self.seen:
                self.error(f"primary_key names {k!r}, which is not a field", _line_of(doc, "primary_key"))
        if changelog == "upsert" and not keys:
            self.error("changelog upsert needs a `primary_key:`", _line_of(doc, "changelog"))
        return keys

    def event_time(self, by_name: dict[str, Field]) -> str | None:
        doc = self.doc
        event_time = _text(doc.get("event_time")) or None
        if event_time:
            f = by_name.get(event_time.lower())
            if f is None and event_time.lower() not in self.seen:
                self.error(f"event_time names {event_time!r}, which is not a field", _line_of(doc, "event_time"))
            elif f is not None and not is_timestamp(f.type):
                self.error(
                    f"event_time {event_time!r} has type {f.type}; it needs TIMESTAMP(3) or TIMESTAMP_LTZ(3)",
                    _line_of(doc, "event_time"),
                )
        return event_time

    def relationships(self) -> list[Relationship]:
        relationships: list[Relationship] = []
        raw_rels = self.doc.get("relationships") or []
        for i, raw in enumerate(raw_rels if isinstance(raw_rels, list) else []):
            line = _line_of(raw_rels, i)
            ref = _text(raw.get("references")) if isinstance(raw, dict) else ""
            rfield = _text(raw.get("field")) if isinstance(raw, dict) else ""
            if not rfield or ref.count(".") < 1:
                self.warn("a relationship needs `field:` and `references: <topic>.<field>`", line)
                continue
            if rfield.lower() not in self.seen:
                self.warn(f"relationship field {rfield!r} is not a field of this topic", line)
                continue
            relationships.append(Relationship(field=rfield, references=ref))
        return relationships

    def examples(self) -> list[Example]:
        examples: list[Example] = []
        raw_examples = self.doc.get("examples") or []
        for i, raw in enumerate(raw_examples if isinstance(raw_examples, list) else []):
            if not isinstance(raw, dict) or not _text(raw.get("question")):
                self.warn("an example needs `question:` (and usually `sql:`)", _line_of(raw_examples, i))
                continue
            examples.append(Example(question=_text(raw.get("question")), sql=_text(raw.get("sql"))))
        return examples


def _registry_ref(raw: Any) -> RegistrySchemaRef | None:
    """`schema_registry: {subject, id, version}`, written by `catalog sync` (None when absent or unreadable)."""
    if not isinstance(raw, dict) or not _text(raw.get("subject")):
        return None
    try:
        return RegistrySchemaRef(_text(raw.get("subject")), int(raw["id"]), int(raw["version"]))
    except (KeyError, TypeError, ValueError):
        return None


def _check_relationships(topics: dict[str, TopicSchema]) -> list[CatalogProblem]:
    problems = []
    for schema in topics.values():
        for rel in schema.relationships:
            target = topics.get(rel.target_topic)
            if target is None:
                problems.append(
                    CatalogProblem(
                        schema.source_file or schema.topic,
                        None,
                        f"relationship {rel.field} -> {rel.references}: topic {rel.target_topic!r} is not in the catalog",
                        "warning",
                    )
                )
            elif target.field(rel.target_field) is None:
                problems.append(
                    CatalogProblem(
                        schema.source_file or schema.topic,
                        None,
                        f"relationship {rel.field} -> {rel.references}: {rel.target_topic} has no field {rel.target_field!r}",
                        "warning",
                    )
                )
    return problems
