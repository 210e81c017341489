"""flink-copilot: ask live Kafka streams questions in plain words."""

__version__ = "0.1.0"
