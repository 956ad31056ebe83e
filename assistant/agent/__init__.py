"""The agent: read-only tools, the offline or a LangChain chat model, grounded answers."""
