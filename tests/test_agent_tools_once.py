"""Each tool is written once (its method's signature and docstring are the LangChain tool), its
result stays typed until serialised once, and the JSON a model reads keeps its field names."""

from __future__ import annotations

import inspect
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool

from assistant.agent.negotiation_tools import (
    NEGOTIATION_TOOL_NAMES,
    NegotiationTools,
    make_negotiation_tools,
)
from assistant.agent.tools import TOOL_NAMES, ToolBox, make_tools
from assistant.demo import demo_contracts_dir
from assistant.negotiation.demo import load_demo_negotiation
from assistant.rates.demo import load_demo_practice
from assistant.rates.models import GapResult, ProposalResult
from assistant.tool_results import RateGap, TermReading, ToolError, jsonable

GOLDEN = Path(__file__).parent / "golden" / "tool_json_fields.json"
"""Field paths of each tool's JSON for representative calls, recorded from the tools before
they returned typed results (the interface a model and --json readers rely on)."""
TODAY = date(2026, 3, 15)


@pytest.fixture
def demo(fake_services: Any) -> Any:
    """The demo practice's rates, the Aetna and UnitedHealthcare demo contracts and the demo
    negotiation (its proposal exhibit and costs too)."""
    load_demo_practice(fake_services.conn)
    folder = demo_contracts_dir()
    ingestor = fake_services.ingestor()
    ingestor.ingest([folder / "aetna-agreement.md"], payer="Aetna", kind="contract")
    ingestor.ingest([folder / "unitedhealthcare-agreement.md"], payer="UnitedHealthcare")
    load_demo_negotiation(fake_services.conn, TODAY)
    return fake_services


def tools_and_functions(services: Any) -> list[tuple[BaseTool, Any]]:
    box, negotiation = ToolBox(services), NegotiationTools(services, lambda: TODAY)
    functions = [getattr(box, n) for n in TOOL_NAMES]
    functions += [getattr(negotiation, n) for n in NEGOTIATION_TOOL_NAMES]
    tools = [*make_tools(box), *make_negotiation_tools(services, lambda: TODAY)]
    return list(zip(tools, functions, strict=True))


def test_each_tool_is_its_function(fake_services: Any) -> None:
    for tool, fn in tools_and_functions(fake_services):
        assert tool.name == fn.__name__
        assert tool.description == inspect.getdoc(fn)
        assert tool.description  # a model is never shown an undocumented tool
        parameters = inspect.signature(fn).parameters
        schema = tool.get_input_schema().model_json_schema()
        assert list(schema["properties"]) == list(parameters), tool.name
        required = [n for n, p in parameters.items() if p.default is inspect.Parameter.empty]
        assert sorted(schema.get("required", [])) == sorted(required), tool.name
        for name, param in parameters.items():
            if param.default is not inspect.Parameter.empty:
                assert schema["properties"][name].get("default") == param.default, name


def field_paths(value: Any, prefix: str = "") -> set[str]:
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths |= {path} | field_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            paths |= field_paths(item, prefix + "[]")
    return paths


def test_the_json_a_model_reads_keeps_its_field_names(demo: Any) -> None:
    tools = {tool.name: tool for tool, _ in tools_and_functions(demo)}
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert {c["name"] for c in golden} == set(tools)  # every tool has a representative call
    for i, case in enumerate(golden):
        call = {"name": case["name"], "args": case["args"], "id": f"c{i}", "type": "tool_call"}
        message = tools[case["name"]].invoke(call)
        assert isinstance(message, ToolMessage)
        content = json.loads(str(message.content))
        assert sorted(field_paths(content)) == case["fields"], (case["name"], case["args"])
        # Serialised once, from the typed result the offline model reads as the artifact.
        assert content == jsonable(message.artifact)
        assert not isinstance(message.artifact, dict), case["name"]


def test_results_reach_the_offline_model_typed(demo: Any) -> None:
    tools = {tool.name: tool for tool, _ in tools_and_functions(demo)}

    def artifact(name: str, **args: Any) -> Any:
        call = {"name": name, "args": args, "id": "c", "type": "tool_call"}
        return tools[name].invoke(call).artifact

    gap = artifact("rate_gap", payer="Aetna", codes=["99214"])
    assert isinstance(gap, RateGap) and isinstance(gap.result, GapResult)
    assert [r.code for r in gap.rows] == ["99214"]
    # the totals stay those of every code, as the JSON has always said
    assert gap.result.total_revenue > sum(r.units * r.rate for r in gap.rows)
    assert isinstance(artifact("model_proposal", payer="Aetna", across_the_board=3), ProposalResult)
    assert isinstance(
        artifact("find_contract_term", term="timely_filing", payer="Aetna"), TermReading
    )
    failed = artifact("rate_gap", payer="Nobody")
    assert isinstance(failed, ToolError) and "Nobody" in failed.error
