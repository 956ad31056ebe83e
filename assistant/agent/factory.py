"""`make_assistant`: the one place that picks the model (offline or a LangChain chat model)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.agent.loop import AgentAssistant
from assistant.agent.tools import ToolBox
from assistant.config import OFFLINE_MODEL
from assistant.errors import ConfigError

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.agent.events import Assistant
    from assistant.services import Services

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
PROVIDER_EXTRAS = {
    "ollama": "langchain-ollama",
    "openai": "langchain-openai",
    "anthropic": "langchain-anthropic",
    "google_genai": "langchain-google-genai",
    "mistralai": "langchain-mistralai",
    "groq": "langchain-groq",
    "bedrock": "langchain-aws",
    "huggingface": "langchain-huggingface",
}
"""Provider -> the pip package its chat model lives in (our optional extras)."""


def system_prompt() -> str:
    return (PROMPTS_DIR / "system.md").read_text(encoding="utf-8")


def offline_model(toolbox: ToolBox) -> BaseChatModel:
    """The built-in model over `toolbox`'s workspace: no network, no key, no download."""
    from assistant.agent.grounding import quote_on_page
    from assistant.agent.intents import PayerDirectory
    from assistant.agent.offline import OfflineChatModel
    from assistant.ingest.store import DocumentStore

    documents = DocumentStore(toolbox.services.conn)

    def directory() -> PayerDirectory:
        return PayerDirectory.build(
            [*toolbox.rate_payers(), *toolbox.document_payers()], toolbox.aliases()
        )

    def contract_payers() -> list[str]:
        return sorted({d.payer for d in documents.list(kind="contract") if d.payer})

    def page_finder(doc_id: str, quote: str, first: int | None, last: int | None) -> int | None:
        if first is None:
            return None
        for page in range(first, (last or first) + 1):
            if quote_on_page(quote, documents.page_text(doc_id, page)):
                return page
        return first

    def sentence_scorer(question: str, sentences: list[str]) -> list[float]:
        embedder = toolbox.services.embedder
        query = embedder.embed_query(question)
        vectors = embedder.embed_documents(sentences)
        return [sum(a * b for a, b in zip(query, v, strict=True)) for v in vectors]

    words: dict[tuple[str | None, int], frozenset[str]] = {}

    def vocabulary(payer: str | None) -> frozenset[str]:
        docs = [d for d in documents.list() if payer is None or d.payer in (payer, None)]
        key = (payer, hash(tuple(sorted(d.doc_id for d in docs))))
        if key not in words:
            text = " ".join(p.text for d in docs for p in documents.pages(d.doc_id))
            words[key] = frozenset(re.findall(r"[a-z]+", text.lower()))
        return words[key]

    return OfflineChatModel(
        payer_source=directory,
        vocabulary=vocabulary,
        contract_payers=contract_payers,
        page_finder=page_finder,
        rate_payers=toolbox.rate_payers,
        sentence_scorer=sentence_scorer,
    )


def chat_model(spec: str) -> BaseChatModel:
    """A LangChain chat model from 'provider:name'; ConfigError naming the extra when missing."""
    from langchain.chat_models import init_chat_model

    provider, sep, name = spec.partition(":")
    if not sep or not provider or not name:
        raise ConfigError(
            f"Model '{spec}' is not 'offline' or 'provider:name'",
            "e.g. --model ollama:llama3.1 or --model openai:gpt-4.1-mini",
        )
    try:
        return init_chat_model(name, model_provider=provider)
    except ImportError as exc:
        package = PROVIDER_EXTRAS.get(provider, f"langchain-{provider}")
        raise ConfigError(
            f"The '{provider}' provider is not installed ({exc.name or package} missing)",
            f"install it with `pip install 'payer-assistant[{provider}]'` "
            f"(or `pip install {package}`), or use --model offline",
        ) from exc
    except ValueError as exc:
        raise ConfigError(f"Cannot use model '{spec}': {exc}", "check the provider name") from exc


def make_assistant(services: Services, model: str | None = None) -> Assistant:
    """The assistant for `services`' workspace; model None -> settings.model."""
    spec = (model or services.settings.model).strip()
    toolbox = ToolBox(services)
    if spec == OFFLINE_MODEL:
        return AgentAssistant(toolbox, offline_model(toolbox), OFFLINE_MODEL, system_prompt())
    return AgentAssistant(toolbox, chat_model(spec), spec, system_prompt())
