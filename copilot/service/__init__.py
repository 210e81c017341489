"""The copilot as an event-driven service: agent workers in one Kafka consumer group answer question
events (`copilot.questions`) with answer events (`copilot.answers`), exactly once per question; clients
publish and wait; watches keep a question running as a Flink job that writes alert events."""
