"""The Model Context Protocol server (official `mcp` SDK): the copilot's tools and catalog for assistants and IDEs.

Read-only by default: `save_job` and `stop_job` are registered only when COPILOT_MCP_ALLOW_WRITES=true and
COPILOT_READ_ONLY is not. Every tool goes through CopilotTools, i.e. the CLI's validation, policy and
audit trail; each audit event names the MCP client (its declared name and version, and the transport).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.resources import FunctionResource
from mcp.types import ToolAnnotations

from copilot.errors import CopilotError
from copilot.mcp.tools import ClientIdentity, CopilotTools, writes_allowed

if TYPE_CHECKING:
    from copilot.wiring import Services

log = logging.getLogger(__name__)
CLIENT_INFO_META = "io.modelcontextprotocol/clientInfo"
INSTRUCTIONS = (
    "Flink Copilot answers questions about live Kafka streams with validated Flink SQL. Start with search_topics "
    "or the catalog://topics resource, describe_topic for fields and a live sample, then ask (a question in plain "
    "words) or validate_sql; run_query runs a validated SELECT for a bounded number of rows and seconds. Only "
    "SELECT queries over catalog topics are accepted; everything is audited."
)
READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)


def client_identity(ctx: Context | None, transport: str) -> ClientIdentity:
    """The client's declared name and version (initialize handshake or the 2026 request envelope)."""
    name, version = "unknown", ""
    try:
        request = ctx.request_context if ctx is not None else None
        params = getattr(request.session, "client_params", None) if request is not None else None
        if params is not None and params.client_info is not None:
            name, version = params.client_info.name, params.client_info.version or ""
        elif request is not None and request.meta:
            info: Any = dict(request.meta).get(CLIENT_INFO_META) or {}
            name, version = str(info.get("name") or name), str(info.get("version") or "")
    except Exception:  # a client that declares nothing is still served, as "unknown"
        pass
    return ClientIdentity(name=name[:100], version=version[:50], transport=transport)


def _call(fn, *args: Any, **kwargs: Any) -> Any:
    """A CopilotError becomes a tool error the model can read (message and hint), never a traceback."""
    try:
        return fn(*args, **kwargs)
    except CopilotError as exc:
        hint = getattr(exc, "hint", None)
        raise ToolError(f"{exc}" + (f" (hint: {hint})" if hint and hint not in str(exc) else "")) from None


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("flink-copilot")
    except Exception:
        return "0"


def create_server(tools: CopilotTools, transport: str) -> MCPServer:
    app = MCPServer("flink-copilot", instructions=INSTRUCTIONS, version=_version(), log_level="WARNING")
    _read_tools(app, tools, transport)
    if writes_allowed():
        _write_tools(app, tools, transport)
    _resources(app, tools)
    return app


def _read_tools(app: MCPServer, tools: CopilotTools, transport: str) -> None:
    @app.tool(annotations=READ_ONLY)
    def search_topics(query: str, k: int = 5) -> dict:
        """The catalog topics most relevant to a question or keywords, best first (topic, score, description)."""
        return _call(tools.search_topics, query, k)

    @app.tool(annotations=READ_ONLY)
    def describe_topic(topic: str, sample: int = 5) -> dict:
        """One topic: fields and types, descriptions, event time, key, relationships, its Flink CREATE TABLE,
        and up to `sample` (max 20) of its newest records read live from Kafka."""
        return _call(tools.describe_topic, topic, sample)

    @app.tool(annotations=READ_ONLY)
    def ask(question: str, ctx: Context, conversation_id: str = "") -> dict:
        """Answer a question about the live streams: validated Flink SQL, tables, an explanation, or a
        clarification to choose from (stage "clarify") or a decline (errors). Pass conversation_id for follow-ups."""
        return _call(tools.ask, client_identity(ctx, transport), question, conversation_id or None)

    @app.tool(annotations=READ_ONLY)
    def validate_sql(sql: str, ctx: Context) -> dict:
        """Check a Flink SQL statement: parse, safety policy, catalog, Flink's planner. Returns valid, stage and
        errors with line and column."""
        return _call(tools.validate_sql, client_identity(ctx, transport), sql)

    @app.tool(annotations=READ_ONLY)
    def run_query(sql: str, ctx: Context, max_rows: int = 100, timeout_seconds: float = 20.0) -> dict:
        """Validate a SELECT and run it on Flink for at most `max_rows` rows and `timeout_seconds` seconds
        (capped by COPILOT_MCP_MAX_ROWS / COPILOT_MCP_MAX_SECONDS); returns columns and the materialised rows.
        Anything but a valid SELECT over catalog topics is refused."""
        return _call(tools.run_query, client_identity(ctx, transport), sql, max_rows, timeout_seconds)

    @app.tool(annotations=READ_ONLY)
    def list_jobs(ctx: Context) -> dict:
        """Saved persistent jobs with their Flink state and output topic."""
        return _call(tools.list_jobs, client_identity(ctx, transport))


def _write_tools(app: MCPServer, tools: CopilotTools, transport: str) -> None:
    """Only with COPILOT_MCP_ALLOW_WRITES=true and never when read-only (`writes_allowed()`)."""
    writes = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)

    @app.tool(annotations=writes)
    def save_job(name: str, sql: str, ctx: Context, output_topic: str = "") -> dict:
        """Save a validated SELECT as a persistent Flink job writing to a Kafka topic (default job_<name>)."""
        return _call(tools.save_job, client_identity(ctx, transport), name, sql, output_topic or None)

    @app.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=True, open_world_hint=False))
    def stop_job(name: str, ctx: Context, savepoint: bool = False) -> dict:
        """Stop a saved job (with a savepoint to resume it later)."""
        return _call(tools.stop_job, client_identity(ctx, transport), name, savepoint)


def _resources(app: MCPServer, tools: CopilotTools) -> None:
    app.add_resource(
        FunctionResource.from_function(
            tools.topic_list,
            uri="catalog://topics",
            name="topics",
            description="Every topic of the catalog",
            mime_type="application/json",
        )
    )
    for name in sorted(tools.topics()):
        app.add_resource(
            FunctionResource.from_function(
                _topic_reader(tools, name),
                uri=f"catalog://topics/{name}",
                name=name,
                description=f"Catalog entry of topic {name}: fields, types, relationships, DDL",
                mime_type="application/json",
            )
        )

    @app.resource("catalog://topics/{topic}", mime_type="application/json")
    def topic_entry(topic: str) -> str:
        """Catalog entry of any topic (also ones added after the server started)."""
        return _call(tools.topic_resource, topic)


def _topic_reader(tools: CopilotTools, name: str):
    def read() -> str:
        return _call(tools.topic_resource, name)

    read.__name__ = f"topic_{name}"
    return read


def serve(services: Services, transport: str = "stdio", host: str = "127.0.0.1", port: int = 8765) -> None:
    """Run until the client disconnects (stdio) or the process is interrupted (http)."""
    audit = services.require_audit()  # as the CLI: no audit trail, no answers (exit 3)
    tools = CopilotTools(services, audit)
    app = create_server(tools, "stdio" if transport == "stdio" else "http")
    services.warm_in_background()
    try:
        if transport == "stdio":
            app.run("stdio")
        else:
            app.run("streamable-http", host=host, port=port)
    finally:
        services.close()
