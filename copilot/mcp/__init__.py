"""Model Context Protocol server: the copilot's governed tools for assistants and IDEs (`flink-copilot mcp`)."""
