"""A document's state is read from its own text, and users' state names reach its payer."""

from __future__ import annotations

from assistant.agent.intents import PayerDirectory
from assistant.retrieval.states import document_state, state_aliases, state_mentions

GOVERNED = "This Agreement shall be governed by the laws of the State of Oregon. " * 1
NAMED_MOST = (
    "Provider is licensed in Vermont. Claims follow Vermont rules. Vermont members may "
    "appeal. A copy goes to the Maine office."
)


def test_governing_law_decides_the_state() -> None:
    text = GOVERNED + " Arizona Arizona Arizona Arizona"
    assert document_state(text) == "OR"
    assert document_state("construed in accordance with the laws of New Mexico") == "NM"


def test_without_governing_law_the_state_named_clearly_most() -> None:
    assert document_state(NAMED_MOST) == "VT"
    # A tie or a single mention says nothing.
    assert document_state("Texas and Utah; Texas and Utah.") is None
    assert document_state("offices in Iowa") is None


def test_washington_dc_is_not_washington_state() -> None:
    assert state_mentions("Washington, D.C. and Washington D.C.")["WA"] == 0
    assert state_mentions("the State of Washington")["WA"] == 1


def test_state_names_and_codes_reach_the_payer() -> None:
    aliases = state_aliases({"Evergreen Plan": [NAMED_MOST], "Lakes Co": [GOVERNED]})
    assert aliases["vermont"] == "Evergreen Plan"
    assert aliases["vt"] == "Evergreen Plan"
    assert aliases["oregon"] == "Lakes Co"
    # "OR" is a word: only the full name names Oregon's contract.
    assert "or" not in aliases
    directory = PayerDirectory.build(["Evergreen Plan", "Lakes Co"], aliases)
    assert directory.find("what's the timely filing in the Vermont contract?") == ["Evergreen Plan"]
    assert directory.find("VT agreement: notice to terminate") == ["Evergreen Plan"]
    assert directory.find("does the oregon agreement renew") == ["Lakes Co"]


def test_a_shared_state_goes_to_the_payer_about_it_or_to_none() -> None:
    governed_only = "governed by the laws of the State of Vermont."
    aliases = state_aliases({"Evergreen Plan": [NAMED_MOST * 3], "Other": [governed_only]})
    assert aliases["vermont"] == "Evergreen Plan"
    even = state_aliases({"A": [governed_only], "B": [governed_only]})
    assert "vermont" not in even
