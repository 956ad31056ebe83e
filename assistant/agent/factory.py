"""`make_assistant`: the one place that picks the model (offline or a LangChain chat model)."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from assistant.agent.loop import AgentAssistant
from assistant.agent.tools import ToolBox
from assistant.config import OFFLINE_MODEL
from assistant.errors import ConfigError
from assistant.resources import prompts_dir

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.agent.events import Assistant
    from assistant.services import Services

PROMPTS_DIR = prompts_dir()
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
PROVIDER_KEYS = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "google_genai": "GOOGLE_API_KEY",
    "mistralai": "MISTRAL_API_KEY",
    "groq": "GROQ_API_KEY",
}
"""Provider -> the environment variable holding its API key."""


def system_prompt() -> str:
    return (PROMPTS_DIR / "system.md").read_text(encoding="utf-8")


def offline_model(toolbox: ToolBox) -> BaseChatModel:
    """The built-in model over `toolbox`'s workspace: no network, no key, no download."""
    from assistant.agent.grounding import quote_on_page
    from assistant.agent.intents import PayerDirectory
    from assistant.agent.offline import OfflineChatModel
    from assistant.ingest.store import DocumentStore
    from assistant.retrieval.states import state_aliases
    from assistant.review.text import read_document

    documents = DocumentStore(toolbox.services.conn)

    states: dict[int, dict[str, str]] = {}

    def state_names() -> dict[str, str]:
        """ "washington", "tn" -> the payer whose documents are about that state, read from the
        documents' text once per set of documents."""
        docs = [d for d in documents.list() if d.payer]
        key = hash(tuple(sorted(d.doc_id for d in docs)))
        if key not in states:
            texts: dict[str, list[str]] = {}
            for d in docs:
                texts.setdefault(str(d.payer), []).extend(p.text for p in documents.pages(d.doc_id))
            states[key] = state_aliases(texts)
        return states[key]

    def directory() -> PayerDirectory:
        return PayerDirectory.build(
            [*toolbox.rate_payers(), *toolbox.document_payers()],
            {**state_names(), **toolbox.aliases()},
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

    scopes: dict[str, dict[int | None, str]] = {}

    def page_scope(doc_id: str, page: int | None) -> str | None:
        """The attachment most of a page's sentences sit in, read once per document."""
        if doc_id not in scopes:
            by_page: dict[int | None, Counter[str]] = {}
            for passage in read_document(documents.pages(doc_id)).passages:
                by_page.setdefault(passage.page, Counter())[passage.scope] += 1
            scopes[doc_id] = {p: c.most_common(1)[0][0] for p, c in by_page.items()}
        return scopes[doc_id].get(page)

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
        page_scope=page_scope,
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
        raise ConfigError(
            f"Cannot use model '{spec}': {_first_line(exc)}",
            "check the provider name (e.g. ollama, openai, anthropic), or use --model offline",
        ) from exc
    except Exception as exc:  # providers raise their own types for a missing key or bad option
        key = PROVIDER_KEYS.get(provider)
        raise ConfigError(
            f"Cannot start model '{spec}': {_first_line(exc)}",
            (f"set {key} in the environment, " if key else "check the provider's settings, ")
            + "or use --model offline",
        ) from exc


def _first_line(exc: BaseException) -> str:
    return next(
        (line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__
    )


def make_assistant(services: Services, model: str | None = None) -> Assistant:
    """The assistant for `services`' workspace; model None -> settings.model."""
    spec = (model or services.settings.model).strip()
    toolbox = ToolBox(services)
    if spec == OFFLINE_MODEL:
        return AgentAssistant(toolbox, offline_model(toolbox), OFFLINE_MODEL, system_prompt())
    if spec.startswith("script:"):
        from assistant.agent.scripted import scripted_model

        return AgentAssistant(toolbox, scripted_model(spec), spec, system_prompt())
    return AgentAssistant(toolbox, chat_model(spec), spec, system_prompt())
