"""The product's capabilities as small typed interfaces, one module each (docs/architecture.md).

| module      | interface(s)                     | implementation(s)                                  | layer          |
| ----------- | -------------------------------- | -------------------------------------------------- | -------------- |
| `audit`     | `AuditSink`                      | `copilot.agent.audit.KafkaAuditSink`               | infrastructure |
| `events`    | `QuestionBus`, `Question`        | `copilot.service.client.ServiceClient`             | infrastructure |
| `catalog`   | `CatalogStore`, `TopicIndex`     | `copilot.catalog.store.YamlCatalogStore`, `copilot.catalog.index.HybridTopicIndex` | catalog |
| `engine`    | `SqlEngine`, `SqlGateway`        | `copilot.flink.gateway.GatewayClient`              | flink          |
| `planner`   | `Planner` (+ `PlanRequest`, `Draft`, `Turn`) | `copilot.agent.builtin.BuiltinPlanner`, `copilot.agent.llm.LlmPlanner` | plan |
| `live`      | `ChangeSource`                   | `copilot.flink.live.LiveQuery`, `copilot.agent.live.LiveSession` | agent |
| `jobs`      | `Jobs`                           | `copilot.jobs.service.JobService`                  | jobs           |

Each module sits in the layer of the data it speaks about (tests/test_layers.py knows which), so a
lower layer can depend on an interface without depending on anything above it. The implementations are
created once, in `copilot.wiring.build`. This package's `__init__` imports nothing on purpose: importing
one interface never pulls in the others."""
