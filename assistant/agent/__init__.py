"""The agent: tools over the services, the offline model or a LangChain chat model, grounded answers."""
