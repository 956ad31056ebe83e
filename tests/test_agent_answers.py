"""Extractive answers, attachments, comparisons and follow-ups, asked offline over the demo
workspace with the real TN contract: each value cites the page it is on."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.agent.answer import Answer
from assistant.agent.factory import make_assistant
from assistant.agent.grounding import normalise
from assistant.ingest.store import DocumentStore

pytestmark = pytest.mark.slow
TN = "TN_Contract4_Redacted.pdf"


@pytest.fixture(scope="module")
def assistant(demo_services: Any) -> Any:
    return make_assistant(demo_services, "offline")


def ask(assistant: Any, question: str, conversation_id: str | None = None) -> Answer:
    answer: Answer = assistant.ask(question, conversation_id=conversation_id)
    assert answer.grounded, answer.removed
    return answer


def cited_pages(demo_services: Any, answer: Answer, source: str) -> set[int]:
    """Pages of `source` the answer cites, each quote checked against its page's text."""
    store = DocumentStore(demo_services.conn)
    pages = set()
    for citation in answer.citations:
        if citation.source != source:
            continue
        text = store.page_text(store.resolve(source).doc_id, citation.page)
        assert text is not None and normalise(citation.quote) in normalise(text)
        pages.add(citation.page)
    return pages


def test_a_one_program_question_gets_that_programs_figure(
    assistant: Any, demo_services: Any
) -> None:
    answer = ask(assistant, "What's the timely filing for Medicare Advantage with the TN plan?")
    assert "90 days" in answer.answer and "Medicare Advantage" in answer.answer
    assert "120 days" not in answer.answer
    assert 36 in cited_pages(demo_services, answer, TN)


def test_a_question_no_term_value_answers_is_quoted_from_its_page(
    assistant: Any, demo_services: Any
) -> None:
    answer = ask(
        assistant,
        "How quickly do we have to return an overpayment under the TN Health Plan contract?",
    )
    assert "sixty (60) days" in answer.answer
    assert cited_pages(demo_services, answer, TN) & {24, 25}


def test_contracts_silent_on_a_topic_say_so(assistant: Any) -> None:
    answer = ask(assistant, "Does the Cigna agreement cover dental implants?")
    assert "do not appear to address" in answer.answer
    assert not answer.citations


def test_a_comparison_answers_each_side_with_its_own_citation(assistant: Any) -> None:
    answer = ask(assistant, "Aetna vs Cigna on timely filing")
    assert "Aetna: 90 days" in answer.answer and "Cigna: 365 days" in answer.answer
    sources = {c.source for c in answer.citations}
    assert {"aetna-agreement.md", "cigna-agreement.md"} <= sources


def test_a_follow_up_keeps_payer_and_term_and_changes_the_attachment(
    assistant: Any, demo_services: Any
) -> None:
    conversation = assistant.new_conversation()
    first = ask(
        assistant, "What's the timely filing for Medicaid claims with TN Health Plan?", conversation
    )
    assert "120 days" in first.answer and 21 in cited_pages(demo_services, first, TN)
    second = ask(assistant, "what about the Medicare Advantage side?", conversation)
    assert "90 days" in second.answer and "120 days" not in second.answer
    assert 36 in cited_pages(demo_services, second, TN)
    third = ask(assistant, "and for Cigna?", conversation)
    assert "365 days" in third.answer
