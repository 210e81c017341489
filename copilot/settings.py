"""Every setting in one table: it drives environment parsing, `--help` text and the docs test."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The demo domain's catalog ships inside the package (it seeds the working catalog).
DEMO_CATALOG_DIR = Path(__file__).resolve().parent / "demo_catalog"


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("KAFKA_BOOTSTRAP", "localhost:9092", "Kafka bootstrap servers (host:port)."),
    Setting(
        "COPILOT_KAFKA_SECURITY_PROTOCOL",
        None,
        "Security protocol of the KAFKA_BOOTSTRAP cluster: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL; unset means plaintext. Used by every Kafka client and the Flink tables.",
    ),
    Setting(
        "COPILOT_KAFKA_SASL_MECHANISM",
        None,
        "SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (default PLAIN when a SASL protocol is set).",
    ),
    Setting("COPILOT_KAFKA_SASL_USERNAME", None, "SASL user name."),
    Setting(
        "COPILOT_KAFKA_SASL_PASSWORD", None, "SASL password: never printed (redacted in `catalog ddl`, the audit trail and logs)."
    ),
    Setting(
        "COPILOT_KAFKA_SSL_CA_LOCATION",
        None,
        "PEM file of the CA that signed the brokers' certificates (the same path must exist on the Flink TaskManagers).",
    ),
    Setting(
        "COPILOT_KAFKA_REPLICATION_FACTOR",
        "auto",
        "Replication factor of the topics the product creates: auto (the cluster's broker count, at most 3) or a number no larger than the broker count.",
    ),
    Setting("FLINK_SQL_GATEWAY", "http://localhost:8083", "Flink SQL Gateway REST address."),
    Setting("FLINK_REST", "http://localhost:8081", "Flink JobManager REST address."),
    Setting(
        "SCHEMA_REGISTRY_URL",
        None,
        "Confluent-compatible Schema Registry URL; unset means the local stack's registry when it runs, else none.",
    ),
    Setting(
        "FLINK_COPILOT_REGISTRY_PORT",
        "8085",
        "Port of the local stack's Schema Registry (`up` starts it on localhost; its Confluent API is /apis/ccompat/v7).",
    ),
    Setting("FLINK_COPILOT_HOME", "~/.flink-copilot", "Cache for downloaded artifacts and the local stack's state."),
    Setting(
        "FLINK_COPILOT_STATE_DIR", None, "State of the local stack (logs, pids, data); unset means $FLINK_COPILOT_HOME/state."
    ),
    Setting(
        "FLINK_COPILOT_CATALOG_DIR",
        None,
        "Catalog directory; unset means the working catalog $FLINK_COPILOT_HOME/catalog (seeded from the packaged demo catalog).",
    ),
    Setting(
        "COPILOT_TIMEZONE",
        "UTC",
        'Session time zone (an IANA name such as Europe/Berlin): "today" and "since midnight" start at midnight there, answers say so, and the Flink session\'s table.local-time-zone is set to it.',
    ),
    Setting("COPILOT_LLM", None, "Chat model as provider:model (e.g. openai:gpt-4o-mini); unset uses the built-in planner."),
    Setting("COPILOT_AUDIT_TOPIC", "copilot.audit", "Kafka topic that receives the audit trail."),
    Setting("COPILOT_JOBS_TOPIC", "copilot.jobs", "Compacted Kafka topic that is the registry of saved jobs."),
    Setting("COPILOT_READ_ONLY", "false", "true disables saving jobs (read-only deployments)."),
    Setting(
        "COPILOT_MCP_ALLOW_WRITES",
        "false",
        "true adds the MCP tools save_job and stop_job (never while COPILOT_READ_ONLY is true).",
    ),
    Setting("COPILOT_MCP_MAX_ROWS", "500", "MCP run_query: most rows a query may return."),
    Setting("COPILOT_MCP_MAX_SECONDS", "60", "MCP run_query: most seconds a query may run."),
    Setting(
        "COPILOT_SERVICE",
        None,
        "kafka: `ask` and the app publish questions to the agent workers (`flink-copilot serve`) and wait for their answers; unset answers in process.",
    ),
    Setting("COPILOT_QUESTIONS_TOPIC", "copilot.questions", "Kafka topic the agent workers read questions from."),
    Setting(
        "COPILOT_ANSWERS_TOPIC",
        "copilot.answers",
        "Kafka topic the agent workers write answers to (also the conversations' history).",
    ),
    Setting("COPILOT_SERVICE_GROUP", "copilot-workers", "Consumer group of the agent workers."),
    Setting(
        "COPILOT_SERVICE_PARTITIONS",
        "4",
        "Partitions of the questions and answers topics when created: at most this many workers share the work.",
    ),
    Setting("COPILOT_SERVICE_TIMEOUT", "30", "Seconds a client waits for a worker's answer before giving up (exit 3)."),
    Setting("COPILOT_ALERTS_TOPIC", "copilot.alerts", "Compacted Kafka topic that watches write their alert events to."),
    Setting("COPILOT_APP_HOST", "127.0.0.1", "Address the Streamlit app binds to."),
    Setting("COPILOT_APP_PORT", "8501", "Port of the Streamlit app."),
    Setting("COPILOT_APP_PASSWORD", None, "When set, the app asks for this password."),
    Setting(
        "COPILOT_APP_AUTH_HEADER",
        None,
        "Header an authenticating reverse proxy sets (e.g. X-Forwarded-User); when set, requests without it are refused.",
    ),
    Setting("COPILOT_APP_MAX_ROWS", "1000", "App: rows a live result keeps (the oldest go first); the page shows the newest."),
    Setting("COPILOT_APP_QUERY_TIMEOUT", "1800", "App: seconds after which a live result stops and its Flink job is cancelled."),
    Setting("DATAGEN_ORDERS_PER_SEC", "20", "Demo generator: orders per second."),
    Setting("DATAGEN_PAGE_VIEWS_PER_SEC", "100", "Demo generator: page views per second."),
    Setting("DATAGEN_CUSTOMERS", "2000", "Demo generator: customers seeded at start."),
    Setting("DATAGEN_PRODUCTS", "500", "Demo generator: products seeded at start."),
    Setting("COPILOT_MAX_SQL_BYTES", "102400", "Largest SQL statement validate accepts, in bytes."),
    Setting(
        "COPILOT_EMBEDDING_MODEL",
        "auto",
        "Topic search embeddings: auto (minilm up to 2,000 topics, static above), minilm (all-MiniLM-L6-v2), static (64-d static model) or none (lexical only; also no reading of unknown words by meaning).",
    ),
    Setting("DATAGEN_CUSTOMER_UPDATES_PER_SEC", "1", "Demo generator: customer profile updates per second."),
    Setting("DATAGEN_PRODUCT_UPDATES_PER_SEC", "0.5", "Demo generator: product price changes per second."),
    Setting("DATAGEN_LATE_FRACTION", "0.015", "Demo generator: share of events that arrive 1-10 s late, out of order."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> str | None:
    """The value of a setting: the environment if set and non-empty, else its default."""
    setting = _BY_NAME[name]
    value = os.environ.get(name)
    if value is None or value == "":
        return setting.default
    return value


def get_bool(name: str) -> bool:
    return (get(name) or "").strip().lower() in {"1", "true", "yes", "on"}


def get_int(name: str) -> int:
    value = get(name)
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        from copilot.errors import UsageError

        raise UsageError(f"setting {name}={value!r} is not a whole number", hint=f"set {name} to an integer") from None


def home() -> Path:
    return Path(os.path.expanduser(get("FLINK_COPILOT_HOME") or "~/.flink-copilot"))


def local_registry_url() -> str:
    """The Confluent-compatible API of the Schema Registry `flink-copilot up` starts."""
    return f"http://localhost:{get_int('FLINK_COPILOT_REGISTRY_PORT')}/apis/ccompat/v7"


def schema_registry_url() -> str | None:
    """SCHEMA_REGISTRY_URL if set; else the local stack's registry if something listens on its port; else None."""
    configured = get("SCHEMA_REGISTRY_URL")
    if configured:
        return configured.rstrip("/")
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        listening = sock.connect_ex(("127.0.0.1", get_int("FLINK_COPILOT_REGISTRY_PORT"))) == 0
    return local_registry_url() if listening else None


def catalog_dir() -> Path:
    """Where the working catalog is: FLINK_COPILOT_CATALOG_DIR, else FLINK_COPILOT_HOME/catalog. Seeding it from
    the packaged demo catalog is the catalog layer's job (copilot.catalog.working.catalog_dir)."""
    configured = get("FLINK_COPILOT_CATALOG_DIR")
    return Path(os.path.expanduser(configured)) if configured else home() / "catalog"


def help_text() -> str:
    lines = ["environment settings:"]
    for s in SETTINGS:
        default = "unset" if s.default is None else s.default
        lines.append(f"  {s.name:<28} {s.help} (default: {default})")
    return "\n".join(lines)


def time_zone() -> str:
    """COPILOT_TIMEZONE, checked to be a zone name Python (and so Flink) knows."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = (get("COPILOT_TIMEZONE") or "UTC").strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        from copilot.errors import UsageError

        raise UsageError(
            f"setting COPILOT_TIMEZONE={name!r} is not a time zone name", hint="use an IANA name such as UTC or Europe/Berlin"
        ) from None
    return name
