"""Test-only: EXPLAIN of the Flink docs' own statements (INSERTs, DDL environments included).

The product submits only typed statements (copilot.sql.statement); the dialect corpus tests ask Flink
about text the product would never run, so they post it to the gateway here, outside the product path."""

from __future__ import annotations

from copilot.flink.gateway import GatewayClient, Operation


class DocsExplainer:
    def __init__(self) -> None:
        self.client = GatewayClient()
        self._registered: dict[str, str] = {}

    def _run(self, text: str) -> list[list]:
        client = self.client
        session = client.session()
        data = client._request("POST", f"/{client.api}/sessions/{session}/statements", json={"statement": text})
        op = Operation(client, session, data["operationHandle"], text)
        try:
            return op.all_rows(60)[1]
        finally:
            client._close_quietly(op)

    def explain(self, sql: str, table_ddls: dict[str, str]) -> str:
        for name, ddl in table_ddls.items():
            if self._registered.get(name) != ddl:
                if name in self._registered:
                    self._run(f"DROP TEMPORARY TABLE IF EXISTS `{name}`")
                    self._run(f"DROP TABLE IF EXISTS `{name}`")
                self._run(ddl)
                self._registered[name] = ddl
        return "\n".join(str(r[0]) for r in self._run("EXPLAIN " + sql))

    def close(self) -> None:
        self.client.close()
