"""The Kafka adapter: every use of confluent_kafka in the product goes through this package.

config.py   the one client configuration (bootstrap, SASL/SSL of a real cluster) and Flink connector properties
clients.py  producer, consumer and admin factories; the confluent_kafka types the product names
admin.py    topic administration with bounded waits
sample.py   the newest records of a topic (the one sampling function)

Infrastructure layer: imports only copilot.settings, copilot.errors and confluent_kafka."""
